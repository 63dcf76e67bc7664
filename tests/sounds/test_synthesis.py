"""The compiled synthesis loops compute what their documentation says, on real spectrograms."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from latentdrum.sounds import kernels, spectral
from latentdrum.sounds.audio import PRE_ROLL, load_audio, prepare_one_shot
from latentdrum.sounds.synthesis import PEAK_FLOOR_DB, peak_locked_phase


def _reference_phase(mag: np.ndarray, onset: int = PRE_ROLL) -> np.ndarray:
    """The peak-locked phase of one ``(T, F)`` spectrogram in plain float64 numpy, frame by frame."""
    t, f = mag.shape
    top = mag.max()
    logm = np.log(mag.astype(np.float64) + (1e-7 * top + 1e-20))
    centres = np.arange(t) * spectral.HOP
    start = int(np.nonzero(centres <= onset + spectral.N_FFT // 4)[0][-1])
    bins = np.arange(f)
    running = np.zeros(f)
    omega_prev = np.zeros(f)
    out = np.empty((t, f))
    for ti in range(t):
        a, b, c = logm[ti, :-2], logm[ti, 1:-1], logm[ti, 2:]
        peaks = 1 + np.nonzero((b > a) & (b >= c) & (mag[ti, 1:-1] >= top * 10 ** (PEAK_FLOOR_DB / 20)))[0]
        if len(peaks):
            k = peaks - 1
            delta = np.zeros(f)
            delta[peaks] = np.clip(0.5 * (a[k] - c[k]) / (a[k] - 2 * b[k] + c[k]), -0.5, 0.5)
            # argmin takes the first of equals: the lower peak on a tie
            owner = peaks[np.argmin(np.abs(bins[:, None] - peaks[None, :]), axis=1)]
            omega = 2 * np.pi / spectral.N_FFT * (owner + delta[owner])
        else:
            owner, omega = bins, 2 * np.pi / spectral.N_FFT * bins
        if ti < start:
            out[ti] = omega[owner] * (centres[ti] - onset) - np.pi * bins
        else:
            if ti == start:
                running[:] = omega * (start * spectral.HOP - onset)
            else:
                running += 0.5 * spectral.HOP * (omega + omega_prev)
            out[ti] = running[owner] - np.pi * bins
        omega_prev = omega
    return out


def test_compiled_phase_is_the_documented_peak_locked_phase(samples_dir: Path) -> None:
    for name in ("sonic-pi/bd_808.flac", "sonic-pi/drum_cymbal_open.flac", "sonic-pi/drum_snare_hard.flac"):
        audio = prepare_one_shot(load_audio(samples_dir / name)).audio
        mag = np.abs(spectral.stft(audio[None, : 88200]))
        got = peak_locked_phase(mag)[0]
        want = _reference_phase(mag[0])
        err = np.abs(np.angle(np.exp(1j * (got - want))))
        loud = mag[0] > mag.max() * 1e-3  # the bins one hears (within 60 dB of the loudest)
        assert np.percentile(err[loud], 99) < 0.02, name  # radians, after 345 frames of running sum


def test_compiled_polar_is_magnitude_times_unit_phasor() -> None:
    """Every phase a 3 s sound's unwrapped phase reaches (thousands of radians), to float32 precision."""
    rng = np.random.default_rng(0)
    phase = np.concatenate([np.linspace(-8.0, 8.0, 20001), rng.uniform(-6000.0, 6000.0, 20000)]).astype(np.float32)
    mag = rng.uniform(0.0, 3.0, len(phase)).astype(np.float32)
    out = np.empty(len(phase), dtype=np.complex64)
    kernels.polar(mag, phase, out)
    want = mag * np.exp(1j * phase.astype(np.float64))
    assert np.abs(out - want).max() < 1e-6
