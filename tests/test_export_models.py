"""``latentdrum export``: the decoders as TorchScript and ONNX files that agree with PyTorch."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from latentdrum.cli import main
from latentdrum.errors import ConfigError
from latentdrum.spaces.export import TOLERANCE, check_export, export_decoder
from tests.models import rhythm_model, sound_model


def _model(kind: str) -> Path:
    path = rhythm_model() if kind == "rhythm" else sound_model()
    if path is None:
        pytest.skip(f"no {kind} model: none bundled and no shared/data to train a tiny one")
    return path


@pytest.mark.parametrize("kind", ["rhythm", "sound"])
def test_torchscript_file_runs_alone_and_matches(kind: str, tmp_path: Path) -> None:
    ckpt = _model(kind)
    out = export_decoder(kind, "torchscript", tmp_path / f"{kind}.pt", ckpt)  # type: ignore[arg-type]
    side = json.loads((tmp_path / f"{kind}.pt.json").read_text())
    assert side["model"] == kind and side["file"] == f"{kind}.pt"
    loaded = torch.jit.load(str(out))
    d = side["inputs"]["z"][1]
    extra = [torch.zeros(3, side["inputs"]["fill"][1])] if "fill" in side["inputs"] else []  # groove bars
    with torch.no_grad():
        y = loaded(torch.zeros(3, d), torch.zeros(3, dtype=torch.int64), *extra)
    assert list(y.shape[1:]) == side["outputs"][next(iter(side["outputs"]))][1:-1]
    result = check_export(kind, "torchscript", out, ckpt, n=16)  # type: ignore[arg-type]
    assert result["max_abs_diff"] <= TOLERANCE


@pytest.mark.parametrize("kind", ["rhythm", "sound"])
def test_onnx_file_matches_pytorch_in_onnxruntime(kind: str, tmp_path: Path) -> None:
    pytest.importorskip("onnxscript", reason="ONNX export needs onnx and onnxscript (pip install 'latentdrum[export]')")
    ort = pytest.importorskip("onnxruntime", reason="checking ONNX needs onnxruntime")
    ckpt = _model(kind)
    out = export_decoder(kind, "onnx", tmp_path / f"{kind}.onnx", ckpt)  # type: ignore[arg-type]
    assert check_export(kind, "onnx", out, ckpt, n=32)["max_abs_diff"] <= TOLERANCE  # type: ignore[arg-type]
    # The batch axis is dynamic: a host can decode one latent or many.
    sess = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    d = sess.get_inputs()[0].shape[1]
    for b in (1, 7):
        feed = {sess.get_inputs()[0].name: np.zeros((b, d), np.float32),
                sess.get_inputs()[1].name: np.zeros(b, np.int64)}
        if len(sess.get_inputs()) == 3:  # a rhythm model with fills: one flag per bar
            feed[sess.get_inputs()[2].name] = np.zeros((b, sess.get_inputs()[2].shape[1]), np.float32)
        y = sess.run(None, feed)[0]
        assert y.shape[0] == b and np.all(np.isfinite(y))


def test_rhythm_export_decodes_the_same_groove_as_the_space(tmp_path: Path) -> None:
    from latentdrum.spaces.rhythm import RhythmSpace

    ckpt = _model("rhythm")
    space = RhythmSpace.load(ckpt)
    out = export_decoder("rhythm", "torchscript", tmp_path / "r.pt", ckpt)
    side = json.loads((tmp_path / "r.pt.json").read_text())
    z = space.sample_latent(4, None, 1.0, seed=2)
    extra = [torch.zeros(4, space.bars)] if space.has_fills else []  # groove bars, no fill
    with torch.no_grad():
        y = torch.jit.load(str(out))(torch.from_numpy(z), torch.zeros(4, dtype=torch.int64), *extra).numpy()
    # A host thresholding the probabilities at the model's calibrated threshold plays what the
    # space decodes by that threshold (``exact``: what reconstruction uses).
    for row, p in zip(y, space.decode(z, exact=True), strict=True):
        assert np.array_equal(row[:, :9] >= side["hit_threshold"], p.hits.astype(bool))


def test_the_command_writes_and_checks(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    ckpt = _model("rhythm")
    assert main(["export", "--model", "rhythm", "--format", "torchscript", "--checkpoint", str(ckpt),
                 "--check-latents", "8", "-o", str(tmp_path / "r.pt")]) == 0
    printed = capsys.readouterr().out
    assert "max |exported - PyTorch|" in printed and (tmp_path / "r.pt.json").is_file()
    with pytest.raises(ConfigError, match="format must be"):
        export_decoder("rhythm", "coreml", tmp_path / "x", ckpt)  # type: ignore[arg-type]
