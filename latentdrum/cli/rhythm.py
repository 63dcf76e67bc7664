"""``latentdrum rhythm``: train, sample, interpolate, reconstruct and evaluate the groove VAE."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from latentdrum.cli.checks import count, out_dir, out_file
from latentdrum.cli.exports import add_clip_arguments, add_drum_map_argument
from latentdrum.cli.training_args import add_trainer_arguments, trainer_options_from_args

if TYPE_CHECKING:
    from latentdrum.patterns.pattern import Pattern

DEFAULT_EPOCHS = 200  # a time budget (--max-minutes) usually ends the run first


def register(sub: Any) -> None:
    rhythm = sub.add_parser("rhythm", help="the rhythm space: a groove VAE over drum patterns")
    rsub = rhythm.add_subparsers(dest="rhythm_command", metavar="ACTION", required=True)

    def model_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument("--model", type=Path, default=None, help="a rhythm checkpoint (default: the bundled model)")

    p = rsub.add_parser("train", help="train a groove VAE on a MIDI folder",
                        description="Train on DIR's train split (Groove MIDI layout or any MIDI folder), "
                        "score the validation split each epoch, keep the best epoch as RUN_DIR/rhythm.ckpt.")
    p.add_argument("--data", type=Path, required=True, metavar="DIR")
    p.add_argument("--out", type=Path, required=True, metavar="RUN_DIR")
    p.add_argument("--bars", type=int, default=2, choices=(1, 2, 4))
    p.add_argument("--latent-dim", type=int, default=128)
    p.add_argument("--hidden", type=int, default=512, help="encoder width")
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--beta", type=float, default=0.05, help="KL weight after annealing")
    p.add_argument("--free-bits", type=float, default=0.1, help="nats per latent dimension")
    p.add_argument("--unconditional", action="store_true", help="ignore style labels")
    p.add_argument("--max-train-windows", type=int, default=None, help="use at most this many (tiny runs)")
    add_trainer_arguments(p)
    p.set_defaults(func=run_train)

    p = rsub.add_parser("sample", help="write N new drum clips sampled from the model",
                        description="Sample grooves (or phrases with fills) of a style. A sample that comes out "
                        "degenerate (an empty bar, or far sparser than the style's real grooves) is drawn again; "
                        "you are told if one cannot be helped.")
    p.add_argument("--n", type=count(1, 1000), default=8, help="how many clips, 1-1000 (default 8)")
    p.add_argument("--style", default=None, help="a style the model knows (see 'rhythm info'), default any")
    p.add_argument("--temperature", type=float, default=1.0,
                   help="0 = the style's most typical groove, played straight; "
                   "1 = the data's own spread in groove, velocity and timing")
    p.add_argument("--density", type=float, default=0.0, help="-1 sparser .. +1 busier")
    p.add_argument("--complexity", type=float, default=0.0, help="-1 simpler .. +1 more syncopated")
    p.add_argument("--bars", type=int, default=None, choices=(1, 2, 4, 8),
                   help="phrase length (default: the model's window, 2 bars for the bundled model)")
    p.add_argument("--fill-every", type=int, default=0, choices=(0, 2, 4, 8), metavar="N",
                   help="a fill in the last bar of every N bars (0 = none; N <= --bars)")
    p.add_argument("--variation", type=float, default=0.15,
                   help="how much the bars of a phrase differ (0 = exact repeats, 1 = a new groove)")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--bpm", type=float, default=120.0)
    p.add_argument("-o", "--out", type=out_dir, required=True, metavar="OUT_DIR")
    add_drum_map_argument(p)
    add_clip_arguments(p)
    model_arg(p)
    p.set_defaults(func=run_sample)

    p = rsub.add_parser("interpolate", help="morph from one MIDI clip to another in K steps")
    p.add_argument("a", type=Path, metavar="A.mid")
    p.add_argument("b", type=Path, metavar="B.mid")
    p.add_argument("--steps", type=count(1, 64), default=6, help="intermediate clips (K, 1-64); K+2 files are written")
    p.add_argument("--style", default=None)
    add_drum_map_argument(p, reads=True)
    add_clip_arguments(p)
    p.add_argument("--bars", type=int, default=None, choices=(2, 4, 8),
                   help="bars of each clip to morph (default: the model's window); a shorter file is looped")
    p.add_argument("-o", "--out", type=out_dir, required=True, metavar="OUT_DIR")
    model_arg(p)
    p.set_defaults(func=run_interpolate)

    p = rsub.add_parser("reconstruct", help="encode and decode every window of a MIDI file (what the model hears)")
    p.add_argument("input", type=Path, metavar="IN.mid")
    p.add_argument("-o", "--out", type=out_file, required=True, metavar="OUT.mid")
    p.add_argument("--style", default=None)
    add_drum_map_argument(p, reads=True)
    add_clip_arguments(p)
    model_arg(p)
    p.set_defaults(func=run_reconstruct)

    p = rsub.add_parser("evaluate", help="metrics.json and plots on a data split")
    p.add_argument("--data", type=Path, required=True, metavar="DIR")
    p.add_argument("--split", default="validation", choices=("train", "validation", "test"))
    p.add_argument("--out", type=out_dir, required=True, metavar="REPORT_DIR")
    p.add_argument("--samples", type=count(1, 20_000), default=2000,
                   help="prior samples to compare with the data, 1-20000 (default 2000)")
    p.add_argument("--groove-samples", type=count(1, 1000), default=100,
                   help="samples per style and temperature in the groove table (grooves.md), 1-1000")
    p.add_argument("--seed", type=int, default=0)
    model_arg(p)
    p.set_defaults(func=run_evaluate)

    p = rsub.add_parser("info", help="print a rhythm checkpoint's config, styles and metrics")
    model_arg(p)
    p.set_defaults(func=run_info)
    from latentdrum.cli import rhythm_input  # humanize, drumify, from-audio (imports nothing heavy)

    rhythm_input.register(rsub)


def run_train(args: argparse.Namespace) -> int:
    from latentdrum.models.rhythm import RhythmVAEConfig
    from latentdrum.training.rhythm import RhythmTrainConfig, train_rhythm

    opts = trainer_options_from_args(args, DEFAULT_EPOCHS)
    path = train_rhythm(
        args.data,
        args.out,
        RhythmVAEConfig(steps=args.bars * 16, latent_dim=args.latent_dim, hidden=args.hidden),
        RhythmTrainConfig(batch_size=args.batch_size, lr=args.lr, beta=args.beta, free_bits=args.free_bits,
                          conditional=not args.unconditional),
        opts,
        max_train_windows=args.max_train_windows,
    )
    print(f"wrote {path}")
    print((path.parent / "metrics.json").read_text())
    return 0


def run_sample(args: argparse.Namespace) -> int:
    import sys

    from latentdrum.cli.exports import write_clip_file
    from latentdrum.patterns.descriptors import describe_one
    from latentdrum.spaces.phrase import Phrase, sample_phrases
    from latentdrum.spaces.rhythm import RhythmKnobs, RhythmSpace

    space = RhythmSpace.load(args.model)
    phrase = Phrase(args.bars or space.bars, args.fill_every, args.variation)
    got = sample_phrases(space, args.n, args.style, args.temperature, args.seed,
                         RhythmKnobs(args.density, args.complexity), phrase, args.bpm)
    tag = args.style or "any"
    for i, p in enumerate(got.patterns):
        path = write_clip_file(p, args.out / f"sample_{tag}_{i:03d}.mid", args)[0]
        d = describe_one(p)
        note = "  (degenerate: could not draw a playable one)" if i in got.degenerate else ""
        print(f"{path}  {p.bars} bars  hits/bar {d['density']:.1f}  syncopation {d['syncopation']:.2f}  "
              f"swing {d['swing']:+.3f}  voices {int(d['voices_used'])}{note}")
    if got.degenerate:
        print(f"warning: {len(got.degenerate)} of {args.n} samples are nearly empty even after redrawing; "
              "raise --density or --temperature, or pick another --style", file=sys.stderr)
    return 0


def run_interpolate(args: argparse.Namespace) -> int:
    from latentdrum.cli.exports import write_clip_file
    from latentdrum.patterns.midi import concat, read_midi
    from latentdrum.spaces.rhythm import RhythmSpace

    space = RhythmSpace.load(args.model)
    bars = args.bars or space.bars

    def first_bars(path: Path) -> Pattern:  # the first ``bars`` bars, looping a shorter file
        p = read_midi(path, args.drum_map).pattern
        return concat([p] * -(-bars // p.bars)).slice_bars(0, bars)

    a, b = first_bars(args.a), first_bars(args.b)
    clips = space.interpolate(a, b, args.steps, args.style)
    width = len(str(len(clips) - 1))
    for i, p in enumerate(clips):
        print(write_clip_file(p, args.out / f"interp_{i:0{width}d}.mid", args)[0])
    return 0


def run_reconstruct(args: argparse.Namespace) -> int:
    from latentdrum.cli.exports import write_clip_file
    from latentdrum.patterns.midi import read_midi
    from latentdrum.spaces.rhythm import RhythmSpace

    space = RhythmSpace.load(args.model)
    drums = read_midi(args.input, args.drum_map)
    out = space.reconstruct(drums, args.style)
    print(f"{write_clip_file(out, args.out, args)[0]}: {out.bars} bars at {out.bpm:.1f} BPM, {out.num_hits} hits "
          f"(input {drums.pattern.num_hits})")
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from latentdrum.evaluation.rhythm import evaluate_rhythm
    from latentdrum.spaces.rhythm import RhythmSpace

    metrics = evaluate_rhythm(RhythmSpace.load(args.model), args.data, args.split, args.out, args.samples, args.seed,
                              args.groove_samples)
    print(json.dumps({k: v for k, v in metrics.items() if k not in ("grooves", "fills")}, indent=2))
    print((args.out / "grooves.md").read_text())
    return 0


def run_info(args: argparse.Namespace) -> int:
    from latentdrum.models.checkpoint import load_checkpoint
    from latentdrum.spaces.rhythm import bundled_rhythm_checkpoint

    path = args.model or bundled_rhythm_checkpoint()
    ckpt = load_checkpoint(path, "rhythm")
    print(json.dumps({"path": str(path), "config": ckpt.config, "metrics": ckpt.metrics}, indent=2, default=str))
    return 0
