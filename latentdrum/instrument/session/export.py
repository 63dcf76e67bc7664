"""The session's downloads as file bytes: MIDI clips, WAV loops at any rate, a stems zip.

Every download takes :class:`DownloadOptions` (the page's map, timing and rate selectors, read
from the query string): the MIDI is the clip as the loop plays it (:mod:`latentdrum.instrument.clip`,
swing and micro-timing in the notes) or straight with its groove template, written with a named
drum map; the WAVs are rendered at 44.1, 48 or 96 kHz.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

import numpy as np

from latentdrum.errors import ConfigError
from latentdrum.instrument.clip import ClipOptions, Timing, clip_midi, groove_midi
from latentdrum.instrument.render import SAMPLE_RATES, check_sample_rate
from latentdrum.instrument.stems import StemRender, stem_name, wav_file_bytes
from latentdrum.patterns.drummaps import GENERAL_MIDI, DrumMap, drum_map_names, get_drum_map
from latentdrum.patterns.export import midi_file_bytes
from latentdrum.patterns.pattern import Pattern


@dataclass(frozen=True)
class DownloadOptions:
    """What the page asks of a download: drum map (a named one), MIDI timing, WAV sample rate."""

    drum_map: DrumMap = field(default=GENERAL_MIDI)
    timing: Timing = "played"
    sample_rate: int = 44_100

    @classmethod
    def from_query(cls, drum_map: str | None = None, timing: str | None = None,
                   rate: str | None = None) -> DownloadOptions:
        """Parse the query string's ``map``, ``timing`` and ``rate``; a bad value is a :class:`ConfigError`.

        Only named maps are accepted here (never a file path: the page must not read files)."""
        name = drum_map or "gm"
        if name not in drum_map_names():
            raise ConfigError(f"unknown drum map {name[:40]!r}; the page offers {', '.join(drum_map_names())}")
        if (timing or "played") not in ("played", "straight"):
            raise ConfigError("timing must be 'played' or 'straight'")
        try:
            sample_rate = check_sample_rate(int(rate)) if rate else 44_100
        except ValueError:
            raise ConfigError(f"rate must be one of {', '.join(map(str, SAMPLE_RATES))}") from None
        return cls(get_drum_map(name), "straight" if timing == "straight" else "played", sample_rate)


def drum_maps_view() -> dict[str, list[int]]:
    """Every named drum map and the pitch each voice is written as (the page's map selector)."""
    return {name: list(get_drum_map(name).write_pitches) for name in drum_map_names()}


def midi_bytes(pattern: Pattern, swing: float, options: DownloadOptions | None = None, loops: int = 1,
               name: str = "latentdrum") -> bytes:
    """``pattern`` at ``swing`` as a DAW clip (see :func:`~latentdrum.instrument.clip.clip_midi`)."""
    options = options or DownloadOptions()
    clip = ClipOptions(swing=swing, loops=loops, drum_map=options.drum_map, timing=options.timing)
    return midi_file_bytes(clip_midi(pattern, clip, name))


def groove_bytes(pattern: Pattern, swing: float, name: str = "latentdrum groove") -> bytes:
    """The groove template of ``pattern`` at ``swing`` (see :func:`~latentdrum.instrument.clip.groove_midi`)."""
    return midi_file_bytes(groove_midi(pattern, ClipOptions(swing=swing), name))


def wav_bytes(audio: np.ndarray, sample_rate: int = 44_100) -> bytes:
    """``(N, 2)`` float audio -> a 24-bit stereo WAV file at ``sample_rate``, clipped to [-1, 1]."""
    return wav_file_bytes(np.clip(audio, -1.0, 1.0), sample_rate)


def stems_zip(stems: StemRender, pattern: Pattern, swing: float, options: DownloadOptions | None = None,
              loops: int = 1) -> bytes:
    """A zip of ``mix.wav``, one WAV per sounding voice, and the clip as played (``pattern.mid``),
    all in the folder ``latentdrum-stems/``: drag the folder into a DAW at bar 1."""
    options = options or DownloadOptions()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("latentdrum-stems/mix.wav", wav_file_bytes(stems.mix, stems.sample_rate))
        for v, audio in stems.stems():
            z.writestr(f"latentdrum-stems/{stem_name(v)}", wav_file_bytes(audio, stems.sample_rate))
        z.writestr("latentdrum-stems/pattern.mid", midi_bytes(pattern, swing, options, loops))
        if options.timing == "straight":
            z.writestr("latentdrum-stems/pattern.groove.mid", groove_bytes(pattern, swing))
    return buf.getvalue()
