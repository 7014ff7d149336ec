"""Checks of what a user hands to tinydl, each with the one message that mistake gets
wherever it is made: non-numbers and ragged lists becoming tensors, misspelt dtypes,
integer images reaching a layer, shapes that do not broadcast, indices that do not fit.

The cheap checks run where a call enters tinydl. The ops do not check their operands
before computing (that would cost every training step): only after NumPy has refused do
they call :func:`operand_error`, :func:`index_error` or :func:`broadcast_problem`, to say
in tinydl's words what was wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tinydl.dtypes import UnsupportedDtype

# NumPy dtype kinds that may become a Tensor: bool, signed/unsigned int, float, complex.
NUMERIC_KINDS = frozenset("biufc")

_DTYPE_HINT = "e.g. 'float32' (the default for floats), 'float64', 'int64', 'uint8' or 'bool'"


def numeric_array(data: Any, argument: str, caller: str) -> np.ndarray:
    """Host ``data`` (numbers, nested lists, an array) as a NumPy array of numbers or booleans.

    Ragged nested lists and anything that is not numbers (strings, dates, Python objects,
    lists of tensors) are refused naming ``caller``'s ``argument``.
    """
    if _holds_tensors(data):
        raise TypeError(
            f"{caller}: {argument} is a list of tensors; join tensors with tinydl.stack(tensors) "
            f"(a new axis) or tinydl.concatenate(tensors) (an existing axis)"
        )
    try:
        array = np.asarray(data)
    except ValueError:  # NumPy >= 1.24 refuses ragged nested lists
        raise ValueError(
            f"{caller}: {argument} is a ragged nested list ({_ragged_part(data, argument)}); "
            f"every row must have the same length to make an array"
        ) from None
    if array.dtype.kind == "O" and not isinstance(data, (list, tuple, np.ndarray)):
        raise TypeError(
            f"{caller}: {argument} must be numbers, nested lists of numbers or an array, "
            f"got {type(data).__name__}"
        )
    check_numeric_dtype(array.dtype, argument, caller)
    return array


def check_numeric_dtype(dtype: np.dtype, argument: str, caller: str) -> None:
    """Refuse a dtype that holds no numbers (strings, objects, dates, records)."""
    if dtype.kind in NUMERIC_KINDS:
        return
    what = {
        "U": "strings", "S": "bytes", "O": "Python objects", "M": "dates", "m": "time spans",
    }.get(dtype.kind, "records")
    raise TypeError(
        f"{caller}: {argument} holds {what} (dtype {dtype}), but a tensor holds numbers or "
        f"booleans: convert the values to numbers first, e.g. np.asarray(values, "
        f"dtype='float32')"
    )


def parse_dtype(dtype: Any, caller: str) -> np.dtype:
    """``dtype`` (a name such as ``"float32"``, a NumPy dtype or type) as a numeric NumPy dtype.

    PyTorch's names NumPy has no type for (``tinydl.bfloat16``) are refused with what to use.
    """
    if isinstance(dtype, UnsupportedDtype):
        raise TypeError(dtype.refusal(caller))
    try:
        parsed = np.dtype(dtype) if dtype is not None else None
    except TypeError:
        parsed = None
    if parsed is None:
        raise TypeError(f"{caller}: dtype {dtype!r} is not a data type; use {_DTYPE_HINT}")
    if parsed.kind not in NUMERIC_KINDS:
        raise TypeError(
            f"{caller}: dtype {dtype!r} holds no numbers; a tensor's dtype is numeric, "
            f"{_DTYPE_HINT}"
        )
    return parsed


def check_can_require_grad(dtype: np.dtype, caller: str) -> None:
    """Only float tensors have gradients (an integer has no small step to take)."""
    if dtype.kind != "f":
        raise TypeError(
            f"{caller}: only floating-point tensors can require grad, got dtype {dtype}; "
            f"convert first, e.g. x.astype('float32').requires_grad_()"
        )


def require_float_input(x: Any, layer: str) -> None:
    """Refuse integer or boolean inputs to a layer with float weights.

    Without this, NumPy would compute ``uint8 @ float32`` in float64 (a silent upcast
    that doubles the time) and an integer image's 0-255 range would swamp the weights.
    """
    dtype = getattr(x, "dtype", None)
    if dtype is not None and dtype.kind == "f":
        return
    if dtype is None:
        raise TypeError(
            f"{layer} takes a Tensor as input, got {type(x).__name__}: make one with "
            f"tinydl.tensor(values)"
        )
    raise TypeError(
        f"{layer} got an input of dtype {dtype}, but its weights are floating point: scale uint8 "
        f"images with tinydl.data.to_float(images) (0-255 to float32 in [0, 1]) or convert "
        f"other data with .astype('float32')"
    )


def broadcast_problem(what: str, *shapes: tuple[int, ...]) -> str:
    """Why ``shapes`` do not broadcast together (the rule, and the axis that breaks it), or
    ``""`` when they do; ``what`` names the operation, e.g. ``"a + b"``."""
    for axis in range(1, max(len(shape) for shape in shapes) + 1):
        sizes = {shape[-axis] for shape in shapes if len(shape) >= axis} - {1}
        if len(sizes) > 1:
            listed = " and ".join(str(shape) for shape in shapes)
            return (
                f"{what} got shapes {listed}, which do not broadcast: broadcasting lines the "
                f"shapes up from the last axis, and each pair of sizes must be equal or one of "
                f"them 1, but axis -{axis} has sizes {' and '.join(map(str, sorted(sizes)))}"
            )
    return ""


def broadcasts_to(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    """Whether an array of ``shape`` broadcasts to ``target`` without changing it."""
    try:
        return np.broadcast_shapes(shape, target) == tuple(target)
    except ValueError:
        return False


def operand_error(symbol: str, a: Any, b: Any | None, error: Exception) -> Exception:
    """The tinydl error to raise after NumPy refused ``a symbol b`` (or ``symbol a``)."""
    if b is not None:
        reason = broadcast_problem(f"a {symbol} b", a.shape, b.shape)
        if reason:
            return ValueError(reason)
    dtypes = [t.dtype for t in (a, b) if t is not None]
    described = " and ".join(str(d) for d in dtypes)
    for dtype in dtypes:
        if dtype.kind not in NUMERIC_KINDS:
            return TypeError(
                f"'{symbol}' needs numeric tensors, got dtype {described}: a tensor of {dtype} "
                f"holds no numbers"
            )
    if all(d.kind == "b" for d in dtypes):
        return TypeError(
            f"'{symbol}' is not defined for boolean tensors (dtype {described}): convert them "
            f"with .astype('float32') or .astype('int64') first"
        )
    return error  # nothing tinydl can say better: NumPy's own words


def index_error(shape: tuple[int, ...], index: Any, error: Exception) -> IndexError:
    """The tinydl error to raise after NumPy refused ``x[index]`` on a tensor of ``shape``."""
    parts = index if isinstance(index, tuple) else (index,)
    where = f"tensor[{_show_index(parts)}] on a tensor of shape {shape}"
    used = [p for p in parts if p is not None and p is not Ellipsis]
    width = sum(np.ndim(p) if _is_bool_array(p) else 1 for p in used)
    if width > len(shape):
        return IndexError(
            f"{where}: {width} indices for a tensor with {len(shape)} axes; give at most one "
            f"index per axis"
        )
    axis = 0
    for part in used:
        if isinstance(part, (int, np.integer)) and not isinstance(part, bool) and axis < len(shape):
            if not -shape[axis] <= part < shape[axis]:
                return IndexError(
                    f"{where}: index {part} is out of range for axis {axis} of size "
                    f"{shape[axis]} (valid: {-shape[axis]} to {shape[axis] - 1})"
                )
        axis += 1
    guide = (
        "" if "out of bounds" in str(error) else ". A tensor is indexed by integers, slices "
        "(a:b), None, ..., and integer or boolean arrays or tensors"
    )
    return IndexError(f"{where}: {error}{guide}")


def _is_bool_array(part: Any) -> bool:
    return getattr(part, "dtype", None) is not None and part.dtype.kind == "b"


def _show_index(parts: Sequence[Any]) -> str:
    def one(part: Any) -> str:
        if isinstance(part, slice):
            text = ":".join("" if v is None else str(v) for v in (part.start, part.stop))
            return text + (f":{part.step}" if part.step is not None else "")
        if part is Ellipsis:
            return "..."
        if hasattr(part, "shape") and not isinstance(part, (int, float)):
            return f"<{part.dtype} array of shape {tuple(part.shape)}>"
        return repr(part)

    return ", ".join(one(p) for p in parts)


def _holds_tensors(data: Any) -> bool:
    from tinydl.autograd.tensor import Tensor

    return isinstance(data, (list, tuple)) and any(isinstance(v, Tensor) for v in data)


def _ragged_part(data: Any, name: str) -> str:
    """Where a nested list stops being rectangular, e.g. ``x[1] has 3 items, x[0] has 2``."""
    if not isinstance(data, (list, tuple)) or not data:
        return "its rows differ in length"
    lengths = [len(v) if isinstance(v, (list, tuple, np.ndarray)) else None for v in data]
    for i, n in enumerate(lengths):
        if n != lengths[0]:
            def size(k: int | None) -> str:
                return "is a single number" if k is None else f"has {k} item{'s' * (k != 1)}"

            return f"{name}[{i}] {size(n)}, {name}[0] {size(lengths[0])}"
    for i, item in enumerate(data):
        if lengths[i] is not None:
            try:
                np.asarray(item)
            except ValueError:
                return _ragged_part(item, f"{name}[{i}]")
    return "its rows differ in length"
