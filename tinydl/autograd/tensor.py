"""``Tensor``: an array, the gradient of the loss with respect to it, and the Function that
made it.

A Tensor holds one array (``data``) on one device. If it ``requires_grad``, the
operations applied to it are recorded, and ``backward()`` fills in ``grad``
(another Tensor of the same shape) for every leaf the result depends on.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinydl import backend
from tinydl.autograd.checks import (
    NUMERIC_KINDS,
    check_can_require_grad,
    check_numeric_dtype,
    numeric_array,
    parse_dtype,
)
from tinydl.autograd.default_dtype import get_default_dtype
from tinydl.backend import Device, DeviceLike

DEFAULT_FLOAT = np.dtype(np.float32)


class Tensor:
    """An n-dimensional array with automatic differentiation. Build one with :func:`tensor`."""

    __slots__ = ("array", "grad", "requires_grad", "creator", "__weakref__")
    # Make NumPy hand ``ndarray * tensor`` over to Tensor.__rmul__ instead of looping over it.
    __array_ufunc__ = None

    def __init__(self, data: Any, requires_grad: bool = False) -> None:
        # One cheap test for the common case (an op's output); the rest in _as_array.
        if type(data) is not np.ndarray or data.dtype.kind not in NUMERIC_KINDS:
            data = _wrapped(data)
        self.array = data
        self.grad: Tensor | None = None
        self.requires_grad = requires_grad
        self.creator = None  # the Function that produced this tensor; None for leaves

    # ---- what it is ----------------------------------------------------------------------
    # ``array`` (a slot set in __init__) is the raw NumPy or CuPy array the ops compute on.

    @property
    def data(self) -> Tensor:
        """The same values as a Tensor outside the graph, sharing memory (PyTorch's ``x.data``).

        Writing into it changes this tensor without being recorded, which is how hand-written
        updates read in PyTorch tutorials: ``p.data.sub_(lr * p.grad.data)``. Assigning a
        Tensor or an array (``p.data = new_values``) swaps the values this tensor holds. The
        raw array itself is ``x.array`` (``x.numpy()`` copies it to the host).
        """
        return Tensor(self.array)

    @data.setter
    def data(self, value: Any) -> None:
        if isinstance(value, Tensor):
            value = value.array
        elif not backend.is_array(value):
            raise TypeError(
                f"Tensor.data must be set to a Tensor or an array, got {type(value).__name__}"
            )
        self.array = value

    @property
    def shape(self) -> tuple[int, ...]:
        return self.array.shape

    @property
    def ndim(self) -> int:
        return self.array.ndim

    def size(self, dim: int | None = None) -> Any:
        """The shape (PyTorch's ``x.size()``), or the length of axis ``dim``. For the number
        of elements use :meth:`numel`."""
        if dim is None:
            return self.array.shape
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
            raise TypeError(f"size() needs dim to be an int, got {dim!r}")
        if not -self.ndim <= dim < self.ndim:
            raise IndexError(
                f"size(): dim {dim} is out of range for a tensor of {self.ndim} dimension(s)"
            )
        return self.array.shape[dim]

    def numel(self) -> int:
        """The number of elements."""
        return self.array.size

    @property
    def dtype(self) -> np.dtype:
        return self.array.dtype

    @property
    def device(self) -> Device:
        return backend.device_of(self.array)

    @property
    def is_leaf(self) -> bool:
        return self.creator is None

    def __len__(self) -> int:
        return len(self.array)

    def __repr__(self) -> str:
        body = np.array2string(self.numpy(), separator=", ", prefix="tensor(")
        extras = [] if self.dtype == get_default_dtype() else [f"dtype={self.dtype}"]
        if self.device != "cpu":
            extras.append(f"device='{self.device}'")
        if self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body, *extras]) + ")"

    # ---- getting values out --------------------------------------------------------------
    def item(self) -> float | int | bool:
        """The single value of a one-element tensor as a Python number (synchronises a GPU)."""
        if self.array.size != 1:
            raise ValueError(
                f"item() needs a tensor with one element, this one has shape {self.shape}"
            )
        return self.array.item()

    def numpy(self) -> np.ndarray:
        """The values as a host NumPy array (copied from the GPU if needed)."""
        return backend.to_numpy(self.array)

    def tolist(self) -> Any:
        return self.numpy().tolist()

    def __bool__(self) -> bool:
        return bool(self.item())

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    # ---- graph handling ------------------------------------------------------------------
    def detach(self) -> Tensor:
        """The same values, cut from the graph (shares memory; never requires grad)."""
        return Tensor(self.array)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Mark a leaf as trainable (in place) and return it."""
        if not self.is_leaf:
            raise RuntimeError("requires_grad_() works on leaf tensors only; call detach() first")
        if requires_grad:
            check_can_require_grad(self.dtype, "requires_grad_()")
        self.requires_grad = requires_grad
        return self

    def zero_grad(self) -> None:
        self.grad = None

    def fill_(self, value: float | int | bool) -> Tensor:
        """Set every element to ``value`` in place and return this tensor, as PyTorch's
        ``label.fill_(0.0)``. Refused on a tensor that requires grad while gradients are
        recorded (backward would meet values it did not compute with); reinitialise weights
        under ``tinydl.no_grad()``."""
        from tinydl.autograd.function import is_grad_enabled  # function.py imports this module

        if isinstance(value, Tensor) and value.numel() == 1:
            value = value.item()
        if isinstance(value, np.generic):
            value = value.item()
        if not isinstance(value, (bool, int, float)):
            raise TypeError(f"fill_() needs a number, got {type(value).__name__}")
        if self.requires_grad and is_grad_enabled():
            raise RuntimeError(
                "fill_() cannot overwrite a tensor that requires grad while gradients are "
                "recorded; do it inside `with tinydl.no_grad():`"
            )
        self.array[...] = value
        return self

    def zero_(self) -> Tensor:
        """Set every element to 0 in place (see :meth:`fill_`)."""
        return self.fill_(0)

    # ---- in place --------------------------------------------------------------------------
    # tinydl records no in-place operations, so these write into the array only where no
    # graph is being built: under no_grad(), through ``.data``, or on tensors that need no
    # gradient (counters, buffers). ``x += y`` on a graph tensor builds ``x + y`` instead.
    def add_(self, other: Any, alpha: float = 1) -> Tensor:
        """``self += alpha * other`` in place (PyTorch's ``p.data.add_(p.grad, alpha=-lr)``)."""
        return self._update_in_place("add_", other if alpha == 1 else other * alpha, "__iadd__")

    def sub_(self, other: Any, alpha: float = 1) -> Tensor:
        """``self -= alpha * other`` in place."""
        return self._update_in_place("sub_", other if alpha == 1 else other * alpha, "__isub__")

    def mul_(self, other: Any) -> Tensor:
        """``self *= other`` in place."""
        return self._update_in_place("mul_", other, "__imul__")

    def div_(self, other: Any) -> Tensor:
        """``self /= other`` in place."""
        return self._update_in_place("div_", other, "__itruediv__")

    def copy_(self, source: Any) -> Tensor:
        """Overwrite every element with ``source``'s (broadcast to this shape) in place."""
        return self._update_in_place("copy_", source, "__setitem__", ...)

    def __iadd__(self, other: Any) -> Tensor:
        return self + other if self._records_with(other) else self.add_(other)

    def __isub__(self, other: Any) -> Tensor:
        return self - other if self._records_with(other) else self.sub_(other)

    def __imul__(self, other: Any) -> Tensor:
        return self * other if self._records_with(other) else self.mul_(other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self / other if self._records_with(other) else self.div_(other)

    def __setitem__(self, index: Any, value: Any) -> None:
        """``x[index] = value`` in place, under the same rule as :meth:`add_`: refused while
        gradients are recorded through ``x`` or ``value`` (build the result out of place,
        e.g. with ``tinydl.where``, or assign inside ``no_grad()``)."""
        if isinstance(index, Tensor):
            index = index.array
        elif isinstance(index, tuple):
            index = tuple(part.array if isinstance(part, Tensor) else part for part in index)
        self._update_in_place("__setitem__", value, "__setitem__", index)

    def _records_with(self, other: Any) -> bool:
        """Would ``self (op) other`` be recorded in a graph? (Leaves are refused in place.)"""
        from tinydl.autograd.function import is_grad_enabled  # function.py imports this module

        wants_grad = self.requires_grad or (isinstance(other, Tensor) and other.requires_grad)
        return wants_grad and is_grad_enabled() and not self.is_leaf

    def _update_in_place(
        self, name: str, other: Any, array_method: str, index: Any = None
    ) -> Tensor:
        from tinydl.autograd.function import is_grad_enabled  # function.py imports this module

        other_requires_grad = isinstance(other, Tensor) and other.requires_grad
        if is_grad_enabled() and (self.requires_grad or other_requires_grad):
            caller = "x[index] = value" if name == "__setitem__" else f"{name}()"
            raise RuntimeError(
                f"{caller} cannot change a tensor in place while gradients are recorded: "
                + ("it is a leaf that requires grad (a parameter); update it inside "
                   "`with tinydl.no_grad():` or through its .data"
                   if self.is_leaf and self.requires_grad else
                   "tinydl records no in-place operations; write the out-of-place form "
                   "(x = x + y) instead")
            )
        value = other.array if isinstance(other, Tensor) else other
        if backend.is_array(value) and backend.device_of(value) != self.device:
            raise ValueError(
                f"{name}() got a tensor on {backend.device_of(value)} for a tensor on "
                f"{self.device}: move it first with .to('{self.device}')"
            )
        try:
            if array_method == "__setitem__":
                self.array[index] = value
            else:
                getattr(self.array, array_method)(value)
        except (TypeError, ValueError) as err:  # NumPy's casting and broadcasting refusals
            caller = "x[index] = value" if name == "__setitem__" else f"{name}()"
            raise type(err)(
                f"{caller} on a {self.dtype} tensor of shape {self.shape}: {err}"
            ) from None
        return self

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """``np.asarray(x)`` for a tensor on the CPU; a GPU tensor must be moved first."""
        if self.device != "cpu":
            raise TypeError(
                f"cannot convert a tensor on {self.device} to a NumPy array: "
                "use x.cpu().numpy() (or x.numpy()), which copies it explicitly"
            )
        return self.array if dtype is None else self.array.astype(dtype, copy=False)

    def backward(self, grad: Tensor | Any | None = None, retain_graph: bool = False) -> None:
        """Compute the gradient of this tensor with respect to every leaf it depends on.

        Without ``grad``, this tensor must be a scalar (a loss): dLoss/dLoss = 1.
        Otherwise ``grad`` is dLoss/dself, of this tensor's shape. Gradients add up
        into each leaf's ``.grad``; clear them between steps with ``zero_grad()``.
        """
        from tinydl.autograd.function import run_backward

        if not self.requires_grad:
            raise RuntimeError(
                "backward() on a tensor that does not require grad: create the inputs with "
                "requires_grad=True (and not inside no_grad()) to build a graph"
            )
        if grad is None:
            if self.array.size != 1:
                raise RuntimeError(
                    f"backward() without a gradient needs a scalar, but this tensor has shape "
                    f"{self.shape}: reduce it first (e.g. .sum()) or pass grad= of that shape"
                )
            xp = backend.array_module(self.array)
            grad_array = xp.ones(self.shape, dtype=self.dtype)
        else:
            grad_array = grad.array if isinstance(grad, Tensor) else grad
            if tuple(grad_array.shape) != self.shape:
                raise ValueError(
                    f"backward(grad) needs grad of shape {self.shape}, "
                    f"got {tuple(grad_array.shape)}"
                )
            if backend.device_of(grad_array) != self.device:
                raise ValueError(
                    f"backward(grad) got grad on {backend.device_of(grad_array)} "
                    f"for a tensor on {self.device}"
                )
        run_backward(self, grad_array, retain_graph)

    # ---- moving and casting --------------------------------------------------------------
    def to(self, device: DeviceLike) -> Tensor:
        """This tensor on ``device`` (itself if already there); gradients flow back across."""
        if self.device == backend.device(device):
            return self
        return ops.to_device(self, device)

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def astype(self, dtype: Any) -> Tensor:
        """This tensor with another dtype; gradients are cast back in backward."""
        return ops.astype(self, dtype)

    def float(self) -> Tensor:
        return self.astype(np.float32)

    def double(self) -> Tensor:
        return self.astype(np.float64)

    def long(self) -> Tensor:
        """As int64 (class labels), PyTorch's ``x.long()``."""
        return self.astype(np.int64)

    # ---- arithmetic (each is a Function in tinydl.ops) ------------------------------------
    def __add__(self, other: Any) -> Tensor:
        return ops.add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return ops.add(other, self)

    def __sub__(self, other: Any) -> Tensor:
        return ops.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return ops.sub(other, self)

    def __mul__(self, other: Any) -> Tensor:
        return ops.mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return ops.mul(other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return ops.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return ops.div(other, self)

    def __neg__(self) -> Tensor:
        return ops.neg(self)

    def __pow__(self, exponent: float) -> Tensor:
        return ops.pow(self, exponent)

    def __matmul__(self, other: Any) -> Tensor:
        return ops.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return ops.matmul(other, self)

    def __getitem__(self, index: Any) -> Tensor:
        return ops.getitem(self, index)

    # Comparisons give boolean tensors and are not differentiable.
    def __lt__(self, other: Any) -> Tensor:
        return ops.compare(self, other, "less")

    def __le__(self, other: Any) -> Tensor:
        return ops.compare(self, other, "less_equal")

    def __gt__(self, other: Any) -> Tensor:
        return ops.compare(self, other, "greater")

    def __ge__(self, other: Any) -> Tensor:
        return ops.compare(self, other, "greater_equal")

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return ops.compare(self, other, "equal")

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return ops.compare(self, other, "not_equal")

    __hash__ = object.__hash__  # tensors are identified by object, as in PyTorch

    # ---- methods mirroring tinydl.ops ----------------------------------------------------
    def exp(self) -> Tensor:
        return ops.exp(self)

    def log(self) -> Tensor:
        return ops.log(self)

    def sqrt(self) -> Tensor:
        return ops.sqrt(self)

    # axis/keepdims are NumPy's names, dim/keepdim PyTorch's: both are accepted.
    def sum(self, axis: Any = None, keepdims: bool | None = None, **torch_names: Any) -> Tensor:
        return ops.sum(self, axis, keepdims, **torch_names)

    def mean(self, axis: Any = None, keepdims: bool | None = None, **torch_names: Any) -> Tensor:
        return ops.mean(self, axis, keepdims, **torch_names)

    def max(self, dim: Any = None, keepdim: bool | None = None, **numpy_names: Any) -> Any:
        """See :func:`tinydl.max`: ``x.max(dim)`` gives PyTorch's (values, indices),
        ``x.max(axis=a)`` NumPy's values."""
        return ops.max(self, dim, keepdim, **numpy_names)

    def argmax(self, axis: Any = None, keepdims: bool | None = None, **torch_names: Any) -> Tensor:
        """Indices of the largest values (not differentiable), see :func:`tinydl.argmax`."""
        return ops.argmax(self, axis, keepdims, **torch_names)

    def eq(self, other: Any) -> Tensor:
        """Element-wise ``==`` as a boolean tensor (PyTorch's name)."""
        return ops.compare(self, other, "equal")

    def view(self, *shape: Any) -> Tensor:
        """PyTorch's name for :meth:`reshape` (``-1`` stands for the rest)."""
        return ops.reshape(self, *shape)

    def view_as(self, other: Tensor) -> Tensor:
        """This tensor reshaped to ``other``'s shape."""
        return ops.reshape(self, other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Axes ``start_dim`` … ``end_dim`` merged into one, see :func:`tinydl.flatten`."""
        return ops.flatten(self, start_dim, end_dim)

    def reshape(self, *shape: Any) -> Tensor:
        return ops.reshape(self, *shape)

    def transpose(self, *axes: Any) -> Tensor:
        return ops.transpose(self, *axes)

    def permute(self, *axes: Any) -> Tensor:
        return ops.transpose(self, *axes)

    @property
    def T(self) -> Tensor:  # noqa: N802  (NumPy's name)
        return ops.transpose(self)

    def clip(self, low: float | None = None, high: float | None = None) -> Tensor:
        return ops.clip(self, low, high)

    def relu(self) -> Tensor:
        return ops.relu(self)

    def sigmoid(self) -> Tensor:
        return ops.sigmoid(self)

    def tanh(self) -> Tensor:
        return ops.tanh(self)


def _as_array(
    data: Any, dtype: Any, device: DeviceLike | None, copy: bool, caller: str = "tensor()"
) -> Any:
    """``data`` as an array on ``device``: float32 by default for float data, ints stay ints.

    Arrays already on a GPU (or the fake device) stay there when no device is named.
    Only numbers and booleans become arrays; ``caller`` is named when anything else comes.
    """
    if isinstance(data, Tensor):
        data = data.array
    if backend.is_array(data):
        check_numeric_dtype(data.dtype, "data", caller)
    else:
        data = numeric_array(data, "data", caller)
    if dtype is None:
        dtype = get_default_dtype() if data.dtype.kind == "f" else data.dtype
    data = data.astype(parse_dtype(dtype, caller), copy=copy)
    if device is None:
        current = backend.device_of(data)
        device = current if current != "cpu" else backend.get_default_device()
    return backend.to_device(data, device)


def _wrapped(data: Any) -> Any:
    """The array ``Tensor(data)`` holds: an array or NumPy scalar as it is, other data as
    :func:`tensor` would make it; refused unless it holds numbers or booleans."""
    if isinstance(data, np.generic):  # NumPy's full reductions give scalars: keep dtype
        data = np.asarray(data)
    if backend.is_array(data):
        check_numeric_dtype(data.dtype, "data", "Tensor()")
        return data
    return _as_array(data, None, None, copy=False, caller="Tensor()")


def tensor(
    data: Any,
    requires_grad: bool = False,
    dtype: Any = None,
    device: DeviceLike | None = None,
) -> Tensor:
    """Make a Tensor from numbers, nested lists or an array (always a copy).

    Float data becomes float32 unless ``dtype`` says otherwise (use ``"float64"``
    for gradient checks); integer and boolean data keep their type. Arrays
    already on a GPU stay there unless ``device`` is given; other data goes to
    ``device`` or the default device (see :func:`tinydl.set_default_device`).
    """
    array = _as_array(data, dtype, device, copy=True)
    if requires_grad:
        check_can_require_grad(array.dtype, "tensor(requires_grad=True)")
    return Tensor(array, requires_grad)


from tinydl import ops  # noqa: E402  (ops build on Tensor, and Tensor's methods call them)
