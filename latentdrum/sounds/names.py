"""Reading a drum class from a sample's file and folder names, as drummers and sample packs write them.

A name is cut into words at separators, camelCase and digit boundaries (``HatOpen-Soft`` ->
``hat open soft``, ``Tom1`` -> ``tom 1``, ``HHClosed`` -> ``hh closed``); a lower-case run no
word matches is split into known words when it can be (``hhclosed`` -> ``hh closed``,
``floortom`` -> ``floor tom``). Case never matters. The words are then read as a drummer would:

- *instruments*: kick (``kick kik kck bd kd kdrum bass``, ``bass drum``), snare (``snare snr sd sn``),
  rim (``rim rimshot rs stick sidestick``, ``side stick``, ``cross stick``), clap (``clap cp
  handclap``), hi-hat (``hat hihat hh``, ``hi hat``), tom (``tom rototom``), crash (``crash cymbal cym
  china splash``), ride (``ride rd``), perc (``perc cowbell cowb cb conga bongo tamb shaker clave
  cabasa guiro block agogo timbale triangle maraca ...``);
- *abbreviations* that carry their qualifier: ``ch chh hhc`` closed hat, ``oh ohh hho ohat`` open
  hat, ``ph phh hhp`` pedal hat, ``ht`` ``mt`` ``lt``/``ft`` high, mid and low (floor) tom;
- *qualifiers* that refine the instrument next to them: ``open semi half swish`` / ``closed``
  / ``pedal foot`` (and single ``o c p`` glued to ``hat``) for hi-hats; ``hi high h hh top`` /
  ``mid m med`` / ``lo low l ll floor`` for toms (``tom-hh``, ``TomFloor``, ``HiTom``); ``rack``
  toms are high; a ``cymbal`` with a hi-hat qualifier is that hi-hat (``drum_cymbal_open``);
  ``bell`` with ``ride`` is the ride (``RideBell``), else perc (``cowbell``, ``perc_bell``);
- *compounds* of two instruments that name one sound: ``snare rim`` is a rim shot.

A plain hi-hat is a closed hat and a plain tom a mid tom (the convention of ``labels.csv``), but a
tom's number (``Tom1``, ``Tom 2``) is its place in the kit: :func:`rank_toms` turns the numbers
of one folder into high/mid/low. Two instruments that name different classes (``kick_snare``,
``crash-ride``) are a *disagreement*: :class:`NameReading` keeps every candidate so the sound can
decide among them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

# Word -> the instrument or class it names on its own.
_INSTRUMENTS: dict[str, str] = {
    **dict.fromkeys(("kick", "kicks", "kik", "kck", "bd", "kd", "kdrum", "kickdrum", "bassdrum", "bass"), "kick"),
    **dict.fromkeys(("snare", "snares", "snr", "sd", "sn", "sna"), "snare"),
    **dict.fromkeys(("rim", "rims", "rimshot", "rs", "stick", "sidestick", "xstick", "crossstick"), "rim"),
    **dict.fromkeys(("clap", "claps", "cp", "handclap", "handclaps"), "clap"),
    **dict.fromkeys(("hat", "hats", "hihat", "hihats", "hh", "hhat"), "hat"),
    **dict.fromkeys(("ch", "chh", "hhc", "chat", "closedhat"), "closed_hat"),
    **dict.fromkeys(("oh", "ohh", "hho", "ohat", "openhat"), "open_hat"),
    **dict.fromkeys(("ph", "phh", "hhp", "phat", "pedalhat"), "pedal_hat"),
    **dict.fromkeys(("tom", "toms", "rototom", "rototoms"), "tom"),
    **dict.fromkeys(("ht", "htom", "hitom", "hightom"), "high_tom"),
    **dict.fromkeys(("mt", "mtom", "midtom"), "mid_tom"),
    **dict.fromkeys(("lt", "ltom", "lotom", "lowtom", "ft", "ftom", "floortom"), "low_tom"),
    **dict.fromkeys(("cymbal", "cymbals", "cymball", "cym", "cy"), "cymbal"),
    **dict.fromkeys(("crash", "crashes", "crsh", "china", "splash"), "crash"),
    **dict.fromkeys(("ride", "rides", "rd", "ridebell"), "ride"),
    "bell": "bell",
    **dict.fromkeys((
        "perc", "percussion", "cowbell", "cowb", "cb", "conga", "congas", "bongo", "bongos", "tamb", "tambo",
        "tambourine", "tamborine", "shaker", "shk", "clave", "claves", "cabasa", "guiro", "block", "woodblock",
        "wood", "agogo", "timbale", "timbales", "timbal", "triangle", "maraca", "maracas", "cuica", "whistle",
        "vibraslap", "chimes", "tick", "cowbel",
    ), "perc"),
}
# Words that make a neighbouring instrument one sound: ("bass", "drum") is a kick, ("hi", "hat") a hat.
_COMPOUNDS: dict[tuple[str, str], str] = {
    ("bass", "drum"): "kick", ("kick", "drum"): "kick", ("side", "stick"): "rim", ("cross", "stick"): "rim",
    ("rim", "shot"): "rim", ("hand", "clap"): "clap", ("hi", "hat"): "hat", ("high", "hat"): "hat",
    ("cow", "bell"): "perc", ("wood", "block"): "perc", ("snare", "rim"): "rim", ("rim", "snare"): "rim",
    ("ride", "bell"): "ride", ("bell", "ride"): "ride", ("floor", "tom"): "low_tom", ("tom", "floor"): "low_tom",
}
_HAT_QUALIFIERS: dict[str, str] = {
    **dict.fromkeys(("open", "opn", "semi", "semiopen", "half", "halfopen", "swish", "loose"), "open_hat"),
    **dict.fromkeys(("closed", "close", "cl", "clsd", "tight", "shut"), "closed_hat"),
    **dict.fromkeys(("pedal", "ped", "foot", "chick"), "pedal_hat"),
}
_HAT_LETTERS: dict[str, str] = {"o": "open_hat", "c": "closed_hat", "p": "pedal_hat"}
_TOM_QUALIFIERS: dict[str, str] = {
    **dict.fromkeys(("hi", "high", "h", "hh", "top", "rack"), "high_tom"),
    **dict.fromkeys(("mid", "m", "med", "middle", "mm"), "mid_tom"),
    **dict.fromkeys(("lo", "low", "l", "ll", "lll", "floor", "fl", "flr", "bottom"), "low_tom"),
}
_GLUE_WORDS = frozenset({"drum", "side", "cross", "shot", "hand", "hi", "high", "cow", "floor", "rack"})
_SPLIT_WORDS = frozenset(
    w for w in (*_INSTRUMENTS, *_HAT_QUALIFIERS, *_TOM_QUALIFIERS, *_GLUE_WORDS) if len(w) >= 3
) | {"hh", "bd", "sd", "kd", "hi", "lo"}
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


@dataclass(frozen=True)
class Word:
    """One word of a name: lower case; ``glued`` when no separator stood before it (``Tom1``)."""

    text: str
    glued: bool = False


@dataclass(frozen=True)
class NameReading:
    """What a name says about the class.

    ``classes`` is empty when no keyword was found, one class when the name is clear, several
    when keywords disagree. ``words`` are the keywords read. ``tom_position`` is N of ``Tom N``
    for a tom whose name gives no height (``tom_glued``: written ``Tom1``, not ``Tom 1``).
    ``numbered`` says the name ends in a separate number (``snare-01``: a take or layer index).
    """

    classes: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    tom_position: int | None = None
    tom_glued: bool = False
    numbered: bool = False

    @property
    def plain_tom(self) -> bool:
        """A tom whose name gives no height (read as a mid tom unless the kit's order says more)."""
        return self.classes == ("mid_tom",) and "tom" in self.words


def words(name: str) -> list[Word]:
    """Cut a name into lower-case words (see the module docstring): ``"HatOpen-Soft"`` -> hat, open, soft."""
    out: list[Word] = []
    for chunk in re.split(r"[^A-Za-z0-9]+", name):
        for k, m in enumerate(_CAMEL.finditer(chunk)):
            text = m.group().lower()
            pieces = _split_glued(text) if text.isalpha() and text not in _INSTRUMENTS else None
            for j, piece in enumerate(pieces or [text]):
                out.append(Word(piece, glued=k > 0 or j > 0))
    return out


@cache
def _split_glued(text: str) -> list[str] | None:
    """Split a lower-case run into known words, fewest pieces first (``hhclosed`` -> hh, closed)."""
    if text in _SPLIT_WORDS or len(text) < 4:
        return None
    best: list[str] | None = None
    for i in range(2, len(text) - 1):
        head, tail = text[:i], text[i:]
        if head not in _SPLIT_WORDS:
            continue
        rest = [tail] if tail in _SPLIT_WORDS else _split_glued(tail)
        if rest and (best is None or 1 + len(rest) < len(best)):
            best = [head, *rest]
    if best is None and text[0] in _HAT_LETTERS and text[1:] in ("hat", "hh"):
        best = [text[0], text[1:]]
    return best


def read_name(name: str) -> NameReading:
    """Read one file or folder name (without its suffix) into a :class:`NameReading`."""
    ws = words(name)
    texts = [w.text for w in ws]
    used = [False] * len(ws)
    found: list[tuple[int, str]] = []  # (index of the word, instrument or class)
    for i in range(len(ws) - 1):  # compounds first: "bass drum", "side stick", "ride bell"
        pair = (texts[i], texts[i + 1])
        if pair in _COMPOUNDS and not used[i]:
            found.append((i, _COMPOUNDS[pair]))
            used[i] = used[i + 1] = True
    for i, t in enumerate(texts):
        if not used[i] and t in _INSTRUMENTS:
            found.append((i, _INSTRUMENTS[t]))
            used[i] = True
    found.sort()
    tom_named = any(n == "tom" or n.endswith("_tom") for _, n in found)
    pitched = {i for i, n in found if n == "perc"}
    for i, noun in list(found):  # "tom-hh", "conga-hh": after a tom or a conga, "hh" means high, not a hat
        if noun == "hat" and texts[i] in _TOM_QUALIFIERS and (tom_named or i - 1 in pitched):
            found.remove((i, noun))
            used[i] = False
    free = [t for t, u in zip(texts, used, strict=True) if not u]
    classes: list[str] = []
    position: int | None = None
    glued = False
    for i, noun in found:
        if noun in ("hat", "cymbal"):
            near = [texts[j] for j in (i - 1, i + 1) if 0 <= j < len(ws) and not used[j]]
            quals = [_HAT_QUALIFIERS[t] for t in free if t in _HAT_QUALIFIERS]
            quals += [_HAT_LETTERS[t] for t in near if t in _HAT_LETTERS]
            noun = quals[0] if quals else ("closed_hat" if noun == "hat" else "crash")
        elif noun == "tom":
            heights = [_TOM_QUALIFIERS[t] for t in free if t in _TOM_QUALIFIERS]
            noun = heights[0] if heights else "mid_tom"
            if not heights and i + 1 < len(ws) and texts[i + 1].isdigit() and 0 < int(texts[i + 1]) < 10:
                position, glued = int(texts[i + 1]), ws[i + 1].glued
        elif noun == "bell":
            noun = "perc"
        if noun not in classes:
            classes.append(noun)
    if "perc" in classes and len(classes) > 1 and any(texts[i] == "bell" for i, _ in found):
        classes.remove("perc")  # "hihat bell", "crash bell": the bell is a part of the named cymbal
    numbered = bool(ws) and texts[-1].isdigit() and not ws[-1].glued and len(ws) > 1
    return NameReading(tuple(classes), tuple(texts[i] for i, _ in found), position, glued, numbered)


def read_path(rel: str) -> NameReading:
    """Read a file's path: its own name first; when that names no instrument, the nearest folder
    that does, read together with the file name (``Toms/Floor 1.wav`` is a low tom)."""
    parts = rel.replace("\\", "/").split("/")
    stem = parts[-1].rsplit(".", 1)[0] if "." in parts[-1] else parts[-1]
    own = read_name(stem)
    if own.classes:
        return own
    for folder in reversed(parts[:-1]):
        if read_name(folder).classes:
            joint = read_name(f"{folder} {stem}")
            return NameReading(joint.classes, joint.words, None, False, own.numbered)
    return own


def rank_toms(positions: list[int], floor_tom_named: bool = False) -> dict[int, str]:
    """The class of each tom number in one kit: Tom 1 is the highest (the first rack tom), as
    drummers and kit makers number them; the rest fall into high/mid/low by rank.

    ``positions``: the distinct numbers present (``[1, 2, 3, 4]``); ``floor_tom_named``: the kit
    also has a tom named as a floor tom, so the numbered ones are rack toms (high and mid only).
    Four toms are high, mid, low, low (DrumGizmo's MuldjordKit); two are high and low.
    """
    ordered = sorted(set(positions))
    n = len(ordered)
    names = ("high_tom", "mid_tom") if floor_tom_named else ("high_tom", "mid_tom", "low_tom")
    k = len(names)
    return {p: names[min(k - 1, int(r * k / n + 0.5))] for r, p in enumerate(ordered)}
