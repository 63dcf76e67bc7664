"""Do held-out kicks and toms come back at their own pitch? (encode + decode, as `sound reconstruct`)

For each held-out kick and tom (kits the sound model never trained on), the pitch of the
original, of the representation alone (the ceiling) and of the reconstruction: the strongest
spectral peak between 30 and 1500 Hz from 20 to 200 ms after the onset (Hann window, FFT zero
padded to 32768 points: 1.3 Hz bins). For a kick or a tom that is its fundamental, so the
difference in semitones is what a player hears as "the same drum tuned elsewhere".

    python scripts/sound_pitch.py --data ../shared/data/samples [--model CKPT]
"""

from __future__ import annotations

import argparse

import numpy as np

from latentdrum.evaluation.sound import split_for_space
from latentdrum.sounds import spectral
from latentdrum.sounds.audio import PRE_ROLL, SAMPLE_RATE
from latentdrum.sounds.classes import CLASSES
from latentdrum.sounds.dataset import build_sound_dataset
from latentdrum.sounds.synthesis import synthesize
from latentdrum.spaces.sound import SoundSpace

TONAL = ("kick", "low_tom", "mid_tom", "high_tom")


def fundamental_hz(x: np.ndarray, lo_hz: float = 30.0, hi_hz: float = 1500.0) -> float:
    """The strongest spectral peak of ``x`` between ``lo_hz`` and ``hi_hz``, 20-200 ms after the onset."""
    seg = x[PRE_ROLL + int(0.02 * SAMPLE_RATE) : PRE_ROLL + int(0.2 * SAMPLE_RATE)]
    n_fft = 32768
    mag = np.abs(np.fft.rfft(seg * np.hanning(len(seg)), n_fft))
    hz = np.fft.rfftfreq(n_fft, 1.0 / SAMPLE_RATE)
    band = (hz >= lo_hz) & (hz <= hi_hz)
    return float(hz[band][np.argmax(mag[band])])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="the samples folder (../shared/data/samples)")
    ap.add_argument("--model", default=None, help="sound checkpoint (default: the bundled model)")
    args = ap.parse_args()
    space = SoundSpace.load(args.model)
    ds = build_sound_dataset(args.data)
    held, _ = split_for_space(space, ds)
    rows = [int(i) for i in held if CLASSES[int(ds.class_index[i])] in TONAL]
    errors: dict[str, list[float]] = {"ceiling": [], "reconstruction": []}
    print(f"{'sound':44s} {'class':9s} {'real Hz':>8s} {'ceiling st':>11s} {'recon st':>9s}")
    for i in rows:
        name = CLASSES[int(ds.class_index[i])]
        real = ds.audio[i]
        ceiling = synthesize(spectral.log_magnitude(real[None]))[0]
        recon = space.decode(space.encode(real, name)[None], name)[0]
        f0 = fundamental_hz(real)
        st = [12.0 * np.log2(fundamental_hz(y) / f0) for y in (ceiling, recon)]
        errors["ceiling"].append(abs(st[0]))
        errors["reconstruction"].append(abs(st[1]))
        print(f"{ds.files[i][-44:]:44s} {name:9s} {f0:8.1f} {st[0]:+11.1f} {st[1]:+9.1f}")
    for what, e in errors.items():
        print(f"{what}: median |error| {np.median(e):.1f} semitones, {sum(v > 1.0 for v in e)} of {len(e)} "
              "more than a semitone off")


if __name__ == "__main__":
    main()
