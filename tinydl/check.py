"""The argument checks every public entry point shares, each with one message for one mistake.

An entry point checks its arguments in a line each, naming itself and the argument::

    self.step_size = check.positive_int("StepLR", "step_size", step_size)
    check.number("OneCycleLR", "pct_start", pct_start, "[0, 1]")
    check.flag("ImageFolder", "allow_empty", allow_empty)

and a bad value gets the same words wherever it is made: what was called, which argument,
what it must be, and what came (``StepLR: step_size must be a positive integer, got 0``).
Each check returns the value in its plain Python form (``int``, ``float``, ``bool``,
``tuple``), so NumPy scalars never reach the arithmetic (NumPy 2 would let an
``np.float64`` learning rate turn float32 weights into float64).

A value of the wrong kind (a string for a size, a float for a count) raises
:class:`~tinydl.errors.ArgumentTypeError`; a value of the right kind out of its range
raises ``ValueError`` (an axis out of range, :class:`~tinydl.errors.AxisError`).
``error=`` replaces both where a layer has its own class (the data layer raises
:class:`~tinydl.data.DataError`).

Dtypes have their home here too: a ``dtype=`` argument (:func:`dtype`,
:func:`float_dtype`) and data that must hold numbers (:func:`numeric_dtype`). Devices have
theirs in :func:`tinydl.backend.device`. What needs a Tensor (is it one, of which rank,
floating-point, on the same device as another) is in :mod:`tinydl.autograd.tensor_checks`,
one floor up, because this module sits with the backend, at the bottom of the layers, so
that every layer above can use it.
"""

from __future__ import annotations

import math
import numbers
import operator
import re
from collections.abc import Iterable
from typing import Any, NoReturn

import numpy as np

from tinydl.dtypes import UnsupportedDtype
from tinydl.errors import ArgumentTypeError, AxisError

# An interval as mathematicians write it: "[0, 1)" holds 0 but not 1.
_INTERVAL = re.compile(r"^([\[(])\s*(\S+)\s*,\s*(\S+)\s*([\])])$")
# A bound on one side: "> 0", ">= 1".
_BOUND = re.compile(r"^(>=|>|<=|<)\s*(\S+)$")
_COMPARE = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
Error = type[Exception] | None
# NumPy dtype kinds that may become a Tensor: bool, signed/unsigned int, float, complex.
NUMERIC_KINDS = frozenset("biufc")
FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
_DTYPE_HINT = "e.g. 'float32' (the default for floats), 'float64', 'int64', 'uint8' or 'bool'"


def positive_int(where: str, name: str, value: Any, *, error: Error = None) -> int:
    """``value`` as an ``int`` ≥ 1 (a size, a count, a number of epochs)."""
    return _integer(where, name, value, 1, "must be a positive integer", error)


def integer(where: str, name: str, value: Any, *, error: Error = None) -> int:
    """``value`` as an ``int`` of any sign (a bound of random integers, a diagonal)."""
    return _integer(where, name, value, -math.inf, "must be an integer", error)


def int_between(where: str, name: str, value: Any, low: int, high: int) -> int:
    """``value`` as an ``int`` from ``low`` to ``high``, both included (a count of items to
    take from ``high``)."""
    return _integer(where, name, value, low, f"must be an integer from {low} to {high}", None,
                    high)


def non_negative_int(where: str, name: str, value: Any, *, error: Error = None) -> int:
    """``value`` as an ``int`` ≥ 0 (a padding, a patience, a seed)."""
    return _integer(where, name, value, 0, "must be an integer >= 0", error)


def int_pair(where: str, name: str, value: Any, least: int = 1) -> tuple[int, int]:
    """``value`` (an int, or a pair of ints, each ≥ ``least``) as a pair: a kernel size of
    ``3`` is ``(3, 3)``, a stride of ``(2, 1)`` stays ``(2, 1)``."""
    pair = (value, value) if is_int(value) else value
    rule = f"must be an integer >= {least} or a pair of them"
    if not isinstance(pair, (tuple, list)) or len(pair) != 2 or not all(map(is_int, pair)):
        _fail(where, name, rule, value, ArgumentTypeError)
    if min(pair) < least:
        _fail(where, name, rule, value, ValueError)
    return int(pair[0]), int(pair[1])


def shape(where: str, name: str, value: Any) -> tuple[int, ...]:
    """``value`` (a positive int ``n``, meaning ``(n,)``, or a tuple or list of them) as a
    tuple of ints."""
    sizes = (value,) if is_int(value) else value
    rule = "must be a positive integer or a tuple of them"
    if not isinstance(sizes, (tuple, list)) or not sizes or not all(map(is_int, sizes)):
        _fail(where, name, rule, value, ArgumentTypeError)
    if min(sizes) < 1:
        _fail(where, name, rule, value, ValueError)
    return tuple(int(size) for size in sizes)


