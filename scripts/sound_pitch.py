"""Do held-out kicks and toms come back at their own pitch? (encode + decode, as `sound reconstruct`)

For each held-out kick and tom (kits the sound model never trained on), the pitch of the
original, of the representation alone (the ceiling), of the latent alone (``encode`` +
``decode``) and of the reconstruction with its transposition (``encode_tuned``, what
``sound reconstruct`` plays): :func:`latentdrum.sounds.descriptors.fundamental`, the strongest
spectral peak between 30 and 1500 Hz from 20 to 200 ms after the onset. For a kick or a tom
that is its fundamental, so the difference in semitones is what a player hears as "the same
drum tuned elsewhere". The fitted transposition is printed too.

    python scripts/sound_pitch.py --data ../shared/data/samples [--model CKPT]
"""

from __future__ import annotations

import argparse

import numpy as np

from latentdrum.evaluation.sound import split_for_space
from latentdrum.sounds import spectral
from latentdrum.sounds.classes import CLASSES
from latentdrum.sounds.dataset import build_sound_dataset
from latentdrum.sounds.descriptors import fundamental
from latentdrum.sounds.synthesis import synthesize
from latentdrum.spaces.sound import TUNED_CLASSES, SoundSpace


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="the samples folder (../shared/data/samples)")
    ap.add_argument("--model", default=None, help="sound checkpoint (default: the bundled model)")
    args = ap.parse_args()
    space = SoundSpace.load(args.model)
    ds = build_sound_dataset(args.data)
    held, _ = split_for_space(space, ds)
    rows = [int(i) for i in held if CLASSES[int(ds.class_index[i])] in TUNED_CLASSES]
    errors: dict[str, list[float]] = {"ceiling": [], "latent alone": [], "reconstruction": []}
    print(f"{'sound':44s} {'class':9s} {'real Hz':>8s} {'ceiling':>8s} {'latent':>8s} {'recon':>8s} "
          f"{'transpose':>9s}  (semitones off)")
    for i in rows:
        name = CLASSES[int(ds.class_index[i])]
        real = ds.audio[i]
        ceiling = synthesize(spectral.log_magnitude(real[None]))[0]
        z, semitones = space.encode_tuned(real, name)
        alone = space.decode(z[None], name)[0]
        recon = space.decode(z[None], name, transpose=semitones)[0]
        f0 = float(fundamental(real)[0])
        off = [12.0 * np.log2(float(fundamental(y)[0]) / f0) for y in (ceiling, alone, recon)]
        for what, v in zip(errors, off, strict=True):
            errors[what].append(abs(v))
        print(f"{ds.files[i][-44:]:44s} {name:9s} {f0:8.1f} {off[0]:+8.1f} {off[1]:+8.1f} {off[2]:+8.1f} "
              f"{semitones:+9.1f}")
    for what, e in errors.items():
        print(f"{what}: median |error| {np.median(e):.2f} semitones, {sum(v > 1.0 for v in e)} of {len(e)} "
              "more than a semitone off")


if __name__ == "__main__":
    main()
