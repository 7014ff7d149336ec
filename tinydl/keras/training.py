"""``compile``, ``fit``, ``evaluate`` and ``predict`` for every Keras model (``Sequential``,
functional and subclassed): Keras's arguments, translated for :func:`tinydl.train.fit`,
:func:`~tinydl.train.evaluate` and :func:`~tinydl.train.predict`, which do the work.

tinydl's loop counts a loss and a class accuracy from ``(N, classes)`` outputs. Keras's
outputs come in more shapes, so the model is handed to the loop through a thin view
(:class:`TrainingView`) that gives the loop the same numbers Keras reports:

- a **per-time-step** output (N, T, classes) is seen as N·T rows of classes (and its
  targets, (N, T) labels or (N, T, classes) one-hot rows, as N·T rows too): Keras
  averages the loss and the accuracy over every time step, and so does the loop;
- a **binary** output (N, ..., 1) with ``metrics=["accuracy"]`` (Keras's binary
  accuracy: right when the probability is above 0.5 exactly when the target is 1) is seen
  as rows ``[threshold, output]``, whose arg-max is Keras's prediction; the loss reads
  the second column alone;
- a final **softmax** (sigmoid) with a cross-entropy is trained on the logits the
  activation kept (see :mod:`tinydl.keras.activations`), with tinydl's exact fused loss.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

from tinydl import backend, check, nn, ops, train
from tinydl.autograd import Tensor
from tinydl.autograd.tensor_checks import numeric_array
from tinydl.data import DataLoader, TensorDataset
from tinydl.errors import TinyDLError
from tinydl.keras import _notes as notes
from tinydl.keras import callbacks as keras_callbacks
from tinydl.keras import losses as keras_losses
from tinydl.keras import metrics as keras_metrics
from tinydl.keras import optimizers as keras_optimizers
from tinydl.keras._args import choose, fits, refuse
from tinydl.keras.activations import activation_of, logits_of
from tinydl.train.inputs import model_device

LIMIT_VARIABLE = "TINYDL_KERAS_LIMIT"
# Metric names that are the loss itself, and the loss they must be.
LOSS_METRICS = {"mse": "MeanSquaredError", "mean_squared_error": "MeanSquaredError"}
# Keras's accuracy metrics and the kind each measures (None: chosen from the shapes).
ACCURACY_KINDS = {"accuracy": None, "acc": None, "categorical_accuracy": "categorical",
                  "sparse_categorical_accuracy": "categorical",
                  "binary_accuracy": "binary"}


class MaskedOutputError(TinyDLError, ValueError):
    """A model whose output carries a mask cannot be trained as Keras trains it."""


def verbosity(where: str, verbose: Any) -> int:
    """Keras's ``verbose``: 0 (silent), 1 (a progress bar), 2 (a line per epoch) or "auto" (1)."""
    check.one_of(where, "verbose", verbose, (0, 1, 2, "auto"))
    return 1 if verbose == "auto" else int(verbose)


def batch_size_of(where: str, batch_size: Any) -> int:
    """Keras's ``batch_size``: a positive int, 32 when ``None``."""
    return 32 if batch_size is None else check.positive_int(where, "batch_size", batch_size)


def limited(where: str, arrays: list[np.ndarray]) -> list[np.ndarray]:
    """The first $TINYDL_KERAS_LIMIT samples of each array (a quick-run switch for tests and
    smoke runs; announced with a warning so it never passes unnoticed)."""
    value = os.environ.get(LIMIT_VARIABLE)
    if not value:
        return arrays
    limit = int(value) if value.strip().isdigit() else 0  # (a negative one would drop rows)
    if limit < 1:
        raise ValueError(f"${LIMIT_VARIABLE} must be a whole number >= 1 (how many samples "
                         f"to use), got {value!r}; unset it to use every sample")
    if limit < len(arrays[0]):
        warnings.warn(f"{LIMIT_VARIABLE}={limit}: {where} uses the first {limit} of "
                      f"{len(arrays[0])} samples", stacklevel=4)
    return [array[:limit] for array in arrays]


