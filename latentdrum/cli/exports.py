"""Export flags shared by every command that writes MIDI or WAV: drum map, timing, sample rate.

::

    add_drum_map_argument(p, reads=True)   # --drum-map MAP [--out-drum-map MAP]
    add_clip_arguments(p)                  # --straight
    add_sample_rate_argument(p)            # --sample-rate 44100|48000|96000
    write_clip_file(pattern, path, args, swing=54.0, loops=2)

A map is ``gm``, ``roland``, a shipped map (``tr-8s``, ``volca-beats``) or a JSON map file; the
name is checked when the command line is parsed, so a typo stops the command before any model loads.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from latentdrum.errors import ConfigError
from latentdrum.patterns.drummaps import DrumMap, drum_map_names, get_drum_map

if TYPE_CHECKING:
    from latentdrum.patterns.pattern import Pattern

SAMPLE_RATE_CHOICES = (44_100, 48_000, 96_000)


def drum_map_arg(text: str) -> DrumMap:
    """argparse type: a named drum map or a JSON map file."""
    try:
        return get_drum_map(text)
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_drum_map_argument(p: argparse.ArgumentParser, reads: bool = False) -> None:
    """``--drum-map`` (and, for a command that reads MIDI too, ``--out-drum-map``)."""
    names = "|".join(drum_map_names())
    if reads:
        p.add_argument("--drum-map", type=drum_map_arg, default=get_drum_map("gm"), metavar=f"{names}|FILE.json",
                       help="drum map of the MIDI read, and of the MIDI written unless --out-drum-map (default gm)")
        p.add_argument("--out-drum-map", type=drum_map_arg, default=None, metavar="MAP",
                       help="drum map of the MIDI written (default: --drum-map)")
    else:
        p.add_argument("--drum-map", type=drum_map_arg, default=get_drum_map("gm"), metavar=f"{names}|FILE.json",
                       help="drum map of the MIDI written: a named map or a JSON map file (default gm)")


def add_clip_arguments(p: argparse.ArgumentParser) -> None:
    """``--straight``: the grid plus a groove template instead of the played timing."""
    p.add_argument("--straight", action="store_true",
                   help="write MIDI on the straight 16th grid, plus NAME.groove.mid beside it: a groove template "
                   "(swing and micro-timing) to extract and apply in the DAW")


def add_sample_rate_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--sample-rate", type=int, choices=SAMPLE_RATE_CHOICES, default=44_100, metavar="HZ",
                   help="sample rate of every WAV written: 44100, 48000 or 96000 (default 44100)")


def out_map(args: argparse.Namespace) -> DrumMap:
    """The map MIDI is written with: ``--out-drum-map``, else ``--drum-map``."""
    chosen = getattr(args, "out_drum_map", None)
    return chosen if chosen is not None else args.drum_map


def write_clip_file(pattern: Pattern, path: Path, args: argparse.Namespace, swing: float = 50.0,
                    loops: int = 1, bpm: float | None = None) -> list[Path]:
    """Write ``pattern`` as a DAW clip with this command's map and timing; the paths written."""
    from latentdrum.instrument.clip import ClipOptions, write_clip

    options = ClipOptions(swing=swing, loops=loops, bpm=bpm, drum_map=out_map(args),
                          timing="straight" if getattr(args, "straight", False) else "played")
    return write_clip(pattern, path, options)