def number(where: str, name: str, value: Any, within: str = "", *, error: Error = None) -> float:
    """``value`` as a finite Python ``float``, inside ``within`` if given: an interval such
    as ``"[0, 1]"`` or ``"[0, 1)"``, or a bound such as ``"> 0"`` or ``">= 0"``.

    The rule reads ``momentum must lie in [0, 1)`` for an interval and ``lr must be a finite
    number >= 0`` otherwise.
    """
    interval = _INTERVAL.match(within)
    rule = f"must lie in {within}" if interval else f"must be a finite number {within}".strip()
    return _real(where, name, value, within, rule, error)


def probability(
    where: str, name: str, value: Any, within: str = "[0, 1]", *, error: Error = None
) -> float:
    """``value`` as a probability, a Python ``float`` in ``within``: ``"[0, 1)"`` where 1
    cannot be allowed (a dropout rate before a division by 1 - p)."""
    return _real(where, name, value, within, f"must be a probability in {within}", error)


def flag(where: str, name: str, value: Any, *, error: Error = None) -> bool:
    """``value`` as a ``bool``: a switch takes ``True`` or ``False``, never ``1`` or ``"yes"``."""
    if not isinstance(value, (bool, np.bool_)):
        _fail(where, name, "must be True or False", value, error or ArgumentTypeError)
    return bool(value)


def one_of(
    where: str, name: str, value: Any, choices: Iterable[Any], *, error: Error = None
) -> Any:
    """``value`` if it is one of ``choices``: ``mode must be 'min' or 'max', got 'lowest'``."""
    choices = list(choices)
    if not any(_same(value, choice) for choice in choices):
        listed = [repr(choice) for choice in choices]
        either = listed[0] if len(listed) == 1 else f"{', '.join(listed[:-1])} or {listed[-1]}"
        _fail(where, name, f"must be {either}", value, error or ValueError)
    return value


def function(where: str, name: str, value: Any, called_as: str = "", *, error: Error = None) -> Any:
    """``value`` if it can be called (a transform, a loader, a schedule's lambda);
    ``called_as`` shows how it will be called, e.g. ``"transform(images, rng)"``."""
    if not callable(value):
        how = f" as {called_as}" if called_as else ""
        raise (error or ArgumentTypeError)(
            f"{where}: {name} must be callable{how}, got {type(value).__name__}"
        )
    return value


def instance(
    where: str, name: str, value: Any, kinds: type | tuple[type, ...], described: str, *,
    error: Error = None,
) -> Any:
    """``value`` if it is one of ``kinds`` (a class or a tuple of classes); ``described``
    says what that is in words: ``root must be a folder path, got int``."""
    if not isinstance(value, kinds):
        raise (error or ArgumentTypeError)(
            f"{where}: {name} must be {described}, got {type(value).__name__}"
        )
    return value


def state_dict(where: str, state: Any, keys: Iterable[str], made_by: str) -> dict[str, Any]:
    """``state`` if it is a dict holding every one of ``keys``, as ``made_by`` (the
    ``state_dict()`` that writes them) returns it: ``ReduceLROnPlateau.load_state_dict():
    state_dict must be what ReduceLROnPlateau.state_dict() returns, a dict with best, ...;
    it lacks best``."""
    keys = list(keys)
    rule = f"must be what {made_by} returns, a dict with {', '.join(keys)}"
    if not isinstance(state, dict):
        _fail(where, "state_dict", rule, state, ArgumentTypeError)
    missing = [key for key in keys if key not in state]
    if missing:
        raise ValueError(f"{where}: state_dict {rule}; it lacks {', '.join(missing)}")
    return state


def axis(where: str, name: str, value: Any, ndim: int) -> int:
    """``value`` as one of ``ndim`` axes, from 0 to ndim - 1 (a negative one counts from the
    end); refused when out of range, where ``value % ndim`` would silently pick another."""
    if ndim == 0:
        raise AxisError(f"{where}: a 0-d tensor has no {name} {value!r}")
    rule = f"must be an integer from {-ndim} to {ndim - 1} here"
    if not is_int(value):
        _fail(where, name, rule, value, ArgumentTypeError)
    if not -ndim <= value < ndim:
        _fail(where, name, rule, value, AxisError)
    return int(value) % ndim


