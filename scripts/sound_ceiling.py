"""The representation ceiling: real held-out one-shots -> a representation -> audio, no VAE.

For each candidate representation + synthesis, measures the realism metrics of
:mod:`latentdrum.evaluation.realism` against the originals (kits not in the bundled sound
model's ``train_kits``), and the synthesis time of a 1 s and a 3 s sound on one thread. Writes
a JSON, prints a table and saves spectrogram pictures (real vs candidates) of one kick, snare,
closed hat and crash.

    PYTHONPATH=. python scripts/sound_ceiling.py --out docs/sound-ceiling
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy: timings are per thread

import argparse
import csv
import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from latentdrum.errors import AudioError
from latentdrum.evaluation.realism import realism_table
from latentdrum.sounds import audio as A
from latentdrum.sounds import spectral as S
from latentdrum.sounds import synthesis

MAX_S = 3.0
CYMBALS = ("crash", "ride", "open_hat")
TONAL = ("kick", "low_tom", "mid_tom", "high_tom")


def aligned_one_shot(x: np.ndarray, max_s: float = MAX_S) -> np.ndarray:
    """As :func:`latentdrum.sounds.audio.prepare_one_shot` (onset at PRE_ROLL, loudness-normalised),
    but keeping the sound's own length up to ``max_s`` seconds (50 ms fade where it is cut)."""
    A.prepare_one_shot(x)  # raises AudioError for silent or too short sounds
    x = np.asarray(x, dtype=np.float64)
    x = x - x.mean()
    peak = np.max(np.abs(x))
    onset = int(np.nonzero(np.abs(x) >= peak * 0.1)[0][0])
    start = max(0, onset - A.PRE_ROLL)
    y = x[start:].astype(np.float32)
    pre = onset - start
    if pre > 0:
        y[:pre] *= (0.5 - 0.5 * np.cos(np.pi * (np.arange(pre) + 0.5) / pre)).astype(np.float32)
    n_max = int(max_s * A.SAMPLE_RATE)
    if len(y) > n_max:
        y = y[:n_max]
        n_fade = int(A.FADE_OUT * A.SAMPLE_RATE)
        y[-n_fade:] *= (0.5 + 0.5 * np.cos(np.pi * (np.arange(n_fade) + 0.5) / n_fade)).astype(np.float32)
    y = y * (A.db_to_amp(A.TARGET_RMS_DB) / max(A.max_window_rms(y), 1e-9))
    y_peak = float(np.max(np.abs(y)))
    if y_peak > A.db_to_amp(A.PEAK_DB):
        y = y * (A.db_to_amp(A.PEAK_DB) / y_peak)
    return y.astype(np.float32)


