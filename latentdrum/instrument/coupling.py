"""Coupling: a kit's points in the sound space -> the one-shots the renderer plays.

For each of the 9 voices the sound model decodes an ``(L, R)`` grid of one-shots around the
voice's kit point, all voices in one batched :meth:`SoundSpace.decode` call (one call per
distinct knob setting: a freshly sampled kit, whose knobs are all neutral, is one call):

- **L intensity layers**, soft -> hard. Layer ``i`` stands for velocity ``v_i = (i + 1) / L``
  (the renderer's convention) and is decoded at intensity ``0.5 - 0.5 * dynamics * (1 - v_i)``:
  the hardest layer is the kit sound exactly as decoded (intensity 0.5, neutral), softer
  layers move down the class's learned intensity direction (darker, softer attack).
  ``dynamics = 0`` makes every layer the kit sound (velocity then changes level only).
- **R round-robin variations**. Variation 0 is the kit sound itself; variations ``1..R-1`` are
  decoded at the kit point plus a small seeded jitter drawn from the class's own latent spread
  at temperature ``variation`` (0 = off: all variations equal the kit sound). The jitter depends
  only on ``(seed, voice)``: the same kit and seed always give the same variations.

The decoder's output carries :data:`~latentdrum.sounds.audio.PRE_ROLL` samples before the
strike; they are cut (with a 4-sample fade-in) so that sample 0 is the onset, as the renderer
expects. With ``dynamics = 0`` and ``variation = 0`` only one row per voice is decoded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from latentdrum.errors import ConfigError
from latentdrum.instrument.kit import KNOB_NAMES, Kit, KitVoice
from latentdrum.instrument.voice import VoiceSounds
from latentdrum.patterns.drummaps import NUM_VOICES, VOICES

if TYPE_CHECKING:
    from latentdrum.spaces.sound import SoundSpace

# Sound class each voice asks the sound model for, best first (a model may lack some classes).
VOICE_CLASSES: tuple[tuple[str, ...], ...] = (
    ("kick",),
    ("snare", "clap", "rim"),
    ("closed_hat", "pedal_hat"),
    ("open_hat", "closed_hat"),
    ("low_tom", "mid_tom", "high_tom"),
    ("mid_tom", "low_tom", "high_tom"),
    ("high_tom", "mid_tom", "low_tom"),
    ("crash", "ride"),
    ("ride", "crash"),
)
FADE_IN = 4  # samples of fade-in after the pre-roll is cut


@dataclass(frozen=True)
class Coupling:
    """How a kit becomes the renderer's one-shots; see the module docstring.

    Attributes:
        layers: intensity layers per voice, 1-8 (1: velocity changes level only).
        variations: round-robin variations per voice, 1-8 (1: no variation).
        dynamics: in [0, 1], how far soft layers move down the intensity direction.
        variation: in [0, 1], the temperature of the variations' latent jitter.
        seed: seeds the variations' jitter.
        gla_iters: Griffin-Lim iterations of the decoder (None: the sound model's default).
        max_seconds: longest one-shot, faded (None: each as long as it rings).
    """

    layers: int = 3
    variations: int = 2
    dynamics: float = 1.0
    variation: float = 0.15
    seed: int = 0
    gla_iters: int | None = None
    max_seconds: float | None = None

    def __post_init__(self) -> None:
        for name in ("layers", "variations"):
            v = getattr(self, name)
            if not isinstance(v, int) or not 1 <= v <= 8:
                raise ConfigError(f"{name} must be a whole number in [1, 8], got {v!r}")
        for name in ("dynamics", "variation"):
            v = float(getattr(self, name))
            if not 0.0 <= v <= 1.0:
                raise ConfigError(f"{name} must lie in [0, 1], got {v}")
        if self.gla_iters is not None and not 0 <= self.gla_iters <= 64:
            raise ConfigError(f"gla_iters must lie in [0, 64], got {self.gla_iters}")

    @property
    def effective_layers(self) -> int:
        return self.layers if self.dynamics > 0 else 1

    @property
    def effective_variations(self) -> int:
        return self.variations if self.variation > 0 else 1

    def intensities(self) -> np.ndarray:
        """``(L,)`` decode intensities, soft -> hard; the last is 0.5 (the kit sound)."""
        n = self.effective_layers
        v = np.arange(1, n + 1) / n
        return 0.5 - 0.5 * self.dynamics * (1.0 - v)


# A knob being turned: one row per voice, one Griffin-Lim step, cymbals previewed for their
# first second (their full length follows with the full-quality decode).
DRAFT = Coupling(layers=1, variations=1, dynamics=0.0, variation=0.0, gla_iters=1, max_seconds=1.0)
"""One row per voice and one Griffin-Lim iteration: the kit sounds alone, the fastest playable
form of a kit (the instrument plays it while the full layers and variations are decoded)."""


def voice_seed(seed: int, voice: int) -> int:
    """A per-voice seed derived from ``(seed, voice)``."""
    return int(np.random.SeedSequence([int(seed) & 0xFFFFFFFF, voice]).generate_state(1)[0])


def pick_class(space: SoundSpace, voice: int) -> str:
    """The sound class voice ``voice`` uses with this sound model."""
    for name in VOICE_CLASSES[voice]:
        if name in space.classes:
            return name
    if not space.classes:
        raise ConfigError("the sound model has no classes")
    return space.classes[0]


def sample_kit(space: SoundSpace, seed: int | None = None, temperature: float = 1.0, name: str = "") -> Kit:
    """A new kit: one point per voice drawn from its class's distribution, knobs neutral."""
    rng = np.random.default_rng(seed)
    voices = []
    for v in range(NUM_VOICES):
        cls = pick_class(space, v)
        z = space.sample_latent(cls, 1, seed=int(rng.integers(2**31)), temperature=temperature)[0]
        voices.append(KitVoice(cls, tuple(float(x) for x in z)))
    return Kit(tuple(voices), space.model_id, name)


def _jitter(space: SoundSpace, cls: str, n: int, temperature: float, seed: int) -> np.ndarray:
    """``(n, D)`` offsets shaped like the class's latent spread: samples at ``temperature``
    minus the same samples at temperature 0 (same seed: the same centres, only the noise)."""
    return space.sample_latent(cls, n, seed=seed, temperature=temperature) - space.sample_latent(
        cls, n, seed=seed, temperature=0.0
    )


def _knobs_key(voice: KitVoice) -> tuple[float, ...]:
    return tuple(float(voice.knobs.get(k, 0.0)) for k in KNOB_NAMES)


def _onset_first(audio: np.ndarray) -> np.ndarray:
    """Cut the decoder's pre-roll so sample 0 is the strike; a short fade-in avoids a click."""
    from latentdrum.sounds.audio import PRE_ROLL

    out = np.ascontiguousarray(audio[..., PRE_ROLL:], dtype=np.float32)
    out[..., :FADE_IN] *= (0.5 - 0.5 * np.cos(np.pi * (np.arange(FADE_IN) + 1) / (FADE_IN + 1))).astype(np.float32)
    return out


def decode_voices(
    space: SoundSpace, kit: Kit, coupling: Coupling | None = None, voices: Sequence[int] | None = None
) -> dict[int, np.ndarray]:
    """Decode the ``(L, R, N)`` one-shots of the given voices (default all 9) of ``kit``.

    Returns voice index -> ``(L, R, N)`` float32 mono 44.1 kHz, sample 0 = the strike.
    Raises :class:`ConfigError` when the kit was made by another sound model.
    """
    from latentdrum.spaces.sound import Knobs

    if kit.sound_model_id != space.model_id:
        raise ConfigError(
            f"the kit was made by sound model {kit.sound_model_id!r}, not the loaded {space.model_id!r}"
        )
    if kit.latent_dim != space.latent_dim:
        raise ConfigError(f"the kit's latents have {kit.latent_dim} dimensions, the sound model {space.latent_dim}")
    coupling = coupling or Coupling()
    chosen = list(range(NUM_VOICES)) if voices is None else list(voices)
    n_l, n_r = coupling.effective_layers, coupling.effective_variations
    intensities = coupling.intensities()  # (L,)
    rows_z, rows_cls, rows_int, rows_key, rows_st = [], [], [], [], []
    for v in chosen:
        kv = kit.voices[v]
        z0 = np.asarray(kv.latent, dtype=np.float32)
        points = [z0]
        if n_r > 1:
            jitter = _jitter(space, kv.sound_class, n_r - 1, coupling.variation, voice_seed(coupling.seed, v))
            points += list(z0 + jitter)
        for layer in range(n_l):
            for r in range(n_r):
                rows_z.append(points[r])
                rows_cls.append(kv.sound_class)
                rows_int.append(intensities[layer])
                rows_key.append(_knobs_key(kv))
                rows_st.append(kv.transpose)
    z = np.stack(rows_z).astype(np.float32)  # (rows, D)
    inten = np.asarray(rows_int, dtype=np.float64)
    transpose = np.asarray(rows_st, dtype=np.float64)
    kwargs: dict[str, Any] = {"max_seconds": coupling.max_seconds}
    if coupling.gla_iters is not None:
        kwargs["gla_iters"] = coupling.gla_iters
    parts: list[tuple[np.ndarray, np.ndarray]] = []
    for key in dict.fromkeys(rows_key):  # one batched decode per distinct knob setting
        sel = np.array([k == key for k in rows_key])
        parts.append((sel, space.decode(
            z[sel], [c for c, s in zip(rows_cls, sel, strict=True) if s], Knobs(*key), inten[sel],
            transpose=transpose[sel], **kwargs
        )))  # (n, L_samples): sounds are as long as they ring
    audio = np.zeros((len(rows_z), max(out.shape[1] for _, out in parts)), dtype=np.float32)
    for sel, out in parts:
        audio[sel, : out.shape[1]] = out
    audio = _onset_first(audio)
    per = n_l * n_r
    return {v: audio[i * per : (i + 1) * per].reshape(n_l, n_r, -1) for i, v in enumerate(chosen)}


def kit_sounds(space: SoundSpace, kit: Kit, coupling: Coupling | None = None) -> list[VoiceSounds]:
    """The 9 :class:`VoiceSounds` (one-shots + the kit's gain, pan, tune, mute) for :func:`render`."""
    audio = decode_voices(space, kit, coupling)
    return [kit.voices[v].sounds(audio[v]) for v in range(NUM_VOICES)]


__all__ = ["DRAFT", "VOICES", "VOICE_CLASSES", "Coupling", "decode_voices", "kit_sounds", "pick_class", "sample_kit"]
