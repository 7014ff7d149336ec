"""PyTorch's ``torch.serialization`` allow-lists, accepted so that programs written for
``torch.load(f, weights_only=True)`` run unchanged.

PyTorch's safe loading unpickles only the classes a program allows
(``with torch.serialization.safe_globals([MyModel]): torch.load(f)``). tinydl never
unpickles code at all: :func:`tinydl.load` reads arrays and plain values (and the tensors of
``torch.save`` files), whatever is allowed here, so these calls check their argument and
change nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from tinydl import check


def _checked(safe_globals: Any, where: str) -> list[Any]:
    check.instance(where, "safe_globals", safe_globals, Iterable,
                   "a list of classes or functions (or (object, name) pairs)")
    return list(safe_globals)


@contextmanager
def safe_globals(safe_globals: Iterable[Any]) -> Iterator[None]:
    """A block in which PyTorch would unpickle ``safe_globals`` too; in tinydl, nothing
    changes (tinydl.load never unpickles classes or functions)."""
    _checked(safe_globals, "safe_globals()")
    yield


def add_safe_globals(safe_globals: Iterable[Any]) -> None:
    """Accepted, and changes nothing (see :func:`safe_globals`)."""
    _checked(safe_globals, "add_safe_globals()")


def get_safe_globals() -> list[Any]:
    """Empty: tinydl allows no class or function to be unpickled."""
    return []


def clear_safe_globals() -> None:
    """Nothing to clear (see :func:`get_safe_globals`)."""


__all__ = ["add_safe_globals", "clear_safe_globals", "get_safe_globals", "safe_globals"]
