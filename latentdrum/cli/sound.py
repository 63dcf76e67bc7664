"""``latentdrum sound``: train, sample, reconstruct, morph and evaluate drum sounds."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from latentdrum.cli.checks import count, out_dir, out_file
from latentdrum.cli.exports import add_sample_rate_argument

KNOB_HELP = "knob in [-1, 1], 0 = neutral"


def _model_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", type=Path, default=None, help="sound checkpoint (default: the bundled model)")


def _write_one_shot(path: Path, audio: Any, sample_rate: int) -> Path:
    """A decoded ``(N,)`` 44.1 kHz one-shot, its silent tail cut, written at ``sample_rate`` Hz
    (scipy's polyphase resampler: the strike stays at sample 0)."""
    from latentdrum.sounds.audio import SAMPLE_RATE, resample, trim_tail, write_wav

    return write_wav(path, resample(trim_tail(audio), SAMPLE_RATE, sample_rate), sample_rate)


def register(sub: Any) -> None:
    from latentdrum.cli.training_args import add_trainer_arguments

    sound = sub.add_parser("sound", help="drum-sound space: train, sample, reconstruct, morph, evaluate")
    ssub = sound.add_subparsers(dest="sound_command", metavar="ACTION", required=True)

    p = ssub.add_parser("train", help="train a sound VAE on a folder of one-shots",
                        description="Build the dataset from DIR (labels.csv, sub-folders or file names), hold out "
                        "whole kits, train the class-conditional VAE with Lightning and write RUN_DIR/sound.ckpt.")
    p.add_argument("--data", type=Path, required=True, metavar="DIR", help="folder of drum one-shots")
    p.add_argument("--out", type=Path, required=True, metavar="RUN_DIR", help="where the run and sound.ckpt go")
    p.add_argument("--holdout", nargs="*", default=None, metavar="KIT",
                   help="kits (folders relative to DIR) never trained on (default: four kits of the shared data "
                   "when present); pass --holdout with no KIT to train on everything")
    p.add_argument("--latent-dim", type=int, default=32, help="latent dimensions (default 32)")
    p.add_argument("--hidden", type=int, default=384, help="MLP width (default 384)")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--kl-weight", type=float, default=0.005, help="KL weight per latent dimension (default 0.005)")
    p.add_argument("--envelope-weight", type=float, default=1.0,
                   help="weight of each frame's overall level error (attack, decay) beside the per-bin error "
                   "(default 1; 0 = the per-bin error alone)")
    p.add_argument("--warp-semitones", type=float, default=1.0,
                   help="augmentation: random pitch of up to +-this many semitones (default 1; 0 = off)")
    p.add_argument("--warp-time", type=float, default=0.3,
                   help="augmentation: random time stretch of up to +-this many octaves (default 0.3; 0 = off)")
    add_trainer_arguments(p)
    p.set_defaults(func=run_train)

    p = ssub.add_parser("sample", help="sample sounds of one class and write WAV files")
    p.add_argument("--class", dest="cls", required=True, help="sound class, e.g. kick, snare, closed_hat")
    p.add_argument("--n", type=count(1, 256), default=8, help="how many sounds, 1-256 (default 8)")
    p.add_argument("--seed", type=int, default=None, help="random seed (same seed, same sounds)")
    p.add_argument("--temperature", type=float, default=1.0, help="spread of the samples (default 1)")
    for knob in ("brightness", "decay", "pitch", "attack"):
        p.add_argument(f"--{knob}", type=float, default=0.0, help=KNOB_HELP)
    p.add_argument("--intensity", type=float, default=0.5, help="how hard the hit is, 0-1 (default 0.5)")
    p.add_argument("-o", "--out", type=out_dir, required=True, metavar="OUT_DIR")
    _model_arg(p)
    add_sample_rate_argument(p)
    p.set_defaults(func=run_sample)

    p = ssub.add_parser("reconstruct", help="encode your own sample into the space and decode it "
                        "(a kick or a tom keeps its pitch)")
    p.add_argument("input", type=Path, metavar="IN.wav")
    p.add_argument("--class", dest="cls", default=None,
                   help="its class (default: from its file and folder name, else from its sound)")
    p.add_argument("-o", "--out", type=out_file, required=True, metavar="OUT.wav")
    _model_arg(p)
    add_sample_rate_argument(p)
    p.set_defaults(func=run_reconstruct)

    p = ssub.add_parser("morph", help="morph from one sample to another in K steps (WAV files)")
    p.add_argument("a", type=Path, metavar="A.wav")
    p.add_argument("b", type=Path, metavar="B.wav")
    p.add_argument("--steps", type=count(2, 64), default=8, help="sounds from A to B inclusive, 2-64 (default 8)")
    p.add_argument("--class", dest="cls", default=None,
                   help="class of both (default: from each file's name, else from its sound)")
    p.add_argument("-o", "--out", type=out_dir, required=True, metavar="OUT_DIR")
    _model_arg(p)
    add_sample_rate_argument(p)
    p.set_defaults(func=run_morph)

    p = ssub.add_parser("evaluate", help="metrics.json and pictures on kits the model never heard")
    p.add_argument("--data", type=Path, required=True, metavar="DIR")
    p.add_argument("--out", type=out_dir, required=True, metavar="REPORT_DIR")
    p.add_argument("--n-samples", type=count(1, 1024), default=64, help="sampled sounds per class, 1-1024 (default 64)")
    p.add_argument("--sweep-latents", type=count(1, 64), default=4, help="latents per knob sweep, 1-64 (default 4)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-plots", action="store_true")
    _model_arg(p)
    p.set_defaults(func=run_evaluate)

    p = ssub.add_parser("train-classifier", help="build the sound classifier that labels samples by ear",
                        description="Fit the calibrated classifier that names a sample's class from its sound "
                        "(used where the file name says nothing) on the labelled sounds of DIR, hold out whole "
                        "kits, and print its accuracy on them: name rule alone, sound alone, both together.")
    p.add_argument("--data", type=Path, required=True, metavar="DIR", help="folder of labelled one-shots")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.npz", help="where the classifier goes "
                   "(.npz or .json; the bundled one is latentdrum/assets/sound_classifier.npz)")
    p.add_argument("--holdout", nargs="*", default=None, metavar="KIT",
                   help="kits never trained on, measured on (default: those of the bundled sound model when "
                   "present); pass --holdout with no KIT to train on everything")
    p.add_argument("--no-augment", action="store_true", help="train without the speed-changed copies")
    p.add_argument("--report", type=Path, default=None, metavar="JSON", help="also write the held-out report here")
    p.set_defaults(func=run_train_classifier)


