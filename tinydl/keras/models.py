"""``Sequential``: a Keras model whose ``fit`` is :func:`tinydl.train.fit`.

The model is a :class:`tinydl.nn.Module`. Its Keras layers build tinydl modules, which
``model.network`` (an ``nn.Sequential``) runs in order; ``compile`` picks a Keras
optimiser and loss, ``fit``/``evaluate``/``predict`` translate Keras's arguments and
call :func:`tinydl.train.fit`, :func:`~tinydl.train.evaluate` and
:func:`~tinydl.train.predict`. To follow a training step into the engine, read
``tinydl/train/loop.py``: ``model(x)``, ``loss_fn(...)``, ``loss.backward()``,
``optimizer.step()``.

A final softmax with a cross-entropy loss (or sigmoid with binary cross-entropy) is
trained as Keras trains it: the loop runs the model up to the logits
(:meth:`Sequential.logits`) and the loss is tinydl's fused, exact ``CrossEntropyLoss``;
``predict`` and ``model(x)`` still give the probabilities.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from tinydl import nn, train
from tinydl.autograd import Tensor
from tinydl.keras import callbacks as keras_callbacks
from tinydl.keras import losses as keras_losses
from tinydl.keras import optimizers as keras_optimizers
from tinydl.keras._args import choose, positive_int, refuse, unique_name
from tinydl.keras.layers import LAYERS, Input, Layer, relayout
from tinydl.train.checkpoint import CheckpointError, load_checkpoint, read_extra, save_checkpoint

Shape = tuple[int, ...]
ACCURACY_NAMES = ("accuracy", "acc", "categorical_accuracy", "sparse_categorical_accuracy")
LIMIT_VARIABLE = "TINYDL_KERAS_LIMIT"
# The output activation each fusable loss absorbs.
_FUSED_ACTIVATION = {keras_losses.SoftmaxFunction: nn.Softmax,
                     keras_losses.SigmoidFunction: nn.Sigmoid}


def _verbosity(where: str, verbose: Any) -> int:
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2) or isinstance(verbose, bool):
        raise ValueError(f"{where}: verbose must be 0, 1, 2 or 'auto', got {verbose!r}")
    return int(verbose)


def _limited(where: str, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """The first $TINYDL_KERAS_LIMIT samples of each array (a quick-run switch for tests and
    smoke runs; announced with a warning so it never passes unnoticed)."""
    value = os.environ.get(LIMIT_VARIABLE)
    if not value:
        return arrays
    limit = int(value)
    if limit < len(arrays[0]):
        warnings.warn(f"{LIMIT_VARIABLE}={limit}: {where} uses the first {limit} of "
                      f"{len(arrays[0])} samples", stacklevel=3)
    return tuple(array[:limit] for array in arrays)


class _Logits(nn.Module):
    """The Keras model without its final softmax (sigmoid): what training runs when that
    activation is fused into the loss. It shares the model's parameters."""

    def __init__(self, keras_model: Sequential) -> None:
        self.keras_model = keras_model

    def forward(self, x: Tensor) -> Tensor:
        return self.keras_model.logits(x)


class _KerasCallbackHook:
    """Hands tinydl's per-epoch figures to Keras callbacks under Keras's names."""

    def __init__(self, model: Sequential, callbacks: list[keras_callbacks.Callback]) -> None:
        self.model, self.callbacks = model, callbacks

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool:
        keras_logs = self.model.keras_logs(logs)
        for callback in self.callbacks:
            callback.on_epoch_end(epoch, dict(keras_logs))
        return self.model.stop_training


