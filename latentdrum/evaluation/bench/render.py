"""Speed of the audio engine: a 2-bar loop at 120 BPM (4 s of audio) from ready one-shots.

The issue's target is <= 40 ms on one core (>= 100x real time). :func:`run` times
:func:`~latentdrum.instrument.render.render` on

- a real Groove MIDI Dataset performance (validation split, 2 bars) when the shared data is
  present, else a synthetic groove, and
- a busy synthetic pattern that strikes all 9 voices (8th-note hats, a ride on quarters,
  a crash, a tom fill),

with 9 voices of 5 intensity layers x 3 round-robin variations. The one-shots are a real
acoustic kit with 5 recorded velocity layers (AVL Drumkits, from ``shared/data/samples``),
cut to at most :data:`MAX_ONE_SHOT_SECONDS` as the sound model's one-shots are; without the
data, decaying noise bursts of the same lengths stand in.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

from latentdrum.evaluation.bench.timing import time_calls
from latentdrum.instrument.render import RenderSettings, render
from latentdrum.instrument.voice import VoiceSounds
from latentdrum.patterns.drummaps import NUM_VOICES, VOICES
from latentdrum.patterns.pattern import Pattern
from latentdrum.sounds.audio import SAMPLE_RATE

MAX_ONE_SHOT_SECONDS = 2.0
LAYERS, VARIATIONS = 5, 3
REPEATS = 20

# One AVL Drumkits instrument per voice, each recorded at 5 velocities (file suffix -1 .. -5).
AVL_KIT = (
    "36-Ludwig26Kick",
    "38-PearlSnare",
    "42-SabianRockHatClosed",
    "46-SabianRockHatSemiOpen",
    "41-Ludwig16FloorTom",
    "45-Ludwig14Tom",
    "61-RotoTomHi",
    "49-ZildjianA20Crash",
    "51-ZildjianA24Ride",
)


def shared_data_dir() -> Path:
    """``$LATENTDRUM_SHARED_DATA``, else ``../shared/data`` beside the checkout."""
    default = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
    return Path(os.environ.get("LATENTDRUM_SHARED_DATA", default))


def read_mono(path: Path, max_seconds: float | None = None) -> np.ndarray:
    """A sound file as ``(N,)`` float32 mono at 44.1 kHz (channels averaged, resampled if needed)."""
    audio, rate = sf.read(str(path), dtype="float32", always_2d=True)
    mono = audio.mean(axis=1)
    if rate != SAMPLE_RATE:
        mono = resample_poly(mono, SAMPLE_RATE, rate).astype(np.float32)
    if max_seconds is not None:
        mono = mono[: round(max_seconds * SAMPLE_RATE)]
    return np.ascontiguousarray(mono, dtype=np.float32)


def real_layers(samples_dir: Path, voice: int, max_seconds: float | None = MAX_ONE_SHOT_SECONDS) -> np.ndarray:
    """``(5, N)`` float32: the 5 recorded velocity layers of :data:`AVL_KIT`'s sound for ``voice``."""
    stem = samples_dir / "oramics" / "avl-drumkits" / AVL_KIT[voice]
    layers = [read_mono(Path(f"{stem}-{i}.wav"), max_seconds) for i in range(1, 6)]
    n = max(len(x) for x in layers)
    return np.stack([np.pad(x, (0, n - len(x))) for x in layers])