def run_train(args: argparse.Namespace) -> int:
    from latentdrum.cli.training_args import trainer_options_from_args
    from latentdrum.models.sound import SoundVAEConfig
    from latentdrum.training.sound import DEFAULT_EPOCHS, DEFAULT_HOLDOUT, SoundTrainConfig, train_sound

    holdout = DEFAULT_HOLDOUT if args.holdout is None else tuple(args.holdout)
    try:
        model_cfg = SoundVAEConfig(latent_dim=args.latent_dim, hidden=args.hidden)
        train_cfg = SoundTrainConfig(batch_size=args.batch_size, lr=args.lr, kl_weight=args.kl_weight,
                                     envelope_weight=args.envelope_weight, warp_semitones=args.warp_semitones,
                                     warp_time=args.warp_time, holdout_kits=holdout)
    except ValueError as exc:
        from latentdrum.errors import ConfigError

        raise ConfigError(str(exc)) from exc
    opts = trainer_options_from_args(args, DEFAULT_EPOCHS)
    path = train_sound(args.data, args.out, model_cfg, train_cfg, opts, progress=opts.progress)
    summary = json.loads((args.out / "train_summary.json").read_text())
    m = summary["metrics"]
    print(f"wrote {path} ({m['epochs']} epochs, {m['train_seconds']} s, val L1 {m['val_l1_nats']} nats)")
    return 0


def _knobs(args: argparse.Namespace) -> Any:
    from latentdrum.spaces.sound import Knobs

    return Knobs(brightness=args.brightness, decay=args.decay, pitch=args.pitch, attack=args.attack)


def _class_for(path: Path, given: str | None, audio: Any) -> str:
    """``--class``, else the file's name read with its folder, else its sound (says so on stderr)."""
    import sys

    from latentdrum.sounds.labelling import label_file, require_class

    label = label_file(path, audio, override=given)
    cls = require_class(path, label)
    if label.source == "sound":
        print(f"{path.name}: {label.describe()}; --class overrides", file=sys.stderr)
    return cls


def run_sample(args: argparse.Namespace) -> int:
    from latentdrum.errors import ConfigError
    from latentdrum.spaces.sound import SoundSpace

    if args.n < 1:
        raise ConfigError(f"--n must be at least 1, got {args.n}")
    space = SoundSpace.load(args.model)
    knobs = _knobs(args)
    z = space.sample_latent(args.cls, args.n, seed=args.seed, temperature=args.temperature)
    audio = space.decode(z, args.cls, knobs=knobs, intensity=args.intensity)
    for i, a in enumerate(audio):
        print(_write_one_shot(args.out / f"{args.cls}_{i:03d}.wav", a, args.sample_rate))
    return 0


def run_reconstruct(args: argparse.Namespace) -> int:
    from latentdrum.sounds.audio import load_audio
    from latentdrum.spaces.sound import SoundSpace

    audio = load_audio(args.input)
    cls = _class_for(args.input, args.cls, audio)
    space = SoundSpace.load(args.model)
    z, semitones = space.encode_tuned(audio, cls)
    print(_write_one_shot(args.out, space.decode(z[None], cls, transpose=semitones)[0], args.sample_rate))
    if semitones:
        print(f"{cls}: its body retuned by {semitones:+.1f} semitones to the original's pitch")
    return 0


