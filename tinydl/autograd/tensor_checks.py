"""Checks of the tensors a user hands to tinydl, each with the one message that mistake gets
wherever it is made: an operand that is not a Tensor, of the wrong rank, not floating-point,
of another dtype or on another device than its partner; non-numbers and ragged lists
becoming tensors; shapes that do not broadcast, indices that do not fit.

They speak as :mod:`tinydl.check` does, naming the entry point, the argument, the rule and
what came (``conv2d(): x must be a Tensor of shape (N, C, H, W), got shape (28, 28)``), and
live here rather than there because they need ``Tensor``, one floor above ``tinydl.check``.

The cheap checks run where a call enters tinydl. The ops do not check their operands'
values before computing (that would cost every training step): only after NumPy has
refused do they call :func:`operand_error`, :func:`index_error` or
:func:`broadcast_problem`, to say in tinydl's words what was wrong.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NoReturn

import numpy as np

from tinydl import backend, check
from tinydl.autograd.tensor import Tensor
from tinydl.check import NUMERIC_KINDS
from tinydl.errors import ArgumentTypeError, DeviceError


def tensor(where: str, name: str, value: Any, layout: str = "") -> Tensor:
    """``value`` if it is a Tensor, of a rank ``layout`` allows when given: ``"(N, C, H, W)"``
    is 4 axes, ``"(..., L, E)"`` at least 2, ``"(N, C) or (N, C, H, W)"`` 2 or 4."""
    if not isinstance(value, Tensor) or (layout and not layout_fits(layout, value.array.ndim)):
        _refuse(where, name, value, layout, want_float=False)
    return value


def floating(where: str, name: str, value: Any, layout: str = "") -> Tensor:
    """``value`` if it is a floating-point Tensor (of a rank ``layout`` allows, as in
    :func:`tensor`).

    An op with float weights refuses integer and boolean inputs: NumPy would compute
    ``uint8 @ float32`` in float64 (a silent upcast that doubles the time), and an integer
    image's 0-255 range would swamp the weights.
    """
    if not isinstance(value, Tensor) or value.array.dtype.kind != "f" or (
        layout and not layout_fits(layout, value.array.ndim)
    ):
        _refuse(where, name, value, layout, want_float=True)
    return value


def _refuse(where: str, name: str, value: Any, layout: str, want_float: bool) -> NoReturn:
    """The error for a ``value`` that is not a Tensor (floating-point if ``want_float``) of a
    rank ``layout`` allows: the first of its kind, dtype and rank that is wrong."""
    kind = "a floating-point Tensor" if want_float else "a Tensor"
    wanted = f"{where}: {name} must be {kind}" + (f" of shape {layout}" if layout else "")
    if not isinstance(value, Tensor):
        raise ArgumentTypeError(
            f"{wanted}, got {type(value).__name__}: make one with tinydl.tensor(values)"
        )
    if want_float and value.dtype.kind != "f":
        raise ArgumentTypeError(
            f"{wanted}, got dtype {value.dtype}; convert it with .astype('float32') (uint8 "
            f"images: tinydl.data.to_float(images) scales 0-255 to [0, 1])"
        )
    raise ValueError(f"{wanted}, got shape {value.shape}")


def scalar(where: str, name: str, value: Any, expected: str = "a number") -> float:
    """``value`` (a number, or a Tensor or array of one element) as a float; anything else
    (``None``, a string, a tensor of many values) is refused, saying it must be ``expected``."""
    array = value.array if isinstance(value, Tensor) else value
    if not check.is_number(value) and not (backend.is_array(array) and array.size == 1
                                           and array.dtype.kind in "biuf"):
        shown = f"a tensor of shape {value.shape}" if isinstance(value, Tensor) else repr(value)
        raise ArgumentTypeError(f"{where}: {name} must be {expected}, got {shown:.80}")
    return float(value if check.is_number(value) else array.reshape(()).item())


def same_dtype(where: str, name: str, value: Tensor, like_name: str, like: Tensor) -> None:
    """Refuse ``value`` of another dtype than ``like`` (NumPy would silently upcast both)."""
    if value.dtype != like.dtype:
        raise ArgumentTypeError(
            f"{where}: {like_name} is {like.dtype} but {name} is {value.dtype}; convert one "
            f"of them (e.g. with .astype('{like.dtype}')) so no silent upcast happens"
        )


def same_device(where: str, name: str, value: Any, like_name: str, like: Any) -> None:
    """Refuse ``value`` (a Tensor or an array) on another device than ``like``."""
    have, want = (backend.device_of(getattr(t, "array", t)) for t in (value, like))
    if have != want:
        raise DeviceError(
            f"{where}: {name} is on {have} but {like_name} on {want}: move it with "
            f".to('{want}')"
        )


def one_device(where: str, what: str, values: Sequence[Any]) -> None:
    """Refuse ``values`` (tensors or arrays) that sit on more than one device."""
    devices = sorted({str(backend.device_of(getattr(v, "array", v))) for v in values})
    if len(devices) > 1:
        raise DeviceError(
            f"{where}: {what} must be on one device, got {' and '.join(devices)}: move them to "
            f"one device first, e.g. with .to('{devices[-1]}')"
        )


def fits_input(
    where: str, name: str, value: Any, shape: tuple[int, ...], x: Tensor, why: str = ""
) -> None:
    """Refuse a weight, bias or running statistic that is not a Tensor of ``shape`` with
    ``x``'s dtype (no silent upcast) on ``x``'s device; ``None`` passes (there is none).
    ``why`` says where ``shape`` comes from, by default "to fit x of shape ..."."""
    if value is None:
        return
    if not isinstance(value, Tensor) or value.shape != shape:
        got = f"shape {value.shape}" if isinstance(value, Tensor) else type(value).__name__
        raise (ValueError if isinstance(value, Tensor) else ArgumentTypeError)(
            f"{where}: {name} must be a Tensor of shape {shape} "
            f"{why or f'to fit x of shape {x.shape}'}, got {got}"
        )
    same_dtype(where, name, value, "x", x)
    same_device(where, name, value, "x", x)


def layout_fits(layout: str, ndim: int) -> bool:
    """Whether ``layout`` allows ``ndim`` axes (each layout is read once, then looked up)."""
    ranks = _RANKS.get(layout) or _RANKS.setdefault(layout, _ranks(layout))
    return ndim in ranks[0] or ndim >= ranks[1]


def _ranks(layout: str) -> tuple[frozenset[int], float]:
    """The numbers of axes ``layout``'s forms name exactly, and the least a form with
    ``...`` allows (infinity when none has one)."""
    exact, least = set(), math.inf
    for form in layout.split(" or "):
        names = [n.strip() for n in form.strip().strip("()").split(",") if n.strip()]
        count = len([n for n in names if n != "..."])
        if "..." in names:
            least = min(least, count)
        else:
            exact.add(count)
    return frozenset(exact), least


_RANKS: dict[str, tuple[frozenset[int], float]] = {}


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
    check.numeric_dtype(caller, argument, array.dtype)
    return array


def holds(where: str, values: Any, dtype: np.dtype) -> None:
    """Refuse host ``values`` (a number or a NumPy array) that ``dtype`` cannot hold: NaN, an
    infinity or a number beyond an integer dtype's range, a finite number beyond a float
    dtype's (it would become inf), a complex number in a real dtype. NumPy would store 300
    in int8 as 44 and NaN in int64 as -9223372036854775808; PyTorch refuses both, as here."""
    array = np.asarray(values)
    if array.dtype.kind == "c" and dtype.kind in "biuf" and (array.imag != 0).any():
        raise ValueError(f"{where}: dtype {dtype} holds real numbers, but the value is complex")
    if dtype.kind not in "iuf" or array.dtype.kind not in "iufc" or not array.size:
        return
    array = array.real
    info = np.iinfo(dtype) if dtype.kind in "iu" else np.finfo(dtype)
    low, high = (info.min, info.max) if dtype.kind in "iu" else (-info.max, info.max)
    outside = ~((array >= low) & (array <= high))  # NaN too: it is never inside
    if not (outside & np.isfinite(array) if dtype.kind == "f" else outside).any():
        return
    finite = np.isfinite(array).all()
    shown = [f"{v:g}" if isinstance(v, float) else str(v) for v in (array.min().item(),
                                                                      array.max().item())]
    found = (f"the value is {shown[0]}" if array.size == 1 else
             f"the values go from {shown[0]} to {shown[1]}" if finite else
             "the values include NaN or infinity")
    wider = "int64" if dtype.kind in "iu" and dtype.itemsize < 8 else "float64"
    advice = (f"choose a wider dtype such as '{wider}'" if finite else
              "an integer dtype has no NaN or infinity: use a float dtype")
    limits = f"{low} to {high}" if dtype.kind in "iu" else f"{low:g} to {high:g}"
    raise ValueError(f"{where}: dtype {dtype} holds {limits}, but {found}; {advice}")


def check_can_require_grad(dtype: np.dtype, caller: str) -> None:
    """Only float tensors have gradients (an integer has no small step to take)."""
    if dtype.kind != "f":
        raise TypeError(
            f"{caller}: only floating-point tensors can require grad, got dtype {dtype}; "
            f"convert first, e.g. x.astype('float32').requires_grad_()"
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
        if check.is_int(part) and axis < len(shape):
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
