"""Training the onset-voice network of ``from-audio`` on renders of real grooves.

Training examples are made here, from real material only: 2-bar windows of the Groove MIDI
train split, played by kits drawn from the *training* kits of a labelled sample folder (one-shots
of one kit, with a random level per voice; voices the kit lacks come from another training
kit) and, for half of the windows, by one of 16 kits sampled from the sound model (3 intensity
layers each, softer = darker). The mix is simple on purpose (level = velocity ** 1.5, the
nearest layer, no round robin or choke): the evaluation renders with the
instrument's own renderer, so a different mixer keeps it honest. Each render goes through the
same analysis as at run time (:func:`latentdrum.sounds.onsets.analyse_loop`, with the window's
tempo); an onset's labels are the drums struck within 30 ms of it (each real hit labels only its
nearest onset).

Per-voice thresholds are then tuned for hit F1 on a held-out tenth of the renders.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from latentdrum.errors import AudioError, DatasetError
from latentdrum.models.checkpoint import Checkpoint, config_to_dict, save_checkpoint
from latentdrum.models.transcriber import Transcriber, TranscriberConfig, transcriber_loss
from latentdrum.patterns.dataset import build_pattern_dataset
from latentdrum.patterns.drummaps import NUM_VOICES
from latentdrum.patterns.pattern import Pattern
from latentdrum.sounds.audio import SAMPLE_RATE
from latentdrum.sounds.kits import KitFiles, kit_files, load_one_shot, pick_kit
from latentdrum.sounds.onsets import N_FEATURES, analyse_loop
from latentdrum.spaces.sound import SoundSpace

TRAIN_KITS = ("sonic-pi", "oramics/LM-2", "oramics/avl-drumkits", "muldjordkit")
HELD_OUT_KITS = ("oramics/CR-78", "oramics/MRK-2", "oramics/TR-505", "oramics/pearl-master-studio")
TOLERANCE_S = 0.03
SOUND_MODEL_KITS = 16  # kits sampled from the sound model once, then drawn from


def mix(pattern: Pattern, shots: list[list[np.ndarray]], gains_db: np.ndarray, tail_s: float = 1.0) -> np.ndarray:
    """Play ``pattern`` with per voice one or more intensity layers (soft -> hard; layer i of L
    plays velocities up to (i + 1) / L): ``(N,)`` float32 mono at 44.1 kHz."""
    n = int((pattern.steps * pattern.step_seconds + tail_s) * SAMPLE_RATE)
    out = np.zeros(n, dtype=np.float32)
    for t, v, vel in pattern.onset_times():
        s = max(0, round(t * SAMPLE_RATE))
        layers = shots[v]
        shot = layers[min(len(layers) - 1, int(vel * len(layers) - 1e-6))][: n - s]
        out[s : s + len(shot)] += shot * (vel**1.5) * 10 ** (gains_db[v] / 20)
    return out


def label_onsets(onsets: np.ndarray, pattern: Pattern) -> tuple[np.ndarray, np.ndarray]:
    """``(K, V)`` hit labels and velocities: each real hit labels its nearest onset within 30 ms."""
    hits = np.zeros((len(onsets), NUM_VOICES), dtype=np.float32)
    vel = np.zeros_like(hits)
    for t, v, velocity in pattern.onset_times():
        k = int(np.argmin(np.abs(onsets - t)))
        if abs(onsets[k] - t) <= TOLERANCE_S and velocity > vel[k, v]:
            hits[k, v], vel[k, v] = 1.0, velocity
    return hits, vel


def _sound_model_shots(rng: np.random.Generator, space: SoundSpace) -> list[list[np.ndarray]]:
    """A kit sampled from the sound model, 3 intensity layers per voice (softer = darker, as the
    instrument plays velocity)."""
    from latentdrum.sounds.kits import VOICE_SOUND_CLASSES

    names = [next(c for c in classes if c in space.classes) for classes in VOICE_SOUND_CLASSES]
    z = np.concatenate([space.sample_latent(c, 1, seed=int(rng.integers(2**31))) for c in names])
    layers = [space.decode(z, names, intensity=i) for i in (1 / 6, 1 / 3, 0.5)]  # each (V, L)
    return [[a[np.argmax(np.abs(a) > 0.05 * np.abs(a).max()) :] for a in (lay[v] for lay in layers)]
            for v in range(len(names))]


def render_examples(groove_dir: str | Path, samples_dir: str | Path, windows: int, seed: int = 0,
                    sound_model_share: float = 0.5, sound_model: str | Path | None = None
                    ) -> dict[str, np.ndarray]:
    """Features ``x (K, F)``, labels ``hits (K, V)`` and ``velocity (K, V)`` of ``windows`` renders."""
    rng = np.random.default_rng(seed)
    ds = build_pattern_dataset(groove_dir, progress=False)
    train = ds.indices("train")
    kits = kit_files(samples_dir)
    usable = [k for k in TRAIN_KITS if k in kits]
    if not usable:
        raise DatasetError(f"{samples_dir} has none of the training kits {TRAIN_KITS}")
    cache: dict[Path, np.ndarray] = {}
    space = SoundSpace.load(sound_model) if sound_model_share > 0 else None
    model_kits = [_sound_model_shots(rng, space) for _ in range(SOUND_MODEL_KITS)] if space is not None else []
    xs, hs, vs = [], [], []
    for _ in range(windows):
        i = int(rng.choice(train))
        pattern = Pattern.from_array(ds.windows[i], float(ds.bpm[i]))
        if model_kits and rng.random() < sound_model_share:
            shots = model_kits[int(rng.integers(len(model_kits)))]
        else:
            kit: KitFiles = kits[usable[int(rng.integers(len(usable)))]]
            files = pick_kit(kit, rng, fallback=kits[usable[int(rng.integers(len(usable)))]])
            shots = [[cache.setdefault(f, load_one_shot(f))] for f in files]
        audio = mix(pattern, shots, rng.uniform(-9, 3, NUM_VOICES))
        audio += rng.standard_normal(len(audio)).astype(np.float32) * 10 ** (rng.uniform(-80, -50) / 20)
        try:
            a = analyse_loop(audio, bpm=pattern.bpm)
        except AudioError:
            continue
        h, v = label_onsets(a.onsets, pattern)
        xs.append(a.features)
        hs.append(h)
        vs.append(v)
    if not xs:
        raise DatasetError("no render gave onsets to learn from")
    return {"x": np.concatenate(xs), "hits": np.concatenate(hs), "velocity": np.concatenate(vs)}


def _tune_thresholds(probs: np.ndarray, hits: np.ndarray) -> tuple[float, ...]:
    out = []
    for v in range(hits.shape[1]):
        best, best_f1 = 0.5, -1.0
        for t in np.arange(0.2, 0.81, 0.05):
            pred = probs[:, v] >= t
            tp = float((pred & (hits[:, v] > 0.5)).sum())
            f1 = 2 * tp / max(float(pred.sum() + hits[:, v].sum()), 1.0)
            if f1 > best_f1:
                best, best_f1 = round(float(t), 2), f1
        out.append(best)
    return tuple(out)


def train_transcriber(groove_dir: str | Path, samples_dir: str | Path, out_dir: str | Path, windows: int = 800,
                      epochs: int = 60, seed: int = 0, threads: int | None = 1,
                      sound_model: str | Path | None = None) -> Path:
    """Render ``windows`` training grooves, train the network, write ``out_dir/transcriber.ckpt``."""
    t0 = time.time()
    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(seed)
    data = render_examples(groove_dir, samples_dir, windows, seed, sound_model=sound_model)
    render_s = time.time() - t0
    n = len(data["x"])
    perm = np.random.default_rng(seed).permutation(n)
    val, tr = perm[: n // 10], perm[n // 10 :]
    x, h, v = (torch.from_numpy(data[k]) for k in ("x", "hits", "velocity"))
    config = TranscriberConfig(features=N_FEATURES, voices=NUM_VOICES)
    model = Transcriber(config)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    for _ in range(epochs):
        model.train()
        for b in torch.from_numpy(np.random.default_rng().permutation(tr)).split(256):
            logits, vel = model(x[b])
            loss = transcriber_loss(logits, vel, h[b], v[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
        sched.step()
    model.eval()
    with torch.inference_mode():
        logits, vel = model(x[val])
    probs = torch.sigmoid(logits).numpy()
    thresholds = _tune_thresholds(probs, data["hits"][val])
    config = TranscriberConfig(**{**asdict(config), "thresholds": thresholds})
    pred = probs >= np.array(thresholds)
    truth = data["hits"][val] > 0.5
    tp = float((pred & truth).sum())
    f1 = 2 * tp / float(pred.sum() + truth.sum())
    metrics = {"onset_examples": n, "render_windows": windows, "held_out_hit_f1": round(f1, 4),
               "render_seconds": round(render_s, 1), "train_seconds": round(time.time() - t0, 1)}
    ckpt = Checkpoint(model_type="transcriber", config=config_to_dict(config), state_dict=model.state_dict(),
                      data_summary={"groove": str(groove_dir), "samples": str(samples_dir), "kits": list(TRAIN_KITS),
                                    "sound_model_share": 0.5},
                      metrics=metrics, extra={"seed": seed})
    out = Path(out_dir)
    path = save_checkpoint(out / "transcriber.ckpt", ckpt)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    return path
