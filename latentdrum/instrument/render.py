"""The audio engine: a pattern and 9 voices' one-shots -> a stereo loop at 44.1, 48 or 96 kHz.

``render(pattern, voices, settings)`` returns ``(N, 2)`` float32 audio. What it does, in order:

**Rate.** The one-shots are 44.1 kHz; at another ``sample_rate`` (48 or 96 kHz) each voice's
one-shots are resampled first (scipy's polyphase FIR, 160/147 or 320/147), then the loop is
mixed at that rate, so every hit still starts on its own exact sample and the loop length is exact.

**Timing.** Each hit starts at ``round(t * sample_rate)`` with ``t`` from tempo, swing (MPC-style
percent, see :mod:`latentdrum.instrument.timing`) and the pattern's micro-timing offsets, plus
optional seeded ``humanize_ms`` jitter (a standard deviation, clipped at 3; 0 by default): exact
to the sample.

**Velocity -> level.** A hit's amplitude is ``velocity ** velocity_curve`` (1.5 by default: a
half-velocity hit is -9 dB, a ghost note at 0.25 is -18 dB; 2.0 is the General MIDI/DLS square
law, 0 ignores velocity).

**Velocity -> timbre.** Layer ``i`` of ``L`` stands for velocity ``(i + 1) / L``. The timbre
velocity ``vt = ref + velocity_timbre * (velocity - ref)`` (``ref = reference_velocity``, 1.0:
the kit sound is a full hit) is placed between the two nearest layers and the two are
crossfaded linearly (the layers are neighbouring points of one sound, so they add coherently;
``layer_mode="nearest"`` plays the closest layer instead, for separately recorded layers, whose
mix would comb-filter). ``velocity_timbre = 0`` plays the reference layer for every hit.

**Variation.** Repeated hits rotate through the round-robin variations (never the same one
twice in a row when there are several), blended with the kit sound by ``variation``, and get a
seeded level jitter of ``variation`` dB (standard deviation, clipped at twice that). Everything random is
a hash of ``seed``, the voice, the loop modulo ``loops`` and the step (:mod:`latentdrum.instrument.draws`,
which the browser engine computes too), so a render is reproducible, its loop point seamless,
and editing one cell leaves the other hits' draws alone. ``variation = 0`` plays the kit sound identically every time.

**Choke.** Within a choke group (default: closed and open hi-hat), a hit of one voice cuts the
still-ringing hits of the group's other voices with a ``choke_fade_ms`` raised-cosine fade
(10 ms: no click) starting at the choking hit's first sample. A voice never chokes itself
(two open hats overlap), and a muted voice chokes nothing.

**Loops and tails.** ``tail="wrap"`` (default) returns exactly ``loops`` pattern lengths and
renders the steady state of the loop playing forever: sound ringing past the end is heard at
the start (as from the previous cycle), chokes included, so the file loops seamlessly in a
DAW. ``tail="ring"`` starts from silence and appends the last hits' tails (length = loops plus
the longest tail); a hit pushed before the very start is played at sample 0.

**Mix and limiter.** Each voice is panned (constant power, unity at the centre; see
:meth:`VoiceSounds.stereo_gains`) and scaled by its gain and ``master_gain_db`` (-6 dB of
headroom by default), then a look-ahead limiter (:mod:`latentdrum.instrument.limiter`) holds
the peak at ``ceiling_db`` (-0.3 dBFS) without touching a loop already under it.
:mod:`latentdrum.instrument.stems` renders each voice alone through the same gains (the mix's
limiter gain included), so the stems sum to the mix.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np
from scipy.signal import resample_poly

from latentdrum.errors import ConfigError
from latentdrum.instrument import draws
from latentdrum.instrument.limiter import DEFAULT_CEILING_DB, limiter_gain
from latentdrum.instrument.timing import HitSchedule, check_swing, loop_samples, schedule, step_seconds
from latentdrum.instrument.voice import VoiceSounds
from latentdrum.patterns.drummaps import NUM_VOICES, VOICES
from latentdrum.patterns.pattern import Pattern, check_bpm
from latentdrum.sounds.audio import SAMPLE_RATE
from latentdrum.sounds.levels import db_to_amp

TailMode = Literal["wrap", "ring"]
LayerMode = Literal["crossfade", "nearest"]
CLOSED_HAT, OPEN_HAT = VOICES.index("closed_hat"), VOICES.index("open_hat")
LEVEL_JITTER_DB = 1.0  # standard deviation at variation = 1, clipped at JITTER_CLIP times that
JITTER_CLIP = 2.0  # level jitter draws are clipped at this many standard deviations
HUMANIZE_CLIP = 3.0  # and humanize draws at this many
SAMPLE_RATES = (44_100, 48_000, 96_000)


@dataclass(frozen=True)
class RenderSettings:
    """How to play a pattern; see the module docstring for what each setting does.

    Attributes:
        bpm: tempo in [20, 400]; None plays at the pattern's own tempo.
        swing: percent in [50, 75]; 50 is straight.
        loops: how many times the pattern plays (>= 1).
        seed: seeds round-robin choice, level jitter and humanize.
        velocity_timbre: in [0, 1], how far velocity moves the timbre across intensity layers.
        variation: in [0, 1], how much repeated hits differ.
        velocity_curve: amplitude = velocity ** velocity_curve, in [0, 4].
        reference_velocity: the timbre played when ``velocity_timbre`` is 0, in [0, 1].
        humanize_ms: standard deviation of extra random timing, in ms (0 = exact grid + offsets).
        choke_groups: groups of voice indices whose hits cut each other's ringing sounds.
        choke_fade_ms: length of the choke fade-out, in (0, 100] ms.
        tail: "wrap" (seamless loop of exact length) or "ring" (tails appended after the end).
        layer_mode: "crossfade" between the two nearest intensity layers (layers generated along
            one direction add coherently), or play the "nearest" one (separately recorded
            multisamples: mixing two recordings comb-filters them, darker than either).
        master_gain_db: gain applied to the whole mix, in [-60, 12] dB.
        limiter: whether the peak limiter runs.
        ceiling_db: limiter ceiling in [-20, -0.1] dBFS.
        sample_rate: output rate in Hz, one of 44100, 48000, 96000.
    """

    bpm: float | None = None
    swing: float = 50.0
    loops: int = 1
    seed: int = 0
    velocity_timbre: float = 1.0
    variation: float = 1.0
    velocity_curve: float = 1.5
    reference_velocity: float = 1.0
    humanize_ms: float = 0.0
    choke_groups: tuple[tuple[int, ...], ...] = ((CLOSED_HAT, OPEN_HAT),)
    choke_fade_ms: float = 10.0
    tail: TailMode = "wrap"
    layer_mode: LayerMode = "crossfade"
    master_gain_db: float = -6.0
    limiter: bool = True
    ceiling_db: float = DEFAULT_CEILING_DB
    sample_rate: int = SAMPLE_RATE

    def __post_init__(self) -> None:
        check_sample_rate(self.sample_rate)
        if self.bpm is not None:
            check_bpm(self.bpm, ConfigError)
        check_swing(self.swing)
        if int(self.loops) != self.loops or self.loops < 1:
            raise ConfigError(f"loops must be a whole number >= 1, got {self.loops}")
        for name, lo, hi in (
            ("velocity_timbre", 0.0, 1.0),
            ("variation", 0.0, 1.0),
            ("velocity_curve", 0.0, 4.0),
            ("reference_velocity", 0.0, 1.0),
            ("humanize_ms", 0.0, 50.0),
            ("master_gain_db", -60.0, 12.0),
            ("ceiling_db", -20.0, -0.1),
        ):
            value = float(getattr(self, name))
            if not lo <= value <= hi:
                raise ConfigError(f"{name} must lie in [{lo:g}, {hi:g}], got {value}")
        if not 0.0 < float(self.choke_fade_ms) <= 100.0:
            raise ConfigError(f"choke_fade_ms must lie in (0, 100], got {self.choke_fade_ms}")
        if self.tail not in ("wrap", "ring"):
            raise ConfigError(f"tail must be 'wrap' or 'ring', got {self.tail!r}")
        if self.layer_mode not in ("crossfade", "nearest"):
            raise ConfigError(f"layer_mode must be 'crossfade' or 'nearest', got {self.layer_mode!r}")
        for group in self.choke_groups:
            if any(not 0 <= v < NUM_VOICES for v in group):
                raise ConfigError(f"choke group {group} names a voice outside 0..{NUM_VOICES - 1}")


@dataclass(frozen=True)
class _Hits:
    """One voice's hits, ready to mix: all ``(H,)``."""

    start: np.ndarray  # int64 first sample (may be negative in wrap mode)
    amp: np.ndarray  # float32 linear amplitude (velocity curve x level jitter)
    layer_pos: np.ndarray  # float fractional layer index in [0, L-1]
    variation: np.ndarray  # int round-robin index
    cut: np.ndarray  # int64 sample where a choke starts fading this hit; huge when never


