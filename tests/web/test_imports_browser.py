"""The page's import paths in a real browser (Debian's Chromium, Playwright) against ``latentdrum serve``.

Files are dropped as the browser drops them (a ``DataTransfer`` holding a ``File`` with the real
file's bytes, dispatched as ``dragover`` + ``drop`` on the page's own elements) or chosen in the
file inputs; keys are real key presses; MIDI pads come through the page's Web MIDI layer, fed
by a harness (there is no MIDI device here). Real files from ../shared/data.
"""

from __future__ import annotations

import base64
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from latentdrum.evaluation.bench.web import launch
from latentdrum.patterns.midi import read_midi

pytestmark = pytest.mark.browser

READY = "window.__ld && window.__ld.ready && window.__ld.soundsLoaded === 9 && window.__ld.imports"
KIT = "oramics/pearl-master-studio"
FUNK = "drummer1/session1/102_funk_95_beat_4-4.mid"
HARNESS = """
(() => {
  const listeners = new Set();
  const input = { id: "pads", name: "Harness pads", type: "input", state: "connected", onmidimessage: null,
    addEventListener(type, fn) { if (type === "midimessage") listeners.add(fn); },
    removeEventListener(type, fn) { listeners.delete(fn); },
    feed(bytes, ts) { for (const fn of listeners) fn({ data: Uint8Array.from(bytes), timeStamp: ts }); } };
  window.__pads = { input, listeners };
  navigator.requestMIDIAccess = async () => ({ inputs: new Map([[input.id, input]]), outputs: new Map(),
                                               onstatechange: null });
})();
"""
DROP = """
async ([b64, name, selector]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const dt = new DataTransfer();
  dt.items.add(new File([bytes], name));
  const target = document.querySelector(selector);
  for (const type of ["dragover", "drop"]) {
    target.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
  }
}
"""


@pytest.fixture(scope="module")
def browser(server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with launch(tmp_path_factory.mktemp("chromium-imports")) as ctx:
        yield ctx


@pytest.fixture()
def page(browser: Any, server: str) -> Iterator[Any]:
    page = browser.new_page()
    page.console_errors = []
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    page.add_init_script(HARNESS)
    page.goto(server)
    page.wait_for_function(READY, timeout=60_000)
    yield page
    assert page.console_errors == []
    page.close()


def _drop(page: Any, data: bytes, name: str, selector: str) -> None:
    page.evaluate(DROP, [base64.b64encode(data).decode(), name, selector])


def _hits(page: Any) -> list[list[int]]:
    return page.evaluate("window.__ld.engine.pattern.hits")  # type: ignore[no-any-return]


def _imported(page: Any, done: int) -> None:
    page.wait_for_function(f"window.__ld.imports.done > {done} && !window.__ld.imports.busy", timeout=60_000)


def _refused(page: Any, errors: int) -> str:
    page.wait_for_function(f"window.__ld.errors.length > {errors} && !window.__ld.imports.busy", timeout=60_000)
    return str(page.evaluate("window.__ld.errors.at(-1)"))


def _counts(page: Any) -> tuple[int, int]:
    return page.evaluate("[window.__ld.imports.done, window.__ld.errors.length]")  # type: ignore[no-any-return]


def _wav(audio: np.ndarray, rate: int = 44100) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, audio, rate, subtype="PCM_16", format="WAV")
    return buf.getvalue()


def test_a_midi_file_dropped_on_the_grid_becomes_the_pattern_and_undo_takes_it_back(page: Any,
                                                                                    groove_dir: Path) -> None:
    path = groove_dir / FUNK
    before = _hits(page)
    page.select_option("#drum-map", "roland")  # the Map selector is the drum map files are read with
    done, _ = _counts(page)
    _drop(page, path.read_bytes(), path.name, "#grid")
    _imported(page, done)
    expected = read_midi(path, "roland").pattern.slice_bars(0, 8)
    assert _hits(page) == expected.hits.T.astype(int).tolist()
    assert path.name in page.locator("#status").inner_text()
    assert page.evaluate("window.__ld.engine.bpm") == pytest.approx(expected.bpm, abs=0.01)
    page.locator("#undo").click()
    text = json.dumps(before, separators=(",", ":"))  # as JSON.stringify writes it
    page.wait_for_function(f"JSON.stringify(window.__ld.engine.pattern.hits) === {json.dumps(text)}")


