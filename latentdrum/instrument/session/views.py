"""What the page draws: JSON-able views of a pattern, a scene, a kit and the maps.

Numbers are rounded to what the page can show, so replies stay small; but the pattern's
velocities and offsets, which the page's engine plays exactly as the renderer does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from latentdrum.instrument.kit import KNOB_NAMES, Kit
from latentdrum.instrument.scene import Scene
from latentdrum.patterns.drummaps import VOICES
from latentdrum.patterns.pattern import Pattern

if TYPE_CHECKING:
    from latentdrum.spaces.rhythm import RhythmSpace
    from latentdrum.spaces.sound import SoundSpace


def _r(x: float, nd: int = 4) -> float:
    return round(float(x), nd)


def pattern_view(pattern: Pattern, pinned: bool, degenerate: bool = False) -> dict[str, Any]:
    """The grid, voice-major ``(V, T)``; ``pinned``: the pattern is the user's edit, not a decode;
    ``degenerate``: the settings give a nearly empty groove even after trying other draws."""
    p = pattern
    return {
        "degenerate": degenerate,
        "steps": p.steps,
        "hits": p.hits.T.astype(int).tolist(),
        # Exact (float32 as JSON doubles): the page's engine times and levels every hit as the renderer.
        "velocities": p.velocities.T.tolist(),
        "offsets": p.offsets.T.tolist(),
        "pinned": pinned,
    }


def puck_view(rhythm: RhythmSpace, scene: Scene, pattern: Pattern) -> list[float]:
    """Where the groove sits on the rhythm map (an edited pattern: where its encoding lies)."""
    first = pattern.slice_bars(0, rhythm.bars)  # the groove: a phrase's first window
    z = rhythm.encode([first], scene.style) if scene.pattern is not None else scene.steered(rhythm)[None]
    xy = rhythm.to_map(z)[0]
    return [_r(xy[0]), _r(xy[1])]


def rhythm_view(scene: Scene) -> dict[str, Any]:
    s = scene
    return {"style": s.style, "temperature": _r(s.temperature), "density": _r(s.rhythm_knobs.density),
            "complexity": _r(s.rhythm_knobs.complexity), "bars": s.bars, "fill_every": s.fill_every}


def transport_view(scene: Scene) -> dict[str, Any]:
    s = scene
    return {"bpm": _r(s.bpm, 2), "swing": _r(s.swing, 2), "dynamics": _r(s.dynamics), "variation": _r(s.variation)}


def rhythm_map_view(rhythm: RhythmSpace) -> dict[str, Any]:
    return {"points": np.round(rhythm.map_points, 3).tolist(), "styles": rhythm.map_styles.tolist(),
            "style_names": list(rhythm.styles)}


def corners_view(rhythm: RhythmSpace, corners: list[Scene], patterns: list[Pattern]) -> list[dict[str, Any]]:
    """Each corner scene: its map position, style and tempo, and its pattern's hits ``(V, T)`` as 0/1."""
    return [{"corner": i, "puck": [_r(v) for v in rhythm.to_map(c.steered(rhythm)[None])[0]],
             "style": c.style, "bpm": _r(c.bpm, 1), "hits": p.hits.T.astype(int).tolist()}
            for i, (c, p) in enumerate(zip(corners, patterns, strict=True))]


def voice_view(kit: Kit, voice: int, point: list[float], key: str, draft_key: str) -> dict[str, Any]:
    kv = kit.voices[voice]
    return {
        "voice": VOICES[voice], "sound_class": kv.sound_class,
        "knobs": {k: _r(kv.knobs[k]) for k in KNOB_NAMES},
        "transpose": _r(kv.transpose, 2), "gain_db": _r(kv.gain_db, 2), "pan": _r(kv.pan), "tune": _r(kv.tune, 2),
        "mute": kv.mute,
        "point": point, "key": key, "draft_key": draft_key,
    }


class SoundMaps:
    """Each class's 2D map of its training sounds, and where a latent lies on it (cached per class)."""

    def __init__(self, sound: SoundSpace) -> None:
        self.sound = sound
        self._points: dict[str, np.ndarray] = {}
        self._bases: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def points(self, cls: str) -> np.ndarray:
        """``(M, 2)`` map positions of the class's training sounds."""
        if cls not in self._points:
            self._points[cls] = self.sound.class_map(cls)[0]
        return self._points[cls]

    def position(self, cls: str, latent: tuple[float, ...]) -> list[float]:
        """The map position of ``latent`` (its projection onto the map's axes)."""
        a, b = self._basis(cls)
        xy = (np.asarray(latent) - a) @ b
        return [_r(xy[0]), _r(xy[1])]

    def _basis(self, cls: str) -> tuple[np.ndarray, np.ndarray]:
        """``(D,)`` origin and ``(D, 2)`` projection so ``(z - origin) @ proj`` is a map position."""
        if cls not in self._bases:
            origin = self.sound.map_to_latent(cls, [0.0, 0.0]).astype(np.float64)
            ax = np.stack([self.sound.map_to_latent(cls, e).astype(np.float64) - origin
                           for e in ([1.0, 0.0], [0.0, 1.0])])  # (2, D)
            self._bases[cls] = (origin, np.linalg.pinv(ax))
        return self._bases[cls]
