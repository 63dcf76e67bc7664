"""A scene: groove, kit and knobs together, the unit the instrument morphs, blends and saves.

A :class:`Scene` is a rhythm latent ``z`` (the groove before steering), its style, the rhythm
knobs (density, complexity), the temperature and decoder ``seed`` it is played with, its phrase
(``bars`` 1/2/4/8, a fill every ``fill_every`` bars), a :class:`~latentdrum.instrument.kit.Kit`
(each voice's point in the sound space with its sound knobs and mix), tempo, swing and the
coupling amounts (dynamics: velocity -> timbre, variation: how much repeated hits differ).
Optionally it pins an explicit pattern (a pattern edited by hand, which the decoder would not
reproduce exactly).

The pattern is a pure function of the scene (:meth:`Scene.decode_pattern`): changing the
temperature, a knob, the style or the phrase re-decodes *the same groove* (same ``z``, same
``seed``) at once; only the dice (:func:`randomise`) draw a new ``z`` and ``seed``. A new scene
and every dice roll are drawn by the guarded sampler with the strong-groove check
(:func:`~latentdrum.spaces.phrase.sample_phrases`): for backbeat styles, the kick on the first
downbeat and the snare on 2 and 4.

- :func:`morph` (a, b, t): slerp of the rhythm latents, linear interpolation of kit latents,
  knobs, gain, pan and tune, tempo and swing; groove and timbre move together.
- :func:`blend4` (corners, x, y): bilinear blend of four corner scenes (top-left, top-right,
  bottom-left, bottom-right), the XY-pad model of Beat Blender extended to kits.
- :func:`randomise`: new pattern / kit / everything, ``amount`` = how far from here (0 = stay,
  1 = a fresh sample), reproducible by seed.
- JSON save/load, versioned, recording both model ids.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from latentdrum.errors import ConfigError, KitError, LatentDrumError
from latentdrum.instrument.documents import (
    SCENE_FORMAT,
    SCENE_VERSION,
    SceneFile,
    SceneHeader,
    read_document,
    validate,
    write_document,
)
from latentdrum.instrument.kit import KNOB_NAMES, Kit, KitVoice
from latentdrum.instrument.timing import check_swing
from latentdrum.patterns.pattern import Pattern, check_bpm
from latentdrum.spaces.phrase import Phrase, decode_guarded, fill_bar, sample_phrases
from latentdrum.spaces.rhythm import RhythmKnobs, slerp

if TYPE_CHECKING:
    from latentdrum.spaces.rhythm import RhythmSpace
    from latentdrum.spaces.sound import SoundSpace

NEUTRAL_KNOBS = RhythmKnobs()
DiceKind = Literal["pattern", "kit", "everything"]


class SceneError(ConfigError):
    """A scene file or value is malformed, or was made by other models."""


@dataclass(frozen=True, eq=False)
class Scene:
    """One playable state; see the module docstring. ``z`` is ``(D,)`` float32."""

    z: np.ndarray
    kit: Kit
    rhythm_model_id: str
    style: str | None = None
    rhythm_knobs: RhythmKnobs = NEUTRAL_KNOBS
    bpm: float = 100.0
    swing: float = 50.0
    temperature: float = 1.0
    dynamics: float = 1.0
    variation: float = 0.15
    pattern: Pattern | None = None  # pinned, hand-edited pattern (None = decode z)
    seed: int = 0  # the decoder's draws (hits, velocity, timing) at temperature > 0
    bars: int = 2
    fill_every: int = 0  # 0 = no fills; N = a fill in the last bar of every N bars

    def __post_init__(self) -> None:
        z = np.asarray(self.z, dtype=np.float32).reshape(-1)
        if z.size == 0 or not np.all(np.isfinite(z)):
            raise SceneError("a scene's rhythm latent must be a non-empty list of finite numbers")
        object.__setattr__(self, "z", z)
        check_bpm(self.bpm, SceneError)
        check_swing(self.swing)
        for name, lo, hi in (("temperature", 0.0, 3.0), ("dynamics", 0.0, 1.0), ("variation", 0.0, 1.0)):
            v = float(getattr(self, name))
            if not lo <= v <= hi:
                raise SceneError(f"{name} must lie in [{lo:g}, {hi:g}], got {v}")
        if not 0 <= int(self.seed) < 2**31:
            raise SceneError(f"seed must lie in [0, 2^31), got {self.seed}")
        try:
            self.phrase()
        except ConfigError as exc:
            raise SceneError(str(exc)) from None
        if self.pattern is not None and self.pattern.bars != self.bars:
            raise SceneError(f"the pinned pattern has {self.pattern.bars} bars, the scene {self.bars}")

    def replace(self, **changes: Any) -> Scene:
        return dataclasses.replace(self, **changes)

    def steered(self, space: RhythmSpace) -> np.ndarray:
        """``(D,)`` the latent actually decoded: ``z`` moved by the rhythm knobs."""
        return space.steer(self.z[None], self.rhythm_knobs)[0]

    def phrase(self) -> Phrase:
        return Phrase(self.bars, self.fill_every)

    def decode_pattern(self, space: RhythmSpace) -> Pattern:
        """The scene's pattern (its whole phrase) at its tempo; the pinned one if a hand edit pinned it."""
        if self.pattern is not None:
            return self.pattern.with_bpm(self.bpm)
        return decode_guarded(space, self.z, self.style, self.phrase(), self.temperature, self.seed, self.bpm,
                              self.rhythm_knobs)[0]

    def decode_fill(self, space: RhythmSpace) -> Pattern:
        """One bar: the fill this scene's groove plays (what the page's fill button plays next)."""
        return fill_bar(space, self.z, self.style, self.temperature, self.seed, self.bpm, self.rhythm_knobs)

    # --- JSON -------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "format": SCENE_FORMAT,
            "version": SCENE_VERSION,
            "rhythm_model_id": self.rhythm_model_id,
            "sound_model_id": self.kit.sound_model_id,
            "rhythm": {
                "latent": [float(x) for x in self.z],  # exact: a restored scene decodes the same pattern
                "style": self.style,
                "temperature": self.temperature,
                "density": self.rhythm_knobs.density,
                "complexity": self.rhythm_knobs.complexity,
                "seed": int(self.seed),
                "bars": self.bars,
                "fill_every": self.fill_every,
            },
            "kit": self.kit.to_json(),
            "bpm": self.bpm,
            "swing": self.swing,
            "dynamics": self.dynamics,
            "variation": self.variation,
        }
        if self.pattern is not None:
            p = self.pattern
            out["rhythm"]["pattern"] = {
                "hits": p.hits.astype(int).tolist(),
                "velocities": np.round(p.velocities, 4).tolist(),
                "offsets": np.round(p.offsets, 4).tolist(),
            }
        return out

    @classmethod
    def from_json(
        cls,
        data: Any,
        rhythm_model_id: str | None = None,
        sound_model_id: str | None = None,
        source: str = "scene",
    ) -> Scene:
        """Validate a parsed scene; with model ids given, refuse scenes made by other models.

        The document's shape is checked by :class:`~latentdrum.instrument.documents.SceneFile`
        (pydantic), its kit by :meth:`Kit.from_json`, its values by :class:`Scene`.
        """
        if not isinstance(data, dict):
            raise SceneError(f"{source} is not a latentdrum scene")
        head = validate(SceneHeader, data, SceneError, source)
        rid, sid = head.rhythm_model_id, head.sound_model_id
        if rhythm_model_id is not None and rid != rhythm_model_id:
            raise SceneError(f"{source} was made by rhythm model {rid!r}, but the loaded one is {rhythm_model_id!r}")
        if sound_model_id is not None and sid != sound_model_id:
            raise SceneError(f"{source} was made by sound model {sid!r}, but the loaded one is {sound_model_id!r}")
        doc = validate(SceneFile, data, SceneError, source)
        rhythm = doc.rhythm
        try:
            kit = Kit.from_json(doc.kit, sound_model_id, source=f"{source}: kit")
        except KitError as exc:
            raise SceneError(str(exc)) from None
        try:
            pattern = None
            if rhythm.pattern is not None:
                pinned = rhythm.pattern
                pattern = Pattern(np.asarray(pinned.hits, dtype=np.float32),
                                  np.asarray(pinned.velocities, dtype=np.float32),
                                  np.asarray(pinned.offsets, dtype=np.float32), doc.bpm)
            return cls(
                z=np.asarray(rhythm.latent, dtype=np.float32),
                kit=kit,
                rhythm_model_id=str(rid),
                style=rhythm.style,
                rhythm_knobs=RhythmKnobs(rhythm.density, rhythm.complexity),
                bpm=doc.bpm,
                swing=doc.swing,
                temperature=rhythm.temperature,
                dynamics=doc.dynamics,
                variation=doc.variation,
                pattern=pattern,
                seed=rhythm.seed,
                bars=rhythm.bars if rhythm.bars is not None else (pattern.bars if pattern is not None else 2),
                fill_every=rhythm.fill_every,
            )
        except (LatentDrumError, TypeError, ValueError) as exc:  # the values' own checks, named by file
            raise SceneError(f"{source}: {exc}") from None

    def save(self, path: str | Path) -> Path:
        """Write the scene as JSON atomically (a temporary file renamed over the target)."""
        return write_document(Path(path), self.to_json(), 1, SceneError, "scene")

    @classmethod
    def load(cls, path: str | Path, rhythm_model_id: str | None = None, sound_model_id: str | None = None) -> Scene:
        path = Path(path)
        data = read_document(path, SceneError, "scene")
        return cls.from_json(data, rhythm_model_id, sound_model_id, source=str(path))


