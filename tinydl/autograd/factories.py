"""New tensors made from a size or a rule, under PyTorch's names: ``zeros``, ``ones``,
``full``, ``empty``, their ``*_like`` twins, ``rand``, ``randn``, ``normal``, ``randint``,
``randperm``, ``multinomial``, ``arange``, ``linspace`` and ``eye``.

Sizes come as separate ints or as one tuple (``zeros(2, 3)`` or ``zeros((2, 3))``). Float
tensors get the default dtype (float32, see :func:`tinydl.set_default_dtype`); counting
factories (``arange`` of ints, ``randint``, ``randperm``) give int64, as in PyTorch.
Fixed values are built by the target device's array module; random ones are drawn on the
host from :func:`tinydl.random.generator` and then copied over, so that after
``tinydl.manual_seed(s)`` every device gets the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from tinydl import backend, check
from tinydl.autograd import tensor_checks
from tinydl.autograd.default_dtype import get_default_dtype
from tinydl.autograd.tensor import Tensor
from tinydl.autograd.tensor_checks import check_can_require_grad
from tinydl.backend import Device, DeviceLike
from tinydl.random import Generator
from tinydl.random import source as random_source

Size = int | Sequence[int]
INT64 = np.dtype(np.int64)


# ---- argument checks ----------------------------------------------------------------------
def _size(size: tuple[Any, ...], caller: str, varargs: bool = True) -> tuple[int, ...]:
    """The shape given as ``caller(2, 3)`` or ``caller((2, 3))`` (only the second form when
    not ``varargs``), every axis an int >= 0."""
    how = (f"either separate, {caller}(2, 3), or in one tuple, {caller}((2, 3))" if varargs
           else "in a tuple such as (2, 3)")
    if not size:
        raise TypeError(f"{caller}() needs a size, {how}")
    dims = size[0] if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
    for dim in dims:
        if varargs and isinstance(dim, (tuple, list)):
            raise TypeError(f"{caller}(): give the size {how}, not both; got {size!r}")
        if not check.is_int(dim):
            raise TypeError(
                f"{caller}(): size must be ints, {how}; got {dim!r} ({type(dim).__name__}) "
                f"in {tuple(dims)!r}"
            )
        if dim < 0:
            raise ValueError(f"{caller}(): size must be >= 0 in every axis, got {tuple(dims)}")
    return tuple(int(dim) for dim in dims)


def _number(value: Any, name: str, caller: str) -> int | float:
    """``value`` as a Python int or float (NumPy scalars included, booleans refused); an int
    stays an int, because ``arange`` of ints counts in int64."""
    if check.is_int(value):
        return int(value)
    return check.number(f"{caller}()", name, value)


def _target(
    dtype: Any, default: np.dtype, device: DeviceLike | None, requires_grad: bool, caller: str
) -> tuple[np.dtype, Device]:
    """The dtype (``default`` when none is named) and device of the new tensor."""
    chosen = default if dtype is None else check.dtype(f"{caller}()", "dtype", dtype)
    if requires_grad:
        check_can_require_grad(chosen, f"{caller}(requires_grad=True)")
    return chosen, backend.get_default_device() if device is None else backend.device(device)


def _like(input: Any, dtype: Any, device: DeviceLike | None, caller: str) -> tuple[Any, ...]:
    """``input``'s shape, and its dtype and device unless ``dtype``/``device`` override them."""
    if not isinstance(input, Tensor):
        raise TypeError(
            f"{caller}() takes a Tensor as input, got {type(input).__name__}; for a shape use "
            f"tinydl.{caller.removesuffix('_like')}(shape)"
        )
    return (input.shape, input.dtype if dtype is None else dtype,
            input.device if device is None else device)


def _float_only(dtype: np.dtype, caller: str) -> None:
    if dtype.kind != "f":
        raise TypeError(
            f"{caller}() draws floating-point numbers, so dtype must be a float dtype such "
            f"as 'float32' or 'float64', got {dtype}"
        )


def _check_fits(low: int, high: int, dtype: np.dtype, caller: str) -> None:
    """Refuse integer draws from ``low`` to ``high`` (inclusive) that ``dtype`` cannot hold."""
    if dtype.kind == "b" and (low < 0 or high > 1):
        raise ValueError(f"{caller}(): dtype bool holds 0 to 1, but the values go from {low} to "
                         f"{high}; choose a wider dtype such as 'int64'")
    tensor_checks.holds(f"{caller}()", np.array([low, high]), dtype)


def _leaf(array: Any, place: Device, requires_grad: bool) -> Tensor:
    # CuPy builds on the current GPU, which may not be ``place``: to_device moves it then.
    return Tensor(backend.to_device(array, place), requires_grad)


