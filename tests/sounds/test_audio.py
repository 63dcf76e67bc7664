"""Every format and shape a user's folder holds becomes mono float32 at 44.1 kHz; bad files fail clearly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from latentdrum.errors import AudioError
from latentdrum.sounds.audio import (
    MAX_SAMPLES,
    PRE_ROLL,
    SAMPLE_RATE,
    clean_output,
    load_audio,
    prepare_one_shot,
    write_wav,
)
from tests.sounds.factory import drum

CASES = [
    ("wav", "WAV", "PCM_U8", 44100, 1),
    ("wav", "WAV", "PCM_16", 44100, 1),
    ("wav", "WAV", "PCM_24", 44100, 1),
    ("wav", "WAV", "PCM_32", 44100, 1),
    ("wav", "WAV", "FLOAT", 44100, 1),
    ("flac", "FLAC", "PCM_16", 44100, 1),
    ("flac", "FLAC", "PCM_24", 48000, 2),
    ("ogg", "OGG", "VORBIS", 44100, 1),
    ("aiff", "AIFF", "PCM_16", 44100, 1),
    ("wav", "WAV", "PCM_16", 44100, 2),
    ("wav", "WAV", "PCM_16", 22050, 1),
    ("wav", "WAV", "PCM_16", 48000, 1),
    ("wav", "WAV", "PCM_24", 96000, 2),
]


def _peak_hz(x: np.ndarray) -> float:
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.argmax(spec) * SAMPLE_RATE / len(x))


@pytest.mark.parametrize(("ext", "fmt", "subtype", "sr", "channels"), CASES)
def test_every_format_becomes_mono_44k(tmp_path: Path, ext: str, fmt: str, subtype: str, sr: int,
                                       channels: int) -> None:
    t = np.arange(int(0.5 * sr)) / sr
    tone = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    data = np.stack([tone] * channels, axis=1) if channels > 1 else tone
    path = tmp_path / f"tone.{ext}"
    sf.write(path, data, sr, subtype=subtype, format=fmt)
    x = load_audio(path)
    assert x.dtype == np.float32 and x.ndim == 1
    assert abs(len(x) - 0.5 * SAMPLE_RATE) <= 2
    assert abs(_peak_hz(x) - 440) < 5  # resampled, not just relabelled
    assert 0.4 < np.max(np.abs(x)) < 0.6


def test_stereo_is_averaged(tmp_path: Path) -> None:
    left = np.full(4410, 0.5, dtype=np.float32)
    sf.write(tmp_path / "s.wav", np.stack([left, -0.1 * np.ones_like(left)], axis=1), 44100, subtype="FLOAT")
    assert np.allclose(load_audio(tmp_path / "s.wav"), 0.2)


@pytest.mark.parametrize(("content", "match"), [(b"", "empty"), (b"RIFF....WAVEfmt garbage", "not a readable")])
def test_empty_and_corrupt_files_raise(tmp_path: Path, content: bytes, match: str) -> None:
    (tmp_path / "bad.wav").write_bytes(content)
    with pytest.raises(AudioError, match=match):
        load_audio(tmp_path / "bad.wav")


def test_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="does not exist"):
        load_audio(tmp_path / "nope.wav")


def test_one_shot_is_onset_aligned_normalised_and_cut() -> None:
    x = np.concatenate([np.zeros(5000, np.float32), drum("snare", seconds=2.0)])
    shot = prepare_one_shot(0.05 * x)
    y = shot.audio
    assert y.shape == (MAX_SAMPLES,)
    onset = int(np.argmax(np.abs(y) >= 0.1 * np.abs(y).max()))
    assert abs(onset - PRE_ROLL) <= 2
    assert np.max(np.abs(y)) <= 10 ** (-1 / 20) + 1e-6
    assert abs(y[-1]) < 1e-4  # faded where it was cut
    assert shot.duration > 1.5 and shot.level_db < -20  # the file's own level is kept as metadata


@pytest.mark.parametrize(("audio", "match"), [
    (np.zeros(44100, np.float32), "silent"),
    (np.concatenate([np.zeros(100), [0.9], np.zeros(1000)]).astype(np.float32), "too short"),
])
def test_silent_and_too_short_sounds_are_rejected(audio: np.ndarray, match: str) -> None:
    with pytest.raises(AudioError, match=match):
        prepare_one_shot(audio)


def test_write_wav_is_24_bit_and_round_trips(tmp_path: Path) -> None:
    x = drum("kick")
    path = write_wav(tmp_path / "k.wav", x)
    info = sf.info(path)
    assert (info.subtype, info.samplerate, info.channels) == ("PCM_24", 44100, 1)
    assert np.max(np.abs(load_audio(path) - x)) < 1e-5
    stereo = write_wav(tmp_path / "st.wav", np.stack([x, x], axis=1))
    assert sf.info(stereo).channels == 2
    with pytest.raises(AudioError):
        write_wav(tmp_path / "bad.wav", np.zeros((3, 3, 3)))


def test_clean_output_has_no_dc_click_or_clipping() -> None:
    x = np.full((2, 44100), 0.7, dtype=np.float32) + 0.8 * np.sin(np.arange(44100) / 5.0).astype(np.float32)
    y = clean_output(x)
    assert np.max(np.abs(y)) <= 10 ** (-0.1 / 20)
    assert np.all(np.abs(y[:, 0]) < 1e-3) and np.all(np.abs(y[:, -1]) < 1e-3)
    assert np.all(np.abs(y.mean(axis=1)) < 1e-2)
