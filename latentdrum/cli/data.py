"""``latentdrum data``: look at what a folder of MIDI files or drum samples gives the models."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    data = sub.add_parser("data", help="summarise a data folder (what training would see)")
    dsub = data.add_subparsers(dest="data_command", metavar="KIND", required=True)

    p = dsub.add_parser(
        "patterns",
        help="read a MIDI folder (or one file) into drum patterns and summarise them",
        description="Read every .mid/.midi under DIR (Groove MIDI Dataset layout or any folder) into "
        "N-bar windows, cache them, and print files read and skipped, windows per split and style, "
        "and hits per voice.",
    )
    p.add_argument("path", type=Path, metavar="DIR_OR_FILE")
    p.add_argument("--bars", type=int, default=2, choices=(1, 2, 4), help="bars per window (default 2)")
    p.add_argument("--hop", type=int, default=1, help="bars between window starts (default 1)")
    p.add_argument(
        "--drum-map",
        choices=("gm", "roland"),
        default=None,
        help="pitch map (default: roland for the Groove MIDI Dataset, gm otherwise)",
    )
    ch = p.add_mutually_exclusive_group()
    ch.add_argument("--channel", type=int, default=10, help="MIDI channel holding the drums, 1-16 (default 10)")
    ch.add_argument("--any-channel", action="store_true", help="read notes on every channel as drums")
    p.add_argument("--no-cache", action="store_true", help="rebuild instead of reusing the cached windows")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=run_patterns)

    p = dsub.add_parser(
        "sounds",
        help="read a folder of drum one-shots and summarise them",
        description="Label every audio file under DIR (labels.csv, else its file and folder names read with "
        "the rest of its kit, else its sound, with a calibrated classifier; files the sound is not sure of are "
        "listed as unknown with their best guesses, never guessed), prepare it as the sound model sees it "
        "(mono 44.1 kHz, onset-aligned, loudness-normalised, "
        "cut to 1 s with a fade), cache the result, and print counts per class and kit, skipped files with "
        "their reasons, and durations.",
    )
    p.add_argument("path", type=Path, metavar="DIR")
    p.add_argument("--no-cache", action="store_true", help="rebuild instead of reusing the cached sounds")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=run_sounds)


def run_patterns(args: argparse.Namespace) -> int:
    from latentdrum.errors import ConfigError

    if not 1 <= args.channel <= 16:
        raise ConfigError(f"--channel must be 1-16, got {args.channel}")
    channel = None if args.any_channel else args.channel - 1
    if args.path.is_file():
        return _one_file(args, channel)

    from latentdrum.patterns.dataset import PatternDatasetConfig, build_pattern_dataset

    config = PatternDatasetConfig(bars=args.bars, hop=args.hop, drum_map=args.drum_map, channel=channel)
    t0 = time.perf_counter()
    ds = build_pattern_dataset(args.path, config, use_cache=not args.no_cache)
    seconds = time.perf_counter() - t0
    summary = ds.summary() | {"seconds": round(seconds, 2), "from_cache": ds.cached}
    if args.json:
        print(json.dumps(summary | {"skipped": ds.skipped}, indent=2))
        return 0
    _print_summary(summary, ds.skipped)
    return 0


def _one_file(args: argparse.Namespace, channel: int | None) -> int:
    from latentdrum.patterns.descriptors import describe_one
    from latentdrum.patterns.midi import read_midi, windows

    drums = read_midi(args.path, args.drum_map or "gm", channel)
    p = drums.pattern
    wins = windows(drums, args.bars, args.hop)
    info = {
        "file": str(args.path),
        "bars": p.bars,
        "bpm": round(p.bpm, 2),
        "hits": p.num_hits,
        "windows": len(wins),
        "unmapped_notes": drums.unmapped_notes,
        "descriptors": describe_one(p),
    }
    print(json.dumps(info, indent=2) if args.json else "\n".join(f"{k}: {v}" for k, v in info.items()))
    return 0


def _print_skipped(skipped: list[tuple[str, str]], reasons: dict[str, int], shown: int = 20) -> None:
    """Counts per reason, then the first ``shown`` files with theirs."""
    if not skipped:
        return
    print(f"\nskipped {len(skipped)} files:")
    for reason, n in reasons.items():
        print(f"  {n:5d}  {reason}")
    for rel, reason in skipped[:shown]:
        print(f"         {rel}: {reason}")
    if len(skipped) > shown:
        print(f"         ... and {len(skipped) - shown} more (--json lists all)")


def _print_summary(s: dict[str, Any], skipped: list[tuple[str, str]]) -> None:
    src = "cache" if s["from_cache"] else "MIDI files"
    print(
        f"{s['root']}: {s['windows']} windows of {s['bars_per_window']} bars (hop {s['hop_bars']}) "
        f"from {s['files_read']} of {s['files_found']} files, read from {src} in {s['seconds']} s"
    )
    _print_skipped(skipped, s["skip_reasons"])
    styles = sorted({k for split in s["per_split"].values() for k in split if k != "windows"})
    splits = list(s["per_split"])
    print("\nwindows per split and style:")
    print(f"  {'style':<16}" + "".join(f"{sp:>12}" for sp in splits))
    print(f"  {'(all)':<16}" + "".join(f"{s['per_split'][sp]['windows']:>12}" for sp in splits))
    for st in styles:
        print(f"  {st:<16}" + "".join(f"{s['per_split'][sp].get(st, 0):>12}" for sp in splits))
    print("\nhits per voice:")
    for voice, n in s["hits_per_voice"].items():
        print(f"  {voice:<12}{n:>10}")


def run_sounds(args: argparse.Namespace) -> int:
    from latentdrum.sounds.dataset import build_sound_dataset

    t0 = time.perf_counter()
    ds = build_sound_dataset(args.path, use_cache=not args.no_cache, progress=not args.json)
    s = ds.summary() | {"seconds": round(time.perf_counter() - t0, 2), "from_cache": ds.cached}
    if args.json:
        print(json.dumps(s | {"skipped": ds.skipped}, indent=2))
        return 0
    src = "cache" if s["from_cache"] else "audio files"
    print(f"{s['root']}: {s['files_used']} sounds from {s['files_found']} files, read from {src} in {s['seconds']} s")
    _print_skipped(ds.skipped, s["skip_reasons"])
    _print_labelling(s, ds.skipped)
    print("\nsounds per class:")
    for cls, n in s["per_class"].items():
        print(f"  {cls:<12}{n:>6}")
    print("\nsounds per kit (folder):")
    for kit, n in s["per_kit"].items():
        print(f"  {kit:<32}{n:>6}")
    d = s["duration_seconds"]
    print(f"\ndurations from onset: min {d['min']} s, median {d['median']} s, max {d['max']} s; "
          f"{d['longer_than_cut']} longer than {d['cut_at']} s are cut with a fade")
    if s["licenses"]:
        print("licenses: " + ", ".join(f"{k} ({v})" for k, v in s["licenses"].items()))
    return 0


def _print_labelling(s: dict[str, Any], skipped: list[tuple[str, str]], shown: int = 20) -> None:
    """Where the classes came from; each file labelled by its sound with how sure it was; unknowns."""
    if s["labelled_by"]:
        print("\nclasses from: " + ", ".join(f"{src} {n}" for src, n in s["labelled_by"].items()))
    by_sound = s["labelled_by_sound"]
    if by_sound:
        print(f"\nlabelled by their sound ({len(by_sound)}; put a labels.csv beside them to correct any):")
        for b in by_sound[:shown]:
            alts = ", ".join(f"{c} {p:.2f}" for c, p in b["alternatives"][1:3])
            print(f"  {b['file']}: {b['class']} ({b['confidence']:.2f} sure; {b['why']}; then {alts or '-'})")
        if len(by_sound) > shown:
            print(f"  ... and {len(by_sound) - shown} more (--json lists all)")
    unknown = [(rel, r) for rel, r in skipped if r.startswith("class unknown")]
    if unknown:
        print(f"\nunknown class ({len(unknown)}, not used; their best guesses are above with the skipped files)")
