"""What every Keras layer shares: ``Layer``, the symbolic ``KerasTensor`` of the functional
API, ``Input``, masks, and weights in Keras's layouts.

A Keras layer is a :class:`tinydl.nn.Module`. Its settings come first; once it knows the
shape of its input it *builds* the tinydl modules that do the work (``layer.parts``), so
every computation can be followed into :mod:`tinydl.nn` and :mod:`tinydl.ops`.

Calling a layer does one of two things, as in Keras:

- on a ``KerasTensor`` (``x = layers.Dense(64)(keras.Input(shape=(784,)))``) it computes
  nothing: it builds itself, works out the output's shape and records the call as a
  :class:`Node` of a graph, which ``keras.Model(inputs, outputs)`` later runs;
- on a Tensor or an array it runs, eagerly.

Masks travel as Keras's do, with the tensors themselves (a note beside each tensor, see
:mod:`tinydl.keras._notes`; True where a time step is real): ``Embedding(mask_zero=True)``
puts one on its output, layers that support masking pass it on, and a layer whose
``call`` takes ``mask=`` receives it.

``training``: a layer called inside ``fit`` runs in training mode (dropout on); called
directly, ``layer(x)`` or ``model(x)``, it runs in inference mode unless given
``training=True``, as in Keras. Inner layers follow the outermost call.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from tinydl import backend, check, nn
from tinydl.autograd import Tensor, no_grad
from tinydl.autograd import tensor as to_tensor
from tinydl.keras import _notes as notes
from tinydl.keras._args import choose, fits, refuse, sample_shape, unique_name
from tinydl.nn.linear import new_parameter

Shape = tuple[int | None, ...]

# The training mode of the outermost layer call under way (Keras's call context).
_TRAINING: list[bool] = []


# ---- nested structures of tensors -----------------------------------------------------------
def flatten(structure: Any) -> list[Any]:
    """The leaves of nested lists, tuples and dicts, in order."""
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    if isinstance(structure, dict):
        return [leaf for item in structure.values() for leaf in flatten(item)]
    return [structure]


def map_structure(function: Callable[[Any], Any], structure: Any) -> Any:
    """``structure`` with ``function`` applied to every leaf."""
    if isinstance(structure, (list, tuple)):
        return type(structure)(map_structure(function, item) for item in structure)
    if isinstance(structure, dict):
        return {key: map_structure(function, item) for key, item in structure.items()}
    return function(structure)


def mask_of(structure: Any) -> Any:
    """The Keras masks of the tensors in ``structure`` (None where there is none)."""
    return map_structure(lambda t: notes.read(t, "mask"), structure)


def _is_tensor(value: Any) -> bool:
    return isinstance(value, (Tensor, KerasTensor))


def _is_tensor_argument(value: Any) -> bool:
    """A tensor, or a non-empty nested structure holding only tensors (and Nones)."""
    if _is_tensor(value):
        return True
    if isinstance(value, (list, tuple, dict)) and value:
        leaves = flatten(value)
        return all(_is_tensor(leaf) or leaf is None for leaf in leaves) and any(
            _is_tensor(leaf) for leaf in leaves
        )
    return False


# ---- the functional API's symbolic tensors ---------------------------------------------------
class KerasTensor:
    """A symbolic tensor: the shape (batch axis first, ``None`` where any size goes) and dtype
    of what a layer will output, and the call that makes it (``_keras_history``)."""

    def __init__(self, shape: Shape, dtype: str = "float32", name: str | None = None) -> None:
        self.shape = tuple(shape)
        self.dtype = dtype
        self.name = name
        self._keras_history: tuple[Layer, int, int] | None = None

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def node(self) -> Node:
        layer, index, _ = self._keras_history
        return layer._inbound_nodes[index]

    def __repr__(self) -> str:
        history = self._keras_history
        made_by = "" if history is None else f", made by {history[0].name!r}"
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}{made_by}>"

    # Arithmetic on symbolic tensors records one more step of the graph, as in Keras.
    def __add__(self, other: Any) -> Any:
        return TensorOperation("add", lambda a, b: a + b)(self, other)

    def __radd__(self, other: Any) -> Any:
        return TensorOperation("add", lambda a, b: a + b)(other, self)

    def __sub__(self, other: Any) -> Any:
        return TensorOperation("subtract", lambda a, b: a - b)(self, other)

    def __rsub__(self, other: Any) -> Any:
        return TensorOperation("subtract", lambda a, b: a - b)(other, self)

    def __mul__(self, other: Any) -> Any:
        return TensorOperation("multiply", lambda a, b: a * b)(self, other)

    def __rmul__(self, other: Any) -> Any:
        return TensorOperation("multiply", lambda a, b: a * b)(other, self)

    def __getitem__(self, index: Any) -> Any:
        return TensorOperation("get_item", lambda a: a[index])(self)

    def __bool__(self) -> bool:
        raise TypeError(
            "a KerasTensor is symbolic: it has no value to test, so it cannot be used in if or "
            "while; build the model with keras.Model(inputs, outputs) and call it on data"
        )

    def __array__(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(
            "a KerasTensor is symbolic (it stands for a layer's future output) and has no "
            "values: call the model on data, e.g. model.predict(x)"
        )


class Node:
    """One call of a layer on symbolic tensors: the layer, its arguments (holding
    KerasTensors) and the KerasTensors it returned."""

    def __init__(self, layer: Layer, args: tuple, kwargs: dict, outputs: Any) -> None:
        self.layer, self.args, self.kwargs, self.outputs = layer, args, kwargs, outputs
        self.index = len(layer._inbound_nodes)
        layer._inbound_nodes.append(self)
        for position, output in enumerate(flatten(outputs)):
            output._keras_history = (layer, self.index, position)

    @property
    def input_tensors(self) -> list[KerasTensor]:
        return [leaf for leaf in flatten((self.args, self.kwargs)) if isinstance(leaf, KerasTensor)]

    @property
    def is_input(self) -> bool:
        return isinstance(self.layer, InputLayer)


# ---- weights in Keras's layouts -----------------------------------------------------------
class KerasWeight:
    """One weight array as Keras lays it out, stored in tinydl tensors (perhaps several, in
    another layout): ``read()`` gives Keras's array, ``split(value)`` the tinydl arrays."""

    def __init__(self, tensors: list[Tensor], shape: tuple[int, ...],
                 to_keras: Callable[..., np.ndarray], from_keras: Callable[[np.ndarray], list],
                 trainable: bool = True) -> None:
        self.tensors, self.shape, self.trainable = tensors, shape, trainable
        self._to_keras, self._from_keras = to_keras, from_keras

    @classmethod
    def transposed(cls, tensor: Tensor, axes: tuple[int, ...] | None = None,
                   trainable: bool = True) -> KerasWeight:
        """A tensor that is Keras's array with its axes in another order (or the same)."""
        if axes is None:
            return cls([tensor], tensor.shape, lambda a: a, lambda v: [v], trainable)
        inverse = tuple(int(i) for i in np.argsort(axes))
        shape = tuple(tensor.shape[a] for a in axes)
        return cls([tensor], shape, lambda a: a.transpose(axes),
                   lambda v: [v.transpose(inverse)], trainable)

    @classmethod
    def reshaped(cls, tensor: Tensor, shape: tuple[int, ...]) -> KerasWeight:
        """A tensor that is Keras's array of ``shape`` with some axes merged."""
        return cls([tensor], shape, lambda a: a.reshape(shape),
                   lambda v: [v.reshape(tensor.shape)])

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    def read(self) -> np.ndarray:
        return self._to_keras(*(t.numpy() for t in self.tensors))

    def numpy(self) -> np.ndarray:
        """The values, as a Keras variable's ``numpy()`` gives them."""
        return self.read()

    def split(self, value: Any, where: str) -> list[tuple[Tensor, np.ndarray]]:
        """``value`` (Keras's layout) as (tensor, array) assignments, checked, not yet made."""
        array = np.asarray(value)
        if array.shape != self.shape:
            raise ValueError(f"{where}: a weight of Keras shape {self.shape} got an array of "
                             f"shape {array.shape}")
        arrays = self._from_keras(array.astype(self.tensors[0].dtype))
        return list(zip(self.tensors, arrays, strict=True))