def check_sample_rate(rate: int) -> int:
    if rate not in SAMPLE_RATES:
        raise ConfigError(f"sample rate must be one of {', '.join(map(str, SAMPLE_RATES))} Hz, got {rate}")
    return int(rate)


def at_rate(audio: np.ndarray, rate: int) -> np.ndarray:
    """``(..., N)`` 44.1 kHz audio resampled to ``rate`` (polyphase FIR; sample 0 stays the onset)."""
    if rate == SAMPLE_RATE:
        return audio
    ratio = Fraction(check_sample_rate(rate), SAMPLE_RATE)
    return np.ascontiguousarray(resample_poly(audio, ratio.numerator, ratio.denominator, axis=-1), dtype=np.float32)


@dataclass
class RenderPlan:
    """Everything a render mixes, prepared once: per active voice its one-shots at the output
    rate and its hits; the loop's length; the master gain and the choke fade."""

    sample_rate: int
    length: int
    active: dict[int, VoiceSounds]
    audio: dict[int, np.ndarray]  # voice -> (L, R, N) one-shots at the output rate, tuned
    hits: dict[int, _Hits]
    master: float
    fade: np.ndarray
    settings: RenderSettings

    @property
    def longest(self) -> int:
        return max((a.shape[-1] for a in self.audio.values()), default=1)

    def mix_voice(self, v: int, mono: np.ndarray, scratch: np.ndarray) -> tuple[int, int] | None:
        """Overlap-add voice ``v``'s hits into ``mono`` (mono, before pan and gain); the span written."""
        if v not in self.hits:
            return None
        return _mix_voice(mono, scratch, self.audio[v], self.hits[v], self.settings.variation, self.fade)

    def voice_gains(self, v: int) -> tuple[float, float]:
        """Voice ``v``'s (left, right) gain into the mix: pan, voice gain and master gain."""
        left, right = self.active[v].stereo_gains()
        return left * self.master, right * self.master


