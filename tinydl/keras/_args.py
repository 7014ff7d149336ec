"""Argument checks shared by the Keras front: unknown or unsupported Keras arguments are
refused by name (never silently ignored), and Keras's auto-generated layer names."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from tinydl.errors import TinyDLError

_name_counts: Counter[str] = Counter()


class NotOffered(TinyDLError, AttributeError):
    """A Keras name (layer, loss, optimiser, callback, dataset) that tinydl.keras lacks."""


def not_offered(module: str, name: str, offered: Iterable[str], hint: str = "") -> NotOffered:
    """The error for ``module.name`` (a module's ``__getattr__``), listing what it offers."""
    where = f"tinydl.keras.{module}" if module else "tinydl.keras"
    return NotOffered(
        f"{where} has no {name}: it offers {', '.join(offered)}"
        f" (Keras has more than tinydl.keras{hint})"
    )


def missing_names(module: str, offered: list[str], hint: str = "") -> Callable[[str], Any]:
    """A module ``__getattr__`` that turns a Keras name the module lacks into
    :class:`NotOffered`, listing what it has."""

    def __getattr__(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise not_offered(module, name, offered, hint)

    return __getattr__


def refuse(where: str, unsupported: dict[str, Any], offered: Iterable[str]) -> None:
    """Raise a TypeError naming every argument in ``unsupported`` and what ``where`` takes."""
    if unsupported:
        names = ", ".join(sorted(unsupported))
        raise TypeError(
            f"{where} got {names}: tinydl.keras does not offer this (Keras has more options "
            f"than tinydl); {where} accepts {', '.join(offered)}"
        )


def choose(where: str, what: str, value: Any, offered: Iterable[str]) -> str:
    """``value`` if it is one of ``offered`` names, else a ValueError listing them."""
    offered = list(offered)
    if not isinstance(value, str) or value not in offered:
        raise ValueError(
            f"{where}: {what} {value!r} is not offered by tinydl.keras; choose from "
            f"{', '.join(repr(name) for name in offered)}"
        )
    return value


def positive_int(where: str, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{where}: {name} must be a positive integer, got {value!r}")
    return value


def int_pair(where: str, name: str, value: Any) -> tuple[int, int]:
    """An int or a pair of ints (Keras's ``(3, 3)`` or ``3``), each positive."""
    pair = (value, value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(pair, (tuple, list)) or len(pair) != 2:
        raise ValueError(f"{where}: {name} must be an integer or a pair of integers, got {value!r}")
    return positive_int(where, name, pair[0]), positive_int(where, name, pair[1])


def sample_shape(where: str, name: str, value: Any, allow_none: bool = False
                 ) -> tuple[int | None, ...]:
    """A shape without the batch axis, e.g. ``(28, 28, 1)`` (Keras's ``input_shape``);
    with ``allow_none``, ``None`` stands for a size that varies (``(None, 12)``)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value,)
    if not isinstance(value, (tuple, list)) or not value:
        raise ValueError(
            f"{where}: {name} must be a tuple of sizes without the batch axis, e.g. (28, 28, 1), "
            f"got {value!r}"
        )
    if allow_none:
        return tuple(None if size is None else positive_int(where, name, size) for size in value)
    return tuple(positive_int(where, name, size) for size in value)


def fits(shape: tuple, expected: tuple) -> bool:
    """Whether ``shape`` fits ``expected``, ``None`` in either matching any size."""
    return len(shape) == len(expected) and all(
        a is None or b is None or a == b for a, b in zip(shape, expected, strict=True)
    )


def snake_case(name: str) -> str:
    """Keras's layer-name rule: ``MaxPooling2D`` -> ``max_pooling2d``."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(kind: str) -> str:
    """``dense``, then ``dense_1``, ``dense_2``, ... per process, as Keras names layers."""
    base = snake_case(kind)
    count = _name_counts[base]
    _name_counts[base] += 1
    return base if count == 0 else f"{base}_{count}"


def clear_names() -> None:
    _name_counts.clear()