def axes(where: str, name: str, value: Any, ndim: int) -> tuple[int, ...]:
    """``value`` (None for every axis, an axis, or a tuple or list of them) as a sorted tuple
    of axes of an ``ndim``-dimensional tensor (see :func:`axis`)."""
    if value is None:
        return tuple(range(ndim))
    listed = value if isinstance(value, (tuple, list)) else (value,)
    return tuple(sorted(axis(where, name, one, ndim) for one in listed))


def dtype(where: str, name: str, value: Any) -> np.dtype:
    """``value`` (a name such as ``"float32"``, a NumPy dtype or type) as a numeric NumPy
    dtype; PyTorch's names NumPy has no type for (``tinydl.bfloat16``) are refused with what
    to use instead."""
    if isinstance(value, UnsupportedDtype):
        raise ArgumentTypeError(value.refusal(where))
    try:  # (np.dtype(None) would be float64)
        parsed = None if value is None else np.dtype(value)
    except TypeError:
        parsed = None
    if parsed is None:
        raise ArgumentTypeError(f"{where}: {name} {value!r} is not a data type; use {_DTYPE_HINT}")
    if parsed.kind not in NUMERIC_KINDS:
        raise ArgumentTypeError(
            f"{where}: {name} {value!r} holds no numbers; a tensor's dtype is numeric, "
            f"{_DTYPE_HINT}"
        )
    return parsed


def float_dtype(where: str, name: str, value: Any) -> np.dtype:
    """``value`` as float32 or float64, the dtypes a model's parameters may have."""
    try:  # (None == float64 is True for NumPy: None never gets that far)
        chosen = None if value is None else np.dtype(value)
    except TypeError:
        chosen = None
    if chosen is None or chosen not in FLOAT_DTYPES:
        _fail(where, name, "must be float32 or float64", value, ArgumentTypeError)
    return chosen


def numeric_dtype(where: str, name: str, value: np.dtype) -> np.dtype:
    """``value``, the dtype of data becoming a tensor, if it holds numbers or booleans (not
    strings, objects, dates or records)."""
    if value.kind not in NUMERIC_KINDS:
        what = {
            "U": "strings", "S": "bytes", "O": "Python objects", "M": "dates", "m": "time spans",
        }.get(value.kind, "records")
        raise ArgumentTypeError(
            f"{where}: {name} holds {what} (dtype {value}), but a tensor holds numbers or "
            f"booleans: convert the values to numbers first, e.g. np.asarray(values, "
            f"dtype='float32')"
        )
    return value


def is_int(value: Any) -> bool:
    """An int or a NumPy integer; never a bool, though Python counts ``True`` as 1."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """A real number (int, float, NumPy's too); never a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _real(where: str, name: str, value: Any, within: str, rule: str, error: Error) -> float:
    if not is_number(value):
        _fail(where, name, rule, value, error or ArgumentTypeError)
    if not _inside(float(value), within, _INTERVAL.match(within)):
        _fail(where, name, rule, value, error or ValueError)
    return float(value)


def _integer(
    where: str, name: str, value: Any, least: float, rule: str, error: Error,
    most: float = math.inf,
) -> int:
    if not is_int(value):
        _fail(where, name, rule, value, error or ArgumentTypeError)
    if not least <= value <= most:
        _fail(where, name, rule, value, error or ValueError)
    return int(value)


def _inside(value: float, within: str, interval: re.Match[str] | None) -> bool:
    if not math.isfinite(value):
        return False
    if interval:
        opening, low, high, closing = interval.groups()
        above = value >= float(low) if opening == "[" else value > float(low)
        below = value <= float(high) if closing == "]" else value < float(high)
        return above and below
    bound = _BOUND.match(within)
    if bound:
        return _COMPARE[bound.group(1)](value, float(bound.group(2)))
    if within:
        raise ValueError(f"check.number: cannot read the range {within!r}")
    return True


def _same(value: Any, choice: Any) -> bool:
    """``value == choice``, where ``True`` is not ``1`` and arrays compare as unequal."""
    if isinstance(value, bool) != isinstance(choice, bool):
        return False
    try:
        return bool(value == choice)
    except (TypeError, ValueError):
        return False


def _fail(where: str, name: str, rule: str, value: Any, error: type[Exception]) -> NoReturn:
    raise error(f"{where}: {name} {rule}, got {_shown(value)}")


def _shown(value: Any) -> str:
    """``value`` as a message shows it: its repr when short and plain, a dtype by its name,
    else its type."""
    if isinstance(value, np.dtype):
        return str(value)
    plain = value is None or isinstance(value, (numbers.Number, str, bytes, tuple, list))
    text = repr(value) if plain else ""
    return text if plain and len(text) <= 60 else type(value).__name__