def plan(pattern: Pattern, voices: Sequence[VoiceSounds | None], settings: RenderSettings | None = None) -> RenderPlan:
    """Prepare a render (see :func:`render`): sounds at the output rate, hit times, levels, chokes."""
    settings = settings or RenderSettings()
    if len(voices) != NUM_VOICES:
        raise ConfigError(f"need sounds for {NUM_VOICES} voices ({', '.join(VOICES)}), got {len(voices)}")
    bpm = float(settings.bpm if settings.bpm is not None else pattern.bpm)
    sr = settings.sample_rate
    # Muted and missing voices neither sound nor choke.
    active = {v: s for v, s in enumerate(voices) if s is not None and not s.mute}
    tuned = {v: at_rate(s.tuned(), sr) for v, s in active.items()}
    length = loop_samples(pattern, bpm, sr, settings.loops)
    longest = max((a.shape[-1] for a in tuned.values()), default=1)

    loop_seconds = pattern.steps * step_seconds(bpm)
    if settings.tail == "wrap":
        # Earlier loops whose tails still ring at sample 0, and the next loop's early hits.
        reach = longest / sr + step_seconds(bpm) + 4 * settings.humanize_ms * 1e-3
        first, last = -math.ceil(reach / loop_seconds), settings.loops
    else:
        first, last = 0, settings.loops - 1
    hits = schedule(pattern, bpm, settings.swing, first, last)
    per_voice = _prepare_hits(hits, pattern, active, settings, sr)

    if settings.tail == "ring":
        ends = [int(np.max(h.start + tuned[v].shape[-1])) for v, h in per_voice.items() if h.start.size]
        length = max([length, *ends])
    fade_len = max(1, round(settings.choke_fade_ms * 1e-3 * sr))
    fade = (0.5 * (1.0 + np.cos(np.pi * np.arange(fade_len) / fade_len))).astype(np.float32)
    return RenderPlan(sr, length, active, tuned, per_voice, db_to_amp(settings.master_gain_db), fade, settings)


