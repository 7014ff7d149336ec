"""Keras's models: ``Sequential``, the functional ``Model(inputs, outputs)`` and subclassed
``Model``s, all of whose ``fit`` is :func:`tinydl.train.fit`.

A model is a Keras layer (a :class:`tinydl.nn.Module`) made of Keras layers, each of which
builds tinydl modules. ``compile`` picks a Keras optimiser and loss;
``fit``/``evaluate``/``predict`` (:mod:`tinydl.keras.training`) translate Keras's
arguments and call :func:`tinydl.train.fit`, :func:`~tinydl.train.evaluate` and
:func:`~tinydl.train.predict`. To follow a training step into the engine, read
``tinydl/train/loop.py``: ``model(x)``, ``loss_fn(...)``, ``loss.backward()``,
``optimizer.step()``.

- ``Sequential([layers...])`` runs its layers in turn (``model.network`` lists the
  tinydl modules they built, in order); images travel channels-first between
  convolutions (see :mod:`tinydl.keras.layers`).
- ``Model(inputs, outputs)``, the functional API, runs the calls recorded on
  ``keras.Input`` tensors (:mod:`tinydl.keras.functional`), inputs first.
- A subclass of ``Model`` writes its own ``call``; its layers are its attributes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from tinydl import check, nn
from tinydl.autograd import Tensor, no_grad
from tinydl.keras import _notes as notes
from tinydl.keras import losses as keras_losses
from tinydl.keras import optimizers as keras_optimizers
from tinydl.keras._args import fits, unique_name
from tinydl.keras.functional import graph_config, rebuild, walk
from tinydl.keras.layer import (
    ChannelsLast,
    InputLayer,
    KerasTensor,
    Layer,
    flatten,
    is_image,
    map_structure,
    relayout,
)
from tinydl.keras.layers import LAYERS
from tinydl.keras.training import Trainer
from tinydl.train.checkpoint import CheckpointError, load_checkpoint, read_extra, write_checkpoint

Shape = tuple[int | None, ...]


class Model(Trainer, Layer):
    """``keras.Model(inputs, outputs)`` (the functional API) or, subclassed, a model with
    its own ``call``::

        inputs = keras.Input(shape=(784,))
        x = layers.Dense(64, activation="relu")(inputs)
        model = keras.Model(inputs, layers.Dense(10)(x))

        class MyModel(keras.Model):
            def __init__(self):
                super().__init__()
                self.dense = layers.Dense(10)

            def call(self, x):
                return self.dense(x)
    """

    def __init__(self, inputs: Any = None, outputs: Any = None, name: str | None = None,
                 **kwargs: Any) -> None:
        functional = inputs is not None or outputs is not None
        if not functional and type(self) is Model:
            raise TypeError(
                "keras.Model(inputs, outputs) needs the keras.Input(s) and the output "
                "tensor(s) of the layers called on them; for a model with your own call(), "
                "subclass keras.Model (or tinydl.nn.Module)"
            )
        default = "Functional" if functional else type(self).__name__
        Layer.__init__(self, name=name or unique_name(default), **kwargs)
        self.init_training()
        self.subclassed = not functional
        self._layers: list[Layer] = []
        self.seen_output_shapes: list[tuple] | None = None  # a subclassed model's, once run
        if functional:
            self._init_graph(inputs, outputs)

    def _init_graph(self, inputs: Any, outputs: Any) -> None:
        for name, given in (("inputs", inputs), ("outputs", outputs)):
            if isinstance(given, dict):
                raise TypeError(f"keras.Model(): {name} as a dict are not offered by "
                                f"tinydl.keras; pass a list")
        self.single_input = not isinstance(inputs, (list, tuple))
        self.single_output = not isinstance(outputs, (list, tuple))
        self.output_type = list if self.single_output else type(outputs)
        self.inputs = [inputs] if self.single_input else list(inputs)
        self.outputs = [outputs] if self.single_output else list(outputs)
        if not self.inputs or not self.outputs:
            raise ValueError("keras.Model() needs at least one input and one output")
        self.nodes, self._layers = walk(self.inputs, self.outputs)
        for layer in self._layers:
            if layer._has_parts() and (layer.input_channels_first or layer.output_channels_first):
                raise ValueError(
                    f"layer {layer.name!r} was built inside a Sequential, where images travel "
                    f"channels-first between convolutions; a functional model passes Keras's "
                    f"channels-last images: make a new layer"
                )
        self.built = True

    # ---- what it is made of ---------------------------------------------------------------
    @property
    def layers(self) -> list[Layer]:
        """The model's layers: a functional model's in Keras's order (its ``InputLayer``s
        first); a subclassed model's in the order its attributes were set."""
        return self.sublayers() if self.subclassed else list(self._layers)

    @property
    def input(self) -> Any:
        return self.inputs[0] if self.single_input else list(self.inputs)

    @property
    def output(self) -> Any:
        return self.outputs[0] if self.single_output else list(self.outputs)

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer by name (or position in ``model.layers``)."""
        if index is not None:
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"model {self.name!r} has no layer {name!r}; its layers: "
                         f"{', '.join(layer.name for layer in self.layers)}")

    # ---- running ----------------------------------------------------------------------------
    def call(self, inputs: Any) -> Any:
        """The functional model: each recorded call, run on the values of its inputs."""
        if self.subclassed:
            raise NotImplementedError(f"{type(self).__name__} must define call(self, inputs)")
        values = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if len(values) != len(self.inputs):
            raise ValueError(f"model {self.name!r} takes {len(self.inputs)} input(s), got "
                             f"{len(values)}")
        known = {id(symbol): self._input_value(value, symbol)
                 for symbol, value in zip(self.inputs, values, strict=True)}

        def value_of(leaf: Any) -> Any:
            return known[id(leaf)] if isinstance(leaf, KerasTensor) else leaf

        for node in self.nodes:
            result = node.layer(*map_structure(value_of, node.args),
                                **map_structure(value_of, node.kwargs))
            for symbol, value in zip(flatten(node.outputs), flatten(result), strict=True):
                known[id(symbol)] = value
        results = [known[id(symbol)] for symbol in self.outputs]
        return results[0] if self.single_output else self.output_type(results)

    def _input_value(self, value: Any, symbol: KerasTensor) -> Tensor:
        """An input value as a Tensor of the Input's dtype (floats: the weights' dtype)."""
        if not isinstance(value, Tensor):
            value = Tensor(np.asarray(value))
        if not fits(value.shape[1:], symbol.shape[1:]):
            raise ValueError(f"model {self.name!r}: input {symbol.node.layer.name!r} expects "
                             f"shape {symbol.shape}, got {value.shape}")
        if symbol.dtype.startswith("float"):
            dtype = self.float_dtype()
            return value if value.dtype == dtype else value.astype(dtype)
        return value if value.dtype == symbol.dtype or value.dtype.kind == "f" else \
            value.astype(symbol.dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self.subclassed:
            raise NotImplementedError
        shapes = [tuple(symbol.shape) for symbol in self.outputs]
        return shapes[0] if self.single_output else shapes

    # ---- what the trainer needs ---------------------------------------------------------------
    def input_specs(self) -> list[tuple[tuple | None, str]]:
        if self.subclassed:
            return [(None, "float32")]
        return [(tuple(symbol.shape[1:]), symbol.dtype) for symbol in self.inputs]

    def build_for(self, arrays: list[np.ndarray]) -> None:
        if not self.subclassed or self.seen_output_shapes is not None:
            return
        with no_grad():  # one call on two samples builds every layer in the call
            sample = [Tensor(a[:2]) for a in arrays]
            outputs = self(sample[0] if len(sample) == 1 else sample, training=False)
        self.seen_output_shapes = [tuple(o.shape[1:]) for o in flatten(outputs)]
        self.built = True

    def output_specs(self) -> list[tuple]:
        if self.subclassed:
            if self.seen_output_shapes is None:
                raise ValueError(f"model {self.name!r} has not been built yet: call it on a "
                                 f"batch first")
            return self.seen_output_shapes
        return [tuple(symbol.shape[1:]) for symbol in self.outputs]

    def input_mismatch(self, index: int, shape: tuple) -> str:
        expected = self.input_specs()[index][0]
        return f"model {self.name!r} expects inputs of shape {(None, *expected)}, got {shape}"

    # ---- weights, saving, summary ---------------------------------------------------------
    def _require_built(self, what: str) -> None:
        if not self.built:
            raise ValueError(
                f"{what}: model {self.name!r} has not been built yet; give the first layer "
                f"input_shape=..., start with keras.Input(shape=...), call build(), or fit it"
            )

    def get_weights(self) -> list[np.ndarray]:
        """Every layer's weights in Keras's layouts, in layer order."""
        self._require_built("get_weights()")
        return super().get_weights()

    def set_weights(self, weights: list[Any]) -> None:
        """Load weights in Keras's layouts (e.g. a Keras model's ``get_weights()``)."""
        self._require_built("set_weights()")
        super().set_weights(weights)

    def count_params(self) -> int:
        self._require_built("count_params()")
        return sum(super().count_params())

    def get_config(self) -> dict[str, Any]:
        """The architecture and compile settings, as ``save`` writes them."""
        if self.subclassed:
            raise TypeError(
                f"save(): {type(self).__name__} is a subclassed model, whose call() a "
                f"checkpoint cannot hold; use save_weights() and rebuild the model in code"
            )
        for layer in self._layers:
            if type(layer).__name__ not in LAYERS or LAYERS[type(layer).__name__] is not type(
                    layer):
                raise TypeError(f"save(): layer {layer.name!r} ({type(layer).__name__}) is not "
                                f"one of tinydl.keras's layers; use save_weights()")
        return {
            "kind": "functional", "name": self.name,
            "layers": [{"class": type(layer).__name__, "config": layer.get_config()}
                       for layer in self._layers],
            "graph": graph_config(self.inputs, self.outputs, self.nodes),
            "single_input": self.single_input, "single_output": self.single_output,
            "compile": self._compile_config(),
        }

    def _compile_config(self) -> dict[str, Any] | None:
        if self.loss is None:
            return None
        return {
            "optimizer": {"class": type(self.optimizer).__name__,
                          "config": self.optimizer.get_config()},
            "loss": {"class": type(self.loss).__name__, "config": self.loss.get_config()},
            "metrics": self.metrics_names,
        }

    def save(self, filepath: str | Path) -> None:
        """Write the model (architecture, weights, compile settings and optimiser state) to
        one tinydl ``.npz`` checkpoint (arrays and JSON only, no pickle) whatever the file's
        name (``"model.keras"`` too); ``keras.models.load_model(filepath)`` reads it back."""
        self._require_built("save()")
        engine = self.optimizer.engine if self.optimizer is not None else None
        config = {**self.get_config(), "optimizer_saved": engine is not None}
        write_checkpoint(filepath, self, engine, {"keras": config}, "model.save()")

    def save_weights(self, filepath: str | Path) -> None:
        self._require_built("save_weights()")
        write_checkpoint(filepath, self, None, {}, "model.save_weights()")

    def load_weights(self, filepath: str | Path) -> None:
        self._require_built("load_weights()")
        load_checkpoint(filepath, self)

    def summary(self, print_fn: Callable[[str], None] | None = None) -> None:
        """Print Keras's table: each layer's name, output shape (channels-last) and number
        of parameters (and, for a graph that branches, what each layer is connected to)."""
        self._require_built("summary()")
        (print_fn or print)(summary_table(self))

    def layer_rows(self) -> list[tuple[Layer, str, str]]:
        """Each layer of the summary, its output shape and what it is connected to."""
        if self.subclassed:  # the shapes tinydl's layers were built for, if known
            return [(layer, "?" if layer.output_shape is None else
                     "(" + ", ".join(map(str, (None, *layer.output_shape))) + ")", "")
                    for layer in self.layers]
        own = {id(node) for node in self.nodes} | {id(t.node) for t in self.inputs}
        rows = []
        for layer in self._layers:
            nodes = [node for node in layer._inbound_nodes if id(node) in own]
            shapes = [describe(node.outputs) for node in nodes]
            sources = [f"{t.node.layer.name}[{t.node.index}][{t._keras_history[2]}]"
                       for node in nodes for t in node.input_tensors]
            rows.append((layer, ", ".join(shapes), ", ".join(sources)))
        return rows

    def extra_repr(self) -> str:
        return f"name={self.name!r}"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


def describe(outputs: Any) -> str:
    """Keras's way of printing an output shape: ``(None, 10)``, or a list of them."""
    if isinstance(outputs, (list, tuple)):
        return "[" + ", ".join(describe(o) for o in outputs) + "]"
    return "(" + ", ".join(map(str, outputs.shape)) + ")"


