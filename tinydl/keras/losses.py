"""Keras's losses, as Keras computes them, on tinydl's loss functions.

Keras's losses take *probabilities* unless ``from_logits=True``: a model ending in a
softmax is the normal case. Computing log(softmax) in two steps loses precision (and
gives log 0 = -inf for a confident mistake), so Keras, and tinydl.keras, fuse them: when
the model's output was made by a softmax (sigmoid), which keeps its logits on the output
(see :mod:`tinydl.keras.activations`), and the loss is a categorical (binary)
cross-entropy, the loss starts from the logits with tinydl's ``nn.CrossEntropyLoss``
(``nn.BCEWithLogitsLoss``), whose log-softmax is exact. Outputs that are not a softmax's
get Keras's formula for probabilities: normalise each row, clip to [1e-7, 1 - 1e-7],
take the log.

Outputs with time steps, (N, T, classes), are N·T classifications: the cross-entropy is
their mean, as in Keras; their sparse targets are (N, T) labels.

Calling a loss directly follows Keras's argument order, ``loss(y_true, y_pred)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tinydl import nn, ops
from tinydl.autograd import Tensor, tensor_checks
from tinydl.data import one_hot
from tinydl.keras._args import fits, missing_names, refuse
from tinydl.keras.activations import logits_of
from tinydl.ops.activations import Sigmoid as SigmoidFunction
from tinydl.ops.activations import Softmax as SoftmaxFunction

# The activation Function each fusable loss absorbs when traced through the graph.
_FUNCTIONS = {"softmax": SoftmaxFunction, "sigmoid": SigmoidFunction}

EPSILON = 1e-7  # keras.backend.epsilon(): how far Keras keeps probabilities from 0 and 1
EngineLoss = Callable[[Tensor, Tensor], Tensor]


def _clipped_log(p: Tensor) -> Tensor:
    return ops.log(ops.clip(p, EPSILON, 1 - EPSILON))


def probability_cross_entropy(probs: Tensor, target: Tensor) -> Tensor:
    """Keras's categorical cross-entropy of outputs that are not logits: rows normalised to
    sum 1, clipped, then −Σ t log p, averaged over the batch. Integer labels stand for
    their one-hot rows."""
    if target.dtype.kind in "iu":
        target = Tensor(one_hot(target.array, probs.shape[-1], dtype=probs.dtype))
    normalised = probs / ops.sum(probs, axis=-1, keepdims=True)
    return ops.mean(-ops.sum(target * _clipped_log(normalised), axis=-1))


def probability_binary_cross_entropy(probs: Tensor, target: Tensor) -> Tensor:
    """Keras's binary cross-entropy of probabilities: −[t log p + (1 − t) log(1 − p)] with p
    clipped, averaged over every element."""
    return ops.mean(-(target * _clipped_log(probs) + (1 - target) * _clipped_log(1 - probs)))


class Loss:
    """A Keras loss: its settings, how it prepares targets, and the tinydl loss it runs."""

    #: The activation ("softmax", "sigmoid") this loss absorbs into a fused logits loss.
    fuses: str | None = None
    arguments: tuple[str, ...] = ()

    def __init__(self, from_logits: bool = False, reduction: str = "sum_over_batch_size",
                 name: str | None = None, **unsupported: Any) -> None:
        kind = type(self).__name__
        if reduction != "sum_over_batch_size":
            unsupported["reduction"] = reduction
        refuse(f"losses.{kind}()", unsupported, [*self.arguments, "name"])
        if from_logits and "from_logits" not in self.arguments:
            raise TypeError(f"losses.{kind}() has no from_logits argument")
        self.from_logits = bool(from_logits)
        self.name = name or KERAS_NAMES[kind]

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {"name": self.name}
        if "from_logits" in self.arguments:
            config["from_logits"] = self.from_logits
        return config

    def engine(self, output_is_logits: bool) -> EngineLoss:
        """The tinydl loss ``(output, target) -> scalar`` that training runs."""
        raise NotImplementedError

    def prepare_targets(self, y: Any, output_shape: tuple) -> np.ndarray:
        """Host targets in the dtype and shape the engine loss takes (float32 by default)."""
        y = np.asarray(y)
        if y.dtype.kind not in "biuf":
            raise TypeError(f"{self.name} needs numeric targets, got dtype {y.dtype}")
        y = y.astype(np.float32)
        if not fits(y.shape[1:], output_shape) and y.shape[1:] in ((), (1,)) and \
                output_shape == (1,):
            y = y.reshape(len(y), 1)
        if not fits(y.shape[1:], output_shape):
            raise ValueError(
                f"{self.name} needs targets of the model's output shape (N, "
                f"{', '.join(map(str, output_shape))}), got shape {y.shape}"
            )
        return y

    def __call__(self, y_true: Any, y_pred: Tensor) -> Tensor:
        """The loss of ``y_pred`` (a Tensor) against ``y_true``, Keras's argument order. An
        output made by a softmax (sigmoid) is traced back to its logits, as Keras does."""
        tensor_checks.tensor(f"{self.name}(y_true, y_pred)", "y_pred", y_pred)
        target = y_true.numpy() if isinstance(y_true, Tensor) else y_true
        target = self.prepare_targets(target, y_pred.shape[1:])
        if target.dtype.kind == "f":  # Keras casts targets to the prediction's dtype
            target = target.astype(y_pred.dtype)
        logits = None
        if not self.from_logits and self.fuses is not None:
            logits = logits_of(y_pred, self.fuses)
            creator = y_pred.creator
            if logits is None and isinstance(creator, _FUNCTIONS[self.fuses]):
                logits = creator.inputs[0]
        values = y_pred if logits is None else logits
        if self.fuses == "softmax" and values.ndim > 2:  # time steps: N·T rows of classes
            values = values.reshape(-1, values.shape[-1])
            target = target.reshape(-1) if target.dtype.kind in "iu" else target.reshape(
                -1, target.shape[-1])
        target = Tensor(target).to(y_pred.device)
        return self.engine(logits is not None or self.from_logits)(values, target)


class _CrossEntropy(Loss):
    fuses = "softmax"
    arguments = ("from_logits",)

    def engine(self, output_is_logits):
        return nn.CrossEntropyLoss() if output_is_logits else probability_cross_entropy


class SparseCategoricalCrossentropy(_CrossEntropy):
    """Cross-entropy against integer class labels (N,) (or (N, 1), as Keras accepts), or
    (N, T) labels for an output of time steps (N, T, classes)."""

    def prepare_targets(self, y, output_shape):
        y = np.asarray(y)
        labels_shape = tuple(output_shape[:-1])
        if y.ndim == len(labels_shape) + 2 and y.shape[-1] == 1:
            y = y.reshape(y.shape[:-1])
        if not fits(y.shape[1:], labels_shape):
            shape = str(("N", *labels_shape)).replace("'", "")
            raise ValueError(
                f"{self.name} needs integer class labels of shape {shape}, got shape {y.shape}; "
                f"for one-hot targets use categorical_crossentropy"
            )
        if y.dtype.kind == "f" and np.array_equal(y, np.round(y)):
            y = y.astype(np.int64)
        if y.dtype.kind not in "iu":
            raise TypeError(f"{self.name} needs integer class labels, got dtype {y.dtype}")
        return y.astype(np.int64)


class CategoricalCrossentropy(_CrossEntropy):
    """Cross-entropy against one-hot (or probability) rows of shape (N, classes)."""

    def prepare_targets(self, y, output_shape):
        y = np.asarray(y)
        if y.ndim == len(output_shape) and y.dtype.kind in "iu":
            shape = str(("N", *output_shape)).replace("'", "")
            raise ValueError(
                f"{self.name} needs one-hot targets of shape {shape}, got integer "
                f"labels of shape {y.shape}: use sparse_categorical_crossentropy, or "
                f"utils.to_categorical(labels)"
            )
        return super().prepare_targets(y, output_shape)


class BinaryCrossentropy(Loss):
    """Binary cross-entropy of probabilities (a sigmoid output) against targets in [0, 1]."""

    fuses = "sigmoid"
    arguments = ("from_logits",)

    def engine(self, output_is_logits):
        return nn.BCEWithLogitsLoss() if output_is_logits else probability_binary_cross_entropy


class MeanSquaredError(Loss):
    """Mean of (y_pred − y_true)² over every element: tinydl's ``nn.MSELoss``."""

    def engine(self, output_is_logits):
        return nn.MSELoss()


