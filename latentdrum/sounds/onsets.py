"""Listening to a drum loop: onsets, tempo, downbeat and what each onset sounds like (librosa).

Input: a mono loop, ``(N,)`` float32 at 44.1 kHz (:func:`latentdrum.sounds.audio.load_audio`).
Everything is computed on a log-mel spectrogram (:data:`N_MELS` bands, 30 Hz-16 kHz, hop
:data:`HOP` samples = 5.8 ms):

- **onsets**: librosa's spectral-flux onset strength, peak-picked (``librosa.onset.onset_detect``),
  on the full band and on the kick and snare/tom bands (a kick under a ringing cymbal barely moves
  the full-band flux), merged, each refined to the 1 ms envelope's steepest rise near the frame:
  seconds from the file start;
- **tempo**: librosa's beat tracker on the same onset strength, or ``bpm`` when given; its
  *clarity* is the onset strength's normalised autocorrelation at the beat period (0 = no
  periodicity; a loop under :data:`MIN_CLARITY` has no clear tempo and is refused unless the
  tempo is given);
- **downbeat**: the beat nearest the first onset (a loop is cut to start on its bar), on the
  beat grid fitted to the tracked beats;
- **onset features** ``(K, F)``: what is new at each onset, per mel band: the flux (rise in dB) at
  the onset, the level 0-30 ms and 30-120 ms after it and 30-5 ms before it, in dB re the loop's
  loudest frame. A small model (:mod:`latentdrum.models.transcriber`) reads which drums struck.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from latentdrum.errors import AudioError
from latentdrum.sounds.audio import SAMPLE_RATE
from latentdrum.sounds.levels import amp_to_db

HOP = 256
N_FFT = 2048
N_MELS = 48
N_FEATURES = 4 * N_MELS + 2
MIN_CLARITY = 0.2
MIN_ONSETS = 4
SILENCE_DB = -60.0
_FRAME_S = HOP / SAMPLE_RATE
_MERGE_FRAMES = 3  # onsets of a band within 17 ms of one already found are the same onset
ONSET_DELTA = 0.03  # peak-picking threshold of the normalised onset strength
# Mel-band ranges (of N_MELS from 30 Hz) searched for onsets besides the full band: kick
# (below ~150 Hz) and snare/toms (~150-1000 Hz).
BANDS = ((0, 5), (5, 18))
_LEAD = 8 * HOP  # samples of silence put before the audio (46 ms)


@dataclass(frozen=True)
class LoopAnalysis:
    """What :func:`analyse_loop` hears.

    ``onsets`` ``(K,)`` seconds; ``features`` ``(K, N_FEATURES)``; ``bpm`` the tempo used;
    ``bpm_estimated`` the beat tracker's (None when ``bpm`` was given and no estimate was
    needed); ``clarity`` in [0, 1]; ``downbeat`` seconds of the first downbeat (hits up to half a
    beat before it are a lead-in); ``duration`` seconds.
    """

    onsets: np.ndarray
    features: np.ndarray
    bpm: float
    bpm_estimated: float | None
    clarity: float
    downbeat: float
    duration: float


def _mel_db(audio: np.ndarray) -> np.ndarray:
    import librosa

    mel = librosa.feature.melspectrogram(y=audio, sr=SAMPLE_RATE, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS,
                                         fmin=30.0, fmax=16000.0, power=2.0)
    db = 10.0 * np.log10(np.maximum(mel, 1e-10))
    return np.maximum(db - db.max(), -100.0).astype(np.float32)  # (M, frames) dB re the loudest bin


def _refine(audio: np.ndarray, t: float) -> float:
    """The steepest rise of the 1 ms RMS envelope within 12 ms before to 6 ms after ``t``."""
    w = 44
    a = max(0, int((t - 0.012) * SAMPLE_RATE))
    b = min(len(audio), int((t + 0.006) * SAMPLE_RATE))
    n = (b - a) // w
    if n < 3:
        return t
    env = np.sqrt(np.mean(audio[a : a + n * w].astype(np.float64).reshape(n, w) ** 2, axis=1))
    rise = np.diff(20 * np.log10(env + 1e-6))
    return (a + (int(np.argmax(rise)) + 1) * w) / SAMPLE_RATE


def _detect(env: np.ndarray) -> np.ndarray:
    import librosa

    return librosa.onset.onset_detect(onset_envelope=env, sr=SAMPLE_RATE, hop_length=HOP, units="frames",
                                      backtrack=False, delta=ONSET_DELTA, wait=3)


def _clarity(env: np.ndarray, bpm: float) -> float:
    e = env - env.mean()
    ac = np.correlate(e, e, mode="full")[len(e) - 1 :]
    if ac[0] <= 0:
        return 0.0
    lag = 60.0 / bpm / _FRAME_S
    lags = [lag * m for m in (1.0, 2.0, 0.5) if 1 <= lag * m < len(ac) - 1]
    vals = [ac[round(x) - 1 : round(x) + 2].max() / ac[0] for x in lags]
    return float(np.clip(max(vals, default=0.0), 0.0, 1.0))


def analyse_loop(audio: np.ndarray, bpm: float | None = None, source: str = "the loop") -> LoopAnalysis:
    """Onsets, tempo, downbeat and onset features of a loop (see the module docstring).

    Raises:
        AudioError: the loop is silent or too short, holds fewer than :data:`MIN_ONSETS` onsets,
            or (without ``bpm``) has no clear tempo.
    """
    import librosa

    audio = np.asarray(audio, dtype=np.float32)
    duration = len(audio) / SAMPLE_RATE
    if duration < 0.5:
        raise AudioError(f"{source} is {duration:.2f} s long; give a loop of at least one bar")
    peak = float(np.abs(audio).max()) if len(audio) else 0.0
    if peak < 10 ** (SILENCE_DB / 20):
        raise AudioError(f"{source} is silent (peak {amp_to_db(peak):.0f} dBFS); "
                         "give a recording of drums")
    # Silence before the start: a loop cut on its first hit has its onset at sample 0, where
    # spectral flux has no earlier frame to rise from.
    audio = np.concatenate([np.zeros(_LEAD, dtype=np.float32), audio / peak])
    db = _mel_db(audio)  # (M, F)
    flux = np.maximum(np.diff(db, axis=1, prepend=db[:, :1]), 0.0)  # (M, F) dB rise per frame
    env = librosa.onset.onset_strength(S=db, sr=SAMPLE_RATE, hop_length=HOP)
    frames = _detect(env)
    for lo, hi in BANDS:  # a kick under a ringing cymbal barely moves the full-band flux
        band = librosa.onset.onset_strength(S=db[lo:hi], sr=SAMPLE_RATE, hop_length=HOP)
        extra = [f for f in _detect(band) if len(frames) == 0 or np.abs(frames - f).min() > _MERGE_FRAMES]
        frames = np.sort(np.concatenate([frames, np.asarray(extra, dtype=frames.dtype)]))
    frames = frames[db[:, frames].max(axis=0) > SILENCE_DB] if len(frames) else frames
    if len(frames) < MIN_ONSETS:
        raise AudioError(f"{source} has {len(frames)} drum onsets; need at least {MIN_ONSETS} "
                         "(a loop of drum hits, not a single sound or a pad)")
    tempo, beats = librosa.beat.beat_track(onset_envelope=env, sr=SAMPLE_RATE, hop_length=HOP, start_bpm=110.0,
                                           bpm=None if bpm is None else float(bpm))
    beat_times = librosa.frames_to_time(beats, sr=SAMPLE_RATE, hop_length=HOP) - _LEAD / SAMPLE_RATE
    estimated = None
    if bpm is None:
        estimated = float(np.atleast_1d(tempo)[0])
        if len(beat_times) >= 8:  # the beats' own period is finer than the tempogram's bins
            fitted = 60.0 / float(np.polyfit(np.arange(len(beat_times)), beat_times, 1)[0])
            estimated = fitted if abs(fitted / estimated - 1) < 0.08 else estimated
        if not 20.0 <= estimated <= 400.0:
            raise AudioError(f"{source} has no clear tempo (estimate {estimated:.0f} BPM); pass --bpm")
    use_bpm = float(bpm if bpm is not None else estimated)  # type: ignore[arg-type]
    clarity = _clarity(env, use_bpm)
    if bpm is None and clarity < MIN_CLARITY:
        raise AudioError(f"{source} has no clear tempo (periodicity {clarity:.2f} < {MIN_CLARITY}); "
                         "pass its tempo with --bpm B")
    onsets = np.array([_refine(audio, f * _FRAME_S) for f in frames]) - _LEAD / SAMPLE_RATE
    downbeat = _downbeat(onsets, beat_times, use_bpm)
    return LoopAnalysis(onsets, onset_features(db, flux, frames), use_bpm, estimated, clarity, downbeat, duration)


def _downbeat(onsets: np.ndarray, beat_times: np.ndarray, bpm: float) -> float:
    """The first downbeat (s): the beat nearest the first onset, on a beat grid whose phase is
    fitted to the tracked beats (else to the onsets). A loop is taken to start on its bar's
    first beat, as loops are cut; a lead-in shorter than half a beat stays before it."""
    beat = 60.0 / bpm
    ref = beat_times if len(beat_times) >= 2 else onsets
    ang = 2 * np.pi * (ref % beat) / beat
    phase = (np.angle(np.mean(np.exp(1j * ang))) / (2 * np.pi)) % 1.0 * beat
    first = phase + np.floor((onsets[0] - phase) / beat + 0.5) * beat
    return float(first)


def onset_features(db: np.ndarray, flux: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """``(K, N_FEATURES)`` float32 features of onsets at ``frames`` (see the module docstring)."""
    n = db.shape[1]

    def span(lo_s: float, hi_s: float, f: int) -> np.ndarray:
        a = int(np.clip(f + round(lo_s / _FRAME_S), 0, n - 1))
        b = int(np.clip(f + round(hi_s / _FRAME_S), a + 1, n))
        return db[:, a:b].mean(axis=1)

    out = []
    for f in frames:
        rise = flux[:, max(0, f - 1) : f + 3].sum(axis=1)
        after = span(0.0, 0.03, f)
        later = span(0.03, 0.12, f)
        before = span(-0.03, -0.005, f) if f > 2 else np.full(db.shape[0], -100.0)
        level = after.max()
        out.append(np.concatenate([rise / 10.0, (after + 50) / 25, (later + 50) / 25, (before + 50) / 25,
                                   [level / 20.0, (after - before).mean() / 20.0]]))
    return np.asarray(out, dtype=np.float32).reshape(len(frames), N_FEATURES)
