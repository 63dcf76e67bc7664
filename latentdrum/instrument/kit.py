"""The kit: which sound each of the 9 voices plays, and how it sits in the mix.

A kit is small, versioned, human-readable JSON that records the sound model that made it (the
latent vectors only mean something to that model)::

    {
      "format": "latentdrum-kit",
      "version": 1,
      "sound_model_id": "sound-vae-2026-11-21-a1b2c3",
      "name": "dusty funk",
      "choke_groups": [["closed_hat", "open_hat"]],
      "voices": [
        {"voice": "kick", "sound_class": "kick", "latent": [0.12, -1.3, ...],
         "knobs": {"brightness": 0.0, "decay": 0.2, "pitch": 0.0, "attack": 0.0},
         "transpose": 0.0, "gain_db": 0.0, "pan": 0.0, "tune": 0.0, "mute": false},
        ... one entry per voice, in kick, snare, closed_hat, open_hat, low_tom, mid_tom,
        high_tom, crash, ride order
      ]
    }

Loading checks everything and raises :class:`~latentdrum.errors.KitError` with a message that
says what is wrong (never a bare traceback); a kit made by another sound model raises
:class:`~latentdrum.errors.KitModelMismatchError`. :func:`export_one_shots` writes the kit's
generated one-shots as 24-bit 44.1 kHz mono WAVs (``01_kick.wav`` ... ``09_ride.wav``) for a
DAW sampler.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

from latentdrum.errors import KitError, KitModelMismatchError
from latentdrum.instrument.documents import (
    KIT_FORMAT,
    KIT_VERSION,
    KitFile,
    KitHeader,
    read_document,
    validate,
    write_document,
)
from latentdrum.instrument.voice import MAX_TUNE, VoiceSounds
from latentdrum.patterns.drummaps import NUM_VOICES, VOICES
from latentdrum.sounds.audio import SAMPLE_RATE
from latentdrum.spaces.knobs import KNOB_NAMES, MAX_TRANSPOSE

DEFAULT_CHOKE_GROUPS: tuple[tuple[str, ...], ...] = (("closed_hat", "open_hat"),)


def _number(value: Any, where: str, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise KitError(f"{where} must be a number, got {value!r}")
    if not lo <= value <= hi:
        raise KitError(f"{where} must lie in [{lo:g}, {hi:g}], got {value}")
    return float(value)


@dataclass(frozen=True)
class KitVoice:
    """One voice of a kit.

    Attributes:
        sound_class: the sound model's class for this sound (e.g. "kick", "rim", "clap").
        latent: the sound's point in the sound model's latent space.
        knobs: perceptual knobs in [-1, 1]; names from :data:`KNOB_NAMES`, missing ones are 0.
        transpose: semitones the sound's body is retuned by, in [-12, 12] (a kick or a tom
            encoded from a user's sample keeps its pitch, see
            :meth:`~latentdrum.spaces.sound.SoundSpace.encode_tuned`; 0 for sampled sounds). Part
            of the sound, like ``latent``: the stick click stays put, unlike ``tune``.
        gain_db: level in [-60, 12] dB; pan in [-1, 1]; tune in [-24, 24] semitones.
        mute: a muted voice is silent.
    """

    sound_class: str
    latent: tuple[float, ...]
    knobs: Mapping[str, float] = field(default_factory=dict)
    transpose: float = 0.0
    gain_db: float = 0.0
    pan: float = 0.0
    tune: float = 0.0
    mute: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.sound_class, str) or not self.sound_class:
            raise KitError(f"sound_class must be a non-empty string, got {self.sound_class!r}")
        if isinstance(self.latent, str) or not isinstance(self.latent, Sequence) or not self.latent:
            raise KitError("latent must be a non-empty list of numbers")
        latent = tuple(_number(x, f"latent[{i}]", -1e6, 1e6) for i, x in enumerate(self.latent))
        object.__setattr__(self, "latent", latent)
        if not isinstance(self.knobs, Mapping):
            raise KitError("knobs must be an object of name -> number")
        unknown = sorted(set(self.knobs) - set(KNOB_NAMES))
        if unknown:
            raise KitError(f"unknown knob(s) {unknown}; known knobs are {list(KNOB_NAMES)}")
        knobs = {k: _number(self.knobs.get(k, 0.0), f"knob {k!r}", -1.0, 1.0) for k in KNOB_NAMES}
        object.__setattr__(self, "knobs", knobs)
        object.__setattr__(self, "transpose", _number(self.transpose, "transpose", -MAX_TRANSPOSE, MAX_TRANSPOSE))
        object.__setattr__(self, "gain_db", _number(self.gain_db, "gain_db", -60.0, 12.0))
        object.__setattr__(self, "pan", _number(self.pan, "pan", -1.0, 1.0))
        object.__setattr__(self, "tune", _number(self.tune, "tune", -MAX_TUNE, MAX_TUNE))
        if not isinstance(self.mute, bool):
            raise KitError(f"mute must be true or false, got {self.mute!r}")

    def to_json(self, voice: int) -> dict[str, Any]:
        return {
            "voice": VOICES[voice],
            "sound_class": self.sound_class,
            "latent": list(self.latent),
            "knobs": dict(self.knobs),
            "transpose": self.transpose,
            "gain_db": self.gain_db,
            "pan": self.pan,
            "tune": self.tune,
            "mute": self.mute,
        }

    def sounds(self, audio: np.ndarray) -> VoiceSounds:
        """This voice's generated ``(L, R, N)`` one-shots with its gain, pan, tune and mute, for the renderer."""
        return VoiceSounds(audio, gain_db=self.gain_db, pan=self.pan, tune=self.tune, mute=self.mute)