def as_array(x: Any, name: str) -> np.ndarray:
    """A host array of numbers with a samples axis."""
    if isinstance(x, Tensor):
        return x.numpy()
    if x is None or isinstance(x, (str, bytes, dict)) or not hasattr(x, "__len__"):
        raise TypeError(
            f"{name} must be a NumPy array (or a nested list), got {type(x).__name__}; for "
            f"DataLoaders and datasets use tinydl.train.fit with the model"
        )
    array = x if isinstance(x, np.ndarray) else numeric_array(x, name, "the Keras model")
    if array.dtype.kind not in "biuf" or array.ndim == 0:
        raise TypeError(f"{name} must be an array of numbers with a samples axis, got "
                        f"dtype {array.dtype} and shape {array.shape}")
    return array


# ---- the view of the model that tinydl's loop trains --------------------------------------------
class TrainingView(nn.Module):
    """The Keras model's output in the form tinydl's loop and loss take (see the module
    docstring): ``kind`` is "plain", "rows" (per-time-step classes) or "binary"."""

    def __init__(self, model: nn.Module, loss: keras_losses.Loss, kind: str) -> None:
        self.model, self.loss, self.kind = model, loss, kind
        self.warned = False

    def forward(self, inputs: Any) -> Tensor:
        output = self.model(inputs, training=self.training)
        if notes.read(output, "mask") is not None:
            raise MaskedOutputError(
                "the model's output carries a mask (from Embedding(mask_zero=True) through "
                "per-time-step layers); Keras then weights the loss by it, which tinydl.keras "
                "does not: end the model with a layer that drops the mask (an RNN without "
                "return_sequences, GlobalAveragePooling1D) or pad without mask_zero"
            )
        made_by = activation_of(output)
        if self.loss.from_logits and made_by in ("softmax", "sigmoid") and not self.warned:
            self.warned = True
            warnings.warn(
                f"{self.loss.name} got from_logits=True, but the model ends in a {made_by}, so "
                f"its outputs are probabilities, not logits: drop the activation or "
                f"from_logits=True", UserWarning, stacklevel=2,
            )
        logits = None
        if not self.loss.from_logits and self.loss.fuses is not None:
            logits = logits_of(output, self.loss.fuses)
        values = output if logits is None else logits
        if self.kind == "rows":
            values = values.reshape(-1, values.shape[-1])
        elif self.kind == "binary":
            column = values.reshape(-1, 1)
            threshold = 0.0 if logits is not None else 0.5  # σ(z) > 0.5 exactly when z > 0
            xp = backend.array_module(column.array)
            constant = Tensor(xp.full(column.shape, threshold, dtype=column.dtype))
            values = ops.concatenate([constant, column], axis=1)
        notes.write(values, fused=logits is not None)
        return values


class EngineLoss:
    """The tinydl loss of a Keras loss, on what :class:`TrainingView` gives."""

    def __init__(self, loss: keras_losses.Loss, kind: str) -> None:
        self.loss, self.kind = loss, kind

    def __call__(self, output: Tensor, target: Tensor) -> Tensor:
        engine = self.loss.engine(bool(notes.read(output, "fused")) or self.loss.from_logits)
        return engine(output[:, 1] if self.kind == "binary" else output, target)


class PredictView(nn.Module):
    """The model's outputs for ``tinydl.train.predict``: one Tensor, several outputs side
    by side (each flattened per sample; :meth:`split` takes them apart again)."""

    def __init__(self, model: nn.Module) -> None:
        self.model = model
        self.shapes: list[tuple[int, ...]] | None = None  # of several outputs, once seen
        self.container: type = list

    def forward(self, inputs: Any) -> Tensor:
        outputs = self.model(inputs, training=False)
        if isinstance(outputs, Tensor):
            return outputs
        self.container = type(outputs)
        self.shapes = [tuple(o.shape[1:]) for o in outputs]
        return ops.concatenate([o.reshape(o.shape[0], -1) for o in outputs], axis=1)

    def split(self, joined: np.ndarray) -> np.ndarray | list[np.ndarray]:
        if self.shapes is None:
            return joined
        sizes = np.cumsum([int(np.prod(shape)) for shape in self.shapes])[:-1]
        return self.container(
            part.reshape(len(joined), *shape)
            for part, shape in zip(np.split(joined, sizes, axis=1), self.shapes, strict=True))


