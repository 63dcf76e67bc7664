"""Small synthetic drum sounds written on the spot (tests must not depend on shared data)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf


def drum(kind: str, sr: int = 44100, seconds: float = 0.4, seed: int = 0) -> np.ndarray:
    """A ``(N,)`` float32 test one-shot: 'kick' a falling sine, 'snare' tone + noise, 'hat' bright noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(sr * seconds)) / sr
    if kind == "kick":
        f = 50 + 120 * np.exp(-t / 0.03)
        x = np.sin(2 * np.pi * np.cumsum(f) / sr) * np.exp(-t / 0.15)
    elif kind == "snare":
        x = 0.5 * np.sin(2 * np.pi * 190 * t) * np.exp(-t / 0.05) + 0.5 * rng.standard_normal(len(t)) * np.exp(-t / 0.1)
    else:
        noise = np.diff(rng.standard_normal(len(t) + 1))  # high-passed noise
        x = 0.4 * noise * np.exp(-t / 0.04)
    pad = np.zeros(int(0.01 * sr))  # a little silence before the onset
    return np.concatenate([pad, 0.8 * x]).astype(np.float32)


def write_kit(root: Path, kits: tuple[str, ...] = ("kitA", "kitB"), per_class: int = 2) -> Path:
    """Folders of WAV one-shots, classes from file names: ``root/kit/{kick,snare,hat}_NN.wav``."""
    for k, kit in enumerate(kits):
        (root / kit).mkdir(parents=True, exist_ok=True)
        for kind in ("kick", "snare", "hat"):
            for i in range(per_class):
                x = drum(kind, seconds=0.3 + 0.1 * i, seed=10 * k + i)
                sf.write(root / kit / f"{kind}_{i:02d}.wav", x, 44100, subtype="PCM_16")
    return root
