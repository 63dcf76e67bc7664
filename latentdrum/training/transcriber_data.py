"""Training loops for the ``from-audio`` transcriber: real grooves played by many kits, augmented.

Every example is one 4-bar window of the Groove MIDI train split (a real performance: its
velocities and micro-timing), played by one of two kinds of kit:

- **real one-shots** of the *training* kits of a labelled sample folder
  (:data:`TRAIN_KITS`; the kits of the evaluation, :data:`HELD_OUT_KITS`, are never read): one
  one-shot per voice from one kit, voices it lacks from another training kit;
- **the bundled sound model**: one of a pool of kits sampled from it once per run, each voice
  decoded at 3 intensity layers (softer = darker, as the instrument plays velocity) and 2
  round-robin variations.

Augmentation, each drawn per window (so one groove is heard through many kits and rooms):

- per voice: level (-9..+3 dB), pitch (+-4 semitones, by resampling, as a tuned drum is),
  a shortened decay (drum machines and gated drums ring less), layering with a second
  one-shot of the same voice from another training kit (-12..-3 dB);
- the mix: velocity -> level curve (velocity ** 1..2), hi-hat choke, EQ (low and high shelves,
  -10..+6 dB), a reverb-ish tail (exponentially decaying noise, RT60 0.15-1.2 s, 5-35 % wet),
  soft saturation, and a noise floor.

The mixer here is the training set's own (the runtime renderer belongs to the instrument layer,
which training may not import); the evaluation renders with the instrument's renderer, so a
different mixer also keeps the evaluation honest. Each render goes through the run-time analysis
(:func:`latentdrum.sounds.onsets.analyse_loop`, with the window's tempo); an onset's labels are
the drums struck within 30 ms of it (each real hit labels only its nearest onset).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from latentdrum.errors import AudioError, DatasetError
from latentdrum.patterns.dataset import PatternDatasetConfig, build_pattern_dataset
from latentdrum.patterns.drummaps import NUM_VOICES, VOICES
from latentdrum.patterns.pattern import Pattern
from latentdrum.sounds.audio import PRE_ROLL, SAMPLE_RATE
from latentdrum.sounds.kits import VOICE_SOUND_CLASSES, KitFiles, kit_files, load_one_shot, pick_kit
from latentdrum.sounds.onsets import analyse_loop
from latentdrum.spaces.sound import SoundSpace

TRAIN_KITS = ("sonic-pi", "oramics/LM-2", "oramics/avl-drumkits", "muldjordkit")
HELD_OUT_KITS = ("oramics/CR-78", "oramics/MRK-2", "oramics/TR-505", "oramics/pearl-master-studio")
TOLERANCE_S = 0.03
WINDOW_BARS = 4
SOUND_MODEL_KITS = 24  # kits sampled from the sound model once per run, then drawn from
CLOSED_HAT, OPEN_HAT = VOICES.index("closed_hat"), VOICES.index("open_hat")
Shots = list[list[np.ndarray]]  # per voice, intensity layers soft -> hard, each (N,) float32


def label_onsets(onsets: np.ndarray, pattern: Pattern) -> tuple[np.ndarray, np.ndarray]:
    """``(K, V)`` hit labels and velocities: each real hit labels its nearest onset within 30 ms."""
    hits = np.zeros((len(onsets), NUM_VOICES), dtype=np.float32)
    vel = np.zeros_like(hits)
    for t, v, velocity in pattern.onset_times():
        k = int(np.argmin(np.abs(onsets - t)))
        if abs(onsets[k] - t) <= TOLERANCE_S and velocity > vel[k, v]:
            hits[k, v], vel[k, v] = 1.0, velocity
    return hits, vel


def mix(pattern: Pattern, shots: Shots, gains_db: np.ndarray, curve: float = 1.5, choke: bool = True,
        tail_s: float = 1.0) -> np.ndarray:
    """Play ``pattern``: per voice the intensity layer nearest the velocity (layer i of L plays
    velocities up to (i + 1) / L), level ``velocity ** curve`` times the voice gain; an open hat
    still ringing is cut (10 ms fade) by the next closed hat. ``(N,)`` float32 mono, 44.1 kHz."""
    n = int((pattern.steps * pattern.step_seconds + tail_s) * SAMPLE_RATE)
    out = np.zeros(n, dtype=np.float32)
    events = pattern.onset_times()
    closed = np.array(sorted(round(t * SAMPLE_RATE) for t, v, _ in events if v == CLOSED_HAT), dtype=np.int64)
    fade = np.cos(np.linspace(0, np.pi / 2, int(0.01 * SAMPLE_RATE))).astype(np.float32) ** 2
    for t, v, vel in events:
        s = max(0, round(t * SAMPLE_RATE))
        layers = shots[v]
        shot = layers[min(len(layers) - 1, int(vel * len(layers) - 1e-6))][: n - s].copy()
        if choke and v == OPEN_HAT and closed.size:
            k = np.searchsorted(closed, s, side="right")
            if k < closed.size and closed[k] - s < len(shot):
                cut = int(closed[k] - s)
                tail = shot[cut : cut + len(fade)]
                tail *= fade[: len(tail)]
                shot[cut + len(fade) :] = 0.0
        out[s : s + len(shot)] += shot * (vel**curve) * 10 ** (gains_db[v] / 20)
    return out


def _retune(audio: np.ndarray, semitones: float) -> np.ndarray:
    """Pitch and length change together, as a drum machine's tune knob does (linear interpolation)."""
    ratio = 2.0 ** (semitones / 12.0)
    n = max(2, int(len(audio) / ratio))
    return np.interp(np.arange(n) * ratio, np.arange(len(audio)), audio).astype(np.float32)