def assign(pairs: list[tuple[Tensor, np.ndarray]]) -> None:
    for tensor, value in pairs:
        tensor.array = backend.to_device(np.ascontiguousarray(value), tensor.device)


# ---- image layouts ----------------------------------------------------------------------------
class ChannelsFirst(nn.Module):
    """(N, H, W, C) -> (N, C, H, W): Keras's image layout into tinydl's convolution layout."""

    def forward(self, x: Tensor) -> Tensor:
        return x.permute(0, 3, 1, 2)


class ChannelsLast(nn.Module):
    """(N, C, H, W) -> (N, H, W, C): back to Keras's layout."""

    def forward(self, x: Tensor) -> Tensor:
        return x.permute(0, 2, 3, 1)


def is_image(shape: Shape) -> bool:
    return len(shape) == 3


def relayout(shape: Shape, channels_first: bool, want_first: bool) -> list[nn.Module]:
    """The transpose (if any) that brings an image from its current layout to the wanted one."""
    if not is_image(shape) or channels_first == want_first:
        return []
    return [ChannelsFirst() if want_first else ChannelsLast()]


# ---- layers ------------------------------------------------------------------------------------
@functools.cache
def _call_signature(kind: type) -> inspect.Signature:
    return inspect.signature(kind.call)


def _call_parameters(kind: type) -> dict[str, inspect.Parameter]:
    return dict(_call_signature(kind).parameters)