class Batches:
    """Batches of the model's inputs (and targets) as Tensors on its device, through a
    :class:`tinydl.data.DataLoader`: ``(x, y)`` pairs for fit/evaluate (x a tuple for a
    model of several inputs; y flattened to rows for the views), ``(x,)`` for predict."""

    def __init__(self, inputs: list[np.ndarray], targets: np.ndarray | None, batch_size: int,
                 shuffle: bool, model: nn.Module, kind: str = "plain") -> None:
        arrays = [*inputs, *([] if targets is None else [targets])]
        self.loader = DataLoader(TensorDataset(*arrays), batch_size=batch_size, shuffle=shuffle,
                                 device=model_device(model))
        self.count, self.has_targets, self.kind = len(inputs), targets is not None, kind

    def __len__(self) -> int:
        return len(self.loader)

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        for batch in self.loader:
            batch = batch if isinstance(batch, tuple) else (batch,)
            x = batch[0] if self.count == 1 else tuple(batch[:self.count])
            if not self.has_targets:
                yield (x,)
                continue
            y = batch[-1]
            if self.kind == "binary" or (self.kind == "rows" and y.dtype.kind in "iu"):
                y = y.reshape(-1)
            elif self.kind == "rows":
                y = y.reshape(-1, y.shape[-1])
            yield x, y


