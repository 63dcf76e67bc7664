"""The package's exceptions.

Every error a user can cause (bad file, bad path, bad option, wrong checkpoint) is raised as a
:class:`LatentDrumError` subclass whose message says what was wrong and what to do about it.
The CLI prints these as one line and exits with status 2; anything else is a bug.
"""

from __future__ import annotations


class LatentDrumError(Exception):
    """Root of every error latentdrum raises on purpose."""


class PatternError(LatentDrumError, ValueError):
    """A drum pattern has the wrong shape or values out of range."""


class MidiError(LatentDrumError):
    """A MIDI file cannot be read or does not hold a usable drum part."""


class MidiPortError(LatentDrumError):
    """No MIDI output port can be opened (no MIDI on this system, no such port, no python-rtmidi)."""


class AudioError(LatentDrumError):
    """An audio file cannot be read, or holds no usable drum sound."""


class DatasetError(LatentDrumError):
    """A data folder cannot be turned into a dataset."""


class CheckpointError(LatentDrumError):
    """A checkpoint is missing, corrupt, from another format version or of the wrong model type."""


class ConfigError(LatentDrumError, ValueError):
    """An option or configuration value is out of range or unknown."""


class KitError(LatentDrumError, ValueError):
    """A kit file is missing, malformed, of another format version, or holds values out of range."""


class KitModelMismatchError(KitError):
    """A kit was made by another sound model than the one loaded; its latent points do not apply."""
