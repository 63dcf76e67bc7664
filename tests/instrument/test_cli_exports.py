"""``latentdrum render --stems --midi --sample-rate --drum-map``: the files a DAW gets, read back."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pretty_midi
import pytest
import soundfile as sf

from latentdrum.cli import main
from latentdrum.instrument.timing import schedule
from latentdrum.patterns.midi import write_midi
from tests.instrument.helpers import pattern
from tests.models import sound_model

CLIP = pattern([(0, "kick", 1.0, 0.0), (3, "closed_hat", 0.7, 0.1), (4, "snare", 0.9, -0.05),
                (6, "low_tom", 0.8, 0.0), (10, "mid_tom", 0.8, 0.0), (13, "ride", 0.6, 0.0)], bpm=104.0)


@pytest.fixture(scope="module")
def sound() -> Path:
    s = sound_model()
    if s is None:
        pytest.skip("no sound model: none bundled and no shared/data/samples to train a tiny one")
    return s


def test_render_writes_stems_midi_as_played_at_48k(tmp_path: Path, sound: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    mid = write_midi(CLIP, tmp_path / "clip.mid")
    code = main(["render", str(mid), "--swing", "62.5", "--loops", "2", "--sample-rate", "48000", "--sound-model",
                 str(sound), "--stems", str(tmp_path / "stems"), "--midi", str(tmp_path / "played.mid"),
                 "--out-drum-map", "roland", "-o", str(tmp_path / "loop.wav")])
    assert code == 0
    printed = capsys.readouterr().out
    assert "48000 Hz" in printed and "6 stems" in printed
    mix, sr = sf.read(tmp_path / "loop.wav", always_2d=True)
    assert sr == 48_000 and mix.shape[0] == round(2 * 16 * 15 / 104 * 48_000)
    stems = sorted((tmp_path / "stems").glob("0*.wav"))
    assert [p.stem for p in stems] == ["01-kick", "02-snare", "03-closed-hat", "05-low-tom", "06-mid-tom", "09-ride"]
    total = sum(sf.read(p, always_2d=True)[0] for p in stems)
    assert np.abs(total - mix).max() < 1e-5
    # The MIDI notes sit where the loop plays them: swing and micro-timing in the notes, 2 loops.
    notes = sorted(pretty_midi.PrettyMIDI(str(tmp_path / "played.mid")).instruments[0].notes, key=lambda n: n.start)
    want = np.sort(schedule(CLIP, 104.0, 62.5, 0, 1).time)
    assert np.abs(np.array([n.start for n in notes]) - want).max() < 0.5e-3
    assert [n.pitch for n in notes[:6]] == [36, 42, 38, 43, 47, 51]  # the Roland map: toms on 43 and 47


def test_straight_midi_gets_a_groove_template_and_a_user_map(tmp_path: Path, sound: Path) -> None:
    mapping = tmp_path / "rack.json"
    mapping.write_text(json.dumps({"voices": {"kick": [24], "snare": [26], "closed_hat": [30], "open_hat": [32],
                                              "low_tom": [27], "mid_tom": [29], "high_tom": [31], "crash": [35],
                                              "ride": [33]}}))
    mid = write_midi(CLIP, tmp_path / "clip.mid")
    assert main(["render", str(mid), "--swing", "58", "--sound-model", str(sound), "--midi",
                 str(tmp_path / "take.mid"), "--straight", "--out-drum-map", str(mapping),
                 "-o", str(tmp_path / "loop.wav")]) == 0
    notes = pretty_midi.PrettyMIDI(str(tmp_path / "take.mid")).instruments[0].notes
    step = 60 / 104 / 4
    assert sorted(n.pitch for n in notes) == [24, 26, 27, 29, 30, 33]
    assert all(abs(n.start / step - round(n.start / step)) < 1e-4 for n in notes)  # tempo: whole microseconds
    groove = pretty_midi.PrettyMIDI(str(tmp_path / "take.groove.mid")).instruments[0].notes
    assert len(groove) == 16 and groove[3].start / step == pytest.approx(3 + 0.16 + 0.1, abs=2e-3)


def test_a_bad_map_or_rate_stops_at_the_command_line(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    mid = write_midi(CLIP, tmp_path / "clip.mid")
    for extra, needle in ((["--drum-map", "superior"], "unknown drum map 'superior'"),
                          (["--sample-rate", "22050"], "invalid choice")):
        with pytest.raises(SystemExit) as exc:
            main(["render", str(mid), *extra, "-o", str(tmp_path / "x.wav")])
        assert exc.value.code == 2 and needle in capsys.readouterr().err
