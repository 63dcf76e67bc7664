"""Choke, limiter, loops and tails, pan/gain, tune and mute."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from latentdrum.instrument.limiter import limit
from latentdrum.instrument.render import RenderSettings, render
from latentdrum.instrument.voice import VoiceSounds
from latentdrum.patterns.drummaps import NUM_VOICES
from latentdrum.sounds.audio import SAMPLE_RATE

from .helpers import PLAIN, V, click, click_voices, pattern

CEILING_01 = 10 ** (-0.1 / 20)


def at(step: int, bpm: float = 120.0) -> int:
    return round(step * 15.0 / bpm * SAMPLE_RATE)


def sustained(seconds: float = 1.5, level: float = 0.5) -> np.ndarray:
    """A long steady tone, at a crest on every half second: a ringing stand-in an abrupt cut would click on."""
    t = np.arange(round(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return (level * np.sin(2 * np.pi * 1000.5 * t)).astype(np.float32)


def hats(open_pan: float = -1.0, closed_pan: float = 1.0) -> list[VoiceSounds | None]:
    voices: list[VoiceSounds | None] = [None] * NUM_VOICES
    voices[V["open_hat"]] = VoiceSounds(sustained(), pan=open_pan)
    voices[V["closed_hat"]] = VoiceSounds(click(), pan=closed_pan)
    return voices


def test_closed_hat_chokes_the_ringing_open_hat_with_a_short_click_free_fade() -> None:
    p = pattern([(0, "open_hat", 1.0, 0.0), (4, "closed_hat", 1.0, 0.0)], bars=2)
    settings = dataclasses.replace(PLAIN, tail="ring")
    out = render(p, hats(), settings)[:, 0]  # open hat alone on the left
    free = render(p, hats(), dataclasses.replace(settings, choke_groups=()))[:, 0]
    cut, fade = at(4), round(0.010 * SAMPLE_RATE)
    np.testing.assert_array_equal(out[:cut], free[:cut])  # untouched until the closed hat
    assert np.all(out[cut + fade :] == 0.0)  # silent after the fade
    assert np.abs(free[cut + fade : at(8)]).min() < np.abs(free[cut + fade : at(8)]).max()  # it would ring on
    # The fade is smooth: the envelope only falls, and no sample jumps more than the tone itself moves.
    ratio = out[cut : cut + fade] / np.where(free[cut : cut + fade] == 0, 1, free[cut : cut + fade])
    assert np.all(np.diff(ratio[np.abs(free[cut : cut + fade]) > 1e-3]) <= 1e-6)
    max_step = np.abs(np.diff(free[: at(8)])).max()
    assert np.abs(np.diff(out)).max() <= max_step + 1e-6


def test_choke_spares_later_hits_and_the_same_voice() -> None:
    p = pattern([(0, "open_hat", 1.0, 0.0), (2, "closed_hat", 1.0, 0.0), (8, "open_hat", 1.0, 0.0)], bars=2)
    out = render(p, hats(), dataclasses.replace(PLAIN, tail="ring"))[:, 0]
    alone = render(pattern([(8, "open_hat", 1.0, 0.0)], bars=2), hats(), dataclasses.replace(PLAIN, tail="ring"))
    np.testing.assert_array_equal(out[at(8) :], alone[at(8) :, 0])  # the second open hat rings on fully
    # Two open hats overlap (no self-choke): the second adds to the first's tail in the free render.
    two = pattern([(0, "open_hat", 1.0, 0.0), (4, "open_hat", 1.0, 0.0)], bars=2)
    both = render(two, hats(), dataclasses.replace(PLAIN, tail="ring"))[:, 0]
    assert np.abs(both[at(4) + 100 : at(4) + 1000]).max() > 0.9


def test_choke_reaches_across_the_loop_point_in_wrap_mode() -> None:
    # An open hat on the last 8th rings past the loop end into the next cycle's start, where the
    # closed hat on step 0 chokes it.
    p = pattern([(14, "open_hat", 1.0, 0.0), (0, "closed_hat", 1.0, 0.0)])
    out = render(p, hats(), PLAIN)[:, 0]
    fade = round(0.010 * SAMPLE_RATE)
    assert np.abs(out[at(14) :]).max() > 0.4
    assert np.all(out[fade : at(14)] == 0.0)
    assert np.abs(out[:fade]).max() > 0.0  # the wrapped tail fades out at the start


def test_limiter_keeps_a_hot_mix_under_the_ceiling() -> None:
    loud = [VoiceSounds(sustained(0.3, level=1.0), gain_db=12.0) for _ in range(NUM_VOICES)]
    hits = [(s, "kick", 1.0, 0.0) for s in range(0, 16, 2)] + [(s, "snare", 1.0, 0.0) for s in range(0, 16, 4)]
    for ceiling in (-0.1, -0.3, -1.0):
        out = render(pattern(hits), loud, RenderSettings(master_gain_db=6.0, ceiling_db=ceiling))
        assert np.abs(out).max() <= 10 ** (ceiling / 20) <= CEILING_01
        assert out.dtype == np.float32
    # Without the limiter the same mix would clip badly.
    raw = render(pattern(hits), loud, RenderSettings(master_gain_db=6.0, limiter=False))
    assert np.abs(raw).max() > 4.0


def test_limiter_leaves_a_mix_under_the_ceiling_bit_identical() -> None:
    voices = click_voices()
    hits = [(s, "kick", 0.9, 0.0) for s in range(0, 16, 4)] + [(s, "closed_hat", 0.6, 0.0) for s in range(16)]
    quiet = RenderSettings(master_gain_db=-6.0, variation=0.7)
    on, off = (
        render(pattern(hits), voices, quiet),
        render(pattern(hits), voices, dataclasses.replace(quiet, limiter=False)),
    )
    assert np.abs(off).max() < CEILING_01
    np.testing.assert_array_equal(on, off)
    x = np.full((1000, 2), 0.9, dtype=np.float32)
    assert limit(x, SAMPLE_RATE) is x


def test_limiter_only_touches_the_neighbourhood_of_an_over() -> None:
    t = np.arange(2 * SAMPLE_RATE) / SAMPLE_RATE
    x = (0.5 * np.sin(2 * np.pi * 100 * t)).astype(np.float32)[:, None].repeat(2, axis=1)
    spike = SAMPLE_RATE
    x[spike] = 2.0
    y = limit(x, SAMPLE_RATE, ceiling_db=-0.3)
    ceiling = 10 ** (-0.3 / 20)
    assert np.abs(y).max() <= ceiling
    lookahead = round(0.003 * SAMPLE_RATE)
    np.testing.assert_array_equal(y[: spike - lookahead - 1], x[: spike - lookahead - 1])
    gain = y[:, 0] / np.where(x[:, 0] == 0, 1, x[:, 0])
    assert gain[spike] == pytest.approx(ceiling / 2.0, rel=1e-3)  # just enough, not more
    assert gain[spike + round(0.3 * SAMPLE_RATE)] > 0.99  # recovered within 300 ms


def test_wrapped_loops_repeat_exactly_and_tails_fold_into_the_start() -> None:
    long_tone = VoiceSounds(sustained(seconds=2.5, level=0.3))  # longer than a 2 s bar at 120 BPM
    voices: list[VoiceSounds | None] = [None] * NUM_VOICES
    voices[V["crash"]] = long_tone
    voices[V["kick"]] = VoiceSounds(click())
    p = pattern([(0, "crash", 1.0, 0.0), (4, "kick", 1.0, 0.0), (10, "kick", 0.5, 0.3)])
    one = render(p, voices, PLAIN)
    three = render(p, voices, dataclasses.replace(PLAIN, loops=3))
    assert one.shape == (at(16), 2) and three.shape == (3 * at(16), 2)
    np.testing.assert_allclose(three, np.tile(one, (3, 1)), atol=1e-6)
    # The crash rings 2.5 s in a 2 s loop: its last 0.5 s is heard again over the loop start.
    tone = long_tone.audio[0, 0]
    folded = tone[: at(16)].copy()
    folded[: tone.shape[0] - at(16)] += tone[at(16) :]
    crash_only = render(pattern([(0, "crash", 1.0, 0.0)]), voices, PLAIN)[:, 0]
    np.testing.assert_allclose(crash_only, folded, atol=1e-6)


def test_ring_tail_appends_the_last_sound_and_starts_from_silence() -> None:
    voices: list[VoiceSounds | None] = [None] * NUM_VOICES
    voices[V["crash"]] = VoiceSounds(sustained(seconds=2.5, level=0.3))
    p = pattern([(8, "crash", 1.0, 0.0)])
    out = render(p, voices, dataclasses.replace(PLAIN, tail="ring", loops=2))
    assert out.shape[0] == at(16) + at(8) + round(2.5 * SAMPLE_RATE)
    assert np.all(out[: at(8)] == 0.0)


def test_pan_and_gain_follow_the_constant_power_law() -> None:
    p = pattern([(0, "snare", 1.0, 0.0)])

    def levels(pan: float, gain_db: float = 0.0) -> tuple[float, float]:
        voices: list[VoiceSounds | None] = [None] * NUM_VOICES
        voices[V["snare"]] = VoiceSounds(click(), pan=pan, gain_db=gain_db)
        out = render(p, voices, PLAIN)
        return float(out[0, 0]), float(out[0, 1])

    assert levels(0.0) == pytest.approx((1.0, 1.0))
    assert levels(-1.0) == pytest.approx((np.sqrt(2), 0.0)) and levels(-1.0)[1] == 0.0
    assert levels(1.0) == pytest.approx((0.0, np.sqrt(2))) and levels(1.0)[0] == 0.0
    for pan in (-0.7, -0.2, 0.4, 0.9):
        left, right = levels(pan)
        assert left**2 + right**2 == pytest.approx(2.0) and (left > right) == (pan < 0)
    assert levels(0.0, -6.0)[0] == pytest.approx(10 ** (-6 / 20))
    assert levels(0.0, 6.0)[0] == pytest.approx(10 ** (6 / 20))


def test_master_gain_scales_the_whole_mix() -> None:
    p = pattern([(0, "kick", 1.0, 0.0), (4, "snare", 1.0, 0.0)])
    a = render(p, click_voices(), PLAIN)
    b = render(p, click_voices(), dataclasses.replace(PLAIN, master_gain_db=-6.0))
    np.testing.assert_allclose(b, a * 10 ** (-6 / 20), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("semitones", [-12.0, -5.0, 7.0, 12.0])
def test_tune_shifts_pitch_by_resampling_and_keeps_the_onset(semitones: float) -> None:
    t = np.arange(SAMPLE_RATE // 2) / SAMPLE_RATE
    tone = (0.5 * np.sin(2 * np.pi * 441.0 * t) * np.exp(-t / 0.2)).astype(np.float32)
    voices: list[VoiceSounds | None] = [None] * NUM_VOICES
    voices[V["low_tom"]] = VoiceSounds(tone, tune=semitones)
    out = render(pattern([(4, "low_tom", 1.0, 0.0)]), voices, PLAIN)[:, 0]
    seg = out[at(4) : at(4) + SAMPLE_RATE // 8].astype(np.float64)
    spectrum = np.abs(np.fft.rfft(seg * np.hanning(seg.shape[0]), n=1 << 18))
    peak_hz = np.argmax(spectrum) * SAMPLE_RATE / (1 << 18)
    assert peak_hz == pytest.approx(441.0 * 2 ** (semitones / 12), rel=0.005)
    assert np.all(out[: at(4)] == 0.0) and abs(out[at(4) + 1]) > 0.0
    ratio = voices[V["low_tom"]].tuned().shape[-1] / tone.shape[0]  # type: ignore[union-attr]
    assert ratio == pytest.approx(2 ** (-semitones / 12), rel=0.01)


def test_muted_and_missing_voices_are_silent() -> None:
    voices = click_voices()
    voices[V["kick"]] = VoiceSounds(click(), mute=True)
    voices[V["snare"]] = None
    out = render(pattern([(0, "kick", 1.0, 0.0), (4, "snare", 1.0, 0.0)]), voices, PLAIN)
    assert out.shape == (at(16), 2) and not out.any()


def test_wrapped_loop_is_the_ringing_render_with_its_tail_folded_onto_the_start() -> None:
    # Seamless loop point: what rings past the end of the last loop is exactly what the file
    # starts with, random variations included (they repeat per loop modulo `loops`).
    rng = np.random.default_rng(5)
    voices: list[VoiceSounds | None] = [None] * NUM_VOICES
    voices[V["crash"]] = VoiceSounds((rng.standard_normal((2, 3, round(1.2 * SAMPLE_RATE))) * 0.1).astype(np.float32))
    voices[V["snare"]] = VoiceSounds((rng.standard_normal((2, 3, round(0.3 * SAMPLE_RATE))) * 0.1).astype(np.float32))
    p = pattern([(0, "snare", 0.6, 0.0), (12, "crash", 0.9, 0.1), (14, "snare", 1.0, 0.0), (15, "snare", 0.3, 0.2)])
    settings = dataclasses.replace(PLAIN, loops=2, variation=1.0, seed=11, swing=57.0)
    wrapped = render(p, voices, settings)
    ringing = render(p, voices, dataclasses.replace(settings, tail="ring"))
    n = wrapped.shape[0]
    folded = ringing[:n].copy()
    folded[: ringing.shape[0] - n] += ringing[n:]
    np.testing.assert_allclose(wrapped, folded, atol=1e-6)
