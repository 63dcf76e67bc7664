"""Drum maps by name and from a user's JSON file: what is read and what is written."""

import json
from pathlib import Path

import pytest

from latentdrum.errors import ConfigError
from latentdrum.patterns.drummaps import (
    SHIPPED_MAPS,
    VOICES,
    drum_map_from_json,
    drum_map_names,
    drum_map_to_json,
    get_drum_map,
)
from latentdrum.patterns.midi import read_midi
from tests.patterns.midi_factory import write_notes

ADDICTIVE_LIKE = {"kick": [36], "snare": [38, 40], "closed_hat": [61, 60], "open_hat": [66], "low_tom": [41],
                  "mid_tom": [45], "high_tom": [48], "crash": [77], "ride": [84]}


def test_named_maps_include_the_shipped_layouts() -> None:
    assert set(SHIPPED_MAPS) == {"tr-8s", "volca-beats"}
    assert drum_map_names()[:2] == ("gm", "roland")
    for name in drum_map_names():
        m = get_drum_map(name)
        assert len(m.write_pitches) == len(VOICES) and all(0 <= p <= 127 for p in m.write_pitches)
    # The volca has no mid tom or ride: they write onto its low tom and closed hat.
    volca = get_drum_map("volca-beats")
    assert volca.write_pitches == (36, 38, 42, 46, 43, 43, 50, 49, 42)
    assert volca.pitch_to_voice[43] == VOICES.index("low_tom")
    assert volca.pitch_to_voice[42] == VOICES.index("closed_hat")


def test_a_user_map_file_reads_and_writes_its_own_pitches(tmp_path: Path) -> None:
    path = tmp_path / "mykit.json"
    path.write_text(json.dumps({"format": "latentdrum-drum-map", "version": 1, "voices": ADDICTIVE_LIKE}))
    m = get_drum_map(str(path))
    assert m.name == "mykit" and m.write_pitches[2] == 61 and m.pitch_to_voice[60] == VOICES.index("closed_hat")
    # Reading a clip laid out for that kit finds its hats where General MIDI would not.
    f = write_notes(tmp_path / "a.mid", [(0, 36, 100), (120, 61, 80), (240, 60, 80)])
    p = read_midi(f, m).pattern
    assert p.hits[0, 0] == 1 and p.hits[1, 2] == 1 and p.hits[2, 2] == 1
    assert drum_map_from_json(drum_map_to_json(m)) == m


@pytest.mark.parametrize(
    ("doc", "needle"),
    [
        ({"voices": {k: v for k, v in ADDICTIVE_LIKE.items() if k != "ride"}}, "missing ride"),
        ({"voices": ADDICTIVE_LIKE | {"cowbell": [56]}}, "unknown cowbell"),
        ({"voices": ADDICTIVE_LIKE | {"kick": [128]}}, "'kick' must list one or more MIDI pitches 0-127"),
        ({"voices": ADDICTIVE_LIKE | {"kick": []}}, "'kick' must list"),
        ({"format": "something-else", "voices": ADDICTIVE_LIKE}, "format must be"),
        ({"version": 2, "voices": ADDICTIVE_LIKE}, "version 2 is not supported"),
        ([1, 2], "a JSON object"),
    ],
)
def test_bad_map_documents_say_what_is_wrong(doc: object, needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        drum_map_from_json(doc)


def test_unknown_names_and_unreadable_files_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="choose one of gm, roland, tr-8s, volca-beats"):
        get_drum_map("superior")
    with pytest.raises(ConfigError, match="does not exist"):
        get_drum_map(str(tmp_path / "nope.json"))
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ConfigError, match="not readable JSON"):
        get_drum_map(str(bad))
