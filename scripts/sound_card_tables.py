"""Print the sound model card's tables (realism, reconstruction, knobs) from a `sound evaluate` report.

    python scripts/sound_card_tables.py REPORT_DIR
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> None:
    report = Path(sys.argv[1])
    m = json.loads((report / "metrics.json").read_text())
    print((report / "realism.md").read_text())
    rec = m["reconstruction"]
    print("| reconstruction of held-out sounds | log-mel distance (dB) | MR-STFT distance "
          "| attack-time error (ms) |")
    print("|---|---|---|---|")
    for name, label in (("model", "**this model** (encode + decode)"), ("class_average", "class-average sound"),
                        ("nearest_training_sound", "nearest training sound (oracle)")):
        if name in rec:
            r = rec[name]
            print(f"| {label} | {r['log_mel_db']:.2f} | {r['mrstft']:.3f} | {r['attack_error_ms']:.1f} |")
    clf, var = m.get("classifier", {}), m.get("variety", {})
    print(f"\nclassifier on samples {clf.get('accuracy_on_samples')}, "
          f"on held-out real {clf.get('accuracy_on_heldout_real')}; "
          f"variety min {var.get('min_ratio')} mean {var.get('mean_ratio')}; cleanliness {m['cleanliness']}\n")
    print("| class | brightness | decay | pitch | attack |")
    print("|---|---|---|---|---|")
    for cls, row in m["knobs"].items():
        knobs = ("brightness", "decay", "pitch", "attack")
        cells = [f"**{row[k][k]:+.2f}** / {row[k]['travel'][k]:.2f}" for k in knobs]
        print(f"| {cls} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
