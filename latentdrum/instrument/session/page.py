"""What the page draws: the session's JSON views of the pattern, the transport, the kit's sounds,
the maps and the Blend corners.

:class:`SessionPage` is the part of :class:`~latentdrum.instrument.session.Session` that reads
the current scene and answers in the page's terms (built by :mod:`.views`); it changes nothing
but the cache of the corners' decoded patterns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from latentdrum.instrument.rules import engine_rules
from latentdrum.instrument.scene import Scene
from latentdrum.instrument.session import views
from latentdrum.instrument.session.output import SessionOutput
from latentdrum.instrument.session.sounds import check_voice
from latentdrum.patterns.drummaps import NUM_VOICES
from latentdrum.patterns.grooves import is_degenerate
from latentdrum.patterns.pattern import Pattern

if TYPE_CHECKING:
    from latentdrum.spaces.rhythm import RhythmSpace


class SessionPage(SessionOutput):
    """The session's views for the page (a base of :class:`Session`; see the module docstring)."""

    rhythm: RhythmSpace
    corners: list[Scene]
    _maps: views.SoundMaps
    _corner_patterns: dict[int, tuple[Scene, Pattern]]

    def pattern_json(self) -> dict[str, Any]:
        s = self.scene
        pinned = s.pattern is not None
        stats = self.rhythm.groove_stats(s.style)
        thin = not pinned and bool(is_degenerate(self.pattern.hits[None], stats, s.rhythm_knobs.density)[0])
        return views.pattern_view(self.pattern, pinned, thin)

    def puck(self) -> list[float]:
        return views.puck_view(self.rhythm, self.scene, self.pattern)

    def rhythm_json(self) -> dict[str, Any]:
        return views.rhythm_view(self.scene)

    def transport_json(self) -> dict[str, Any]:
        return views.transport_view(self.scene)

    def sounds_json(self) -> dict[str, Any]:
        kit = self.scene.kit
        voices = [views.voice_view(kit, v, self.sound_point(v), self.voice_key(v, "full", kit),
                                   self.voice_key(v, "draft", kit)) for v in range(NUM_VOICES)]
        return {"voices": voices, "choke_groups": [list(g) for g in kit.choke_group_indices()],
                "engine": engine_rules(self.render_settings())}

    def sound_point(self, voice: int) -> list[float]:
        """Where voice ``voice`` sits on its class's 2D map."""
        kv = self.scene.kit.voices[voice]
        return self._maps.position(kv.sound_class, kv.latent)

    def sound_map(self, voice: int) -> dict[str, Any]:
        """The class map of voice ``voice``: the training sounds' 2D points and the voice's point."""
        check_voice(voice)
        cls = self.scene.kit.voices[voice].sound_class
        return {"voice": voice, "sound_class": cls, "points": np.round(self._maps.points(cls), 3).tolist(),
                "point": self.sound_point(voice)}

    def rhythm_map(self) -> dict[str, Any]:
        return views.rhythm_map_view(self.rhythm)

    def corners_json(self) -> list[dict[str, Any]]:
        """Each corner: where it sits on the map, its style and tempo, and its pattern's hits (previews)."""
        patterns = []
        for i, corner in enumerate(self.corners):
            cached = self._corner_patterns.get(i)
            if cached is None or cached[0] is not corner:  # decoded once per stored corner
                cached = self._corner_patterns[i] = (corner, corner.decode_pattern(self.rhythm))
            patterns.append(cached[1])
        return views.corners_view(self.rhythm, self.corners, patterns)
