"""Play one scene with the page's engine (OfflineAudioContext, real Chromium) and export it as
``loop.wav`` (the Python renderer), and print how far apart they are (JSON).

    PYTHONPATH=. python scripts/engine_parity.py [--rhythm-model P] [--sound-model P] [--out DIR]

``--out DIR`` also writes ``page.wav`` and ``export.wav`` (the compared two loops) to listen to.
See :mod:`latentdrum.evaluation.parity` for what each number means.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from latentdrum.evaluation.bench.web import launch, start_server
from latentdrum.evaluation.parity import compare, export_render, hit_times, page_render, page_scene, set_up_scene

LOOPS = 5  # the page plays 5 loops from silence; loops 2 and 3 are the export's steady state


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rhythm-model", type=Path, default=None)
    ap.add_argument("--sound-model", type=Path, default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp, \
            start_server(args.rhythm_model, args.sound_model, Path(tmp) / "s.json", args.seed) as url, \
            launch(Path(tmp) / "profile") as ctx:
        page = ctx.new_page()
        page.goto(url)
        page.wait_for_function("window.__ld && window.__ld.ready && window.__ld.soundsLoaded === 9", timeout=120_000)
        set_up_scene(page)
        pattern, bpm, swing = page_scene(page)
        played, sr = page_render(page, LOOPS)
        exported, sr_export = export_render(url)
    assert sr == sr_export, (sr, sr_export)
    loop = exported.shape[0] // 2
    steady = played[2 * loop : 4 * loop]
    report = compare(steady, exported, sr, hit_times(pattern, bpm, swing, 2))
    print(json.dumps({"bpm": bpm, "swing": swing, "sample_rate": sr} | report.to_json(), indent=1))
    if args.out is not None:
        import soundfile as sf

        args.out.mkdir(parents=True, exist_ok=True)
        sf.write(args.out / "page.wav", steady, sr, subtype="FLOAT")
        sf.write(args.out / "export.wav", exported, sr, subtype="FLOAT")


if __name__ == "__main__":
    main()