# --- making, morphing, blending -----------------------------------------------------------------
def new_scene(
    rhythm: RhythmSpace,
    sound: SoundSpace,
    seed: int | None = None,
    style: str | None = None,
    temperature: float = 1.0,
    bpm: float = 100.0,
    bars: int | None = None,
    fill_every: int = 0,
) -> Scene:
    """A fresh scene: a strong groove of ``style`` (guarded sampler, module docstring) and a sampled kit."""
    from latentdrum.instrument.coupling import sample_kit

    rng = np.random.default_rng(seed)
    phrase = Phrase(bars or rhythm.bars, fill_every)
    got = sample_phrases(rhythm, 1, style, temperature, int(rng.integers(2**31)), phrase=phrase, bpm=bpm,
                         strong=True)
    kit = sample_kit(sound, int(rng.integers(2**31)), name="")
    return Scene(z=got.latents[0], kit=kit, rhythm_model_id=rhythm.model_id, style=style, bpm=bpm,
                 temperature=temperature, seed=got.seeds[0], bars=phrase.bars, fill_every=fill_every)


def _lerp(a: float, b: float, t: float) -> float:
    return float(a + (b - a) * t)


def morph_kits(a: Kit, b: Kit, t: float) -> Kit:
    """Kit between ``a`` (t=0) and ``b`` (t=1): latents, knobs and mix interpolated.

    A voice whose class differs between the two takes the nearer kit's class (a latent of one
    class means nothing to another class's decoder), with the interpolated latent.
    """
    if a.sound_model_id != b.sound_model_id:
        raise SceneError("cannot morph kits made by different sound models")
    voices = []
    for va, vb in zip(a.voices, b.voices, strict=True):
        near = va if t < 0.5 else vb
        za, zb = np.asarray(va.latent), np.asarray(vb.latent)
        voices.append(KitVoice(
            sound_class=near.sound_class,
            latent=tuple(float(x) for x in za + (zb - za) * t),
            knobs={k: _lerp(va.knobs[k], vb.knobs[k], t) for k in KNOB_NAMES},
            transpose=_lerp(va.transpose, vb.transpose, t),
            gain_db=_lerp(va.gain_db, vb.gain_db, t),
            pan=_lerp(va.pan, vb.pan, t),
            tune=_lerp(va.tune, vb.tune, t),
            mute=near.mute,
        ))
    return Kit(tuple(voices), a.sound_model_id, (a if t < 0.5 else b).name, (a if t < 0.5 else b).choke_groups)


