"""Argument types that check at parse time: bounded counts and numbers, writable output paths.

Used as ``type=`` of argparse arguments, so a bad value stops the command before any model
loads, with argparse's usual one-line ``error: argument --n: ...`` and exit status 2::

    p.add_argument("--n", type=count(1, 256), default=8, help="how many (1-256)")
    p.add_argument("--amount", type=number(0.0, 1.0), default=1.0)
    p.add_argument("-o", "--out", type=out_file, required=True)
    p.add_argument("-o", "--out", type=out_dir, required=True)
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T", int, float)


def _bounded(kind: type[T], what: str, lo: T, hi: T, unit: str) -> Callable[[str], T]:
    span = f"{lo:g}-{hi:g}{' ' + unit if unit else ''}"

    def parse(text: str) -> T:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {what} {span}, got {text!r}") from None
        if not lo <= value <= hi:  # NaN is not in any range
            raise argparse.ArgumentTypeError(f"must be {span}, got {value}")
        return value

    parse.__name__ = f"{what} {span}"
    return parse


def count(lo: int, hi: int) -> Callable[[str], int]:
    """A whole number in ``[lo, hi]`` (the documented maximum keeps memory and time bounded)."""
    return _bounded(int, "a whole number", lo, hi, "")


def number(lo: float, hi: float, unit: str = "") -> Callable[[str], float]:
    """A number in ``[lo, hi]``, e.g. ``number(20, 400, "BPM")``: "must be 20-400 BPM, got 1000.0"."""
    return _bounded(float, "a number", lo, hi, unit)


def _nearest_existing(path: Path) -> Path:
    p = path.absolute()
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def _creatable(path: Path, what: str) -> None:
    """``path`` itself may not exist yet: its nearest existing ancestor must be a writable folder."""
    base = _nearest_existing(path.parent)
    if not base.is_dir():
        raise argparse.ArgumentTypeError(f"cannot write {what} {path}: {base} is a file, not a folder")
    if not os.access(base, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"cannot write {what} {path}: the folder {base} is not writable")


def out_file(text: str) -> Path:
    """An output file: not a folder, in a folder that exists or can be made, writable."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{path} is a folder; give a file name (e.g. {path / 'out'}.ext)")
    if path.exists() and not os.access(path, os.W_OK):
        raise argparse.ArgumentTypeError(f"cannot overwrite {path}: it is not writable")
    _creatable(path, "the file")
    return path


def out_dir(text: str) -> Path:
    """An output folder: an existing writable folder, or one that can be made."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{path} is a file; give a folder to write into")
    if path.is_dir():
        if not os.access(path, os.W_OK | os.X_OK):
            raise argparse.ArgumentTypeError(f"cannot write into {path}: the folder is not writable")
        return path
    _creatable(path, "the folder")
    return path
