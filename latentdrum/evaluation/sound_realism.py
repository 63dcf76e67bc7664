"""How close the sound space comes to real drums, measured where a listener hears it.

For held-out real sounds (kits the model never trained on) and three things made from them:

- ``ceiling``: the representation alone, no model (real -> |STFT| -> the engine's synthesis at
  full quality): the best any model on this representation can do;
- ``reconstruction``: encoded and decoded by the sound space;
- ``samples``: one fresh sample of the same class per real sound (paired with it: a paired
  distance near 1 means "as different as two real files of the class", which is what a new
  sound should be);

per class and overall, :func:`latentdrum.evaluation.realism.realism_table`: paired feature
distance in units of the class's between-file spread, partial peak-to-neighbour ratio, partial
frequency jitter, level 3 ms after the onset, time to -20 and -60 dB. Also the kick's decay
error (time to -20 dB of each reconstruction against its original) and how long sampled crashes
ring, how far held-out kicks and toms come back from their own pitch (their
:func:`~latentdrum.sounds.descriptors.fundamental`, in semitones), and spectrogram pictures
(n_fft 2048) real / ceiling / reconstruction / sample.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from latentdrum.evaluation.realism import decay_times, realism_table
from latentdrum.sounds import spectral
from latentdrum.sounds.audio import SAMPLE_RATE
from latentdrum.sounds.descriptors import fundamental
from latentdrum.sounds.synthesis import synthesize
from latentdrum.spaces.sound import TUNED_CLASSES, SoundSpace

PICTURE_CLASSES = ("kick", "snare", "closed_hat", "crash")


def trimmed(x: np.ndarray) -> list[np.ndarray]:
    """``(N, L)`` zero-padded sounds -> each cut after its last sample above -100 dBFS."""
    out = []
    for y in x:
        loud = np.flatnonzero(np.abs(y) > 1e-5)
        out.append(y[: int(loud[-1]) + 1] if len(loud) else y[:64])
    return out


def realism_report(space: SoundSpace, real: np.ndarray, names: list[str], recon: np.ndarray,
                   crash_samples: np.ndarray | None = None, seed: int = 0,
                   pictures: Path | None = None) -> dict[str, Any]:
    """The realism section of ``sound evaluate`` (see the module docstring).

    ``real (N, L)`` held-out one-shots, ``names`` their classes, ``recon (N, L')`` their
    reconstructions; ``crash_samples`` sampled crashes (their ring time is reported).
    """
    ceiling = np.concatenate([synthesize(spectral.log_magnitude(real[i : i + 16]), iters=spectral.GLA_ITERS)
                              for i in range(0, len(real), 16)], axis=0)
    samples = [space.decode(space.sample_latent(c, 1, seed=seed + 7919 * i), c)[0] for i, c in enumerate(names)]
    sets = {"ceiling": trimmed(ceiling), "reconstruction": trimmed(recon), "samples": trimmed(np.stack(
        [np.pad(s, (0, max(0, real.shape[1] - len(s))))[: real.shape[1]] for s in samples]))}
    real_t = trimmed(real)
    table = realism_table(real_t, sets, names)
    kicks = [i for i, c in enumerate(names) if c == "kick"]
    if kicks:
        err = [abs(decay_times(sets["reconstruction"][i])[0] / max(decay_times(real_t[i])[0], 1e-3) - 1.0)
               for i in kicks]
        table["kick_t20_relative_error"] = {"median": round(float(np.median(err)), 3),
                                            "max": round(float(np.max(err)), 3), "n": len(kicks)}
    tonal = [i for i, c in enumerate(names) if c in TUNED_CLASSES]
    if tonal:
        f0 = fundamental(real[tonal])
        pitch: dict[str, Any] = {"n": len(tonal)}
        for what, made in (("ceiling", ceiling), ("reconstruction", recon)):
            off = np.abs(12.0 * np.log2(fundamental(made[tonal]) / f0))  # semitones
            pitch[what] = {"median": float(np.median(off)), "over_1": int(np.sum(off > 1.0))}
        table["tonal_pitch_error_semitones"] = pitch
    if crash_samples is not None and len(crash_samples):
        t60 = [decay_times(s)[1] for s in trimmed(crash_samples)]
        table["sampled_crash_t60_s"] = {"median": round(float(np.median(t60)), 3),
                                        "p10": round(float(np.percentile(t60, 10)), 3), "n": len(t60)}
    if pictures is not None:
        write_realism_pictures(pictures, real_t, sets, names)
    return _rounded(table)


def _rounded(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _rounded(v) for k, v in x.items()}
    if isinstance(x, float):
        return round(x, 3)
    return x


def write_realism_pictures(out: Path, real: list[np.ndarray], sets: dict[str, list[np.ndarray]],
                           names: list[str]) -> list[Path]:
    """One PNG per class of :data:`PICTURE_CLASSES` present: real and each set, n_fft 2048, log Hz."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    n_fft, hop = 2048, 256
    hz = np.arange(n_fft // 2 + 1) * SAMPLE_RATE / n_fft
    window = np.hanning(n_fft)
    paths = []
    for cls in PICTURE_CLASSES:
        if cls not in names:
            continue
        i = names.index(cls)
        rows = {"real": real[i]} | {k: v[i] for k, v in sets.items()}
        dur = max(len(y) for y in rows.values()) / SAMPLE_RATE
        fig, axes = plt.subplots(len(rows), 1, figsize=(9, 2.0 * len(rows)), sharex=True, squeeze=False)
        for ax, (label, y) in zip(axes[:, 0], rows.items(), strict=True):
            y = np.pad(y, (0, n_fft))
            fr = np.lib.stride_tricks.sliding_window_view(y, n_fft)[::hop] * window
            s = 20 * np.log10(np.abs(np.fft.rfft(fr, axis=-1)) + 1e-7)
            s -= s.max()
            t = np.arange(s.shape[0]) * hop / SAMPLE_RATE
            ax.pcolormesh(t, hz[1:], s[:, 1:].T, vmin=-90, vmax=0, cmap="magma", shading="auto")
            ax.set_yscale("log")
            ax.set_ylim(30, SAMPLE_RATE / 2)
            ax.set_xlim(0, dur)
            ax.set_ylabel("Hz")
            ax.set_title(label, fontsize=9, loc="left")
        axes[-1, 0].set_xlabel("s")
        fig.suptitle(f"held-out {cls}: spectrogram (n_fft {n_fft}, dB re peak)", fontsize=10)
        fig.tight_layout()
        paths.append(out / f"realism_{cls}.png")
        fig.savefig(paths[-1], dpi=80)
        plt.close(fig)
    return paths


def realism_markdown(table: dict[str, Any]) -> str:
    """The realism section as Markdown tables: per class and overall, real vs each set."""
    sets = ("ceiling", "reconstruction", "samples")
    lines = ["| class | n | paired distance: ceiling / reconstruction / samples "
             "| partial ratio: real / ceiling / recon / samples | jitter (rad): real / recon "
             "| level at 3 ms (dB): real / recon / samples | t-20 (s): real / recon / samples "
             "| t-60 (s): real / recon / samples |",
             "|---|---|---|---|---|---|---|---|"]

    def f(v: Any, nd: int = 2) -> str:
        return "-" if v is None else f"{v:.{nd}f}"

    rows = {**table["classes"], "**overall**": table["overall"]}
    for name, b in rows.items():
        r = b["real"]
        lines.append(
            f"| {name} | {b['n']} | " + " / ".join(f(b[s]["paired_distance"]) for s in sets)
            + f" | {f(r['partial_ratio'], 1)} / " + " / ".join(f(b[s]["partial_ratio"], 1) for s in sets)
            + f" | {f(r['jitter'])} / {f(b['reconstruction']['jitter'])}"
            + f" | {f(r['level_3ms_db'], 1)} / {f(b['reconstruction']['level_3ms_db'], 1)} / "
            + f"{f(b['samples']['level_3ms_db'], 1)}"
            + f" | {f(r['t20_s'])} / {f(b['reconstruction']['t20_s'])} / {f(b['samples']['t20_s'])}"
            + f" | {f(r['t60_s'])} / {f(b['reconstruction']['t60_s'])} / {f(b['samples']['t60_s'])} |")
    extra = []
    if "kick_t20_relative_error" in table:
        k = table["kick_t20_relative_error"]
        extra.append(f"- kick time to -20 dB, reconstruction vs original: median error {k['median']:.0%}, "
                     f"max {k['max']:.0%} ({k['n']} kicks)")
    if "tonal_pitch_error_semitones" in table:
        p = table["tonal_pitch_error_semitones"]
        extra.append(f"- kicks and toms, distance of the fundamental from the original's: ceiling median "
                     f"{p['ceiling']['median']:.1f} semitones ({p['ceiling']['over_1']} of {p['n']} more than "
                     f"one off), reconstruction {p['reconstruction']['median']:.1f} "
                     f"({p['reconstruction']['over_1']} of {p['n']})")
    if "sampled_crash_t60_s" in table:
        c = table["sampled_crash_t60_s"]
        extra.append(f"- sampled crashes ring to -60 dB for {c['median']:.2f} s (median; 10th percentile "
                     f"{c['p10']:.2f} s; {c['n']} samples)")
    return "\n".join([*lines, "", *extra]) + "\n"
