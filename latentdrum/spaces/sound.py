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
``brightness`` tilts the spectrum (dB per octave around 1 kHz), ``pitch`` scales the frequency
axis (semitones: every partial moves by the same interval), ``decay`` stretches the time axis
after the onset, ``attack`` is an envelope rise time (+1 = slower rise; -1 = a transient boost:
punchier). All are 0 = neutral, range [-1, 1]. What +-1 means per class is measured at training
time and stored in the checkpoint, so loading is quick.

Length follows the sound: a decoded spectrogram is cut where every frame after it is more than
:data:`~latentdrum.spaces.sound_output.TAIL_DB` under the sound's loudest frame, so a closed hat
is a tenth of a second and a crash rings for up to 3 s; a batch comes back at its longest
sound's length, zero-padded.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from latentdrum.errors import CheckpointError, ConfigError
from latentdrum.models.sound import SoundVAE, SoundVAEConfig, control_frames, frame_level, interpolation_weights
from latentdrum.sounds import spectral
from latentdrum.sounds.audio import (
    SAMPLE_RATE,
    prepare_one_shot,
)
from latentdrum.sounds.classes import CLASSES, check_class
from latentdrum.sounds.descriptors import DESCRIPTORS, fundamental
from latentdrum.sounds.synthesis import WORKERS, synthesize_magnitudes
from latentdrum.spaces.knobs import (
    INTENSITY_TILT_DB,
    MAX_TRANSPOSE,
    Knobs,
    PitchShift,
    apply_pitch,
    knob_ranges,
    pitch_shift,
    retune_body,
    shape_attack,
    tilt,
)
from latentdrum.spaces.sound_detail import DetailBank, detail_amount
from latentdrum.spaces.sound_output import fade_after, normalise, preview_frames, sound_ends

BUNDLED = Path(__file__).resolve().parents[1] / "assets" / "sound.ckpt"
ENGINE = 2  # the representation a checkpoint was trained on (1: 80 mel bands, 1 s)
SAMPLE_BANDWIDTH = 0.35  # kernel width for sampling, relative to the class's spread
# Samples start from training latents pushed this much farther from the class's mean. The decoder
# shrinks variety (decoded training latents keep 0.34-0.80 of their real sounds' mean pairwise
# log-mel distance; kernel noise alone barely adds any): measured on the training kits' sounds,
# 40 samples per class, variety ratio at 1.0 / 1.3 / 1.6: rim 0.81 / 1.08 / 1.20, high tom
# 0.83 / 0.92 / 0.99, kick 0.83 / 1.06 / 1.26, snare 0.98 / 1.19 / 1.38.
# `latentdrum sound evaluate` (held-out kits), spread 1.0 / 1.2 / 1.25 / 1.3: variety min ratio
# 0.73 / 0.80 / 0.82 / 0.83, classifier accuracy on samples 0.86 / 0.82 / 0.82 / 0.80.
SAMPLE_SPREAD = 1.25
# Frames kept as they are when the decay knob stretches time: the onset's (6 ms after it). With two
# (12 ms) the knob could not touch a click's 5 ms decay (sampled perc: decay-knob Spearman 0.85).
_ONSET_FRAME = 1.0
DECODE_BLOCK = 8  # rows the decoder runs at once, padded (see SoundSpace._decode_control)
ENVELOPE_WEIGHT = 1.0  # encoding: weight of the frame-level (decay) error beside the per-bin error
# Encoding: weight of the error of each frame's octave-band levels (its spectral balance). A per-bin
# error weighs the 3 bins under 125 Hz as 3 of 513, yet they can hold most of a sound's power:
# without it a held-out bongo decoded with its low end 23 dB too loud (power share under 125 Hz
# -29 dB real, -6 dB decoded). Held-out kits, paired distance of reconstructions at weight
# 0 / 0.5 / 1 / 2 / 3: 0.62 / 0.57 / 0.56 / 0.53 / 0.54.
BAND_WEIGHT = 2.0
BAND_EDGES_HZ = (60.0, 125.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0, 16000.0)
_BAND_MASK = torch.from_numpy(np.where(
    np.equal(np.searchsorted(BAND_EDGES_HZ, spectral.BIN_HZ, side="right")[:, None],
             np.arange(len(BAND_EDGES_HZ) + 1)[None]), 0.0, -np.inf).astype(np.float32))  # (F, bands)


