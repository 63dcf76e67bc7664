"""Files a page hands over, read the way the CLI reads files on disk.

An upload is bytes and the name the browser gave it. Each reader writes the bytes under that
name into a private temporary folder and calls the same reader the CLI calls on a path
(:func:`~latentdrum.patterns.midi.read_midi`, :func:`~latentdrum.sounds.audio.load_audio`), so a
file imports in the page exactly as it does on the command line. Error messages name the file
as the user knows it (never the temporary folder) and speak of the page's controls instead of
command-line flags. Nothing here touches a session: these run off the session's thread.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from latentdrum.errors import AudioError, LatentDrumError, MidiError
from latentdrum.patterns.drummaps import drum_map_names
from latentdrum.patterns.midi import read_midi
from latentdrum.patterns.pattern import Pattern
from latentdrum.sounds.audio import AUDIO_SUFFIXES, SAMPLE_RATE, load_audio

MIDI_SUFFIXES = (".mid", ".midi", ".smf", ".kar")
MAX_LOOP_SECONDS = 32.0  # of a dropped loop, analysed; the rest is left out (and the page says so)
MAX_NAME = 120

# CLI wording in the readers' messages -> what the page offers instead.
_PAGE_WORDS = (
    ("; pass the channel that holds the drums (--channel N) or --any-channel", ""),
    ("try another --drum-map", "pick another Map (top bar) and drop it again"),
    ("pass its tempo with --bpm B", "type its tempo and import it again"),
    ("pass --bpm", "type its tempo and import it again"),
)


class NeedsTempo(AudioError):
    """A loop whose tempo cannot be estimated: the page asks the user for it."""


@dataclass(frozen=True)
class ReadPattern:
    """A pattern read from an uploaded file and what the player should be told about it."""

    pattern: Pattern
    notes: tuple[str, ...] = ()


def display_name(name: str, default: str) -> str:
    """The file's own name as the browser gave it (folders and control characters dropped)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()[:MAX_NAME]
    return base or default


def _safe_file_name(name: str, suffixes: tuple[str, ...], default_suffix: str) -> str:
    """A file name to write in the private folder: the user's name in safe characters, with a
    suffix the reader understands."""
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    suffix = f".{suffix.lower()}" if f".{suffix.lower()}" in suffixes else default_suffix
    stem = re.sub(r"[^A-Za-z0-9._ -]", "_", stem).strip(" .") or "upload"
    return stem[:80] + suffix


def for_page(exc: LatentDrumError, path: Path | None = None, shown: str = "") -> LatentDrumError:
    """``exc`` with the temporary ``path`` it read called ``shown`` (the user's name for the file)
    and command-line flags taken out of the message."""
    text = str(exc)
    if path is not None:
        text = text.replace(str(path), shown).replace(f"'{path.name}'", f"'{shown}'")
    for cli, page in _PAGE_WORDS:
        text = text.replace(cli, page)
    text = text.replace(" ()", "")  # a reader's exception that said nothing more
    cls = type(exc)
    try:
        return cls(text)
    except TypeError:  # an exception with another constructor keeps its message as it is
        return exc


def _check_size(data: bytes, name: str, kind: str) -> None:
    if not data:
        raise (MidiError if kind == "MIDI" else AudioError)(f"{name} is empty (0 bytes); choose a {kind} file")


def read_midi_upload(data: bytes, name: str, drum_map: str = "gm") -> ReadPattern:
    """An uploaded MIDI file -> its drum pattern, as ``read_midi`` reads it with ``drum_map``.

    Drums are read from channel 10; a file with notes on other channels only is read from all
    of them (a clip exported from a piano roll), and the notes say so.

    Raises:
        MidiError: not a MIDI file, no drum notes, not 4/4, or none the drum map knows.
        ConfigError: ``drum_map`` is not one of the named maps.
    """
    from latentdrum.errors import ConfigError

    if drum_map not in drum_map_names():
        raise ConfigError(f"unknown drum map {drum_map[:40]!r}; the page offers {', '.join(drum_map_names())}")
    shown = display_name(name, "dropped.mid")
    _check_size(data, shown, "MIDI")
    with tempfile.TemporaryDirectory(prefix="latentdrum-upload-") as tmp:
        path = Path(tmp) / _safe_file_name(shown, MIDI_SUFFIXES, ".mid")
        path.write_bytes(data)
        notes: list[str] = []
        try:
            try:
                drums = read_midi(path, drum_map)
            except MidiError as exc:
                if "no drum notes on MIDI channel 10" not in str(exc):
                    raise
                drums = read_midi(path, drum_map, channel=None)
                notes.append("no notes on channel 10, so every channel was read")
        except LatentDrumError as exc:
            raise for_page(exc, path, shown).with_traceback(None) from None
    if drums.unmapped_notes:
        notes.append(f"{drums.unmapped_notes} notes on pitches the {drum_map!r} map does not know were left out "
                     "(another Map may read them)")
    return ReadPattern(drums.pattern, tuple(notes))


def read_audio_upload(data: bytes, name: str, what: str = "audio") -> np.ndarray:
    """An uploaded audio file -> mono float32 ``(N,)`` at 44.1 kHz, as ``load_audio`` reads it
    (any format and bit depth libsndfile reads: WAV 8-32 bit, FLAC, OGG, AIFF; any rate).

    Raises:
        AudioError: empty, corrupt or not audio (a MIDI file dropped where audio goes is named as such).
    """
    shown = display_name(name, f"dropped {what}")
    _check_size(data, shown, "audio")
    if data[:4] == b"MThd":
        raise AudioError(f"{shown} is a MIDI file, not audio; drop MIDI on the pattern grid")
    with tempfile.TemporaryDirectory(prefix="latentdrum-upload-") as tmp:
        path = Path(tmp) / _safe_file_name(shown, AUDIO_SUFFIXES, ".wav")
        path.write_bytes(data)
        try:
            return load_audio(path)
        except LatentDrumError as exc:
            raise for_page(exc, path, shown).with_traceback(None) from None


def cut_loop(audio: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    """A loop cut to :data:`MAX_LOOP_SECONDS` (analysis time grows with length), with a note when cut."""
    limit = int(MAX_LOOP_SECONDS * SAMPLE_RATE)
    if len(audio) <= limit:
        return audio, ()
    return audio[:limit], (f"the first {MAX_LOOP_SECONDS:g} s of {len(audio) / SAMPLE_RATE:.0f} s were read",)


def tempo_question(exc: AudioError) -> AudioError:
    """A "no clear tempo" error as :class:`NeedsTempo` (the page then asks for the tempo)."""
    return NeedsTempo(str(exc)) if "no clear tempo" in str(exc) else exc


__all__ = ["MAX_LOOP_SECONDS", "MIDI_SUFFIXES", "NeedsTempo", "ReadPattern", "cut_loop", "display_name",
           "for_page", "read_audio_upload", "read_midi_upload", "tempo_question"]