def augment_voice(audio: np.ndarray, rng: np.random.Generator, layer: np.ndarray | None) -> np.ndarray:
    """One voice's one-shot, retuned, shortened and layered at random (see the module docstring)."""
    if rng.random() < 0.4:
        audio = _retune(audio, float(rng.uniform(-4, 4)))
    if rng.random() < 0.3:
        tau = float(rng.uniform(0.04, 0.4))
        audio = audio * np.exp(-np.arange(len(audio)) / (tau * SAMPLE_RATE)).astype(np.float32)
    if layer is not None:
        n = max(len(audio), len(layer))
        both = np.zeros(n, dtype=np.float32)
        both[: len(audio)] += audio
        both[: len(layer)] += layer * 10 ** (float(rng.uniform(-12, -3)) / 20)
        audio = both
    return audio


def augment_mix(audio: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The whole loop through a random EQ, room, saturation and noise floor."""
    from scipy.signal import butter, fftconvolve, sosfilt

    x = audio.astype(np.float64)
    lo_db, hi_db = rng.uniform(-10, 6, 2)
    lo = sosfilt(butter(2, float(rng.uniform(80, 400)), "low", fs=SAMPLE_RATE, output="sos"), x)
    hi = sosfilt(butter(2, float(rng.uniform(3000, 10000)), "high", fs=SAMPLE_RATE, output="sos"), x)
    x = x + (10 ** (lo_db / 20) - 1) * lo + (10 ** (hi_db / 20) - 1) * hi
    if rng.random() < 0.4:
        rt60 = float(rng.uniform(0.15, 1.2))
        t = np.arange(int(rt60 * SAMPLE_RATE)) / SAMPLE_RATE
        ir = rng.standard_normal(len(t)) * np.exp(-6.91 * t / rt60)
        ir = sosfilt(butter(1, float(rng.uniform(2000, 9000)), "low", fs=SAMPLE_RATE, output="sos"), ir)
        wet = fftconvolve(x, ir)[: len(x)]
        wet *= np.sqrt(np.mean(x**2) / max(float(np.mean(wet**2)), 1e-20))
        x = x + float(rng.uniform(0.05, 0.35)) * wet
    if rng.random() < 0.2:
        drive = float(rng.uniform(1.5, 6.0))
        peak = max(float(np.abs(x).max()), 1e-9)
        x = np.tanh(drive * x / peak) / np.tanh(drive) * peak
    x += rng.standard_normal(len(x)) * float(np.abs(x).max()) * 10 ** (rng.uniform(-80, -45) / 20)
    return x.astype(np.float32)


def sound_model_kit(rng: np.random.Generator, space: SoundSpace) -> list[list[list[np.ndarray]]]:
    """A kit sampled from the sound model: per voice 2 variations of 3 intensity layers."""
    names = [next((c for c in classes if c in space.classes), space.classes[0]) for classes in VOICE_SOUND_CLASSES]
    z = np.concatenate([space.sample_latent(c, 1, seed=int(rng.integers(2**31))) for c in names])  # (V, D)
    z2 = z + rng.normal(0.0, 0.15, z.shape).astype(np.float32) * z.std(axis=0, keepdims=True)
    rows = np.concatenate([z, z2])
    out = [space.decode(rows, names + names, intensity=i)[:, PRE_ROLL:] for i in (1 / 6, 1 / 3, 0.5)]
    return [[[out[i][r * NUM_VOICES + v] for i in range(3)] for r in range(2)] for v in range(NUM_VOICES)]


def _real_kit(rng: np.random.Generator, kits: dict[str, KitFiles], usable: list[str],
              cache: dict[Path, np.ndarray]) -> Shots:
    def one(name: str) -> list[Path]:
        other = kits[usable[int(rng.integers(len(usable)))]]
        return pick_kit(kits[name], rng, fallback=other)

    files = one(usable[int(rng.integers(len(usable)))])
    extra = one(usable[int(rng.integers(len(usable)))])
    shots = []
    for v in range(NUM_VOICES):
        base = cache.setdefault(files[v], load_one_shot(files[v]))
        layer = cache.setdefault(extra[v], load_one_shot(extra[v])) if rng.random() < 0.2 else None
        shots.append([augment_voice(base, rng, layer)])
    return shots


def render_examples(groove_dir: str | Path, samples_dir: str | Path, windows: int, seed: int = 0,
                    sound_model_share: float = 0.4, sound_model: str | Path | None = None,
                    progress: bool = False) -> dict[str, np.ndarray]:
    """``windows`` augmented renders as onset sequences: ``x (K, F)`` features, ``hits (K, V)``,
    ``velocity (K, V)`` of all onsets, and ``lengths (W,)`` onsets per render, in order."""
    rng = np.random.default_rng(seed)
    ds = build_pattern_dataset(groove_dir, PatternDatasetConfig(bars=WINDOW_BARS, hop=2), progress=False)
    train = ds.indices("train")
    kits = kit_files(samples_dir)
    usable = [k for k in TRAIN_KITS if k in kits]
    if not usable:
        raise DatasetError(f"{samples_dir} has none of the training kits {TRAIN_KITS}")
    cache: dict[Path, np.ndarray] = {}
    space = SoundSpace.load(sound_model) if sound_model_share > 0 else None
    model_kits = [sound_model_kit(rng, space) for _ in range(SOUND_MODEL_KITS)] if space is not None else []
    xs, hs, vs, lengths = [], [], [], []
    for w in range(windows):
        if progress and w % 100 == 0:
            print(f"render {w}/{windows}", flush=True)
        i = int(rng.choice(train))
        pattern = Pattern.from_array(ds.windows[i], float(ds.bpm[i]))
        if model_kits and rng.random() < sound_model_share:
            kit = model_kits[int(rng.integers(len(model_kits)))]
            shots = [kit[v][int(rng.integers(2))] for v in range(NUM_VOICES)]
        else:
            shots = _real_kit(rng, kits, usable, cache)
        audio = mix(pattern, shots, rng.uniform(-9, 3, NUM_VOICES), float(rng.uniform(1.0, 2.0)),
                    choke=rng.random() < 0.8)
        audio = augment_mix(audio, rng)
        try:
            a = analyse_loop(audio, bpm=pattern.bpm)
        except AudioError:
            continue
        h, v = label_onsets(a.onsets, pattern)
        xs.append(a.features)
        hs.append(h)
        vs.append(v)
        lengths.append(len(a.onsets))
    if not xs:
        raise DatasetError("no render gave onsets to learn from")
    return {"x": np.concatenate(xs), "hits": np.concatenate(hs), "velocity": np.concatenate(vs),
            "lengths": np.asarray(lengths, dtype=np.int64)}
