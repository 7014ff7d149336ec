"""Models and settings shared by ``tests/reference/make_keras.py`` (run with real Keras) and
``tests/test_keras.py`` (run with tinydl.keras): each builder takes the Keras-like module,
so both sides build the same architecture from the same lines."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def gray_conv_pool_dense(keras: Any) -> Any:
    """Grayscale digits-like input: Conv2D -> MaxPooling2D -> Flatten -> Dense(softmax)."""
    layers = keras.layers
    return keras.Sequential([
        keras.Input(shape=(9, 9, 1)),
        layers.Conv2D(4, (3, 3), activation="relu"),
        layers.MaxPooling2D((2, 2)),
        layers.Flatten(),
        layers.Dense(5, activation="softmax"),
    ])


def colour_same_strides_bn(keras: Any) -> Any:
    """Colour images (channels-last, 3 channels), "same" padding, strides, batch norm."""
    layers = keras.layers
    return keras.Sequential([
        keras.Input(shape=(8, 8, 3)),
        layers.Conv2D(6, kernel_size=(3, 3), padding="same", activation="tanh"),
        layers.Conv2D(4, kernel_size=3, strides=2),
        layers.BatchNormalization(),
        layers.Activation("relu"),
        layers.MaxPooling2D(pool_size=(2, 2), strides=1),
        layers.Flatten(),
        layers.Dropout(0.3),
        layers.Dense(3),
    ])


def reshape_to_image(keras: Any) -> Any:
    """Vectors reshaped to images, then a 1x1 convolution and a softmax layer."""
    layers = keras.layers
    return keras.Sequential([
        layers.Reshape((2, 2, 3), input_shape=(12,)),
        layers.Conv2D(5, (1, 1), activation="sigmoid"),
        layers.Flatten(),
        layers.Dense(4),
        layers.Softmax(),
    ])


MODELS: dict[str, tuple[Callable[[Any], Any], tuple[int, ...]]] = {
    "gray_conv_pool_dense": (gray_conv_pool_dense, (9, 9, 1)),
    "colour_same_strides_bn": (colour_same_strides_bn, (8, 8, 3)),
    "reshape_to_image": (reshape_to_image, (12,)),
}

# Optimiser cases: the Keras class name and its arguments (Keras's defaults where empty).
OPTIMIZERS: dict[str, tuple[str, dict[str, Any]]] = {
    "adam_defaults": ("Adam", {}),
    "adam_betas": ("Adam", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99,
                            "epsilon": 1e-3}),
    "rmsprop_defaults": ("RMSprop", {}),
    "rmsprop_momentum": ("RMSprop", {"learning_rate": 0.01, "rho": 0.8, "momentum": 0.9,
                                     "epsilon": 1e-4}),
    "sgd_defaults": ("SGD", {}),
    "sgd_nesterov": ("SGD", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}),
    "adagrad_defaults": ("Adagrad", {}),
    "adagrad_settings": ("Adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.01,
                                     "epsilon": 1e-3}),
}
OPTIMIZER_STEPS = 6
PARAMETER_SHAPES = ((3, 2), (4,))

# Loss cases: the Keras class, its arguments, and what y_pred is (probabilities that are
# not a softmax's, unnormalised rows, or logits) and y_true is.
LOSSES: dict[str, tuple[str, dict[str, Any], str, str]] = {
    "categorical_probs": ("CategoricalCrossentropy", {}, "probabilities", "one_hot"),
    "categorical_unnormalised": ("CategoricalCrossentropy", {}, "positive", "one_hot"),
    "categorical_logits": ("CategoricalCrossentropy", {"from_logits": True}, "logits",
                           "one_hot"),
    "sparse_probs": ("SparseCategoricalCrossentropy", {}, "probabilities", "labels"),
    "sparse_saturated": ("SparseCategoricalCrossentropy", {}, "saturated", "labels"),
    "sparse_logits": ("SparseCategoricalCrossentropy", {"from_logits": True}, "logits",
                      "labels"),
    "binary_probs": ("BinaryCrossentropy", {}, "unit", "binary"),
    "binary_logits": ("BinaryCrossentropy", {"from_logits": True}, "logits", "binary"),
    "mse": ("MeanSquaredError", {}, "logits", "one_hot"),
    "hinge_zero_one": ("Hinge", {}, "logits", "binary"),
}
LOSS_SHAPE = (6, 4)
