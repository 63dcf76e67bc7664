#!/usr/bin/env python
"""Check what ``latentdrum render --stems --midi`` writes, with independent readers.

    python scripts/check_exports.py OUT_DIR [--swing 62.5] [--bpm 96] [--seed 3] [--sample-rate 44100]

1. A 4-bar phrase with the model's micro-timing (two 2-bar samples of the bundled rhythm model at
   temperature 0.9) is written as ``phrase.mid`` and rendered by the real command line with swing,
   stems and the MIDI clip as played.
2. MIDI note times read by pretty_midi against onsets librosa finds in each voice's stem (its own
   voice only, so simultaneous hits do not hide each other) and in the mix: mean / max difference.
3. The same clip rendered with one-sample clicks: every note's MIDI time against the click's first
   sample (the timing itself, free of any detector or attack).
4. The stems summed against the mix (files read back by soundfile).
5. The DAW checklist read back by mido and pretty_midi: tempo, 4/4, track name, channel 10,
   note lengths, clip length in whole bars.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


WINDOW_MS = 50.0  # a note with no onset this close was not detected (a ghost note under the detector's floor)


def match_ms(midi_times: np.ndarray, onsets: np.ndarray) -> np.ndarray:
    """Signed difference (ms) of each MIDI time to the nearest detected onset (NaN: none within the window)."""
    if not len(onsets):
        return np.full(midi_times.shape, np.nan)
    idx = np.argmin(np.abs(onsets[None, :] - midi_times[:, None]), axis=1)
    d = (onsets[idx] - midi_times) * 1000.0
    return np.where(np.abs(d) <= WINDOW_MS, d, np.nan)


def summary(diffs: np.ndarray) -> dict[str, float]:
    found = np.abs(diffs[~np.isnan(diffs)])
    return {"notes": int(diffs.size), "detected_within_50ms": int(found.size),
            "mean_abs_ms": round(float(found.mean()), 3) if found.size else float("nan"),
            "median_abs_ms": round(float(np.median(found)), 3) if found.size else float("nan"),
            "max_abs_ms": round(float(found.max()), 3) if found.size else float("nan"),
            "mean_signed_ms": round(float(diffs[~np.isnan(diffs)].mean()), 3) if found.size else float("nan")}


def detect(audio: np.ndarray, sr: int) -> np.ndarray:
    import librosa

    pad = int(0.1 * sr)  # room for an onset at t = 0
    mono = np.concatenate([np.zeros(pad), audio.mean(axis=1)]).astype(np.float32)
    return librosa.onset.onset_detect(y=mono, sr=sr, hop_length=32, units="time", backtrack=False) - pad / sr


def main() -> None:
    import mido
    import pretty_midi
    import soundfile as sf

    from latentdrum.instrument.clip import ClipOptions, write_clip
    from latentdrum.instrument.render import RenderSettings, render
    from latentdrum.instrument.voice import VoiceSounds
    from latentdrum.patterns.drummaps import GENERAL_MIDI, VOICES
    from latentdrum.patterns.midi import concat, read_midi
    from latentdrum.spaces.rhythm import RhythmSpace

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--swing", type=float, default=62.5)
    ap.add_argument("--bpm", type=float, default=96.0)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--sample-rate", type=int, default=44_100)
    a = ap.parse_args()
    out: Path = a.out_dir
    out.mkdir(parents=True, exist_ok=True)

    space = RhythmSpace.load()
    z = space.sample_latent(2, None, 0.9, a.seed)
    phrase = concat(space.decode(z, None, a.bpm, 0.9, a.seed))
    write_clip(phrase, out / "phrase.mid", ClipOptions())
    cmd = [sys.executable, "-m", "latentdrum", "render", str(out / "phrase.mid"), "--swing", str(a.swing),
           "--seed", str(a.seed), "--sample-rate", str(a.sample_rate), "--stems", str(out / "stems"),
           "--midi", str(out / "played.mid"), "-o", str(out / "loop.wav")]
    print("$", " ".join(cmd[2:]))
    subprocess.run(cmd, check=True)

    report: dict[str, object] = {"bars": phrase.bars, "hits": phrase.num_hits, "swing": a.swing, "bpm": a.bpm,
                                 "sample_rate": a.sample_rate,
                                 "offsets_steps": [float(phrase.offsets.min()), float(phrase.offsets.max())]}
    pm = pretty_midi.PrettyMIDI(str(out / "played.mid"))
    notes = [(n.start, n.pitch) for n in pm.instruments[0].notes]
    pitch_voice = {p: v for v, p in enumerate(GENERAL_MIDI.write_pitches)}

    # 2. Per stem: this voice's MIDI notes against this voice's onsets.
    per_voice, all_diffs = {}, []
    for path in sorted((out / "stems").glob("0*.wav")):
        v = int(path.name[:2]) - 1
        audio, sr = sf.read(str(path), always_2d=True)
        times = np.array([t for t, p in notes if pitch_voice[p] == v])
        diffs = match_ms(times, detect(audio, sr))
        per_voice[VOICES[v]] = summary(diffs)
        all_diffs.append(diffs)
    report["midi_vs_stem_onsets"] = summary(np.concatenate(all_diffs)) | {"per_voice": per_voice}
    mix, sr = sf.read(str(out / "loop.wav"), always_2d=True)
    starts = np.sort([n.start for n in pm.instruments[0].notes if n.velocity >= 45])
    events = starts[np.concatenate([[True], np.diff(starts) > 0.03])]  # hits closer than 30 ms: one event
    report["midi_vs_mix_onsets_velocity_ge_45"] = summary(match_ms(events, detect(mix, sr)))

    # 3. Clicks: the MIDI time of every note against the first sample of its click.
    click = np.zeros(64, dtype=np.float32)
    click[0], click[1:] = 1.0, 1e-3
    plain = RenderSettings(bpm=a.bpm, swing=a.swing, variation=0.0, limiter=False, master_gain_db=0.0,
                           velocity_curve=0.0, choke_groups=(), tail="ring", sample_rate=a.sample_rate)
    drums = read_midi(out / "phrase.mid").pattern
    errs = []
    for v in range(9):
        voices: list[VoiceSounds | None] = [VoiceSounds(click) if u == v else None for u in range(9)]
        got = np.flatnonzero(np.abs(render(drums, voices, plain)[:, 0]) >= 0.5) / a.sample_rate
        times = np.array([t for t, p in notes if pitch_voice[p] == v])
        if len(times):
            errs.append(match_ms(times, got))
    report["midi_vs_click_samples"] = summary(np.concatenate(errs))

    # 4. Stems against the mix, as files.
    total = sum(sf.read(str(p), always_2d=True)[0] for p in sorted((out / "stems").glob("0*.wav")))
    stem_mix, _ = sf.read(str(out / "stems" / "mix.wav"), always_2d=True)
    lengths = {p.name: sf.info(str(p)).frames for p in sorted((out / "stems").glob("*.wav"))}
    report["stems"] = {"files": len(lengths), "same_length": len(set(lengths.values())) == 1,
                       "max_abs_sum_minus_mix": float(np.abs(total - mix).max()),
                       "mix_wav_equals_stems_mix": bool(np.array_equal(stem_mix, mix)),
                       "lsb_24bit": 2.0**-23, "rate": sf.info(str(out / "loop.wav")).samplerate}

    # 5. The DAW checklist, read back by mido and pretty_midi.
    mf = mido.MidiFile(str(out / "played.mid"))
    meta = [m for t in mf.tracks for m in t if m.is_meta]
    tempo = [m for m in meta if m.type == "set_tempo"]
    sig = [m for m in meta if m.type == "time_signature"]
    names = [m.name for m in meta if m.type == "track_name"]
    note_msgs = [m for t in mf.tracks for m in t if m.type in ("note_on", "note_off")]
    lengths_ms = [1000 * (n.end - n.start) for n in pm.instruments[0].notes]
    bar_ticks = 4 * mf.ticks_per_beat
    track_ends = [sum(m.time for m in t) for t in mf.tracks]
    report["checklist"] = {
        "type": mf.type, "ticks_per_beat": mf.ticks_per_beat,
        "tempo_bpm_mido": round(mido.tempo2bpm(tempo[0].tempo), 3) if tempo else None,
        "tempo_bpm_pretty_midi": [round(float(x), 3) for x in pm.get_tempo_changes()[1]],
        "time_signature": [f"{s.numerator}/{s.denominator}" for s in sig],
        "track_names": names, "pretty_midi_instrument": pm.instruments[0].name,
        "all_notes_channel_10": all(m.channel == 9 for m in note_msgs),
        "pretty_midi_is_drum": all(i.is_drum for i in pm.instruments),
        "note_length_ms": {"min": round(min(lengths_ms), 2), "max": round(max(lengths_ms), 2)},
        "notes": len(pm.instruments[0].notes), "pattern_hits": phrase.num_hits,
        "track_end_bars": [t / bar_ticks for t in track_ends],
    }
    print(json.dumps(report, indent=1))
    (out / "report.json").write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
