"""``latentdrum export``: a decoder as a TorchScript or ONNX file for other hosts, checked against PyTorch."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from latentdrum.cli.checks import count, out_file


def register(sub: Any) -> None:
    p = sub.add_parser("export", help="export a decoder as TorchScript or ONNX for other hosts (checked)",
                       description="Write the rhythm decoder (latent + style -> pattern tensor) or the sound "
                       "decoder (latent + class -> log-magnitude control frames) as a TorchScript or ONNX "
                       "file, with FILE.json beside it (inputs, outputs, index tables, sizes). The file is "
                       "then run (torch.jit / onnxruntime) on random latents of every style or class and "
                       "compared with PyTorch: it must agree within 1e-4. See README 'Models for other hosts'.")
    p.add_argument("--model", choices=("rhythm", "sound"), required=True)
    p.add_argument("--format", choices=("onnx", "torchscript"), required=True)
    p.add_argument("--checkpoint", type=Path, default=None, metavar="PATH",
                   help="a rhythm or sound checkpoint (default: the bundled model)")
    p.add_argument("--check-latents", type=count(1, 4096), default=64,
                   help="random latents compared with PyTorch, 1-4096 (default 64)")
    p.add_argument("-o", "--out", type=out_file, required=True, metavar="FILE")
    p.set_defaults(func=run_export)


def run_export(args: argparse.Namespace) -> int:
    import torch

    from latentdrum.spaces.export import TOLERANCE, check_export, export_decoder

    torch.set_num_threads(1)
    path = export_decoder(args.model, args.format, args.out, args.checkpoint)
    result = check_export(args.model, args.format, path, args.checkpoint, n=args.check_latents)
    print(f"{path}: {args.model} decoder, {args.format}, {path.stat().st_size / 1e6:.1f} MB; sidecar "
          f"{path.name}.json")
    print(f"checked on {int(result['n'])} random latents: max |exported - PyTorch| {result['max_abs_diff']:.2e}, "
          f"mean {result['mean_abs_diff']:.2e} (tolerance {TOLERANCE:g}); outputs span "
          f"[{result['output_min']:.3g}, {result['output_max']:.3g}]")
    return 0
