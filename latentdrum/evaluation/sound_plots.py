"""Pictures for a sound evaluation report: spectrograms, the latent map, knob sweep curves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from latentdrum.evaluation.spectra import log_mel_db
from latentdrum.spaces.knobs import KNOB_NAMES
from latentdrum.spaces.sound import SoundSpace


def write_plots(space: SoundSpace, out: Path, real: np.ndarray, recon: np.ndarray, names: list[str],
                knobs: dict[str, Any]) -> list[Path]:
    """Write ``spectrograms.png`` (real vs reconstructed held-out sounds), ``latent_map.png``
    (training latents of every class on one PCA plane) and ``knob_sweeps.png``; return the paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt


    paths = []
    n = len(real)
    fig, axes = plt.subplots(2, max(n, 1), figsize=(2.6 * max(n, 1), 5), squeeze=False)
    for j in range(n):
        for r, (x, label) in enumerate(((real[j], "real"), (recon[j], "reconstructed"))):
            ax = axes[r, j]
            ax.imshow(log_mel_db(x[None])[0].T, origin="lower", aspect="auto", vmin=-80, vmax=0, cmap="magma")
            ax.set_title(f"{names[j]} {label}", fontsize=8)
            ax.set_xticks([])
            ax.set_yticks([])
    fig.suptitle("held-out sounds: log-mel (64 bands, 0-1 s)")
    fig.tight_layout()
    paths.append(out / "spectrograms.png")
    fig.savefig(paths[-1], dpi=90)
    plt.close(fig)

    lat = [space.class_map(c)[1] for c in space.classes]
    allz = np.concatenate(lat)
    mean = allz.mean(0)
    _, _, vt = np.linalg.svd(allz - mean, full_matrices=False)
    fig, ax = plt.subplots(figsize=(7, 6))
    cmap = plt.get_cmap("tab20")
    for i, (c, z) in enumerate(zip(space.classes, lat, strict=True)):
        p = (z - mean) @ vt[:2].T
        ax.scatter(p[:, 0], p[:, 1], s=10, color=cmap(i % 20), label=c)
    ax.legend(fontsize=7, markerscale=1.5)
    ax.set_title("training latents (posterior means), PCA of all classes")
    paths.append(out / "latent_map.png")
    fig.savefig(paths[-1], dpi=90)
    plt.close(fig)

    knob_names = list(KNOB_NAMES)
    fig, axes = plt.subplots(1, 4, figsize=(16, 4), squeeze=False)
    for k, knob in enumerate(knob_names):
        ax = axes[0, k]
        for i, c in enumerate(space.classes):
            curve = np.asarray(knobs[c][knob]["curve"], dtype=float)
            ax.plot(np.linspace(-1, 1, len(curve)), curve / max(abs(curve[len(curve) // 2]), 1e-9),
                    color=cmap(i % 20), label=c)
        ax.set_title(f"{knob} knob: its descriptor / value at 0")
        ax.set_xlabel(knob)
        ax.set_yscale("log")
    axes[0, 0].legend(fontsize=6)
    fig.tight_layout()
    paths.append(out / "knob_sweeps.png")
    fig.savefig(paths[-1], dpi=90)
    plt.close(fig)
    return paths