class Sequential(Model):
    """``Sequential([layers...])`` or ``Sequential()`` then ``.add(layer)``, as in Keras.

    The first layer's ``input_shape=`` (or a leading ``keras.Input(shape=...)``) builds
    the model at once; otherwise it is built from the first batch it sees.
    """

    def __init__(self, layers: list[Any] | None = None, name: str | None = None) -> None:
        Layer.__init__(self, name=name or unique_name("Sequential"))
        self.init_training()
        self.subclassed = False
        self._layers: list[Layer] = []
        self.input_spec: Shape | None = None
        self.input_dtype = "float32"
        self.input_symbol: KerasTensor | None = None  # a keras.Input given first, if any
        self.before: list[nn.Module | None] = []  # a transpose some layers need first
        self.tail: list[nn.Module] = []  # the transpose back to channels-last at the end
        self.runs: list[tuple[list[int], nn.Sequential | None]] = []
        self.output_shapes: list[Shape] = []
        if layers is not None:
            check.instance("Sequential()", "layers", layers, (list, tuple), "a list of layers")
        for layer in layers or ():
            self.add(layer)

    @property
    def layers(self) -> list[Layer]:
        return list(self._layers)

    # ---- building -----------------------------------------------------------------------
    def add(self, layer: Any) -> None:
        """Append a layer (or, first, a ``keras.Input``)."""
        if isinstance(layer, KerasTensor):
            if not (layer._keras_history and layer.node.is_input):
                raise TypeError("Sequential.add() takes layers, and a keras.Input first; got a "
                                "layer's output tensor (use keras.Model(inputs, outputs))")
            if self._layers or self.input_spec is not None:
                raise ValueError("keras.Input(...) may only be the first entry of a Sequential")
            self.input_spec, self.input_dtype = tuple(layer.shape[1:]), layer.dtype
            self.input_symbol = layer
            return
        if not isinstance(layer, Layer):
            if isinstance(layer, nn.Module):
                raise TypeError(
                    f"Sequential.add() takes tinydl.keras layers, got "
                    f"{type(layer).__module__}.{type(layer).__name__}, a tinydl engine module "
                    f"(channels-first, no activation= argument): use tinydl.keras.layers."
                    f"{type(layer).__name__} or tinydl.nn.Sequential"
                )
            raise TypeError(
                f"Sequential.add() takes a tinydl.keras layer ({', '.join(sorted(LAYERS))}) or "
                f"keras.Input, got {type(layer).__name__}"
            )
        if self.optimizer is not None and self.optimizer.engine is not None:
            raise ValueError("add() after training has started: add every layer before fit()")
        if not self._layers and self.input_spec is None:
            self.input_spec = layer.declared_input_shape
        self._layers.append(layer)
        if self.input_spec is not None:
            self._build_layers()

    def build(self, input_shape: Any = None) -> None:
        """Build for inputs of ``input_shape``, batch axis first: ``(None, 28, 28, 1)``."""
        if input_shape is not None:
            if self.input_spec is not None and not fits(tuple(input_shape[1:]),
                                                        self.input_spec):
                raise ValueError(
                    f"model {self.name!r} is built for inputs {self.input_shape}, "
                    f"build() got {tuple(input_shape)}"
                )
            self.input_spec = tuple(input_shape[1:])
        if self.input_spec is None:
            raise ValueError("build() needs the input shape, e.g. (None, 28, 28, 1)")
        self._build_layers()

    def _build_layers(self) -> None:
        """Build each layer for the output of the one before. Images travel channels-first
        between layers that work channels-first (tinydl's layers with ``make_parts``);
        other layers get Keras's layout."""
        shape, channels_first = self.input_spec, False
        self.before, self.output_shapes = [], []
        for layer in self._layers:
            if layer._has_parts():
                self.before.append(None)
                if layer.built:  # shared with another model (Keras allows it): same input
                    if (layer.input_shape, layer.input_channels_first) != (shape, channels_first):
                        raise ValueError(
                            f"layer {layer.name!r} is already built for inputs "
                            f"{layer.input_shape} in another model; here it gets {shape}: make "
                            f"a new layer"
                        )
                    shape, channels_first = layer.output_shape, layer.output_channels_first
                else:
                    shape, channels_first = layer.build_chain(shape, channels_first)
            else:
                self.before.append(ChannelsLast() if channels_first and is_image(shape) else None)
                shape, channels_first = self._build_keras_layout(layer, shape), False
            self.output_shapes.append(shape)
        self.tail = relayout(shape, channels_first, False)
        self.runs = self._runs()
        self.built = True
        self._connect()

    def _runs(self) -> list[tuple[list[int], nn.Sequential | None]]:
        """The layers (by index) in runs: consecutive layers of tinydl's own (``make_parts``)
        share one ``nn.Sequential`` of their modules, so that its Conv2D → MaxPool2D fast
        path (:mod:`tinydl.nn.fusion`) applies across layers as in a tinydl model; other
        layers run on their own."""
        runs: list[tuple[list[int], nn.Sequential | None]] = []
        for index, layer in enumerate(self._layers):
            if layer._has_parts() and runs and runs[-1][1] is not None:
                runs[-1][0].append(index)
                runs[-1][1].layers.extend(layer.parts)
            else:
                runs.append(([index], nn.Sequential(*layer.parts) if layer._has_parts() else None))
        return runs

    def _connect(self) -> None:
        """Keras's Sequential is also a graph (``model.inputs``, ``model.outputs``,
        ``layer.output``): each layer is called once on the output of the one before."""
        if self.input_symbol is None or not fits(tuple(self.input_symbol.shape[1:]),
                                                 self.input_spec):
            self.input_symbol = InputLayer(shape=self.input_spec, dtype=self.input_dtype).output
            self.symbols: list[Any] = []
        symbols = getattr(self, "symbols", [])
        for layer in self._layers[len(symbols):]:
            symbols.append(layer(symbols[-1] if symbols else self.input_symbol))
        self.symbols = symbols
        self.inputs, self.outputs = [self.input_symbol], [symbols[-1] if symbols else
                                                          self.input_symbol]
        self.single_input = self.single_output = True

    def _build_keras_layout(self, layer: Layer, shape: Shape) -> Shape:
        if not layer.built:
            layer.build((None, *shape))
            layer.built = True
        try:
            out = layer.compute_output_shape((None, *shape))
        except NotImplementedError:
            out = layer._traced_outputs((KerasTensor((None, *shape)),), {}).shape
        if out and isinstance(out[0], (list, tuple)):
            raise ValueError(
                f"layer {layer.name!r} gives {len(out)} outputs (return_state=True?); a "
                f"Sequential hands one tensor from layer to layer: use keras.Model(inputs, "
                f"outputs)"
            )
        return tuple(out[1:])

    @property
    def network(self) -> nn.Sequential:
        """The tinydl modules the layers built, in the order they run."""
        self._require_built("network")
        modules = []
        for layer, before in zip(self._layers, self.before, strict=True):
            modules += ([before] if before is not None else []) + (
                layer.parts if layer._has_parts() else [layer])
        return nn.Sequential(*modules, *self.tail)

    @property
    def input_shape(self) -> tuple[int | None, ...]:
        self._require_built("input_shape")
        return (None, *self.input_spec)

    @property
    def output_shape(self) -> tuple[int | None, ...]:
        self._require_built("output_shape")
        return (None, *(self.output_shapes[-1] if self._layers else self.input_spec))

    # ---- running ------------------------------------------------------------------------
    def _checked(self, x: Tensor) -> Tensor:
        """``x`` after building (from its shape, if needed) and checking it fits the model,
        float inputs in the model's float dtype (Keras casts uint8 and float64 inputs too)."""
        if self.input_spec is None:
            self.input_spec = tuple(x.shape[1:])
            self._build_layers()
        if not fits(tuple(x.shape[1:]), self.input_spec):
            raise ValueError(self.input_mismatch(0, tuple(x.shape)))
        if self.input_kind() != "float32" and x.dtype.kind in "iu":
            return x
        dtype = self.float_dtype()
        return x if x.dtype == dtype else x.astype(dtype)

    def call(self, inputs: Tensor) -> Tensor:
        """Each run of layers in turn: a run of tinydl's layers as one ``nn.Sequential`` of
        their modules (the same values as layer by layer), unless a mask travels with the
        data, which only the layers' own calls pass on."""
        x = self._checked(inputs)
        for indices, chain in self.runs:
            if chain is not None and notes.read(x, "mask") is None:
                x = chain(x)
                continue
            for index in indices:
                if self.before[index] is not None:
                    x = self.before[index](x)
                x = self._layers[index](x)
        for module in self.tail:
            x = module(x)
        return x

    def compute_output_shape(self, input_shape: Any) -> Any:
        if not self.built:
            self.build(input_shape)
        return self.output_shape

    # ---- what the trainer needs -----------------------------------------------------------
    def input_kind(self) -> str:
        """"float32", or the integer kind an ``Embedding`` first takes (ids stay integers)."""
        first = self._layers[0] if self._layers else None
        if self.input_dtype == "float32" and type(first).__name__ == "Embedding":
            return "int"
        return self.input_dtype

    def input_specs(self) -> list[tuple[tuple | None, str]]:
        return [(self.input_spec, self.input_kind())]

    def build_for(self, arrays: list[np.ndarray]) -> None:
        if self.input_spec is None:
            self.input_spec = tuple(arrays[0].shape[1:])
            self._build_layers()

    def output_specs(self) -> list[tuple]:
        self._require_built("fit()")
        return [tuple(self.output_shape[1:])]

    def input_mismatch(self, index: int, shape: tuple) -> str:
        expected = (None, *self.input_spec)
        message = f"model {self.name!r} expects inputs of shape {expected}, got {shape}"
        spec = self.input_spec
        if len(shape) == 4 and len(spec) == 3 and shape[1:] == (spec[2], spec[0], spec[1]):
            message += (
                ": these images are channels-first (N, C, H, W); tinydl.keras, like Keras, "
                "takes channels-last (N, H, W, C): use x.transpose(0, 2, 3, 1) on a NumPy array "
                "(x.permute(0, 2, 3, 1) on a tensor)"
            )
        elif shape[1:] + (1,) == spec:
            message += f": add the channel axis with x.reshape(-1, {', '.join(map(str, spec))})"
        return message

    # ---- saving and the summary -----------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """The architecture and compile settings, as ``save`` writes them."""
        return {
            "kind": "sequential", "name": self.name,
            "input_shape": None if self.input_spec is None else list(self.input_spec),
            "input_dtype": self.input_dtype,
            "layers": [{"class": type(layer).__name__, "config": layer.get_config()}
                       for layer in self._layers],
            "compile": self._compile_config(),
        }

    def layer_rows(self) -> list[tuple[Layer, str, str]]:
        return [(layer, "(" + ", ".join(map(str, (None, *shape))) + ")", "")
                for layer, shape in zip(self._layers, self.output_shapes, strict=True)]