# ---- the Keras methods ----------------------------------------------------------------------
class Trainer:
    """``compile``/``fit``/``evaluate``/``predict`` for a Keras model. The model provides
    ``input_specs()`` (each input's sample shape, ``None`` where unknown, and dtype),
    ``build_for(arrays)`` and ``output_specs()``."""

    def init_training(self) -> None:
        self.optimizer: keras_optimizers.Optimizer | None = None
        self.loss: keras_losses.Loss | None = None
        self.metrics_names: list[str] = []
        self.metric_figures: dict[str, str] = {}
        self.accuracy_kind: str | None = None
        self.stop_training = False
        self.history: keras_callbacks.History | None = None

    # ---- what a model provides ----------------------------------------------------------------
    def input_specs(self) -> list[tuple[tuple | None, str]]:
        raise NotImplementedError

    def build_for(self, arrays: list[np.ndarray]) -> None:
        raise NotImplementedError

    def output_specs(self) -> list[tuple]:
        raise NotImplementedError

    def input_mismatch(self, index: int, shape: tuple) -> str:
        expected = self.input_specs()[index][0]
        return f"model {self.name!r} expects inputs of shape {(None, *expected)}, got {shape}"

    # ---- data ---------------------------------------------------------------------------------
    def _inputs(self, where: str, x: Any) -> list[np.ndarray]:
        """The model's inputs as host arrays, checked against (or building) the model."""
        specs = self.input_specs()
        several = isinstance(x, (list, tuple)) and len(specs) > 1
        arrays = [as_array(v, f"x[{i}]") for i, v in enumerate(x)] if several else [
            as_array(x, "x")]
        if len(arrays) != len(specs):
            raise ValueError(f"{where}: model {self.name!r} has {len(specs)} inputs, got "
                             f"{len(arrays)} arrays")
        if len({len(a) for a in arrays}) > 1:
            raise ValueError(f"{where}: the input arrays hold different numbers of samples: "
                             f"{', '.join(str(len(a)) for a in arrays)}")
        arrays = [self._cast_input(a, dtype) for a, (_, dtype) in zip(arrays, specs, strict=False)]
        self.build_for(arrays)
        for index, (array, (shape, _)) in enumerate(zip(arrays, self.input_specs(), strict=True)):
            if shape is not None and not fits(array.shape[1:], shape):
                raise ValueError(self.input_mismatch(index, array.shape))
        return arrays

    @staticmethod
    def _cast_input(array: np.ndarray, dtype: str) -> np.ndarray:
        """Float inputs become float32 (the weights' dtype), as Keras casts them; integer
        inputs (token ids) keep theirs."""
        if dtype.startswith("float"):
            return array.astype(np.float32, copy=False)
        if dtype == "int" or array.dtype.kind == "f":
            return array
        return array.astype(dtype, copy=False)

    def _data(self, where: str, x: Any, y: Any) -> tuple[list[np.ndarray], np.ndarray | None]:
        inputs = self._inputs(where, x)
        if y is None:
            return limited(where, inputs), None
        if isinstance(y, (list, tuple)) and len(y) == 1 and isinstance(y[0], np.ndarray):
            y = y[0]
        target = as_array(y, "y")
        *inputs, target = limited(where, [*inputs, target])
        if len(target) != len(inputs[0]):
            raise ValueError(f"{where}: x has {len(inputs[0])} samples but y has {len(target)}")
        return inputs, target

    # ---- compile ------------------------------------------------------------------------------
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, metrics: Any = None,
                **unsupported: Any) -> None:
        """Choose the optimiser (name or object), the loss (name or object) and metrics
        (accuracy: "accuracy", "acc", "categorical_accuracy",
        "sparse_categorical_accuracy", "binary_accuracy")."""
        refuse("compile()", unsupported, ["optimizer", "loss", "metrics"])
        if loss is None:
            raise ValueError(
                f"compile() needs a loss, e.g. 'sparse_categorical_crossentropy'; offered: "
                f"{', '.join(sorted(keras_losses.BY_NAME))}"
            )
        self.loss = keras_losses.get(loss)
        if metrics is not None:
            check.instance("compile()", "metrics", metrics, (list, tuple), "a list of names")
        figures = [self._metric_figure(metric) for metric in metrics or ()]
        kinds = {kind for _, figure, kind in figures if figure == "accuracy"}
        if len(kinds) > 1:
            raise ValueError(f"compile(): metrics {list(metrics)} measure different accuracies; "
                             f"tinydl's loop counts one: keep one of them")
        self.metrics_names = [name for name, _, _ in figures]
        self.metric_figures = {name: figure for name, figure, _ in figures}
        self.accuracy_kind = next(iter(kinds), None)
        self.optimizer = keras_optimizers.get(optimizer)

    def _metric_figure(self, metric: Any) -> tuple[str, str, str | None]:
        """A metric's name, the figure of tinydl's loop it reports ("accuracy" or "loss"),
        and, for an accuracy, its kind."""
        if isinstance(metric, keras_metrics.Metric):
            name, figure, kind, loss = metric.name, metric.figure, metric.kind, metric.loss
        elif isinstance(metric, str) and metric in LOSS_METRICS:
            name, figure, kind, loss = metric, "loss", None, LOSS_METRICS[metric]
        else:
            name = choose("compile()", "metric", metric, [*ACCURACY_KINDS, *LOSS_METRICS])
            figure, kind, loss = "accuracy", ACCURACY_KINDS[name], None
        if figure == "loss" and type(self.loss).__name__ != loss:
            raise ValueError(
                f"compile(): metric {name!r} is offered only as the loss itself (tinydl's loop "
                f"counts the loss and one accuracy); the loss here is {self.loss.name}"
            )
        return name, figure, kind

    def _training_parts(self, where: str, target: np.ndarray
                        ) -> tuple[TrainingView, EngineLoss, np.ndarray, str]:
        """The view and loss tinydl's loop gets, and the targets as the loss takes them."""
        outputs = self.output_specs()
        if len(outputs) != 1:
            raise ValueError(
                f"{where}: model {self.name!r} has {len(outputs)} outputs; tinydl.keras trains "
                f"models of one output (one loss): build a model of the output to train"
            )
        output_shape = tuple(outputs[0])
        target = self.loss.prepare_targets(target, output_shape)
        kind = self._view_kind(output_shape)
        if kind == "binary" and isinstance(self.loss, keras_losses.Hinge):
            raise ValueError(
                f"{where}: binary accuracy with the hinge loss is not offered (tinydl's loop "
                f"would compare the hinge's ±1 targets with 0/1 predictions); compile without "
                f"metrics"
            )
        return TrainingView(self, self.loss, kind), EngineLoss(self.loss, kind), target, kind

    def _view_kind(self, output_shape: tuple) -> str:
        accuracy = self.accuracy_kind
        if accuracy is None and "accuracy" in self.metric_figures.values():
            accuracy = "binary" if output_shape[-1] == 1 else "categorical"
        if accuracy == "binary":
            return "binary"
        per_row = len(output_shape) > 1 and (accuracy is not None or self.loss.fuses == "softmax")
        return "rows" if per_row else "plain"

    def _require_compiled(self, where: str) -> None:
        if self.loss is None:
            raise RuntimeError(f"{where}: call model.compile(optimizer=..., loss=...) first")

    def _engine_optimizer(self) -> Any:
        engine = self.optimizer.engine
        if engine is None or {id(p) for p in engine.params} != {id(p) for p in self.parameters()}:
            return self.optimizer.build(self.parameters())  # refuses another model's optimizer
        return engine

    # ---- fit, evaluate, predict ---------------------------------------------------------------
    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1,
            verbose: Any = "auto", callbacks: list[Any] | None = None,
            validation_split: float = 0.0, validation_data: Any = None, shuffle: bool = True,
            **unsupported: Any) -> keras_callbacks.History:
        """Train with :func:`tinydl.train.fit`; returns a History whose ``.history`` holds
        ``loss``, the metrics and, with validation, ``val_loss`` and ``val_<metric>``."""
        refuse("fit()", unsupported, ["x", "y", "batch_size", "epochs", "verbose", "callbacks",
                                      "validation_split", "validation_data", "shuffle"])
        verbose = verbosity("fit()", verbose)
        epochs = check.positive_int("fit()", "epochs", epochs)
        batch_size = batch_size_of("fit()", batch_size)
        shuffle = check.flag("fit()", "shuffle", shuffle)
        self._require_compiled("fit()")
        inputs, target = self._data("fit()", x, y)
        view, loss_fn, target, kind = self._training_parts("fit()", target)
        validation = None
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise TypeError("fit(): validation_data must be a pair (x_val, y_val)")
            held_inputs, held_target = self._data("fit() validation", *validation_data)
            held_target = self.loss.prepare_targets(held_target, tuple(self.output_specs()[0]))
            validation = (held_inputs, held_target)
        elif validation_split:
            validation_split = check.number("fit()", "validation_split", validation_split, "(0, 1)")
            cut = int(len(target) * (1 - validation_split))  # Keras holds out the last samples
            validation = ([a[cut:] for a in inputs], target[cut:])
            inputs, target = [a[:cut] for a in inputs], target[:cut]
        optimizer = self._engine_optimizer()
        batches = Batches(inputs, target, batch_size, shuffle, self, kind)
        held_out = None if validation is None else Batches(*validation, batch_size, False, self,
                                                           kind)
        stopper, hook = self._callbacks(callbacks)
        self.history.params = {"verbose": verbose, "epochs": epochs, "steps": len(batches)}
        self.stop_training = False
        figures = self.metric_figures
        train.fit(view, optimizer, loss_fn, batches, epochs, validation_data=held_out,
                  early_stopping=stopper, progress=verbose == 1,
                  print_fn=(lambda line: print(keras_epoch_line(line, figures))) if verbose
                  else None, callbacks=[hook])
        return self.history

    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None,
                 verbose: Any = "auto", return_dict: bool = False,
                 **unsupported: Any) -> Any:
        """``[loss, *metrics]`` (or the loss alone without metrics, or a dict with
        ``return_dict=True``) over ``x``, ``y``, by :func:`tinydl.train.evaluate`."""
        refuse("evaluate()", unsupported, ["x", "y", "batch_size", "verbose", "return_dict"])
        verbose = verbosity("evaluate()", verbose)
        batch_size = batch_size_of("evaluate()", batch_size)
        self._require_compiled("evaluate()")
        inputs, target = self._data("evaluate()", x, y)
        view, loss_fn, target, kind = self._training_parts("evaluate()", target)
        figures = train.evaluate(view, Batches(inputs, target, batch_size, False, self, kind),
                                 loss_fn, details=False)
        results = self.keras_logs(figures)
        if verbose:
            print(" - ".join(f"{name}: {value:.4f}" for name, value in results.items()))
        if return_dict:
            return results
        return list(results.values()) if self.metrics_names else results["loss"]

    def predict(self, x: Any, batch_size: int | None = None, verbose: Any = "auto",
                **unsupported: Any) -> Any:
        """The model's outputs (probabilities after a softmax) as a NumPy array (a list of
        arrays for a model of several outputs), by :func:`tinydl.train.predict`. No
        progress bar is drawn whatever ``verbose`` says."""
        refuse("predict()", unsupported, ["x", "batch_size", "verbose"])
        verbosity("predict()", verbose)
        batch_size = batch_size_of("predict()", batch_size)
        inputs, _ = self._data("predict()", x, None)
        view = PredictView(self)
        return view.split(train.predict(view, Batches(inputs, None, batch_size, False, self)))

    def logits(self, x: Any, training: bool | None = None) -> Tensor:
        """The output before the model's final softmax (sigmoid): what a fused loss takes."""
        output = self(x, training=training)
        for activation in ("softmax", "sigmoid"):
            logits = logits_of(output, activation)
            if logits is not None:
                return logits
        raise ValueError(f"model {self.name!r} does not end in a softmax or sigmoid over its "
                         f"last axis, so its output is not made from logits")

    # ---- callbacks and logs -------------------------------------------------------------------
    def keras_logs(self, logs: dict[str, float]) -> dict[str, float]:
        """tinydl's figures under Keras's names (``loss``, the metric names, ``val_*``)."""
        keras_logs = {}
        for prefix in ("", "val_"):
            if prefix + "loss" in logs:
                keras_logs[prefix + "loss"] = logs[prefix + "loss"]
                for metric in self.metrics_names:
                    keras_logs[prefix + metric] = logs[prefix + self.metric_figures[metric]]
        return keras_logs

    def _callbacks(self, given: Any) -> tuple[Any, KerasCallbackHook]:
        """The (one) EarlyStopping for tinydl's loop, and the hook for the others."""
        if given is not None:
            check.instance("fit()", "callbacks", given, (list, tuple), "a list")
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
            stopper.monitor = engine_name(stopper.monitor, self.metric_figures)
        self.history = keras_callbacks.History()
        self.history.set_model(self)
        return (stoppers[0] if stoppers else None), KerasCallbackHook(self, [self.history,
                                                                           *others])


