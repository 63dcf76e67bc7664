"""How well a class is found on whole kits never trained on: the name rule alone, the sound
classifier alone, and the two together (the rule of :mod:`latentdrum.sounds.labelling`), each
against the kits' ``labels.csv``.

- *name alone*: right when the name rule decides the true class; a name that says nothing or
  whose keywords disagree counts as wrong (it gives no answer);
- *sound alone*: the classifier's most likely class, every file (and, separately, how many it is
  sure enough to label and how often those are right);
- *together*: the label the CLI would use; an *unknown* (listed with its guesses, not used)
  counts as wrong, and is reported on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from latentdrum.errors import DatasetError
from latentdrum.sounds.classes import CLASSES
from latentdrum.sounds.classifier import SoundClassifier
from latentdrum.sounds.dataset import SoundDataset
from latentdrum.sounds.labelling import decide, name_verdicts


def heldout_report(ds: SoundDataset, holdout: Sequence[str], classifier: SoundClassifier) -> dict[str, Any]:
    """Accuracies on the sounds of ``holdout`` kits of ``ds`` (labelled by its ``labels.csv``).

    Returns a JSON-able dict: ``sounds``, ``kits``, ``name_alone``, ``sound_alone``, ``together``
    (accuracy 0-1), ``sound_sure`` (coverage and accuracy above the threshold), ``unknown``,
    ``per_kit`` and every file the rule got wrong with what it said.
    """
    idx = ds.kit_indices(holdout)
    if not len(idx):
        raise DatasetError(f"none of the kits {list(holdout)} are in {ds.root} (its kits: {', '.join(ds.kits)})")
    truth = [CLASSES[int(c)] for c in ds.class_index[idx]]
    files = [ds.files[i] for i in idx]
    verdicts = name_verdicts(ds.files)  # all files: a kit is read with its own folder
    probs = classifier.classify(ds.audio[idx], ds.duration[idx])  # (n, C)
    by_sound = [classifier.classes[int(i)] for i in probs.argmax(axis=1)]
    sure = probs.max(axis=1) >= classifier.threshold
    by_name, together, wrong = [], [], []
    for j, rel in enumerate(files):
        v = verdicts[rel]
        by_name.append(v.candidates[0] if len(v.candidates) == 1 else None)
        label = decide(v, ds.audio[idx[j]], float(ds.duration[idx[j]]), classifier)
        together.append(label.cls)
        if label.cls != truth[j]:
            wrong.append({"file": rel, "true": truth[j], "said": label.describe()})
    right = {name: np.array([p == t for p, t in zip(pred, truth, strict=True)])
             for name, pred in (("name", by_name), ("sound", by_sound), ("together", together))}
    kits = [ds.kit_of(i) for i in idx]
    per_kit = {kit: {name: round(float(r[[k == kit for k in kits]].mean()), 3) for name, r in right.items()}
               | {"sounds": kits.count(kit)} for kit in sorted(set(kits))}
    sound_right = right["sound"]
    return {
        "sounds": len(idx),
        "kits": sorted(set(kits)),
        "name_alone": round(float(right["name"].mean()), 3),
        "name_answers": sum(p is not None for p in by_name),
        "sound_alone": round(float(sound_right.mean()), 3),
        "sound_sure": {"threshold": classifier.threshold, "coverage": round(float(sure.mean()), 3),
                       "accuracy": round(float(sound_right[sure].mean()), 3) if sure.any() else None},
        "together": round(float(right["together"].mean()), 3),
        "unknown": sum(c is None for c in together),
        "labelled_by_sound": sum(len(verdicts[f].candidates) != 1 for f in files),
        "per_kit": per_kit,
        "wrong": wrong,
    }
