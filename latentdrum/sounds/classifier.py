"""The sound classifier: which drum class a one-shot sounds like, with a calibrated confidence.

A multinomial logistic regression over :func:`latentdrum.sounds.features.sound_features`
(standardised), its logits divided by a temperature fitted on kits held out during training, so
that "0.8 sure" is right about 8 times in 10 on kits it never heard. It is a small standalone
file (``latentdrum/assets/sound_classifier.npz``: arrays plus a JSON header) that loads in a few
milliseconds with numpy alone; :mod:`latentdrum.sounds.classifier_fit` builds it.

Below :attr:`SoundClassifier.threshold` a guess is not taken: the caller lists the file as
unknown with its best guesses (see :mod:`latentdrum.sounds.labelling`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from latentdrum.errors import CheckpointError
from latentdrum.files import atomic_write, atomic_write_text
from latentdrum.sounds.features import FEATURE_VERSION, N_FEATURES, sound_features

FORMAT_VERSION = 1
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "assets" / "sound_classifier.npz"
_ARRAYS = ("mean", "scale", "weights", "bias")


@dataclass(frozen=True, eq=False)
class SoundClassifier:
    """Weights of the classifier and what it was trained and measured on.

    ``mean``, ``scale``: ``(F,)`` feature standardisation; ``weights``: ``(F, C)``; ``bias``:
    ``(C,)``; ``temperature`` > 0 divides the logits; ``threshold`` in (0, 1) is the lowest
    probability taken as a label; ``info``: training data, settings and held-out accuracy.
    """

    classes: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: np.ndarray
    temperature: float = 1.0
    threshold: float = 0.5
    feature_version: int = FEATURE_VERSION
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        f, c = self.weights.shape
        if self.mean.shape != (f,) or self.scale.shape != (f,) or self.bias.shape != (c,) or c != len(self.classes):
            raise CheckpointError(f"sound classifier arrays do not fit together (weights {self.weights.shape}, "
                                  f"{len(self.classes)} classes); rebuild it with `latentdrum sound train-classifier`")
        if self.feature_version != FEATURE_VERSION or f != N_FEATURES:
            raise CheckpointError(f"sound classifier was built on feature version {self.feature_version} ({f} "
                                  f"features), this code computes version {FEATURE_VERSION} ({N_FEATURES}); "
                                  "rebuild it with `latentdrum sound train-classifier`")

    @property
    def model_id(self) -> str:
        """A short id of these weights (changes whenever the classifier is rebuilt)."""
        import hashlib

        h = hashlib.sha1(self.weights.tobytes() + self.bias.tobytes() + str(self.temperature).encode())
        return h.hexdigest()[:12]

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """``(B, F)`` features -> ``(B, C)`` calibrated probabilities (rows sum to 1)."""
        z = ((np.atleast_2d(features) - self.mean) / self.scale) @ self.weights + self.bias
        z = z / self.temperature
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)

    def classify(self, audio: np.ndarray, duration: np.ndarray | None = None) -> np.ndarray:
        """Prepared one-shots ``(B, L)`` (and their lengths from onset, s) -> ``(B, C)`` probabilities."""
        return self.predict_proba(sound_features(audio, duration))

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (lists of floats); :meth:`from_dict` reads it back."""
        return {
            "format_version": FORMAT_VERSION,
            "classes": list(self.classes),
            **{k: np.asarray(getattr(self, k)).tolist() for k in _ARRAYS},
            "temperature": self.temperature,
            "threshold": self.threshold,
            "feature_version": self.feature_version,
            "info": self.info,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SoundClassifier:
        try:
            if int(d["format_version"]) != FORMAT_VERSION:
                raise CheckpointError(f"sound classifier format {d['format_version']} is not {FORMAT_VERSION}; "
                                      "rebuild it with `latentdrum sound train-classifier`")
            return cls(
                classes=tuple(str(c) for c in d["classes"]),
                **{k: np.asarray(d[k], dtype=np.float64) for k in _ARRAYS},
                temperature=float(d["temperature"]),
                threshold=float(d["threshold"]),
                feature_version=int(d["feature_version"]),
                info=dict(d.get("info", {})),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise CheckpointError(f"not a sound classifier ({type(exc).__name__}: {exc}); "
                                  "rebuild it with `latentdrum sound train-classifier`") from exc

    def save(self, path: str | Path) -> Path:
        """Write ``.npz`` (arrays + JSON header) or, for a ``.json`` path, one JSON file."""
        d = self.to_dict()
        if Path(path).suffix == ".json":
            return atomic_write_text(path, json.dumps(d))
        header = {k: v for k, v in d.items() if k not in _ARRAYS}
        arrays: dict[str, Any] = {k: np.asarray(getattr(self, k), dtype=np.float32) for k in _ARRAYS}
        arrays["header"] = np.array(json.dumps(header))

        def write(tmp: Path) -> None:
            with open(tmp, "wb") as fh:  # a file object: np.savez adds no ".npz" to the name
                np.savez(fh, **arrays)

        return atomic_write(path, write)

    @classmethod
    def load(cls, path: str | Path | None = None) -> SoundClassifier:
        """Read a classifier written by :meth:`save`; ``None`` is the bundled one.

        Raises:
            CheckpointError: the file is missing or is not a sound classifier of this version.
        """
        path = Path(path) if path is not None else DEFAULT_PATH
        if not path.is_file():
            raise CheckpointError(f"no sound classifier at {path}; build one with "
                                  "`latentdrum sound train-classifier --data DIR --out FILE.npz`")
        try:
            if path.suffix == ".json":
                return cls.from_dict(json.loads(path.read_text()))
            with np.load(path) as z:
                d = json.loads(str(z["header"])) | {k: z[k] for k in _ARRAYS}
        except (OSError, ValueError, KeyError) as exc:
            raise CheckpointError(f"{path} is not a readable sound classifier ({exc}); rebuild it with "
                                  "`latentdrum sound train-classifier`") from exc
        return cls.from_dict(d)


@cache
def bundled_classifier() -> SoundClassifier:
    """The classifier shipped with the package (read once per process)."""
    return SoundClassifier.load(None)
