"""What the Keras front adds to :mod:`tinydl.check`: Keras names and arguments tinydl.keras
lacks, refused by name (never silently ignored); the shapes of Keras inputs (no batch axis,
``None`` for a size that varies); and Keras's auto-generated layer names. Plain arguments
(a number of units, a kernel size, a rate) are checked by :mod:`tinydl.check` itself."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from tinydl import check
from tinydl.autograd.tensor_checks import layout_fits
from tinydl.errors import ArgumentTypeError, TinyDLError

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
    """``value`` if it is one of ``offered`` names, else a ValueError listing them, in the
    words of a setting where Keras offers more than tinydl.keras (an activation, an
    initialiser): the value may be right for Keras, so it is "not offered", not wrong. A
    setting Keras itself limits (``padding``: "valid" or "same") is checked by
    :func:`tinydl.check.one_of`."""
    offered = list(offered)
    if not isinstance(value, str) or value not in offered:
        raise ValueError(
            f"{where}: {what} {value!r} is not offered by tinydl.keras; choose from "
            f"{', '.join(repr(name) for name in offered)}"
        )
    return value


def sample_shape(where: str, name: str, value: Any) -> tuple[int | None, ...]:
    """A shape without the batch axis, e.g. ``(28, 28, 1)`` (Keras's ``input_shape``), each
    size a positive int or ``None`` for a size that varies (``(None, 12)``)."""
    sizes = (value,) if check.is_int(value) else value
    if not isinstance(sizes, (tuple, list)) or not sizes:
        raise ArgumentTypeError(
            f"{where}: {name} must be a tuple of sizes without the batch axis, e.g. (28, 28, 1), "
            f"got {value!r}"
        )
    return tuple(None if size is None else check.positive_int(where, f"{name}[{i}]", size)
                 for i, size in enumerate(sizes))


def channels_last_only(where: str, data_format: Any) -> None:
    """Refuse Keras's ``data_format="channels_first"``: the layers here take Keras's default."""
    if data_format not in (None, "channels_last"):
        raise ValueError(f"{where}: data_format={data_format!r} is not offered: tinydl.keras "
                         f"layers are channels-last, Keras's default (tinydl.nn's layers are "
                         f"the channels-first ones)")


def last_axis_only(where: str, axis: Any, meaning: str) -> None:
    """Refuse an ``axis`` other than Keras's default -1 (the last axis, ``meaning``)."""
    if axis not in (-1, [-1], (-1,)):
        raise ValueError(f"{where}: only axis=-1 ({meaning}) is offered, got {axis!r}")


def input_layout(where: str, shape: Any, layout: str) -> None:
    """Refuse an input of Keras shape ``shape`` whose number of axes ``layout`` does not
    name, e.g. ``"(batch, time steps, features)"`` (layouts as
    :func:`tinydl.autograd.tensor_checks.tensor` reads them: ``...`` is any number of axes)."""
    if not layout_fits(layout, len(shape)):
        raise ValueError(f"{where} needs inputs of shape {layout}, got {tuple(shape)}")


def known_sizes(where: str, shape: Any) -> None:
    """Refuse an input whose sizes are not all known (``None``) where the layer needs them."""
    if None in shape:
        raise ValueError(
            f"{where} needs every size of its input known, got input shape {tuple(shape)} (None: "
            f"any size); give keras.Input the sizes, e.g. shape=(28, 28, 1)"
        )


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
