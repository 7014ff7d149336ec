"""``Function``: one differentiable operation, and the backward walk over a graph of them.

A Function's ``forward`` computes on raw arrays and saves what ``backward`` will
need; ``backward`` receives the gradient of the loss with respect to the
output and returns the gradient with respect to each input (the chain rule,
one link at a time). Calling a Function on Tensors runs ``forward`` and, when
gradients are wanted, records the Function as the output's creator: that record
is the computational graph.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from tinydl import check
from tinydl.autograd.tensor import Tensor
from tinydl.autograd.tensor_checks import one_device
from tinydl.errors import AxisError

_grad_enabled = True


def is_grad_enabled() -> bool:
    """True unless inside :func:`no_grad` (or after ``set_grad_enabled(False)``)."""
    return _grad_enabled


def _set_grad_enabled(mode: bool) -> None:
    global _grad_enabled
    _grad_enabled = mode


class _GradSwitch:
    """A block in which gradients are recorded or not (``recording``), restored at its end;
    also a decorator, ``@tinydl.no_grad()``, that runs a whole function so."""

    recording = False

    def __enter__(self) -> None:
        self.__dict__.setdefault("previous", []).append(_grad_enabled)  # a stack: reentrant
        _set_grad_enabled(self.recording)

    def __exit__(self, *exception: object) -> None:
        _set_grad_enabled(self.previous.pop())

    def __call__(self, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def switched(*args: Any, **kwargs: Any) -> Any:
            with self._fresh():
                return function(*args, **kwargs)

        return switched

    def _fresh(self) -> _GradSwitch:
        """The switch one call of a decorated function enters."""
        return self


class no_grad(_GradSwitch):  # noqa: N801  (PyTorch's name)
    """Build no graph inside this block (evaluation, optimiser updates). Also a decorator,
    with or without parentheses: ``@tinydl.no_grad()`` or ``@tinydl.no_grad``."""

    def __new__(cls, function: Callable[..., Any] | None = None) -> Any:
        switch = super().__new__(cls)
        return switch if function is None else switch(function)


class inference_mode(_GradSwitch):  # noqa: N801  (PyTorch's name)
    """PyTorch's faster :class:`no_grad` for inference; in tinydl it is exactly ``no_grad``
    (``inference_mode(False)`` changes nothing, as in PyTorch). Also a decorator."""

    def __new__(cls, mode: Any = True) -> Any:
        switch = super().__new__(cls)
        return switch(mode) if callable(mode) else switch  # @inference_mode, no parentheses

    def __init__(self, mode: Any = True) -> None:
        self.mode = True if callable(mode) else check.flag("inference_mode()", "mode", mode)

    def __enter__(self) -> None:
        self.recording = False if self.mode else _grad_enabled
        super().__enter__()


class set_grad_enabled(_GradSwitch):  # noqa: N801  (PyTorch's name)
    """Turn gradient recording on or off: at once when called (``set_grad_enabled(False)``),
    or for a block, ``with set_grad_enabled(phase == "train"):``, after which the mode from
    before the call returns. Also a decorator."""

    def __init__(self, mode: Any) -> None:
        self.recording = check.flag("set_grad_enabled()", "mode", mode)
        self.before = _grad_enabled
        _set_grad_enabled(self.recording)  # PyTorch switches when called, not at the `with`

    def __enter__(self) -> None:
        _set_grad_enabled(self.recording)

    def __exit__(self, *exception: object) -> None:
        _set_grad_enabled(self.before)

    def __call__(self, function: Callable[..., Any]) -> Callable[..., Any]:
        _set_grad_enabled(self.before)  # as a decorator it switches only inside the function
        return super().__call__(function)

    def _fresh(self) -> _GradSwitch:
        return set_grad_enabled(self.recording)


class Function:
    """Base class of every operation: subclasses write ``forward`` and ``backward``.

    ``self.needs_grad[i]`` tells ``backward`` whether input ``i`` wants a
    gradient, so it can skip work (return ``None``) for constants.

    tinydl's ops write both as methods on arrays and are called as instances,
    ``Exp()(x)``. A subclass written PyTorch's way, with ``@staticmethod forward(ctx,
    *args)`` and ``backward(ctx, *grads)`` on Tensors, is called through
    :meth:`apply` (see :mod:`tinydl.autograd.custom_function`).
    """

    inputs: tuple[Tensor, ...]
    needs_grad: tuple[bool, ...]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        from tinydl.autograd.custom_function import is_static_form  # it builds on Function

        if is_static_form(cls):
            cls.__call__ = _call_through_apply  # type: ignore[method-assign]

    @classmethod
    def apply(cls, *args: Any) -> Tensor:
        """Run this Function on ``args`` and record it: PyTorch's ``MyFunction.apply(x)``.
        A static ``forward(ctx, ...)`` gets a ``ctx`` and the arguments as given; one of
        tinydl's ops is built without arguments and called on its tensors, ``Exp()(x)``."""
        from tinydl.autograd.custom_function import apply_own, apply_static, is_static_form

        return apply_static(cls, args) if is_static_form(cls) else apply_own(cls, args)

    def __call__(self, *inputs: Tensor) -> Tensor:
        try:
            arrays = [t.array for t in inputs]
        except AttributeError:
            raise _not_tensors(self, inputs) from None
        if any(type(a) is not np.ndarray for a in arrays):
            if not all(isinstance(t, Tensor) for t in inputs):  # an ndarray has .data too
                raise _not_tensors(self, inputs)
            one_device(f"{type(self).__name__.lower()}()", "its inputs", arrays)
        try:
            output = Tensor(self.forward(*arrays))
        except np.exceptions.AxisError as err:  # one message for every op that takes an axis
            raise AxisError(
                f"{type(self).__name__.lower()}(): axis {err.axis} is out of range for a tensor "
                f"of shape {inputs[0].shape}: axes run from {-err.ndim} to {err.ndim - 1}"
            ) from None
        if _grad_enabled and any(t.requires_grad for t in inputs):
            output.requires_grad = True
            output.creator = self
            self.inputs = inputs
            self.needs_grad = tuple(t.requires_grad for t in inputs)
        return output

    def forward(self, *xs: Any) -> Any:
        raise NotImplementedError

    def backward(self, grad_output: Any) -> Any:
        """Return one gradient per input (a tuple), or a single array for one input."""
        raise NotImplementedError

    # ---- a read-only view of the graph, under PyTorch's names (``y.grad_fn``) -------------
    def name(self) -> str:
        """``"MulBackward"`` for a :class:`~tinydl.ops.arithmetic.Mul`: PyTorch's naming of
        the graph node whose backward this Function runs (PyTorch adds a version number,
        ``MulBackward0``)."""
        return f"{type(self).__name__}Backward"

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        """One ``(node, 0)`` pair per input, as PyTorch's ``grad_fn.next_functions``: the
        Function that made the input, an :class:`AccumulateGrad` for a leaf that requires
        grad (its ``.variable`` is that leaf), or ``None`` for a constant."""
        inputs = self.__dict__.get("inputs")
        if inputs is None:
            raise RuntimeError(
                f"{self.name()}.next_functions: this part of the graph is gone, freed by "
                f"backward() (pass retain_graph=True to keep it) or never recorded"
            )
        return tuple((graph_node(tensor), 0) for tensor in inputs)

    def __repr__(self) -> str:
        return f"<{self.name()} ({type(self).__module__}.{type(self).__qualname__})>"