def summary_table(model: Model) -> str:
    """Keras's layout: 65 columns, the three columns starting at 0, 29 and 55; 98 columns
    with a fourth, "Connected to", for a graph that branches or merges."""
    rows = model.layer_rows()
    linked = any(", " in sources for _, _, sources in rows) or len(
        getattr(model, "inputs", None) or ()) > 1
    width, starts = (98, (0, 32, 53, 65)) if linked else (65, (0, 29, 55))
    titles = ("Layer (type)", "Output Shape", "Param #", "Connected to")[:len(starts)]

    def row(cells: tuple[str, ...]) -> str:
        line = ""
        for cell, start in zip(cells, starts, strict=True):
            line = line.ljust(start) + cell + " "
        return line.rstrip()

    lines = [f'Model: "{model.name}"', "_" * width, row(titles), "=" * width]
    trainable = frozen = 0
    for i, (layer, shape, sources) in enumerate(rows):
        own_trainable, own_frozen = Layer.count_params(layer)
        trainable, frozen = trainable + own_trainable, frozen + own_frozen
        cells = (f"{layer.name} ({type(layer).__name__})", shape,
                 f"{own_trainable + own_frozen:,}", sources)
        lines.append(row(cells[:len(starts)]))
        lines.append("=" * width if i == len(rows) - 1 else "_" * width)
    if not rows:
        lines.append("=" * width)
    lines += [f"Total params: {trainable + frozen:,}", f"Trainable params: {trainable:,}",
              f"Non-trainable params: {frozen:,}", "_" * width]
    return "\n".join(lines)


