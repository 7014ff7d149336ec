"""Bad input for the arguments of tinydl.keras that tinydl.check now checks at the Keras entry
point, in Keras's names (before, some reached tinydl's engine and were refused there, in its
names, or were not checked at all): epsilons, rates, optimiser settings, fit's shuffle, the
sizes of a shape, dtypes and axes of keras.ops, initialiser settings, input ranks. Format: see
tests/bad_input_table.py."""

from __future__ import annotations

import numpy as np
import pytest
from bad_input_table import Case, check, params

from tinydl import keras
from tinydl.errors import ArgumentTypeError, AxisError
from tinydl.keras import initializers, layers, ops, optimizers, utils

X, LABELS = np.zeros((6, 2), np.float32), np.arange(6) % 3


def fit_with(**kwargs: object) -> None:
    model = keras.Sequential([layers.Dense(3, activation="softmax", input_shape=(2,))])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(X, LABELS, **{"verbose": 0, **kwargs})


def set_learning_rate(value: object) -> None:
    optimizers.Adam().learning_rate = value


CASES = [
    # ---- layers ----
    Case("Dropout-rate-string", lambda: layers.Dropout("0.5"), ArgumentTypeError,
         ("layers.Dropout(): rate must be a probability in [0, 1], got '0.5'",)),
    Case("BatchNormalization-epsilon", lambda: layers.BatchNormalization(epsilon=0), ValueError,
         ("layers.BatchNormalization(): epsilon must be a finite number > 0, got 0",)),
    Case("LayerNormalization-epsilon", lambda: layers.LayerNormalization(epsilon="small"),
         ArgumentTypeError, ("layers.LayerNormalization(): epsilon must be a finite number",)),
    Case("MultiHeadAttention-dropout", lambda: layers.MultiHeadAttention(1, 2, dropout=1.0),
         ValueError, ("layers.MultiHeadAttention(): dropout must lie in [0, 1), got 1.0",)),
    Case("MaxPooling2D-strides", lambda: layers.MaxPooling2D(strides=(2, 0)), ValueError,
         ("layers.MaxPooling2D(): strides must be an integer >= 1 or a pair of them",)),
    Case("Concatenate-axis-float", lambda: layers.Concatenate(axis=1.0), ValueError,
         ("non-batch axis", "got 1.0")),
    Case("Layer-input-shape-size", lambda: layers.Dense(2, input_shape=(0,)), ValueError,
         ("layers.Dense(): input_shape[0] must be a positive integer, got 0",)),
    Case("Input-shape-string-size", lambda: keras.Input(shape=(2, "3")), ArgumentTypeError,
         ("Input(): shape[1] must be a positive integer, got '3'",)),
    Case("Input-dtype-not-a-dtype", lambda: keras.Input(shape=(2,), dtype="tensor"),
         ArgumentTypeError, ("Input(): dtype 'tensor' is not a data type",)),
    Case("Bidirectional-backward-layer", lambda: layers.Bidirectional(
        layers.LSTM(2), backward_layer=layers.Dense(2)), ArgumentTypeError,
         ("backward_layer must be a recurrent layer", "got Dense")),
    Case("LSTM-unknown-features", lambda: layers.LSTM(2)(keras.Input(shape=(3, None))),
         ValueError, ("(its features) needs every size of its input known",)),
    Case("UpSampling2D-rank", lambda: layers.UpSampling2D()(np.zeros((2, 3, 4), np.float32)),
         ValueError, ("needs inputs of shape (height, width, channels), got (3, 4)",)),
    Case("GlobalAveragePooling2D-rank", lambda: layers.GlobalAveragePooling2D()(
        np.zeros((2, 3, 4), np.float32)), ValueError,
         ("needs inputs of shape (height, width, channels), got (3, 4)",)),
    # ---- optimisers ----
    Case("SGD-momentum", lambda: optimizers.SGD(momentum=-0.5), ValueError,
         ("optimizers.SGD(): momentum must be a finite number >= 0, got -0.5",)),
    Case("SGD-nesterov", lambda: optimizers.SGD(nesterov=1), ArgumentTypeError,
         ("optimizers.SGD(): nesterov must be True or False, got 1",)),
    Case("Adam-beta", lambda: optimizers.Adam(beta_1=1.0), ValueError,
         ("optimizers.Adam(): beta_1 must lie in [0, 1), got 1.0",)),
    Case("RMSprop-rho", lambda: optimizers.RMSprop(rho="0.9"), ArgumentTypeError,
         ("optimizers.RMSprop(): rho must be a finite number >= 0",)),
    Case("Adagrad-epsilon", lambda: optimizers.Adagrad(epsilon=-1e-7), ValueError,
         ("optimizers.Adagrad(): epsilon must be a finite number >= 0",)),
    Case("learning_rate-set-zero", lambda: set_learning_rate(0), ValueError,
         ("Adam.learning_rate: learning_rate must be a finite number > 0, got 0",)),
    Case("learning_rate-set-schedule", lambda: set_learning_rate(lambda step: 0.1),
         ArgumentTypeError, ("schedules are not offered", "got function")),
    # ---- fit ----
    Case("fit-shuffle", lambda: fit_with(shuffle="batch"), ArgumentTypeError,
         ("fit(): shuffle must be True or False, got 'batch'",)),
    Case("fit-validation-split-string", lambda: fit_with(validation_split="0.2"),
         ArgumentTypeError, ("fit(): validation_split must lie in (0, 1), got '0.2'",)),
    Case("fit-verbose-bool", lambda: fit_with(verbose=True), ValueError,
         ("fit(): verbose must be 0, 1, 2 or 'auto', got True",)),
    Case("fit-epochs-float", lambda: fit_with(epochs=2.0), ArgumentTypeError,
         ("fit(): epochs must be a positive integer, got 2.0",)),
    # ---- initializers, ops, utils ----
    Case("VarianceScaling-mode", lambda: initializers.VarianceScaling(mode="fan"), ValueError,
         ("mode must be 'fan_in', 'fan_out' or 'fan_avg', got 'fan'",)),
    Case("VarianceScaling-scale", lambda: initializers.VarianceScaling(scale=0), ValueError,
         ("initializers.VarianceScaling(): scale must be a finite number > 0, got 0",)),
    Case("ops-expand_dims-axis", lambda: ops.expand_dims(np.zeros((2, 3)), 3), AxisError,
         ("ops.expand_dims(): axis must be an integer from -3 to 2 here, got 3",)),
    Case("ops-squeeze-axis", lambda: ops.squeeze(np.zeros((1, 3)), 2), AxisError,
         ("ops.squeeze(): axis must be an integer from -2 to 1 here, got 2",)),
    Case("ops-cast-dtype", lambda: ops.cast(np.zeros(2), "text"), ArgumentTypeError,
         ("ops.cast(): dtype 'text' is not a data type",)),
    Case("pad_sequences-truncating", lambda: utils.pad_sequences([[1]], truncating="middle"),
         ValueError, ("truncating must be 'pre' or 'post', got 'middle'",)),
]


@pytest.mark.parametrize("case", params(CASES))
def test_bad_input(case: Case) -> None:
    check(case)