class Hinge(Loss):
    """mean(max(0, 1 − y_true·y_pred)) with y_true of ±1 (0/1 targets become ±1, as Keras
    converts them): tinydl's binary ``nn.HingeLoss``."""

    def prepare_targets(self, y, output_shape):
        y = super().prepare_targets(y, output_shape)
        return 2 * y - 1 if np.isin(y, (0, 1)).all() else y

    def engine(self, output_is_logits):
        return nn.HingeLoss()


LOSSES: dict[str, type[Loss]] = {
    kind.__name__: kind
    for kind in (BinaryCrossentropy, CategoricalCrossentropy, Hinge, MeanSquaredError,
                 SparseCategoricalCrossentropy)
}
KERAS_NAMES = {
    "BinaryCrossentropy": "binary_crossentropy",
    "CategoricalCrossentropy": "categorical_crossentropy",
    "Hinge": "hinge",
    "MeanSquaredError": "mean_squared_error",
    "SparseCategoricalCrossentropy": "sparse_categorical_crossentropy",
}
# The names compile(loss=...) accepts.
BY_NAME = {name: LOSSES[kind] for kind, name in KERAS_NAMES.items()} | {
    "mse": MeanSquaredError,
}
__all__ = sorted(LOSSES)


def get(identifier: Any) -> Loss:
    """A loss from a Keras name ("categorical_crossentropy", "mse", ...) or a loss object."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str) and identifier in BY_NAME:
        return BY_NAME[identifier]()
    raise ValueError(
        f"loss {identifier!r} is not offered by tinydl.keras; choose a name from "
        f"{', '.join(sorted(BY_NAME))} or a loss object ({', '.join(__all__)})"
    )
__getattr__ = missing_names("losses", __all__)