class Sequential(nn.Module):
    """``Sequential([layers...])`` or ``Sequential()`` then ``.add(layer)``, as in Keras.

    The first layer's ``input_shape=`` (or a leading ``keras.Input(shape=...)``) builds
    the model at once; otherwise it is built from the first batch it sees.
    """

    def __init__(self, layers: list[Any] | None = None, name: str | None = None) -> None:
        self.name = name or unique_name("Sequential")
        self.layers: list[Layer] = []
        self.network: nn.Sequential | None = None
        self.input_spec: Shape | None = None
        self.optimizer: keras_optimizers.Optimizer | None = None
        self.loss: keras_losses.Loss | None = None
        self.metrics_names: list[str] = []
        self.stop_training = False
        self.history: keras_callbacks.History | None = None
        self._logits_body: dict[int, nn.Sequential] = {}  # a dict: not a child module
        if layers is not None and not isinstance(layers, (list, tuple)):
            raise TypeError(f"Sequential() takes a list of layers, got {type(layers).__name__}")
        for layer in layers or ():
            self.add(layer)

    # ---- building -----------------------------------------------------------------------
    def add(self, layer: Any) -> None:
        """Append a layer (or, first, a ``keras.Input``)."""
        if isinstance(layer, Input):
            if self.layers or self.input_spec is not None:
                raise ValueError("keras.Input(...) may only be the first entry of a Sequential")
            self.input_spec = layer.sample_shape
            return
        if isinstance(layer, nn.Module):
            raise TypeError(
                f"Sequential.add() takes tinydl.keras layers, got {type(layer).__module__}."
                f"{type(layer).__name__}, a tinydl engine module (channels-first, no activation= "
                f"argument): use tinydl.keras.layers.{type(layer).__name__} or tinydl.nn.Sequential"
            )
        if not isinstance(layer, Layer):
            raise TypeError(
                f"Sequential.add() takes a tinydl.keras layer ({', '.join(sorted(LAYERS))}) or "
                f"keras.Input, got {type(layer).__name__}"
            )
        if self.optimizer is not None and self.optimizer.engine is not None:
            raise ValueError("add() after training has started: add every layer before fit()")
        if not self.layers and self.input_spec is None:
            self.input_spec = layer.declared_input_shape
        self.layers.append(layer)
        if self.input_spec is not None:
            self._build_layers()

    def build(self, input_shape: Any = None) -> None:
        """Build for inputs of ``input_shape``, batch axis first: ``(None, 28, 28, 1)``."""
        if input_shape is not None:
            if self.input_spec is not None and tuple(input_shape[1:]) != self.input_spec:
                raise ValueError(
                    f"model {self.name!r} is built for inputs {self.input_shape}, "
                    f"build() got {tuple(input_shape)}"
                )
            self.input_spec = tuple(input_shape[1:])
        if self.input_spec is None:
            raise ValueError("build() needs the input shape, e.g. (None, 28, 28, 1)")
        self._build_layers()

    def _build_layers(self) -> None:
        shape, channels_first = self.input_spec, False
        for layer in self.layers:
            if layer.built:  # shared with another model (Keras allows it): same input needed
                if (layer.input_shape, layer.input_channels_first) != (shape, channels_first):
                    raise ValueError(
                        f"layer {layer.name!r} is already built for inputs {layer.input_shape} "
                        f"in another model; here it gets {shape}: make a new layer"
                    )
                shape, channels_first = layer.output_shape, layer.output_channels_first
            else:
                shape, channels_first = layer.build(shape, channels_first)
        modules = [module for layer in self.layers for module in layer.modules]
        self.network = nn.Sequential(*modules, *relayout(shape, channels_first, False))

    @property
    def built(self) -> bool:
        return self.network is not None

    @property
    def input_shape(self) -> tuple[int | None, ...]:
        self._require_built("input_shape")
        return (None, *self.input_spec)

    @property
    def output_shape(self) -> tuple[int | None, ...]:
        self._require_built("output_shape")
        return (None, *(self.layers[-1].output_shape if self.layers else self.input_spec))

    def _require_built(self, what: str) -> None:
        if self.network is None:
            raise ValueError(
                f"{what}: model {self.name!r} has not been built yet; give the first layer "
                f"input_shape=..., start with keras.Input(shape=...), call build(), or fit it"
            )

    # ---- running ------------------------------------------------------------------------
    def _checked(self, x: Tensor) -> Tensor:
        """``x`` after building (from its shape, if needed) and checking it fits the model,
        in the model's float dtype (Keras casts uint8 and float64 inputs too)."""
        if self.input_spec is None:
            self.input_spec = tuple(x.shape[1:])
            self._build_layers()
        if tuple(x.shape[1:]) != self.input_spec:
            raise ValueError(_shape_mismatch(self, tuple(x.shape)))
        dtype = next((p.dtype for layer in self.layers for p in layer.weight_tensors()), None)
        dtype = dtype or np.dtype(np.float32)
        return x if x.dtype == dtype else x.astype(dtype)

    def forward(self, x: Tensor) -> Tensor:
        return self.network(self._checked(x))

    def logits(self, x: Tensor) -> Tensor:
        """The output before the final softmax (sigmoid) that a fused loss absorbs."""
        body = self._logits_body.get(id(self.network))
        if body is None:  # made once per built network
            self._logits_body = {id(self.network): nn.Sequential(*self.network.layers[:-1])}
            body = self._logits_body[id(self.network)]
        return body(self._checked(x))

    def _as_array(self, x: Any, name: str) -> np.ndarray:
        if isinstance(x, Tensor):
            return x.numpy()
        if x is None or isinstance(x, (str, bytes, dict)) or not hasattr(x, "__len__"):
            raise TypeError(
                f"{name} must be a NumPy array (or a nested list), got {type(x).__name__}; for "
                f"DataLoaders and datasets use tinydl.train.fit with model.network"
            )
        array = np.asarray(x)
        if array.dtype.kind not in "biuf" or array.ndim == 0:
            raise TypeError(f"{name} must be an array of numbers with a samples axis, got "
                            f"dtype {array.dtype} and shape {array.shape}")
        return array

    def _inputs(self, x: Any, name: str = "x") -> np.ndarray:
        """Host float32 inputs, checked against (or building) the model."""
        array = self._as_array(x, name)
        array = array.astype(np.float32, copy=False)
        if self.input_spec is None:
            self.input_spec = array.shape[1:]
            self._build_layers()
        if array.shape[1:] != self.input_spec:
            raise ValueError(_shape_mismatch(self, array.shape))
        return array

    # ---- compile, fit, evaluate, predict ------------------------------------------------
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, metrics: Any = None,
                **unsupported: Any) -> None:
        """Choose the optimiser (name or object), the loss (name or object) and metrics
        (only accuracy: "accuracy", "acc", "categorical_accuracy",
        "sparse_categorical_accuracy")."""
        refuse("compile()", unsupported, ["optimizer", "loss", "metrics"])
        if loss is None:
            raise ValueError(
                f"compile() needs a loss, e.g. 'sparse_categorical_crossentropy'; offered: "
                f"{', '.join(sorted(keras_losses.BY_NAME))}"
            )
        self.loss = keras_losses.get(loss)
        if metrics is not None and not isinstance(metrics, (list, tuple)):
            raise TypeError(f"compile(): metrics must be a list of names, got {metrics!r}")
        for metric in metrics or ():
            choose("compile()", "metric", metric, ACCURACY_NAMES)
        self.metrics_names = list(metrics or ())
        self.optimizer = keras_optimizers.get(optimizer)

    def _training_parts(self, where: str) -> tuple[nn.Module, Any, Callable, Shape]:
        """What tinydl.train's functions get: the module (the logits view when the final
        activation is fused), the tinydl optimiser, the tinydl loss, the output shape."""
        if self.loss is None:
            raise RuntimeError(f"{where}: call model.compile(optimizer=..., loss=...) first")
        self._require_built(where)
        output_shape = self.output_shape[1:]
        if self.metrics_names and (len(output_shape) != 1 or output_shape == (1,)):
            raise ValueError(
                f"{where}: metrics={self.metrics_names} measure class accuracy over outputs of "
                f"shape (N, classes); this model's output is {self.output_shape} (Keras's binary "
                f"accuracy is not offered): compile without metrics"
            )
        last = self.network.layers[-1] if self.network.layers else None
        absorbed = _FUSED_ACTIVATION.get(self.loss.fuses)
        fused = absorbed is not None and isinstance(last, absorbed) and not self.loss.from_logits
        if self.loss.from_logits and isinstance(last, (nn.Softmax, nn.Sigmoid)):
            warnings.warn(
                f"{self.loss.name} got from_logits=True, but the model ends in a "
                f"{type(last).__name__.lower()}, so its outputs are probabilities, not logits: "
                f"drop the activation or from_logits=True", UserWarning, stacklevel=3,
            )
        engine = self.optimizer.engine
        if engine is None:
            engine = self.optimizer.build(self.parameters())
        module = _Logits(self) if fused else self
        return module, engine, self.loss.engine(fused or self.loss.from_logits), output_shape

    def _data_and_parts(self, where: str, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray, Any]:
        """Inputs and targets as the engine takes them, and the training parts."""
        x, y = _limited(where, self._as_array(x, "x"), self._as_array(y, "y"))
        x = self._inputs(x)
        parts = self._training_parts(where)
        y = self.loss.prepare_targets(y, parts[3])
        if len(y) != len(x):
            raise ValueError(f"{where}: x has {len(x)} samples but y has {len(y)}")
        return x, y, parts

    def keras_logs(self, logs: dict[str, float]) -> dict[str, float]:
        """tinydl's figures under Keras's names (``loss``, the metric names, ``val_*``)."""
        keras_logs = {}
        for prefix in ("", "val_"):
            if prefix + "loss" in logs:
                keras_logs[prefix + "loss"] = logs[prefix + "loss"]
                for metric in self.metrics_names:
                    keras_logs[prefix + metric] = logs[prefix + "accuracy"]
        return keras_logs

    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1,
            verbose: Any = "auto", callbacks: list[Any] | None = None,
            validation_split: float = 0.0, validation_data: Any = None, shuffle: bool = True,
            **unsupported: Any) -> keras_callbacks.History:
        """Train with :func:`tinydl.train.fit`; returns a History whose ``.history`` holds
        ``loss``, the metrics and, with validation, ``val_loss`` and ``val_<metric>``."""
        refuse("fit()", unsupported, ["x", "y", "batch_size", "epochs", "verbose", "callbacks",
                                      "validation_split", "validation_data", "shuffle"])
        verbose = _verbosity("fit()", verbose)
        positive_int("fit()", "epochs", epochs)
        batch_size = 32 if batch_size is None else positive_int("fit()", "batch_size", batch_size)
        x, y, (module, optimizer, loss_fn, output_shape) = self._data_and_parts("fit()", x, y)
        validation = None
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise TypeError("fit(): validation_data must be a pair (x_val, y_val)")
            x_val, y_val = _limited("fit() validation",
                                    self._as_array(validation_data[0], "validation_data[0]"),
                                    self._as_array(validation_data[1], "validation_data[1]"))
            validation = (self._inputs(x_val, "validation_data[0]"),
                          self.loss.prepare_targets(y_val, output_shape))
        elif validation_split:
            if not 0 < validation_split < 1:
                raise ValueError(
                    f"fit(): validation_split must lie in (0, 1), got {validation_split!r}"
                )
            cut = int(len(x) * (1 - validation_split))  # Keras holds out the last samples
            x, y, validation = x[:cut], y[:cut], (x[cut:], y[cut:])
        stopper, hook = self._callbacks(callbacks)
        self.history.params = {"verbose": verbose, "epochs": epochs,
                               "steps": -(-len(x) // batch_size)}
        self.stop_training = False
        train.fit(module, optimizer, loss_fn, (x, y), epochs, validation_data=validation,
                  early_stopping=stopper, progress=verbose == 1,
                  print_fn=print if verbose else None, batch_size=batch_size, shuffle=shuffle,
                  callbacks=[hook])
        return self.history

    def _callbacks(self, given: Any) -> tuple[Any, _KerasCallbackHook]:
        """The (one) EarlyStopping for tinydl's loop, and the hook for the others."""
        if given is not None and not isinstance(given, (list, tuple)):
            raise TypeError(f"fit(): callbacks must be a list, got {type(given).__name__}")
        stoppers = [c for c in given or () if isinstance(c, train.EarlyStopping)]
        others = [c for c in given or () if not isinstance(c, train.EarlyStopping)]
        if len(stoppers) > 1:
            raise ValueError("fit(): tinydl's loop takes one EarlyStopping, got several")
        for callback in others:
            if not isinstance(callback, keras_callbacks.Callback):
                raise TypeError(
                    f"fit(): {type(callback).__name__} is not a tinydl.keras callback; offered: "
                    f"{', '.join(keras_callbacks.__all__)} (subclass Callback for your own)"
                )
            callback.set_model(self)
        for stopper in stoppers:  # Keras's metric names for the loop's own
            stopper.monitor = _engine_name(stopper.monitor, self.metrics_names)
        self.history = keras_callbacks.History()
        self.history.set_model(self)
        return (stoppers[0] if stoppers else None), _KerasCallbackHook(self, [self.history,
                                                                            *others])

    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None,
                 verbose: Any = "auto", return_dict: bool = False,
                 **unsupported: Any) -> Any:
        """``[loss, *metrics]`` (or the loss alone without metrics, or a dict with
        ``return_dict=True``) over ``x``, ``y``, by :func:`tinydl.train.evaluate`."""
        refuse("evaluate()", unsupported, ["x", "y", "batch_size", "verbose", "return_dict"])
        verbose = _verbosity("evaluate()", verbose)
        batch_size = 32 if batch_size is None else positive_int("evaluate()", "batch_size",
                                                                batch_size)
        x, y, (module, _, loss_fn, _) = self._data_and_parts("evaluate()", x, y)
        figures = train.evaluate(module, (x, y), loss_fn, details=False, batch_size=batch_size)
        results = self.keras_logs(figures)
        if verbose:
            print(" - ".join(f"{name}: {value:.4f}" for name, value in results.items()))
        if return_dict:
            return results
        return list(results.values()) if self.metrics_names else results["loss"]

    def predict(self, x: Any, batch_size: int | None = None, verbose: Any = "auto",
                **unsupported: Any) -> np.ndarray:
        """The model's outputs (probabilities after a softmax) as a NumPy array, by
        :func:`tinydl.train.predict`. No progress bar is drawn whatever ``verbose`` says."""
        refuse("predict()", unsupported, ["x", "batch_size", "verbose"])
        _verbosity("predict()", verbose)
        batch_size = 32 if batch_size is None else positive_int("predict()", "batch_size",
                                                                batch_size)
        (x,) = _limited("predict()", self._as_array(x, "x"))
        return train.predict(self, self._inputs(x), batch_size=batch_size)

    # ---- weights, saving, summary ---------------------------------------------------------
    def get_weights(self) -> list[np.ndarray]:
        """Every layer's weights in Keras's layouts, in layer order."""
        self._require_built("get_weights()")
        return [w for layer in self.layers for w in layer.get_weights()]

    def set_weights(self, weights: list[Any]) -> None:
        """Load weights in Keras's layouts (e.g. a Keras model's ``get_weights()``)."""
        self._require_built("set_weights()")
        counts = [len(layer.weight_layouts()) for layer in self.layers]
        if not isinstance(weights, (list, tuple)) or len(weights) != sum(counts):
            got = len(weights) if isinstance(weights, (list, tuple)) else type(weights).__name__
            raise ValueError(
                f"set_weights() needs {sum(counts)} arrays for model {self.name!r}, got {got}"
            )
        start = 0
        for layer, count in zip(self.layers, counts, strict=True):
            layer.set_weights(list(weights[start:start + count]))
            start += count

    def get_config(self) -> dict[str, Any]:
        """The architecture and compile settings, as ``save`` writes them."""
        compiled = None
        if self.loss is not None:
            compiled = {
                "optimizer": {"class": type(self.optimizer).__name__,
                              "config": self.optimizer.get_config()},
                "loss": {"class": type(self.loss).__name__, "config": self.loss.get_config()},
                "metrics": self.metrics_names,
            }
        return {
            "name": self.name,
            "input_shape": None if self.input_spec is None else list(self.input_spec),
            "layers": [{"class": type(layer).__name__, "config": layer.get_config()}
                       for layer in self.layers],
            "compile": compiled,
        }

    def save(self, filepath: str | Path) -> None:
        """Write the model (architecture, weights, compile settings and optimiser state) to
        one tinydl ``.npz`` checkpoint (arrays and JSON only, no pickle);
        ``tinydl.keras.models.load_model(filepath)`` reads it back."""
        self._require_built("save()")
        engine = self.optimizer.engine if self.optimizer is not None else None
        config = {**self.get_config(), "optimizer_saved": engine is not None}
        save_checkpoint(filepath, self, engine, keras=config)

    def save_weights(self, filepath: str | Path) -> None:
        self._require_built("save_weights()")
        save_checkpoint(filepath, self)

    def load_weights(self, filepath: str | Path) -> None:
        self._require_built("load_weights()")
        load_checkpoint(filepath, self)

    def summary(self, print_fn: Callable[[str], None] | None = None) -> None:
        """Print Keras's table: each layer's name, output shape (channels-last) and number
        of parameters."""
        self._require_built("summary()")
        (print_fn or print)(_summary_table(self))

    def count_params(self) -> int:
        self._require_built("count_params()")
        return sum(sum(layer.count_params()) for layer in self.layers)

    def extra_repr(self) -> str:
        return f"name={self.name!r}"


def _engine_name(name: str, metrics: list[str]) -> str:
    """tinydl's figure name for a Keras one (``val_acc`` -> ``val_accuracy``)."""
    for prefix in ("", "val_"):
        if name in (prefix + metric for metric in metrics):
            return prefix + "accuracy"
    return name


def _shape_mismatch(model: Sequential, got: tuple[int, ...]) -> str:
    expected = (None, *model.input_spec)
    message = f"model {model.name!r} expects inputs of shape {expected}, got {got}"
    spec = model.input_spec
    if len(got) == 4 and len(spec) == 3 and got[1:] == (spec[2], spec[0], spec[1]):
        message += (
            ": these images are channels-first (N, C, H, W); tinydl.keras, like Keras, takes "
            "channels-last (N, H, W, C): use x.transpose(0, 2, 3, 1)"
        )
    elif got[1:] + (1,) == spec:
        message += f": add the channel axis with x.reshape(-1, {', '.join(map(str, spec))})"
    return message


def _summary_table(model: Sequential) -> str:
    """Keras's layout: 65 columns, the three columns starting at 0, 29 and 55."""
    width, starts = 65, (0, 29, 55)

    def row(cells: tuple[str, str, str]) -> str:
        line = ""
        for cell, start in zip(cells, starts, strict=True):
            line = line.ljust(start) + cell + " "
        return line.rstrip()

    lines = [f'Model: "{model.name}"', "_" * width,
             row(("Layer (type)", "Output Shape", "Param #")), "=" * width]
    trainable = frozen = 0
    for i, layer in enumerate(model.layers):
        own_trainable, own_frozen = layer.count_params()
        trainable, frozen = trainable + own_trainable, frozen + own_frozen
        shape = "(" + ", ".join(map(str, (None, *layer.output_shape))) + ")"
        lines.append(row((f"{layer.name} ({type(layer).__name__})", shape,
                          f"{own_trainable + own_frozen:,}")))
        lines.append("=" * width if i == len(model.layers) - 1 else "_" * width)
    if not model.layers:
        lines.append("=" * width)
    lines += [f"Total params: {trainable + frozen:,}", f"Trainable params: {trainable:,}",
              f"Non-trainable params: {frozen:,}", "_" * width]
    return "\n".join(lines)


class Model:
    """Keras's functional API and subclassed models are not offered by tinydl.keras."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError(
            "tinydl.keras offers Sequential models only, not keras.Model(inputs, outputs) or "
            "subclassing keras.Model; for your own forward(), subclass tinydl.nn.Module"
        )


def load_model(filepath: str | Path) -> Sequential:
    """A model written by ``model.save(filepath)``, with its weights, compile settings and
    optimiser state."""
    config = read_extra(filepath).get("keras")
    if not isinstance(config, dict):
        raise CheckpointError(
            f"{filepath} was not written by a tinydl.keras model's save() (no Keras "
            f"architecture in it); load plain tinydl checkpoints with tinydl.train.load_checkpoint"
        )
    model = Sequential(name=config["name"])
    if config["input_shape"] is not None:
        model.add(Input(shape=tuple(config["input_shape"])))
    for entry in config["layers"]:
        model.add(LAYERS[entry["class"]](**entry["config"]))
    compiled = config["compile"]
    engine = None
    if compiled is not None:
        optimizer = keras_optimizers.OPTIMIZERS[compiled["optimizer"]["class"]]
        loss = keras_losses.LOSSES[compiled["loss"]["class"]]
        model.compile(optimizer=optimizer(**compiled["optimizer"]["config"]),
                      loss=loss(**compiled["loss"]["config"]), metrics=compiled["metrics"])
        if config["optimizer_saved"]:
            engine = model.optimizer.build(model.parameters())
    load_checkpoint(filepath, model, engine)
    return model
