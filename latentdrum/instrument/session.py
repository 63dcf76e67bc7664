"""The state the UI drives: a current scene, four corner scenes, the pattern and its sounds.

Every method that changes something returns a plain JSON-able dict (what the page must redraw);
:meth:`Session.state` returns everything at once. The web layer talks to this class only.

Speed: a pad move or a knob on the rhythm decodes one pattern (a few ms); sounds are decoded
lazily when the page asks for them (:meth:`Session.sounds`), in two qualities:

- ``draft``: the 9 (or the changed) kit sounds, one row per voice, in one batched decode (the
  fastest playable form: a knob change is playable after a single-row decode);
- ``full``: the coupling's intensity layers x variations (velocity -> timbre, round robin).

Both are cached by a key of everything the sound depends on, so moving back to a kit point
costs nothing. Scenes are immutable, so a decode in another thread reads a consistent kit.

Undo: each discrete edit pushes the previous scene; a run of pad moves counts as one edit.
Persistence: with a ``state_path``, the current scene and the corners are written (atomically)
after every change and read back at start, so a page reload or server restart resumes.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from latentdrum.errors import ConfigError, LatentDrumError
from latentdrum.instrument.coupling import DRAFT, Coupling, decode_voices
from latentdrum.instrument.kit import KNOB_NAMES, Kit
from latentdrum.instrument.render import RenderSettings, render
from latentdrum.instrument.scene import (
    DiceKind,
    Scene,
    SceneError,
    blend4,
    new_scene,
    randomise,
)
from latentdrum.instrument.voice import VoiceSounds
from latentdrum.patterns.drummaps import NUM_VOICES, VOICES
from latentdrum.patterns.pattern import Pattern
from latentdrum.patterns.space import RhythmKnobs

if TYPE_CHECKING:
    from latentdrum.patterns.space import RhythmSpace
    from latentdrum.sounds.space import SoundSpace

STATE_FORMAT = "latentdrum-session"
STATE_VERSION = 1
MAX_UNDO = 100
CACHE_VOICES = 256  # cached (voice, quality) one-shot grids
NEW_HIT_VELOCITY = 0.8
SAVE_INTERVAL = 0.5  # s: the state file is written at most this often (and always within it)


def _r(x: float, nd: int = 4) -> float:
    return round(float(x), nd)


class Session:
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
        # One decode at a time per quality: a draft (a knob being turned) never waits behind a
        # full decode of layers and variations.
        self._decode_locks = {"draft": threading.Lock(), "full": threading.Lock()}
        self._cache_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._save_timer: threading.Timer | None = None
        self._saved_at = 0.0
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._undo: list[Scene] = []
        self._redo: list[Scene] = []
        self._last_op = ""
        self.restored = False
        self.rng = np.random.default_rng(seed)
        loaded = self._load_state()
        if loaded is None:
            scene = new_scene(rhythm, sound, self._seed(), bpm=100.0)
            corners = [scene] + [randomise(scene, rhythm, sound, "everything", 0.7, self._seed()) for _ in range(3)]
            loaded = (scene, corners, (0.0, 0.0))
        self.scene, self.corners, self.blend_xy = loaded
        self.pattern = self.scene.decode_pattern(rhythm)
        self._save_state()

    # --- persistence ----------------------------------------------------------------------------
    def _seed(self) -> int:
        return int(self.rng.integers(2**31))

    def _load_state(self) -> tuple[Scene, list[Scene], tuple[float, float]] | None:
        if self.state_path is None or not self.state_path.is_file():
            return None
        try:
            data = json.loads(self.state_path.read_text(encoding="utf-8"))
            if data.get("format") != STATE_FORMAT or data.get("version") != STATE_VERSION:
                return None
            ids = (self.rhythm_id, self.sound.model_id)
            scene = Scene.from_json(data["scene"], *ids, source="saved scene")
            corners = [Scene.from_json(c, *ids, source="saved corner") for c in data["corners"]]
            if len(corners) != 4:
                return None
            bx, by = (float(v) for v in data.get("blend", (0.0, 0.0)))
        except (OSError, ValueError, KeyError, TypeError, LatentDrumError):
            return None  # another model's or a damaged state: start fresh (the file is overwritten)
        self.restored = True
        return scene, corners, (min(max(bx, 0.0), 1.0), min(max(by, 0.0), 1.0))

    def _save_state(self) -> None:
        """Write the state now, or (during a fast run of changes) at most every SAVE_INTERVAL s."""
        if self.state_path is None:
            return
        now = time.monotonic()
        if now - self._saved_at >= SAVE_INTERVAL:
            self.flush()
        elif self._save_timer is None:
            self._save_timer = threading.Timer(SAVE_INTERVAL, self.flush)
            self._save_timer.daemon = True
            self._save_timer.start()

    def flush(self) -> None:
        """Write the current scene, corners and blend position to the state file (atomically)."""
        if self.state_path is None:
            return
        with self._lock:  # a consistent snapshot; the file is written outside the lock
            if self._save_timer is not None:
                self._save_timer.cancel()
                self._save_timer = None
            self._saved_at = time.monotonic()
            text = json.dumps({
                "format": STATE_FORMAT,
                "version": STATE_VERSION,
                "scene": self.scene.to_json(),
                "corners": [c.to_json() for c in self.corners],
                "blend": list(self.blend_xy),
            })
        with self._write_lock:
            tmp = self.state_path.with_name(self.state_path.name + ".tmp")
            try:
                self.state_path.parent.mkdir(parents=True, exist_ok=True)
                tmp.write_text(text, encoding="utf-8")
                tmp.replace(self.state_path)
            except OSError:
                pass  # a read-only state folder must not stop the instrument

    # --- changing the scene ---------------------------------------------------------------------
    def _apply(self, scene: Scene, op: str, pattern: Pattern | None = None) -> None:
        """Make ``scene`` current (pushing undo unless ``op`` continues a run of the same op)."""
        if op != self._last_op or op not in ("move", "blend"):
            self._undo.append(self.scene)
            del self._undo[:-MAX_UNDO]
            self._redo.clear()
        self._last_op = op
        self.scene = scene
        self.pattern = pattern if pattern is not None else scene.decode_pattern(self.rhythm)
        self._save_state()

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
            self._apply(scene, "blend")
            return self._pattern_reply() | self.sounds_json() | {"blend": list(self.blend_xy)}

    def set_rhythm(
        self,
        style: str | bool | None = False,
        temperature: float | None = None,
        density: float | None = None,
        complexity: float | None = None,
    ) -> dict[str, Any]:
        """Change style (``False`` = leave it; None = any style), temperature or the knobs."""
        with self._lock:
            s = self.scene
            if style is not False and style is not None and style not in self.rhythm.styles:
                raise ConfigError(f"unknown style {style!r}; this model knows {', '.join(self.rhythm.styles)}")
            knobs = RhythmKnobs(
                s.rhythm_knobs.density if density is None else density,
                s.rhythm_knobs.complexity if complexity is None else complexity,
            )
            changes: dict[str, Any] = {"rhythm_knobs": knobs, "pattern": None}
            if style is not False:
                changes["style"] = style
            if temperature is not None:
                changes["temperature"] = temperature
            self._apply(s.replace(**changes), "rhythm")
            return self._pattern_reply()

    def edit_cell(self, step: int, voice: int, velocity: float | None = None) -> dict[str, Any]:
        """Toggle a cell (``velocity`` None) or set its velocity (0 = remove the hit).

        The edited pattern is kept as the user made it, and the puck moves to where it lives:
        the scene's latent becomes the encoding of the edited pattern.
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
            z_edit = self.rhythm.encode([edited], s.style)[0]
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
            if not 0 <= voice < NUM_VOICES:
                raise ConfigError(f"voice must be 0..{NUM_VOICES - 1}, got {voice}")
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
            if not 0 <= voice < NUM_VOICES:
                raise ConfigError(f"voice must be 0..{NUM_VOICES - 1}, got {voice}")
            if not 0.0 <= amount <= 1.0:
                raise ConfigError(f"amount must lie in [0, 1], got {amount}")
            kv = self.scene.kit.voices[voice]
            fresh = self.sound.sample_latent(kv.sound_class, 1, seed=self._seed() if seed is None else seed)[0]
            z0 = np.asarray(kv.latent)
            self._replace_voice(voice, {"latent": tuple(float(x) for x in z0 + (fresh - z0) * amount)}, "dice-voice")
            return self.sounds_json()

    def _replace_voice(self, voice: int, changes: dict[str, Any], op: str) -> None:
        import dataclasses

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
            self._apply(self.corners[corner], "corner")
            return self._pattern_reply() | self.sounds_json() | {"blend": list(self.blend_xy)}

    def history(self) -> dict[str, int]:
        """How many steps undo and redo can go."""
        return {"undo": len(self._undo), "redo": len(self._redo)}

    def undo(self) -> dict[str, Any]:
        return self._history(self._undo, self._redo)

    def redo(self) -> dict[str, Any]:
        return self._history(self._redo, self._undo)

    def _history(self, src: list[Scene], dst: list[Scene]) -> dict[str, Any]:
        with self._lock:
            if src:
                dst.append(self.scene)
                self.scene = src.pop()
                self.pattern = self.scene.decode_pattern(self.rhythm)
                self._last_op = "history"
                self._save_state()
            return self.state()

    def load_scene(self, data: Any) -> dict[str, Any]:
        """Make a scene document (parsed JSON) current; refuses scenes of other models."""
        with self._lock:
            scene = Scene.from_json(data, self.rhythm_id, self.sound.model_id, source="uploaded scene")
            self._apply(scene, "load")
            return self.state()

    # --- sounds ------------------------------------------------------------------------------
    def _coupling_for(self, quality: str) -> Coupling:
        if quality == "draft":
            return DRAFT
        if quality != "full":
            raise ConfigError(f"quality must be draft or full, got {quality!r}")
        s = self.scene
        import dataclasses

        return dataclasses.replace(self.coupling, dynamics=s.dynamics, variation=s.variation)

    def voice_key(self, voice: int, quality: str = "full", kit: Kit | None = None) -> str:
        """A short hash of everything voice ``voice``'s one-shots depend on (not its mix)."""
        kv = (kit or self.scene.kit).voices[voice]
        c = self._coupling_for(quality)
        blob = json.dumps([self.sound.model_id, voice, kv.sound_class, kv.latent, kv.knobs, quality,
                           c.effective_layers, c.effective_variations, c.dynamics, c.variation, c.seed, c.gla_iters])
        return hashlib.sha1(blob.encode()).hexdigest()[:12]

    def sounds(self, voices: list[int] | None = None, quality: str = "full") -> dict[int, tuple[str, np.ndarray]]:
        """voice -> (key, ``(L, R, N)`` float32 one-shots) of the current kit; missing ones decoded in one batch."""
        kit = self.scene.kit  # one consistent snapshot
        chosen = list(range(NUM_VOICES)) if voices is None else voices
        for v in chosen:
            if not 0 <= v < NUM_VOICES:
                raise ConfigError(f"voice must be 0..{NUM_VOICES - 1}, got {v}")
        keys = {v: self.voice_key(v, quality, kit) for v in chosen}
        coupling = self._coupling_for(quality)
        with self._decode_locks[quality]:
            with self._cache_lock:
                out = {v: (keys[v], self._cache[keys[v]]) for v in chosen if keys[v] in self._cache}
            missing = [v for v in chosen if v not in out]
            if missing:
                decoded = decode_voices(self.sound, kit, coupling, missing)
                for v, audio in decoded.items():
                    out[v] = (keys[v], VoiceSounds(audio).audio)  # trimmed of silent tails
        with self._cache_lock:
            for v in chosen:
                self._cache[keys[v]] = out[v][1]
                self._cache.move_to_end(keys[v])
            while len(self._cache) > CACHE_VOICES:
                self._cache.popitem(last=False)
        return out

    def voice_sounds(self, quality: str = "full") -> list[VoiceSounds]:
        """The 9 voices ready for :func:`render` (mix settings of the current kit)."""
        kit = self.scene.kit
        audio = self.sounds(None, quality)
        return [kit.voices[v].sounds(audio[v][1]) for v in range(NUM_VOICES)]

    def render_loop(self, loops: int = 2, quality: str = "full") -> np.ndarray:
        """``(N, 2)`` float32: the current pattern played by the current kit, ``loops`` times."""
        s = self.scene
        settings = RenderSettings(bpm=s.bpm, swing=s.swing, loops=loops, velocity_timbre=1.0,
                                  variation=1.0 if s.variation > 0 else 0.0,
                                  choke_groups=s.kit.choke_group_indices())
        return render(self.pattern, self.voice_sounds(quality), settings)

    # --- what the page draws ------------------------------------------------------------------
    def pattern_json(self) -> dict[str, Any]:
        p = self.pattern
        return {
            "steps": p.steps,
            "hits": p.hits.T.astype(int).tolist(),  # (V, T)
            "velocities": np.round(p.velocities.T, 3).tolist(),
            "offsets": np.round(p.offsets.T, 3).tolist(),
            "pinned": self.scene.pattern is not None,
        }

    def puck(self) -> list[float]:
        xy = self.rhythm.to_map(self.rhythm.encode([self.pattern], self.scene.style)
                                if self.scene.pattern is not None else self.scene.steered(self.rhythm)[None])[0]
        return [_r(xy[0]), _r(xy[1])]

    def rhythm_json(self) -> dict[str, Any]:
        s = self.scene
        return {"style": s.style, "temperature": _r(s.temperature), "density": _r(s.rhythm_knobs.density),
                "complexity": _r(s.rhythm_knobs.complexity)}

    def transport_json(self) -> dict[str, Any]:
        s = self.scene
        return {"bpm": _r(s.bpm, 2), "swing": _r(s.swing, 2), "dynamics": _r(s.dynamics), "variation": _r(s.variation)}

    def sounds_json(self) -> dict[str, Any]:
        kit = self.scene.kit
        voices = []
        for v, kv in enumerate(kit.voices):
            voices.append({
                "voice": VOICES[v], "sound_class": kv.sound_class,
                "knobs": {k: _r(kv.knobs[k]) for k in KNOB_NAMES},
                "gain_db": _r(kv.gain_db, 2), "pan": _r(kv.pan), "tune": _r(kv.tune, 2), "mute": kv.mute,
                "point": self.sound_point(v),
                "key": self.voice_key(v, "full", kit), "draft_key": self.voice_key(v, "draft", kit),
            })
        return {"voices": voices, "choke_groups": [list(g) for g in kit.choke_group_indices()]}

    def sound_point(self, voice: int) -> list[float]:
        """Where voice ``voice`` sits on its class's 2D map (projection onto the map's axes)."""
        kv = self.scene.kit.voices[voice]
        a, b = self._map_basis(kv.sound_class)
        xy = (np.asarray(kv.latent) - a) @ b
        return [_r(xy[0]), _r(xy[1])]

    def _class_map(self, cls: str) -> tuple[np.ndarray, np.ndarray]:
        key = f"map:{cls}"
        cache = self.__dict__.setdefault("_maps", {})
        if key not in cache:
            cache[key] = self.sound.class_map(cls)
        return cache[key]

    def _map_basis(self, cls: str) -> tuple[np.ndarray, np.ndarray]:
        """``(D,)`` origin and ``(D, 2)`` projection so ``(z - origin) @ proj`` is a map position."""
        cache = self.__dict__.setdefault("_bases", {})
        if cls not in cache:
            origin = self.sound.map_to_latent(cls, [0.0, 0.0]).astype(np.float64)
            ax = np.stack([self.sound.map_to_latent(cls, e).astype(np.float64) - origin
                           for e in ([1.0, 0.0], [0.0, 1.0])])  # (2, D)
            cache[cls] = (origin, np.linalg.pinv(ax))  # (D, 2)
        return cache[cls]

    def sound_map(self, voice: int) -> dict[str, Any]:
        """The class map of voice ``voice``: the training sounds' 2D points and the voice's point."""
        if not 0 <= voice < NUM_VOICES:
            raise ConfigError(f"voice must be 0..{NUM_VOICES - 1}, got {voice}")
        cls = self.scene.kit.voices[voice].sound_class
        pts, _ = self._class_map(cls)
        return {"voice": voice, "sound_class": cls, "points": np.round(pts, 3).tolist(),
                "point": self.sound_point(voice)}

    def rhythm_map(self) -> dict[str, Any]:
        r = self.rhythm
        return {"points": np.round(r.map_points, 3).tolist(), "styles": r.map_styles.tolist(),
                "style_names": list(r.styles)}

    def corners_json(self) -> list[dict[str, Any]]:
        return [{"corner": i, "puck": [_r(v) for v in self.rhythm.to_map(c.steered(self.rhythm)[None])[0]],
                 "style": c.style, "bpm": _r(c.bpm, 1)} for i, c in enumerate(self.corners)]

    def state(self) -> dict[str, Any]:
        """Everything the page shows (but the maps, fetched once)."""
        return (
            self._pattern_reply()
            | {"transport": self.transport_json(), "corners": self.corners_json(), "blend": list(self.blend_xy),
               "styles": list(self.rhythm.styles), "voice_names": list(VOICES), "knob_names": list(KNOB_NAMES),
               "rhythm_model_id": self.rhythm_id, "sound_model_id": self.sound.model_id}
            | self.history()
            | self.sounds_json()
        )

    def export_kit(self) -> Kit:
        return self.scene.kit

    # --- files ------------------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        rhythm_model: str | Path | None = None,
        sound_model: str | Path | None = None,
        state_path: str | Path | None = None,
        seed: int | None = None,
    ) -> Session:
        """Load the models (None: the bundled ones) and resume the session kept at ``state_path``
        (None: :func:`default_state_path`)."""
        from latentdrum.patterns.space import RhythmSpace
        from latentdrum.sounds.space import SoundSpace

        return cls(RhythmSpace.load(rhythm_model), SoundSpace.load(sound_model),
                   state_path if state_path is not None else default_state_path(), seed=seed)

    def midi_bytes(self) -> bytes:
        """The current pattern as a standard MIDI drum clip (see :func:`pattern_to_midi`)."""
        import io

        from latentdrum.patterns.midi import pattern_to_midi

        buf = io.BytesIO()
        pattern_to_midi(self.pattern, name="latentdrum").save(file=buf)
        return buf.getvalue()

    def wav_bytes(self, loops: int = 2) -> bytes:
        """The current pattern played by the current kit, ``loops`` times: 24-bit 44.1 kHz stereo WAV."""
        import io

        import soundfile as sf

        buf = io.BytesIO()
        sf.write(buf, np.clip(self.render_loop(loops), -1.0, 1.0), 44_100, subtype="PCM_24", format="WAV")
        return buf.getvalue()


def default_state_path() -> Path:
    """``$LATENTDRUM_STATE`` if set, else ``$XDG_STATE_HOME/latentdrum/session.json`` (~/.local/state)."""
    import os

    if os.environ.get("LATENTDRUM_STATE"):
        return Path(os.environ["LATENTDRUM_STATE"])
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return base / "latentdrum" / "session.json"


__all__ = ["SceneError", "Session", "default_state_path"]