def layer_from_config(entry: dict[str, Any]) -> Layer:
    """A layer rebuilt from its class name and ``get_config()``."""
    kind = offered(LAYERS, entry["class"], "layer class")
    config = dict(entry["config"])
    if "layer" in config:  # a wrapper: Bidirectional, TimeDistributed
        inner = config.pop("layer")
        config["layer"] = layer_from_config(inner)
    return kind(**config)


def offered(table: dict[str, Any], name: Any, what: str) -> Any:
    """``table[name]``, or a refusal naming the saved ``what`` that tinydl.keras lacks."""
    if name not in table:
        raise CheckpointError(f"it names the {what} {name!r}, which tinydl.keras does not offer "
                              f"(it offers {', '.join(sorted(table))})")
    return table[name]


def load_model(filepath: str | Path) -> Model:
    """A model written by ``model.save(filepath)``, with its weights, compile settings and
    optimiser state."""
    config = read_extra(filepath).get("keras")
    if not isinstance(config, dict):
        raise CheckpointError(
            f"{filepath} was not written by a tinydl.keras model's save() (no Keras "
            f"architecture in it); load plain tinydl checkpoints with tinydl.train.load_checkpoint"
        )
    try:  # a file written by save() holds every entry read here; an edited one may not
        model, engine = _rebuilt(config)
    except KeyError as err:
        raise CheckpointError(f"{filepath} cannot be loaded: its Keras architecture lacks the "
                              f"entry {err.args[0]!r} (was the file edited?)") from None
    except CheckpointError as err:
        raise CheckpointError(f"{filepath} cannot be loaded: {err}") from None
    load_checkpoint(filepath, model, engine)
    return model


