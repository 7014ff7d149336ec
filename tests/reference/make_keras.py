"""Write ``tests/reference/keras.npz`` with real Keras 3, for ``tests/test_keras.py``.

Run once, by hand, where Keras and PyTorch are installed (Keras on its PyTorch backend;
TensorFlow is not needed)::

    pip install --target /tmp/kerasref keras        # then remove /tmp/kerasref/numpy*
    PYTHONPATH=/tmp/kerasref KERAS_BACKEND=torch .venv/bin/python tests/reference/make_keras.py

Everything runs in float64. For each model of ``tests/keras_cases.py``: its weights as
Keras lays them out (``get_weights()``, after giving every weight, including batch norm's
moving statistics, random values), an input batch, ``predict``'s output, and each
layer's output shape and parameter count. For each optimiser case: the parameters after
every ``apply_gradients`` step on a stored gradient sequence. For each loss case: the
loss of stored ``y_true``/``y_pred`` (Keras's per-sample loss function, averaged over the
batch as the loss classes do by default).
"""

from __future__ import annotations

import sys
from pathlib import Path

import keras
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]
from keras_cases import (  # noqa: E402
    LOSS_SHAPE,
    LOSSES,
    MODELS,
    OPTIMIZER_STEPS,
    OPTIMIZERS,
    PARAMETER_SHAPES,
)
from make_reference import Fields, rng_for, write_npz  # noqa: E402


def model_cases() -> dict[str, Fields]:
    cases = {}
    for name, (build, input_shape) in MODELS.items():
        rng = rng_for(f"keras.model.{name}")
        model = build(keras)
        weights = [rng.uniform(0.5, 1.5, w.shape) if "variance" in v.path else
                   rng.standard_normal(w.shape) * 0.5
                   for w, v in zip(model.get_weights(), model.weights, strict=True)]
        model.set_weights(weights)
        x = rng.standard_normal((3, *input_shape))
        fields: Fields = {"x": x, "y": np.asarray(model.predict(x, verbose=0))}
        fields.update({f"weight{i}": w for i, w in enumerate(weights)})
        fields["output_shapes"] = np.array(
            [str(tuple(layer.output.shape)) for layer in model.layers]
        )
        fields["params"] = np.array([layer.count_params() for layer in model.layers])
        cases[name] = fields
    return cases


def optimizer_cases() -> dict[str, Fields]:
    cases = {}
    for name, (kind, kwargs) in OPTIMIZERS.items():
        rng = rng_for(f"keras.optim.{name}")
        initial = [rng.standard_normal(shape) for shape in PARAMETER_SHAPES]
        grads = [rng.standard_normal((OPTIMIZER_STEPS, *shape)) for shape in PARAMETER_SHAPES]
        grads[1] *= 0.01  # a small-gradient parameter, where epsilon matters
        variables = [keras.Variable(values, dtype="float64") for values in initial]
        optimizer = getattr(keras.optimizers, kind)(**kwargs)
        after = [[] for _ in variables]
        for step in range(OPTIMIZER_STEPS):
            pairs = zip(grads, variables, strict=True)
            optimizer.apply_gradients([(keras.ops.convert_to_tensor(g[step]), v) for g, v in pairs])
            for variable, history in zip(variables, after, strict=True):
                history.append(np.asarray(variable.numpy()))
        fields: Fields = {}
        for i in range(len(variables)):
            fields.update({f"param{i}_initial": initial[i], f"param{i}_grads": grads[i],
                           f"param{i}_after": np.stack(after[i])})
        cases[name] = fields
    return cases


def loss_inputs(pred: str, true: str, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    n, c = LOSS_SHAPE
    logits = rng.standard_normal((n, c)) * 3
    labels = rng.integers(0, c, n)
    y_pred = {
        "logits": logits,
        "probabilities": np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True),
        "positive": np.abs(logits) + 0.1,
        "saturated": np.eye(c)[(labels + 1) % c] * (1 - 1e-12) + 1e-13,
        "unit": 1 / (1 + np.exp(-logits)),
    }[pred]
    y_true = {
        "one_hot": np.eye(c)[labels],
        "labels": labels,
        "binary": rng.integers(0, 2, (n, c)).astype(np.float64),
    }[true]
    return y_true, y_pred


LOSS_FUNCTIONS = {
    "BinaryCrossentropy": "binary_crossentropy",
    "CategoricalCrossentropy": "categorical_crossentropy",
    "Hinge": "hinge",
    "MeanSquaredError": "mean_squared_error",
    "SparseCategoricalCrossentropy": "sparse_categorical_crossentropy",
}


def loss_cases() -> dict[str, Fields]:
    cases = {}
    for name, (kind, kwargs, pred, true) in LOSSES.items():
        y_true, y_pred = loss_inputs(pred, true, rng_for(f"keras.loss.{name}"))
        # The per-sample function, averaged here: the class's own averaging runs in float32
        # on the torch backend.
        function = getattr(keras.losses, LOSS_FUNCTIONS[kind])
        per_sample = function(keras.ops.convert_to_tensor(y_true),
                              keras.ops.convert_to_tensor(y_pred), **kwargs)
        cases[name] = {"y_true": y_true, "y_pred": y_pred,
                       "loss": np.asarray(keras.ops.convert_to_numpy(per_sample)).mean()}
    return cases


def main() -> None:
    keras.config.set_floatx("float64")
    keras.utils.set_random_seed(0)
    cases = {}
    for prefix, make in (("model", model_cases), ("optim", optimizer_cases),
                         ("loss", loss_cases)):
        cases.update({f"{prefix}_{name}": fields for name, fields in make().items()})
    cases["versions"] = {"keras": np.array(keras.__version__)}
    size = write_npz("keras", cases)
    print(f"keras.npz: {len(cases)} cases, {size / 1024:.1f} KiB, keras {keras.__version__}")


if __name__ == "__main__":
    main()
