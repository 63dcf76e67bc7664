"""An audio drum loop -> an editable pattern (``latentdrum rhythm from-audio``).

Method: librosa finds the onsets, the tempo and the beat grid
(:func:`latentdrum.sounds.onsets.analyse_loop`); at every onset a small network
(:mod:`latentdrum.models.transcriber`, trained on renders of real Groove MIDI performances with
many kits) decides which of the 9 drums struck and how hard. Each hit goes on the 16th-note
step nearest its onset, measured from the first downbeat, and keeps its exact time as the
step's micro-timing offset, so the pattern plays back at the loop's own timing. Two hits of one
drum on one step keep the louder.
"""

from __future__ import annotations

import importlib.resources
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from latentdrum.errors import AudioError, CheckpointError
from latentdrum.models.transcriber import Transcriber, TranscriberConfig
from latentdrum.patterns.pattern import MAX_BPM, MAX_OFFSET, MIN_BPM, STEPS_PER_BAR, Pattern, check_bpm
from latentdrum.sounds.onsets import LoopAnalysis, analyse_loop


def bundled_transcriber_checkpoint() -> Path:
    return Path(str(importlib.resources.files("latentdrum") / "assets" / "transcriber.ckpt"))


@dataclass(frozen=True)
class Transcription:
    """``pattern`` starts at ``start`` seconds into the audio; ``hits`` lists every detected hit
    as ``(seconds into the audio, voice, velocity)``; ``analysis`` is what librosa heard."""

    pattern: Pattern
    start: float
    hits: list[tuple[float, int, float]]
    analysis: LoopAnalysis


class LoopTranscriber:
    """The onset-voice network, loaded from a checkpoint (the bundled one by default)."""

    def __init__(self, model: Transcriber, path: Path, metrics: dict[str, float]) -> None:
        self.model = model.eval()
        self.path = path
        self.metrics = metrics

    @classmethod
    def load(cls, path: str | Path | None = None) -> LoopTranscriber:
        from latentdrum.models.checkpoint import build_config, load_checkpoint

        path = Path(path) if path is not None else bundled_transcriber_checkpoint()
        ckpt = load_checkpoint(path, "transcriber")
        model = Transcriber(build_config(TranscriberConfig, ckpt.config, path))
        try:
            model.load_state_dict({k: v.float() for k, v in ckpt.state_dict.items()})
        except RuntimeError as exc:
            raise CheckpointError(f"{path} does not match its own config; retrain it with this latentdrum") from exc
        return cls(model, path, dict(ckpt.metrics))

    @torch.inference_mode()
    def voices(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Onset features ``(K, F)`` -> hits ``(K, V)`` bool and velocities ``(K, V)`` in [0, 1].

        The onsets are judged together, as one loop (each against the others). An onset where no
        drum reaches its threshold (a bleed, a resonance) gives no hit.
        """
        logits, vel = self.model(torch.from_numpy(features.astype(np.float32))[None])  # (1, K, V): one loop
        probs = torch.sigmoid(logits[0]).numpy()
        return probs >= self.model.thresholds().numpy(), vel[0].numpy()

    def transcribe(self, audio: np.ndarray, bpm: float | None = None, source: str = "the loop") -> Transcription:
        """A mono 44.1 kHz loop ``(N,)`` -> :class:`Transcription` (see the module docstring).

        Raises:
            AudioError: silent or too short audio, too few onsets, or no clear tempo without ``bpm``.
        """
        if bpm is not None:
            check_bpm(bpm, AudioError)
        a = analyse_loop(audio, bpm, source)
        hits, vel = self.voices(a.features)
        events = [(float(t), int(v), float(vel[k, v])) for k, t in enumerate(a.onsets) for v in np.nonzero(hits[k])[0]]
        if not events:
            raise AudioError(f"{source}: no drum hit was recognised in {len(a.onsets)} onsets; is it a drum loop?")
        step = 60.0 / a.bpm / 4
        start = a.downbeat
        while min(t for t, _, _ in events) - start < -0.5 * step:  # a lead-in: start a bar earlier
            start -= STEPS_PER_BAR * step
        pos = np.array([(t - start) / step for t, _, _ in events])
        idx = np.floor(pos + 0.5).astype(int)
        bars = max(1, math.ceil((int(idx.max()) + 1) / STEPS_PER_BAR))
        p = Pattern.empty(bars, float(np.clip(a.bpm, MIN_BPM, MAX_BPM)))
        for (_, voice, v), i, x in zip(events, idx, pos, strict=True):
            if p.hits[i, voice] == 0 or v > p.velocities[i, voice]:
                p.hits[i, voice], p.velocities[i, voice] = 1.0, max(v, 1 / 127)
                p.offsets[i, voice] = float(np.clip(x - i, -0.5, MAX_OFFSET))
        return Transcription(Pattern(p.hits, p.velocities, p.offsets, p.bpm), float(start), events, a)
