"""How much of humanize's timing error a quantized score could ever explain.

    python scripts/humanize_oracle.py --data ../shared/data/groove [--model CKPT] [--split validation]

Prints, on the split's windows, the timing MAE (ms) of: the no-offset baseline; the humanize
model; the model plus each window's own median residual (the drummer's feel in that window, which
only an oracle knows); the model plus each voice's median residual in the window; and how well a
linear fit on tempo, style and hit counts predicts that window feel (R^2 on the second half of the
windows, fitted on the first).
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import torch

from latentdrum.evaluation.groove import _predict, _style_rows
from latentdrum.patterns.dataset import build_pattern_dataset
from latentdrum.patterns.drummaps import NUM_VOICES
from latentdrum.patterns.transforms import quantize
from latentdrum.spaces.groove import GrooveSpace


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--model", default=None)
    ap.add_argument("--split", default="validation")
    args = ap.parse_args()
    torch.set_num_threads(1)
    space = GrooveSpace.load("humanize", args.model)
    ds = build_pattern_dataset(args.data, progress=False)
    idx = ds.indices(args.split)
    real, v = ds.windows[idx], NUM_VOICES
    hits, off = real[..., :v] > 0.5, real[..., 2 * v :]
    bpm = ds.bpm[idx].astype(np.float32)
    ms = (60_000.0 / bpm / 4)[:, None, None]
    pred = _predict(space, quantize(real)[..., :v].copy(), bpm, _style_rows(space, ds, idx))["o"]
    residual = np.where(hits, (off - pred) * ms, np.nan)  # (N, T, V) ms, NaN off the hits
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # voices that do not play in a window
        window = np.nanmedian(residual.reshape(len(idx), -1), axis=1)[:, None, None]
        voice = np.nan_to_num(np.nanmedian(residual, axis=1, keepdims=True))
    base = float(np.abs(off * ms)[hits].mean())
    rows = {"no offsets (baseline)": base, "humanize model": float(np.abs(residual[hits]).mean()),
            "model + the window's own feel (oracle)": float(np.abs(residual - window)[hits].mean()),
            "model + each voice's feel in the window (oracle)": float(np.abs(residual - voice)[hits].mean())}
    for name, mae in rows.items():
        print(f"{name:50s} {mae:6.2f} ms  {mae / base:.3f} of the baseline")
    feel = window[:, 0, 0]
    x = np.column_stack([np.log(bpm), real[..., :v].sum(axis=1), np.eye(len(ds.styles) + 1)[ds.style[idx] + 1]])
    half = len(feel) // 2
    coef = np.linalg.lstsq(x[:half], feel[:half], rcond=None)[0]
    r2 = 1.0 - np.mean((feel[half:] - x[half:] @ coef) ** 2) / np.var(feel[half:])
    print(f"window feel: median |shift| {np.median(np.abs(feel)):.1f} ms; predicted from tempo, style and "
          f"hit counts, R^2 {r2:.2f} on held-out windows")


if __name__ == "__main__":
    main()
