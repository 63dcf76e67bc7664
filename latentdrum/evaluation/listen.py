"""Quality of ``from-audio`` on renders of real performances (``evaluate-input --task from-audio``).

The first ``bars`` bars of every file of a Groove MIDI split are rendered twice, and each render
is transcribed with the tempo *estimated* (nothing about the file is given):

- **bundled kit**: the instrument's own renderer playing a kit sampled from the bundled sound
  model (seed 7; 3 velocity layers, round robin, hat choke), the project's own sound;
- **other kits**: the same renderer playing real one-shots of the kits the transcriber never
  heard (:data:`latentdrum.training.transcriber.HELD_OUT_KITS`, one kit per file in turn; a voice a
  kit lacks is played by TR-505's), velocity as level only.

Reported per render set: hit F1, precision and recall per voice and overall (a hit matches a
real hit of the same voice within +-30 ms, one to one), timing MAE (ms) of matched hits, the
Pearson correlation of matched velocities, and the tempo estimates within 4 % of the file's
tempo (and within 4 % of half or double of it). A render refused for "no clear tempo" (short
fills) is transcribed again with its tempo given, as the error tells a user to do, and counted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from latentdrum.errors import AudioError
from latentdrum.instrument.render import RenderSettings, render
from latentdrum.instrument.voice import VoiceSounds
from latentdrum.patterns.dataset import build_pattern_dataset
from latentdrum.patterns.drummaps import NUM_VOICES, VOICES
from latentdrum.patterns.midi import read_midi
from latentdrum.patterns.pattern import Pattern
from latentdrum.sounds.kits import kit_files, load_one_shot, pick_kit
from latentdrum.spaces.listen import LoopTranscriber

TOLERANCE_S = 0.03
HELD_OUT = ("oramics/CR-78", "oramics/MRK-2", "oramics/TR-505", "oramics/pearl-master-studio")
FALLBACK = "oramics/TR-505"

Hit = tuple[float, int, float]  # seconds, voice, velocity


def match_hits(pred: list[Hit], ref: list[Hit], tolerance_s: float = TOLERANCE_S) -> list[tuple[Hit, Hit]]:
    """One-to-one pairs (predicted, real) of the same voice within ``tolerance_s``, closest first."""
    pairs: list[tuple[Hit, Hit]] = []
    for v in range(NUM_VOICES):
        p = [h for h in pred if h[1] == v]
        r = [h for h in ref if h[1] == v]
        cand = sorted((abs(a[0] - b[0]), i, j) for i, a in enumerate(p) for j, b in enumerate(r)
                      if abs(a[0] - b[0]) <= tolerance_s)
        used_p, used_r = set(), set()
        for _, i, j in cand:
            if i not in used_p and j not in used_r:
                used_p.add(i)
                used_r.add(j)
                pairs.append((p[i], r[j]))
    return pairs


def _table(results: list[dict[str, Any]]) -> dict[str, Any]:
    tp, n_pred, n_ref = np.zeros(NUM_VOICES), np.zeros(NUM_VOICES), np.zeros(NUM_VOICES)
    t_err: list[float] = []
    vel_p: list[float] = []
    vel_r: list[float] = []
    tempo_ok = tempo_octave_ok = 0
    for r in results:
        for a, b in r["pairs"]:
            tp[b[1]] += 1
            t_err.append(abs(a[0] - b[0]) * 1000)
            vel_p.append(a[2])
            vel_r.append(b[2])
        for h in r["pred"]:
            n_pred[h[1]] += 1
        for h in r["ref"]:
            n_ref[h[1]] += 1
        ratio = r["bpm_estimated"] / r["bpm"] if r["bpm_estimated"] else 0.0  # tempo given: not estimated
        tempo_ok += abs(ratio - 1) <= 0.04
        tempo_octave_ok += any(abs(ratio * m - 1) <= 0.04 for m in (0.5, 1.0, 2.0))

    def prf(t: float, p: float, n: float) -> dict[str, float]:
        return {"f1": round(2 * t / max(p + n, 1), 4), "precision": round(t / max(p, 1), 4),
                "recall": round(t / max(n, 1), 4), "real_hits": int(n)}

    return {
        "files": len(results),
        "failed": {r["file"]: r["error"] for r in results if r.get("error")},
        "tempo_given_after_no_clear_tempo": sum(bool(r.get("tempo_given")) for r in results),
        "overall": prf(tp.sum(), n_pred.sum(), n_ref.sum()),
        "per_voice": {VOICES[v]: prf(tp[v], n_pred[v], n_ref[v]) for v in range(NUM_VOICES)},
        "timing_mae_ms": round(float(np.mean(t_err)), 2) if t_err else None,
        "velocity_correlation": round(float(np.corrcoef(vel_p, vel_r)[0, 1]), 4) if len(vel_p) > 2 else None,
        "tempo_within_4_percent": round(tempo_ok / max(len(results), 1), 4),
        "tempo_within_4_percent_or_octave": round(tempo_octave_ok / max(len(results), 1), 4),
    }


def _one(transcriber: LoopTranscriber, name: str, pattern: Pattern, voices: list[VoiceSounds],
         settings: RenderSettings) -> dict[str, Any]:
    audio = render(pattern, voices, settings).mean(axis=1)
    ref = [(max(t, 0.0), v, vel) for t, v, vel in pattern.onset_times()]
    out: dict[str, Any] = {"file": name, "ref": ref, "bpm": pattern.bpm, "pred": [], "pairs": [],
                           "bpm_estimated": None}
    try:
        tr = transcriber.transcribe(audio, None, name)
    except AudioError as exc:
        if "--bpm" not in str(exc):
            return out | {"error": str(exc)}
        try:  # what the error tells the user to do: give the tempo
            tr = transcriber.transcribe(audio, pattern.bpm, name)
        except AudioError as exc2:
            return out | {"error": str(exc2)}
        out["tempo_given"] = True
    pred = [(t + tr.start, v, vel) for t, v, vel in tr.pattern.onset_times()]
    return out | {"pred": pred, "pairs": match_hits(pred, ref), "bpm_estimated": tr.analysis.bpm_estimated}


def evaluate_from_audio(transcriber: LoopTranscriber, data: str | Path, samples: str | Path,
                        split: str = "validation", bars: int = 8, max_files: int | None = None,
                        sound_model: str | Path | None = None, seed: int = 0) -> dict[str, Any]:
    """The from-audio quality table (see the module docstring) as a JSON-able dict."""
    from latentdrum.instrument.coupling import Coupling, kit_sounds, sample_kit
    from latentdrum.spaces.sound import SoundSpace

    root = Path(data)
    ds = build_pattern_dataset(root, progress=False)
    drum_map = "roland" if (root / "info.csv").is_file() else "gm"
    files = sorted({ds.files[i] for i in ds.file_index[ds.indices(split)]})[:max_files]
    sound = SoundSpace.load(sound_model)
    bundled = kit_sounds(sound, sample_kit(sound, seed=7), Coupling(seed=7))
    kits = kit_files(samples)
    rng = np.random.default_rng(seed)
    other: list[list[VoiceSounds]] = []
    for name in HELD_OUT:
        paths = pick_kit(kits[name], rng, fallback=kits[FALLBACK])
        other.append([VoiceSounds(load_one_shot(p)[None, None]) for p in paths])
    s_bundled = RenderSettings(tail="ring")
    s_other = RenderSettings(tail="ring", layer_mode="nearest", variation=0.0, velocity_timbre=0.0)
    sets: dict[str, list[dict[str, Any]]] = {"bundled_kit": [], "other_kits": []}
    for i, f in enumerate(files):
        pattern = read_midi(root / f, drum_map).pattern.slice_bars(0, bars)
        if pattern.num_hits == 0:
            continue
        sets["bundled_kit"].append(_one(transcriber, f, pattern, bundled, s_bundled))
        sets["other_kits"].append(_one(transcriber, f, pattern, other[i % len(other)], s_other))
    return {
        "task": "from-audio", "split": split, "bars_per_file": bars, "tolerance_ms": TOLERANCE_S * 1000,
        "tempo": "estimated from the audio", "other_kits": list(HELD_OUT),
        **{k: _table(v) for k, v in sets.items()},
        "targets": {"bundled_kit_f1_at_least": 0.85, "other_kits_f1_at_least": 0.7},
    }
