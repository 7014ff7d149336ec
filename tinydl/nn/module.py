"""``Module``: a piece of a model that owns parameters and knows how to run forward.

Parameters and buffers are found by looking at the module's attributes, in the
order they were assigned, so a layer is written as plain Python: assign
``self.weight = Parameter(...)`` in ``__init__`` and use it in ``forward``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from tinydl import backend, check
from tinydl.autograd import Tensor, no_grad
from tinydl.autograd import tensor as to_tensor
from tinydl.autograd.parameter_list import zero_gradients
from tinydl.autograd.tensor import to_arguments
from tinydl.autograd.tensor_checks import check_can_require_grad, numeric_array
from tinydl.backend.fast_path_switch import fast_paths


class Parameter(Tensor):
    """A Tensor that a Module trains: it requires grad and is listed by ``parameters()``.

    ``Parameter(data, requires_grad=True)`` as PyTorch's ``nn.Parameter``; ``data`` may be a
    Tensor (the parameter shares its memory) or an array. ``requires_grad=False`` makes a
    frozen parameter: still listed and saved, never given a gradient."""

    def __init__(self, data: Any, requires_grad: bool = True) -> None:
        super().__init__(data.array if isinstance(data, Tensor) else data,
                         requires_grad=bool(requires_grad))
        if requires_grad:
            check_can_require_grad(self.dtype, "Parameter()")


class Buffer(Tensor):
    """A Tensor a Module keeps but does not train (e.g. BatchNorm's running mean). It is
    moved by ``to()`` and, unless ``persistent=False``, saved in ``state_dict()``, but never
    handed to an optimiser. ``Buffer(data, persistent=True)`` as PyTorch's ``nn.Buffer``;
    ``module.register_buffer(name, tensor)`` makes one too."""

    def __init__(self, data: Any, persistent: bool = True) -> None:
        super().__init__(data.array if isinstance(data, Tensor) else data)
        self.persistent = bool(persistent)


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(state, strict=False)`` returns: the names the model has and the
    state lacks, and the names the state has and the model lacks."""

    missing_keys: list[str]
    unexpected_keys: list[str]


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
    """Base class of every layer and model (PyTorch's ``nn.Module``).

    A module finds what it holds by looking at its attributes, in the order they were
    assigned: a :class:`Parameter` is trained, a :class:`Buffer` is kept, a Module (or a
    list of them) is a child. Assigning to an attribute follows PyTorch's rules:
    assigning a Parameter that another module holds ties the two (``parameters()`` lists it
    once, it trains once); assigning a plain Tensor where a Parameter was is refused;
    assigning one where a Buffer was keeps it a buffer.
    """

    training: bool = True

    def __init__(self) -> None:
        """Nothing to set up (PyTorch code calls ``super().__init__()`` first; tinydl's
        own layers may skip it)."""

    def __setattr__(self, name: str, value: Any) -> None:
        current = self.__dict__.get(name)
        if isinstance(current, Parameter) and not isinstance(value, Parameter | None):
            raise TypeError(
                f"cannot assign {type(value).__name__} as parameter {name!r} of "
                f"{type(self).__name__} (nn.Parameter or None expected): wrap the values in "
                f"nn.Parameter(...) to train them"
            )
        if isinstance(current, Buffer) and type(value) is Tensor:
            value = Buffer(value, current.persistent)  # still a buffer, as in PyTorch
        object.__setattr__(self, name, value)

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

    # ---- registering, as PyTorch code does -----------------------------------------------
    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Keep ``tensor`` as the buffer ``name`` (sharing its memory): moved with the model,
        saved in ``state_dict()`` unless ``persistent=False``, never trained. E.g. a causal
        mask: ``self.register_buffer("bias", tinydl.tril(tinydl.ones(T, T)))``."""
        self._check_new_name(name, "register_buffer()", allow=Buffer)
        check.instance(f"register_buffer({name!r})", "tensor", tensor, (Tensor, type(None)),
                       "a Tensor or None")
        if isinstance(tensor, Parameter):
            raise TypeError(
                f"register_buffer({name!r}) got a Parameter: a parameter is trained, a buffer "
                f"is not; use register_parameter() or pass parameter.detach()"
            )
        object.__setattr__(self, name, None if tensor is None else Buffer(tensor, persistent))

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add ``param`` as the parameter ``name`` (the same as assigning it)."""
        self._check_new_name(name, "register_parameter()", allow=Parameter)
        check.instance(f"register_parameter({name!r})", "param", param, (Parameter, type(None)),
                       "an nn.Parameter or None")
        object.__setattr__(self, name, param)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add ``module`` as the child ``name`` (the same as assigning it)."""
        self._check_new_name(name, "add_module()", allow=Module)
        check.instance(f"add_module({name!r})", "module", module, (Module, type(None)),
                       "a Module or None")
        object.__setattr__(self, name, module)

    register_module = add_module

    def _check_new_name(self, name: Any, caller: str, allow: type | None = None) -> None:
        """A name PyTorch would accept: a non-empty string without "." that does not hide
        another attribute (a method, or a value of another kind)."""
        check.instance(caller, "name", name, str, "a string")
        if not name or "." in name:
            raise KeyError(f'{caller}: the name must be non-empty and without ".", got {name!r}')
        taken = name in self.__dict__ and not (
            allow is not None and isinstance(self.__dict__[name], allow | type(None))
        )
        if taken or (name not in self.__dict__ and hasattr(type(self), name)):
            raise KeyError(f"{caller}: attribute {name!r} already exists")

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

    def named_modules(
        self, memo: set[int] | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """This module (named ``prefix``, "" by default) and every module inside it, depth
        first, by dotted name; a module held twice is listed once."""
        memo = set() if memo is None else memo
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, child in self.named_children():
            child_prefix = f"{prefix}.{name}" if prefix else name
            yield from child.named_modules(memo, child_prefix, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        """This module and every module inside it, depth first."""
        for _, module in self.named_modules():
            yield module

    def get_submodule(self, target: str) -> Module:
        """The module at the dotted path ``target`` ("" is this module), as in PyTorch."""
        module: Module = self
        for part in target.split(".") if target else []:
            child = dict(module.named_children()).get(part)
            if child is None:
                raise AttributeError(f"{type(module).__name__} has no submodule {part!r} "
                                     f"(looking for {target!r})")
            module = child
        return module

    def apply(self, function: Callable[[Module], Any]) -> Module:
        """Call ``function`` on every module inside this one and then on this one (PyTorch's
        order: children first), e.g. ``model.apply(init_weights)``; returns this module."""
        check.function("apply()", "function", function, "function(module)")
        for child in self.children():
            child.apply(function)
        function(self)
        return self

    def _own_tensors(self) -> Iterator[tuple[str, Any]]:
        """(name, value) of each attribute that may hold a tensor; ParameterList and
        ParameterDict list their entries instead."""
        return iter(vars(self).items())

    def _named_tensors(
        self, kind: type[Tensor], prefix: str = "", recurse: bool = True,
        remove_duplicate: bool = True,
    ) -> Iterator[tuple[str, Tensor]]:
        seen: set[int] = set()  # a tensor shared by two layers (weight tying) is listed once
        for name, value in self._own_and_nested(kind, prefix, recurse):
            if not remove_duplicate or id(value) not in seen:
                seen.add(id(value))
                yield name, value

    def _own_and_nested(
        self, kind: type[Tensor], prefix: str, recurse: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        for name, value in self._own_tensors():
            if isinstance(value, kind):
                yield prefix + name, value
        if recurse:
            for name, child in self.named_children():
                yield from child._own_and_nested(kind, f"{prefix}{name}.")

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) for every parameter; a tied one is listed once, under
        the first name met, unless ``remove_duplicate=False``."""
        self._check_built()
        yield from self._named_tensors(  # type: ignore[misc]
            Parameter, _dotted(prefix), recurse, remove_duplicate
        )

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every trainable tensor, to hand to an optimiser: ``Adam(model.parameters())``."""
        for _, parameter in self.named_parameters(recurse=recurse):
            yield parameter

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Buffer]]:
        yield from self._named_tensors(  # type: ignore[misc]
            Buffer, _dotted(prefix), recurse, remove_duplicate
        )

    def buffers(self, recurse: bool = True) -> Iterator[Buffer]:
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def _check_built(self) -> None:
        for module in self.modules():
            if getattr(module, "needs_build", False):
                raise RuntimeError(
                    f"{module!r} does not know its input size yet, so it has no parameters: "
                    f"call the model once on an example batch (or tinydl.nn.summary(model, "
                    f"input_shape)) before asking for parameters(), or give the input size"
                )

    # ---- training state ------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of the last backward pass (they would add up otherwise):
        ``grad`` becomes None, or, with ``set_to_none=False``, zeros (PyTorch's default is
        None too)."""
        zero_gradients(self.parameters(), set_to_none)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Freeze (``False``) or unfreeze every parameter, in place; returns this module."""
        check.flag("requires_grad_()", "requires_grad", requires_grad)
        for parameter in self.parameters():
            parameter.requires_grad_(requires_grad)
        return self

    def train(self, mode: bool = True) -> Module:
        """Training mode: Dropout drops, BatchNorm uses batch statistics."""
        check.flag("train()", "mode", mode)
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        """Evaluation mode: Dropout is off, BatchNorm uses its running statistics."""
        return self.train(False)

    # ---- devices and saving --------------------------------------------------------------
    def to(self, *args: Any, **kwargs: Any) -> Module:
        """Move every parameter (with its gradient) and buffer, in place, as PyTorch's
        ``model.to(device)``, ``.to(dtype)`` (floating-point tensors only), ``.to(device,
        dtype)`` or ``.to(tensor)``; returns this module."""
        target, dtype, _ = to_arguments(args, kwargs, "Module.to()")
        if dtype is not None and dtype.kind != "f":
            raise TypeError(f"Module.to() casts to floating-point dtypes only, got {dtype}")
        if target is not None:
            for _, tensor in [*self._named_tensors(Parameter), *self.named_buffers()]:
                tensor.array = backend.to_device(tensor.array, target)
                if tensor.grad is not None:
                    tensor.grad = Tensor(backend.to_device(tensor.grad.array, target))
        return self if dtype is None else self._cast(dtype)

    def cuda(self, device: Any = None) -> Module:
        """``to("cuda")`` (or to GPU ``device``)."""
        return self.to(backend.device("cuda" if device is None else device))

    def cpu(self) -> Module:
        return self.to("cpu")

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

    def _state_tensors(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        """What ``state_dict()`` holds, in PyTorch's order: each module's parameters, then its
        persistent buffers, then its children's; a tied parameter under each of its names."""
        own = list(self._own_tensors())
        for name, value in own:
            if isinstance(value, Parameter):
                yield prefix + name, value
        for name, value in own:
            if isinstance(value, Buffer) and value.persistent:
                yield prefix + name, value
        for name, child in self.named_children():
            yield from child._state_tensors(f"{prefix}{name}.")

    def state_dict(self) -> OrderedDict[str, np.ndarray]:
        """Host NumPy copies of every parameter and persistent buffer, by dotted name.

        Copies, so saving never moves or aliases the live model (even on a GPU). A
        parameter tied to two layers appears under both names, as in PyTorch.
        """
        self._check_built()
        return OrderedDict(
            (name, backend.to_numpy(t.array).copy()) for name, t in self._state_tensors()
        )

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True, assign: bool = False, *,
        allow_nonfinite: bool = False,
    ) -> IncompatibleKeys:
        """Copy values in from ``state_dict`` (tinydl's or PyTorch's: arrays, Tensors, or
        anything NumPy can read such as CPU torch tensors); if anything does not fit,
        nothing changes.

        With ``strict=True`` every name must match; with ``strict=False`` the names both
        have are loaded and the others returned as ``(missing_keys, unexpected_keys)``.
        Shapes must match either way. Values that are not numbers are refused, and so are
        parameters holding NaN or infinite values (what a model saved after its training
        diverged holds), unless ``allow_nonfinite=True``; buffers may hold them (a causal
        mask of −inf). ``assign=True`` (PyTorch's "take the state's
        tensors instead of copying") is not offered: tinydl always copies.
        """
        check.flag("load_state_dict()", "strict", strict)
        if assign:
            raise ValueError(
                "load_state_dict(assign=True) is not supported: tinydl copies the values into "
                "the model's own parameters (call it without assign)"
            )
        check.instance("load_state_dict()", "state_dict", state_dict, Mapping,
                       "a dict of name -> array, such as model.state_dict()")
        self._check_built()
        own = OrderedDict(self._state_tensors())
        state = {name: _host_values(name, value) for name, value in state_dict.items()}
        missing = [name for name in own if name not in state]
        unexpected = [name for name in state if name not in own]
        wrong_shape = [
            f"{name}: model has {own[name].shape}, state has {state[name].shape}"
            for name in own
            if name in state and state[name].shape != own[name].shape
        ]
        problems = []
        if strict and missing:
            problems.append("missing " + ", ".join(missing))
        if strict and unexpected:
            problems.append("unexpected " + ", ".join(unexpected))
        if wrong_shape:
            problems.append("shape mismatch for " + "; ".join(wrong_shape))
        if problems:
            raise ValueError("load_state_dict() does not fit this model: " + " | ".join(problems))
        # Convert every value before assigning any, so a refused value also leaves the model
        # unchanged. np.array copies: the model never aliases the caller's arrays.
        loading = [(name, tensor) for name, tensor in own.items() if name in state]
        values = [np.array(state[name], dtype=tensor.dtype) for name, tensor in loading]
        if not allow_nonfinite:  # parameters only: a buffer may hold −inf (an additive mask)
            for (name, tensor), host in zip(loading, values, strict=True):
                if not isinstance(tensor, Parameter) or host.dtype.kind not in "fc":
                    continue
                bad = int(host.size - np.isfinite(host).sum())
                if bad:
                    raise ValueError(
                        f"load_state_dict(): state[{name!r}] holds {bad} NaN or infinite "
                        f"value(s) of {host.size}, so the model would compute NaN (was it saved "
                        f"after training diverged?); pass allow_nonfinite=True to load it anyway"
                    )
        for (_, target), host in zip(loading, values, strict=True):
            target.array = backend.to_device(host, target.device)
        return IncompatibleKeys(missing, unexpected)

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


def _dotted(prefix: str) -> str:
    """PyTorch's ``prefix=`` argument as the start of a dotted name ("" stays "")."""
    return f"{prefix}." if prefix else ""


def _host_values(name: str, value: Any) -> np.ndarray:
    """One ``state_dict`` value (a Tensor, an array of any device, nested lists) on the host,
    refused unless it holds numbers."""
    value = value.array if isinstance(value, Tensor) else value
    argument = f"state[{name!r}]"
    if backend.is_array(value):
        check.numeric_dtype("load_state_dict()", argument, value.dtype)
        return backend.to_numpy(value)
    return numeric_array(value, argument, "load_state_dict()")
