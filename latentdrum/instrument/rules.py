"""The renderer's rules as data: what the browser engine needs to play exactly what the WAV export holds.

:func:`engine_rules` turns a :class:`~latentdrum.instrument.render.RenderSettings` and the
renderer's constants into one small JSON-able dict. The page (``static/js/audio.js`` and its
modules) takes every number it plays by from here, and keeps no copy of its own:

- ``velocity_curve``, ``velocity_timbre``, ``reference_velocity``, ``layer_mode``: velocity ->
  level and velocity -> the crossfade of the two nearest intensity layers (layer ``i`` of ``L``
  stands for velocity ``(i + 1) / L``);
- ``variation``, ``level_jitter_db``, ``jitter_clip``, ``seed``, ``loops``: round robin (a walk
  that never repeats a variation) and the level jitter, drawn with the portable hash of
  :mod:`latentdrum.instrument.draws` per ``(seed, voice, loop % loops, step)``;
- ``humanize_ms``, ``humanize_clip``: extra timing draws (0 in the instrument);
- ``choke_groups`` (voice indices) and ``choke_fade_ms``: raised-cosine choke;
- ``pan_law``: ``"sqrt2-constant-power"``, left ``sqrt(2) cos((pan + 1) pi / 4)``, right with
  ``sin``, times the voice gain (unity at the centre, see
  :meth:`~latentdrum.instrument.voice.VoiceSounds.stereo_gains`);
- ``master_gain_db`` and ``limiter`` (``on``, ``ceiling_db``, ``lookahead_ms``, ``release_ms``):
  the look-ahead limiter of :mod:`latentdrum.instrument.limiter`, run in the page as an
  AudioWorklet that delays the mix by the look-ahead (the engine schedules hits that much early);
- ``sample_rate`` (the one-shots' and the page's audio rate) and ``gm_pitches`` (the General MIDI
  pitch each voice is sent as on MIDI out, until the page's drum-map selector picks another).

``format`` and ``version`` let the page refuse rules it does not know.
"""

from __future__ import annotations

from typing import Any

from latentdrum.instrument import draws
from latentdrum.instrument.limiter import LOOKAHEAD_MS, RELEASE_MS
from latentdrum.instrument.render import HUMANIZE_CLIP, JITTER_CLIP, LEVEL_JITTER_DB, RenderSettings
from latentdrum.patterns.drummaps import GENERAL_MIDI
from latentdrum.sounds.audio import SAMPLE_RATE

RULES_FORMAT = "latentdrum-engine-rules"
RULES_VERSION = 1
PAN_LAW = "sqrt2-constant-power"


def engine_rules(settings: RenderSettings) -> dict[str, Any]:
    """The rules :func:`~latentdrum.instrument.render.render` plays ``settings`` by, as JSON-able data.

    Only the 44.1 kHz rate is played by the page (the one-shots' own); ``settings.tail`` is
    not a rule of live playing (the page plays the loop forever: the steady state ``"wrap"`` renders).
    """
    s = settings
    return {
        "format": RULES_FORMAT,
        "version": RULES_VERSION,
        "sample_rate": SAMPLE_RATE,
        "loops": int(s.loops),
        "seed": int(s.seed),
        "velocity_curve": float(s.velocity_curve),
        "velocity_timbre": float(s.velocity_timbre),
        "reference_velocity": float(s.reference_velocity),
        "layer_mode": s.layer_mode,
        "variation": float(s.variation),
        "level_jitter_db": LEVEL_JITTER_DB,
        "jitter_clip": JITTER_CLIP,
        "humanize_ms": float(s.humanize_ms),
        "humanize_clip": HUMANIZE_CLIP,
        "draw_streams": {"jitter": [draws.JITTER_U1, draws.JITTER_U2], "round_robin": draws.ROUND_ROBIN,
                         "humanize": [draws.HUMANIZE_U1, draws.HUMANIZE_U2]},
        "choke_groups": [list(g) for g in s.choke_groups],
        "choke_fade_ms": float(s.choke_fade_ms),
        "pan_law": PAN_LAW,
        "master_gain_db": float(s.master_gain_db),
        "limiter": {"on": bool(s.limiter), "ceiling_db": float(s.ceiling_db), "lookahead_ms": LOOKAHEAD_MS,
                    "release_ms": RELEASE_MS},
        "gm_pitches": list(GENERAL_MIDI.write_pitches),
    }