def band_levels(logmag: torch.Tensor) -> torch.Tensor:
    """``(..., T, F)`` ln magnitudes -> ``(..., T, 10)`` ln root power of each frame in the octave
    bands split at :data:`BAND_EDGES_HZ` (under 60 Hz, 60-125 Hz, ..., over 16 kHz)."""
    return torch.logsumexp(2.0 * logmag[..., None] + _BAND_MASK, dim=-2) / 2.0


# Classes whose decoded DC bin is silenced. Their training sounds carry a recording's DC offset or
# subsonic drift (median share of a sound's power in the DC bin alone: clap -14 dB, pedal hat -16,
# perc -23, the AVL maracas -7; every other class <= -30 dB but the kick, whose -8 dB is the
# leakage of its fundamental) and the decoder learned to write it: inaudible, but it swamped the
# pitch of these sounds. Knob sweeps (Spearman, 4 sampled latents) without / with: perc pitch
# 0.93 / 1.00, pedal hat pitch 0.85 / 1.00. Silencing every class's DC cost kicks and toms their
# low end (held-out kicks' time to -20 dB 78 % short) and moved cymbals' band shares from real.
DC_FREE_CLASSES = frozenset({"clap", "pedal_hat", "perc"})
# Classes whose encoding also keeps the pitch (SoundSpace.encode_tuned): drums tuned to one
# fundamental. Their held-out reconstructions came back a median 3.6 semitones off it (11 of 12
# more than a semitone; the representation alone: 0.0): an unseen drum lands near training drums
# tuned elsewhere, and below 400 Hz the detail banks give it their partials.
TUNED_CLASSES = frozenset({"kick", "low_tom", "mid_tom", "high_tom"})


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
        self._c = {c: {k: np.asarray(v, dtype=np.float64) for k, v in per_class[c].items()
                       if not k.startswith("detail")} for c in self.classes}
        self._positions = control_frames(model.config.n_frames, model.config.n_control)
        self._interp = model.interp.numpy()  # (T, K)
        self._pitch: dict[float, PitchShift] = {}
        for c in self._c.values():
            c["chol"] = _match_spread(c["chol"], c["latents"])
        # Real partials for decoded envelopes (see sound_detail); a checkpoint without banks plays
        # the decoder's own detail.
        self._detail = {name: DetailBank.from_extra(per_class[name]) for name in self.classes}
        self._detail_amount = detail_amount(self._positions, spectral.HOP / SAMPLE_RATE)

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
        if ckpt.extra.get("engine") != ENGINE:
            raise CheckpointError(f"{path} was trained for an older sound engine (80 mel bands, 1 s); this "
                                  f"latentdrum plays engine {ENGINE}: retrain it with 'latentdrum sound train'")
        config = build_config(SoundVAEConfig, ckpt.config, path)
        model = SoundVAE(config)
        state = {k: v.float() for k, v in ckpt.state_dict.items()}
        try:
            model.load_state_dict(state)
        except RuntimeError as exc:
            raise CheckpointError(f"{path} does not match its own config ({exc}); the file is damaged") from exc
        if "classes" not in ckpt.extra or any("knob_scale" not in c for c in ckpt.extra["classes"].values()):
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

        Each sample picks one of the class's training sounds at random, takes it
        :data:`SAMPLE_SPREAD` times as far from the class's mean (the decoder shrinks variety),
        and moves away from it by Gaussian noise shaped like the class's own spread and
        :data:`SAMPLE_BANDWIDTH` times as large (a kernel density estimate of where the class's
        real sounds lie). A class of different instruments (``perc``: cowbells, congas,
        tambourines) then yields new cowbells and new congas, not a blend of all of them.
        ``temperature`` scales the noise and the spreading: 0 gives the training sounds' own
        latents.
        """
        c = self._class(class_name)
        if n < 1 or temperature < 0:
            raise ConfigError(f"need n >= 1 and temperature >= 0, got n={n}, temperature={temperature}")
        rng = np.random.default_rng(seed)
        mean = c["latents"].mean(axis=0)
        spread = 1.0 + (SAMPLE_SPREAD - 1.0) * temperature
        centre = mean + spread * (c["latents"][rng.integers(len(c["latents"]), size=n)] - mean)
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
        gradient descent on the reconstruction error of the control frames (per bin, plus
        :data:`ENVELOPE_WEIGHT` times the error of each frame's overall level, which is what
        keeps decays: held-out kicks' time to -20 dB within a median 10 % of the original
        instead of 51 %, plus :data:`BAND_WEIGHT` times the error of its octave-band levels,
        which keeps the spectral balance), with the VAE's standard normal prior as a weak
        penalty. The refinement closes most of the "amortisation gap" on kits unlike the training
        ones (see the model card).

        Raises:
            AudioError: the sound is silent or too short.
        """
        self._class(class_name)
        shot = prepare_one_shot(np.asarray(audio, dtype=np.float32), source="the sound to encode")
        x = self.model.pool @ torch.from_numpy(spectral.log_magnitude(shot.audio))  # (1, K, F)
        cls = torch.tensor([CLASSES.index(class_name)])
        with torch.no_grad():
            mu, _ = self.model.encode_control(x, cls)
        if refine_steps <= 0:
            return mu[0].numpy().astype(np.float32)
        z = mu.clone().requires_grad_(True)
        opt = torch.optim.Adam([z], lr=0.05)
        level, bands = frame_level(x), band_levels(x)
        for p in self.model.parameters():
            p.requires_grad_(False)
        try:
            for _ in range(refine_steps):
                opt.zero_grad()
                r = self.model.decode_control(z, cls)
                loss = ((r - x).abs().mean() + ENVELOPE_WEIGHT * (frame_level(r) - level).abs().mean()
                        + BAND_WEIGHT * (band_levels(r) - bands).abs().mean() + 1e-3 * z.pow(2).mean())
                loss.backward()
                opt.step()
        finally:
            for p in self.model.parameters():
                p.requires_grad_(True)
        return z.detach()[0].numpy().astype(np.float32)

    def encode_tuned(self, audio: np.ndarray, class_name: str, refine_steps: int = 100) -> tuple[np.ndarray, float]:
        """``(z, semitones)``: :meth:`encode`, and for a kick or a tom (:data:`TUNED_CLASSES`) the
        retuning of its body that puts the decoded sound's
        :func:`~latentdrum.sounds.descriptors.fundamental` where the original's is
        (``decode(z[None], class_name, transpose=semitones)``; 0.0 for other classes). Two
        corrections, each measured on the decoded audio, within +-:data:`MAX_TRANSPOSE`. Held-out
        kicks and toms (``scripts/sound_pitch.py``): a median 3.6 semitones off their pitch with
        the latent alone (11 of 12 more than a semitone), 0.2 retuned (2 of 12).

        Raises:
            AudioError: the sound is silent or too short.
        """
        z = self.encode(audio, class_name, refine_steps)
        if class_name not in TUNED_CLASSES:
            return z, 0.0
        want = float(fundamental(prepare_one_shot(np.asarray(audio, dtype=np.float32)).audio)[0])
        semitones = 0.0
        for _ in range(2):
            got = float(fundamental(self.decode(z[None], class_name, transpose=semitones)[0])[0])
            semitones = float(np.clip(semitones + 12.0 * np.log2(want / got), -MAX_TRANSPOSE, MAX_TRANSPOSE))
        return z, semitones

    # ---- decoding ------------------------------------------------------------------------

    def decode_spectra(self, z: np.ndarray, class_name: str | Sequence[str], knobs: Knobs | None = None,
                       intensity: np.ndarray | float | None = None, block: int = DECODE_BLOCK,
                       frames: int | None = None, transpose: np.ndarray | float | None = None
                       ) -> tuple[np.ndarray, np.ndarray]:
        """Latents ``z (n, D)`` -> ``(logmag, attack)``: ``(n, T, F)`` float32 log magnitudes with
        the knobs and intensity applied, and ``(n, 2)`` float64 attack shaping still to apply to
        the audio (amount in [-1, 1], ramp length in ms at +1; see :func:`shape_attack`).
        ``frames``: only the first T = ``frames`` STFT frames (default all: 3 s). ``transpose``:
        semitones each row's body is retuned by before the knobs act, scalar or ``(n,)``
        (:func:`~latentdrum.spaces.knobs.retune_body`, see :meth:`encode_tuned`)."""
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
        played = z  # the detail follows the sound, not its intensity: a harder hit, the same drum's partials
        z = z + push[:, None].astype(np.float32) * np.stack([c["intensity"] for c in cs]).astype(np.float32)
        cls = torch.tensor([CLASSES.index(c) for c in names])
        scales = np.stack([c["knob_scale"] for c in cs])  # (n, 5): dB/oct, log2 stretch, semitones down/up, ms
        stretch = 2.0 ** (k[1] * scales[:, 1])
        ctrl = self._decode_control(z, cls, block, self._controls_for(frames, stretch))  # (n, K, F)
        floor = self.model.config.log_floor
        dc_free = np.array([name in DC_FREE_CLASSES for name in names])
        ctrl[dc_free, :, 0] = floor  # before the detail banks: their envelope would smear it over 4 bins
        for i, name in enumerate(names):
            bank = self._detail[name]
            if bank is not None:
                ctrl[i] = bank.apply(ctrl[i], played[i], floor, self._detail_amount)
        ctrl[dc_free, :, 0] = floor  # and after: the banks' detail is real sounds'
        ctrl = tilt(ctrl, k[0] * scales[:, 0] + INTENSITY_TILT_DB * push, floor)  # harder hits are brighter
        retune = np.broadcast_to(np.asarray(0.0 if transpose is None else transpose, dtype=np.float64), (n,))
        for i, st in enumerate(retune):
            if abs(st) > 1e-6:
                ctrl[i] = retune_body(ctrl[i], self._pitch_shift(float(st)), floor)
        semitones = k[2] * scales[:, 2 if k[2] < 0 else 3]
        for i, st in enumerate(semitones):
            if abs(st) > 1e-6:
                ctrl[i] = apply_pitch(ctrl[i], self._pitch_shift(float(st)), floor)
        logmag = self._frames(ctrl, stretch, frames)  # (n, T, F)
        attack = np.stack([np.clip(k[3] - 0.6 * push, -1.0, 1.0), scales[:, 4]], axis=1)  # ...and punchier
        return logmag, attack

    def decode(self, z: np.ndarray, class_name: str | Sequence[str], knobs: Knobs | None = None,
               intensity: np.ndarray | float | None = None, gla_iters: int = spectral.GLA_ITERS,
               max_seconds: float | None = None, workers: int = WORKERS,
               transpose: np.ndarray | float | None = None) -> np.ndarray:
        """Latents ``z (n, D)`` -> ``(n, L)`` float32 mono 44.1 kHz one-shots, L <= 3 s.

        ``class_name``: one class for all, or one per row. ``intensity`` in [0, 1] (0.5 = as
        sampled; scalar or ``(n,)``) moves each sound along its class's intensity direction and
        makes it brighter with a sharper attack as it grows. Each sound is as long as it rings
        (to :data:`~latentdrum.spaces.sound_output.TAIL_DB` under its peak); L is the longest,
        shorter rows are zero-padded.
        ``max_seconds`` cuts longer sounds with a 0.2 s fade (a quick preview of a cymbal; a
        preview is the same sound whatever it is batched with, as a full render is, but not
        bit for bit the first seconds of the full render).
        ``workers``: threads synthesising the rows side by side (the same sounds either way).
        ``transpose``: semitones each row's body is retuned by (:meth:`encode_tuned`).
        Output is loudness-normalised (the loudest 50 ms at -12 dBFS RMS), peak <= -0.3 dBFS, no
        DC, without a click at either end.
        """
        # A preview is the single row a turned knob plays: decoded alone, the fastest way (a full
        # render's block of 8 costs one row 5.5 ms instead of 3.7).
        # It needs the frames up to its fade's end only: whether the sound ends earlier is
        # decided on those frames as well (a sound is loudest at its start).
        if max_seconds is None:
            logmag, attack = self.decode_spectra(z, class_name, knobs, intensity, DECODE_BLOCK,
                                                 transpose=transpose)
            mag = spectral.to_magnitude(logmag)
            ends = sound_ends(mag)
        else:
            preview = preview_frames(max_seconds, self.model.config.n_frames)
            logmag, attack = self.decode_spectra(z, class_name, knobs, intensity, 1, preview, transpose)
            ends = sound_ends(spectral.to_magnitude(logmag))
            ends = np.minimum(ends, fade_after(logmag, max_seconds, self.model.config.log_floor))
            mag = spectral.to_magnitude(logmag[:, : int(ends.max())])
        audio = synthesize_magnitudes(mag[:, : int(ends.max())], iters=gla_iters, frames=ends, workers=workers)
        audio = shape_attack(audio, attack[:, 0], attack[:, 1])
        return normalise(audio, np.minimum((ends - 1) * spectral.HOP, audio.shape[1]))

    def _controls_for(self, frames: int | None, stretch: np.ndarray) -> int | None:
        """How many control frames the first ``frames`` STFT frames read at these decay-knob
        ``stretch`` factors (None: all of them)."""
        if frames is None:
            return None
        last = float(frames - 1)
        src = max(last if last <= _ONSET_FRAME else _ONSET_FRAME + (last - _ONSET_FRAME) / s for s in stretch)
        return min(len(self._positions), int(np.searchsorted(self._positions, src, side="left")) + 1)

    @torch.no_grad()
    def _decode_control(self, z: np.ndarray, cls: torch.Tensor, block: int = DECODE_BLOCK,
                        n_control: int | None = None) -> np.ndarray:
        """Latents ``(n, D)`` -> ``(n, K, F)`` control frames (the first ``n_control``, default all),
        in blocks of ``block`` rows padded with zeros. A sound must not depend on what it was
        batched with (peak picking magnifies the last bit), and the matrix kernels of a batch of 1
        and of 6 round differently; one block shape for every call keeps each row's arithmetic the
        same, and a block of 8 reads the decoder's 25 MB last layer once instead of once per row
        (6 crash rows: 21 -> 6 ms).
        """
        n_control = self.model.config.n_control if n_control is None else n_control
        out = np.empty((len(z), n_control, self.model.config.n_bins), dtype=np.float32)
        for i in range(0, len(z), block):
            k = min(block, len(z) - i)
            zb = torch.zeros(block, z.shape[1])
            cb = torch.zeros(block, dtype=torch.long)
            zb[:k], cb[:k] = torch.from_numpy(z[i : i + k]), cls[i : i + k]
            out[i : i + k] = self.model.decode_control(zb, cb, n_control)[:k].numpy()
        return out

    def _pitch_shift(self, semitones: float) -> PitchShift:
        key = round(semitones, 3)
        if key not in self._pitch:
            if len(self._pitch) > 64:
                self._pitch.clear()
            self._pitch[key] = pitch_shift(2.0 ** (key / 12.0))
        return self._pitch[key]

    def _frames(self, ctrl: np.ndarray, stretch: np.ndarray, frames: int | None = None) -> np.ndarray:
        """Control frames ``(n, K, F)`` -> the first ``frames`` (default all) STFT frames ``(n, T, F)``,
        time stretched after the onset."""
        t_all = self.model.config.n_frames if frames is None else min(frames, self.model.config.n_frames)
        k = ctrl.shape[1]  # all control frames, or those the first t_all frames read (_controls_for)
        out = np.empty((ctrl.shape[0], t_all, ctrl.shape[2]), dtype=np.float32)
        t = np.arange(t_all, dtype=np.float64)
        for i, s in enumerate(stretch):
            if abs(s - 1.0) < 1e-6:
                out[i] = self._interp[:t_all, :k] @ ctrl[i]
                continue
            src = np.where(t <= _ONSET_FRAME, t, _ONSET_FRAME + (t - _ONSET_FRAME) / s)
            beyond = src > self._positions[-1]  # shortened sound: silence after its end
            out[i] = interpolation_weights(self._positions[:k], np.minimum(src, self._positions[k - 1])) @ ctrl[i]
            out[i, beyond] = self.model.config.log_floor
        return out


__all__ = ["BUNDLED", "Knobs", "SoundSpace", "knob_ranges"]
