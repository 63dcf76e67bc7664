"""The headless demo: one generated scene written out as files a DAW opens.

:func:`render_demo` samples a scene with the given models (bundled by default), and writes

- ``pattern.mid``: the generated 2-bar groove as played (swing in the notes; General MIDI drums
  by default, any drum map; channel 10);
- ``kit.json`` and ``one_shots/``: the kit and its 9 one-shots (plus velocity layers);
- ``loop.wav``: the pattern played by the kit, ``loops`` times, 24-bit stereo (44.1 kHz default);
- ``scene.json``: the whole scene, loadable by the web instrument.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from latentdrum.instrument.clip import ClipOptions, write_clip
from latentdrum.instrument.coupling import Coupling, kit_sounds
from latentdrum.instrument.kit import export_one_shots
from latentdrum.instrument.render import RenderSettings, render
from latentdrum.instrument.scene import new_scene
from latentdrum.patterns.descriptors import describe_one
from latentdrum.patterns.drummaps import GENERAL_MIDI, VOICES, DrumMap
from latentdrum.sounds import levels


def render_demo(
    out_dir: str | Path,
    rhythm_model: str | Path | None = None,
    sound_model: str | Path | None = None,
    seed: int = 7,
    style: str | None = None,
    bpm: float = 100.0,
    swing: float = 54.0,
    loops: int = 4,
    drum_map: DrumMap = GENERAL_MIDI,
    sample_rate: int = 44_100,
) -> dict[str, Any]:
    """Write the demo files into ``out_dir``; returns their paths, facts and printable lines."""
    from latentdrum.sounds.audio import write_wav
    from latentdrum.spaces.rhythm import RhythmSpace
    from latentdrum.spaces.sound import SoundSpace

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rhythm, sound = RhythmSpace.load(rhythm_model), SoundSpace.load(sound_model)
    scene = new_scene(rhythm, sound, seed=seed, style=style, bpm=bpm).replace(swing=swing)
    pattern = scene.decode_pattern(rhythm)
    voices = kit_sounds(sound, scene.kit, Coupling(seed=seed, dynamics=scene.dynamics, variation=scene.variation))
    settings = RenderSettings(bpm=bpm, swing=swing, loops=loops, seed=seed,
                              choke_groups=scene.kit.choke_group_indices(), sample_rate=sample_rate)
    audio = render(pattern, voices, settings)

    midi = write_clip(pattern, out / "pattern.mid", ClipOptions(swing=swing, drum_map=drum_map))[0]
    kit_path = scene.kit.save(out / "kit.json")
    shots = export_one_shots(voices, out / "one_shots", layers=True, sample_rate=sample_rate)
    wav = write_wav(out / "loop.wav", audio, sample_rate)
    scene_path = scene.save(out / "scene.json")

    d = describe_one(pattern)
    per_voice = {VOICES[v]: int(pattern.hits[:, v].sum()) for v in range(len(VOICES)) if pattern.hits[:, v].any()}
    peak = float(np.abs(audio).max())
    rms = levels.rms(audio)
    hits = ", ".join(f"{k} {n}" for k, n in per_voice.items())
    peak_db, rms_db = levels.amp_to_db(peak), levels.amp_to_db(rms)
    lines = [
        f"style {style or 'any'}, seed {seed}, {bpm:g} BPM, swing {swing:g}%",
        f"{midi}: {pattern.bars} bars, {pattern.num_hits} hits ({hits}), "
        f"syncopation {d['syncopation']:.2f}",
        f"{kit_path}: sound model {scene.kit.sound_model_id}, classes "
        f"{', '.join(v.sound_class for v in scene.kit.voices)}",
        f"{out / 'one_shots'}: {len(shots)} WAV one-shots (9 kit sounds + velocity layers)",
        f"{wav}: {audio.shape[0] / sample_rate:.2f} s stereo at {sample_rate} Hz ({loops} loops), "
        f"peak {peak_db:.1f} dBFS, RMS {rms_db:.1f} dBFS",
        f"{scene_path}: the scene (open it in 'latentdrum serve')",
    ]
    return {"midi": midi, "kit": kit_path, "one_shots": shots, "wav": wav, "scene": scene_path,
            "pattern": pattern, "bpm": bpm, "swing": swing, "loops": loops, "peak": peak, "rms": rms, "lines": lines}