def morph(a: Scene, b: Scene, t: float) -> Scene:
    """The scene a fraction ``t`` in [0, 1] of the way from ``a`` to ``b``: groove and timbre together."""
    if not 0.0 <= t <= 1.0 or math.isnan(t):
        raise SceneError(f"morph position must lie in [0, 1], got {t}")
    if a.rhythm_model_id != b.rhythm_model_id:
        raise SceneError("cannot morph scenes made by different rhythm models")
    near = a if t < 0.5 else b
    return Scene(
        z=slerp(a.z.astype(np.float64), b.z.astype(np.float64), t).astype(np.float32),
        kit=morph_kits(a.kit, b.kit, t),
        rhythm_model_id=a.rhythm_model_id,
        style=near.style,
        rhythm_knobs=RhythmKnobs(
            _lerp(a.rhythm_knobs.density, b.rhythm_knobs.density, t),
            _lerp(a.rhythm_knobs.complexity, b.rhythm_knobs.complexity, t),
        ),
        bpm=_lerp(a.bpm, b.bpm, t),
        swing=_lerp(a.swing, b.swing, t),
        temperature=_lerp(a.temperature, b.temperature, t),
        dynamics=_lerp(a.dynamics, b.dynamics, t),
        variation=_lerp(a.variation, b.variation, t),
        pattern=None,
        seed=near.seed,
        bars=near.bars,
        fill_every=near.fill_every,
    )


