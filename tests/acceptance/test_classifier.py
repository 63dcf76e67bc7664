"""The bundled sound classifier on the held-out real kits (needs ../shared/data/samples)."""

from __future__ import annotations

from pathlib import Path

from latentdrum.sounds.classifier import bundled_classifier
from latentdrum.sounds.classifier_report import heldout_report
from latentdrum.sounds.dataset import build_sound_dataset


def test_heldout_report_reproduces_the_bundled_numbers(samples_dir: Path) -> None:
    clf = bundled_classifier()
    rep = heldout_report(build_sound_dataset(samples_dir, progress=False), clf.info["heldout"]["kits"], clf)
    for key in ("sounds", "name_alone", "sound_alone", "together", "unknown"):
        assert rep[key] == clf.info["heldout"][key], key