def render(
    pattern: Pattern, voices: Sequence[VoiceSounds | None], settings: RenderSettings | None = None
) -> np.ndarray:
    """Play ``pattern`` with one :class:`VoiceSounds` per voice (None = silent voice).

    Args:
        pattern: the pattern; its tempo is used unless ``settings.bpm`` is set.
        voices: 9 entries in :data:`~latentdrum.patterns.drummaps.VOICES` order.
        settings: tempo, swing, loops, dynamics, variation, choke, tail, limiter and rate settings.

    Returns:
        ``(N, 2)`` float32 stereo at ``settings.sample_rate``. With ``tail="wrap"``,
        ``N = round(loops * steps * 15 / bpm * sample_rate)`` exactly.
    """
    mix, _ = render_with_gain(plan(pattern, voices, settings))
    return mix


def render_with_gain(p: RenderPlan) -> tuple[np.ndarray, np.ndarray | None]:
    """The ``(N, 2)`` mix of a plan and the ``(N,)`` limiter gain applied to it (None: untouched)."""
    settings = p.settings
    sides = np.zeros((2, p.length), dtype=np.float32)  # (channel, N): contiguous rows mix faster
    mono = np.empty(p.length, dtype=np.float32)
    scratch = np.empty(p.longest, dtype=np.float32)
    for v in p.hits:
        span = p.mix_voice(v, mono, scratch)
        if span is None:
            continue
        lo, hi = span
        for side, g in zip(sides, p.voice_gains(v), strict=True):
            if g:
                side[lo:hi] += mono[lo:hi] * np.float32(g)
    out = np.ascontiguousarray(sides.T)  # (N, 2)
    gain: np.ndarray | None = None
    if settings.limiter:
        gain = limiter_gain(out, p.sample_rate, settings.ceiling_db, circular=settings.tail == "wrap")
        if gain is not None:
            out *= gain[:, None]
            ceiling = db_to_amp(settings.ceiling_db)
            np.clip(out, -ceiling, ceiling, out=out)  # float rounding at the peak itself
    return out, gain


