"""Stems sum to the mix, share its length and gain staging; every rate is a real resample."""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from latentdrum.errors import ConfigError
from latentdrum.instrument.render import RenderSettings, render
from latentdrum.instrument.stems import render_stems, stem_name, write_stems
from latentdrum.instrument.voice import VoiceSounds
from latentdrum.sounds.audio import SAMPLE_RATE
from tests.instrument.helpers import V, click_voices, pattern


def noisy_kit(seed: int = 0) -> list[VoiceSounds | None]:
    """Decaying noise bursts (2 layers x 2 variations), loud, panned around: the limiter works."""
    rng = np.random.default_rng(seed)
    env = np.exp(-np.arange(6000) / 900.0)
    return [VoiceSounds((rng.standard_normal((2, 2, 6000)) * env).astype(np.float32), gain_db=6.0,
                        pan=float(rng.uniform(-1, 1))) for _ in range(9)]


GROOVE = pattern([(s, "kick", 1.0, 0.05) for s in range(0, 32, 4)] + [(s, "closed_hat", 0.6, -0.02) for s in range(32)]
                 + [(s, "snare", 0.9, 0.0) for s in (4, 12, 20, 28)] + [(14, "open_hat", 0.8, 0.0)], bars=2)


@pytest.mark.parametrize("rate", [44_100, 48_000, 96_000])
def test_stems_sum_to_the_limited_mix_at_every_rate(rate: int) -> None:
    settings = RenderSettings(swing=56, master_gain_db=6.0, sample_rate=rate, loops=2)
    st = render_stems(GROOVE, noisy_kit(), settings)
    assert st.gain is not None and st.gain.min() < 0.9  # the limiter really worked on this mix
    assert st.voices == [V["kick"], V["snare"], V["closed_hat"], V["open_hat"]]
    total = np.zeros_like(st.mix)
    for _, stem in st.stems():
        assert stem.shape == st.mix.shape
        total += stem
    assert np.abs(total - st.mix).max() < 1e-6
    assert np.array_equal(st.mix, render(GROOVE, noisy_kit(), settings))
    assert st.mix.shape[0] == round(2 * 32 * 15 / 120 * rate)


def test_a_stem_keeps_its_pan_gain_and_chokes() -> None:
    kit = noisy_kit()
    st = render_stems(GROOVE, kit, RenderSettings(limiter=False, variation=0.0))
    open_hat = st.stem(V["open_hat"])
    left, right = kit[V["open_hat"]].stereo_gains()  # type: ignore[union-attr]
    master = 10 ** (-6 / 20)
    peak = np.abs(open_hat).max(axis=0)
    assert peak[1] / peak[0] == pytest.approx(right / left, rel=1e-4)
    # The closed hat on step 15 chokes the open hat of step 14: silent 10 ms after it.
    cut = round(15 * 15 / 120 * SAMPLE_RATE) + round(0.010 * SAMPLE_RATE) + 2
    assert np.abs(open_hat[cut:cut + 2000]).max() == 0.0
    assert np.abs(open_hat).max() > 0.1 * master
    assert not np.any(st.stem(V["ride"]))


def test_written_stems_are_24_bit_files_of_one_length(tmp_path: Path) -> None:
    st = render_stems(GROOVE, noisy_kit(), RenderSettings(sample_rate=48_000))
    paths = write_stems(tmp_path / "stems", st)
    assert [p.name for p in paths] == ["mix.wav", "01-kick.wav", "02-snare.wav", "03-closed-hat.wav",
                                       "04-open-hat.wav"]
    infos = [sf.info(str(p)) for p in paths]
    assert {i.samplerate for i in infos} == {48_000} and infos[0].subtype == "PCM_24"
    assert {i.subtype for i in infos} <= {"PCM_24", "FLOAT"}  # a stem louder than the mix stays unclipped
    assert len({i.frames for i in infos}) == 1
    total = sum(sf.read(str(p), always_2d=True)[0] for p in paths[1:])
    mix = sf.read(str(paths[0]), always_2d=True)[0]
    assert np.abs(total - mix).max() <= 4 * 2.0**-23  # half an LSB of rounding per file
    assert stem_name(V["high_tom"]) == "07-high-tom.wav"


def test_48k_hits_land_on_their_own_samples_and_pitch_is_kept() -> None:
    p = pattern([(0, "kick", 1.0, 0.0), (5, "snare", 1.0, 0.13)], bpm=111.0)
    plain = RenderSettings(variation=0.0, limiter=False, master_gain_db=0.0, sample_rate=48_000, swing=60)
    out = np.abs(render(p, click_voices(256), plain)[:, 0])
    step = 60 / 111 / 4
    # A resampled click is a short sinc: its peak sits on the hit's sample.
    for want in (0, round((5 + 0.2 + 0.13) * step * 48_000)):
        lo = max(0, want - 20)
        assert lo + int(np.argmax(out[lo:want + 20])) == want
    # A 1 kHz tone one-shot at 44.1 kHz is still 1 kHz at 96 kHz (a resample, not a reinterpretation).
    tone = np.sin(2 * np.pi * 1000 * np.arange(8820) / SAMPLE_RATE).astype(np.float32)
    out = render(pattern([(0, "kick", 1.0, 0.0)]), [VoiceSounds(tone)] + [None] * 8,
                 RenderSettings(variation=0.0, limiter=False, sample_rate=96_000))[:, 0]
    spectrum = np.abs(np.fft.rfft(out[:19200]))
    assert np.fft.rfftfreq(19200, 1 / 96_000)[np.argmax(spectrum)] == pytest.approx(1000, abs=6)


def test_other_rates_are_refused() -> None:
    with pytest.raises(ConfigError, match="44100, 48000, 96000"):
        RenderSettings(sample_rate=22_050)