# ---- fixed values -------------------------------------------------------------------------
def _constant(
    shape: tuple[int, ...], dtype: Any, device: Any, fill: Any, requires_grad: bool, caller: str
) -> Tensor:
    chosen, place = _target(dtype, _fill_dtype(fill, caller), device, requires_grad, caller)
    tensor_checks.holds(f"{caller}()", fill, chosen)
    return _leaf(place.xp.full(shape, fill, dtype=chosen), place, requires_grad)


def _fill_dtype(fill: Any, caller: str) -> np.dtype:
    """PyTorch's dtype for a fill value: bool, int64, the default float, or complex."""
    if not isinstance(fill, (bool, int, float, complex, np.bool_, np.number)):
        raise TypeError(
            f"{caller}(): fill_value must be a number or a bool, got {type(fill).__name__}"
            + (" (use x.item() for a one-element tensor)" if isinstance(fill, Tensor) else "")
        )
    kind = np.asarray(fill).dtype.kind
    if kind == "c":
        return np.result_type(get_default_dtype(), np.complex64)
    return {"b": np.dtype(np.bool_), "i": INT64, "u": INT64}.get(kind, get_default_dtype())


def zeros(
    *size: Size, dtype: Any = None, device: DeviceLike | None = None, requires_grad: bool = False
) -> Tensor:
    """A tensor of zeros: ``zeros(2, 3)`` or ``zeros((2, 3))``, in the default float dtype."""
    return _constant(_size(size, "zeros"), dtype, device, 0.0, requires_grad, "zeros")


def ones(
    *size: Size, dtype: Any = None, device: DeviceLike | None = None, requires_grad: bool = False
) -> Tensor:
    """A tensor of ones: ``ones(2, 3)`` or ``ones((2, 3))``, in the default float dtype."""
    return _constant(_size(size, "ones"), dtype, device, 1.0, requires_grad, "ones")


def empty(
    *size: Size, dtype: Any = None, device: DeviceLike | None = None, requires_grad: bool = False
) -> Tensor:
    """PyTorch's uninitialised tensor; tinydl's is :func:`zeros`, so its values are zeros
    (never garbage), at the cost of writing them."""
    return _constant(_size(size, "empty"), dtype, device, 0.0, requires_grad, "empty")