def _with_variations(layers: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``(L, N)`` -> ``(L, R, N)``: variation 0 is the sound, others a slightly re-balanced copy."""
    out = [layers]
    for _ in range(VARIATIONS - 1):
        tilt = 1.0 + 0.05 * rng.standard_normal()
        bright = np.concatenate([layers[:, :1], np.diff(layers, axis=1)], axis=1)
        out.append(layers * tilt + 0.05 * bright)
    return np.stack(out, axis=1).astype(np.float32)


def _synthetic_layers(voice: int, rng: np.random.Generator) -> np.ndarray:
    """``(5, N)`` decaying noise bursts, brighter for harder layers, as long as real sounds of the voice."""
    seconds = (0.5, 0.5, 0.3, 1.0, 1.0, 0.8, 0.6, 2.0, 2.0)[voice]
    n = round(seconds * SAMPLE_RATE)
    env = np.exp(-np.arange(n) / (0.25 * n))
    noise = rng.standard_normal(n)
    smooth = np.convolve(noise, np.ones(8) / 8, mode="same")
    return np.stack([env * (smooth + (i / 4) * (noise - smooth)) for i in range(LAYERS)]).astype(np.float32)


def bench_voices(samples_dir: Path | None = None, seed: int = 0) -> tuple[list[VoiceSounds], str]:
    """9 voices of ``(5, 3, N)`` one-shots, and where they came from."""
    rng = np.random.default_rng(seed)
    samples_dir = samples_dir or shared_data_dir() / "samples"
    real = all((samples_dir / "oramics" / "avl-drumkits" / f"{s}-1.wav").is_file() for s in AVL_KIT)
    voices = []
    for v in range(NUM_VOICES):
        layers = real_layers(samples_dir, v) if real else _synthetic_layers(v, rng)
        voices.append(VoiceSounds(_with_variations(layers, rng)))
    return voices, ("AVL Drumkits (real, 5 velocity layers)" if real else "synthetic noise bursts")


def busy_pattern(bpm: float = 120.0) -> Pattern:
    """2 bars striking all 9 voices: 8th hats (open on the last), kick, snare, ride, crash, tom fill."""
    p = Pattern.empty(2, bpm)
    idx = {name: i for i, name in enumerate(VOICES)}
    for step in range(32):
        hat = idx["open_hat"] if step % 16 == 14 else idx["closed_hat"]
        if step % 2 == 0:
            p.hits[step, hat], p.velocities[step, hat] = 1, 0.6 + 0.3 * (step % 4 == 0)
        if step % 4 == 0:
            p.hits[step, idx["ride"]], p.velocities[step, idx["ride"]] = 1, 0.7
    for step, voice, vel in (
        (0, "kick", 1.0),
        (6, "kick", 0.8),
        (10, "kick", 0.9),
        (16, "kick", 1.0),
        (22, "kick", 0.8),
    ):
        p.hits[step, idx[voice]], p.velocities[step, idx[voice]] = 1, vel
    for step in (4, 12, 20):
        p.hits[step, idx["snare"]], p.velocities[step, idx["snare"]] = 1, 0.95
    p.hits[0, idx["crash"]], p.velocities[0, idx["crash"]] = 1, 1.0
    for step, voice in ((26, "high_tom"), (27, "high_tom"), (28, "mid_tom"), (29, "mid_tom"), (30, "low_tom")):
        p.hits[step, idx[voice]], p.velocities[step, idx[voice]] = 1, 0.85
    p.offsets[p.hits > 0] = np.random.default_rng(1).uniform(-0.1, 0.1, int(p.hits.sum()))
    return Pattern(p.hits, p.velocities, p.offsets, bpm)


def groove_pattern(bpm: float = 120.0) -> tuple[Pattern, str]:
    """The first 2 bars of a real validation-split GMD performance, or the busy pattern without the data."""
    from latentdrum.patterns.midi import read_midi

    groove = shared_data_dir() / "groove"
    info = groove / "info.csv"
    if info.is_file():
        import csv

        with info.open() as fh:
            for row in csv.DictReader(fh):
                if row["split"] == "validation" and row["beat_type"] == "beat":
                    drums = read_midi(groove / row["midi_filename"], drum_map="roland")
                    if drums.pattern.bars >= 2:
                        return drums.pattern.slice_bars(0, 2).with_bpm(bpm), row["midi_filename"]
    return busy_pattern(bpm), "synthetic busy pattern"


def _time_ms(fn: Callable[..., object], repeats: int) -> dict[str, float]:
    t = time_calls(lambda _: fn(), repeats)  # one warm-up call: tuning cache, allocator
    return {"median_ms": t.median(), "min_ms": t.min()}


def run(repeats: int = REPEATS) -> dict[str, Any]:
    """Time rendering 2-bar loops at 120 BPM; returns JSON-able numbers (ms, real-time factor)."""
    voices, sounds_from = bench_voices()
    groove, groove_from = groove_pattern()
    busy = busy_pattern()
    audio_seconds = 2 * 16 * 15.0 / 120.0
    result: dict[str, Any] = {
        "audio_seconds": audio_seconds,
        "one_shots": sounds_from,
        "one_shot_shape": f"9 voices x ({LAYERS} layers, {VARIATIONS} variations, <= {MAX_ONE_SHOT_SECONDS:.1f} s)",
        "target_ms": 40.0,
    }
    cases = {
        "groove": (groove, RenderSettings(bpm=120.0)),
        "busy_all_voices": (busy, RenderSettings(bpm=120.0)),
        "busy_swing_humanize_4_loops": (busy, RenderSettings(bpm=120.0, swing=60.0, humanize_ms=3.0, loops=4)),
    }
    for name, (pattern, settings) in cases.items():
        timing = _time_ms(lambda p=pattern, s=settings: render(p, voices, s), repeats)
        seconds = audio_seconds * settings.loops
        result[name] = {
            **timing,
            "hits": pattern.num_hits * settings.loops,
            "realtime_factor": round(seconds * 1e3 / timing["median_ms"], 1),
        }
    result["groove_source"] = groove_from
    result["meets_target"] = bool(
        result["groove"]["median_ms"] <= 40.0 and result["busy_all_voices"]["median_ms"] <= 40.0
    )
    return result


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