def test_humanize_plays_the_edited_pattern_like_a_drummer(page: Any) -> None:
    box = page.locator("#grid").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + 10)  # an edit pins the pattern
    page.wait_for_function("window.__ld.engine.pattern.pinned")
    hits = _hits(page)
    velocities = page.evaluate("window.__ld.engine.pattern.velocities")
    done, _ = _counts(page)
    page.locator("#humanize").click()
    _imported(page, done)
    assert _hits(page) == hits  # every hit kept
    assert page.evaluate("window.__ld.engine.pattern.velocities") != velocities
    assert "humanized" in page.locator("#status").inner_text()


def test_keys_tapped_in_time_become_a_groove_on_the_taps(page: Any) -> None:
    page.locator("#tap").click()
    step_ms = page.evaluate("window.__ld.engine.stepDur() * 1000")
    for _ in range(6):  # quarter notes on a computer key (wherever they land, the groove follows them)
        page.keyboard.press("j")
        page.wait_for_timeout(4 * step_ms)
    done, _ = _counts(page)
    page.keyboard.press("Enter")
    _imported(page, done)
    taps = page.evaluate("window.__ld.imports.lastTaps")
    assert len(taps) == 6
    tapped = {int(np.floor(p + 0.5)) for p, _ in taps}
    played = {s for s in range(len(_hits(page)[0])) if any(row[s] for row in _hits(page))}
    assert played == tapped


def test_shortcut_keys_are_taps_while_tapping(page: Any) -> None:
    """1-9, A, M, F, B and Space pick, audition, mute, fill, switch and play when not tapping;
    while tapping each is a tap and nothing else (the Tap button keeps the focus, as after a click)."""
    before = page.evaluate("""JSON.stringify([window.__ld.state.voice, window.__ld.engine.playing,
        window.__ld.pad.mode, window.__ld.state.voices.map((v) => v.mute)])""")
    applied = page.evaluate("window.__ld.applied.length")
    page.locator("#tap").click()
    step_ms = page.evaluate("window.__ld.engine.stepDur() * 1000")
    keys = ["1", "m", "f", "b", "a", "Space", "5"]
    for key in keys:
        page.keyboard.press(key)
        page.wait_for_timeout(2 * step_ms)
    done, _ = _counts(page)
    page.keyboard.press("Enter")
    _imported(page, done)
    assert len(page.evaluate("window.__ld.imports.lastTaps")) == len(keys)
    after = page.evaluate("""JSON.stringify([window.__ld.state.voice, window.__ld.engine.playing,
        window.__ld.pad.mode, window.__ld.state.voices.map((v) => v.mute)])""")
    assert after == before
    changes = page.evaluate(f"window.__ld.applied.slice({applied})")
    assert not any("fill" in c.split(",") for c in changes), changes  # no fill was asked for
    page.keyboard.press("2")  # done tapping: the shortcuts are back
    page.wait_for_function("window.__ld.state.voice === 1")


def test_pads_on_midi_in_drive_drumify(page: Any) -> None:
    page.locator("#tap").click()
    page.wait_for_function("window.__pads.listeners.size > 0")  # the page listens to MIDI in while tapping
    step_ms = page.evaluate("window.__ld.engine.stepDur() * 1000")
    t0 = page.evaluate("performance.now()")
    for k, step in enumerate((0, 4, 8, 10, 12, 16, 20, 24, 26, 28)):
        page.evaluate(f"window.__pads.input.feed([0x99, 38, {90 + k}], {t0 + step * step_ms})")
    page.evaluate(f"window.__pads.input.feed([0x89, 38, 0], {t0 + 29 * step_ms})")  # note-off: not a tap
    done, _ = _counts(page)
    page.keyboard.press("Enter")
    _imported(page, done)
    hits = _hits(page)
    played = {s for s in range(len(hits[0])) if any(row[s] for row in hits)}
    assert played == {0, 4, 8, 10, 12, 16, 20, 24, 26, 28}
    assert page.evaluate("window.__pads.listeners.size") == 0  # and stops listening when done


def test_a_wav_loop_chosen_for_the_pad_becomes_its_pattern(page: Any, groove_dir: Path, samples_dir: Path,
                                                          tmp_path: Path) -> None:
    from tests.groove.test_listen import render_with_kit

    bars = read_midi(groove_dir / FUNK, "roland").pattern.slice_bars(2, 2)
    path = tmp_path / "funk loop.wav"
    path.write_bytes(_wav(render_with_kit(bars, samples_dir, KIT)))
    before = _hits(page)
    done, _ = _counts(page)
    page.locator("#import-file").set_input_files(str(path))
    _imported(page, done)
    assert _hits(page) != before and "funk loop.wav" in page.locator("#status").inner_text()
    assert page.evaluate("window.__ld.engine.bpm") == pytest.approx(95, abs=4)
    done, _ = _counts(page)
    _drop(page, path.read_bytes(), "again.wav", "#pad")  # dropped on the pad, the same
    _imported(page, done)