def full(
    size: Size,
    fill_value: float | complex,
    *,
    dtype: Any = None,
    device: DeviceLike | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value``: ``full((2, 2), 0.5)``.

    Without ``dtype``, as in PyTorch: a bool fill gives bool, an int fill int64, a float
    fill the default float dtype.
    """
    shape = _size((size,), "full", varargs=False)
    return _constant(shape, dtype, device, fill_value, requires_grad, "full")


def zeros_like(
    input: Tensor, *, dtype: Any = None, device: DeviceLike | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """Zeros of ``input``'s shape, dtype and device (``dtype``/``device`` override them)."""
    return _constant(*_like(input, dtype, device, "zeros_like"), 0.0, requires_grad, "zeros_like")


def ones_like(
    input: Tensor, *, dtype: Any = None, device: DeviceLike | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """Ones of ``input``'s shape, dtype and device (``dtype``/``device`` override them)."""
    return _constant(*_like(input, dtype, device, "ones_like"), 1.0, requires_grad, "ones_like")


def full_like(
    input: Tensor, fill_value: float | complex, *, dtype: Any = None,
    device: DeviceLike | None = None, requires_grad: bool = False,
) -> Tensor:
    """``fill_value`` in ``input``'s shape, dtype and device (``dtype``/``device`` override
    them): ``full_like(int_tensor, 2.7)`` holds 2s, as in PyTorch."""
    like = _like(input, dtype, device, "full_like")
    return _constant(*like, fill_value, requires_grad, "full_like")


def eye(
    n: int, m: int | None = None, *, dtype: Any = None, device: DeviceLike | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """The ``n`` x ``m`` identity matrix (``m`` defaults to ``n``): ones on the diagonal."""
    n = check.non_negative_int("eye()", "n", n)
    m = n if m is None else check.non_negative_int("eye()", "m", m)
    chosen, place = _target(dtype, get_default_dtype(), device, requires_grad, "eye")
    return _leaf(place.xp.eye(n, m, dtype=chosen), place, requires_grad)


def arange(
    start: float, end: float | None = None, step: float = 1, *, dtype: Any = None,
    device: DeviceLike | None = None, requires_grad: bool = False,
) -> Tensor:
    """``start``, ``start + step``, … up to but excluding ``end``; ``arange(n)`` is 0 … n-1.

    All-int arguments give int64, any float one the default float dtype (PyTorch's rule).
    There are ceil((end - start) / step) values, each ``start + i * step`` computed in
    float64 and rounded once to the dtype (PyTorch's may differ in the last bit).
    """
    if end is None:
        start, end = 0, start
    start, end, step = (_number(v, k, "arange") for v, k in
                        ((start, "start"), (end, "end"), (step, "step")))
    if step == 0:
        raise ValueError("arange(): step must not be 0, got 0")
    if (end - start) * step < 0:
        raise ValueError(
            f"arange(): from start={start} a step of {step} never reaches end={end}; "
            f"use a {'negative' if step > 0 else 'positive'} step or swap start and end"
        )
    integral = all(isinstance(v, int) for v in (start, end, step))
    count = -((start - end) // step) if integral else math.ceil((end - start) / step)
    chosen, place = _target(
        dtype, INT64 if integral else get_default_dtype(), device, requires_grad, "arange"
    )
    tensor_checks.holds("arange()", np.array([start, start + max(count - 1, 0) * step]), chosen)
    exact = place.xp.arange(count, dtype=INT64 if integral else np.float64) * step + start
    return _leaf(exact.astype(chosen, copy=False), place, requires_grad)


def linspace(
    start: float, end: float, steps: int, *, dtype: Any = None,
    device: DeviceLike | None = None, requires_grad: bool = False,
) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included.

    As in PyTorch, the first half counts up from ``start`` and the second half down from
    ``end``, so both ends are exact; an integer ``dtype`` truncates towards zero.
    """
    start, end = _number(start, "start", "linspace"), _number(end, "end", "linspace")
    steps = check.non_negative_int("linspace()", "steps", steps)
    chosen, place = _target(dtype, get_default_dtype(), device, requires_grad, "linspace")
    tensor_checks.holds("linspace()", np.array([start, end]), chosen)
    index = place.xp.arange(steps, dtype=chosen if chosen.kind == "f" else np.float64)
    step = (end - start) / (steps - 1) if steps > 1 else 0.0
    values = place.xp.where(
        index < max(steps // 2, 1), start + step * index, end - step * (steps - 1 - index)
    )
    return _leaf(values.astype(chosen, copy=False), place, requires_grad)


# ---- random values (drawn on the host) ----------------------------------------------------
def _floats(draw: str, size: tuple[int, ...], dtype: Any, device: Any, requires_grad: bool,
            caller: str, generator: Generator | None = None) -> Tensor:
    """``<draw>`` of ``size`` from ``generator`` (default: tinydl's global one), drawn in
    ``dtype`` itself where NumPy can (float32 or float64) and otherwise in float64 and
    converted."""
    chosen, place = _target(dtype, get_default_dtype(), device, requires_grad, caller)
    _float_only(chosen, caller)
    native = chosen if chosen in (np.float32, np.float64) else np.dtype(np.float64)
    drawn = getattr(random_source(generator, f"{caller}()"), draw)(size, dtype=native)
    host = drawn.astype(chosen, copy=False)
    return _leaf(host, place, requires_grad)


def rand(
    *size: Size, generator: Generator | None = None, dtype: Any = None,
    device: DeviceLike | None = None, requires_grad: bool = False,
) -> Tensor:
    """Uniform random numbers in [0, 1): ``rand(2, 3)`` or ``rand((2, 3))``; from
    ``generator`` (a :class:`tinydl.Generator`) if given."""
    return _floats("random", _size(size, "rand"), dtype, device, requires_grad, "rand",
                   generator)


def randn(
    *size: Size, generator: Generator | None = None, dtype: Any = None,
    device: DeviceLike | None = None, requires_grad: bool = False,
) -> Tensor:
    """Standard normal random numbers (mean 0, std 1): ``randn(64, 100)`` is a GAN's noise;
    from ``generator`` if given."""
    return _floats("standard_normal", _size(size, "randn"), dtype, device, requires_grad,
                   "randn", generator)


def rand_like(
    input: Tensor, *, dtype: Any = None, device: DeviceLike | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """:func:`rand` in ``input``'s shape, dtype and device (a float dtype)."""
    return _floats("random", *_like(input, dtype, device, "rand_like"), requires_grad, "rand_like")


def randn_like(
    input: Tensor, *, dtype: Any = None, device: DeviceLike | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """:func:`randn` in ``input``'s shape, dtype and device (a float dtype)."""
    like = _like(input, dtype, device, "randn_like")
    return _floats("standard_normal", *like, requires_grad, "randn_like")


def randint(
    low: int | None = None, high: Any = None, size: Size | None = None, *,
    generator: Generator | None = None, dtype: Any = None, device: DeviceLike | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """Random integers from ``low`` to ``high - 1``, int64 by default, in PyTorch's two forms:
    ``randint(high, size)`` and ``randint(low, high, size)`` (``size`` a tuple); from
    ``generator`` if given."""
    if high is None or (size is None and isinstance(high, (tuple, list))):
        low, high, size = None, low, high if size is None else size  # randint(high, size)
    if size is None:
        raise TypeError(
            "randint() needs a size, as randint(high, (n,)) or randint(low, high, (n,))"
        )
    low = 0 if low is None else check.integer("randint()", "low", low)
    high = check.integer("randint()", "high", high)
    if low >= high:
        raise ValueError(
            f"randint(): low must be below high (the values go from low to high - 1), "
            f"got low={low}, high={high}"
        )
    shape = _size((size,), "randint", varargs=False)
    chosen, place = _target(dtype, INT64, device, requires_grad, "randint")
    _check_fits(low, high - 1, chosen, "randint")
    host = random_source(generator, "randint()").integers(low, high, size=shape, dtype=np.int64)
    return _leaf(host.astype(chosen, copy=False), place, requires_grad)


def randperm(
    n: int, *, generator: Generator | None = None, dtype: Any = None,
    device: DeviceLike | None = None, requires_grad: bool = False,
) -> Tensor:
    """0 … n-1 in a random order (int64 by default): ``x[randperm(len(x))]`` shuffles x.
    ``generator`` (a :class:`tinydl.Generator`) draws it instead of the global generator;
    the order differs from PyTorch's for the same seed (see :class:`tinydl.Generator`)."""
    n = check.non_negative_int("randperm()", "n", n)
    chosen, place = _target(dtype, INT64, device, requires_grad, "randperm")
    _check_fits(0, n - 1, chosen, "randperm")
    order = random_source(generator, "randperm()").permutation(n).astype(chosen, copy=False)
    return _leaf(order, place, requires_grad)


def normal(
    mean: Any = 0.0, std: Any = 1.0, size: Size | None = None, *, dtype: Any = None,
    device: DeviceLike | None = None, requires_grad: bool = False,
) -> Tensor:
    """Normal random numbers with mean ``mean`` and standard deviation ``std``: numbers and a
    ``size`` (``normal(0, 0.01, (n, 2))``), or tensors of means and/or deviations, which
    broadcast and give the result its shape, dtype and device."""
    tensors = [t for t in (mean, std) if isinstance(t, Tensor)]
    if not tensors:
        mean = check.number("normal()", "mean", mean)
        std = check.number("normal()", "std", std, ">= 0")
        if size is None:
            raise TypeError("normal() with a number mean and std needs a size, e.g. (3, 4)")
        noise = randn(_size((size,), "normal", varargs=False), dtype=dtype, device=device)
        return _leaf((noise.array * std + mean), noise.device, requires_grad)
    like = tensors[0]
    shape = np.broadcast_shapes(*(t.shape for t in tensors))
    noise = randn(shape, dtype=like.dtype if dtype is None else dtype, device=like.device)
    drawn = noise.array * (std.array if isinstance(std, Tensor) else std)
    drawn += mean.array if isinstance(mean, Tensor) else mean
    return _leaf(drawn.astype(noise.dtype, copy=False), noise.device, requires_grad)


def multinomial(
    input: Tensor, num_samples: int, replacement: bool = False, *,
    generator: Generator | None = None,
) -> Tensor:
    """Draw ``num_samples`` category indices (int64) from each row of ``input``, a 1-D or 2-D
    tensor of non-negative weights (probabilities need not add up to 1): a language model
    samples its next token with ``multinomial(probs, num_samples=1)``. Without
    ``replacement`` no category is drawn twice in a row. Draws come from ``generator`` (a
    :class:`tinydl.Generator`), or the generator :func:`tinydl.manual_seed` seeds."""
    tensor_checks.tensor("multinomial()", "input", input)
    rng = random_source(generator, "multinomial()")
    if input.ndim not in (1, 2) or input.shape[-1] == 0:
        raise ValueError(
            f"multinomial() needs a 1-D or 2-D tensor of weights with at least one category, "
            f"got shape {input.shape}"
        )
    count = check.non_negative_int("multinomial()", "num_samples", num_samples)
    categories = input.shape[-1]
    if count == 0 or (not replacement and count > categories):
        raise ValueError(
            f"multinomial(): num_samples must be from 1 to {categories} without replacement "
            f"(from 1 up with replacement), got {count}"
        )
    rows = backend.to_numpy(input.array).reshape(-1, categories).astype(np.float64)
    if not np.isfinite(rows).all() or (rows < 0).any():
        raise ValueError(
            "multinomial(): the weights must be finite and >= 0 (no inf, NaN or negative "
            "values)"
        )
    totals = rows.sum(axis=1, keepdims=True)
    if (totals <= 0).any() or (not replacement and ((rows > 0).sum(axis=1) < count).any()):
        raise ValueError(
            f"multinomial(): every row needs a positive total weight, and without replacement "
            f"at least num_samples={count} categories of nonzero weight"
        )
    drawn = np.stack([
        rng.choice(categories, size=count, replace=bool(replacement), p=row)
        for row in rows / totals
    ]).astype(np.int64)
    return _leaf(drawn.reshape(*input.shape[:-1], count), input.device, False)
