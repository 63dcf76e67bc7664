"""``latentdrum render | demo | serve``: play patterns with kits, and the web instrument."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from latentdrum.cli.checks import count, out_dir, out_file
from latentdrum.cli.exports import add_clip_arguments, add_drum_map_argument, add_sample_rate_argument

MAX_LOOPS = 64
MAX_RENDER_MINUTES = 10.0  # a longer loop file is almost certainly a typo (and gigabytes of memory)


def _model_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rhythm-model", type=Path, default=None, metavar="PATH",
                   help="rhythm checkpoint (default: the bundled model)")
    p.add_argument("--sound-model", type=Path, default=None, metavar="PATH",
                   help="sound checkpoint (default: the bundled model)")


def register(sub: Any) -> None:
    p = sub.add_parser("render", help="render a MIDI drum clip with a kit to a stereo WAV loop (and stems, MIDI)",
                       description="Play PATTERN.mid with KIT.json (or a kit sampled from the sound model) at "
                       "any tempo and swing; writes 24-bit stereo at 44.1/48/96 kHz, N loops, seamless. "
                       "--stems DIR adds one WAV per voice (aligned, gain-staged like the mix, summing to it); "
                       "--midi FILE.mid the clip as played (swing and micro-timing in the notes).")
    p.add_argument("pattern", type=Path, metavar="PATTERN.mid")
    p.add_argument("--kit", type=Path, default=None, metavar="KIT.json", help="default: a kit sampled with --seed")
    p.add_argument("--bpm", type=float, default=None, help="tempo (default: the clip's own)")
    p.add_argument("--swing", type=float, default=50.0, help="MPC swing percent, 50 (straight) .. 75")
    p.add_argument("--loops", type=count(1, MAX_LOOPS), default=1, help=f"how many times, 1-{MAX_LOOPS} (default 1)")
    p.add_argument("--seed", type=int, default=0, help="seeds the sampled kit and the variations")
    add_drum_map_argument(p, reads=True)
    add_sample_rate_argument(p)
    p.add_argument("--stems", type=out_dir, default=None, metavar="DIR",
                   help="also write DIR/mix.wav and DIR/01-kick.wav .. (one stereo WAV per voice that plays)")
    p.add_argument("--midi", type=out_file, default=None, metavar="FILE.mid",
                   help="also write the clip as rendered: same tempo, swing, micro-timing and loops")
    add_clip_arguments(p)
    p.add_argument("--sound-model", type=Path, default=None, metavar="PATH",
                   help="sound checkpoint (default: the bundled model)")
    p.add_argument("-o", "--out", type=out_file, required=True, metavar="LOOP.wav")
    p.set_defaults(func=run_render)

    p = sub.add_parser("demo", help="play the instrument in the browser; --render OUT_DIR for the headless demo",
                       description="Without --render: serve the web instrument on 127.0.0.1 and open it in a "
                       "browser where there is one. With --render OUT_DIR: write a generated pattern (.mid), its "
                       "kit (.json and WAV one-shots) and the rendered loop (.wav), and print what was made.")
    p.add_argument("--render", type=out_dir, default=None, metavar="OUT_DIR")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--style", default=None, help="a style the rhythm model knows (default: any)")
    p.add_argument("--bpm", type=float, default=100.0)
    p.add_argument("--swing", type=float, default=54.0)
    p.add_argument("--loops", type=count(1, MAX_LOOPS), default=4, help=f"loops in loop.wav, 1-{MAX_LOOPS}")
    add_drum_map_argument(p)
    add_sample_rate_argument(p)
    p.add_argument("--port", type=count(1, 65535), default=8000)
    _model_args(p)
    p.set_defaults(func=run_demo)

    p = sub.add_parser("serve", help="serve the web instrument (loopback only by default)",
                       description="Serve the web page and its websocket. The current scene is kept in "
                       "$LATENTDRUM_STATE (default ~/.local/state/latentdrum/session.json). Anyone who can "
                       "reach the address can play: see 'What the server trusts' in the README.")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=count(0, 65535), default=8000, help="0: any free port")
    p.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                   help="another name the server may be reached by (its Host header), repeatable")
    p.add_argument("--state", type=Path, default=None, metavar="FILE", help="where the session is kept")
    p.add_argument("--no-state", action="store_true", help="keep nothing on disk (the session ends with the server)")
    p.add_argument("--seed", type=int, default=None, help="seed of the first scene when there is no saved one")
    p.add_argument("--midi-out", default=None, metavar="NAME",
                   help="MIDI output for --clock: the port whose name contains NAME, else a new virtual port NAME")
    p.add_argument("--clock", action="store_true",
                   help="send MIDI clock (24 ppqn) and Start/Stop to --midi-out, following the session's tempo and "
                   "the page's play/stop (python-rtmidi; skipped with a message where the system has no MIDI)")
    _model_args(p)
    p.set_defaults(func=run_serve)


def _with_flag_hint(flags: str, fn: Any, *a: Any, **k: Any) -> Any:
    """Call ``fn``; a missing or bad checkpoint's message names this command's model flags."""
    from latentdrum.errors import CheckpointError

    try:
        return fn(*a, **k)
    except CheckpointError as exc:
        raise CheckpointError(f"{exc} (this command takes {flags})") from None


BOTH = "--rhythm-model PATH and --sound-model PATH"


def run_render(args: argparse.Namespace) -> int:
    import torch

    from latentdrum.cli.exports import write_clip_file
    from latentdrum.errors import ConfigError
    from latentdrum.instrument.coupling import Coupling, kit_sounds, sample_kit
    from latentdrum.instrument.kit import Kit
    from latentdrum.instrument.render import RenderSettings
    from latentdrum.instrument.stems import render_stems, write_stems
    from latentdrum.patterns.midi import read_midi
    from latentdrum.sounds.audio import write_wav
    from latentdrum.spaces.sound import SoundSpace

    torch.set_num_threads(1)
    drums = read_midi(args.pattern, args.drum_map)
    sound = _with_flag_hint("--sound-model PATH", SoundSpace.load, args.sound_model)
    kit = Kit.load(args.kit, sound.model_id) if args.kit else sample_kit(sound, args.seed)
    voices = kit_sounds(sound, kit, Coupling(seed=args.seed))
    settings = RenderSettings(bpm=args.bpm, swing=args.swing, loops=args.loops, seed=args.seed,
                              choke_groups=kit.choke_group_indices(), sample_rate=args.sample_rate)
    minutes = drums.pattern.steps * 15 / (settings.bpm or drums.pattern.bpm) * args.loops / 60
    if minutes > MAX_RENDER_MINUTES:
        raise ConfigError(f"{args.loops} loops at this tempo last {minutes:.1f} min; at most "
                          f"{MAX_RENDER_MINUTES:g} min are rendered: use fewer --loops or a faster --bpm")
    rendered = render_stems(drums.pattern, voices, settings)
    audio = rendered.mix
    path = write_wav(args.out, audio, args.sample_rate)
    print(f"{path}: {audio.shape[0] / args.sample_rate:.2f} s at {args.sample_rate} Hz, {drums.pattern.bars} bars "
          f"x {args.loops} at {settings.bpm or drums.pattern.bpm:.1f} BPM, swing {args.swing:g}%, kit "
          f"{'from ' + str(args.kit) if args.kit else f'sampled (seed {args.seed})'}")
    if args.stems is not None:
        stems = write_stems(args.stems, rendered)
        print(f"{args.stems}: mix.wav and {len(stems) - 1} stems ({', '.join(p.stem for p in stems[1:])}), "
              f"{audio.shape[0]} samples each")
    if args.midi is not None:
        for clip in write_clip_file(drums.pattern, args.midi, args, swing=args.swing, loops=args.loops,
                                    bpm=args.bpm):
            print(f"{clip}: {'groove template' if clip.name.endswith('.groove.mid') else 'MIDI clip'}")
    return 0


def run_demo(args: argparse.Namespace) -> int:
    if args.render is None:
        return _serve(args.rhythm_model, args.sound_model, "127.0.0.1", args.port, None, args.seed, open_page=True)
    from latentdrum.instrument.demo import render_demo

    made = _with_flag_hint(BOTH, render_demo, args.render, args.rhythm_model, args.sound_model, seed=args.seed,
                           style=args.style, bpm=args.bpm, swing=args.swing, loops=args.loops,
                           drum_map=args.drum_map, sample_rate=args.sample_rate)
    for line in made["lines"]:
        print(line)
    return 0


def run_serve(args: argparse.Namespace) -> int:
    from latentdrum.errors import ConfigError

    if args.clock != (args.midi_out is not None):
        raise ConfigError("--clock and --midi-out NAME go together: the server sends clock to that MIDI output "
                          "(the page sends notes through Web MIDI)")
    return _serve(args.rhythm_model, args.sound_model, args.host, args.port, args.state, args.seed, open_page=False,
                  persist=not args.no_state, extra_hosts=args.allow_host, midi_out=args.midi_out)


def midi_clock_or_none(name: str | None) -> Any:
    """A :class:`~latentdrum.instrument.midi_clock.MidiClock` on output ``name``, or None with a
    message on stderr saying why there is no clock (no MIDI on this system, no such port)."""
    import sys

    from latentdrum.errors import MidiPortError
    from latentdrum.instrument.midi_clock import MidiClock, open_midi_out

    if name is None:
        return None
    try:
        out, port = open_midi_out(name)
    except MidiPortError as exc:
        print(f"latentdrum: MIDI clock skipped: {exc}", file=sys.stderr, flush=True)
        return None
    print(f"latentdrum: MIDI clock (24 ppqn, Start/Stop) to {port!r}", flush=True)
    return MidiClock(out)


def _bind(host: str, port: int) -> Any:
    """A listening socket on ``host:port``, or a :class:`ConfigError` saying why not (before any "playing at")."""
    import socket

    from latentdrum.errors import ConfigError

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, address = infos[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        busy = " (is another latentdrum running? pass --port N)" if getattr(exc, "errno", None) == 98 else ""
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}{busy}") from None
    return sock


def _serve(rhythm_model: Path | None, sound_model: Path | None, host: str, port: int, state: Path | None,
           seed: int | None, open_page: bool, persist: bool = True, extra_hosts: list[str] | None = None,
           midi_out: str | None = None) -> int:
    import sys
    import threading

    import torch
    import uvicorn

    from latentdrum.web.app import create_app
    from latentdrum.web.guard import allowed_hosts

    sock = _bind(host, port)  # fails here, before the models load and before "playing at"
    port = sock.getsockname()[1]  # --port 0: the free port the system chose
    _one_thread(torch)
    if not persist:
        print("latentdrum: warning: --no-state: nothing is saved; the session ends when the server stops",
              file=sys.stderr, flush=True)
    app = _with_flag_hint(BOTH, create_app, rhythm_model, sound_model, state, seed,
                          hosts=allowed_hosts(host, extra_hosts or ()), persist=persist,
                          clock=midi_clock_or_none(midi_out))
    notice = app.state.session.state_notice()
    if notice:
        print(f"latentdrum: warning: {notice}", file=sys.stderr, flush=True)
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    print(f"latentdrum: playing at {url}  (Ctrl+C to stop)", flush=True)
    if open_page and (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        import webbrowser

        threading.Timer(1.0, lambda: webbrowser.open(url)).start()
    # Small JSON frames on loopback: compressing them costs more time than it saves.
    config = uvicorn.Config(app, log_level="warning", ws_max_size=64 * 1024, ws_per_message_deflate=False)
    uvicorn.Server(config).run(sockets=[sock])
    return 0


def _one_thread(torch: Any) -> None:
    """One compute thread for torch and BLAS: on a shared CPU, thread pools fighting each other
    make every small decode several times slower (the server's work is many small calls)."""
    torch.set_num_threads(1)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(limits=1)
