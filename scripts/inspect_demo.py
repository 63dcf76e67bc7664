#!/usr/bin/env python
"""Check the files of ``latentdrum demo --render OUT_DIR`` with independent readers.

    python scripts/inspect_demo.py OUT_DIR [--rhythm-model PATH]

- the MIDI clip read by pretty_midi (notes, drum track, tempo);
- the WAV read by soundfile (format, length against the pattern's, peak and RMS);
- onsets found in the loop by librosa's spectral-flux detector, against the pattern's hit times
  (hits closer than 30 ms, e.g. flams, count as one event): recall per velocity band and
  precision, within 5, 10 and 25 ms (25 ms is the usual onset-evaluation window);
- the same pattern rendered with one-sample clicks: every hit's first sample against its
  intended sample (the renderer's own timing, free of any sound's attack).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def events(times: np.ndarray, velocity: np.ndarray, min_velocity: float) -> list[tuple[float, float]]:
    """(first, last) time of each group of hits closer than 30 ms, keeping hits >= min_velocity."""
    out: list[list[float]] = []
    for t in np.sort(times[velocity >= min_velocity]):
        if out and t - out[-1][1] < 0.03:
            out[-1][1] = float(t)
        else:
            out.append([float(t), float(t)])
    return [(a, b) for a, b in out]


def main() -> None:
    import librosa
    import pretty_midi
    import soundfile as sf

    from latentdrum.instrument.render import RenderSettings, render
    from latentdrum.instrument.scene import Scene
    from latentdrum.instrument.timing import schedule
    from latentdrum.instrument.voice import VoiceSounds
    from latentdrum.spaces.rhythm import RhythmSpace

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--rhythm-model", type=Path, default=None)
    a = ap.parse_args()
    d = a.out_dir

    pm = pretty_midi.PrettyMIDI(str(d / "pattern.mid"))
    notes = sorted((n.start, n.pitch, n.velocity) for i in pm.instruments for n in i.notes)
    print(f"pattern.mid (pretty_midi): {len(notes)} notes, drum track {all(i.is_drum for i in pm.instruments)}, "
          f"tempo {pm.get_tempo_changes()[1].tolist()} BPM, last note ends {pm.get_end_time():.3f} s")

    audio, sr = sf.read(str(d / "loop.wav"))
    info = sf.info(str(d / "loop.wav"))
    scene = Scene.load(d / "scene.json")
    pattern = scene.decode_pattern(RhythmSpace.load(a.rhythm_model))
    loop_s = pattern.steps * 15.0 / scene.bpm
    loops = round(len(audio) / sr / loop_s)
    peak, rms = np.abs(audio).max(), np.sqrt(np.mean(audio**2))
    print(f"loop.wav (soundfile): {info.subtype}, {sr} Hz, {info.channels} channels, {len(audio)} samples = "
          f"{len(audio) / sr:.3f} s (expected {loops} x {loop_s:.3f} s = {round(loops * loop_s * sr)} samples), "
          f"peak {20 * np.log10(peak):.2f} dBFS, RMS {20 * np.log10(rms):.2f} dBFS")

    s = schedule(pattern, scene.bpm, scene.swing, 0, loops - 1)
    total = loops * loop_s
    times = np.where(s.time < 0, s.time + total, s.time)  # pushed before the start: heard at the end
    mono = np.concatenate([np.zeros(4410), audio.mean(axis=1)]).astype(np.float32)
    found = librosa.onset.onset_detect(y=mono, sr=sr, hop_length=64, units="time") - 0.1
    for mv in (0.0, 0.35, 0.6):
        ev = events(times, s.velocity, mv)
        rec = [np.mean([np.any((found >= x - tol) & (found <= y + tol)) for x, y in ev])
               for tol in (0.005, 0.01, 0.025)]
        print(f"onsets (librosa): recall of {len(ev)} hit events with velocity >= {mv}: "
              f"5 ms {rec[0]:.2f}, 10 ms {rec[1]:.2f}, 25 ms {rec[2]:.2f}")
    ev = events(times, s.velocity, 0.0)
    prec = [np.mean([any(x - tol <= t <= y + tol for x, y in ev) for t in found]) for tol in (0.005, 0.01, 0.025)]
    print(f"onsets (librosa): {len(found)} found; within 5/10/25 ms of a hit event: "
          f"{prec[0]:.2f} / {prec[1]:.2f} / {prec[2]:.2f}")

    click = np.zeros(64, dtype=np.float32)
    click[0], click[1:] = 1.0, 1e-3
    plain = RenderSettings(bpm=scene.bpm, swing=scene.swing, loops=loops, variation=0.0, limiter=False,
                           master_gain_db=0.0, choke_groups=())
    clicks = render(pattern, [VoiceSounds(click) for _ in range(9)], plain)[:, 0]
    got = np.flatnonzero(np.abs(clicks) >= 0.05)
    want = np.unique(np.mod(np.round(s.time * sr).astype(int), len(clicks)))
    err = np.array([got[np.argmin(np.abs(got - w))] - w for w in want])
    print(f"clicks: {len(want)} distinct hit samples, {len(np.intersect1d(got, want))} found exactly, "
          f"max |error| {np.abs(err).max()} samples")


if __name__ == "__main__":
    main()
