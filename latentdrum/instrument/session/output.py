"""What leaves the session: the current kit's one-shots, the rendered loop, and the downloads.

:class:`SessionOutput` is the part of :class:`~latentdrum.instrument.session.Session` that turns
the current scene into sound and files: the kit's one-shots (cached by :mod:`.sounds`, in a draft
and a full quality), the loop rendered with the scene's tempo, swing and chokes, and the files the
page offers (kit and scene JSON, MIDI clip, groove template, WAV, stems; built by :mod:`.export`).
It reads the session's ``scene``, ``pattern`` and sound cache and changes nothing.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from latentdrum.instrument.coupling import Coupling
from latentdrum.instrument.kit import Kit
from latentdrum.instrument.render import RenderSettings, render
from latentdrum.instrument.scene import Scene
from latentdrum.instrument.session import export
from latentdrum.instrument.session.sounds import SoundCache
from latentdrum.instrument.stems import render_stems
from latentdrum.instrument.voice import VoiceSounds
from latentdrum.patterns.drummaps import NUM_VOICES
from latentdrum.patterns.pattern import Pattern


class SessionOutput:
    """The session's sounds, render and downloads (a base of :class:`Session`; see the module docstring)."""

    scene: Scene
    pattern: Pattern
    _sounds: SoundCache

    # --- sounds ------------------------------------------------------------------------------
    def _coupling_for(self, quality: str) -> Coupling:
        return self._sounds.coupling_for(quality, self.scene.dynamics, self.scene.variation)

    def voice_key(self, voice: int, quality: str = "full", kit: Kit | None = None) -> str:
        """A short hash of everything voice ``voice``'s one-shots depend on (not its mix)."""
        return self._sounds.key(kit or self.scene.kit, voice, self._coupling_for(quality), quality)

    def sounds(self, voices: list[int] | None = None, quality: str = "full") -> dict[int, tuple[str, np.ndarray]]:
        """voice -> (key, ``(L, R, N)`` float32 one-shots) of the current kit; missing ones decoded in one batch."""
        chosen = list(range(NUM_VOICES)) if voices is None else voices
        return self._sounds.get(self.scene.kit, chosen, self._coupling_for(quality), quality)

    def voice_sounds(self, quality: str = "full") -> list[VoiceSounds]:
        """The 9 voices ready for :func:`render` (mix settings of the current kit)."""
        kit = self.scene.kit
        audio = self.sounds(None, quality)
        return [kit.voices[v].sounds(audio[v][1]) for v in range(NUM_VOICES)]

    def render_settings(self, loops: int = 2, sample_rate: int = 44_100) -> RenderSettings:
        """How the current scene renders: its tempo, swing, coupling and chokes."""
        s = self.scene
        return RenderSettings(bpm=s.bpm, swing=s.swing, loops=loops, velocity_timbre=1.0,
                              variation=1.0 if s.variation > 0 else 0.0,
                              choke_groups=s.kit.choke_group_indices(), sample_rate=sample_rate)

    def render_loop(self, loops: int = 2, quality: str = "full", sample_rate: int = 44_100) -> np.ndarray:
        """``(N, 2)`` float32: the current pattern played by the current kit, ``loops`` times."""
        return render(self.pattern, self.voice_sounds(quality), self.render_settings(loops, sample_rate))

    # --- downloads -------------------------------------------------------------------------------
    def kit_json(self) -> dict[str, Any]:
        """The current kit as a kit document (``latentdrum-kit`` JSON)."""
        return self.scene.kit.to_json()

    def scene_json(self) -> dict[str, Any]:
        """The current scene as a scene document (``latentdrum-scene`` JSON)."""
        return self.scene.to_json()

    def midi_bytes(self, options: export.DownloadOptions | None = None) -> bytes:
        """The current pattern as a MIDI drum clip, as played (swing in the notes) or straight."""
        return export.midi_bytes(self.pattern, self.scene.swing, options)

    def groove_bytes(self, options: export.DownloadOptions | None = None) -> bytes:
        """The groove template of the current pattern at the current swing."""
        return export.groove_bytes(self.pattern, self.scene.swing)

    def wav_bytes(self, loops: int = 2, options: export.DownloadOptions | None = None) -> bytes:
        """The current pattern played by the current kit, ``loops`` times: a 24-bit stereo WAV."""
        rate = (options or export.DownloadOptions()).sample_rate
        return export.wav_bytes(self.render_loop(loops, sample_rate=rate), rate)

    def stems_zip(self, loops: int = 2, options: export.DownloadOptions | None = None) -> bytes:
        """The loop's mix, one WAV per voice and the MIDI clip, zipped (see :func:`export.stems_zip`)."""
        options = options or export.DownloadOptions()
        stems = render_stems(self.pattern, self.voice_sounds("full"), self.render_settings(loops, options.sample_rate))
        return export.stems_zip(stems, self.pattern, self.scene.swing, options, loops)
