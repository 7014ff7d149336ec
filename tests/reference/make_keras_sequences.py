"""Write ``tests/reference/keras_sequences.npz`` with real Keras 3, for
``tests/test_keras_recurrent.py`` and ``tests/test_keras_functional.py``.

Run once, by hand, where Keras 3.15 and PyTorch are installed (Keras on its PyTorch
backend; TensorFlow is not needed)::

    pip install keras==3.15.1
    KERAS_BACKEND=torch .venv/bin/python tests/reference/make_keras_sequences.py

Everything runs in float64. For each model of ``tests/keras_sequence_cases.py``
(``model_*``): its weights as Keras lays them out (random values given to every weight),
a batch of inputs, ``predict``'s output(s), and each layer's name, output shape and
parameter count. For each training case (``train_*``): initial weights, data, targets,
the history of two epochs of ``SGD(learning_rate=0.1)`` on batches of 4 without
shuffling, the weights after them and ``evaluate``'s figures. For each ``pad_*`` case:
``keras.utils.pad_sequences``'s result.
"""

from __future__ import annotations

import sys
from pathlib import Path

import keras
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]
from keras_sequence_cases import (  # noqa: E402
    BATCH,
    CLASSES,
    MODELS,
    PAD_CASES,
    PAD_SEQUENCES,
    STEPS,
    TRAIN_SIZE,
    TRAINING,
    loss_of,
)
from make_reference import Fields, rng_for, write_npz  # noqa: E402


def inputs_for(specs: list[tuple], batch: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Float inputs (for "padded", row i starts with i steps of zeros), token ids (row i
    starts with i zeros, Keras's padding), or booleans (one query row attending to
    nothing)."""
    arrays = []
    for spec in specs:
        kind, shape = spec[0], spec[1]
        if kind in ("float", "padded"):
            values = rng.standard_normal((batch, *shape))
            if kind == "padded":
                for row in range(batch):
                    values[row, :row] = 0
            arrays.append(values)
        elif kind == "ids":
            ids = rng.integers(1, spec[2], (batch, *shape)).astype(np.int32)
            for row in range(batch):
                ids[row, :row] = 0
            arrays.append(ids)
        else:
            allowed = rng.random((batch, *shape)) > 0.3
            allowed[0, 1] = False
            arrays.append(allowed)
    return arrays


def describe(output: object) -> str:
    if isinstance(output, (list, tuple)):
        return str([tuple(o.shape) for o in output])
    return str(tuple(output.shape))


def prepared(case: str, build: object, specs: list[tuple], scale: float, batch: int
             ) -> tuple[keras.Model, list[np.ndarray], list[np.ndarray], np.random.Generator]:
    """A fresh model of ``build`` with random weights of ``scale``, and its inputs."""
    keras.utils.clear_session()
    rng = rng_for(f"keras_sequences.{case}")
    model = build(keras)
    weights = [rng.standard_normal(w.shape) * scale for w in model.get_weights()]
    model.set_weights(weights)
    return model, weights, inputs_for(specs, batch, rng), rng


def model_cases() -> dict[str, Fields]:
    cases = {}
    for name, (build, specs) in MODELS.items():
        model, weights, xs, _ = prepared(f"model.{name}", build, specs, 0.5, BATCH)
        ys = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
        ys = list(ys) if isinstance(ys, (list, tuple)) else [ys]
        fields: Fields = {f"x{i}": x for i, x in enumerate(xs)}
        fields.update({f"y{i}": np.asarray(y) for i, y in enumerate(ys)})
        fields.update({f"weight{i}": w for i, w in enumerate(weights)})
        fields["names"] = np.array([layer.name for layer in model.layers])
        fields["output_shapes"] = np.array([describe(layer.output) for layer in model.layers])
        fields["params"] = np.array([layer.count_params() for layer in model.layers])
        cases[name] = fields
    return cases


def targets_for(kind: str, rng: np.random.Generator) -> np.ndarray:
    if kind == "one_hot_steps":
        return np.eye(CLASSES)[rng.integers(0, CLASSES, (TRAIN_SIZE, STEPS))]
    if kind == "labels_steps":
        return rng.integers(0, CLASSES, (TRAIN_SIZE, STEPS))
    return rng.integers(0, 2, TRAIN_SIZE).astype(np.float64)


def training_cases() -> dict[str, Fields]:
    cases = {}
    for name, (build, specs, loss, target_kind) in TRAINING.items():
        model, weights, xs, rng = prepared(f"train.{name}", build, specs, 0.3, TRAIN_SIZE)
        y = targets_for(target_kind, rng)
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1),
                      loss=loss_of(keras, loss), metrics=["accuracy"])
        x = xs if len(xs) > 1 else xs[0]
        history = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history
        fields: Fields = {f"x{i}": v for i, v in enumerate(xs)}
        fields["y"] = y
        fields.update({f"weight{i}": w for i, w in enumerate(weights)})
        fields.update({f"after{i}": w for i, w in enumerate(model.get_weights())})
        fields.update({f"history_{key}": np.array(values) for key, values in history.items()})
        fields["evaluate"] = np.array(model.evaluate(x, y, verbose=0))
        cases[name] = fields
    return cases


def pad_cases() -> dict[str, Fields]:
    return {name: {"padded": keras.utils.pad_sequences(PAD_SEQUENCES, **kwargs)}
            for name, kwargs in PAD_CASES.items()}


def main() -> None:
    keras.config.set_floatx("float64")
    keras.utils.set_random_seed(0)
    cases = {}
    for prefix, make in (("model", model_cases), ("train", training_cases), ("pad", pad_cases)):
        cases.update({f"{prefix}_{name}": fields for name, fields in make().items()})
    cases["versions"] = {"keras": np.array(keras.__version__)}
    size = write_npz("keras_sequences", cases)
    print(f"keras_sequences.npz: {len(cases)} cases, {size / 1024:.1f} KiB, "
          f"keras {keras.__version__}")


if __name__ == "__main__":
    main()
