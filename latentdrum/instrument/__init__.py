"""The instrument: kits, and the renderer that plays a pattern with a kit's one-shots."""

from latentdrum.instrument.kit import KNOB_NAMES, Kit, KitVoice, export_one_shots
from latentdrum.instrument.limiter import limit
from latentdrum.instrument.render import RenderSettings, render
from latentdrum.instrument.voice import VoiceSounds
from latentdrum.sounds.audio import SAMPLE_RATE

__all__ = [
    "KNOB_NAMES",
    "SAMPLE_RATE",
    "Kit",
    "KitVoice",
    "RenderSettings",
    "VoiceSounds",
    "export_one_shots",
    "limit",
    "render",
]
