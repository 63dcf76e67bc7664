"""The decoders for other hosts: TorchScript or ONNX files, checked against PyTorch, with a JSON sidecar.

Two graphs, each a plain function of tensors (no Python, no latentdrum needed to run them):

- **rhythm**: ``z (B, D) float32, style (B,) int64 -> pattern (B, T, 27) float32`` in GrooVAE's
  layout (:mod:`latentdrum.patterns.pattern`): hit *probabilities* in ``[..., :9]`` (a host plays a
  hit where one reaches the sidecar's ``hit_threshold``), velocities in [0, 1] in ``[..., 9:18]``
  and micro-timing offsets in steps in ``[..., 18:]`` (the decoder's most likely values,
  temperature 0). Style index 0 is "any style", ``i + 1`` is ``styles[i]``.
- **sound**: ``z (B, D) float32, class (B,) int64 -> control (B, K, F) float32``: the one-shot's
  natural-log STFT magnitudes at the ``K`` control frames (``SoundVAE.decode_control``); the
  sidecar lists the control frames' positions (frames of ``hop`` samples), so a host interpolates
  them linearly (in log magnitude) to all frames and synthesises audio with its own phase
  reconstruction (Griffin-Lim or a vocoder): the synthesis is iterative numpy and is not in the graph.

``FILE.json`` beside the model says all of this in data: inputs, outputs, shapes, index tables,
the threshold, the representation's sizes, the model's weights id. :func:`check_export` runs the
file (``torch.jit.load`` or onnxruntime) on random latents of every style/class and returns the
largest difference from PyTorch's own output.
"""

from __future__ import annotations

import contextlib
import io
import json
import warnings
from dataclasses import asdict
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from torch import nn

from latentdrum.errors import ConfigError
from latentdrum.models.rhythm import RhythmVAE
from latentdrum.models.sound import SoundVAE

ModelKind = Literal["rhythm", "sound"]
Format = Literal["onnx", "torchscript"]
TOLERANCE = 1e-4
OPSET = 18


class RhythmDecoder(nn.Module):
    """``z (B, D), style (B,) long -> (B, T, 3V)``: hit probabilities | velocities | offsets."""

    def __init__(self, model: RhythmVAE) -> None:
        super().__init__()
        self.model = model

    def forward(self, z: torch.Tensor, style: torch.Tensor) -> torch.Tensor:
        out = self.model.decode(z, style)
        return torch.cat([torch.sigmoid(out.hit_logits), out.velocities, out.offsets], dim=-1)  # (B, T, 3V)


class RhythmFillDecoder(nn.Module):
    """A model that learned fills: ``z (B, D), style (B,) long, fill (B, bars) float in {0, 1} -> (B, T, 3V)``."""

    def __init__(self, model: RhythmVAE) -> None:
        super().__init__()
        self.model = model

    def forward(self, z: torch.Tensor, style: torch.Tensor, fill: torch.Tensor) -> torch.Tensor:
        out = self.model.decode(z, style, fill)
        return torch.cat([torch.sigmoid(out.hit_logits), out.velocities, out.offsets], dim=-1)  # (B, T, 3V)


class SoundDecoder(nn.Module):
    """``z (B, D), class (B,) long -> (B, K, F)`` log magnitudes at the control frames."""

    def __init__(self, model: SoundVAE) -> None:
        super().__init__()
        self.model = model

    def forward(self, z: torch.Tensor, cls: torch.Tensor) -> torch.Tensor:
        return self.model.decode_control(z, cls)  # (B, K, F)


def decoder_and_sidecar(kind: ModelKind, checkpoint: str | Path | None = None) -> tuple[nn.Module, dict[str, Any]]:
    """The decoder module of a rhythm or sound checkpoint (None: the bundled one) and its sidecar."""
    if kind == "rhythm":
        from latentdrum.patterns.drummaps import VOICES
        from latentdrum.spaces.rhythm import RhythmSpace

        rs = RhythmSpace.load(checkpoint)
        c = rs.config
        side: dict[str, Any] = {
            "inputs": {"z": ["B", c.latent_dim, "float32"], "style": ["B", "int64"]},
            "outputs": {"pattern": ["B", c.steps, 3 * c.voices, "float32"]},
            "styles": ["any", *rs.styles], "hit_threshold": rs.hit_threshold, "steps": c.steps, "bars": rs.bars,
            "voices": list(VOICES),
            "layout": "pattern[..., :9] hit probability, [9:18] velocity 0-1, [18:27] offset in steps [-0.5, 0.5)",
            "model_id": rs.model_id,
        }
        if c.fills:
            side["inputs"]["fill"] = ["B", rs.bars, "float32"]
            side["fill"] = "1 for a bar the drummer fills, 0 for a groove bar"
            return RhythmFillDecoder(rs.model).eval(), side
        return RhythmDecoder(rs.model).eval(), side
    if kind == "sound":
        from latentdrum.models.sound import control_frames
        from latentdrum.sounds import spectral
        from latentdrum.sounds.audio import SAMPLE_RATE
        from latentdrum.sounds.classes import CLASSES
        from latentdrum.spaces.sound import SoundSpace

        ss = SoundSpace.load(checkpoint)
        cfg = ss.model.config
        module = SoundDecoder(ss.model).eval()
        with torch.no_grad():
            shape = list(module(torch.zeros(1, cfg.latent_dim), torch.zeros(1, dtype=torch.int64)).shape[1:])
        side = {
            "inputs": {"z": ["B", cfg.latent_dim, "float32"], "class": ["B", "int64"]},
            "outputs": {"control": ["B", *shape, "float32"]},
            "classes": list(CLASSES), "trained_classes": list(ss.classes),
            "control_frame_positions": [round(float(p), 4) for p in control_frames(cfg.n_frames, cfg.n_control)],
            "config": asdict(cfg),
            "representation": {"SR": SAMPLE_RATE, "N_FFT": spectral.N_FFT, "HOP": spectral.HOP},
            "layout": "natural-log STFT magnitude per control frame and bin; interpolate linearly to all frames",
            "model_id": ss.model_id,
        }
        return module, side
    raise ConfigError(f"model must be 'rhythm' or 'sound', got {kind!r}")