def test_bad_files_are_named_and_nothing_is_lost(page: Any) -> None:
    before = _hits(page)
    cases = [
        (b"MThd\x00\x00\x00\x06garbage", "broken.mid", "#grid", "broken.mid is not a readable MIDI file"),
        (b"\x89PNG\r\n\x1a\n" + bytes(64), "cover.png", "#grid", "neither a MIDI clip nor an audio loop"),
        (_wav(np.zeros(44100, dtype=np.float32)), "quiet.wav", "#pad", "quiet.wav is silent"),
        (b"MThd\x00\x00\x00\x06\x00\x01\x00\x01\x01\xe0", "beat.mid", "#classmap", "drop it on the pattern grid"),
    ]
    for data, name, where, said in cases:
        _, errors = _counts(page)
        _drop(page, data, name, where)
        assert said in _refused(page, errors)
        assert _hits(page) == before
    _, errors = _counts(page)  # too large: refused before a byte is sent
    page.evaluate("""(() => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(40e6)], 'huge.wav'));
        document.querySelector('#pad').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true }));
    })()""")
    assert "huge.wav is too large" in _refused(page, errors)
    assert _hits(page) == before


def test_a_sample_dropped_on_a_voice_tab_becomes_that_voice(page: Any, samples_dir: Path) -> None:
    path = samples_dir / KIT / "hihat-open.wav"
    page.locator('#voice-tabs button[data-voice="3"]').click()
    page.wait_for_function("window.__ld.settled()", timeout=60_000)
    sound = page.evaluate("window.__ld.checksum(3)")
    done, _ = _counts(page)
    _drop(page, path.read_bytes(), path.name, '#voice-tabs button[data-voice="3"]')
    _imported(page, done)
    assert page.evaluate("window.__ld.state.voices[3].sound_class") == "open_hat"
    page.wait_for_function(f"window.__ld.checksum(3) !== {json.dumps(sound)}", timeout=60_000)
    assert "hihat-open.wav" in page.locator("#status").inner_text()


def test_a_dropped_kick_says_it_keeps_its_pitch(page: Any, samples_dir: Path) -> None:
    # The CR-78 kick's latent alone comes back 5 semitones low; the voice keeps the retune.
    path = samples_dir / "oramics/CR-78/kick.wav"
    page.locator('#voice-tabs button[data-voice="0"]').click()
    done, _ = _counts(page)
    _drop(page, path.read_bytes(), path.name, '#voice-tabs button[data-voice="0"]')
    _imported(page, done)
    st = page.evaluate("window.__ld.state.voices[0].transpose")
    assert abs(st) > 1.0
    said = re.search(r"at your sample's pitch \(([+-]\d+\.\d) st\)", page.locator("#voice-class").inner_text())
    assert said and abs(float(said.group(1)) - st) <= 0.051


def test_a_sample_nobody_can_name_is_asked_about(page: Any, samples_dir: Path) -> None:
    from latentdrum.sounds.audio import load_audio
    from latentdrum.sounds.labelling import label_file

    unsure = [p for p in sorted((samples_dir / KIT).glob("*.wav"))
              if label_file("sample.wav", load_audio(p), siblings=["sample.wav"]).unknown]
    if not unsure:
        pytest.skip(f"the classifier is sure of every sound of {KIT}")
    page.locator('#voice-tabs button[data-voice="1"]').click()
    state = page.evaluate("JSON.stringify(window.__ld.state.voices[1])")
    _drop(page, unsure[0].read_bytes(), "sample.wav", "#classmap")
    ask = page.locator("#sound-ask")
    ask.wait_for(state="visible", timeout=60_000)  # asked, not guessed, and nothing changed meanwhile
    assert "choose its class" in page.locator("#status").inner_text()
    assert page.evaluate("JSON.stringify(window.__ld.state.voices[1])") == state
    page.locator("#sample-class").press("1")  # the question's list keeps its keys: no voice shortcut
    assert page.evaluate("window.__ld.state.voice") == 1
    choice = ask.locator("button[data-class]").first
    cls = choice.get_attribute("data-class")
    done, _ = _counts(page)
    choice.click()
    _imported(page, done)
    assert page.evaluate("window.__ld.state.voices[1].sound_class") == cls
    assert not ask.is_visible()
