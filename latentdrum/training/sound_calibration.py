"""Calibrating a trained sound VAE's space: what :class:`~latentdrum.spaces.sound.SoundSpace` needs
per class, measured once on the training sounds and stored in the checkpoint's ``extra``.

Per class: the posterior means of its training sounds, a Gaussian of their spread and a 2D PCA
map, the intensity direction (louder hits within a kit), knob ranges from the class's measured
descriptors (brightness measured on the decoder) and the bank of real spectral detail
(:mod:`latentdrum.spaces.sound_detail`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from latentdrum.models.sound import SoundVAE
from latentdrum.sounds.audio import MAX_SAMPLES, SAMPLE_RATE
from latentdrum.sounds.classes import CLASSES
from latentdrum.sounds.descriptors import DESCRIPTORS, describe
from latentdrum.spaces.knobs import centroid_hz, knob_ranges, tilt
from latentdrum.spaces.sound import ENGINE
from latentdrum.spaces.sound_detail import build_bank


def calibrate_space(model: SoundVAE, ds: Any, feats: np.ndarray) -> dict[str, Any]:
    """Measure per class what :class:`SoundSpace` needs, from the training sounds.

    ``ds`` is the training :class:`~latentdrum.sounds.dataset.SoundDataset`, ``feats`` its
    ``(N, K, F)`` control frames. Returns the checkpoint's ``extra``: ``{"classes": {name: {...}}}``,
    knob ranges included (measured on the decoder here, so loading the space is quick), and each
    class's bank of real spectral detail (:mod:`latentdrum.spaces.sound_detail`).
    """
    model.eval()
    with torch.no_grad():
        mu, _ = model.encode_control(torch.from_numpy(feats), torch.from_numpy(ds.class_index.astype(np.int64)))
    z = mu.numpy().astype(np.float64)
    d = z.shape[1]
    desc = describe(ds.audio)
    # Pooled within-class covariance: the fallback shape for classes with few sounds.
    resid = np.concatenate([z[ds.class_index == ci] - z[ds.class_index == ci].mean(0)
                            for ci in np.unique(ds.class_index)])
    pooled = np.cov(resid.T) + 1e-4 * np.eye(d)
    out: dict[str, Any] = {}
    for ci in np.unique(ds.class_index):
        name = CLASSES[int(ci)]
        sel = np.nonzero(ds.class_index == ci)[0]
        zc = z[sel]
        m = len(sel)
        mean = zc.mean(0)
        cov = np.cov(zc.T) if m > 1 else np.zeros((d, d))
        shrink = 5.0
        cov = (m * cov + shrink * pooled) / (m + shrink) + 1e-5 * np.eye(d)
        chol = np.linalg.cholesky(cov)
        centred = zc - mean if m > 2 else resid
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        pca = vt[:2] if vt.shape[0] >= 2 else np.eye(d)[:2]
        # Intensity: regress latents on loudness within each kit (same drum, different hits).
        lev = ds.level_db[sel].astype(np.float64)
        kit = ds.kit_index[sel]
        zl = zc.copy()
        for k in np.unique(kit):
            s = kit == k
            zl[s] -= zl[s].mean(0)
            lev[s] -= lev[s].mean()
        var = float((lev**2).sum())
        direction = (zl.T @ lev) / var * max(float(np.sqrt(var / m)), 1e-9) if var > 1e-6 * m else np.zeros(d)
        q = {k: np.percentile(v[sel], [10, 50, 90]) for k, v in desc.items()}
        percentiles = np.stack([q[k] for k in DESCRIPTORS])
        knob_scale = knob_ranges(percentiles)
        knob_scale[0] = brightness_range(model, name, mean, percentiles)
        out[name] = {
            "latents": torch.from_numpy(zc.astype(np.float32)),
            "mean": torch.from_numpy(mean),
            "chol": torch.from_numpy(chol),
            "pca_mean": torch.from_numpy(mean),
            "pca": torch.from_numpy(pca.astype(np.float64)),
            "intensity": torch.from_numpy(direction.astype(np.float64)),
            "descriptor_percentiles": torch.from_numpy(percentiles),
            "knob_scale": torch.from_numpy(knob_scale),
            "count": torch.tensor(m),
        } | build_bank(zc, feats[sel]).to_extra()
    return {"classes": out, "descriptors": list(DESCRIPTORS), "sample_rate": SAMPLE_RATE, "length": MAX_SAMPLES,
            "engine": ENGINE}


def brightness_range(model: SoundVAE, name: str, latent: np.ndarray, percentiles: np.ndarray) -> float:
    """The spectral tilt (dB per octave) at which a full brightness sweep moves the class's
    typical sound's spectral centroid across the class's 10th-90th percentile spread.

    Measured on the decoded control frames of ``latent`` (the class's mean; no phase needed: the
    centroid is a magnitude statistic), by bisection; clipped to 0.5-8 dB per octave.
    """
    lo_c, _, hi_c = percentiles[DESCRIPTORS.index("brightness")]
    target = float(np.log2(max(hi_c, 1.0) / max(lo_c, 1.0)))
    with torch.no_grad():
        ctrl = model.decode_control(torch.from_numpy(latent[None].astype(np.float32)),
                                    torch.tensor([CLASSES.index(name)])).numpy()  # (1, K, F)
    interp, floor = model.interp.numpy(), model.config.log_floor

    def spread(tilt_db: float) -> float:
        up, down = (centroid_hz(interp @ tilt(ctrl, t, floor)[0]) for t in (tilt_db, -tilt_db))
        return float(np.log2(up / down))

    lo, hi = 0.5, 8.0
    if spread(hi) <= target:
        return hi
    for _ in range(16):
        mid = 0.5 * (lo + hi)
        if spread(mid) < target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)
