"""Stems: one stereo WAV per voice, aligned to the mix and gain-staged like it, plus the mix.

Each stem is its voice exactly as it sits in the mix: the same hits, layers, variations and chokes
(a hi-hat stem keeps the cuts the other hat made), panned, at its gain and the master gain, and
multiplied by the *mix's* limiter gain (the limiter listens to the whole mix; a stem limited on its
own would not add up). Every stem has the mix's length and starts at its first sample, so the
stems laid side by side in a DAW at bar 1 sum to the mix: within float rounding (about 1e-7),
and within the 24-bit quantisation of each file (half an LSB each) once written.

The mix never exceeds the limiter's ceiling, but one stem can (two voices partly cancelling in the
mix): such a stem is written as a 32-bit float WAV rather than clipped, so the sum still holds.

Rendering a stem replays one voice of the prepared render, so stems cost about one more render,
and only one stem is held in memory at a time.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

from latentdrum.instrument.render import RenderPlan, RenderSettings, plan, render_with_gain
from latentdrum.instrument.voice import VoiceSounds
from latentdrum.patterns.drummaps import VOICES
from latentdrum.patterns.pattern import Pattern


@dataclass
class StemRender:
    """A rendered mix and the means to render each of its voices alone (see the module docstring)."""

    mix: np.ndarray  # (N, 2) float32
    plan: RenderPlan
    gain: np.ndarray | None  # (N,) the mix's limiter gain, None where the limiter did nothing

    @property
    def sample_rate(self) -> int:
        return self.plan.sample_rate

    @property
    def voices(self) -> list[int]:
        """The voices that sound in the mix (struck at least once, not muted), in voice order."""
        return sorted(self.plan.hits)

    def stem(self, voice: int) -> np.ndarray:
        """``(N, 2)`` float32: voice ``voice`` as it is in the mix (zeros for a silent voice)."""
        p = self.plan
        out = np.zeros((p.length, 2), dtype=np.float32)
        mono = np.empty(p.length, dtype=np.float32)
        span = p.mix_voice(voice, mono, np.empty(p.longest, dtype=np.float32))
        if span is None:
            return out
        lo, hi = span
        for c, g in enumerate(p.voice_gains(voice)):
            if g:
                out[lo:hi, c] = mono[lo:hi] * np.float32(g)
        if self.gain is not None:
            out *= self.gain[:, None]
        return out

    def stems(self) -> Iterator[tuple[int, np.ndarray]]:
        """``(voice, (N, 2) stem)`` for each voice that sounds, one at a time."""
        for v in self.voices:
            yield v, self.stem(v)


def render_stems(
    pattern: Pattern, voices: Sequence[VoiceSounds | None], settings: RenderSettings | None = None
) -> StemRender:
    """Render the mix of ``pattern`` (as :func:`~latentdrum.instrument.render.render`) with its stems."""
    p = plan(pattern, voices, settings)
    mix, gain = render_with_gain(p)
    return StemRender(mix, p, gain)


def stem_name(voice: int) -> str:
    """File name of a voice's stem: ``01-kick.wav`` .. ``09-ride.wav`` (sorted as the kit is)."""
    return f"{voice + 1:02d}-{VOICES[voice].replace('_', '-')}.wav"


def write_stems(out_dir: str | Path, stems: StemRender, prefix: str = "") -> list[Path]:
    """Write ``mix.wav`` and one WAV per sounding voice (the render's rate) into ``out_dir``.

    24-bit PCM, or 32-bit float for a stem that peaks above full scale (see the module docstring).
    ``prefix`` (letters, digits, ``-_.``) starts every file name. Returns the paths, mix first.
    """
    prefix = re.sub(r"[^A-Za-z0-9_.-]", "_", prefix)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [_write(out / f"{prefix}mix.wav", stems.mix, stems.sample_rate)]
    for v, audio in stems.stems():
        paths.append(_write(out / f"{prefix}{stem_name(v)}", audio, stems.sample_rate))
    return paths


def wav_file_bytes(audio: np.ndarray, sample_rate: int) -> bytes:
    """``(N, 2)`` audio as WAV bytes: 24-bit PCM, or 32-bit float when it peaks above full scale."""
    buf = io.BytesIO()
    _write(buf, audio, sample_rate)
    return buf.getvalue()


def _write(target: Path | io.BytesIO, audio: np.ndarray, sample_rate: int) -> Any:
    subtype = "FLOAT" if float(np.abs(audio).max(initial=0.0)) > 1.0 else "PCM_24"
    sf.write(target if isinstance(target, io.BytesIO) else str(target), audio, sample_rate, subtype=subtype,
             format="WAV")
    return target