def _call_arguments(layer: Layer, args: tuple, kwargs: dict) -> dict[str, Any]:
    """The arguments of ``layer.call(*args, **kwargs)`` by parameter name."""
    try:
        bound = _call_signature(type(layer)).bind(layer, *args, **kwargs).arguments
    except TypeError as error:
        raise TypeError(f"layer {layer.name!r} ({type(layer).__name__}): {error}") from None
    return {name: value for name, value in list(bound.items())[1:]}


class Layer(nn.Module):
    """Base class of Keras layers (and models). Subclass it as in Keras: create sublayers in
    ``__init__``, weights with ``add_weight`` (in ``__init__`` or ``build(input_shape)``),
    and write ``call(self, inputs)``; tinydl's autograd differentiates it.

    tinydl's own layers instead define ``make_parts(shape, channels_first)``, returning the
    tinydl modules that do the work; ``call`` runs them in turn.
    """

    #: The keyword arguments a tinydl.keras layer takes besides ``name`` and ``input_shape``.
    arguments: tuple[str, ...] = ()
    #: Whether the layer passes a mask on (``compute_mask``), as Keras's ``supports_masking``.
    supports_masking = False
    #: The Keras shapes (no batch axis) tinydl's layers were built for.
    input_shape: Shape | None = None
    output_shape: Shape | None = None

    def __init__(self, name: str | None = None, input_shape: Any = None, dtype: Any = None,
                 trainable: bool = True, **unsupported: Any) -> None:
        kind = type(self).__name__
        if dtype not in (None, "float32"):
            unsupported["dtype"] = dtype
        if trainable is not True:
            unsupported["trainable"] = trainable
        refuse(f"layers.{kind}()", unsupported, [*self.arguments, "name", "input_shape"])
        self.name = name if name is not None else unique_name(kind)
        self.declared_input_shape = (
            None if input_shape is None else sample_shape(f"layers.{kind}()", "input_shape",
                                                          input_shape)
        )
        self.parts: list[nn.Module] = []
        self.own_weights: list[KerasWeight] = []
        self.engine: nn.Module | None = None  # the module holding the weights, if any
        self.input_channels_first = False  # whether built inputs arrive (N, C, H, W)
        self.output_channels_first = False  # whether the built output travels (N, C, H, W)
        self.built = False
        self._inbound_nodes: list[Node] = []
        self._warned_about_mask = False

    # ---- building -----------------------------------------------------------------------
    def make_parts(self, shape: Shape, channels_first: bool) -> tuple[list[nn.Module], Shape, bool]:
        """tinydl's own layers: the modules for inputs of Keras shape ``shape`` (no batch
        axis) arriving channels-first or not, the output's shape, and its layout."""
        raise NotImplementedError

    def _has_parts(self) -> bool:
        return type(self).make_parts is not Layer.make_parts

    def build_chain(self, shape: Shape, channels_first: bool) -> tuple[Shape, bool]:
        """Build inside a chain of layers (a ``Sequential``) whose images may travel
        channels-first between convolutions; return the output's shape and layout."""
        if self.declared_input_shape is not None and not fits(shape, self.declared_input_shape):
            raise ValueError(
                f"layer {self.name!r} declares input_shape={self.declared_input_shape}, but the "
                f"layer before it gives {shape}"
            )
        self.parts, out_shape, out_first = self.make_parts(shape, channels_first)
        self.input_shape, self.output_shape = shape, out_shape
        self.input_channels_first = channels_first
        self.output_channels_first = out_first and is_image(out_shape)
        self.built = True
        return out_shape, self.output_channels_first

    def build(self, input_shape: Any) -> None:
        """Keras's ``build(input_shape)``, batch axis first. tinydl's layers make their parts
        for Keras's layout in and out; a subclass may override it to ``add_weight``."""
        if self._has_parts():
            out_shape, out_first = self.build_chain(tuple(input_shape[1:]), False)
            self.parts += relayout(out_shape, out_first, False)  # back to channels-last
            self.output_channels_first = False
        self.built = True

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The output's shape (batch axis first) for an input of ``input_shape``."""
        if not self._has_parts():
            raise NotImplementedError
        return (input_shape[0], *self.output_shape)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The mask of the output: the input's, for a layer that supports masking."""
        return mask

    def add_weight(self, shape: Any = None, initializer: Any = "glorot_uniform",
                   dtype: Any = None, trainable: bool = True, name: str | None = None,
                   **unsupported: Any) -> nn.Parameter:
        """A new weight of ``shape`` (Keras's layout, which is tinydl's for weights made
        here), initialised by name ("glorot_uniform", "zeros", "ones", "orthogonal",
        "he_normal", ...) or by an initialiser object from ``keras.initializers``."""
        from tinydl.keras import initializers  # noqa: PLC0415  (initializers imports layers)

        if dtype not in (None, "float32"):
            unsupported["dtype"] = dtype
        if trainable is not True:
            unsupported["trainable"] = trainable
        refuse("add_weight()", unsupported, ["shape", "initializer", "name"])
        shape = tuple(shape or ())
        values = initializers.get(initializer)(shape)
        weight = new_parameter(np.asarray(values, dtype=np.float32))
        if name is not None and name.isidentifier() and name not in vars(self):
            setattr(self, name, weight)  # also reachable under its Keras name
        else:
            setattr(self, f"weight_{len(self.own_weights)}", weight)
        self.own_weights.append(KerasWeight.transposed(weight))
        return weight

    # ---- calling --------------------------------------------------------------------------
    def call(self, inputs: Any) -> Any:
        """Run the layer: tinydl's layers run their parts in turn; subclasses write their own."""
        if not self._has_parts():
            raise NotImplementedError(f"{type(self).__name__} must define call(self, inputs)")
        x = inputs
        for part in self.parts:
            x = part(x)
        return x

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self.call(*args, **kwargs)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if "_inbound_nodes" not in vars(self):
            raise RuntimeError(
                f"{type(self).__name__}.__init__ must call super().__init__() before the layer "
                f"is used (as in Keras)"
            )
        if not args:
            raise TypeError(f"layer {self.name!r} needs its inputs as the first argument")
        if any(isinstance(leaf, KerasTensor) for leaf in flatten((args, kwargs))):
            return self._symbolic_call(args, kwargs)
        training = kwargs.pop("training", None)
        if training is None:
            training = _TRAINING[-1] if _TRAINING else False
        args, kwargs = self._as_tensors(args), self._as_tensors(kwargs)
        if not self.built:
            self._build_from(args, kwargs)
        training = bool(training)
        previous = self.training
        if previous != training:  # the mode of every module inside, for this call
            self.train(training)
        _TRAINING.append(training)
        try:
            return self._eager_call(args, kwargs, training)
        finally:
            _TRAINING.pop()
            if previous != training:
                self.train(previous)

    def float_dtype(self) -> np.dtype:
        """The dtype of the layer's weights (float32 unless cast), for its float inputs."""
        first = next(self._named_tensors(nn.Parameter), None)
        return np.dtype(np.float32) if first is None else first[1].dtype

    def _as_tensors(self, structure: Any) -> Any:
        """Arrays in ``structure`` as Tensors on the layer's device (floats in the weights'
        float dtype)."""
        if not any(backend.is_array(leaf) for leaf in flatten(structure)):
            return structure
        first = next(self._named_tensors(Tensor), None)
        device = None if first is None else first[1].device

        def convert(value: Any) -> Any:
            if not backend.is_array(value):
                return value
            dtype = self.float_dtype() if value.dtype.kind == "f" else None
            return to_tensor(value, dtype=dtype, device=device)

        return map_structure(convert, structure)

    def _eager_call(self, args: tuple, kwargs: dict, training: bool) -> Any:
        parameters = _call_parameters(type(self))
        bound = _call_arguments(self, args, kwargs)
        tensor_arguments = [(name, value) for name, value in bound.items()
                            if _is_tensor_argument(value)]
        # Keras fills in masks: ``mask`` for a layer of one tensor argument, ``<name>_mask``
        # for each tensor argument otherwise.
        if len(tensor_arguments) == 1:
            if "mask" in parameters and kwargs.get("mask") is None:
                masks = mask_of(tensor_arguments[0][1])
                if any(m is not None for m in flatten(masks)):
                    kwargs["mask"] = masks
        else:
            for name, value in tensor_arguments:
                key = f"{name}_mask"
                masks = mask_of(value)
                if key in parameters and kwargs.get(key) is None and any(
                    m is not None for m in flatten(masks)
                ):
                    kwargs[key] = masks
        previous_mask = kwargs.get("mask")
        if previous_mask is None:
            previous_mask = mask_of(args[0])
        if "training" in parameters:
            kwargs["training"] = training
        outputs = nn.Module.__call__(self, *args, **kwargs)
        if self.supports_masking:
            output_masks = self.compute_mask(args[0], previous_mask)
            for output, mask in zip(flatten(outputs), flatten(output_masks), strict=False):
                if isinstance(output, Tensor):
                    notes.write(output, mask=mask)
        elif any(m is not None for m in flatten(previous_mask)) and not self._warned_about_mask:
            self._warned_about_mask = True
            warnings.warn(
                f"layer {self.name!r} ({type(self).__name__}) got an input with a mask but does "
                f"not support masking, so the layers after it will not see the mask (as in Keras)",
                UserWarning, stacklevel=4,
            )
        return outputs

    def _build_from(self, args: tuple, kwargs: dict) -> None:
        """Keras's automatic build: ``build(input_shape)`` with the first argument's shape (a
        structure of shapes for a list of inputs), or ``build(<name>_shape=...)`` for each
        tensor argument when ``build`` names them."""
        build_parameters = list(inspect.signature(self.build).parameters)
        shapes = map_structure(lambda t: tuple(t.shape) if _is_tensor(t) else t, args[0])
        if len(build_parameters) == 1 or build_parameters[:1] == ["input_shape"]:
            self.build(shapes)
        else:
            bound = _call_arguments(self, args, kwargs)
            self.build(**{
                f"{name}_shape": map_structure(lambda t: tuple(t.shape), value)
                for name, value in bound.items()
                if _is_tensor_argument(value) and f"{name}_shape" in build_parameters
            })
        self.built = True

    def _symbolic_call(self, args: tuple, kwargs: dict) -> Any:
        if not self.built:
            self._build_from(args, kwargs)
        try:  # tinydl's layers know their output's shape from the first argument's
            shapes = map_structure(lambda t: t.shape if _is_tensor(t) else t, args[0])
            outputs = _specs_to_tensors(self.compute_output_shape(shapes), self._output_dtype())
        except NotImplementedError:  # a subclass's call: run it on zeros to find out
            outputs = self._traced_outputs(args, kwargs)
        Node(self, args, kwargs, outputs)
        return outputs

    def _output_dtype(self) -> str:
        return "float32"

    def _traced_outputs(self, args: tuple, kwargs: dict) -> Any:
        """Output KerasTensors found by running the layer on zeros (twice, with different
        sizes where the shape says ``None``: an axis whose size follows them is ``None``)."""
        runs = []
        for size in (2, 3):
            def zeros(leaf: Any, size: int = size) -> Any:
                if not isinstance(leaf, KerasTensor):
                    return leaf
                shape = tuple(size if n is None else n for n in leaf.shape)
                return Tensor(np.zeros(shape, dtype=np.dtype(leaf.dtype)))

            with no_grad():
                runs.append(self(*map_structure(zeros, args),
                                 **{**map_structure(zeros, kwargs), "training": False}))
        return _merge_runs(*runs)

    # ---- the functional API's view of the layer ---------------------------------------------
    def _first_node(self, what: str) -> Node:
        if not self._inbound_nodes:
            raise AttributeError(
                f"layer {self.name!r} has not been called on a keras.Input, so it has no {what}"
            )
        return self._inbound_nodes[0]

    @property
    def output(self) -> Any:
        """The KerasTensor(s) this layer's first symbolic call returned (Keras's rule)."""
        return self._first_node("output").outputs

    @property
    def input(self) -> Any:
        """The KerasTensor(s) this layer's first symbolic call took."""
        node = self._first_node("input")
        return node.args[0] if node.args else None

    # ---- weights in Keras's layouts -------------------------------------------------------
    def weight_layouts(self) -> list[KerasWeight]:
        """The layer's own weights (Keras's order and layouts), tinydl's layers' override."""
        return []

    def keras_weights(self) -> list[KerasWeight]:
        """Every weight of the layer and its sublayers, in Keras's order."""
        weights = [*(self.weight_layouts() if self.built else []), *self.own_weights]
        for child in self.sublayers():
            weights += child.keras_weights()
        return weights

    def sublayers(self) -> list[Layer]:
        """The Keras layers this one holds as attributes (a subclass's ``self.dense = ...``)."""
        return [child for _, child in self.named_children() if isinstance(child, Layer)]

    @property
    def weights(self) -> list[KerasWeight]:
        return self.keras_weights()

    def weight_tensors(self) -> list[Tensor]:
        """The layer's weights (in tinydl's layouts), for the model's dtype and device."""
        return [t for weight in self.keras_weights() for t in weight.tensors]

    def count_params(self) -> tuple[int, int]:
        """(trainable, non-trainable) numbers of values, as Keras counts them."""
        weights = self.keras_weights()
        return (sum(w.size for w in weights if w.trainable),
                sum(w.size for w in weights if not w.trainable))

    def get_weights(self) -> list[np.ndarray]:
        """The weights as Keras lays them out (a Conv2D kernel is (kh, kw, in, out))."""
        return [weight.read() for weight in self.keras_weights()]

    def set_weights(self, weights: list[Any]) -> None:
        """Load weights given in Keras's layouts (e.g. from a Keras model's get_weights())."""
        slots = self.keras_weights()
        if not isinstance(weights, (list, tuple)) or len(weights) != len(slots):
            count = len(weights) if isinstance(weights, (list, tuple)) else type(weights).__name__
            raise ValueError(f"set_weights() needs {len(slots)} arrays for {self.name!r} "
                             f"({type(self).__name__}), got {count}")
        pairs = [pair for slot, value in zip(slots, weights, strict=True)
                 for pair in slot.split(value, f"layer {self.name!r}")]
        assign(pairs)

    def get_config(self) -> dict[str, Any]:
        """The constructor's arguments (what ``load_model`` rebuilds the layer from)."""
        config = {name: getattr(self, name) for name in self.arguments}
        return {"name": self.name, **config}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


