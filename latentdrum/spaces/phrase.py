"""Phrases and playable samples: what the CLI, the instrument and the evaluation generate.

A *phrase* is 1, 2, 4 or 8 bars made of the model's windows (2 bars for the bundled model). All
windows share the groove's latent point; windows after the first move a little away from it
(``variation``, in units of the style's prior spread) and draw their own hits, so bars repeat
with small changes as a drummer's do. With ``fill_every`` N, the last bar of every N bars is
decoded with its fill flag on: the groove breaks into its own fill and comes back.

:func:`sample_phrases` is the guarded sampler: a sample that comes out degenerate (an empty bar,
or sparser than :func:`~latentdrum.patterns.grooves.min_hits_per_bar` allows for the style and
density) is drawn again, up to :data:`MAX_DRAWS` times; with ``strong`` (the instrument's first
groove and its dice) a sample of a backbeat style must also have the kick on the first downbeat
and the snare on 2 and 4. What still fails after every draw is returned, flagged, so the caller
can say so. :func:`decode_guarded` is the same guard for one fixed latent point (a live control
change): it may only try other decoder seeds, never another groove.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from latentdrum.errors import ConfigError
from latentdrum.patterns.grooves import has_backbeat, is_degenerate
from latentdrum.patterns.midi import concat
from latentdrum.patterns.pattern import Pattern
from latentdrum.spaces.rhythm import NEUTRAL, RhythmKnobs, RhythmSpace

PHRASE_BARS = (1, 2, 4, 8)
FILL_EVERY = (0, 2, 4, 8)
MAX_DRAWS = 8
_SEED_STRIDE = 7919  # decoder seeds of a redraw: far from the caller's own


@dataclass(frozen=True)
class Phrase:
    """How long a pattern is and where its fills go (validated)."""

    bars: int = 2
    fill_every: int = 0  # 0 = no fill; N = a fill in the last bar of every N bars
    variation: float = 0.15  # latent distance between the phrase's windows, in prior spreads

    def __post_init__(self) -> None:
        if self.bars not in PHRASE_BARS:
            raise ConfigError(f"a phrase has 1, 2, 4 or 8 bars, got {self.bars}")
        if self.fill_every not in FILL_EVERY:
            raise ConfigError(f"fill-every must be 0 (no fills), 2, 4 or 8 bars, got {self.fill_every}")
        if self.fill_every > self.bars:
            raise ConfigError(f"a fill every {self.fill_every} bars needs a phrase of at least {self.fill_every} "
                              f"bars, got {self.bars}: make the phrase {self.fill_every} bars or longer")
        if not 0.0 <= self.variation <= 1.0:
            raise ConfigError(f"variation must lie in [0, 1], got {self.variation}")

    def fill_flags(self) -> np.ndarray:
        """(bars,) float32: 1 for each fill bar."""
        flags = np.zeros(self.bars, np.float32)
        if self.fill_every:
            flags[self.fill_every - 1 :: self.fill_every] = 1.0
        return flags


def decode_phrase(space: RhythmSpace, z: np.ndarray, style: str | None, phrase: Phrase, temperature: float,
                  seed: int, bpm: float = 120.0, knobs: RhythmKnobs = NEUTRAL) -> Pattern:
    """The phrase of groove ``z`` (D,) (before the knobs) as one pattern of ``phrase.bars`` bars."""
    w = space.bars
    windows = -(-phrase.bars // w)
    flags = np.zeros(windows * w, np.float32)
    flags[: phrase.bars] = phrase.fill_flags()
    rng = np.random.default_rng(seed)
    eps = rng.standard_normal((windows, space.latent_dim))
    eps[0] = 0.0  # the first window is the groove itself
    zs = np.asarray(z, np.float64)[None] + phrase.variation * eps @ space.prior_chol(style).T  # (W, D)
    zs = space.steer(zs.astype(np.float32), knobs)
    pats = space.decode(zs, style, bpm, temperature, seed, fill=flags.reshape(windows, w))
    return concat(pats).slice_bars(0, phrase.bars).with_bpm(bpm)


def fill_bar(space: RhythmSpace, z: np.ndarray, style: str | None, temperature: float, seed: int,
             bpm: float = 120.0, knobs: RhythmKnobs = NEUTRAL) -> Pattern:
    """One bar: the fill groove ``z`` plays at the end of a phrase (its last window's fill bar)."""
    flags = np.zeros((1, space.bars), np.float32)
    flags[0, -1] = 1.0
    zs = space.steer(np.asarray(z, np.float32)[None], knobs)
    p = space.decode(zs, style, bpm, temperature, seed, fill=flags)[0]
    return p.slice_bars(space.bars - 1, 1)


def _bad(space: RhythmSpace, p: Pattern, style: str | None, density: float, strong: bool) -> bool:
    stats = space.groove_stats(style)
    hits = p.hits[None]
    bad = bool(is_degenerate(hits, stats, density)[0])
    if strong and stats.backbeat:
        bad |= not bool(has_backbeat(hits)[0])
    return bad


def decode_guarded(space: RhythmSpace, z: np.ndarray, style: str | None, phrase: Phrase, temperature: float,
                   seed: int, bpm: float = 120.0, knobs: RhythmKnobs = NEUTRAL) -> tuple[Pattern, bool]:
    """:func:`decode_phrase`, trying other decoder seeds while the result is degenerate.

    Returns (pattern, ok); deterministic for the same arguments. At temperature 0 the decoding
    has no randomness, so there is nothing to try: what the latent point holds is returned.
    """
    tries = MAX_DRAWS if temperature > 0 else 1
    first: Pattern | None = None
    for k in range(tries):
        p = decode_phrase(space, z, style, phrase, temperature, seed + k * _SEED_STRIDE, bpm, knobs)
        if not _bad(space, p, style, knobs.density, False):
            return p, True
        first = first or p
    assert first is not None
    return first, False


@dataclass
class Samples:
    """What :func:`sample_phrases` drew: patterns, their grooves' latents (before knobs), their
    decoder seeds, how many draws were refused, and the indices that stayed degenerate."""

    patterns: list[Pattern]
    latents: np.ndarray  # (n, D) float32
    seeds: list[int]
    redrawn: int = 0
    degenerate: list[int] = field(default_factory=list)


def sample_phrases(
    space: RhythmSpace,
    n: int = 1,
    style: str | None = None,
    temperature: float = 1.0,
    seed: int | None = None,
    knobs: RhythmKnobs = NEUTRAL,
    phrase: Phrase | None = None,
    bpm: float = 120.0,
    strong: bool = False,
) -> Samples:
    """``n`` guarded samples (module docstring); reproducible with ``seed``."""
    phrase = phrase or Phrase(bars=space.bars)
    rng = np.random.default_rng(seed)
    out = Samples([], np.zeros((n, space.latent_dim), np.float32), [])
    for i in range(n):
        first: tuple[Pattern, np.ndarray, int] | None = None
        playable: tuple[Pattern, np.ndarray, int] | None = None  # not degenerate, maybe not strong
        chosen = None
        for _ in range(MAX_DRAWS if temperature > 0 else 1):
            s_lat, s_dec = int(rng.integers(2**31)), int(rng.integers(2**31))
            z = space.sample_latent(1, style, temperature, s_lat)[0]
            p = decode_phrase(space, z, style, phrase, temperature, s_dec, bpm, knobs)
            first = first or (p, z, s_dec)
            if not _bad(space, p, style, knobs.density, False):
                playable = playable or (p, z, s_dec)
                if not strong or not _bad(space, p, style, knobs.density, True):
                    chosen = (p, z, s_dec)
                    break
            out.redrawn += 1
        if chosen is None:
            chosen = playable or first
            out.redrawn -= 1  # the refused draw returned is not a redraw
            if playable is None:
                out.degenerate.append(i)
        assert chosen is not None
        out.patterns.append(chosen[0])
        out.latents[i] = chosen[1]
        out.seeds.append(chosen[2])
    return out
