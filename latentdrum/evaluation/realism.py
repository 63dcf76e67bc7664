"""Realism metrics for drum one-shots: do generated sounds pass for real ones?

Every function takes one sound: a mono ``(N,)`` float array at
:data:`~latentdrum.sounds.audio.SAMPLE_RATE` (44.1 kHz) whose onset lies near sample
:data:`~latentdrum.sounds.audio.PRE_ROLL` (64, as :func:`latentdrum.sounds.audio.prepare_one_shot` puts it).
Lengths may differ between sounds (up to a few seconds). numpy and scipy only, no state.

- :func:`level_after_onset_db`: how sharp the attack is (dB re the peak, 3 ms after the onset).
- :func:`decay_times`: seconds from the peak to -20 dB and -60 dB of a 10 ms RMS envelope.
- :func:`partial_ratio`: how tonal the tail is (peak-to-neighbour power ratio of its partials).
- :func:`partial_jitter`: how steady the pitch of the strongest partials is (rad per hop).
- :func:`sound_features` / :func:`paired_distance` / :func:`realism_table`: a feature vector per
  sound, and the distance of each generated sound to its real original in units of the class's
  own spread between real files (1.0 = as different as two different real files of the class).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import Any

import numpy as np
import scipy.fft
import scipy.signal

from latentdrum.sounds.audio import PRE_ROLL, SAMPLE_RATE
from latentdrum.sounds.levels import rms_envelope, to_db
from latentdrum.sounds.mel import mel_filters


def level_after_onset_db(x: np.ndarray, ms: float = 3.0, onset: int = PRE_ROLL, win_ms: float = 1.0) -> float:
    """Level ``ms`` milliseconds after the onset, in dB re the sound's peak short-time level.

    The short-time level is a centred ``win_ms`` (1 ms) RMS of the Hilbert envelope |analytic(x)|
    (times 1/sqrt 2, the RMS of a sine): an RMS of the waveform itself over 1 ms would read the
    zero crossings of a 50 Hz kick, not its level. A sharp attack followed by a slow decay reads
    about 0 dB; a 20 ms linear fade-in reads about -16 dB (20 log10(3/20)).
    """
    x = np.asarray(x, dtype=np.float64)
    analytic = scipy.signal.hilbert(x, N=scipy.fft.next_fast_len(len(x)))[: len(x)]
    env = rms_envelope(np.abs(analytic) / np.sqrt(2.0), max(1, round(win_ms * SAMPLE_RATE / 1000)))
    peak = float(env.max())
    t = min(len(env) - 1, onset + round(ms * SAMPLE_RATE / 1000))
    return float(to_db(env[t] / max(peak, 1e-12)))


def decay_times(x: np.ndarray, win_ms: float = 10.0, levels_db: Sequence[float] = (20.0, 60.0)) -> tuple[float, ...]:
    """Seconds from the peak of a centred ``win_ms`` (10 ms) RMS envelope until it falls for good
    below -20 dB and -60 dB re that peak (one value per entry of ``levels_db``).

    "For good": the time is measured to the last sample still at or above the level, so a brief dip
    does not end the decay early. A sound that is still above the level at its last sample (it
    never got there, e.g. a cymbal cut at 1 s) reads its full length from the peak to its end.
    """
    env = rms_envelope(x, max(1, round(win_ms * SAMPLE_RATE / 1000)))
    p = int(np.argmax(env))
    peak = env[p]
    out = []
    for lvl in levels_db:
        above = np.nonzero(env[p:] >= peak * 10.0 ** (-lvl / 20.0))[0]
        out.append(float((above[-1] + 1) / SAMPLE_RATE))
    return tuple(out)


def _hann(n: int) -> np.ndarray:
    return (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)).astype(np.float64)


def _framed_power(seg: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    """``(N,)`` -> ``(T, n_fft//2+1)`` power spectra of Hann frames (zero-padded to one frame at least)."""
    if len(seg) < n_fft:
        seg = np.pad(seg, (0, n_fft - len(seg)))
    fr = np.lib.stride_tricks.sliding_window_view(seg, n_fft)[::hop] * _hann(n_fft)
    return np.abs(scipy.fft.rfft(fr, axis=-1)) ** 2


def tail_segment(x: np.ndarray, onset: int = PRE_ROLL, start_s: float = 0.1, floor_db: float = -40.0,
                 min_len: int = 4096) -> np.ndarray:
    """The tail :func:`partial_ratio` reads: from ``start_s`` after the onset to the last sample
    where the 10 ms RMS envelope is at or above ``floor_db`` re its peak, at least ``min_len``
    samples (a sound already quiet by then gives its quiet remainder, zero-padded if need be)."""
    x = np.asarray(x, dtype=np.float64)
    env = rms_envelope(x, 441)
    start = onset + round(start_s * SAMPLE_RATE)
    above = np.nonzero(env >= env.max() * 10.0 ** (floor_db / 20.0))[0]
    end = max(int(above[-1]) + 1 if len(above) else 0, start + min_len)
    seg = x[start:end]
    return np.pad(seg, (0, end - start - len(seg)))


def partial_ratio(x: np.ndarray, onset: int = PRE_ROLL, n_fft: int = 4096, hop: int = 1024, k: int = 8,
                  neighbour_hz: float = 100.0, exclude_bins: int = 3, fmin: float = 30.0,
                  fmax: float = 16000.0) -> float:
    """Peak-to-neighbour power ratio of the tonal partials in the tail (linear, >= ~1).

    Definition: P = the power spectrum (Hann ``n_fft`` 4096, 10.8 Hz bins, ``hop`` 1024) averaged
    over the frames of :func:`tail_segment` (100 ms after the onset to -40 dB). Peaks are the local
    maxima of P between ``fmin`` and ``fmax``; the ``k`` (8) with the most power are kept. For each,
    the ratio is P[peak] / median(P over the bins within ±``neighbour_hz`` (100 Hz) of it, leaving
    out the peak's own ±``exclude_bins`` (3, the Hann main lobe)). The result is the mean of the k
    ratios. White noise gives about 1 (1.3-1.6 for 1-2 s of noise: the strongest of hundreds of
    random bumps of an average of tens of frames); a clean partial gives 10^2..10^6; real crashes
    and rides give a few to a few tens.
    """
    p = _framed_power(tail_segment(x, onset, min_len=n_fft), n_fft, hop).mean(axis=0)
    p = p + 1e-20 * max(float(p.max()), 1e-30)
    hz = np.arange(len(p)) * SAMPLE_RATE / n_fft
    half = max(exclude_bins + 1, round(neighbour_hz * n_fft / SAMPLE_RATE))
    cand = np.nonzero((p[1:-1] > p[:-2]) & (p[1:-1] >= p[2:]))[0] + 1
    cand = cand[(hz[cand] >= fmin) & (hz[cand] <= fmax)]
    if len(cand) == 0:
        return 1.0
    cand = cand[np.argsort(p[cand])[::-1][:k]]
    offs = np.concatenate([np.arange(-half, -exclude_bins), np.arange(exclude_bins + 1, half + 1)])
    idx = cand[:, None] + offs[None, :]
    inside = (idx >= 1) & (idx < len(p))  # near DC the neighbourhood is one-sided
    neigh = np.nanmedian(np.where(inside, p[np.clip(idx, 0, len(p) - 1)], np.nan), axis=1)
    return float(np.mean(p[cand] / neigh))


def _wrap(a: np.ndarray) -> np.ndarray:
    return (a + np.pi) % (2 * np.pi) - np.pi


def partial_jitter(x: np.ndarray, onset: int = PRE_ROLL, n_fft: int = 2048, hop: int = 256, dur_s: float = 0.1,
                   n_partials: int = 3, range_db: float = 30.0, search_bins: int = 3) -> float:
    """Frequency jitter of the strongest partials in the first ``dur_s`` (100 ms), radians per hop.

    Phase-vocoder style: Hann ``n_fft`` (2048) frames every ``hop`` (256) samples, centred from the
    onset to ``dur_s`` after it. At the frame with most energy the ``n_partials`` (3) strongest
    local maxima start tracks, followed frame by frame forward and backward (the largest bin within
    ±``search_bins`` of the previous one) while within ``range_db`` (30 dB) of the track's maximum.
    Along a track the phase advance per hop at the tracked bin is the bin's nominal advance plus the
    wrapped phase deviation (the instantaneous frequency times ``hop``). The jitter of a track is the
    RMS of that advance minus its smooth fit (Savitzky-Golay, quadratic, 5 frames), scaled by
    1/sqrt(1 - 17/35) so that white frequency noise of std s reads s: a steady or smoothly gliding
    sine reads ~0, Griffin-Lim warble 0.1 or more. Returns the median over tracks of >= 5 frames
    (NaN when there is none).
    """
    x = np.asarray(x, dtype=np.float64)
    n_frames = 1 + round(dur_s * SAMPLE_RATE) // hop
    need = onset + (n_frames - 1) * hop + n_fft // 2
    xp = np.pad(x, (n_fft // 2, max(0, need - len(x))))
    fr = np.lib.stride_tricks.sliding_window_view(xp, n_fft)[onset : onset + n_frames * hop : hop][:n_frames]
    spec = scipy.fft.rfft(fr * _hann(n_fft), axis=-1)
    mag = np.abs(spec)
    ph = np.angle(spec)
    j0 = int(np.argmax((mag**2).sum(axis=1)))
    m0 = mag[j0]
    cand = np.nonzero((m0[1:-1] > m0[:-2]) & (m0[1:-1] >= m0[2:]))[0] + 1
    cand = cand[np.argsort(m0[cand])[::-1][:n_partials]]
    out = []
    n_bins = mag.shape[1]
    for b0 in cand:
        bins = np.full(n_frames, -1)
        bins[j0] = b0
        for step in (1, -1):
            j, b = j0 + step, int(b0)
            while 0 <= j < n_frames:
                lo, hi = max(0, b - search_bins), min(n_bins, b + search_bins + 1)
                b = lo + int(np.argmax(mag[j, lo:hi]))
                bins[j] = b
                j += step
        level = mag[np.arange(n_frames), bins]
        ok = level >= level.max() * 10.0 ** (-range_db / 20.0)
        # the contiguous run of frames around j0 that stays within range
        lo_j = j0
        while lo_j > 0 and ok[lo_j - 1]:
            lo_j -= 1
        hi_j = j0
        while hi_j < n_frames - 2 and ok[hi_j + 1]:
            hi_j += 1
        js = np.arange(lo_j, min(hi_j, n_frames - 2) + 1)
        if len(js) < 5:
            continue
        kb = bins[js]
        nominal = 2 * np.pi * kb * hop / n_fft
        adv = nominal + _wrap(ph[js + 1, kb] - ph[js, kb] - nominal)
        smooth = scipy.signal.savgol_filter(adv, 5, 2, mode="interp")
        out.append(float(np.sqrt(np.mean((adv - smooth) ** 2)) / np.sqrt(1.0 - 17.0 / 35.0)))
    return float(np.median(out)) if out else float("nan")


# ---------------------------------------------------------------------------------- feature vector

_OCTAVE_EDGES = np.array([20.0, 125.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0, 20000.0])
_ENV_TIMES_MS = (10.0, 30.0, 100.0, 300.0, 1000.0)
_N_MFCC = 12
_ATTACK_MS = 50.0

FEATURE_NAMES: tuple[str, ...] = (
    "log10_t20", "log10_t60", "level_3ms_db", "log10_partial_ratio", "log10_jitter",
    "log2_centroid_hz", "flatness_db",
    *(f"env_{int(t)}ms_db" for t in _ENV_TIMES_MS),
    *(f"attack_band{i}_db" for i in range(8)),
    *(f"tail_band{i}_db" for i in range(8)),
    *(f"mfcc{i + 1}" for i in range(_N_MFCC)),
)


_FEAT_NFFT = 2048
_FEAT_HOP = 512
_MEL = mel_filters(_FEAT_NFFT, 40, 30.0, 16000.0, shape="hz", normalise=False)  # (40, 1025)
_FEAT_HZ = np.arange(_FEAT_NFFT // 2 + 1) * SAMPLE_RATE / _FEAT_NFFT
_BAND_OF_BIN = np.searchsorted(_OCTAVE_EDGES, _FEAT_HZ, side="right") - 1  # -1 / 8 = outside


def _band_db(p: np.ndarray, total: float | None = None) -> np.ndarray:
    """``(F,)`` power spectrum -> ``(8,)`` octave bands' power in dB re ``total`` (default: the
    spectrum's own, shares), floor -80."""
    e = np.array([p[np.equal(_BAND_OF_BIN, i)].sum() for i in range(8)])
    return 10.0 * np.log10(np.maximum(e / max(float(e.sum()) if total is None else total, 1e-30), 1e-8))


def sound_features(x: np.ndarray, onset: int = PRE_ROLL) -> np.ndarray:
    """``(N,)`` sound -> ``(D,)`` float64 features, named by :data:`FEATURE_NAMES` (D = 40).

    Envelope: log10 of t-20 and t-60 (s, :func:`decay_times`), level 3 ms after the onset (dB),
    10 ms RMS levels at 10/30/100/300/1000 ms after the onset (dB re peak, floor -80). Partials:
    log10 :func:`partial_ratio`, log10(:func:`partial_jitter` + 0.001) (0.3 when there is no track).
    Spectrum (Hann 2048, hop 512): log2 power-weighted centroid (Hz), flatness of the mean power
    spectrum 30 Hz..16 kHz (dB), 8 octave bands (20-125 Hz, then octaves to 20 kHz, dB): their
    shares of the first 50 ms, and after it their power re the whole sound's (a tail that fades
    to nothing goes to the -80 dB floor; as shares of its own power, a 58 ms hat's last faint
    frame flipped all 8 from the floor to full-scale shares), and 12 MFCCs (DCT-II of the log
    of 40 mel bands of the mean power spectrum, coefficients 1..12).
    """
    x = np.asarray(x, dtype=np.float64)
    t20, t60 = decay_times(x)
    env = rms_envelope(x, 441)
    peak = max(float(env.max()), 1e-12)
    env_db = [max(-80.0, float(to_db(env[onset + round(t * SAMPLE_RATE / 1000)] / peak)))
              if onset + round(t * SAMPLE_RATE / 1000) < len(x) else -80.0 for t in _ENV_TIMES_MS]
    jit = partial_jitter(x, onset)
    p = _framed_power(np.pad(x, (_FEAT_NFFT // 2, _FEAT_NFFT // 2)), _FEAT_NFFT, _FEAT_HOP)  # frame t centred at t*hop
    centre = np.arange(len(p)) * _FEAT_HOP
    attack = centre < onset + _ATTACK_MS * SAMPLE_RATE / 1000
    pa, pt = p[attack].sum(axis=0), p[~attack].sum(axis=0) if (~attack).any() else np.zeros(p.shape[1])
    pm = p.mean(axis=0) + 1e-20
    centroid = float((pm * _FEAT_HZ).sum() / pm.sum())
    band = (_FEAT_HZ >= 30) & (_FEAT_HZ <= 16000)
    flat = float(10 * (np.mean(np.log10(pm[band])) - np.log10(np.mean(pm[band]))))
    mfcc = scipy.fft.dct(np.log(_MEL @ pm + 1e-12), type=2, norm="ortho")[1 : _N_MFCC + 1]
    return np.concatenate([
        [np.log10(max(t20, 1e-3)), np.log10(max(t60, 1e-3)), level_after_onset_db(x, onset=onset),
         np.log10(max(partial_ratio(x, onset), 1e-3)), np.log10((0.3 if np.isnan(jit) else jit) + 1e-3),
         np.log2(max(centroid, 1.0)), flat],
        env_db, _band_db(pa), _band_db(pt, float(pa.sum() + pt.sum())), mfcc,
    ])


def feature_matrix(sounds: Sequence[np.ndarray]) -> np.ndarray:
    """A list of ``(N_i,)`` sounds -> ``(len, D)`` features (:func:`sound_features`)."""
    return np.stack([sound_features(s) for s in sounds])


def feature_scale(real_features: np.ndarray) -> np.ndarray:
    """``(N, D)`` real features -> ``(D,)`` std per feature (1 where a feature is constant)."""
    s = real_features.std(axis=0)
    return np.where(s > 1e-9, s, 1.0)


def class_spread(real_features: np.ndarray) -> float:
    """Mean Euclidean distance between the (standardised) features of two different real files;
    NaN for fewer than two files."""
    pairs = list(combinations(range(len(real_features)), 2))
    if not pairs:
        return float("nan")
    return float(np.mean([np.linalg.norm(real_features[i] - real_features[j]) for i, j in pairs]))


def paired_distance(real: np.ndarray, other: np.ndarray, class_spread: float) -> float:
    """Mean over sounds of ||f(real_i) - f(other_i)|| / ``class_spread``.

    ``real`` and ``other`` are ``(N, D)`` standardised features of the same N sounds (other_i made
    from real_i); ``class_spread`` is :func:`class_spread` of the class's real sounds. 0 = identical
    features, 1.0 = as different as two different real files of the class.
    """
    return float(np.mean(np.linalg.norm(real - other, axis=1)) / class_spread)


def _scalar_metrics(sounds: Sequence[np.ndarray]) -> dict[str, np.ndarray]:
    dec = np.array([decay_times(s) for s in sounds]).reshape(-1, 2)
    return {
        "partial_ratio": np.array([partial_ratio(s) for s in sounds]),
        "jitter": np.array([partial_jitter(s) for s in sounds]),
        "level_3ms_db": np.array([level_after_onset_db(s) for s in sounds]),
        "t20_s": dec[:, 0],
        "t60_s": dec[:, 1],
    }


def _median(v: np.ndarray) -> float | None:
    v = v[np.isfinite(v)]
    return float(np.median(v)) if len(v) else None


def realism_table(real: Sequence[np.ndarray], others: Mapping[str, Sequence[np.ndarray]],
                  classes: Sequence[str]) -> dict[str, Any]:
    """Per class and overall: paired distance and the medians of the scalar metrics.

    ``real``: N real sounds (``(N_i,)`` arrays, lengths may differ); ``others``: name -> N sounds,
    the i-th made from ``real[i]`` (resynthesised, reconstructed...); ``classes``: N class names.
    Features are standardised by the real sounds' std per feature (all classes together). A class
    with fewer than two real files uses the median spread of the other classes. "overall" pools all
    sounds (each distance in units of its own class's spread).

    Returns ``{"classes": {cls: {"n": n, "real": {...}, name: {...}}}, "overall": {...}}`` where each
    ``{...}`` has ``partial_ratio``, ``jitter``, ``level_3ms_db``, ``t20_s``, ``t60_s`` (medians) and,
    for the other sets, ``paired_distance``.
    """
    labels = np.asarray(classes)
    f_real = feature_matrix(real)
    scale = feature_scale(f_real)
    f_real = f_real / scale
    f_other = {k: feature_matrix(v) / scale for k, v in others.items()}
    m_real = _scalar_metrics(real)
    m_other = {k: _scalar_metrics(v) for k, v in others.items()}
    names = sorted(set(labels.tolist()))
    spreads = {c: class_spread(f_real[labels == c]) for c in names}
    fallback = float(np.nanmedian([s for s in spreads.values()])) if any(np.isfinite(list(spreads.values()))) else 1.0
    spreads = {c: (s if np.isfinite(s) else fallback) for c, s in spreads.items()}
    per_sound = {k: np.linalg.norm(f_real - f, axis=1) / np.array([spreads[c] for c in labels])
                 for k, f in f_other.items()}

    def block(mask: np.ndarray) -> dict[str, Any]:
        out: dict[str, Any] = {"n": int(mask.sum()), "real": {m: _median(v[mask]) for m, v in m_real.items()}}
        for k in others:
            out[k] = {"paired_distance": float(np.mean(per_sound[k][mask])),
                      **{m: _median(v[mask]) for m, v in m_other[k].items()}}
        return out

    return {"classes": {c: {**block(labels == c), "spread": spreads[c]} for c in names},
            "overall": block(np.ones(len(labels), dtype=bool))}
