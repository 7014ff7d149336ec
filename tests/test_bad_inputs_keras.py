"""Bad input for every public entry point of tinydl.keras: layers, Input, Sequential and its
methods, losses, optimisers, callbacks, datasets, utils and load_model; and every Keras
name or argument tinydl.keras lacks, which must be refused by name. Format: see
tests/bad_input_table.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from bad_input_table import Case, check, params

import tinydl
from tinydl import nn, optim
from tinydl.data import DataError
from tinydl.keras import (
    Input,
    Model,
    Sequential,
    callbacks,
    datasets,
    layers,
    losses,
    models,
    optimizers,
    utils,
)
from tinydl.train import CheckpointError, save_checkpoint

X, LABELS = np.zeros((6, 2), np.float32), np.arange(6) % 3


def classifier(loss: str = "sparse_categorical_crossentropy",
               metrics: list[str] | None = None, units: int = 3) -> Sequential:
    model = Sequential([layers.Dense(units, activation="softmax", input_shape=(2,))])
    model.compile(optimizer="sgd", loss=loss, metrics=metrics or [])
    return model


def images_model() -> Sequential:
    return Sequential([layers.Conv2D(2, 3, input_shape=(8, 8, 3))])


def share_with_other_input() -> None:
    layer = layers.Dense(2)
    Sequential([layers.Dense(2, input_shape=(2,)), layer])
    Sequential([layers.Dense(5, input_shape=(2,)), layer])


def add_after_fit() -> None:
    model = classifier()
    model.fit(X, LABELS, verbose=0)
    model.add(layers.Dense(2))


def build_optimizer_twice() -> None:
    adam = optimizers.Adam()
    adam.build([nn.Parameter(np.zeros(2))])
    adam.build([nn.Parameter(np.zeros(2))])


def checkpoint_without_keras(tmp: Path) -> None:
    save_checkpoint(tmp, nn.Sequential(nn.Dense(2, 2)))
    models.load_model(tmp)


def fit_with(**kwargs: object) -> None:
    classifier().fit(X, LABELS, **{"verbose": 0, **kwargs})


class PerBatch(callbacks.Callback):
    def on_batch_end(self, batch, logs=None):
        pass


CASES = [
    # ---- layers ----
    Case("Dense-units-zero", lambda: layers.Dense(0), ValueError, ("units", "positive integer")),
    Case("Dense-activation-unknown", lambda: layers.Dense(3, activation="gelu"), ValueError,
         ("activation 'gelu' is not offered", "'relu'", "'softmax'")),
    Case("Dense-activation-callable", lambda: layers.Dense(3, activation=np.tanh), ValueError,
         ("activation", "choose from")),
    Case("Dense-regularizer", lambda: layers.Dense(3, kernel_regularizer="l2"), TypeError,
         ("kernel_regularizer", "does not offer", "units")),
    Case("Dense-initializer", lambda: layers.Dense(3, kernel_initializer="orthogonal"),
         ValueError, ("kernel_initializer 'orthogonal'", "'he_normal'")),
    Case("Conv2D-kernel-triple", lambda: layers.Conv2D(3, (3, 3, 3)), ValueError,
         ("kernel_size must be an integer >= 1 or a pair of them", "(3, 3, 3)")),
    Case("Conv2D-padding-causal", lambda: layers.Conv2D(3, 3, padding="causal"), ValueError,
         ("padding must be 'valid' or 'same', got 'causal'",)),
    Case("Conv2D-channels-first", lambda: layers.Conv2D(3, 3, data_format="channels_first"),
         ValueError, ("data_format='channels_first'", "channels-last")),
    Case("Conv2D-dilation", lambda: layers.Conv2D(3, 3, dilation_rate=2), TypeError,
         ("dilation_rate", "does not offer")),
    Case("Conv2D-on-vectors", lambda: Sequential([layers.Conv2D(2, 3, input_shape=(28, 28))]),
         ValueError, ("(height, width, channels)", "layers.Reshape((28, 28, 1))")),
    Case("Conv2D-window-too-big", lambda: Sequential([layers.Conv2D(2, 5,
                                                                    input_shape=(3, 3, 1))]),
         ValueError, ("(5, 5) window does not fit", "(3, 3)")),
    Case("Conv2D-same-uneven", lambda: Sequential([layers.Conv2D(2, 2, padding="same",
                                                                 input_shape=(4, 4, 1))]),
         ValueError, ("padding='same'", "unevenly", "symmetrically")),
    Case("MaxPooling2D-zero", lambda: layers.MaxPooling2D(0), ValueError,
         ("pool_size must be an integer >= 1 or a pair of them", "got 0")),
    Case("MaxPooling2D-channels-first",
         lambda: layers.MaxPooling2D(data_format="channels_first"), ValueError,
         ("data_format", "channels-last")),
    Case("Reshape-zero", lambda: layers.Reshape((0, 2)), ValueError,
         ("target_shape", "positive sizes")),
    Case("Reshape-mismatch", lambda: Sequential([layers.Reshape((5,), input_shape=(4,))]),
         ValueError, ("cannot reshape input of shape (4,)", "(5,)")),
    Case("Dropout-rate", lambda: layers.Dropout(1.5), ValueError, ("1.5",)),
    Case("Dropout-seed", lambda: layers.Dropout(0.2, seed=1), TypeError,
         ("seed", "does not offer")),
    Case("BatchNormalization-axis", lambda: layers.BatchNormalization(axis=1), ValueError,
         ("only axis=-1",)),
    Case("BatchNormalization-center-only", lambda: layers.BatchNormalization(center=False),
         ValueError, ("center and scale",)),
    Case("BatchNormalization-momentum", lambda: layers.BatchNormalization(momentum=1.5),
         ValueError, ("momentum must lie in [0, 1)",)),
    Case("BatchNormalization-rank2", lambda: Sequential([
        layers.BatchNormalization(input_shape=(3, 4))]), ValueError,
         ("(features,) or (height, width, channels)", "got (3, 4)")),
    Case("Activation-unknown", lambda: layers.Activation("swish"), ValueError,
         ("activation 'swish' is not offered",)),
    Case("Softmax-axis", lambda: layers.Softmax(axis=1), ValueError, ("only axis=-1",)),
    Case("Layer-input-shape", lambda: layers.Dense(2, input_shape="784"), ValueError,
         ("input_shape must be a tuple of sizes", "'784'")),
    Case("Layer-shared-other-input", share_with_other_input, ValueError,
         ("already built for inputs (2,)", "gets (5,)")),
    Case("Layer-input-shape-conflict", lambda: Sequential([
        layers.Dense(4, input_shape=(2,)), layers.Dense(2, input_shape=(3,))]), ValueError,
         ("declares input_shape=(3,)", "gives (4,)")),
    Case("Layer-set-weights-count", lambda: classifier().layers[0].set_weights([np.zeros(3)]),
         ValueError, ("set_weights() needs 2 arrays", "(Dense), got 1")),
    Case("Layer-set-weights-shape", lambda: classifier().layers[0].set_weights(
        [np.zeros((3, 3)), np.zeros(3)]), ValueError, ("Keras shape (2, 3)", "(3, 3)")),
    Case("layers-Conv1D", lambda: layers.Conv1D, tinydl.TinyDLError,
         ("tinydl.keras.layers has no Conv1D", "Conv2D", "LSTM", "tinydl.nn")),
    # ---- Input ----
    Case("Input-shape-string", lambda: Input(shape="28"), ValueError, ("shape",)),
    Case("Input-batch-size", lambda: Input(shape=(2,), batch_size=32), TypeError,
         ("batch_size", "does not offer")),
    # ---- Sequential ----
    Case("Sequential-not-list", lambda: Sequential(layers.Dense(2)), TypeError,
         ("list of layers", "Dense")),
    Case("Sequential-engine-module", lambda: Sequential([nn.Dense(2, 3)]), TypeError,
         ("tinydl engine module", "tinydl.keras.layers.Dense")),
    Case("Sequential-string", lambda: Sequential(["dense"]), TypeError,
         ("tinydl.keras layer", "got str")),
    Case("Sequential-input-late", lambda: Sequential([layers.Dense(2, input_shape=(2,)),
                                                      Input(shape=(2,))]), ValueError,
         ("only be the first entry",)),
    Case("Sequential-add-after-fit", add_after_fit, ValueError, ("add every layer before fit",)),
    Case("Sequential-build-no-shape", lambda: Sequential([layers.Dense(2)]).build(), ValueError,
         ("needs the input shape",)),
    Case("Sequential-build-other-shape", lambda: classifier().build((None, 5)), ValueError,
         ("built for inputs (None, 2)", "(None, 5)")),
    Case("Sequential-summary-unbuilt", lambda: Sequential([layers.Dense(2)]).summary(),
         ValueError, ("has not been built yet", "input_shape=")),
    Case("Sequential-set-weights-count", lambda: classifier().set_weights([]), ValueError,
         ("needs 2 arrays", "got 0")),
    Case("Model-without-inputs", lambda: Model(inputs=None, outputs=None), TypeError,
         ("needs the keras.Input", "subclass keras.Model")),
    # ---- compile ----
    Case("compile-no-loss", lambda: Sequential().compile(optimizer="adam"), ValueError,
         ("needs a loss", "sparse_categorical_crossentropy")),
    Case("compile-loss-unknown", lambda: Sequential().compile(loss="kl_divergence"),
         ValueError, ("loss 'kl_divergence' is not offered", "categorical_crossentropy")),
    Case("compile-optimizer-unknown", lambda: Sequential().compile("nadam", loss="mse"),
         ValueError, ("optimizer 'nadam' is not offered", "adagrad", "rmsprop")),
    Case("compile-optimizer-tinydl", lambda: Sequential().compile(
        optim.SGD([nn.Parameter(np.zeros(1))], lr=0.1), loss="mse"), TypeError,
         ("tinydl.optim.SGD", "already holds parameters")),
    Case("compile-metric-unknown", lambda: Sequential().compile(loss="mse", metrics=["mae"]),
         ValueError, ("metric 'mae' is not offered", "'accuracy'")),
    Case("compile-metrics-string", lambda: Sequential().compile(loss="mse", metrics="accuracy"),
         TypeError, ("metrics must be a list",)),
    Case("compile-loss-weights", lambda: Sequential().compile(loss="mse", loss_weights=[1.0]),
         TypeError, ("loss_weights", "does not offer", "metrics")),
    # ---- fit ----
    Case("fit-not-compiled", lambda: Sequential([layers.Dense(2, input_shape=(2,))]).fit(
        X, LABELS), RuntimeError, ("call model.compile",)),
    Case("fit-x-string", lambda: classifier().fit("x", LABELS), TypeError,
         ("x must be a NumPy array", "got str")),
    Case("fit-x-objects", lambda: classifier().fit(np.array([object()] * 6), LABELS),
         TypeError, ("array of numbers", "object")),
    Case("fit-length", lambda: classifier().fit(X, LABELS[:4], verbose=0), ValueError,
         ("x has 6 samples but y has 4",)),
    Case("fit-epochs", lambda: fit_with(epochs=0), ValueError, ("epochs", "positive integer")),
    Case("fit-batch-size", lambda: fit_with(batch_size=0), ValueError,
         ("batch_size", "positive integer")),
    Case("fit-validation-split", lambda: fit_with(validation_split=1.5), ValueError,
         ("validation_split must lie in (0, 1)", "1.5")),
    Case("fit-validation-data", lambda: fit_with(validation_data=(X,)), TypeError,
         ("validation_data must be a pair",)),
    Case("fit-verbose", lambda: fit_with(verbose=3), ValueError, ("verbose must be 0, 1, 2",)),
    Case("fit-callbacks-not-list", lambda: fit_with(callbacks=callbacks.History()), TypeError,
         ("callbacks must be a list",)),
    Case("fit-callback-foreign", lambda: fit_with(callbacks=[object()]), TypeError,
         ("not a tinydl.keras callback", "ModelCheckpoint")),
    Case("fit-callback-per-batch", lambda: fit_with(callbacks=[PerBatch()]), TypeError,
         ("on_batch_end", "never calls")),
    Case("fit-two-early-stoppings", lambda: fit_with(callbacks=[
        callbacks.EarlyStopping(), callbacks.EarlyStopping()]), ValueError,
         ("one EarlyStopping",)),
    Case("fit-class-weight", lambda: fit_with(class_weight={0: 1.0}), TypeError,
         ("class_weight", "does not offer", "validation_split")),
    Case("fit-input-shape", lambda: classifier().fit(np.zeros((6, 3)), LABELS), ValueError,
         ("expects inputs of shape (None, 2)", "(6, 3)")),
    Case("fit-channels-first", lambda: images_model().predict(np.zeros((1, 3, 8, 8))),
         ValueError, ("channels-first", "x.transpose(0, 2, 3, 1)")),
    Case("fit-categorical-labels", lambda: classifier("categorical_crossentropy").fit(
        X, LABELS), ValueError, ("one-hot targets of shape (N, 3)", "to_categorical")),
    Case("fit-sparse-one-hot", lambda: classifier().fit(X, np.eye(3)[LABELS]), ValueError,
         ("integer class labels of shape (N,)", "categorical_crossentropy")),
    Case("fit-sparse-fractions", lambda: classifier().fit(X, LABELS + 0.5), TypeError,
         ("integer class labels", "float64")),
    Case("fit-mse-shape", lambda: classifier("mse").fit(X, LABELS), ValueError,
         ("model's output shape (N, 3)", "(6,)")),
    Case("fit-early-stopping-monitor", lambda: fit_with(callbacks=[
        callbacks.EarlyStopping(monitor="val_loss")]), KeyError,
         ("monitors 'val_loss'", "validation data")),
    # ---- evaluate / predict ----
    Case("evaluate-steps", lambda: classifier().evaluate(X, LABELS, steps=2), TypeError,
         ("steps", "does not offer")),
    Case("evaluate-verbose", lambda: classifier().evaluate(X, LABELS, verbose="loud"),
         ValueError, ("verbose", "'loud'")),
    Case("evaluate-length", lambda: classifier().evaluate(X, LABELS[:2]), ValueError,
         ("x has 6 samples but y has 2",)),
    Case("predict-shape", lambda: classifier().predict(np.zeros((2, 5))), ValueError,
         ("expects inputs of shape (None, 2)",)),
    Case("predict-steps", lambda: classifier().predict(X, steps=1), TypeError,
         ("steps", "does not offer")),
    Case("predict-batch-size", lambda: classifier().predict(X, batch_size=-1), ValueError,
         ("batch_size", "positive integer")),
    # ---- saving ----
    Case("load_model-missing", lambda: models.load_model("/nonexistent/model.npz"),
         CheckpointError, ("no checkpoint",)),
    Case("load_model-plain-checkpoint", lambda: checkpoint_without_keras(
        Path(__import__("tempfile").mkdtemp()) / "plain.npz"), CheckpointError,
         ("not written by a tinydl.keras model", "load_checkpoint")),
    Case("save-unbuilt", lambda: Sequential([layers.Dense(2)]).save("/tmp/never.npz"),
         ValueError, ("has not been built yet",)),
    # ---- losses ----
    Case("losses-Huber", lambda: losses.Huber, tinydl.TinyDLError,
         ("tinydl.keras.losses has no Huber", "SparseCategoricalCrossentropy")),
    Case("loss-ignore-class", lambda: losses.SparseCategoricalCrossentropy(ignore_class=0),
         TypeError, ("ignore_class", "does not offer")),
    Case("loss-reduction", lambda: losses.MeanSquaredError(reduction="sum"), TypeError,
         ("reduction", "does not offer")),
    Case("loss-hinge-from-logits", lambda: losses.Hinge(from_logits=True), TypeError,
         ("has no from_logits",)),
    Case("loss-call-array", lambda: losses.MeanSquaredError()(np.zeros(2), np.zeros(2)),
         TypeError, ("mean_squared_error(y_true, y_pred): y_pred must be a Tensor, got ndarray",)),
    Case("loss-call-strings", lambda: losses.MeanSquaredError()(
        np.array(["a"]), tinydl.tensor([[1.0]])), TypeError, ("numeric targets",)),
    # ---- optimisers ----
    Case("optimizers-Nadam", lambda: optimizers.Nadam, tinydl.TinyDLError,
         ("tinydl.keras.optimizers has no Nadam", "RMSprop")),
    Case("Adam-learning-rate", lambda: optimizers.Adam(learning_rate=-1), ValueError,
         ("learning_rate must be a finite number > 0", "-1")),
    Case("Adam-amsgrad", lambda: optimizers.Adam(amsgrad=True), TypeError,
         ("amsgrad", "does not offer")),
    Case("RMSprop-centered", lambda: optimizers.RMSprop(centered=True), TypeError,
         ("centered", "does not offer")),
    Case("SGD-clipnorm", lambda: optimizers.SGD(clipnorm=1.0), TypeError,
         ("clipnorm", "does not offer", "nesterov")),
    Case("Adagrad-schedule", lambda: optimizers.Adagrad(learning_rate="exp"), ValueError,
         ("learning_rate", "schedules are not offered")),
    Case("Optimizer-built-twice", build_optimizer_twice, ValueError,
         ("already trains another model",)),
    # ---- callbacks ----
    Case("callbacks-TensorBoard", lambda: callbacks.TensorBoard, tinydl.TinyDLError,
         ("tinydl.keras.callbacks has no TensorBoard", "ModelCheckpoint")),
    Case("ModelCheckpoint-path", lambda: callbacks.ModelCheckpoint(3), TypeError,
         ("needs a file path", "int")),
    Case("ModelCheckpoint-save-freq", lambda: callbacks.ModelCheckpoint("m.npz", save_freq=10),
         ValueError, ("save_freq 10 is not offered", "'epoch'")),
    Case("ModelCheckpoint-mode", lambda: callbacks.ModelCheckpoint("m.npz", mode="up"),
         ValueError, ("mode 'up'", "'auto'")),
    Case("ModelCheckpoint-monitor", lambda: callbacks.ModelCheckpoint(
        "m.npz", monitor="val_loss", save_best_only=True).on_epoch_end(0, {"loss": 1.0}),
         KeyError, ("monitors 'val_loss'", "loss")),
    Case("EarlyStopping-mode", lambda: callbacks.EarlyStopping(mode="up"), ValueError,
         ("mode must be 'auto', 'min' or 'max'",)),
    # ---- datasets and utils ----
    Case("datasets-imdb", lambda: datasets.imdb, tinydl.TinyDLError,
         ("tinydl.keras.datasets has no imdb", "mnist")),
    Case("to_categorical-fractions", lambda: utils.to_categorical([0.5, 1.0]), TypeError,
         ("integer class labels", "float64")),
    Case("to_categorical-range", lambda: utils.to_categorical([0, 5], num_classes=3),
         DataError, ("[0, 3)", "5")),
]


@pytest.mark.parametrize("case", params(CASES))
def test_bad_input(case: Case) -> None:
    check(case)