def blend4(corners: Sequence[Scene], x: float, y: float) -> Scene:
    """Bilinear blend of four corner scenes (top-left, top-right, bottom-left, bottom-right).

    ``x`` runs left -> right and ``y`` top -> bottom, both in [0, 1]; at a corner the result is
    that corner's scene (its pinned pattern dropped: the blend is decoded from latents).
    """
    if len(corners) != 4:
        raise SceneError(f"blend4 needs 4 corner scenes, got {len(corners)}")
    for name, v in (("x", x), ("y", y)):
        if not 0.0 <= v <= 1.0 or math.isnan(v):
            raise SceneError(f"{name} must lie in [0, 1], got {v}")
    top = morph(corners[0], corners[1], x)
    bottom = morph(corners[2], corners[3], x)
    return morph(top, bottom, y)


def randomise(
    scene: Scene,
    rhythm: RhythmSpace,
    sound: SoundSpace,
    kind: DiceKind,
    amount: float = 1.0,
    seed: int | None = None,
) -> Scene:
    """Dice: move the pattern, the kit or both ``amount`` of the way towards a fresh sample.

    ``amount`` in [0, 1]: 0 changes nothing, 1 is a new sample (of the scene's style and
    temperature for the groove, of each voice's class for the kit). Knobs and mix stay.
    """
    from latentdrum.instrument.coupling import sample_kit

    if kind not in ("pattern", "kit", "everything"):
        raise SceneError(f"dice kind must be pattern, kit or everything, got {kind!r}")
    if not 0.0 <= amount <= 1.0 or math.isnan(amount):
        raise SceneError(f"amount must lie in [0, 1], got {amount}")
    rng = np.random.default_rng(seed)
    seed_r, seed_k = int(rng.integers(2**31)), int(rng.integers(2**31))
    out = scene
    if kind in ("pattern", "everything") and amount > 0:
        got = sample_phrases(rhythm, 1, scene.style, scene.temperature, seed_r, scene.rhythm_knobs, scene.phrase(),
                             scene.bpm, strong=True)
        z = slerp(scene.z.astype(np.float64), got.latents[0].astype(np.float64), amount).astype(np.float32)
        out = out.replace(z=z, pattern=None, seed=got.seeds[0] if amount >= 0.5 else scene.seed)
    if kind in ("kit", "everything"):
        fresh_kit = sample_kit(sound, seed_k)
        voices = []
        for v, fv in zip(scene.kit.voices, fresh_kit.voices, strict=True):
            if fv.sound_class != v.sound_class:
                near = fv if amount >= 0.5 else v  # a class change cannot be approached gradually
                z, cls, transpose = np.asarray(near.latent), near.sound_class, near.transpose
            else:
                z0 = np.asarray(v.latent)
                z, cls = z0 + (np.asarray(fv.latent) - z0) * amount, v.sound_class
                transpose = _lerp(v.transpose, fv.transpose, amount)
            voices.append(dataclasses.replace(v, sound_class=cls, latent=tuple(float(x) for x in z),
                                              transpose=transpose))
        out = out.replace(kit=dataclasses.replace(scene.kit, voices=tuple(voices)))
    return out


__all__ = ["Scene", "SceneError", "blend4", "morph", "morph_kits", "new_scene", "randomise"]