@dataclass(frozen=True)
class Kit:
    """9 :class:`KitVoice` in :data:`~latentdrum.patterns.drummaps.VOICES` order, and the model that made them."""

    voices: tuple[KitVoice, ...]
    sound_model_id: str
    name: str = ""
    choke_groups: tuple[tuple[str, ...], ...] = DEFAULT_CHOKE_GROUPS

    def __post_init__(self) -> None:
        if len(self.voices) != NUM_VOICES:
            raise KitError(f"a kit has {NUM_VOICES} voices ({', '.join(VOICES)}), got {len(self.voices)}")
        object.__setattr__(self, "voices", tuple(self.voices))
        if not isinstance(self.sound_model_id, str) or not self.sound_model_id:
            raise KitError("sound_model_id must name the sound model that made the kit")
        if not isinstance(self.name, str):
            raise KitError(f"name must be a string, got {self.name!r}")
        dims = {len(v.latent) for v in self.voices}
        if len(dims) != 1:
            raise KitError(f"every voice's latent must have the same length, got lengths {sorted(dims)}")
        groups = []
        for group in self.choke_groups:
            if isinstance(group, str) or not isinstance(group, Sequence):
                raise KitError(f"each choke group must be a list of voice names, got {group!r}")
            bad = [g for g in group if g not in VOICES]
            if bad:
                raise KitError(f"choke group {list(group)} names unknown voice(s) {bad}; voices are {list(VOICES)}")
            groups.append(tuple(group))
        object.__setattr__(self, "choke_groups", tuple(groups))

    @property
    def latent_dim(self) -> int:
        return len(self.voices[0].latent)

    def choke_group_indices(self) -> tuple[tuple[int, ...], ...]:
        """Choke groups as voice indices, for :class:`~latentdrum.instrument.render.RenderSettings`."""
        return tuple(tuple(VOICES.index(name) for name in group) for group in self.choke_groups)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": KIT_FORMAT,
            "version": KIT_VERSION,
            "sound_model_id": self.sound_model_id,
            "name": self.name,
            "choke_groups": [list(g) for g in self.choke_groups],
            "voices": [v.to_json(i) for i, v in enumerate(self.voices)],
        }

    @classmethod
    def from_json(cls, data: Any, expected_model_id: str | None = None, source: str = "kit") -> Kit:
        """Validate a parsed kit document; raises :class:`KitError` naming ``source`` on any problem.

        The document's shape is checked by :class:`~latentdrum.instrument.documents.KitFile`
        (pydantic), its values by :class:`KitVoice` and :class:`Kit`.
        """
        if not isinstance(data, dict):
            raise KitError(f"{source}: a kit file holds one JSON object, got {type(data).__name__}")
        model_id = validate(KitHeader, data, KitError, source).sound_model_id
        if expected_model_id is not None and model_id != expected_model_id:
            raise KitModelMismatchError(
                f"{source} was made by sound model {model_id!r}, but the loaded sound model is "
                f"{expected_model_id!r}; its latent points mean nothing to this model. Load the sound model "
                f"{model_id!r} to play it, or make a new kit with this model (e.g. randomise the kit)."
            )
        doc = validate(KitFile, data, KitError, source)
        voices = []
        for i, entry in enumerate(doc.voices):
            try:
                voices.append(KitVoice(entry.sound_class, tuple(entry.latent), entry.knobs, transpose=entry.transpose,
                                       gain_db=entry.gain_db, pan=entry.pan, tune=entry.tune, mute=entry.mute))
            except KitError as exc:
                raise KitError(f"{source}: voice {i + 1} ({VOICES[i]}): {exc}") from None
        groups = DEFAULT_CHOKE_GROUPS if doc.choke_groups is None else tuple(tuple(g) for g in doc.choke_groups)
        try:
            return cls(tuple(voices), model_id, doc.name, groups)
        except KitError as exc:
            raise KitError(f"{source}: {exc}") from None

    def save(self, path: str | Path) -> Path:
        """Write the kit as indented JSON, atomically; returns the path."""
        return write_document(Path(path), self.to_json(), 2, KitError, "kit")

    @classmethod
    def load(cls, path: str | Path, expected_model_id: str | None = None) -> Kit:
        """Read a kit file; with ``expected_model_id`` refuse kits made by another sound model.

        Raises:
            KitError: missing/unreadable file, invalid JSON, wrong format/version, or bad values.
            KitModelMismatchError: the kit was made by another sound model.
        """
        path = Path(path)
        return cls.from_json(read_document(path, KitError, "kit"), expected_model_id, source=str(path))