def _prepare_hits(
    hits: HitSchedule, pattern: Pattern, active: dict[int, VoiceSounds], settings: RenderSettings, sr: int
) -> dict[int, _Hits]:
    """Per active voice: sample starts, amplitudes, layer positions, variations and choke cuts."""
    loops = settings.loops
    per_voice: dict[int, _Hits] = {}
    starts_of: dict[int, np.ndarray] = {}
    for v, sounds in active.items():
        sel = hits.voice == v
        n_per_loop = int(pattern.hits[:, v].sum())
        if n_per_loop == 0:
            continue
        # Draws per (loop mod loops, step): reproducible, the pre-roll loops before loop 0 repeat
        # the last loop's draws (seamless wrap), and the page's engine draws the same numbers
        # (see :mod:`latentdrum.instrument.draws`).
        index = np.arange(loops)[:, None] * pattern.steps + np.flatnonzero(pattern.hits[:, v])[None, :]  # (loops, n)
        seed = settings.seed
        jitter_db = np.clip(draws.normal(seed, v, (draws.JITTER_U1, draws.JITTER_U2), index), -JITTER_CLIP,
                            JITTER_CLIP) * LEVEL_JITTER_DB * settings.variation
        steps_rr = draws.round_robin_steps(seed, v, index, sounds.variations)
        humanize = np.clip(draws.normal(seed, v, (draws.HUMANIZE_U1, draws.HUMANIZE_U2), index), -HUMANIZE_CLIP,
                           HUMANIZE_CLIP) * settings.humanize_ms * 1e-3
        rank = np.cumsum(pattern.hits[:, v]).astype(np.int64) - 1  # step -> index among this voice's hits
        row, col = np.mod(hits.loop[sel], loops), rank[hits.step[sel]]

        time = hits.time[sel] + humanize[row, col]
        start = np.round(time * sr).astype(np.int64)
        if settings.tail == "ring":
            start = np.maximum(start, 0)
        vel = hits.velocity[sel].astype(np.float64)
        amp = vel**settings.velocity_curve * 10.0 ** (jitter_db[row, col] / 20.0)
        amp[vel <= 0.0] = 0.0
        ref = settings.reference_velocity
        timbre_vel = ref + settings.velocity_timbre * (vel - ref)
        layer_vels = (np.arange(sounds.layers) + 1.0) / sounds.layers
        layer_pos = np.interp(timbre_vel, layer_vels, np.arange(sounds.layers, dtype=np.float64))
        if settings.layer_mode == "nearest":
            layer_pos = np.round(layer_pos)
        if settings.variation > 0 and sounds.variations > 1:
            # A walk that never stays on the same variation: +1..R-1 each hit, modulo R.
            walk = (np.cumsum(steps_rr.reshape(-1)) % sounds.variations).reshape(loops, n_per_loop)
            variation = walk[row, col]
        else:
            variation = np.zeros(start.shape, dtype=np.int64)
        per_voice[v] = _Hits(start, amp.astype(np.float32), layer_pos, variation, np.full(start.shape, 2**62))
        starts_of[v] = start

    for group in settings.choke_groups:
        for v in group:
            if v not in per_voice:
                continue
            chokers = [starts_of[u] for u in group if u != v and u in starts_of]
            if not chokers:
                continue
            by_time = np.sort(np.concatenate(chokers))
            nxt = np.searchsorted(by_time, per_voice[v].start, side="right")
            cut = np.where(nxt < by_time.shape[0], by_time[np.minimum(nxt, by_time.shape[0] - 1)], 2**62)
            np.minimum(per_voice[v].cut, cut, out=per_voice[v].cut)
    return per_voice


def _mix_voice(
    mono: np.ndarray, scratch: np.ndarray, audio: np.ndarray, hits: _Hits, variation_amount: float, fade: np.ndarray
) -> tuple[int, int] | None:
    """Overlap-add one voice's hits into ``mono`` (zeroed over the returned span ``[lo, hi)``).

    ``audio`` is the voice's tuned ``(L, R, N)`` one-shots; returns None when nothing sounds.
    """
    length = mono.shape[0]
    n = audio.shape[-1]
    fade_len = fade.shape[0]
    end = np.minimum(hits.start + n, np.minimum(hits.cut + fade_len, length))
    audible = (end > np.maximum(hits.start, 0)) & (hits.amp > 0)
    if not audible.any():
        return None
    lo = int(max(0, hits.start[audible].min()))
    hi = int(end[audible].max())
    mono[lo:hi] = 0.0
    top = audio.shape[0] - 1
    for h in np.flatnonzero(audible):
        start, amp = int(hits.start[h]), float(hits.amp[h])
        src0 = max(0, -start)
        src1 = int(end[h]) - start
        seg = scratch[: src1 - src0]
        pos = float(hits.layer_pos[h])
        a = min(int(pos), top)
        frac = pos - a
        rr = int(hits.variation[h])
        blend = variation_amount if rr else 0.0
        parts = (
            (a, 0, (1 - frac) * (1 - blend)),
            (a + 1, 0, frac * (1 - blend)),
            (a, rr, (1 - frac) * blend),
            (a + 1, rr, frac * blend),
        )
        first = True
        for layer, var, w in parts:
            if w <= 0.0:
                continue
            src = audio[layer, var, src0:src1]
            if first:
                np.multiply(src, np.float32(w * amp), out=seg)
                first = False
            else:
                seg += src * np.float32(w * amp)
        cut = int(hits.cut[h]) - start
        if cut < src1:
            # Choked: fade from the choking hit's first sample, silence after the fade.
            f0, f1 = max(cut, src0), src1
            seg[f0 - src0 : f1 - src0] *= fade[f0 - cut : f1 - cut]
        mono[start + src0 : start + src1] += seg
    return lo, hi
