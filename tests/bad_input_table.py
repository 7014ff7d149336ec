"""The bad-input table's format and its one check, shared by every ``test_bad_inputs*.py``.

Each public entry point of tinydl (tensor creation, every op, layer, loss, optimiser,
loader, checkpoint function, ``fit``/``evaluate``/``predict``, ``gradcheck``, each CLI
command, and every front such as ``tinydl.keras`` or ``tinydl.vision``) has rows here:
a call with one bad argument, the error class it must raise, and words the message must
contain. **New public entry points join the table**: add rows to the test module of
their area (``tests/test_bad_inputs*.py``) using :class:`Case`.

The check also asserts that the error was raised by tinydl itself: the frame that
raised it is not inside NumPy (a raw NumPy traceback is what the table exists to
prevent), and the class is a :class:`tinydl.TinyDLError` or a ``ValueError`` /
``TypeError`` / ``IndexError`` / ``KeyError`` / ``FileNotFoundError`` raised from
tinydl's own code.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

import tinydl

TINYDL_ROOT = Path(tinydl.__file__).resolve().parent
ALLOWED = (
    tinydl.TinyDLError, ValueError, TypeError, IndexError, KeyError, FileNotFoundError,
    RuntimeError,
)


@dataclass(frozen=True)
class Case:
    """One bad input: ``call()`` must raise ``error`` with every string of ``says`` in its
    message (case-insensitive)."""

    id: str
    call: Callable[[], object]
    error: type[BaseException]
    says: tuple[str, ...]


def origin_frame(error: BaseException) -> traceback.FrameSummary:
    """The frame in which ``error`` was raised (the innermost of its traceback)."""
    return traceback.extract_tb(error.__traceback__)[-1]


def check(case: Case) -> None:
    """Run ``case`` and assert everything the table promises about its error."""
    with pytest.raises(case.error) as info:
        case.call()
    error = info.value
    assert isinstance(error, ALLOWED), f"{type(error).__name__} is not a tinydl-raised kind"
    message = str(error).lower()
    for words in case.says:
        assert words.lower() in message, f"{words!r} not in the message {str(error)!r}"
    origin = Path(origin_frame(error).filename).resolve()
    assert TINYDL_ROOT in origin.parents, (
        f"raised in {origin}, not by tinydl's own code: catch it at the public entry point"
    )


def params(cases: list[Case]) -> list[object]:
    """``cases`` as pytest parameters named by their ids (each id once in a table)."""
    repeated = sorted({case.id for case in cases if [c.id for c in cases].count(case.id) > 1})
    assert not repeated, f"ids used twice in one table: {repeated}"
    return [pytest.param(case, id=case.id) for case in cases]