def _specs_to_tensors(shapes: Any, dtype: str) -> Any:
    """KerasTensors for an output shape, or a list/tuple of output shapes."""
    if isinstance(shapes, (list, tuple)) and shapes and isinstance(shapes[0], (list, tuple)):
        return type(shapes)(_specs_to_tensors(shape, dtype) for shape in shapes)
    return KerasTensor(tuple(shapes), dtype)


def _merge_runs(first: Any, second: Any) -> Any:
    """KerasTensors for the outputs of two runs with different sizes: an axis whose size
    differs between them is ``None``."""
    if isinstance(first, (list, tuple)):
        return type(first)(_merge_runs(a, b) for a, b in zip(first, second, strict=True))
    shape = tuple(a if a == b else None for a, b in zip(first.shape, second.shape, strict=True))
    return KerasTensor(shape, str(first.dtype))


class TensorOperation(Layer):
    """Arithmetic or indexing on a KerasTensor (``x + residual``, ``x[:, -1]``), recorded
    as a step of the graph; it runs the same Python operator on tinydl Tensors."""

    def __init__(self, kind: str, function: Callable[..., Any]) -> None:
        super().__init__(name=unique_name(kind))
        self.function = function

    def call(self, *operands: Any) -> Any:
        return self.function(*operands)

    def build(self, input_shape: Any) -> None:
        self.built = True


