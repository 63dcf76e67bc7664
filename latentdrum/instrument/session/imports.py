"""Your rhythm and your sounds into the session: a MIDI clip, humanize, a tapped rhythm, an audio
loop and a one-shot for one voice.

Every import becomes the current scene in one step, so one undo takes it back; an input that is
refused raises before the scene is touched, so a bad file loses nothing. Reading, transcribing and
classifying (:meth:`Imports.read_midi`, :meth:`Imports.read_loop`, :meth:`Imports.label_sample`)
need no session state and run on any thread; the ``apply_*`` methods and :meth:`Imports.humanize`
/ :meth:`Imports.drumify` change the scene under the session's lock (the web runs them on its
session thread). This module belongs to the session package and uses the session's own
``_lock`` and ``_apply``, as its other modules do.

A pattern that comes in (:meth:`Imports.apply_pattern`):

- becomes a phrase of 1, 2, 4 or 8 bars (padded with silence up to the next, cut after 8);
- is pinned as it is (hits, velocities, micro-timing), like a hand edit, and placed in the rhythm
  space: the scene's latent becomes the encoding of its first window, so the puck sits where the
  groove lives and a drag morphs away from it;
- plays at the file's tempo (MIDI: its tempo at bar 1; a loop: its estimated or given tempo);
  taps and humanize keep the session's tempo.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from latentdrum.errors import AudioError, ConfigError, PatternError
from latentdrum.instrument.session.sounds import check_voice
from latentdrum.instrument.session.uploaded import (
    NeedsTempo,
    ReadPattern,
    cut_loop,
    display_name,
    for_page,
    read_audio_upload,
    read_midi_upload,
    tempo_question,
)
from latentdrum.patterns.drummaps import VOICES
from latentdrum.patterns.pattern import MAX_OFFSET, STEPS_PER_BAR, Pattern
from latentdrum.spaces.phrase import PHRASE_BARS

if TYPE_CHECKING:
    from latentdrum.instrument.session.session import Session
    from latentdrum.sounds.labelling import Label
    from latentdrum.spaces.groove import GrooveSpace
    from latentdrum.spaces.listen import LoopTranscriber

MAX_TAPS = 512


def fit_phrase(pattern: Pattern) -> tuple[Pattern, tuple[str, ...]]:
    """``pattern`` as a phrase the instrument plays (1, 2, 4 or 8 bars), with a note when it changed length."""
    bars = pattern.bars
    fit = next((b for b in PHRASE_BARS if b >= bars), PHRASE_BARS[-1])
    if fit == bars:
        return pattern, ()
    note = f"cut to its first {fit} bars (of {bars})" if bars > fit else f"{bars} bars, played as {fit}"
    return pattern.slice_bars(0, fit), (note,)


def taps_pattern(taps: Sequence[tuple[float, float]], bars: int, bpm: float) -> Pattern:
    """Taps ``(position in 16th steps from bar 1, velocity 0-1)`` -> a pattern whose only voice is
    voice 0, each tap on its nearest step with the rest as its offset (drumify's input, as
    :func:`~latentdrum.patterns.taps.read_taps` reads a MIDI file). Taps on one step: the loudest.

    Raises:
        PatternError: no taps, too many, or one outside the ``bars`` recorded.
    """
    if bars not in PHRASE_BARS:
        raise ConfigError(f"bars must be one of {', '.join(map(str, PHRASE_BARS))}, got {bars}")
    if not taps:
        raise PatternError("no taps were recorded; tap a key (or a pad on MIDI in) in time, then try again")
    if len(taps) > MAX_TAPS:
        raise PatternError(f"{len(taps)} taps is more than {MAX_TAPS}; tap a bar or two")
    p = Pattern.empty(bars, bpm)
    steps = bars * STEPS_PER_BAR
    for pos, vel in taps:
        if not (np.isfinite(pos) and -0.5 <= pos < steps - 0.5):
            raise PatternError(f"a tap at step {pos:.2f} lies outside the {bars} bars recorded (steps 0-{steps - 1})")
        if not 0.0 <= vel <= 1.0:
            raise PatternError(f"a tap's velocity must lie in [0, 1], got {vel}")
        i = int(np.floor(pos + 0.5))
        if p.hits[i, 0] == 0 or vel > p.velocities[i, 0]:
            p.hits[i, 0], p.velocities[i, 0] = 1.0, max(float(vel), 1 / 127)
            p.offsets[i, 0] = float(np.clip(pos - i, -0.5, MAX_OFFSET))
    return Pattern(p.hits, p.velocities, p.offsets, bpm)


def _counts(p: Pattern) -> str:
    return ", ".join(f"{VOICES[v].replace('_', ' ')} {int(n)}" for v, n in enumerate(p.hits.sum(0)) if n)


class Imports:
    """The import paths of one :class:`Session`; the groove and loop models load on first use."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._models: dict[str, Any] = {}
        self._load_lock = threading.Lock()

    def _model(self, task: str) -> Any:
        with self._load_lock:
            if task not in self._models:
                if task == "transcriber":
                    from latentdrum.spaces.listen import LoopTranscriber

                    self._models[task] = LoopTranscriber.load()
                else:
                    from latentdrum.spaces.groove import GrooveSpace

                    self._models[task] = GrooveSpace.load(task)
            return self._models[task]

    def groove(self, task: str) -> GrooveSpace:
        return self._model(task)

    def transcriber(self) -> LoopTranscriber:
        return self._model("transcriber")

    # --- reading (any thread) ---------------------------------------------------------------------
    @staticmethod
    def read_midi(data: bytes, name: str, drum_map: str = "gm") -> ReadPattern:
        """An uploaded MIDI file's pattern (see :func:`~.uploaded.read_midi_upload`)."""
        return read_midi_upload(data, name, drum_map)

    def read_loop(self, data: bytes, name: str, bpm: float | None = None) -> ReadPattern:
        """An uploaded audio loop -> its pattern (``latentdrum rhythm from-audio``'s transcription).

        Raises:
            NeedsTempo: no clear tempo and no ``bpm``; AudioError: unreadable, silent, too few onsets.
        """
        shown = display_name(name, "the dropped loop")
        audio, notes = cut_loop(read_audio_upload(data, shown, "loop"))
        try:
            tr = self.transcriber().transcribe(audio, bpm, shown)
        except AudioError as exc:
            raise for_page(tempo_question(exc)).with_traceback(None) from None
        a = tr.analysis
        tempo = f"{a.bpm:.1f} BPM {'given' if bpm else f'estimated (periodicity {a.clarity:.2f})'}"
        return ReadPattern(tr.pattern, (tempo, f"{len(a.onsets)} onsets", *notes))

    def label_sample(self, data: bytes, name: str, override: str | None = None) -> tuple[np.ndarray, Label]:
        """An uploaded one-shot and its class by the rule of ``sound reconstruct``
        (:func:`~latentdrum.sounds.labelling.label_file`: ``override``, else the file's name, else
        its sound; ``Label.unknown`` below the classifier's confidence threshold).

        Raises:
            AudioError: unreadable, silent or too short; ConfigError: ``override`` is not a class.
        """
        from latentdrum.sounds.audio import prepare_one_shot
        from latentdrum.sounds.labelling import label_file

        shown = display_name(name, "dropped sample")
        audio = read_audio_upload(data, shown, "sample")
        prepare_one_shot(audio, source=shown)  # silent or too short: said with the file's name, before anything
        if override is not None and override not in self.session.sound.classes:
            raise ConfigError(f"this sound model has no {override!r} sounds; choose one of "
                              f"{', '.join(self.session.sound.classes)}")
        label = label_file(shown, audio, override=override, siblings=[shown])
        return audio, label

    # --- changing the scene (the session's thread) -------------------------------------------------
    def apply_pattern(self, read: ReadPattern, op: str, source: str, bpm: float | None = None) -> dict[str, Any]:
        """Make ``read.pattern`` the current groove (see the module docstring); one undo step."""
        s = self.session
        pattern, fitted = fit_phrase(read.pattern)
        if pattern.num_hits == 0:
            raise PatternError(f"{source} has no hits in its first {pattern.bars} bars; nothing to play")
        with s._lock:
            scene = s.scene
            bpm = float(np.clip(scene.bpm if bpm is None else bpm, 20.0, 400.0))
            pattern = pattern.with_bpm(bpm)
            z = s.rhythm.encode([pattern.slice_bars(0, s.rhythm.bars)], scene.style)[0]
            steer = s.rhythm.steer(z[None], scene.rhythm_knobs)[0] - z  # the knobs' offset, kept
            bars = pattern.bars
            fill_every = scene.fill_every if scene.fill_every <= bars else (bars if bars >= 2 else 0)
            new = scene.replace(z=(z - steer).astype(np.float32), pattern=pattern, bars=bars,
                                fill_every=fill_every, bpm=bpm)
            s._apply(new, op, new.pattern)
            summary = f"{source}: {pattern.num_hits} hits ({_counts(pattern)}), {bars} bars at {bpm:.1f} BPM"
            notes = "; ".join((*read.notes, *fitted))
            return {"pattern": s.pattern_json(), "puck": s.puck(), "rhythm": s.rhythm_json(),
                    "transport": s.transport_json(), "message": summary + (f" ({notes})" if notes else "")}

    def humanize(self, amount: float = 1.0) -> dict[str, Any]:
        """The current pattern (edited or not) played like a drummer: the same hits, with the
        humanize model's velocities and micro-timing, ``amount`` of the way (0-1)."""
        s = self.session
        space = self.groove("humanize")
        with s._lock:
            style = s.scene.style if s.scene.style in space.styles else None
            out = space.humanize(s.pattern, style, amount)
            return self.apply_pattern(ReadPattern(out), "humanize", f"humanized ({amount:.2f})")

    def drumify(self, taps: Sequence[tuple[float, float]], bars: int) -> dict[str, Any]:
        """A tapped rhythm (see :func:`taps_pattern`) -> a full-kit groove on the taps, at the session's tempo."""
        s = self.session
        space = self.groove("drumify")
        with s._lock:
            tapped = taps_pattern(taps, bars, s.scene.bpm)
            style = s.scene.style if s.scene.style in space.styles else None
            out = space.drumify(tapped, style)
            return self.apply_pattern(ReadPattern(out, (f"{tapped.num_hits} taps",)), "drumify", "drumified")

    def apply_sample(self, voice: int, audio: np.ndarray, label: Label, name: str) -> dict[str, Any]:
        """Voice ``voice`` plays the uploaded one-shot: its class becomes ``label.cls`` and its
        point the sample's encoding in the sound space, a kick or a tom retuned to the sample's
        pitch (:meth:`~latentdrum.spaces.sound.SoundSpace.encode_tuned`; knobs back to neutral,
        mix kept); one undo step."""
        s = self.session
        check_voice(voice)
        if label.cls is None:
            raise ConfigError(f"cannot tell the class of {name}; choose one")
        if label.cls not in s.sound.classes:
            raise ConfigError(f"this sound model has no {label.cls!r} sounds; "
                              f"choose one of {', '.join(s.sound.classes)}")
        with s._lock:
            z, semitones = s.sound.encode_tuned(audio, label.cls)
            kit = s.scene.kit
            voices = list(kit.voices)
            voices[voice] = dataclasses.replace(voices[voice], sound_class=label.cls,
                                                latent=tuple(float(x) for x in z), knobs={}, transpose=semitones)
            s._apply(s.scene.replace(kit=dataclasses.replace(kit, voices=tuple(voices))), "import-sample", s.pattern)
            said = VOICES[voice].replace("_", " ")
            pitch = f"; kept at its pitch (body retuned {semitones:+.1f} semitones)" if abs(semitones) >= 0.05 else ""
            return s.sounds_json() | {"message": f"{name} plays the {said} voice: {label.describe()}{pitch}"}


__all__ = ["MAX_TAPS", "Imports", "NeedsTempo", "fit_phrase", "taps_pattern"]