def _call_through_apply(self: Function, *args: Any) -> Tensor:
    raise RuntimeError(
        f"{type(self).__name__} has a static forward(ctx, ...), PyTorch's form: call it as "
        f"{type(self).__name__}.apply(...), not through an instance"
    )


class AccumulateGrad:
    """The graph node PyTorch shows for a leaf that requires grad: backward ends there,
    adding into ``variable.grad``."""

    next_functions: tuple[tuple[Any, int], ...] = ()

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    def name(self) -> str:
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return f"<AccumulateGrad (into .grad of a leaf of shape {self.variable.shape})>"


def graph_node(tensor: Tensor) -> Function | AccumulateGrad | None:
    """The node backward reaches ``tensor`` through: its creator, an AccumulateGrad for a
    leaf that requires grad, ``None`` for a constant."""
    if tensor.creator is not None:
        return tensor.creator
    return AccumulateGrad(tensor) if tensor.requires_grad else None


def _not_tensors(function: Function, inputs: tuple[Any, ...]) -> TypeError:
    position, value = next((i, t) for i, t in enumerate(inputs) if not isinstance(t, Tensor))
    return TypeError(
        f"{type(function).__name__.lower()}() takes Tensors, but input {position} is a "
        f"{type(value).__name__}: make one with tinydl.tensor(values)"
    )


