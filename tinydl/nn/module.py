"""``Module``: a piece of a model that owns parameters and knows how to run forward.

Parameters and buffers are found by looking at the module's attributes, in the
order they were assigned, so a layer is written as plain Python: assign
``self.weight = Parameter(...)`` in ``__init__`` and use it in ``forward``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from tinydl import backend
from tinydl.autograd import Tensor, no_grad
from tinydl.autograd import tensor as to_tensor
from tinydl.autograd.checks import check_can_require_grad, check_numeric_dtype, numeric_array
from tinydl.backend import DeviceLike
from tinydl.backend.fast_path_switch import fast_paths


class Parameter(Tensor):
    """A Tensor that a Module trains: it always requires grad and is listed by
    ``parameters()``."""

    def __init__(self, data: Any) -> None:
        super().__init__(data, requires_grad=True)
        check_can_require_grad(self.dtype, "Parameter()")


class Buffer(Tensor):
    """A Tensor a Module keeps but does not train (e.g. BatchNorm's running mean). It is
    saved in ``state_dict()`` and moved by ``to()``, but never handed to an optimiser."""


# Observers see every module call (installed by call_observed): summary() records output
# shapes with one, tinydl.viz.feature_maps() the convolutions' outputs.
_call_observers: list[Callable[[Module, Any], None]] = []


def call_observed(model: Module, observer: Callable[[Module, Any], None], *inputs: Any) -> Any:
    """``model(*inputs)`` in evaluation mode and without building a graph, with ``observer``
    called on every module call as ``observer(module, output)``. The fast paths are off
    meanwhile, so every layer is called (no fused block skips one). Each module's own mode
    is restored afterwards: a model may keep, say, a frozen BatchNorm in eval mode while
    the rest trains."""
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    _call_observers.append(observer)
    try:
        with no_grad(), fast_paths(False):
            return model(*inputs)
    finally:
        _call_observers.remove(observer)
        for module, training in modes:
            module.training = training


class Module:
    """Base class of every layer and model (PyTorch's ``nn.Module``)."""

    training: bool = True

    def forward(self, *inputs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *inputs: Any, **options: Any) -> Any:
        if any(backend.is_array(x) for x in inputs):  # model(numpy_array), as Keras allows
            inputs = tuple(self._as_input(x) for x in inputs)
        output = self.forward(*inputs, **options)  # options: e.g. attention's mask=, causal=
        for observer in _call_observers:
            observer(self, output)
        return output

    def _as_input(self, value: Any) -> Any:
        """An array handed to the module as a Tensor on the module's device; a float array
        takes the module's float dtype (a float64 NumPy array meets a float32 model)."""
        if not backend.is_array(value):
            return value
        first = next(self._named_tensors(Tensor), None)
        if first is None:
            return to_tensor(value)
        like = first[1]
        dtype = like.dtype if value.dtype.kind == "f" and like.dtype.kind == "f" else None
        return to_tensor(value, dtype=dtype, device=like.device)

    # ---- what it contains ----------------------------------------------------------------
    def named_children(self) -> Iterator[tuple[str, Module]]:
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    if isinstance(item, Module):
                        yield f"{name}.{i}", item

    def children(self) -> Iterator[Module]:
        for _, child in self.named_children():
            yield child

    def modules(self) -> Iterator[Module]:
        """This module and every module inside it, depth first."""
        yield self
        for child in self.children():
            yield from child.modules()

    def apply(self, function: Callable[[Module], Any]) -> Module:
        """Call ``function`` on every module inside this one and then on this one (PyTorch's
        order: children first), e.g. ``model.apply(init_weights)``; returns this module."""
        if not callable(function):
            raise TypeError(f"apply() needs a function of one module, got {function!r}")
        for child in self.children():
            child.apply(function)
        function(self)
        return self

    def _named_tensors(self, kind: type[Tensor], prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        seen: set[int] = set()  # a tensor shared by two layers (weight tying) is listed once
        for name, value in self._own_and_nested(kind, prefix):
            if id(value) not in seen:
                seen.add(id(value))
                yield name, value

    def _own_and_nested(self, kind: type[Tensor], prefix: str) -> Iterator[tuple[str, Tensor]]:
        for name, value in vars(self).items():
            if isinstance(value, kind):
                yield prefix + name, value
        for name, child in self.named_children():
            yield from child._own_and_nested(kind, f"{prefix}{name}.")

    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        self._check_built()
        yield from self._named_tensors(Parameter)  # type: ignore[misc]

    def parameters(self) -> Iterator[Parameter]:
        """Every trainable tensor, to hand to an optimiser: ``Adam(model.parameters())``."""
        for _, parameter in self.named_parameters():
            yield parameter

    def named_buffers(self) -> Iterator[tuple[str, Buffer]]:
        yield from self._named_tensors(Buffer)  # type: ignore[misc]

    def _check_built(self) -> None:
        for module in self.modules():
            if getattr(module, "needs_build", False):
                raise RuntimeError(
                    f"{module!r} does not know its input size yet, so it has no parameters: "
                    f"call the model once on an example batch (or tinydl.nn.summary(model, "
                    f"input_shape)) before asking for parameters(), or give the input size"
                )

    # ---- training state ------------------------------------------------------------------
    def zero_grad(self) -> None:
        """Forget the gradients of the last backward pass (they would add up otherwise)."""
        for parameter in self.parameters():
            parameter.grad = None

    def train(self, mode: bool = True) -> Module:
        """Training mode: Dropout drops, BatchNorm uses batch statistics."""
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        """Evaluation mode: Dropout is off, BatchNorm uses its running statistics."""
        return self.train(False)

    # ---- devices and saving --------------------------------------------------------------
    def to(self, device: DeviceLike) -> Module:
        """Move every parameter (with its gradient) and buffer to ``device``, in place."""
        target = backend.device(device)
        for _, tensor in [*self._named_tensors(Parameter), *self.named_buffers()]:
            tensor.array = backend.to_device(tensor.array, target)
            if tensor.grad is not None:
                tensor.grad = Tensor(backend.to_device(tensor.grad.array, target))
        return self

    def double(self) -> Module:
        """Cast every floating-point parameter, gradient and buffer to float64, in place (for
        gradient checks). An optimiser over these parameters follows on its next step."""
        return self._cast(np.float64)

    def float(self) -> Module:
        """Cast every floating-point parameter, gradient and buffer to float32, in place."""
        return self._cast(np.float32)

    def _cast(self, dtype: Any) -> Module:
        for _, tensor in [*self._named_tensors(Parameter), *self.named_buffers()]:
            if tensor.dtype.kind == "f":
                tensor.array = tensor.array.astype(dtype, copy=False)
                if tensor.grad is not None:
                    tensor.grad = Tensor(tensor.grad.array.astype(dtype, copy=False))
        return self

    def state_dict(self) -> OrderedDict[str, np.ndarray]:
        """Host NumPy copies of every parameter and buffer, by dotted name.

        Copies, so saving never moves or aliases the live model (even on a GPU).
        """
        return OrderedDict(
            (name, backend.to_numpy(t.array).copy())
            for name, t in [*self.named_parameters(), *self.named_buffers()]
        )

    def load_state_dict(self, state: dict[str, Any], allow_nonfinite: bool = False) -> None:
        """Copy values in from ``state``; every name and shape must match, or nothing changes.

        Values that are not numbers are refused, and so are NaN or infinite values (what a
        model saved after its training diverged holds), unless ``allow_nonfinite=True``.
        """
        own = OrderedDict([*self.named_parameters(), *self.named_buffers()])
        if not isinstance(state, Mapping):
            raise TypeError(
                f"load_state_dict() needs state to be a dict of name -> array, such as "
                f"model.state_dict(), got {type(state).__name__}"
            )
        state = {name: _host_values(name, value) for name, value in state.items()}
        missing = [name for name in own if name not in state]
        unexpected = [name for name in state if name not in own]
        wrong_shape = [
            f"{name}: model has {own[name].shape}, state has {state[name].shape}"
            for name in own
            if name in state and state[name].shape != own[name].shape
        ]
        problems = []
        if missing:
            problems.append("missing " + ", ".join(missing))
        if unexpected:
            problems.append("unexpected " + ", ".join(unexpected))
        if wrong_shape:
            problems.append("shape mismatch for " + "; ".join(wrong_shape))
        if problems:
            raise ValueError("load_state_dict() does not fit this model: " + " | ".join(problems))
        # Convert every value before assigning any, so a refused value also leaves the model
        # unchanged. np.array copies: the model never aliases the caller's arrays.
        values = [np.array(state[name], dtype=tensor.dtype) for name, tensor in own.items()]
        if not allow_nonfinite:
            for name, host in zip(own, values, strict=True):
                bad = int(host.size - np.isfinite(host).sum()) if host.dtype.kind in "fc" else 0
                if bad:
                    raise ValueError(
                        f"load_state_dict(): state[{name!r}] holds {bad} NaN or infinite "
                        f"value(s) of {host.size}, so the model would compute NaN (was it saved "
                        f"after training diverged?); pass allow_nonfinite=True to load it anyway"
                    )
        for target, host in zip(own.values(), values, strict=True):
            target.array = backend.to_device(host, target.device)

    # ---- display -------------------------------------------------------------------------
    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        children = list(self.named_children())
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"{type(self).__name__}("]
        for name, child in children:
            lines.append("  " + f"({name}): {child!r}".replace("\n", "\n  "))
        return "\n".join(lines) + "\n)"


def _host_values(name: str, value: Any) -> np.ndarray:
    """One ``state_dict`` value (a Tensor, an array of any device, nested lists) on the host,
    refused unless it holds numbers."""
    value = value.array if isinstance(value, Tensor) else value
    argument = f"state[{name!r}]"
    if backend.is_array(value):
        check_numeric_dtype(value.dtype, argument, "load_state_dict()")
        return backend.to_numpy(value)
    return numeric_array(value, argument, "load_state_dict()")