def load_heldout(samples: Path, ckpt: Path, all_kits: bool = False,
                 max_per_class: int | None = None) -> tuple[list[np.ndarray], list[str], list[str]]:
    """Sounds of the kits the bundled model did not train on: (audio list, classes, paths); with
    ``all_kits`` every kit, every ``n``-th file of a class so that at most ``max_per_class`` remain."""
    import torch

    train_kits = set(torch.load(ckpt, map_location="cpu", weights_only=False)["data_summary"]["train_kits"])
    sounds, classes, paths = [], [], []
    with open(samples / "labels.csv", newline="") as fh:
        rows = [r for r in csv.DictReader(fh)
                if all_kits or (r["path"].rsplit("/", 1)[0] if "/" in r["path"] else ".") not in train_kits]
    if max_per_class:
        by_class: dict[str, list[dict[str, str]]] = {}
        for r in rows:
            by_class.setdefault(r["class"], []).append(r)
        rows = [r for rs in by_class.values() for r in rs[:: max(1, -(-len(rs) // max_per_class))]]
    for row in rows:
        try:
            sounds.append(aligned_one_shot(A.load_audio(samples / row["path"])))
        except AudioError as exc:
            print(f"skipped {row['path']}: {exc}")
            continue
        classes.append(row["class"])
        paths.append(row["path"])
    return sounds, classes, paths


# ------------------------------------------------------------------------------------ candidates

def _mel(f: np.ndarray) -> np.ndarray:
    return 2595.0 * np.log10(1.0 + np.asarray(f, dtype=np.float64) / 700.0)


def _imel(m: np.ndarray) -> np.ndarray:
    return 700.0 * (10.0 ** (np.asarray(m) / 2595.0) - 1.0)


def band_matrices(n_bands: int, n_fft: int = S.N_FFT) -> tuple[np.ndarray, np.ndarray]:
    """Mel-spaced triangular bands as in :mod:`latentdrum.sounds.spectral`, for any band count:
    ``(F, bins)`` analysis (each band the mean |STFT| of its bins; a band narrower than a bin takes
    the nearest bin) and ``(bins, F)`` synthesis (linear interpolation between band centres)."""
    n_bins = n_fft // 2 + 1
    hz = np.arange(n_bins) * A.SAMPLE_RATE / n_fft
    edges = _imel(np.linspace(_mel(20.0), _mel(A.SAMPLE_RATE / 2), n_bands + 2))
    w = np.maximum(0.0, np.minimum((hz - edges[:-2, None]) / (edges[1:-1, None] - edges[:-2, None]),
                                   (edges[2:, None] - hz) / (edges[2:, None] - edges[1:-1, None])))
    empty = w.sum(axis=1) == 0
    w[np.nonzero(empty)[0], np.argmin(np.abs(hz[None, :] - edges[1:-1, None]), axis=1)[empty]] = 1.0
    w /= w.sum(axis=1, keepdims=True)
    pos = np.interp(_mel(hz), _mel(edges[1:-1]), np.arange(n_bands))
    lo = np.clip(np.floor(pos).astype(int), 0, n_bands - 1)
    hi = np.minimum(lo + 1, n_bands - 1)
    frac = pos - lo
    m = np.zeros((n_bins, n_bands))
    np.add.at(m, (np.arange(n_bins), lo), 1.0 - frac)
    np.add.at(m, (np.arange(n_bins), hi), frac)
    return w.astype(np.float32), m.astype(np.float32)


def _mag(x: np.ndarray) -> np.ndarray:
    return np.abs(S.stft(x[None]))  # (1, T, F)


def _random_phase(mag: np.ndarray) -> np.ndarray:
    return (2 * np.pi * np.random.default_rng(1234).random(mag.shape)).astype(np.float32)


def baseline(x: np.ndarray) -> np.ndarray:
    """The first engine: the first 1 s (cut and faded as it prepared sounds), 80 mel bands, random
    phase and 4 Griffin-Lim iterations."""
    one = fit_length(x, A.SAMPLE_RATE)
    n_fade = int(A.FADE_OUT * A.SAMPLE_RATE)
    if len(x) > A.SAMPLE_RATE:
        one[-n_fade:] *= np.linspace(1.0, 0.0, n_fade, dtype=np.float32)
    ana, syn = band_matrices(80)
    mag = (_mag(one) @ ana.T) @ syn.T
    return S.griffin_lim(mag, _random_phase(mag), 4)[0]


def full_magnitude(iters: int, locked: bool) -> Callable[[np.ndarray], np.ndarray]:
    def run(x: np.ndarray) -> np.ndarray:
        mag = _mag(x)
        if locked:
            return S.griffin_lim(mag, synthesis.peak_locked_phase(mag), iters)[0]
        return S.griffin_lim(mag, _random_phase(mag), iters)[0]
    return run


def banded(n_bands: int, iters: int) -> Callable[[np.ndarray], np.ndarray]:
    ana, syn = band_matrices(n_bands)

    def run(x: np.ndarray) -> np.ndarray:
        mag = (_mag(x) @ ana.T) @ syn.T
        return S.griffin_lim(mag, synthesis.peak_locked_phase(mag), iters)[0]
    return run


def candidates() -> dict[str, Callable[[np.ndarray], np.ndarray]]:
    c: dict[str, Callable[[np.ndarray], np.ndarray]] = {"a_80b_rand_gl4_1s": baseline}
    for it in (4, 32):
        c[f"b_full_rand_gl{it}"] = full_magnitude(it, locked=False)
    for it in (0, 1, 2, 4, 8):
        c[f"c_full_engine_gl{it}"] = full_magnitude(it, locked=True)
    for nb in (80, 256):
        c[f"d_{nb}b_engine_gl4"] = banded(nb, 4)
    return c


def fit_length(y: np.ndarray, n: int) -> np.ndarray:
    return y[:n] if len(y) >= n else np.pad(y, (0, n - len(y)))


def time_one(fn: Callable[[np.ndarray], np.ndarray], x: np.ndarray, reps: int = 5) -> float:
    """Median seconds of ``fn(x)`` on one thread."""
    fn(x)
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn(x)
        out.append(time.perf_counter() - t0)
    return float(np.median(out))


def spectrogram_png(path: Path, title: str, rows: dict[str, np.ndarray]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n_fft, hop = 2048, 256
    fig, axes = plt.subplots(len(rows), 1, figsize=(9, 2.1 * len(rows)), sharex=True, squeeze=False)
    hz = np.arange(n_fft // 2 + 1) * A.SAMPLE_RATE / n_fft
    for ax, (name, y) in zip(axes[:, 0], rows.items(), strict=True):
        y = np.pad(y, (n_fft // 2, n_fft))
        fr = np.lib.stride_tricks.sliding_window_view(y, n_fft)[::hop] * np.hanning(n_fft)
        s = 20 * np.log10(np.abs(np.fft.rfft(fr, axis=-1)) + 1e-7)
        s -= s.max()
        t = np.arange(s.shape[0]) * hop / A.SAMPLE_RATE
        ax.pcolormesh(t, hz[1:], s[:, 1:].T, vmin=-90, vmax=0, cmap="magma", shading="auto")
        ax.set_yscale("log")
        ax.set_ylim(30, A.SAMPLE_RATE / 2)
        ax.set_ylabel("Hz")
        ax.set_title(name, fontsize=9, loc="left")
    axes[-1, 0].set_xlabel("s")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    root = Path(__file__).resolve().parents[1]
    ap.add_argument("--samples", type=Path, default=root / ".." / "shared" / "data" / "samples")
    ap.add_argument("--ckpt", type=Path, default=root / "latentdrum" / "assets" / "sound.ckpt")
    ap.add_argument("--out", type=Path, default=Path("docs/sound-ceiling"))
    ap.add_argument("--only", nargs="*", help="candidate names to run (default all)")
    ap.add_argument("--all-kits", action="store_true", help="also the training kits (the ceiling has no training)")
    ap.add_argument("--max-per-class", type=int, default=None, help="every n-th file, at most this many a class")
    ap.add_argument("--no-plots", action="store_true")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    with threadpool_limits(1):
        real, classes, paths = load_heldout(args.samples, args.ckpt, args.all_kits, args.max_per_class)
        print(f"{len(real)} sounds, {len(set(classes))} classes, lengths {min(map(len, real)) / A.SAMPLE_RATE:.2f}-"
              f"{max(map(len, real)) / A.SAMPLE_RATE:.2f} s")
        cands = candidates()
        if args.only:
            cands = {k: v for k, v in cands.items() if k in args.only}
        crash = next(x for x, c in zip(real, classes, strict=True) if c == "crash" and len(x) >= 1.2 * A.SAMPLE_RATE)
        crash3 = fit_length(crash, int(3 * A.SAMPLE_RATE))
        others, timing = {}, {}
        for name, fn in cands.items():
            t0 = time.perf_counter()
            others[name] = [fit_length(fn(x), len(x)) for x in real]
            t1s = time_one(fn, crash3[:A.SAMPLE_RATE])
            t3s = None if name.startswith("a_") else time_one(fn, crash3, reps=3)
            timing[name] = {"ms_1s": 1000 * t1s, "ms_3s": None if t3s is None else 1000 * t3s}
            print(f"{name}: {time.perf_counter() - t0:.1f} s total, {1000 * t1s:.1f} ms per 1 s sound")
        table = realism_table(real, others, classes)

    result = {"n_sounds": len(real), "paths": paths, "classes": classes, "timing": timing, "table": table}
    (args.out / "ceiling.json").write_text(json.dumps(result, indent=1))
    print_table(table, timing, list(cands))

    if not args.no_plots:
        picks = {}
        for want in ("kick", "snare", "closed_hat", "crash"):
            idx = [i for i, c in enumerate(classes) if c == want]
            if idx:
                picks[want] = max(idx, key=lambda i: len(real[i])) if want == "crash" else idx[0]
        show = [k for k in ("a_80b_rand_gl4_1s", "b_full_rand_gl32", "c_full_pl_gl0", "c_full_pl_gl4",
                            "d_256b_pl_gl4", "d_80b_pl_gl4") if k in others]
        for want, i in picks.items():
            spectrogram_png(args.out / f"{want}.png", f"{want}: {paths[i]}",
                            {"real": real[i], **{k: others[k][i] for k in show}})


def print_table(table: dict, timing: dict, names: list[str]) -> None:
    ov = table["overall"]
    cls = table["classes"]

    def med(c: str, name: str, key: str) -> str:
        if c not in cls:
            return "-"
        v = cls[c][name][key]
        return "-" if v is None else f"{v:.2f}"

    def ratio_rel(name: str) -> str:
        vals = [cls[c][name]["partial_ratio"] / cls[c]["real"]["partial_ratio"] for c in CYMBALS if c in cls]
        return f"{np.mean(vals):.2f}"

    head = (f"{'candidate':22s} {'dist':>5s} {'kick':>5s} {'snare':>5s} {'chat':>5s} {'cym':>5s} | "
            f"{'PR crash':>8s} {'ride':>5s} {'ohat':>5s} {'PR/real':>7s} | {'jit':>5s} | "
            f"{'kick3ms':>7s} {'kt20':>5s} {'ct60':>5s} | {'ms1s':>6s} {'ms3s':>6s}")
    print(head)
    print("-" * len(head))

    def tonal_jit(name: str) -> str:
        vals = [cls[c][name]["jitter"] for c in TONAL if c in cls and cls[c][name]["jitter"] is not None]
        return f"{np.mean(vals):5.3f}" if vals else "    -"

    def dist(name: str, c: str) -> str:
        return f"{cls[c][name]['paired_distance']:.2f}" if c in cls else "-"

    def cym(name: str) -> str:
        n = sum(cls[c]["n"] for c in CYMBALS if c in cls)
        return f"{sum(cls[c][name]['paired_distance'] * cls[c]['n'] for c in CYMBALS if c in cls) / n:.2f}"

    print(f"{'real':22s} {'':>5s} {'':>5s} {'':>5s} {'':>5s} {'':>5s} | {med('crash', 'real', 'partial_ratio'):>8s} "
          f"{med('ride', 'real', 'partial_ratio'):>5s} {med('open_hat', 'real', 'partial_ratio'):>5s} {'1.00':>7s} | "
          f"{tonal_jit('real')} | {med('kick', 'real', 'level_3ms_db'):>7s} {med('kick', 'real', 't20_s'):>5s} "
          f"{med('crash', 'real', 't60_s'):>5s} |")
    for n in names:
        t = timing[n]
        ms3 = "-" if t["ms_3s"] is None else f"{t['ms_3s']:.1f}"
        print(f"{n:22s} {ov[n]['paired_distance']:5.2f} {dist(n, 'kick'):>5s} {dist(n, 'snare'):>5s} "
              f"{dist(n, 'closed_hat'):>5s} {cym(n):>5s} | {med('crash', n, 'partial_ratio'):>8s} "
              f"{med('ride', n, 'partial_ratio'):>5s} {med('open_hat', n, 'partial_ratio'):>5s} {ratio_rel(n):>7s} | "
              f"{tonal_jit(n)} | {med('kick', n, 'level_3ms_db'):>7s} {med('kick', n, 't20_s'):>5s} "
              f"{med('crash', n, 't60_s'):>5s} | {t['ms_1s']:6.1f} {ms3:>6s}")
    print("\ndist: paired feature distance in units of the class's between-file spread (overall, per class; "
          "cym = crash+ride+open_hat); PR: partial ratio median; "
          "jit: partial jitter (rad/hop), mean of the kick and tom medians; "
          "kick3ms: kick level 3 ms after onset (dB re peak); kt20: kick t-20 (s); ct60: crash t-60 (s); "
          "ms: synthesis per 1 s / 3 s sound, one thread")


if __name__ == "__main__":
    main()
