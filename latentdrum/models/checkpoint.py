"""Self-describing checkpoints: config + weights + data summary + metrics + format version.

A checkpoint is a single ``torch.save`` file holding a plain dict (no pickled classes, so it
loads with ``weights_only=True`` and survives refactors)::

    {"format": "latentdrum", "format_version": 1, "model_type": "rhythm" | "sound",
     "config": {...dataclass fields...}, "state_dict": {...}, "data_summary": {...},
     "metrics": {...}, "extra": {...}}

:func:`load_checkpoint` checks every one of these and raises :class:`CheckpointError` with a
message that says what to do, never a raw unpickling traceback.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from latentdrum.errors import CheckpointError
from latentdrum.files import atomic_write

FORMAT_NAME = "latentdrum"
FORMAT_VERSION = 1


@dataclass
class Checkpoint:
    """What a checkpoint file holds, already validated."""

    model_type: str
    config: dict[str, Any]
    state_dict: dict[str, torch.Tensor]
    data_summary: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def config_to_dict(config: Any) -> dict[str, Any]:
    """Turn a frozen dataclass config into a plain dict (tuples become lists)."""
    return dataclasses.asdict(config)


def _maybe_half(t: Any, half: bool) -> Any:
    if half and isinstance(t, torch.Tensor) and t.dtype == torch.float32:
        return t.half()
    return t


def save_checkpoint(path: str | Path, ckpt: Checkpoint, half: bool = False) -> Path:
    """Write ``ckpt`` to ``path`` atomically (a crash never leaves half a file).

    ``half`` stores float32 tensors as float16 (half the size, for bundling); loaders cast back.
    """
    payload = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "model_type": ckpt.model_type,
        "config": ckpt.config,
        "state_dict": {k: _maybe_half(v.detach().cpu().contiguous(), half) for k, v in ckpt.state_dict.items()},
        "data_summary": ckpt.data_summary,
        "metrics": ckpt.metrics,
        "extra": {k: _maybe_half(v, half) for k, v in ckpt.extra.items()},
    }
    return atomic_write(path, lambda tmp: torch.save(payload, tmp))


def load_checkpoint(path: str | Path, model_type: str) -> Checkpoint:
    """Read and validate a checkpoint written by :func:`save_checkpoint`.

    Raises:
        CheckpointError: the file is missing or corrupt, is not a latentdrum checkpoint, comes
            from another format version, or holds a model of another type than ``model_type``.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint {path} does not exist; pass the .ckpt file a training run wrote")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for a damaged file
        raise CheckpointError(
            f"{path} is not a readable checkpoint ({type(exc).__name__}); the file is damaged or not "
            "a latentdrum model: re-run training or pass another file"
        ) from exc
    if not isinstance(payload, dict) or payload.get("format") != FORMAT_NAME:
        raise CheckpointError(f"{path} is not a latentdrum checkpoint; pass a file written by 'latentdrum ... train'")
    version = payload.get("format_version")
    if version != FORMAT_VERSION:
        raise CheckpointError(
            f"{path} has checkpoint format version {version}, this latentdrum reads version "
            f"{FORMAT_VERSION}; retrain the model with this version or use the matching latentdrum release"
        )
    found = payload.get("model_type")
    if found != model_type:
        raise CheckpointError(
            f"{path} holds a {found!r} model, but a {model_type!r} model is needed here; "
            f"pass a checkpoint from 'latentdrum {model_type} train'"
        )
    return Checkpoint(
        model_type=found,
        config=dict(payload["config"]),
        state_dict=dict(payload["state_dict"]),
        data_summary=dict(payload.get("data_summary", {})),
        metrics=dict(payload.get("metrics", {})),
        extra=dict(payload.get("extra", {})),
    )


def weights_id(state_dict: dict[str, torch.Tensor]) -> str:
    """A short, stable id of a model's weights: what kits and scenes record to say which model made them."""
    h = hashlib.sha1()
    for k in sorted(state_dict):
        h.update(k.encode())
        h.update(state_dict[k].detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()[:16]


def build_config(cls: type, values: dict[str, Any], path: str | Path) -> Any:
    """Rebuild a frozen dataclass config from a checkpoint dict, with a clear error on mismatch."""
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = set(values) - names
    if unknown:
        raise CheckpointError(
            f"{path} has config fields {sorted(unknown)} this latentdrum does not know; "
            "it was written by another version"
        )
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise CheckpointError(f"{path} has an invalid {cls.__name__}: {exc}") from exc