def _rebuilt(config: dict[str, Any]) -> tuple[Model, Any]:
    """The model ``config`` describes, compiled as it was, and its optimiser's engine when
    the optimiser's state was saved."""
    if config.get("kind") == "functional":
        layers = {entry["config"]["name"]: layer_from_config(entry) for entry in config["layers"]}
        inputs, outputs = rebuild(config["graph"], layers)
        model = Model(inputs[0] if config["single_input"] else inputs,
                      outputs[0] if config["single_output"] else outputs, name=config["name"])
    else:
        model = Sequential(name=config["name"])
        if config["input_shape"] is not None:
            model.add(InputLayer(shape=tuple(config["input_shape"]),
                                 dtype=config.get("input_dtype")).output)
        for entry in config["layers"]:
            model.add(layer_from_config(entry))
    compiled = config["compile"]
    if compiled is None:
        return model, None
    optimizer = offered(keras_optimizers.OPTIMIZERS, compiled["optimizer"]["class"],
                        "optimizer class")
    loss = offered(keras_losses.LOSSES, compiled["loss"]["class"], "loss class")
    model.compile(optimizer=optimizer(**compiled["optimizer"]["config"]),
                  loss=loss(**compiled["loss"]["config"]), metrics=compiled["metrics"])
    return model, model.optimizer.build(model.parameters()) if config["optimizer_saved"] else None


__all__ = ["Model", "Sequential", "load_model"]
