"""The state the UI drives: a current scene, four corner scenes, the pattern and its sounds.

Every method that changes something returns a plain JSON-able dict (what the page must redraw);
:meth:`Session.state` returns everything at once. The web layer talks to this class only.

Speed: a pad move or a knob on the rhythm decodes one pattern (a few ms); sounds are decoded
lazily when the page asks for them (:meth:`Session.sounds`, see :mod:`.sounds`), in a draft and
a full quality, and cached. Sounds, the rendered loop and the downloads: :mod:`.output`.

Undo (:mod:`.history`): each gesture (a drag, a knob turn, a dice roll; see :meth:`Session.gesture`)
pushes the previous scene once; a change that changes nothing pushes nothing. Persistence
(:mod:`.store`): with a ``state_path``, the current scene, the corners and the undo history are
written atomically after every change and read back at start.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from latentdrum.errors import ConfigError
from latentdrum.instrument.coupling import Coupling
from latentdrum.instrument.kit import KNOB_NAMES
from latentdrum.instrument.scene import DiceKind, Scene, blend4, new_scene, randomise
from latentdrum.instrument.session import views
from latentdrum.instrument.session.history import History
from latentdrum.instrument.session.page import SessionPage
from latentdrum.instrument.session.sounds import SoundCache, check_voice
from latentdrum.instrument.session.store import StateFile, default_state_path, state_text
from latentdrum.patterns.drummaps import NUM_VOICES, VOICES
from latentdrum.patterns.pattern import Pattern
from latentdrum.spaces.phrase import Phrase
from latentdrum.spaces.rhythm import RhythmKnobs

if TYPE_CHECKING:
    from latentdrum.spaces.rhythm import RhythmSpace
    from latentdrum.spaces.sound import SoundSpace

NEW_HIT_VELOCITY = 0.8
# The first groove a newcomer hears: a backbeat style at a moderate temperature (strong-groove
# checked, see instrument/scene.py); the first of these the model knows.
START_STYLES = ("rock", "funk", "pop", "hiphop")
START_TEMPERATURE = 0.6


class Session(SessionPage):
    """One player's instrument state; see the module docstring."""

    def __init__(
        self,
        rhythm: RhythmSpace,
        sound: SoundSpace,
        state_path: str | Path | None = None,
        seed: int | None = None,
        coupling: Coupling | None = None,
    ) -> None:
        self.rhythm = rhythm
        self.sound = sound
        self.rhythm_id = rhythm.model_id
        self.state_path = Path(state_path) if state_path is not None else None
        self.coupling = coupling or Coupling()
        self._lock = threading.RLock()  # scene changes
        self._sounds = SoundCache(sound, self.coupling)
        self._maps = views.SoundMaps(sound)
        self._history = History()
        self._gesture: int | None = None  # the gesture the change being applied belongs to
        self._corner_patterns: dict[int, tuple[Scene, Pattern]] = {}  # corner -> (scene, its pattern)
        self._store = (StateFile(self.state_path, self._document, self._lock)
                       if self.state_path is not None else None)
        self.rng = np.random.default_rng(seed)
        loaded = self._store.load(self.rhythm_id, sound.model_id) if self._store is not None else None
        self.restored = loaded is not None
        if loaded is None:
            style = next((s for s in START_STYLES if s in rhythm.styles), None)
            scene = new_scene(rhythm, sound, self._seed(), style=style, temperature=START_TEMPERATURE, bpm=100.0)
            corners = [scene] + [randomise(scene, rhythm, sound, "everything", 0.7, self._seed()) for _ in range(3)]
            loaded = (scene, corners, (0.0, 0.0), ([], []))
        self.scene, self.corners, self.blend_xy, (undo, redo) = loaded
        self._history.restore(undo, redo)
        self.pattern = self.scene.decode_pattern(rhythm)
        self._save_state()

    def _seed(self) -> int:
        return int(self.rng.integers(2**31))

    # --- persistence ----------------------------------------------------------------------------
    def _document(self) -> str:
        return state_text(self.scene, self.corners, self.blend_xy, self._history.json_text())

    def _save_state(self) -> None:
        if self._store is not None:
            self._store.save()

    def state_notice(self) -> str | None:
        """A sentence for the player about the state file (moved aside, cannot be saved), or None."""
        return self._store.notice if self._store is not None else None

    def flush(self) -> None:
        """Write the current scene, corners and blend position to the state file (atomically)."""
        if self._store is not None:
            self._store.flush()

    # --- changing the scene ---------------------------------------------------------------------
    @contextlib.contextmanager
    def gesture(self, gesture: int | None) -> Iterator[None]:
        """Changes made inside belong to gesture number ``gesture`` (None: none): all the changes of
        one gesture are one undo step (see :mod:`.history`). Holds the session lock."""
        with self._lock:
            self._gesture = gesture
            try:
                yield
            finally:
                self._gesture = None

    def _apply(self, scene: Scene, op: str, pattern: Pattern | None = None) -> bool:
        """Make ``scene`` current, pushing undo unless the change continues the current gesture.
        A scene equal to the current one changes nothing and records nothing (returns False)."""
        if scene is self.scene or scene.to_json() == self.scene.to_json():
            return False
        self._history.record(self.scene, op, self._gesture)
        self.scene = scene
        self.pattern = pattern if pattern is not None else scene.decode_pattern(self.rhythm)
        self._save_state()
        return True

    def _pattern_reply(self) -> dict[str, Any]:
        return {"pattern": self.pattern_json(), "puck": self.puck(), "rhythm": self.rhythm_json()}

    def move(self, x: float, y: float) -> dict[str, Any]:
        """Put the puck at map position ``(x, y)``: the groove with that 2D map component."""
        with self._lock:
            s = self.scene
            steered = s.steered(self.rhythm)
            target = self.rhythm.from_map(np.array([x, y], dtype=np.float32), steered)
            z = target - (steered - s.z)  # keep the knobs' offset
            self._apply(s.replace(z=z.astype(np.float32), pattern=None), "move")
            return self._pattern_reply()

    def blend(self, x: float, y: float) -> dict[str, Any]:
        """Blend the four corner scenes at pad position ``(x, y)`` in [0, 1]^2 (groove and kit)."""
        with self._lock:
            scene = blend4(self.corners, x, y)
            self.blend_xy = (float(x), float(y))
            if not self._apply(scene, "blend"):
                self._save_state()  # the pad position is kept even where the blend is unchanged
            return self._pattern_reply() | self.sounds_json() | {"blend": list(self.blend_xy)}

    def set_rhythm(
        self,
        style: str | bool | None = False,
        temperature: float | None = None,
        density: float | None = None,
        complexity: float | None = None,
        bars: int | None = None,
        fill_every: int | None = None,
    ) -> dict[str, Any]:
        """Change style (``False`` = leave it; None = any style), temperature, the knobs or the phrase
        (``bars`` 1/2/4/8, a fill every ``fill_every`` bars, 0 = none).

        The current groove is re-decoded at once with the same latent point and seed: only the
        dice draw a new one. A hand-edited pattern is let go (the groove is decoded again).
        """
        with self._lock:
            s = self.scene
            if style is not False and style is not None and style not in self.rhythm.styles:
                raise ConfigError(f"unknown style {style!r}; this model knows {', '.join(self.rhythm.styles)}")
            bars = s.bars if bars is None else bars
            if fill_every is None:  # a shorter phrase keeps a fill in its last bar, if it can hold one
                fill_every = s.fill_every if s.fill_every <= bars else (bars if bars >= 2 else 0)
            Phrase(bars, fill_every)  # validates both
            knobs = RhythmKnobs(
                s.rhythm_knobs.density if density is None else density,
                s.rhythm_knobs.complexity if complexity is None else complexity,
            )
            changes: dict[str, Any] = {"rhythm_knobs": knobs, "pattern": None, "bars": bars, "fill_every": fill_every}
            if style is not False:
                changes["style"] = style
            if temperature is not None:
                changes["temperature"] = temperature
            self._apply(s.replace(**changes), "rhythm")
            return self._pattern_reply()

    def fill(self) -> dict[str, Any]:
        """The fill of the current groove, one bar, for the page to play once in the next bar
        (``{"fill": grid view of 16 steps}``); the scene does not change."""
        with self._lock:
            return {"fill": views.pattern_view(self.scene.decode_fill(self.rhythm), False)}

    def edit_cell(self, step: int, voice: int, velocity: float | None = None) -> dict[str, Any]:
        """Toggle a cell (``velocity`` None) or set its velocity (0 = remove the hit).

        The edited pattern is kept as the user made it, and the puck moves to where it lives:
        the scene's latent becomes the encoding of the edited model window (of a longer phrase,
        the window holding the edited step).
        """
        with self._lock:
            p = self.pattern
            if not 0 <= step < p.steps or not 0 <= voice < NUM_VOICES:
                raise ConfigError(f"cell ({step}, {voice}) is outside the {p.steps}x{NUM_VOICES} grid")
            hits, vel, off = p.hits.copy(), p.velocities.copy(), p.offsets.copy()
            if velocity is None:
                on = hits[step, voice] == 0
                hits[step, voice], vel[step, voice] = float(on), NEW_HIT_VELOCITY if on else 0.0
                off[step, voice] = 0.0
            else:
                if not 0.0 <= velocity <= 1.0:
                    raise ConfigError(f"velocity must lie in [0, 1], got {velocity}")
                hits[step, voice], vel[step, voice] = float(velocity > 0), velocity
            edited = Pattern(hits, vel, off, p.bpm)
            s = self.scene
            w = self.rhythm.bars
            window = edited.slice_bars((step // 16) // w * w, w)
            z_edit = self.rhythm.encode([window], s.style)[0]
            offset = self.rhythm.steer(z_edit[None], s.rhythm_knobs)[0] - z_edit
            self._apply(s.replace(z=(z_edit - offset).astype(np.float32), pattern=edited), "edit", edited)
            return self._pattern_reply()

    def dice(self, kind: DiceKind, amount: float = 1.0, seed: int | None = None) -> dict[str, Any]:
        """New pattern / kit / everything, ``amount`` of the way from here to a fresh sample."""
        with self._lock:
            scene = randomise(self.scene, self.rhythm, self.sound, kind, amount, self._seed() if seed is None else seed)
            self._apply(scene, f"dice-{kind}")
            return self._pattern_reply() | self.sounds_json()

    def set_transport(self, bpm: float | None = None, swing: float | None = None) -> dict[str, Any]:
        with self._lock:
            s = self.scene
            scene = s.replace(bpm=s.bpm if bpm is None else bpm, swing=s.swing if swing is None else swing)
            self._apply(scene, "transport", self.pattern.with_bpm(scene.bpm))
            return {"transport": self.transport_json()}

    def set_coupling(self, dynamics: float | None = None, variation: float | None = None) -> dict[str, Any]:
        """How much velocity changes timbre, and how much repeated hits vary (0 = off)."""
        with self._lock:
            s = self.scene
            scene = s.replace(
                dynamics=s.dynamics if dynamics is None else dynamics,
                variation=s.variation if variation is None else variation,
            )
            self._apply(scene, "coupling", self.pattern)
            return {"transport": self.transport_json()} | self.sounds_json()

    def set_voice(
        self,
        voice: int,
        knobs: dict[str, float] | None = None,
        point: tuple[float, float] | None = None,
        gain_db: float | None = None,
        pan: float | None = None,
        tune: float | None = None,
        mute: bool | None = None,
    ) -> dict[str, Any]:
        """Change one voice: sound knobs, its point on the class map, or its mix."""
        with self._lock:
            check_voice(voice)
            kv = self.scene.kit.voices[voice]
            changes: dict[str, Any] = {}
            if knobs:
                unknown = sorted(set(knobs) - set(KNOB_NAMES))
                if unknown:
                    raise ConfigError(f"unknown knob(s) {unknown}; knobs are {list(KNOB_NAMES)}")
                changes["knobs"] = dict(kv.knobs) | {k: float(v) for k, v in knobs.items()}
            if point is not None:
                z = self.sound.map_to_latent(kv.sound_class, point)
                changes["latent"] = tuple(float(x) for x in z)
            for name, value in (("gain_db", gain_db), ("pan", pan), ("tune", tune), ("mute", mute)):
                if value is not None:
                    changes[name] = value
            self._replace_voice(voice, changes, f"voice-{voice}-{'-'.join(sorted(changes))}")
            return self.sounds_json()

    def dice_voice(self, voice: int, amount: float = 1.0, seed: int | None = None) -> dict[str, Any]:
        """A new sound for one voice, ``amount`` of the way from its current point to a fresh sample."""
        with self._lock:
            check_voice(voice)
            if not 0.0 <= amount <= 1.0:
                raise ConfigError(f"amount must lie in [0, 1], got {amount}")
            kv = self.scene.kit.voices[voice]
            fresh = self.sound.sample_latent(kv.sound_class, 1, seed=self._seed() if seed is None else seed)[0]
            z0 = np.asarray(kv.latent)
            # a sampled sound is at the model's own tuning: an imported drum's retune fades with it
            self._replace_voice(voice, {"latent": tuple(float(x) for x in z0 + (fresh - z0) * amount),
                                        "transpose": kv.transpose * (1.0 - amount)}, "dice-voice")
            return self.sounds_json()

    def _replace_voice(self, voice: int, changes: dict[str, Any], op: str) -> None:
        kit = self.scene.kit
        voices = list(kit.voices)
        voices[voice] = dataclasses.replace(voices[voice], **changes)
        self._apply(self.scene.replace(kit=dataclasses.replace(kit, voices=tuple(voices))), op, self.pattern)

    def store_corner(self, corner: int) -> dict[str, Any]:
        """Make the current scene corner ``corner`` (0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right)."""
        with self._lock:
            if not 0 <= corner < 4:
                raise ConfigError(f"corner must be 0..3, got {corner}")
            self.corners[corner] = self.scene.replace(pattern=None)
            self._save_state()
            return {"corners": self.corners_json()}

    def recall_corner(self, corner: int) -> dict[str, Any]:
        with self._lock:
            if not 0 <= corner < 4:
                raise ConfigError(f"corner must be 0..3, got {corner}")
            self.blend_xy = (float(corner % 2), float(corner // 2))
            if not self._apply(self.corners[corner], "corner"):
                self._save_state()
            return self._pattern_reply() | self.sounds_json() | {"blend": list(self.blend_xy)}

    def history(self) -> dict[str, int]:
        """How many steps undo and redo can go."""
        return self._history.depth()

    def undo(self) -> dict[str, Any]:
        return self._travel(self._history.undo)

    def redo(self) -> dict[str, Any]:
        return self._travel(self._history.redo)

    def _travel(self, step: Callable[[Scene], Scene | None]) -> dict[str, Any]:
        with self._lock:
            scene = step(self.scene)
            if scene is not None:
                self.scene = scene
                self.pattern = scene.decode_pattern(self.rhythm)
                self._save_state()
            return self.state()

    def load_scene(self, data: Any) -> dict[str, Any]:
        """Make a scene document (parsed JSON) current; refuses scenes of other models."""
        with self._lock:
            scene = Scene.from_json(data, self.rhythm_id, self.sound.model_id, source="uploaded scene")
            self._apply(scene, "load")
            return self.state()

    def state(self) -> dict[str, Any]:
        """Everything the page shows (but the maps, fetched once)."""
        return (
            self._pattern_reply()
            | {"transport": self.transport_json(), "corners": self.corners_json(), "blend": list(self.blend_xy),
               "styles": list(self.rhythm.styles), "voice_names": list(VOICES), "knob_names": list(KNOB_NAMES),
               "rhythm_model_id": self.rhythm_id, "sound_model_id": self.sound.model_id,
               "notice": self.state_notice()}
            | self.history()
            | self.sounds_json()
        )

    # --- opening --------------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        rhythm_model: str | Path | None = None,
        sound_model: str | Path | None = None,
        state_path: str | Path | None = None,
        seed: int | None = None,
        persist: bool = True,
    ) -> Session:
        """Load the models (None: the bundled ones) and resume the session kept at ``state_path``
        (None: :func:`default_state_path`); ``persist=False``: keep nothing on disk."""
        from latentdrum.spaces.rhythm import RhythmSpace
        from latentdrum.spaces.sound import SoundSpace

        path = (state_path if state_path is not None else default_state_path()) if persist else None
        return cls(RhythmSpace.load(rhythm_model), SoundSpace.load(sound_model), path, seed=seed)
