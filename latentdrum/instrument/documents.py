"""The kit and scene files as pydantic models: what a JSON document may hold, and its messages.

Also the two files' reading and writing (:func:`read_document`, :func:`write_document`).

A kit or scene file is validated here in two steps before it becomes a
:class:`~latentdrum.instrument.kit.Kit` or :class:`~latentdrum.instrument.scene.Scene`:

1. the *header* (:class:`KitHeader`, :class:`SceneHeader`): format name, format version and the
   model ids, so a file from elsewhere or from other models is refused with what to do;
2. the *body* (:class:`KitFile`, :class:`SceneFile`): every key's JSON type (numbers are numbers,
   not strings or booleans; whole numbers are whole; lists are lists) and the voices' order.

Value ranges (a pan in [-1, 1], a tempo in [20, 400] BPM, ...) are the domain objects' own
invariants and are checked by their constructors, so a kit built in code obeys the same rules
as one read from a file.

Every problem becomes one line naming the file and the place, e.g. ``kit.json: voice 3
(closed_hat): latent[1] must be a number, got 'x'`` (see :func:`validate`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import ErrorDetails, PydanticCustomError

from latentdrum.errors import LatentDrumError
from latentdrum.files import atomic_write_text
from latentdrum.patterns.drummaps import NUM_VOICES, VOICES

KIT_FORMAT = "latentdrum-kit"
KIT_VERSION = 1
SCENE_FORMAT = "latentdrum-scene"
SCENE_VERSION = 1

# What each of pydantic's type errors expected, in the words of the messages.
_EXPECTED = {
    "float_type": "a number", "int_type": "a whole number", "bool_type": "true or false",
    "string_type": "a string", "list_type": "a list", "tuple_type": "a list", "dict_type": "an object",
    "model_type": "an object", "model_attributes_type": "an object", "none_required": "null",
}


def short_repr(v: Any) -> str:
    """``repr(v)`` cut to 40 characters: a bad value quoted in a one-line message."""
    text = repr(v)
    return text if len(text) <= 40 else text[:37] + "..."


def fail(message: str) -> PydanticCustomError:
    """Our own check failed: ``message`` is the whole line the user reads (see :func:`_message`)."""
    return PydanticCustomError("latentdrum", message)


def _source(info: ValidationInfo) -> str:
    return str((info.context or {}).get("source", "document"))


def _place(loc: tuple[int | str, ...]) -> str:
    """``("voices", 2, "latent", 1)`` -> ``"voice 3 (closed_hat): latent[1]"``; ``("rhythm", "seed")``
    -> ``"rhythm.seed"``; a lone top-level key is quoted (``"'voices'"``)."""
    if len(loc) == 1:
        return f"'{loc[0]}'"
    head = ""
    if len(loc) >= 2 and loc[0] == "voices" and isinstance(loc[1], int) and 0 <= loc[1] < NUM_VOICES:
        head, loc = f"voice {loc[1] + 1} ({VOICES[loc[1]]})", loc[2:]
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return f"{head}: {name}" if head and name else head or name


def _message(err: ErrorDetails, source: str) -> str:
    if err["type"] == "latentdrum":  # our own checks write the whole message
        return str(err["msg"])
    loc = tuple(err["loc"])
    if err["type"] == "missing":
        parent = _place(loc[:-1]).strip("'") if loc[:-1] else ""
        return f"{source}: {parent + ' ' if parent else ''}needs '{loc[-1]}'"
    if err["type"] in _EXPECTED:
        return f"{source}: {_place(loc)} must be {_EXPECTED[err['type']]}, got {short_repr(err['input'])}"
    return f"{source}: {_place(loc)}: {err['msg']}"


def read_document(path: Path, error: type[LatentDrumError], what: str) -> Any:
    """The parsed JSON of the ``what`` (kit, scene) file ``path``, or ``error`` saying why not."""
    if not path.is_file():
        raise error(f"{what} file {path} does not exist" if not path.exists() else f"{path} is not a file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"cannot read {what} file {path}: {exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"cannot read {what} file {path}: not valid JSON (line {exc.lineno}, column {exc.colno}: "
                    f"{exc.msg}); fix the file or save the {what} again") from None


def write_document(path: Path, data: dict[str, Any], indent: int, error: type[LatentDrumError], what: str) -> Path:
    """Write ``data`` as indented JSON to ``path`` atomically, or raise ``error`` (disk full, read-only)."""
    try:
        return atomic_write_text(path, json.dumps(data, indent=indent) + "\n")
    except OSError as exc:
        raise error(f"cannot write {what} to {path}: {exc.strerror or exc}") from None


M = TypeVar("M", bound=BaseModel)


def validate(model: type[M], data: Any, error: type[LatentDrumError], source: str) -> M:
    """``model`` validated from parsed JSON ``data``, or ``error`` with the first problem's message."""
    try:
        return model.model_validate(data, context={"source": source})
    except ValidationError as exc:
        raise error(_message(exc.errors()[0], source)) from None


