"""MIDI clips that groove like the audio: notes where the renderer plays them, read back by mido and pretty_midi."""

import itertools
from pathlib import Path

import mido
import numpy as np
import pretty_midi
import pytest

from latentdrum.errors import ConfigError
from latentdrum.instrument.clip import ClipOptions, clip_midi, groove_path, groove_steps, write_clip
from latentdrum.instrument.render import RenderSettings, render
from latentdrum.patterns.drummaps import get_drum_map
from latentdrum.patterns.midi import read_midi
from latentdrum.sounds.audio import SAMPLE_RATE
from tests.instrument.helpers import click_onsets, click_voices, pattern


def notes_of(path: Path) -> list[pretty_midi.Note]:
    pm = pretty_midi.PrettyMIDI(str(path))
    assert len(pm.instruments) == 1
    return sorted(pm.instruments[0].notes, key=lambda n: (n.start, n.pitch))


def test_swung_micro_timed_notes_sit_on_the_rendered_samples(tmp_path: Path) -> None:
    # 4 bars: kick on beats, hats on every 16th with a late-leaning feel, a rushed snare.
    hits = [(s, "kick", 1.0, 0.0) for s in range(0, 64, 4)]
    hits += [(s, "closed_hat", 0.8, 0.08 * ((s % 4) - 1.5)) for s in range(1, 64, 2)]
    hits += [(s, "snare", 0.9, -0.12) for s in range(4, 64, 8)]
    p = pattern(hits, bars=4, bpm=97.0)
    path = write_clip(p, tmp_path / "groove.mid", ClipOptions(swing=62.5))[0]
    starts = np.array([n.start for n in notes_of(path)])
    audio = render(p, click_voices(), RenderSettings(swing=62.5, variation=0.0, limiter=False, master_gain_db=0.0,
                                                      velocity_curve=0.0, choke_groups=()))
    onsets = click_onsets(audio[:, 0]) / SAMPLE_RATE
    assert len(starts) == p.num_hits == len(onsets)
    # One MIDI tick at 97 BPM is 0.64 ms: every note within half a tick of its audio sample.
    assert np.max(np.abs(np.sort(starts) - onsets)) < 0.5 * 60 / 97 / 960 + 1 / SAMPLE_RATE
    # The swung off-beat hat is late by the swing (a quarter step at 62.5 %), not on the grid.
    hat = next(n for n in notes_of(path) if n.pitch == 42)
    step = 60 / 97 / 4
    assert hat.start == pytest.approx((1 + 0.25 + 0.08 * -0.5) * step, abs=1e-3)


def test_daw_checklist_tempo_meter_name_channel_lengths(tmp_path: Path) -> None:
    p = pattern([(0, "kick", 1.0, 0.0), (0, "closed_hat", 0.5, 0.0), (1, "closed_hat", 0.5, 0.0),
                 (4, "snare", 1.0, 0.2), (15, "open_hat", 0.7, 0.45)], bars=2, bpm=123.0)
    path = write_clip(p, tmp_path / "Funk Take 3.mid", ClipOptions(swing=60, loops=2))[0]
    mf = mido.MidiFile(str(path))
    meta = [m for t in mf.tracks for m in t if m.is_meta]
    assert mf.type == 1 and mf.ticks_per_beat == 960
    assert [round(mido.tempo2bpm(m.tempo), 3) for m in meta if m.type == "set_tempo"] == [123.0]
    assert [(m.numerator, m.denominator) for m in meta if m.type == "time_signature"] == [(4, 4)]
    assert [m.name for m in meta if m.type == "track_name"] == ["Funk Take 3", "Funk Take 3"]
    notes = [m for t in mf.tracks for m in t if m.type in ("note_on", "note_off")]
    assert notes and all(m.channel == 9 for m in notes)
    # Both tracks end on the last bar line of the 2 loops x 2 bars.
    assert [sum(m.time for m in t) for t in mf.tracks] == [4 * 4 * 960] * 2
    pm = pretty_midi.PrettyMIDI(str(path))
    inst = pm.instruments[0]
    assert inst.is_drum and len(inst.notes) == 2 * p.num_hits
    # A sampler gets a 32nd note, cut short before the next strike of the same pitch (hats 0 and 1).
    lengths = np.array([n.end - n.start for n in inst.notes])
    assert lengths.max() == pytest.approx(60 / 123 / 8, abs=1e-3) and lengths.min() > 0
    hats = sorted((n for n in inst.notes if n.pitch == 42), key=lambda n: n.start)
    assert all(a.end < b.start for a, b in itertools.pairwise(hats))


def test_drum_maps_choose_the_written_pitches(tmp_path: Path) -> None:
    p = pattern([(0, "kick", 1.0, 0.0), (4, "mid_tom", 1.0, 0.0), (8, "ride", 1.0, 0.0)])
    for name, want in [("gm", [36, 48, 51]), ("roland", [36, 47, 51]), ("volca-beats", [36, 43, 42])]:
        path = write_clip(p, tmp_path / f"{name}.mid", ClipOptions(drum_map=get_drum_map(name)))[0]
        assert [n.pitch for n in notes_of(path)] == want
    # Read back with the same map, the clip is the pattern again (tom and ride where they were).
    back = read_midi(tmp_path / "roland.mid", "roland").pattern
    assert back.equals(p)


def test_straight_clip_and_groove_template_put_the_groove_back(tmp_path: Path) -> None:
    p = pattern([(s, "closed_hat", 0.5 + 0.1 * (s % 2), 0.05 if s % 4 == 2 else 0.0) for s in range(16)]
                + [(4, "snare", 1.0, -0.1)], bpm=100.0)
    paths = write_clip(p, tmp_path / "clip.mid", ClipOptions(swing=58, timing="straight"))
    assert paths == [tmp_path / "clip.mid", groove_path(tmp_path / "clip.mid")]
    step = 60 / 100 / 4
    straight = notes_of(paths[0])
    assert all(abs(n.start / step - round(n.start / step)) < 1e-6 for n in straight)
    assert len(straight) == p.num_hits
    groove = notes_of(paths[1])
    assert len(groove) == 16 and {n.pitch for n in groove} == {37}
    positions, accent = groove_steps(p, 58)
    assert np.allclose([n.start / step for n in groove], positions, atol=2e-3)
    assert positions[1] == pytest.approx(1 + 0.16) and positions[4] == pytest.approx(4 + (0.0 - 0.1) / 2)
    assert accent[4] == pytest.approx((0.5 + 1.0) / 2)


def test_a_rushed_downbeat_is_written_at_the_clip_start(tmp_path: Path) -> None:
    p = pattern([(0, "kick", 1.0, -0.3), (8, "kick", 1.0, -0.3)])
    mid = clip_midi(p, ClipOptions(loops=2))
    path = tmp_path / "c.mid"
    mid.save(path)
    starts = [round(n.start / (60 / 120 / 4), 3) for n in notes_of(path)]
    assert starts == [0.0, 7.7, 15.7, 23.7]  # the second loop's downbeat keeps its exact time


def test_bad_clip_options_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="swing"):
        ClipOptions(swing=80)
    with pytest.raises(ConfigError, match="loops"):
        ClipOptions(loops=0)
    with pytest.raises(ConfigError, match="timing"):
        ClipOptions(timing="swung")  # type: ignore[arg-type]

