"""``Tensor``: an array, the gradient of the loss with respect to it, and the Function that
made it.

A Tensor holds one array (``data``) on one device. If it ``requires_grad``, the
operations applied to it are recorded, and ``backward()`` fills in ``grad``
(another Tensor of the same shape) for every leaf the result depends on.
"""

from __future__ import annotations

import warnings
import weakref
from numbers import Number
from typing import Any

import numpy as np

from tinydl import backend, check
from tinydl.autograd.default_dtype import get_default_dtype
from tinydl.autograd.tensor_methods import TensorMethods
from tinydl.backend import Device, DeviceLike
from tinydl.dtypes import UnsupportedDtype
from tinydl.not_offered import attribute_error

DEFAULT_FLOAT = np.dtype(np.float32)


class Tensor(TensorMethods):
    """An n-dimensional array with automatic differentiation. Build one with :func:`tensor`.

    Its operations as methods (``x.sum()``, ``x.split(n)``) come from
    :class:`~tinydl.autograd.tensor_methods.TensorMethods`, one line each over ``tinydl.ops``.
    """

    __slots__ = ("array", "_grad", "requires_grad", "creator", "__weakref__")
    # Make NumPy hand ``ndarray * tensor`` over to Tensor.__rmul__ instead of looping over it.
    __array_ufunc__ = None

    def __init__(self, data: Any, requires_grad: bool = False) -> None:
        # One cheap test for the common case (an op's output); the rest in _as_array.
        if requires_grad is not False and requires_grad is not True:
            raise TypeError(
                f"Tensor(data, requires_grad) needs requires_grad to be True or False, got "
                f"{requires_grad!r}; PyTorch's torch.Tensor(3, 4) (an uninitialised tensor of "
                f"that shape) is tinydl.empty(3, 4)"
            )
        if type(data) is not np.ndarray or data.dtype.kind not in check.NUMERIC_KINDS:
            data = _wrapped(data)
        self.array = data
        self._grad: Tensor | None = None
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
    def grad(self) -> Tensor | None:
        """dLoss/dself after ``backward()``, a Tensor of this tensor's shape (None before)."""
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        # Refused here, as PyTorch refuses it, rather than deep inside the next backward() or
        # broadcast silently by the next optimiser step. (Another float dtype is allowed: the
        # optimisers cast a gradient to its parameter's dtype.)
        if value is not None and (not isinstance(value, Tensor) or value.shape != self.shape):
            raise TypeError(
                f"a tensor's grad must be None or a Tensor of its shape {self.shape}, got "
                + (f"a Tensor of shape {value.shape}" if isinstance(value, Tensor)
                   else f"{type(value).__name__} {value!r:.40}")
                + ": clear it with x.grad = None (or x.grad.zero_())"
            )
        self._grad = value

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
        return self.array.shape[check.axis("size()", "dim", dim, self.ndim)]

    def numel(self) -> int:
        """The number of elements (``nelement()`` is PyTorch's other name for it)."""
        return self.array.size

    nelement = numel

    def dim(self) -> int:
        """The number of dimensions (PyTorch's name for :attr:`ndim`)."""
        return self.array.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.array.dtype

    @property
    def device(self) -> Device:
        return backend.device_of(self.array)

    @property
    def is_cuda(self) -> bool:
        return self.device.kind == "cuda"

    @property
    def is_cpu(self) -> bool:
        return self.device.kind == "cpu"

    # PyTorch's probes for devices and layouts tinydl never makes (Intel and Apple GPUs, the
    # meta device, sparse, quantised, nested and MKL-DNN tensors): always False, so that
    # ``if x.is_cuda or x.is_xpu:`` reads as it does in PyTorch.
    is_xpu = is_mps = is_meta = is_sparse = is_quantized = is_nested = is_mkldnn = property(
        lambda self: False
    )

    def is_floating_point(self) -> bool:
        return self.dtype.kind == "f"

    def is_complex(self) -> bool:
        return self.dtype.kind == "c"

    @property
    def is_leaf(self) -> bool:
        return self.creator is None

    @property
    def grad_fn(self) -> Any:
        """The Function that made this tensor (``None`` for a leaf), PyTorch's ``grad_fn``:
        ``y.grad_fn.next_functions`` walks the graph towards the leaves."""
        return self.creator

    def type(self, dtype: Any = None) -> Any:
        """Without an argument, PyTorch's name of this tensor's type ('torch.FloatTensor',
        'torch.cuda.LongTensor'); with a dtype (or such a name), this tensor cast to it."""
        dtype = getattr(dtype, "legacy_name", dtype)  # x.type(tinydl.LongTensor)
        if dtype is None:
            name = TYPE_NAMES.get(self.dtype)
            if name is None:
                return f"tinydl.Tensor of {self.dtype}"  # PyTorch has no name for it
            return f"torch.{'cuda.' if self.is_cuda else ''}{name}Tensor"
        if isinstance(dtype, str) and dtype.startswith("torch."):
            kind, _, name = dtype.removeprefix("torch.").rpartition(".")
            by_name = {v: k for k, v in TYPE_NAMES.items()}
            if kind not in ("", "cuda") or name.removesuffix("Tensor") not in by_name:
                raise TypeError(f"type({dtype!r}): not a tensor type PyTorch names")
            return self.to("cuda" if kind else self.device, by_name[name.removesuffix("Tensor")])
        return self.to(dtype)

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

    def __index__(self) -> int:
        """A one-element integer tensor as a list index: ``classes[pred.argmax()]``."""
        if self.dtype.kind not in "biu" or self.array.size != 1:
            raise TypeError(
                f"only integer tensors of a single element can be converted to an index, this "
                f"one has dtype {self.dtype} and shape {self.shape}"
            )
        return int(self.item())

    def __format__(self, spec: str) -> str:
        """``f"{loss:.4f}"``: a 0-d tensor formats as its number; other tensors take no format
        spec, as in PyTorch (format ``x.item()`` or each element instead)."""
        if self.ndim == 0:
            return format(self.item(), spec)
        if spec:
            raise TypeError(
                f"unsupported format string {spec!r} for a tensor of shape {self.shape}: only "
                f"0-d tensors format as a number; use x.item() of a one-element tensor"
            )
        return str(self)

    def __iter__(self) -> Any:
        """The sub-tensors along the first axis, ``for row in x``."""
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor: use x.item() for its value")
        return (self[i] for i in range(len(self)))

    def __contains__(self, element: Any) -> bool:
        """``value in x``: whether any element equals ``value``."""
        if not isinstance(element, (Tensor, Number, np.generic)):
            raise TypeError(
                f"`in` on a tensor looks for a number or a tensor, got {type(element).__name__}"
            )
        return bool((self == element).array.any())

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
            tensor_checks.check_can_require_grad(self.dtype, "requires_grad_()")
        self.requires_grad = requires_grad
        return self

    def retain_grad(self) -> None:
        """Keep this non-leaf tensor's gradient in ``.grad`` at the next backward() (a leaf
        keeps its own already)."""
        if not self.requires_grad:
            raise RuntimeError(
                "retain_grad() on a tensor that does not require grad: it gets no gradient"
            )
        if self.creator is not None:
            self.creator.retained_output = weakref.ref(self)  # the walk fills it in

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
        tensor_checks.holds("fill_()", value, self.dtype)
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
    def add_(self, other: Any, alpha: Any = 1) -> Tensor:
        """``self += alpha * other`` in place (PyTorch's ``p.data.add_(p.grad, alpha=-lr)``).
        The old order ``add_(alpha, other)`` (``p.data.add_(-lr, p.grad.data)``) still runs,
        with PyTorch's deprecation warning."""
        other, alpha = _alpha_last("add_", other, alpha)
        return self._update_in_place("add_", other if alpha == 1 else other * alpha, "__iadd__")

    def sub_(self, other: Any, alpha: Any = 1) -> Tensor:
        """``self -= alpha * other`` in place (``sub_(alpha, other)`` as for :meth:`add_`)."""
        other, alpha = _alpha_last("sub_", other, alpha)
        return self._update_in_place("sub_", other if alpha == 1 else other * alpha, "__isub__")

    def unsqueeze_(self, dim: int) -> Tensor:
        """Insert an axis of length 1 at ``dim``, in place (see :meth:`unsqueeze`)."""
        return self._reshape_in_place("unsqueeze_", ops.unsqueeze(self.detach(), dim))

    def squeeze_(self, dim: Any = None) -> Tensor:
        """Drop axes of length 1 (or axis ``dim``), in place (see :meth:`squeeze`)."""
        return self._reshape_in_place("squeeze_", ops.squeeze(self.detach(), dim))

    def mul_(self, other: Any) -> Tensor:
        """``self *= other`` in place."""
        return self._update_in_place("mul_", other, "__imul__")

    def div_(self, other: Any) -> Tensor:
        """``self /= other`` in place."""
        return self._update_in_place("div_", other, "__itruediv__")

    def copy_(self, source: Any, non_blocking: bool = False) -> Tensor:
        """Overwrite every element with ``source``'s (broadcast to this shape) in place."""
        return self._update_in_place("copy_", source, "__setitem__", ...)

    def clamp_(self, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
        """Limit every element to [min, max] in place (see :func:`tinydl.clamp`)."""
        return self._update_in_place("clamp_", ops.clamp(self.detach(), min, max),
                                     "__setitem__", ...)

    def masked_fill_(self, mask: Any, value: Any) -> Tensor:
        """Write ``value`` where ``mask`` is True, in place (see :func:`tinydl.masked_fill`)."""
        return self._update_in_place("masked_fill_", ops.masked_fill(self.detach(), mask, value),
                                     "__setitem__", ...)

    def uniform_(self, a: float = 0.0, b: float = 1.0) -> Tensor:
        """Overwrite with uniform random numbers from [a, b) in place, drawn from the
        generator :func:`tinydl.manual_seed` seeds (``w.data.uniform_(-0.1, 0.1)``)."""
        drawn = factories.rand(*self.shape, dtype=self.dtype, device=self.device)
        return self._update_in_place("uniform_", drawn * (b - a) + a, "__setitem__", ...)

    def normal_(self, mean: float = 0.0, std: float = 1.0) -> Tensor:
        """Overwrite with normal random numbers in place (``w.data.normal_(0.0, 0.02)``)."""
        drawn = factories.randn(*self.shape, dtype=self.dtype, device=self.device)
        return self._update_in_place("normal_", drawn * std + mean, "__setitem__", ...)

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

    def _reshape_in_place(self, name: str, reshaped: Tensor) -> Tensor:
        """Let this tensor hold ``reshaped``'s array (the same values in a new shape), under
        the rule of every in-place change."""
        self._refuse_while_recording(name, None)
        self.array = reshaped.array
        return self

    def _refuse_while_recording(self, name: str, other: Any) -> None:
        from tinydl.autograd.function import is_grad_enabled  # function.py imports this module

        other_requires_grad = isinstance(other, Tensor) and other.requires_grad
        if is_grad_enabled() and (self.requires_grad or other_requires_grad):
            caller = "x[index] = value" if name == "__setitem__" else f"{name}()"
            out_of_place = _OUT_OF_PLACE.get(name, "x = x + y")
            raise RuntimeError(
                f"{caller} cannot change a tensor in place while gradients are recorded: "
                + ("it is a leaf that requires grad (a parameter); update it inside "
                   "`with tinydl.no_grad():` or through its .data"
                   if self.is_leaf and self.requires_grad else
                   f"tinydl records no in-place operations; build the result out of place "
                   f"instead ({out_of_place})")
            )

    def _update_in_place(
        self, name: str, other: Any, array_method: str, index: Any = None
    ) -> Tensor:
        self._refuse_while_recording(name, other)
        value = other.array if isinstance(other, Tensor) else other
        caller = "x[index] = value" if name == "__setitem__" else f"{name}()"
        if backend.is_array(value):
            tensor_checks.same_device(f"{name}()", "the value", value, "the tensor", self)
        elif name == "__setitem__" and np.isscalar(value):  # as fill_(), a number that does
            # not fit the dtype is refused
            tensor_checks.holds(caller, value, self.dtype)
        try:
            if array_method == "__setitem__":
                self.array[index] = value
            else:
                getattr(self.array, array_method)(value)
        except (TypeError, ValueError, OverflowError) as err:  # NumPy's casting, broadcasting
            raise (TypeError if isinstance(err, TypeError) else ValueError)(
                f"{caller} on a {self.dtype} tensor of shape {self.shape}: {err}"
            ) from None
        return self

    def __getattr__(self, name: str) -> Any:
        # Only reached for a name Tensor does not have: say what tinydl offers instead.
        raise attribute_error("Tensor", name)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """``np.asarray(x)`` for a tensor on the CPU; a GPU tensor must be moved first."""
        if self.device != "cpu":
            raise TypeError(
                f"cannot convert a tensor on {self.device} to a NumPy array: "
                "use x.cpu().numpy() (or x.numpy()), which copies it explicitly"
            )
        return self.array if dtype is None else self.array.astype(dtype, copy=False)

    def backward(self, gradient: Tensor | Any | None = None, retain_graph: bool = False) -> None:
        """Compute the gradient of this tensor with respect to every leaf it depends on.

        Without ``gradient``, this tensor must be a scalar (a loss): dLoss/dLoss = 1.
        Otherwise ``gradient`` is dLoss/dself, of this tensor's shape. Gradients add up
        into each leaf's ``.grad``; clear them between steps with ``zero_grad()``.
        """
        from tinydl.autograd.function import run_backward

        if not self.requires_grad:
            raise RuntimeError(
                "backward() on a tensor that does not require grad: create the inputs with "
                "requires_grad=True (and not inside no_grad()) to build a graph"
            )
        if gradient is None:
            if self.array.size != 1:
                raise RuntimeError(
                    f"backward() without a gradient needs a scalar, but this tensor has shape "
                    f"{self.shape}: reduce it first (e.g. .sum()) or pass gradient= of that "
                    f"shape"
                )
            xp = backend.array_module(self.array)
            grad_array = xp.ones(self.shape, dtype=self.dtype)
        else:
            grad_array = gradient.array if isinstance(gradient, Tensor) else gradient
            if tuple(grad_array.shape) != self.shape:
                raise ValueError(
                    f"backward(gradient) needs a gradient of shape {self.shape}, "
                    f"got {tuple(grad_array.shape)}"
                )
            tensor_checks.same_device("backward()", "gradient", grad_array, "the tensor", self)
        run_backward(self, grad_array, retain_graph)

    # ---- moving and casting --------------------------------------------------------------
    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """This tensor on another device and/or with another dtype, as PyTorch's ``to``:
        ``x.to(device)``, ``x.to(dtype)``, ``x.to(device, dtype)``, ``x.to(other_tensor)``
        (``device=``, ``dtype=``, ``copy=`` and ``non_blocking=`` as keywords). It is this
        tensor itself when nothing changes (unless ``copy=True``); gradients flow back across
        both changes."""
        device, dtype, copy = to_arguments(args, kwargs, "to()")
        moved = self
        if device is not None and self.device != device:
            moved = ops.to_device(moved, device)
        if dtype is not None and moved.dtype != dtype:
            moved = ops.astype(moved, dtype)
        return ops.clone(moved) if copy and moved is self else moved

    def cuda(self, device: Any = None, non_blocking: bool = False) -> Tensor:
        """This tensor on a GPU (GPU ``device`` or GPU 0)."""
        return self.to(backend.device("cuda" if device is None else device))

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def pin_memory(self) -> Tensor:
        """This tensor: tinydl copies host arrays to the GPU as they are (CuPy), without
        PyTorch's page-locked staging memory."""
        return self

    def astype(self, dtype: Any) -> Tensor:
        """This tensor with another dtype; gradients are cast back in backward."""
        return ops.astype(self, dtype)

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(other.dtype)

    def float(self) -> Tensor:
        return self.to(np.float32)

    def double(self) -> Tensor:
        return self.to(np.float64)

    def half(self) -> Tensor:
        return self.to(np.float16)

    def bfloat16(self) -> Tensor:
        """Refused: NumPy has no bfloat16 (see ``tinydl.bfloat16``)."""
        return self.to(_BFLOAT16)

    def long(self) -> Tensor:
        """As int64 (class labels), PyTorch's ``x.long()``."""
        return self.to(np.int64)

    def int(self) -> Tensor:
        return self.to(np.int32)

    def bool(self) -> Tensor:
        return self.to(np.bool_)

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

    def __pow__(self, exponent: Any) -> Tensor:
        return ops.pow(self, exponent)

    def __rpow__(self, base: Any) -> Tensor:
        return ops.pow(base, self)

    def __abs__(self) -> Tensor:
        return ops.abs(self)

    # Floor division and remainder jump instead of changing smoothly: outside the graph.
    def __floordiv__(self, other: Any) -> Tensor:
        return ops.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return ops.floor_divide(other, self)

    def __mod__(self, other: Any) -> Tensor:
        return ops.remainder(self, other)

    def __rmod__(self, other: Any) -> Tensor:
        return ops.remainder(other, self)

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


# PyTorch's legacy type names, as x.type() reports them ("torch.FloatTensor").
TYPE_NAMES = {
    np.dtype(np.float32): "Float", np.dtype(np.float64): "Double", np.dtype(np.float16): "Half",
    np.dtype(np.int64): "Long", np.dtype(np.int32): "Int", np.dtype(np.int16): "Short",
    np.dtype(np.int8): "Char", np.dtype(np.uint8): "Byte", np.dtype(np.bool_): "Bool",
    np.dtype(np.complex64): "ComplexFloat", np.dtype(np.complex128): "ComplexDouble",
}
_BFLOAT16 = UnsupportedDtype("bfloat16", "float32 (the default) or float16")


# How to write each in-place change out of place, for the refusal's message.
_OUT_OF_PLACE = {
    "__setitem__": "x = tinydl.where(mask, value, x), x.masked_fill(mask, value) or tinydl.cat",
    "unsqueeze_": "x = x.unsqueeze(dim)",
    "squeeze_": "x = x.squeeze(dim)",
}


def _alpha_last(name: str, other: Any, alpha: Any) -> tuple[Any, Any]:
    """``(other, alpha)`` of ``add_``/``sub_``, turning the deprecated order ``(alpha, other)``
    (a number, then a tensor) round with the warning PyTorch gives for it."""
    if isinstance(other, Number) and isinstance(alpha, Tensor):
        warnings.warn(
            f"This overload of {name} is deprecated: {name}(Number alpha, Tensor other); "
            f"use {name}(Tensor other, *, Number alpha=1) instead",
            UserWarning, stacklevel=3,
        )
        return alpha, other
    return other, alpha


def is_dtype(value: Any) -> bool:
    """A dtype as PyTorch code passes one: ``tinydl.float32`` (a NumPy dtype), a NumPy type
    such as ``np.float32``, or a name NumPy has no type for (``tinydl.bfloat16``)."""
    return isinstance(value, (np.dtype, UnsupportedDtype)) or (
        isinstance(value, type) and issubclass(value, np.generic)
    )


def to_arguments(
    args: tuple[Any, ...], kwargs: dict[str, Any], caller: str
) -> tuple[Device | None, np.dtype | None, bool]:
    """The device, dtype and ``copy`` flag of PyTorch's ``to(...)`` forms: ``to(device)``,
    ``to(dtype)``, ``to(device, dtype)``, ``to(tensor)``, with ``device=``, ``dtype=``,
    ``copy=``, ``non_blocking=`` (accepted: tinydl's copies finish before they return) and
    ``memory_format=`` (accepted: tinydl has one layout) as keywords. ``None`` is no change."""
    unknown = set(kwargs) - {"device", "dtype", "non_blocking", "copy", "memory_format"}
    if unknown:
        raise TypeError(f"{caller} got an unexpected keyword argument {sorted(unknown)[0]!r}")
    device, dtype = kwargs.get("device"), kwargs.get("dtype")
    positional = list(args)
    if len(positional) == 1 and isinstance(positional[0], Tensor):
        other = positional.pop()
        device, dtype = other.device, other.dtype
    if positional and not is_dtype(positional[0]):
        device = positional.pop(0)
    if positional and is_dtype(positional[0]):
        dtype = positional.pop(0)
    if positional:
        raise TypeError(
            f"{caller} takes a device, a dtype, both (device first) or a tensor, got "
            f"{', '.join(repr(a) for a in args)}"
        )
    if isinstance(device, str) and device.strip().lower() not in ("", "cpu", "fake") and \
            not device.strip().lower().startswith("cuda"):
        try:
            named = check.dtype(caller, "dtype", device)
        except TypeError:
            named = None
        if named is not None:
            raise TypeError(
                f"{caller}: {device!r} is read as a device, as in PyTorch; for the dtype pass "
                f"tinydl.{named.name}"
            )
    return (
        None if device is None else backend.device(device),
        None if dtype is None else check.dtype(caller, "dtype", dtype),
        bool(kwargs.get("copy", False)),
    )


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
        check.numeric_dtype(caller, "data", data.dtype)
    else:  # numbers a program wrote, which PyTorch too refuses to wrap (300 in int8 is 44)
        data = tensor_checks.numeric_array(data, "data", caller)
        if dtype is not None:
            tensor_checks.holds(caller, data, check.dtype(caller, "dtype", dtype))
    if dtype is None:
        dtype = get_default_dtype() if data.dtype.kind == "f" else data.dtype
    data = data.astype(check.dtype(caller, "dtype", dtype), copy=copy)
    if device is None:
        current = backend.device_of(data)
        device = current if current != "cpu" else backend.get_default_device()
    return backend.to_device(data, device)


def _wrapped(data: Any) -> Any:
    """The array ``Tensor(data)`` holds: an array or NumPy scalar as it is; other data (lists,
    numbers) in the default float dtype, as PyTorch's ``torch.Tensor([1, 2])`` makes floats;
    refused unless it holds numbers or booleans."""
    if isinstance(data, np.generic):  # NumPy's full reductions give scalars: keep dtype
        data = np.asarray(data)
    if backend.is_array(data):
        check.numeric_dtype("Tensor()", "data", data.dtype)
        return data
    if isinstance(data, int):  # bool too
        raise TypeError(
            f"Tensor({data!r}): PyTorch's torch.Tensor(n) is an uninitialised tensor of n "
            f"elements; use tinydl.empty({data!r}) (or zeros) for that, tinydl.tensor({data!r}) "
            f"for the number"
        )
    return _as_array(data, get_default_dtype(), None, copy=False, caller="Tensor()")


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
        tensor_checks.check_can_require_grad(array.dtype, "tensor(requires_grad=True)")
    return Tensor(array, requires_grad)


def from_numpy(array: np.ndarray) -> Tensor:
    """A CPU tensor holding ``array`` itself, not a copy, as PyTorch's: writing into one
    changes the other. Its dtype is the array's (a float64 array stays float64)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(
            f"from_numpy() takes a NumPy array, got {type(array).__name__}; use "
            f"tinydl.tensor(data) for other data"
        )
    check.numeric_dtype("from_numpy()", "array", array.dtype)
    return Tensor(array)


def as_tensor(data: Any, dtype: Any = None, device: DeviceLike | None = None) -> Tensor:
    """``data`` as a tensor, sharing memory where it can: a tensor or array already of that
    dtype and on that device is used as it is; anything else is copied (PyTorch's rule)."""
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dtype)
    if backend.is_array(data) and (
        dtype is None or data.dtype == check.dtype("as_tensor()", "dtype", dtype)
    ):
        check.numeric_dtype("as_tensor()", "data", data.dtype)
        return Tensor(data).to(device=device)
    return tensor(data, dtype=dtype, device=device)


def is_tensor(value: Any) -> bool:
    """Whether ``value`` is a tinydl Tensor (parameters included)."""
    return isinstance(value, Tensor)


def numel(x: Tensor) -> int:
    """The number of elements of ``x``."""
    return tensor_checks.tensor("numel()", "x", x).numel()


from tinydl import ops  # noqa: E402  (ops build on Tensor, and Tensor's methods call them)
from tinydl.autograd import factories, tensor_checks  # noqa: E402  (they make and check Tensors)