class _Document(BaseModel):
    # Strict: JSON types as written (no "1.5" for 1.5, no true for 1); unknown keys are ignored,
    # so a file written by a newer latentdrum with extra keys still opens.
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class _Header(_Document):
    """``format`` and ``version`` of a ``KIND`` document: the file's own name for what it is."""

    KIND: ClassVar[str]
    FORMAT: ClassVar[str]
    VERSION: ClassVar[int]
    format: Any = Field(default=None, validate_default=True)
    version: Any = Field(default=None, validate_default=True)

    @field_validator("format")
    @classmethod
    def _format(cls, v: Any, info: ValidationInfo) -> str:
        if v != cls.FORMAT:
            raise fail(f"{_source(info)} is not a latentdrum {cls.KIND} (its 'format' is {short_repr(v)})")
        return str(v)

    @field_validator("version")
    @classmethod
    def _version(cls, v: Any, info: ValidationInfo) -> int:
        if v != cls.VERSION or isinstance(v, bool):
            raise fail(f"{_source(info)} is {cls.KIND} format version {short_repr(v)}; this latentdrum reads version "
                        f"{cls.VERSION}. Upgrade latentdrum, or re-save the {cls.KIND} with this version.")
        return int(v)


# --- kits ---------------------------------------------------------------------------------------
class KitHeader(_Header):
    KIND, FORMAT, VERSION = "kit", KIT_FORMAT, KIT_VERSION
    sound_model_id: Any = Field(default=None, validate_default=True)

    @field_validator("sound_model_id")
    @classmethod
    def _model_id(cls, v: Any, info: ValidationInfo) -> str:
        if not isinstance(v, str) or not v:
            raise fail(f"{_source(info)} does not say which sound model made it ('sound_model_id' is missing)")
        return v


class KitVoiceFile(_Document):
    """One entry of a kit's ``voices``: the types of :class:`~latentdrum.instrument.kit.KitVoice`'s fields."""

    voice: str | None = None
    sound_class: str
    latent: list[float]
    knobs: dict[str, float] = Field(default_factory=dict)
    transpose: float = 0.0  # absent in kits written before it existed: not retuned
    gain_db: float = 0.0
    pan: float = 0.0
    tune: float = 0.0
    mute: bool = False


class KitFile(KitHeader):
    """A whole kit document; see :mod:`latentdrum.instrument.kit` for its layout."""

    name: str = ""
    choke_groups: list[list[str]] | None = None  # None: the default groups
    voices: list[KitVoiceFile]

    @field_validator("voices")
    @classmethod
    def _nine_in_order(cls, voices: list[KitVoiceFile], info: ValidationInfo) -> list[KitVoiceFile]:
        source = _source(info)
        if len(voices) != NUM_VOICES:
            raise fail(f"{source}: a kit has {NUM_VOICES} voices ({', '.join(VOICES)}), got {len(voices)}")
        for i, v in enumerate(voices):
            if v.voice is not None and v.voice != VOICES[i]:
                raise fail(f"{source}: voice {i + 1} ({VOICES[i]}) is labelled {v.voice!r}; "
                            f"voices must be in order {list(VOICES)}")
        return voices


# --- scenes -------------------------------------------------------------------------------------
class SceneHeader(_Header):
    KIND, FORMAT, VERSION = "scene", SCENE_FORMAT, SCENE_VERSION
    rhythm_model_id: Any = None
    sound_model_id: Any = None


class PinnedPatternFile(_Document):
    """A hand-edited pattern kept in a scene: ``(T, V)`` lists of hits (0/1), velocities, offsets."""

    hits: list[list[float]]
    velocities: list[list[float]]
    offsets: list[list[float]]


class RhythmFile(_Document):
    latent: list[float]
    style: str | None = None
    temperature: float = 1.0
    density: float = 0.0
    complexity: float = 0.0
    seed: int = 0
    bars: int | None = None  # None: the pinned pattern's bars, else 2
    fill_every: int = 0
    pattern: PinnedPatternFile | None = None


class SceneFile(SceneHeader):
    """A whole scene document; the kit inside is validated as a kit (:class:`KitFile`)."""

    rhythm: RhythmFile
    kit: Any = None  # checked by Kit.from_json, with a kit's messages
    bpm: float = 100.0
    swing: float = 50.0
    dynamics: float = 1.0
    variation: float = 0.15