class KerasCallbackHook:
    """Hands tinydl's per-epoch figures to Keras callbacks under Keras's names."""

    def __init__(self, model: Trainer, callbacks: list[keras_callbacks.Callback]) -> None:
        self.model, self.callbacks = model, callbacks

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool:
        keras_logs = self.model.keras_logs(logs)
        for callback in self.callbacks:
            callback.on_epoch_end(epoch, dict(keras_logs))
        return self.model.stop_training


def keras_epoch_line(line: str, figures: dict[str, str]) -> str:
    """tinydl's line after an epoch under Keras's names: each metric under its name (the
    loop's accuracy only when an accuracy was asked for, as Keras prints none otherwise)."""
    if not line.startswith("epoch "):
        return line
    head, *fields = line.split("  ")
    shown = [head]
    for field in fields:
        key, _, value = field.partition(" ")
        prefix = "val_" if key.startswith("val_") else ""
        if key[len(prefix):] != "accuracy":
            shown.append(field)
        for name, figure in figures.items():
            if key == prefix + figure:
                shown.append(f"{prefix}{name} {value}")
    return "  ".join(shown)


def engine_name(name: str, figures: dict[str, str]) -> str:
    """tinydl's figure name for a Keras one (``val_acc`` -> ``val_accuracy``)."""
    for prefix in ("", "val_"):
        for metric, figure in figures.items():
            if name == prefix + metric:
                return prefix + figure
    return name
