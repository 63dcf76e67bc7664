"""What goes over the wire besides protocol messages: binary one-shot frames out, uploaded JSON in."""

from __future__ import annotations

import json
import math
import struct
from collections.abc import AsyncIterator
from typing import Any

import numpy as np

from latentdrum.errors import LatentDrumError
from latentdrum.sounds.audio import SAMPLE_RATE

MAX_DEPTH = 32  # a scene document nests 5 deep
MAX_ABS = 2.0**53  # beyond exact integers (seeds go to 2**31): refused before any arithmetic


class BodyError(LatentDrumError):
    """An uploaded body that is too large, not JSON, or holds unusable numbers; ``status`` is the HTTP code."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def encode_sounds(sounds: dict[int, tuple[str, np.ndarray]]) -> bytes:
    """Binary one-shots: ``uint32 LE header length | JSON header (space-padded to 4 bytes) | float32 LE``.

    The header is ``{"sample_rate": SAMPLE_RATE (44100), "voices": [{"voice", "key", "layers", "variations",
    "samples", "offset"}]}``; voice ``v``'s ``(L, R, N)`` float32 samples start ``offset`` bytes
    into the data part, layer-major.
    """
    entries, chunks, offset = [], [], 0
    for v, (key, audio) in sorted(sounds.items()):
        data = np.ascontiguousarray(audio, dtype="<f4").tobytes()
        layers, variations, samples = audio.shape
        entries.append({"voice": v, "key": key, "layers": layers, "variations": variations, "samples": samples,
                        "offset": offset})
        chunks.append(data)
        offset += len(data)
    header = json.dumps({"sample_rate": SAMPLE_RATE, "voices": entries}).encode()
    header += b" " * (-len(header) % 4)
    return struct.pack("<I", len(header)) + header + b"".join(chunks)


async def read_limited(stream: AsyncIterator[bytes], limit: int) -> bytes:
    """The whole body of ``stream``, refused (413) as soon as it passes ``limit`` bytes:
    an oversized upload is never held in memory."""
    chunks, size = [], 0
    async for chunk in stream:
        size += len(chunk)
        if size > limit:
            raise BodyError(f"the file is too large (the limit is {limit} bytes)", 413)
        chunks.append(chunk)
    return b"".join(chunks)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _check_numbers(v: Any, depth: int, source: str) -> None:
    if depth > MAX_DEPTH:
        raise BodyError(f"{source} nests deeper than {MAX_DEPTH} levels; it is not a latentdrum file")
    if isinstance(v, dict):
        for x in v.values():
            _check_numbers(x, depth + 1, source)
    elif isinstance(v, list):
        for x in v:
            _check_numbers(x, depth + 1, source)
    elif isinstance(v, int | float) and not isinstance(v, bool) and not (
        abs(v) <= MAX_ABS if isinstance(v, int) else math.isfinite(v) and abs(v) <= MAX_ABS
    ):
        text = repr(v)
        raise BodyError(f"{source} holds a number out of any usable range ({text[:20]}"
                        f"{'...' if len(text) > 20 else ''}); it is not a latentdrum file")


def parse_json(body: bytes, source: str = "the scene file") -> Any:
    """Parse an uploaded JSON document whose every number is finite and bounded (|x| <= 2**53)
    and which nests at most :data:`MAX_DEPTH` deep; :class:`BodyError` otherwise."""
    try:
        data = json.loads(body, parse_constant=_reject_constant)
    except RecursionError:
        raise BodyError(f"{source} nests too deep; it is not a latentdrum file") from None
    except ValueError:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise BodyError(f"{source} is not valid JSON") from None
    _check_numbers(data, 0, source)
    return data