def _write_wav(path: Path, mono: np.ndarray, sample_rate: int = SAMPLE_RATE) -> Path:
    from latentdrum.sounds.audio import resample

    try:
        sf.write(str(path), resample(mono, SAMPLE_RATE, sample_rate), sample_rate, subtype="PCM_24")
    except (OSError, RuntimeError) as exc:
        raise KitError(f"cannot write {path}: {exc}") from None
    return path


def export_one_shots(
    kit_sounds: Sequence[np.ndarray | VoiceSounds], folder: str | Path, layers: bool = False,
    sample_rate: int = SAMPLE_RATE,
) -> list[Path]:
    """Write 9 one-shots as ``NN_voice.wav`` (24-bit PCM, mono, ``sample_rate`` Hz: 44.1 kHz by
    default, else resampled by scipy's polyphase filter) for a DAW sampler.

    Args:
        kit_sounds: per voice in :data:`VOICES` order, either a ``(N,)`` float mono one-shot at
            44.1 kHz, or a :class:`VoiceSounds` whose kit sound (hardest layer, first variation)
            is written at its tune. Gain and pan are mixer settings and are not applied.
        folder: created if missing; existing files of the same names are replaced.
        layers: also write each :class:`VoiceSounds`' intensity layers, soft to hard, as
            ``NN_voice_v1.wav`` ... ``NN_voice_vL.wav`` (first variation, at its tune) for a
            velocity-layered sampler patch.

    Returns:
        The paths written, the 9 kit sounds first. A sound whose peak exceeds full scale is
        scaled down to -0.1 dBFS (24-bit PCM would clip it; a voice's layers share one scale);
        quieter sounds are written unchanged.
    """
    if len(kit_sounds) != NUM_VOICES:
        raise KitError(f"need one sound per voice ({NUM_VOICES}), got {len(kit_sounds)}")
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KitError(f"cannot create folder {folder}: {exc.strerror or exc}") from None
    paths, layer_paths = [], []
    for i, sound in enumerate(kit_sounds):
        if isinstance(sound, VoiceSounds):
            stack = sound.tuned()[:, 0]  # (L, N)
        else:
            mono = np.asarray(sound, dtype=np.float32)
            if mono.ndim != 1 or mono.size == 0 or not np.all(np.isfinite(mono)):
                raise KitError(f"sound for {VOICES[i]} must be a non-empty finite 1-D array, got shape {mono.shape}")
            stack = mono[None, :]
        peak = float(np.abs(stack).max())
        if peak > 1.0:
            stack = stack * np.float32(10 ** (-0.1 / 20) / peak)
        stem = f"{i + 1:02d}_{VOICES[i]}"
        paths.append(_write_wav(folder / f"{stem}.wav", stack[-1], sample_rate))
        if layers and stack.shape[0] > 1:
            layer_paths += [_write_wav(folder / f"{stem}_v{k + 1}.wav", x, sample_rate) for k, x in enumerate(stack)]
    return paths + layer_paths