# ---- inputs -----------------------------------------------------------------------------------
DTYPES = ("float32", "float64", "float16", "int8", "int16", "int32", "int64", "uint8", "bool")


class InputLayer(Layer):
    """The layer behind ``keras.Input``: no weights, one output, the model's input."""

    supports_masking = True

    def __init__(self, shape: Any = None, dtype: Any = None, name: str | None = None,
                 **unsupported: Any) -> None:
        refuse("Input()", {k: v for k, v in unsupported.items() if v is not None},
               ["shape", "dtype", "name"])
        super().__init__(name=name or unique_name("InputLayer"))
        self.sample_shape = sample_shape("Input()", "shape", shape)
        self.dtype = _dtype_name(dtype)
        self.input_shape = self.output_shape = self.sample_shape
        self.built = True
        Node(self, (), {}, KerasTensor((None, *self.sample_shape), self.dtype, self.name))

    def call(self, inputs: Any) -> Any:
        return inputs

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "shape": list(self.sample_shape), "dtype": self.dtype}


def _dtype_name(dtype: Any) -> str:
    """Keras's name of a dtype ("float32" by default), refusing what tinydl does not offer."""
    if dtype is None:
        return "float32"
    return choose("Input()", "dtype", check.dtype("Input()", "dtype", dtype).name, DTYPES)


def Input(shape: Any = None, batch_size: Any = None, dtype: Any = None,  # noqa: N802  (Keras's name)
          name: str | None = None, **unsupported: Any) -> KerasTensor:
    """``keras.Input(shape=(28, 28, 1), dtype="float32")``: a symbolic input of that shape per
    sample (``None`` for a size that varies, e.g. ``(None,)`` for sequences of any length).
    Start a functional model from it, or put it first in a ``Sequential``."""
    if batch_size is not None:
        unsupported["batch_size"] = batch_size
    return InputLayer(shape=shape, dtype=dtype, name=name, **unsupported).output
