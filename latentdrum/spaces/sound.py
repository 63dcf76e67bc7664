"""The sound space the instrument plays: sample, decode, shape with knobs, encode, map.

:class:`SoundSpace` wraps a trained :class:`~latentdrum.models.sound.SoundVAE` and what training
measured on the real sounds of each class (kept in the checkpoint's ``extra``, so no dataset is
needed at run time):

- the latent means of the class's training sounds and a Gaussian of their spread: sampling draws
  from a kernel density estimate over them (every sample lies where the class's real sounds lie:
  an aggregate-posterior prior), and a 2D PCA map of those latents;
- an *intensity* direction: the least-squares direction in latent space along which the class's
  sounds get louder within one kit (velocity layers, hits of one drum), scaled to +-1 std;
- knob ranges measured from the class's descriptors: at +-1 a knob moves its descriptor by about
  half of the class's 10th-90th percentile spread, so a knob never leaves what the class covers.

Knobs act on the decoder's output spectrogram and envelope, where each has one meaning:
``brightness`` tilts the spectrum (dB per octave around 1 kHz), ``pitch`` warps the frequency
axis (semitones), ``decay`` stretches the time axis after the onset, ``attack`` is an envelope
rise time (+1 = slower rise; -1 = a transient boost: punchier). All are 0 = neutral, range [-1, 1].
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import torch

from latentdrum.errors import CheckpointError, ConfigError
from latentdrum.models.sound import SoundVAE, SoundVAEConfig, control_frames
from latentdrum.sounds import spectral
from latentdrum.sounds.audio import (
    PRE_ROLL,
    SAMPLE_RATE,
    TARGET_RMS_DB,
    clean_output,
    db_to_amp,
    prepare_one_shot,
)
from latentdrum.sounds.classes import CLASSES, check_class
from latentdrum.sounds.descriptors import DESCRIPTORS

BUNDLED = Path(__file__).resolve().parents[1] / "assets" / "sound.ckpt"
INTENSITY_TILT_DB = 1.5  # dB per octave of extra tilt at intensity 1 (and -1.5 at 0)
SAMPLE_BANDWIDTH = 0.35  # kernel width for sampling, relative to the class's spread
_ONSET_FRAME = 2.0  # frames kept as they are when the decay knob stretches time (the attack)
_LOG2_BAND = np.log2(spectral.BAND_HZ / 1000.0).astype(np.float32)  # (F,) octaves re 1 kHz


@dataclass(frozen=True)
class Knobs:
    """Sound-shaping knobs, each in [-1, 1], 0 = the sound as decoded."""

    brightness: float = 0.0
    decay: float = 0.0
    pitch: float = 0.0
    attack: float = 0.0

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if not isinstance(v, int | float) or not -1.0 <= float(v) <= 1.0:
                raise ConfigError(f"knob {f.name} must be a number in [-1, 1], got {v!r}")

    def as_array(self) -> np.ndarray:
        return np.array([self.brightness, self.decay, self.pitch, self.attack], dtype=np.float64)


def knob_ranges(percentiles: np.ndarray) -> np.ndarray:
    """What +-1 means for each knob of a class, from its descriptors' 10/50/90th percentiles.

    ``percentiles`` is ``(4, 3)`` in :data:`DESCRIPTORS` order. Returns ``(5,)``: brightness tilt
    in dB per octave (a first guess: :class:`SoundSpace` measures it on the decoder instead),
    decay time stretch in octaves (log2), pitch down and pitch up in semitones,
    and attack ramp in ms. Each is sized so a full turn moves its descriptor by about half of the
    class's 10th-90th percentile spread (clipped to a range where the effect is audible and the
    sound stays clean).
    """
    q = {k: np.log2(np.maximum(percentiles[i], 1e-6)) for i, k in enumerate(DESCRIPTORS)}
    spread = {k: float(v[2] - v[0]) for k, v in q.items()}
    pitch = np.clip(6.0 * spread["pitch"], 2.0, 7.0)
    # Pitching a bright sound up pushes its top out of the audio band: going up, keep the class's
    # 90th-percentile brightness below 12 kHz.
    headroom = 12.0 * (np.log2(12000.0) - q["brightness"][2])
    return np.array([
        np.clip(3.0 * spread["brightness"], 1.5, 6.0),
        np.clip(0.5 * spread["decay"], 0.5, 1.5),
        pitch,
        np.clip(min(pitch, headroom), 1.0, 7.0),
        np.clip(float(percentiles[DESCRIPTORS.index("attack"), 2]), 3.0, 25.0),
    ])


def _match_spread(chol: np.ndarray, latents: np.ndarray) -> np.ndarray:
    """Scale a class's sampling Gaussian so its total variance equals that of the class's own latents.

    The covariance is shrunk toward the pooled within-class covariance (for classes with few
    sounds), which keeps its shape sensible but can inflate its size: a clap class of 7 near
    identical claps would sample far more varied sounds than it has. Matching the trace keeps the
    shape and restores the class's own spread (the expected distance between two samples then
    equals that between two real sounds of the class).
    """
    if len(latents) < 2:
        return chol
    target = float(np.sum(np.var(latents, axis=0, ddof=1)))
    current = float(np.sum(chol**2))  # trace of chol @ chol.T
    return chol * np.sqrt(target / max(current, 1e-12))


class SoundSpace:
    """A trained sound VAE ready to play (see the module docstring)."""

    def __init__(self, model: SoundVAE, extra: dict[str, Any], model_id: str, metrics: dict[str, Any] | None = None,
                 data_summary: dict[str, Any] | None = None) -> None:
        self.model = model.eval()
        self.model_id = model_id
        self.metrics = metrics or {}
        self.data_summary = data_summary or {}
        per_class = extra.get("classes", {})
        self.classes: tuple[str, ...] = tuple(c for c in CLASSES if c in per_class)
        self.latent_dim: int = model.config.latent_dim
        self._c = {c: {k: np.asarray(v, dtype=np.float64) for k, v in per_class[c].items()} for c in self.classes}
        self._positions = control_frames(model.config.n_frames, model.config.n_control)
        for name, c in self._c.items():
            c["knob_scale"] = knob_ranges(c["descriptor_percentiles"])
            c["knob_scale"][0] = self._brightness_range(name, c)
            c["chol"] = _match_spread(c["chol"], c["latents"])

    def _brightness_range(self, name: str, c: dict[str, np.ndarray]) -> float:
        """The spectral tilt (dB per octave) at which a full brightness sweep moves the class's
        typical sound's spectral centroid across the class's 10th-90th percentile spread.

        Measured on the decoded spectrogram of the class's mean latent (no phase needed: the
        centroid is a magnitude statistic), by bisection; clipped to 0.5-8 dB per octave.
        """
        lo_c, _, hi_c = c["descriptor_percentiles"][DESCRIPTORS.index("brightness")]
        target = float(np.log2(max(hi_c, 1.0) / max(lo_c, 1.0)))
        with torch.no_grad():
            ctrl = self.model.decode_control(torch.from_numpy(c["latents"].mean(0, keepdims=True).astype(np.float32)),
                                             torch.tensor([CLASSES.index(name)])).numpy()[0]  # (K, F)
        floor = self.model.config.log_floor
        band = (spectral.BIN_HZ >= 30.0) & (spectral.BIN_HZ <= 20000.0)

        def centroid(tilt_db: float) -> float:
            k = np.where(ctrl > floor + 1e-3, ctrl + tilt_db / 20.0 * np.log(10.0) * _LOG2_BAND, floor)
            mag = spectral.bands_to_magnitude((self.model.interp.numpy() @ k)[None])[0].sum(0)[band]
            return float(mag @ spectral.BIN_HZ[band] / max(mag.sum(), 1e-12))

        lo, hi = 0.5, 8.0
        if np.log2(centroid(hi) / centroid(-hi)) <= target:
            return hi
        for _ in range(16):
            mid = 0.5 * (lo + hi)
            if np.log2(centroid(mid) / centroid(-mid)) < target:
                lo = mid
            else:
                hi = mid
        return 0.5 * (lo + hi)

    # ---- loading -------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path | None = None) -> SoundSpace:
        """Load a sound checkpoint (``None``: the model bundled with latentdrum).

        Raises:
            CheckpointError: missing, corrupt, another format version or not a sound model.
        """
        from latentdrum.models.checkpoint import build_config, load_checkpoint, weights_id

        if path is None:
            path = BUNDLED
            if not path.is_file():
                raise CheckpointError(f"the bundled sound model {path} is missing; reinstall latentdrum "
                                      "or train one with 'latentdrum sound train' and pass --model")
        ckpt = load_checkpoint(path, "sound")
        config = build_config(SoundVAEConfig, ckpt.config, path)
        model = SoundVAE(config)
        state = {k: v.float() for k, v in ckpt.state_dict.items()}
        try:
            model.load_state_dict(state)
        except RuntimeError as exc:
            raise CheckpointError(f"{path} does not match its own config ({exc}); the file is damaged") from exc
        if "classes" not in ckpt.extra:
            raise CheckpointError(f"{path} has no calibrated sound space; re-run 'latentdrum sound train'")
        return cls(model, ckpt.extra, weights_id(state), ckpt.metrics, ckpt.data_summary)

    # ---- latents -------------------------------------------------------------------------

    def _class(self, name: str) -> dict[str, np.ndarray]:
        check_class(name)
        if name not in self._c:
            raise ConfigError(f"this sound model has no {name!r} sounds; choose one of {', '.join(self.classes)}")
        return self._c[name]

    def sample_latent(self, class_name: str, n: int = 1, seed: int | None = None,
                      temperature: float = 1.0) -> np.ndarray:
        """``(n, D)`` float32 latents drawn from the class's aggregate posterior.

        Each sample picks one of the class's training sounds at random and moves away from it by
        Gaussian noise shaped like the class's own spread and :data:`SAMPLE_BANDWIDTH` times as
        large (a kernel density estimate of where the class's real sounds lie). A class of
        different instruments (``perc``: cowbells, congas, tambourines) then yields new cowbells
        and new congas, not a blend of all of them. ``temperature`` scales the noise: 0 gives
        the training sounds' own latents.
        """
        c = self._class(class_name)
        if n < 1 or temperature < 0:
            raise ConfigError(f"need n >= 1 and temperature >= 0, got n={n}, temperature={temperature}")
        rng = np.random.default_rng(seed)
        centre = c["latents"][rng.integers(len(c["latents"]), size=n)]
        eps = rng.standard_normal((n, self.latent_dim))
        return (centre + temperature * SAMPLE_BANDWIDTH * eps @ c["chol"].T).astype(np.float32)

    def class_map(self, class_name: str) -> tuple[np.ndarray, np.ndarray]:
        """2D PCA positions ``(M, 2)`` of the class's training latents, and the latents ``(M, D)``."""
        c = self._class(class_name)
        pos = (c["latents"] - c["pca_mean"]) @ c["pca"].T
        return pos.astype(np.float32), c["latents"].astype(np.float32)

    def descriptor_percentiles(self, class_name: str) -> dict[str, np.ndarray]:
        """10th/50th/90th percentiles of each descriptor over the class's training sounds."""
        c = self._class(class_name)
        return {k: c["descriptor_percentiles"][i] for i, k in enumerate(DESCRIPTORS)}

    def map_to_latent(self, class_name: str, xy: Sequence[float]) -> np.ndarray:
        """``(D,)`` latent for a 2D map point: the class mean moved along the two PCA axes."""
        c = self._class(class_name)
        return (c["pca_mean"] + np.asarray(xy, dtype=np.float64) @ c["pca"]).astype(np.float32)

    def encode(self, audio: np.ndarray, class_name: str, refine_steps: int = 100) -> np.ndarray:
        """``(D,)`` latent of mono 44.1 kHz ``audio`` (prepared as training sounds are).

        Starts from the encoder's posterior mean, then (``refine_steps`` > 0) refines it by
        gradient descent on the reconstruction error, with the VAE's standard normal prior as a
        weak penalty. The refinement closes most of the "amortisation gap" on kits unlike the
        training ones (measured on held-out kits: see the model card); about 0.1 s per sound.

        Raises:
            AudioError: the sound is silent or too short.
        """
        self._class(class_name)
        shot = prepare_one_shot(np.asarray(audio, dtype=np.float32), source="the sound to encode")
        x = torch.from_numpy(spectral.log_bands(shot.audio))  # (1, T, F)
        cls = torch.tensor([CLASSES.index(class_name)])
        with torch.no_grad():
            mu, _ = self.model.encode(x, cls)
        if refine_steps <= 0:
            return mu[0].numpy().astype(np.float32)
        z = mu.clone().requires_grad_(True)
        opt = torch.optim.Adam([z], lr=0.05)
        for p in self.model.parameters():
            p.requires_grad_(False)
        try:
            for _ in range(refine_steps):
                opt.zero_grad()
                loss = (self.model.decode(z, cls) - x).abs().mean() + 1e-3 * z.pow(2).mean()
                loss.backward()
                opt.step()
        finally:
            for p in self.model.parameters():
                p.requires_grad_(True)
        return z.detach()[0].numpy().astype(np.float32)

    # ---- decoding ------------------------------------------------------------------------

    def decode(self, z: np.ndarray, class_name: str | Sequence[str], knobs: Knobs | None = None,
               intensity: np.ndarray | float | None = None, gla_iters: int = spectral.GLA_ITERS) -> np.ndarray:
        """Latents ``z (n, D)`` -> ``(n, L)`` float32 mono 44.1 kHz one-shots, L = 44100 (1 s).

        ``class_name``: one class for all, or one per row. ``intensity`` in [0, 1] (0.5 = as
        sampled; scalar or ``(n,)``) moves each sound along its class's intensity direction and
        makes it brighter with a sharper attack as it grows. Output is loudness-normalised (the
        loudest 50 ms at -12 dBFS RMS), peak <= -0.3 dBFS, no DC, faded at both ends.
        """
        z = np.atleast_2d(np.asarray(z, dtype=np.float32))
        n = z.shape[0]
        if z.shape[1] != self.latent_dim:
            raise ConfigError(f"latents must have {self.latent_dim} dimensions, got shape {z.shape}")
        names = [class_name] * n if isinstance(class_name, str) else list(class_name)
        if len(names) != n:
            raise ConfigError(f"got {len(names)} class names for {n} latents")
        cs = [self._class(c) for c in names]
        k = (knobs or Knobs()).as_array()
        inten = np.broadcast_to(np.asarray(0.5 if intensity is None else intensity, dtype=np.float64), (n,))
        if np.any((inten < 0) | (inten > 1)):
            raise ConfigError("intensity must be in [0, 1] (0.5 = neutral)")
        push = (inten - 0.5) * 2.0  # (n,) in [-1, 1]
        z = z + push[:, None].astype(np.float32) * np.stack([c["intensity"] for c in cs]).astype(np.float32)
        cls = torch.tensor([CLASSES.index(c) for c in names])
        with torch.no_grad():
            ctrl = self.model.decode_control(torch.from_numpy(z), cls).numpy()  # (n, K, F)
        scales = np.stack([c["knob_scale"] for c in cs])  # (n, 5): dB/oct, log2 stretch, semitones down/up, ms
        attack = np.clip(k[3] - 0.6 * push, -1.0, 1.0)  # harder hits are punchier...
        tilt_db = k[0] * scales[:, 0] + INTENSITY_TILT_DB * push  # ...and brighter
        tilt = (tilt_db / 20.0 * np.log(10.0)).astype(np.float32)  # nats per octave
        floor = self.model.config.log_floor
        ctrl = np.where(ctrl > floor + 1e-3, ctrl + tilt[:, None, None] * _LOG2_BAND, floor)
        logb = self._frames(ctrl, 2.0 ** (k[1] * scales[:, 1]))  # (n, T, F)
        ratio = 2.0 ** (k[2] * scales[:, 2 if k[2] < 0 else 3] / 12.0)
        audio = spectral.synthesize(logb, None if np.allclose(ratio, 1.0) else ratio, iters=gla_iters)
        audio = self._attack(audio, attack, scales[:, 4])
        return _normalise(audio)

    def _frames(self, ctrl: np.ndarray, stretch: np.ndarray) -> np.ndarray:
        """Control frames ``(n, K, F)`` -> all frames ``(n, T, F)``, time stretched after the onset."""
        interp = self.model.interp.numpy()
        out = np.empty((ctrl.shape[0], self.model.config.n_frames, ctrl.shape[2]), dtype=np.float32)
        t = np.arange(self.model.config.n_frames, dtype=np.float64)
        for i, s in enumerate(stretch):
            if abs(s - 1.0) < 1e-6:
                out[i] = interp @ ctrl[i]
                continue
            src = np.where(t <= _ONSET_FRAME, t, _ONSET_FRAME + (t - _ONSET_FRAME) / s)
            beyond = src > self._positions[-1]  # shortened sound: silence after its end
            m = _interp_at(self._positions, np.minimum(src, self._positions[-1]))
            out[i] = m @ ctrl[i]
            out[i, beyond] = self.model.config.log_floor
        return out

    @staticmethod
    def _attack(audio: np.ndarray, amount: np.ndarray, max_ms: np.ndarray) -> np.ndarray:
        """+: raised-cosine fade-in over ``amount * max_ms`` ms from the onset; -: transient boost."""
        t = (np.arange(audio.shape[1]) - PRE_ROLL) / SAMPLE_RATE * 1000.0  # ms after the onset
        out = audio.copy()
        for i, (a, ms) in enumerate(zip(amount, max_ms, strict=True)):
            if a > 1e-6:
                ramp_ms = a * ms
                r = np.clip(t / ramp_ms, 0.0, 1.0)
                out[i] *= (0.5 - 0.5 * np.cos(np.pi * r)).astype(np.float32)
            elif a < -1e-6:
                out[i] *= (1.0 + (-a) * np.exp(-np.maximum(t, 0.0) / 6.0)).astype(np.float32)
        return out


def _interp_at(positions: np.ndarray, src: np.ndarray) -> np.ndarray:
    """``(T, K)`` linear interpolation weights of control frames at positions ``src (T,)``."""
    idx = np.clip(np.searchsorted(positions, src, side="right") - 1, 0, len(positions) - 2)
    frac = np.clip((src - positions[idx]) / (positions[idx + 1] - positions[idx]), 0.0, 1.0)
    m = np.zeros((len(src), len(positions)), dtype=np.float32)
    rows = np.arange(len(src))
    m[rows, idx] = 1.0 - frac
    m[rows, idx + 1] += frac
    return m


def _normalise(audio: np.ndarray) -> np.ndarray:
    """Loudest 50 ms to -12 dBFS RMS, then :func:`clean_output` (peak <= -0.3 dBFS, no DC, fades)."""
    x = audio.astype(np.float64)
    w = 2205
    c = np.concatenate([np.zeros((x.shape[0], 1)), np.cumsum(x**2, axis=1)], axis=1)
    rms = np.sqrt(np.max(c[:, w:] - c[:, :-w], axis=1) / w)
    x *= (db_to_amp(TARGET_RMS_DB) / np.maximum(rms, 1e-9))[:, None]
    return clean_output(x.astype(np.float32))


__all__ = ["BUNDLED", "Knobs", "SoundSpace", "knob_ranges"]
