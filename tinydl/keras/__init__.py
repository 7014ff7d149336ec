"""A thin Keras-shaped front over tinydl: Keras programs run as written, but every layer,
loss, optimiser and the training loop are tinydl's own, so ``model.fit`` can be followed
down to ``Conv2D.backward``.

    from tinydl.keras import layers, models
    model = models.Sequential([layers.Dense(512, activation="relu", input_shape=(784,)),
                               layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])

Where to read on: :mod:`tinydl.keras.layers` (what each layer becomes, channels-last over
tinydl's channels-first ops), :mod:`tinydl.keras.models` (``fit`` calls
:func:`tinydl.train.fit`), :mod:`tinydl.keras.losses` and :mod:`tinydl.keras.optimizers`
(Keras's conventions, kept exactly). Anything Keras has that is not here raises an error
naming it.
"""

from tinydl.keras import callbacks, datasets, layers, losses, models, optimizers, utils
from tinydl.keras.layers import Input
from tinydl.keras.models import Model, Sequential, load_model

__all__ = [
    "Input", "Model", "Sequential", "callbacks", "datasets", "layers", "load_model", "losses",
    "models", "optimizers", "utils",
]