def _example(kind: ModelKind, side: dict[str, Any], n: int, seed: int) -> tuple[torch.Tensor, ...]:
    """``n`` random latents (standard normal, the prior), index rows cycling through every
    style/class and, for a rhythm model with fills, random fill flags."""
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(n, side["inputs"]["z"][1], generator=g)
    count = len(side["styles"]) if kind == "rhythm" else len(side["classes"])
    if "fill" in side["inputs"]:
        fill = (torch.rand(n, side["inputs"]["fill"][1], generator=g) < 0.3).float()
        return z, torch.arange(n) % count, fill
    return z, torch.arange(n) % count


def export_decoder(kind: ModelKind, fmt: Format, out: str | Path, checkpoint: str | Path | None = None) -> Path:
    """Write the ``kind`` decoder as TorchScript (``torch.jit.trace``) or ONNX (opset 18, batch axis
    dynamic) to ``out``, and its sidecar to ``out`` with ``.json``. Returns ``out``."""
    if fmt not in ("onnx", "torchscript"):
        raise ConfigError(f"format must be 'onnx' or 'torchscript', got {fmt!r}")
    module, side = decoder_and_sidecar(kind, checkpoint)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    names = list(side["inputs"])
    example = _example(kind, side, 4, 0)
    with torch.inference_mode(False), torch.no_grad():
        if fmt == "torchscript":
            traced = torch.jit.trace(module, example, check_trace=False)
            torch.jit.save(traced, str(out))
        else:
            try:
                import onnx  # noqa: F401  (the exporter needs it)
            except ImportError:
                raise ConfigError("ONNX export needs the onnx and onnxscript packages: "
                                  "pip install 'latentdrum[export]'") from None
            batch = torch.export.Dim("batch", min=1, max=4096)
            with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
                warnings.simplefilter("ignore")  # the exporter's own deprecation chatter
                # dynamic_shapes is keyed by forward()'s parameter names: (z, style[, fill]) and (z, cls).
                keys = ["z", "style", "fill"][: len(example)] if kind == "rhythm" else ["z", "cls"]
                torch.onnx.export(module, example, str(out), input_names=names, output_names=list(side["outputs"]),
                                  dynamic_shapes={k: {0: batch} for k in keys},
                                  opset_version=OPSET, dynamo=True, external_data=False, verbose=False)
    side = {"format": "latentdrum-exported-decoder", "version": 1, "model": kind, "file_format": fmt,
            "file": out.name, **side}
    out.with_suffix(out.suffix + ".json").write_text(json.dumps(side, indent=1))
    return out


def check_export(kind: ModelKind, fmt: Format, path: str | Path, checkpoint: str | Path | None = None,
                 n: int = 64, seed: int = 1) -> dict[str, float]:
    """Run the exported file on ``n`` random latents of every style/class and compare with PyTorch.

    Returns ``{"max_abs_diff", "mean_abs_diff", "n", "output_range"}``; raises :class:`ConfigError`
    when the largest difference exceeds :data:`TOLERANCE`.
    """
    module, side = decoder_and_sidecar(kind, checkpoint)
    inputs = _example(kind, side, n, seed)
    with torch.no_grad():
        want = module(*inputs).numpy()
    path = Path(path)
    if fmt == "torchscript":
        loaded = torch.jit.load(str(path))
        with torch.no_grad():
            got = loaded(*inputs).numpy()
    else:
        try:
            import onnxruntime as ort
        except ImportError:
            raise ConfigError("checking an ONNX file needs onnxruntime: pip install onnxruntime") from None
        sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        feed = {i.name: a.numpy() for i, a in zip(sess.get_inputs(), inputs, strict=True)}
        got = sess.run(None, feed)[0]
    diff = np.abs(got.astype(np.float64) - want.astype(np.float64))
    result = {"max_abs_diff": float(diff.max()), "mean_abs_diff": float(diff.mean()), "n": float(n),
              "output_min": float(want.min()), "output_max": float(want.max())}
    if result["max_abs_diff"] > TOLERANCE:
        raise ConfigError(f"{path}: exported output differs from PyTorch by {result['max_abs_diff']:.2e} "
                          f"(> {TOLERANCE:g}); the file is not a faithful export")
    return result
