"""``latentdrum rhythm humanize | drumify | from-audio``: your own rhythm into the instrument.

Also ``train-groove`` (the humanize and drumify models), ``train-transcriber`` (from-audio's
onset-voice network) and ``evaluate-input`` (the quality tables of the three tasks).
Registered into ``latentdrum rhythm`` by :func:`register`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from latentdrum.cli.checks import count, number, out_dir, out_file
from latentdrum.cli.training_args import add_trainer_arguments, trainer_options_from_args
from latentdrum.patterns.pattern import MAX_BPM, MIN_BPM


def register(rsub: Any) -> None:
    p = rsub.add_parser("humanize", help="a quantized beat played like a drummer: velocities and micro-timing",
                        description="Keep every hit of IN.mid exactly; the humanize model gives each a velocity "
                        "and a timing offset, as drummers of STYLE play at the clip's tempo.")
    p.add_argument("input", type=Path, metavar="QUANTIZED.mid")
    p.add_argument("-o", "--out", type=out_file, required=True, metavar="OUT.mid")
    p.add_argument("--style", default=None, help="a style the model knows (default any)")
    p.add_argument("--amount", type=number(0.0, 1.0), default=1.0,
                   help="0 = unchanged .. 1 = fully humanized (default 1)")
    p.add_argument("--drum-map", choices=("gm", "roland"), default="gm", help="pitch map of the input")
    p.add_argument("--model", type=Path, default=None, help="a humanize checkpoint (default: bundled)")
    p.set_defaults(func=run_humanize)

    p = rsub.add_parser("drumify", help="a tapped rhythm (any key, any channel) becomes a full-kit groove",
                        description="Every note of TAPS.mid (any pitch, any channel) is a tap; the drumify model "
                        "plays a full kit on the tapped steps, each hit at its tap's time.")
    p.add_argument("input", type=Path, metavar="TAPS.mid")
    p.add_argument("-o", "--out", type=out_file, required=True, metavar="OUT.mid")
    p.add_argument("--style", default=None, help="a style the model knows (default any)")
    p.add_argument("--temperature", type=float, default=0.0,
                   help="0 = the most likely drums on each tap (default); up to 2 draws them, for variations")
    p.add_argument("--seed", type=int, default=0, help="seed of --temperature's draw")
    p.add_argument("--model", type=Path, default=None, help="a drumify checkpoint (default: bundled)")
    p.set_defaults(func=run_drumify)

    p = rsub.add_parser("from-audio", help="a drum loop (WAV, FLAC...) becomes an editable pattern",
                        description="Detect the loop's tempo, downbeat and onsets (librosa), decide which of the "
                        "9 drums struck at each onset and how hard, write the pattern as MIDI and place it in "
                        "the rhythm space.")
    p.add_argument("input", type=Path, metavar="LOOP.wav")
    p.add_argument("-o", "--out", type=out_file, required=True, metavar="OUT.mid")
    p.add_argument("--bpm", type=number(MIN_BPM, MAX_BPM, "BPM"), default=None,
                   help="the loop's tempo (default: estimated)")
    p.add_argument("--style", default=None, help="style for placing the pattern in the rhythm space")
    p.add_argument("--model", type=Path, default=None, help="a transcriber checkpoint (default: bundled)")
    p.add_argument("--rhythm-model", type=Path, default=None, help="rhythm checkpoint to place it in")
    p.set_defaults(func=run_from_audio)

    p = rsub.add_parser("train-groove", help="train the humanize or drumify model on a MIDI folder")
    p.add_argument("--task", choices=("humanize", "drumify"), required=True)
    p.add_argument("--data", type=Path, required=True, metavar="DIR")
    p.add_argument("--out", type=Path, required=True, metavar="RUN_DIR")
    p.add_argument("--width", type=int, default=128)
    p.add_argument("--blocks", type=int, default=8)
    p.add_argument("--max-train-windows", type=int, default=None, help="use at most this many (tiny runs)")
    add_trainer_arguments(p)
    p.set_defaults(func=run_train_groove)

    p = rsub.add_parser("train-transcriber", help="train from-audio's onset-voice network on renders",
                        description="Render 4-bar Groove MIDI train windows with the training kits of SAMPLE_DIR "
                        "and kits of the sound model (augmented: level, tuning, decay, layering, EQ, room, "
                        "saturation), then train. --render-only writes RUN_DIR/examples.npz and stops; "
                        "--examples trains on such files.")
    p.add_argument("--data", type=Path, required=True, metavar="MIDI_DIR", help="Groove MIDI layout or MIDI folder")
    p.add_argument("--samples", type=Path, required=True, metavar="SAMPLE_DIR", help="labelled one-shots")
    p.add_argument("--out", type=Path, required=True, metavar="RUN_DIR")
    p.add_argument("--windows", type=count(10, 20_000), default=2000, help="4-bar renders (default 2000)")
    p.add_argument("--sound-model-share", type=number(0.0, 1.0), default=0.4,
                   help="share of renders played by sound-model kits, 0-1 (default 0.4)")
    p.add_argument("--sound-model", type=Path, default=None, help="sound checkpoint for those kits (default: bundled)")
    p.add_argument("--render-only", action="store_true", help="write RUN_DIR/examples.npz and stop")
    p.add_argument("--examples", type=Path, nargs="+", default=[], metavar="NPZ",
                   help="train on these examples files (from --render-only runs) instead of rendering")
    p.add_argument("--epochs", type=count(1, 1000), default=40)
    p.add_argument("--max-minutes", type=float, default=None, help="training time budget (the schedule fits it)")
    p.add_argument("--hidden", type=count(16, 1024), default=128, help="network width (default 128)")
    p.add_argument("--context-layers", type=count(0, 8), default=2,
                   help="self-attention blocks over the loop's onsets (default 2; 0 = each onset alone)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--no-progress", action="store_true", help="no per-epoch lines")
    p.set_defaults(func=run_train_transcriber)

    p = rsub.add_parser("evaluate-input", help="quality tables of humanize, drumify and from-audio")
    p.add_argument("--task", choices=("humanize", "drumify", "from-audio"), required=True)
    p.add_argument("--data", type=Path, required=True, metavar="DIR")
    p.add_argument("--split", default="validation", choices=("train", "validation", "test"))
    p.add_argument("--samples", type=Path, default=None, metavar="SAMPLE_DIR",
                   help="labelled one-shots with the held-out kits (from-audio)")
    p.add_argument("--bars", type=count(1, 64), default=8, help="bars rendered per file (from-audio)")
    p.add_argument("--max-files", type=count(1, 10_000), default=None)
    p.add_argument("--out", type=out_dir, required=True, metavar="REPORT_DIR")
    p.add_argument("--model", type=Path, default=None, help="the task's checkpoint (default: bundled)")
    p.set_defaults(func=run_evaluate_input)


def run_humanize(args: argparse.Namespace) -> int:
    from latentdrum.patterns.midi import read_midi, write_midi
    from latentdrum.spaces.groove import GrooveSpace

    space = GrooveSpace.load("humanize", args.model)
    pattern = read_midi(args.input, args.drum_map).pattern
    out = space.humanize(pattern, args.style, args.amount)
    print(f"{write_midi(out, args.out)}: {out.num_hits} hits kept, {out.bars} bars at {out.bpm:.1f} BPM, "
          f"style {args.style or 'any'}, amount {args.amount:g}")
    return 0


def run_drumify(args: argparse.Namespace) -> int:
    from latentdrum.patterns.drummaps import VOICES
    from latentdrum.patterns.midi import write_midi
    from latentdrum.patterns.taps import read_taps
    from latentdrum.spaces.groove import GrooveSpace

    space = GrooveSpace.load("drumify", args.model)
    taps = read_taps(args.input)
    out = space.drumify(taps, args.style, args.temperature, args.seed)
    per_voice = ", ".join(f"{VOICES[v]} {int(n)}" for v, n in enumerate(out.hits.sum(0)) if n)
    print(f"{write_midi(out, args.out)}: {taps.num_hits} taps -> {out.num_hits} hits ({per_voice}), "
          f"{out.bars} bars at {out.bpm:.1f} BPM")
    return 0


def run_from_audio(args: argparse.Namespace) -> int:
    from latentdrum.patterns.drummaps import VOICES
    from latentdrum.patterns.midi import write_midi
    from latentdrum.sounds.audio import load_audio
    from latentdrum.spaces.listen import LoopTranscriber
    from latentdrum.spaces.rhythm import RhythmSpace

    tr = LoopTranscriber.load(args.model).transcribe(load_audio(args.input), args.bpm, str(args.input))
    p, a = tr.pattern, tr.analysis
    tempo = f"{a.bpm:.1f} BPM ({'given' if args.bpm else f'estimated, periodicity {a.clarity:.2f}'})"
    per_voice = ", ".join(f"{VOICES[v]} {int(n)}" for v, n in enumerate(p.hits.sum(0)) if n)
    print(f"{write_midi(p, args.out)}: {tempo}, {len(a.onsets)} onsets -> {p.num_hits} hits ({per_voice}), "
          f"{p.bars} bars from {tr.start:.3f} s")
    space = RhythmSpace.load(args.rhythm_model)
    wins = [p.slice_bars(s, space.bars) for s in range(0, p.bars, space.bars)]
    xy = space.to_map(space.encode(wins, args.style))
    for i, (x, y) in enumerate(xy):
        print(f"  bars {i * space.bars + 1}-{(i + 1) * space.bars}: rhythm map ({x:+.2f}, {y:+.2f})")
    return 0


def run_train_groove(args: argparse.Namespace) -> int:
    from latentdrum.models.groove import GrooveConfig
    from latentdrum.training.groove import train_groove

    opts = trainer_options_from_args(args, 100)
    path = train_groove(args.data, args.out, GrooveConfig(task=args.task, width=args.width, blocks=args.blocks),
                        opts=opts, max_train_windows=args.max_train_windows)
    print(f"wrote {path}")
    print((path.parent / "metrics.json").read_text())
    return 0


def run_train_transcriber(args: argparse.Namespace) -> int:
    from latentdrum.models.transcriber import TranscriberConfig
    from latentdrum.training.transcriber import train_transcriber, write_examples

    if args.render_only:
        made = write_examples(args.data, args.samples, args.out, args.windows, args.seed, args.sound_model_share,
                              args.sound_model, not args.no_progress)
        print(f"wrote {made}")
        return 0
    config = TranscriberConfig(hidden=args.hidden, context_layers=args.context_layers)
    path = train_transcriber(args.data, args.samples, args.out, args.windows, args.epochs, args.seed, args.threads,
                             args.sound_model, args.examples, config, args.max_minutes, args.sound_model_share,
                             not args.no_progress)
    print(f"wrote {path}")
    print((path.parent / "metrics.json").read_text())
    return 0


def run_evaluate_input(args: argparse.Namespace) -> int:
    from latentdrum.errors import ConfigError

    metrics: dict[str, Any]
    if args.task == "from-audio":
        from latentdrum.evaluation.listen import evaluate_from_audio
        from latentdrum.spaces.listen import LoopTranscriber

        if args.samples is None:
            raise ConfigError("--task from-audio needs --samples SAMPLE_DIR (the labelled one-shots of other kits)")
        metrics = evaluate_from_audio(LoopTranscriber.load(args.model), args.data, args.samples, args.split,
                                      args.bars, args.max_files)
    else:
        from latentdrum.evaluation.groove import evaluate_drumify, evaluate_humanize
        from latentdrum.spaces.groove import GrooveSpace

        space = GrooveSpace.load(args.task, args.model)
        metrics = (evaluate_humanize(space, args.data, args.split) if args.task == "humanize"
                   else evaluate_drumify(space, args.data, args.split))
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{args.task}.json"
    path.write_text(json.dumps(metrics, indent=2))
    print(json.dumps(metrics, indent=2))
    print(f"wrote {path}")
    return 0