def run_morph(args: argparse.Namespace) -> int:
    import numpy as np

    from latentdrum.errors import ConfigError
    from latentdrum.sounds.audio import load_audio
    from latentdrum.spaces.sound import SoundSpace

    if args.steps < 2:
        raise ConfigError(f"--steps must be at least 2, got {args.steps}")
    xa, xb = load_audio(args.a), load_audio(args.b)
    ca, cb = _class_for(args.a, args.cls, xa), _class_for(args.b, args.cls, xb)
    space = SoundSpace.load(args.model)
    (za, sa), (zb, sb) = space.encode_tuned(xa, ca), space.encode_tuned(xb, cb)
    t = np.linspace(0.0, 1.0, args.steps)[:, None].astype(np.float32)
    # The class embedding switches halfway when the classes differ; the latent and the tuning
    # move smoothly.
    classes = [ca if ti < 0.5 else cb for ti in t[:, 0]]
    audio = space.decode((1 - t) * za + t * zb, classes, transpose=(1 - t[:, 0]) * sa + t[:, 0] * sb)
    for i, a in enumerate(audio):
        print(_write_one_shot(args.out / f"morph_{i:03d}.wav", a, args.sample_rate))
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from latentdrum.evaluation.sound import evaluate_sound
    from latentdrum.spaces.sound import SoundSpace

    space = SoundSpace.load(args.model)
    m = evaluate_sound(space, args.data, args.out, n_samples=args.n_samples, seed=args.seed,
                       sweep_latents=args.sweep_latents, plots=not args.no_plots)
    rec = m["reconstruction"]
    print(f"held-out kits: {', '.join(m['heldout_kits'])} ({m['heldout_sounds']} sounds)")
    for name, s in rec.items():
        if name != "per_class_log_mel_db":
            print(f"  {name:<24} log-mel {s['log_mel_db']:.2f} dB  MR-STFT {s['mrstft']:.3f}  "
                  f"attack error {s['attack_error_ms']:.1f} ms")
    if "classifier" in m:
        print(f"classifier accuracy on samples {m['classifier']['accuracy_on_samples']:.3f}, "
              f"variety ratio min {m['variety']['min_ratio']}, mean {m['variety']['mean_ratio']}")
    print(f"wrote {args.out / 'metrics.json'}")
    return 0


def run_train_classifier(args: argparse.Namespace) -> int:
    from latentdrum.errors import DatasetError
    from latentdrum.sounds.classes import CLASSES
    from latentdrum.sounds.classifier_fit import fit_classifier
    from latentdrum.sounds.classifier_report import heldout_report
    from latentdrum.sounds.dataset import build_sound_dataset
    from latentdrum.training.sound import DEFAULT_HOLDOUT

    ds = build_sound_dataset(args.data, progress=True)
    holdout = [k for k in (DEFAULT_HOLDOUT if args.holdout is None else args.holdout) if k in ds.kits]
    if args.holdout and len(holdout) < len(args.holdout):
        raise DatasetError(f"--holdout kits {sorted(set(args.holdout) - set(holdout))} are not folders of "
                           f"{args.data} (its kits: {', '.join(ds.kits)})")
    # Never learn from labels the sound itself gave: only labels.csv and names teach the classifier.
    train = [i for i in ds.kit_indices(holdout, inside=False) if not ds.label_sources
             or ds.label_sources[i] != "sound"]
    clf = fit_classifier(ds.audio[train], [CLASSES[int(c)] for c in ds.class_index[train]],
                         [ds.kit_of(i) for i in train], ds.duration[train], augment=not args.no_augment)
    loko = clf.info["leave_one_kit_out"]
    print(f"trained on {len(train)} sounds of {len(clf.info['trained_on']['kits'])} kits; leave-one-kit-out "
          f"accuracy {loko['accuracy']}, temperature {clf.temperature:.2f}, threshold {clf.threshold}")
    if holdout:
        rep = heldout_report(ds, holdout, clf)
        clf.info["heldout"] = {k: v for k, v in rep.items() if k != "wrong"}
        print(f"held-out kits {', '.join(rep['kits'])} ({rep['sounds']} sounds): name rule alone "
              f"{rep['name_alone']:.3f} ({rep['name_answers']} answered), sound alone {rep['sound_alone']:.3f}, "
              f"together {rep['together']:.3f} ({rep['labelled_by_sound']} by the sound, {rep['unknown']} unknown)")
        for w in rep["wrong"]:
            print(f"  {w['file']}: {w['true']}, said {w['said']}")
        if args.report:
            args.report.parent.mkdir(parents=True, exist_ok=True)
            args.report.write_text(json.dumps(rep, indent=2))
    print(f"wrote {clf.save(args.out)}")
    return 0
