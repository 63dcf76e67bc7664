"""latentdrum: a neural drum machine you can play."""

from latentdrum.errors import LatentDrumError
from latentdrum.patterns.drummaps import VOICES
from latentdrum.patterns.midi import read_midi, write_midi
from latentdrum.patterns.pattern import Pattern

__version__ = "0.1.0"

__all__ = ["VOICES", "LatentDrumError", "Pattern", "__version__", "read_midi", "write_midi"]