def sum_to_shape(grad: Any, shape: tuple[int, ...]) -> Any:
    """Undo broadcasting: sum ``grad`` over the axes along which an input of ``shape`` was
    stretched. If ``y = x + b`` broadcast ``b`` across rows, every row used ``b``, so
    ``b``'s gradient is the sum of the rows' gradients."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    stretched = tuple(
        i + extra for i, n in enumerate(shape) if n == 1 and grad.shape[i + extra] != 1
    )
    grad = grad.sum(axis=tuple(range(extra)) + stretched, keepdims=True)
    return grad.reshape(shape)


def topological_order(root: Function) -> list[Function]:
    """Every Function that ``root`` depends on, each after all the Functions it consumes.

    An explicit stack instead of recursion, so a chain of 100,000 ops is no problem.
    """
    order: list[Function] = []
    visited: set[int] = set()
    stack: list[tuple[Function, bool]] = [(root, False)]
    while stack:
        function, inputs_done = stack.pop()
        if inputs_done:
            order.append(function)
            continue
        if id(function) in visited:
            continue
        if not hasattr(function, "inputs"):
            raise RuntimeError(
                "backward() through a graph a second time: its saved values were freed by the "
                "first backward(); pass retain_graph=True to the first call if you need two"
            )
        visited.add(id(function))
        stack.append((function, True))
        for tensor in function.inputs:
            if tensor.creator is not None and id(tensor.creator) not in visited:
                stack.append((tensor.creator, False))
    return order


_queued_callbacks: list[Callable[[], None]] = []  # to run when the walk in progress ends


def queue_callback(callback: Callable[[], None]) -> None:
    """Run ``callback()`` when the backward walk in progress has finished, every ``.grad``
    complete (PyTorch's ``queue_callback``): DistributedDataParallel averages them then."""
    _queued_callbacks.append(callback)


def run_backward(root: Tensor, grad: Any, retain_graph: bool = False) -> None:
    """Propagate ``grad`` (dLoss/droot) back through the graph into each leaf's ``.grad``,
    then run the callbacks that the walk's Functions queued (:func:`queue_callback`).

    Functions are visited consumers-first, so when a Function runs, the gradient
    of its output is complete: every use of that output has added its share.
    """
    try:
        _walk(root, grad, retain_graph)
        while _queued_callbacks:
            _queued_callbacks.pop(0)()
    finally:
        _queued_callbacks.clear()  # a walk that raised leaves none for the next one


def _walk(root: Tensor, grad: Any, retain_graph: bool) -> None:
    if root.creator is None:
        _accumulate_grad(root, grad)
        return
    output_grads: dict[int, Any] = {id(root.creator): grad}
    for function in reversed(topological_order(root.creator)):
        grad_output = output_grads.pop(id(function), None)
        if grad_output is None:  # every consumer of this output returned None for it
            if not retain_graph:
                function.__dict__.clear()
            continue
        retained = function.__dict__.get("retained_output")  # see Tensor.retain_grad()
        if retained is not None and retained() is not None:
            _accumulate_grad(retained(), grad_output)
        grads = function.backward(grad_output)
        if not isinstance(grads, tuple):
            grads = (grads,)
        for tensor, g in zip(function.inputs, grads, strict=False):
            if g is None or not tensor.requires_grad:
                continue
            g = sum_to_shape(g, tensor.shape)
            if g.dtype != tensor.dtype:  # float32 met float64: the gradient keeps float32
                g = g.astype(tensor.dtype)
            if tensor.creator is None:
                _accumulate_grad(tensor, g)
            else:
                key = id(tensor.creator)
                output_grads[key] = g if key not in output_grads else output_grads[key] + g
        if not retain_graph:
            function.__dict__.clear()  # frees saved arrays; a second backward() is refused


def _accumulate_grad(tensor: Tensor, grad: Any) -> None:
    # Out of place on purpose: one array may be the gradient of several tensors (y = a + b
    # hands the same array to both), so adding into it would corrupt the others.
    # Straight into the slot: the walk's gradients have the tensor's shape and dtype.
    tensor._grad = Tensor(grad if tensor._grad is None else tensor._grad.array + grad)
