"""Measure what the detail banks do: held-out reconstructions with the decoder's own detail
against the same envelopes with real detail from the banks (latentdrum.spaces.sound_detail).

    python scripts/sound_detail.py --data ../shared/data/samples [--model CKPT]

Prints, per class and overall, the paired feature distance to the real sound and the partial
peak-to-neighbour ratio (real / decoder only / with detail).
"""

from __future__ import annotations

import argparse

import numpy as np
import torch

from latentdrum.evaluation.realism import realism_table
from latentdrum.evaluation.sound import split_for_space
from latentdrum.evaluation.sound_realism import trimmed
from latentdrum.sounds.classes import CLASSES
from latentdrum.sounds.dataset import build_sound_dataset
from latentdrum.spaces.sound import SoundSpace


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--model", default=None)
    args = ap.parse_args()
    torch.set_num_threads(1)
    space = SoundSpace.load(args.model)
    ds = build_sound_dataset(args.data, progress=False)
    held, _ = split_for_space(space, ds)
    names = [CLASSES[int(ds.class_index[i])] for i in held]
    z = np.stack([space.encode(ds.audio[i], c) for i, c in zip(held, names, strict=True)])
    banks = dict(space._detail)
    with_detail = trimmed(space.decode(z, names))
    space._detail = dict.fromkeys(banks)
    decoder_only = trimmed(space.decode(z, names))
    space._detail = banks
    table = realism_table(trimmed(ds.audio[held]), {"decoder": decoder_only, "detail": with_detail}, names)
    print("| class | n | paired distance: decoder / with detail | partial ratio: real / decoder / with detail |")
    print("|---|---|---|---|")
    for name, b in {**table["classes"], "overall": table["overall"]}.items():
        print(f"| {name} | {b['n']} | {b['decoder']['paired_distance']:.2f} / {b['detail']['paired_distance']:.2f} "
              f"| {b['real']['partial_ratio']:.1f} / {b['decoder']['partial_ratio']:.1f} / "
              f"{b['detail']['partial_ratio']:.1f} |")


if __name__ == "__main__":
    main()
