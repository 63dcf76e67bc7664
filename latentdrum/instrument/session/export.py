"""The session's downloads as file bytes: a MIDI clip and a WAV loop."""

from __future__ import annotations

import io

import numpy as np
import soundfile as sf

from latentdrum.patterns.midi import pattern_to_midi
from latentdrum.patterns.pattern import Pattern
from latentdrum.sounds.audio import SAMPLE_RATE


def midi_bytes(pattern: Pattern) -> bytes:
    """``pattern`` as a standard MIDI drum clip (see :func:`pattern_to_midi`)."""
    buf = io.BytesIO()
    pattern_to_midi(pattern, name="latentdrum").save(file=buf)
    return buf.getvalue()


def wav_bytes(audio: np.ndarray) -> bytes:
    """``(N, 2)`` float audio -> a 24-bit 44.1 kHz stereo WAV file, clipped to [-1, 1]."""
    buf = io.BytesIO()
    sf.write(buf, np.clip(audio, -1.0, 1.0), SAMPLE_RATE, subtype="PCM_24", format="WAV")
    return buf.getvalue()
