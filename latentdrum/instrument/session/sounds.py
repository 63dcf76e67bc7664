"""The kit's one-shots, decoded lazily and cached, in two qualities.

- ``draft``: one row per voice, in one batched decode (the fastest playable form: a knob change
  is playable after a single-row decode);
- ``full``: the coupling's intensity layers x variations (velocity -> timbre, round robin).

Both are cached by a key of everything the sound depends on, so moving back to a kit point costs
nothing. Kits are immutable, so a decode in another thread reads a consistent kit.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

import numpy as np

from latentdrum.errors import ConfigError
from latentdrum.instrument.coupling import DRAFT, Coupling, decode_voices
from latentdrum.instrument.kit import Kit
from latentdrum.instrument.voice import VoiceSounds
from latentdrum.patterns.drummaps import NUM_VOICES

if TYPE_CHECKING:
    from latentdrum.spaces.sound import SoundSpace

CACHE_VOICES = 256  # cached (voice, quality) one-shot grids


def check_voice(voice: int) -> None:
    if not 0 <= voice < NUM_VOICES:
        raise ConfigError(f"voice must be 0..{NUM_VOICES - 1}, got {voice}")


class SoundCache:
    """Decodes and caches each voice's one-shots ``(L, R, N)`` for a kit and a coupling."""

    def __init__(self, sound: SoundSpace, coupling: Coupling) -> None:
        self.sound = sound
        self.coupling = coupling
        # One decode at a time per quality: a draft (a knob being turned) never waits behind a
        # full decode of layers and variations.
        self._decode_locks = {"draft": threading.Lock(), "full": threading.Lock()}
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def coupling_for(self, quality: str, dynamics: float, variation: float) -> Coupling:
        if quality == "draft":
            return DRAFT
        if quality != "full":
            raise ConfigError(f"quality must be draft or full, got {quality!r}")
        return dataclasses.replace(self.coupling, dynamics=dynamics, variation=variation)

    def key(self, kit: Kit, voice: int, coupling: Coupling, quality: str) -> str:
        """A short hash of everything voice ``voice``'s one-shots depend on (not its mix)."""
        kv = kit.voices[voice]
        c = coupling
        blob = json.dumps([self.sound.model_id, voice, kv.sound_class, kv.latent, kv.knobs, kv.transpose, quality,
                           c.effective_layers, c.effective_variations, c.dynamics, c.variation, c.seed, c.gla_iters,
                           c.max_seconds])
        return hashlib.sha1(blob.encode()).hexdigest()[:12]

    def get(self, kit: Kit, voices: list[int], coupling: Coupling, quality: str) -> dict[int, tuple[str, np.ndarray]]:
        """voice -> (key, ``(L, R, N)`` float32 one-shots); missing ones decoded in one batch."""
        for v in voices:
            check_voice(v)
        keys = {v: self.key(kit, v, coupling, quality) for v in voices}
        with self._decode_locks[quality]:
            with self._lock:
                out = {v: (keys[v], self._cache[keys[v]]) for v in voices if keys[v] in self._cache}
            missing = [v for v in voices if v not in out]
            if missing:
                decoded = decode_voices(self.sound, kit, coupling, missing)
                for v, audio in decoded.items():
                    out[v] = (keys[v], VoiceSounds(audio).audio)  # trimmed of silent tails
        with self._lock:
            for v in voices:
                self._cache[keys[v]] = out[v][1]
                self._cache.move_to_end(keys[v])
            while len(self._cache) > CACHE_VOICES:
                self._cache.popitem(last=False)
        return out
