"""A thin Keras-shaped front over tinydl: Keras programs run as written, but every layer,
loss, optimiser and the training loop are tinydl's own, so ``model.fit`` can be followed
down to ``Conv2D.backward``.

    from tinydl import keras                     # import keras
    from tinydl.keras import layers              # from keras import layers
    model = keras.Sequential([layers.Dense(512, activation="relu", input_shape=(784,)),
                              layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])

Where to read on: :mod:`tinydl.keras.layer` (what every layer shares: the functional
API's symbolic tensors, masks, weights in Keras's layouts), :mod:`tinydl.keras.layers`
(what each layer becomes, channels-last over tinydl's channels-first ops),
:mod:`tinydl.keras.recurrent`, :mod:`tinydl.keras.models` (Sequential, functional and
subclassed models), :mod:`tinydl.keras.training` (``fit`` calls
:func:`tinydl.train.fit`), :mod:`tinydl.keras.losses` and :mod:`tinydl.keras.optimizers`
(Keras's conventions, kept exactly). Anything Keras has that is not here raises an error
naming it.
"""

from tinydl.keras import (
    activations,
    callbacks,
    config,
    datasets,
    initializers,
    layers,
    losses,
    metrics,
    models,
    ops,
    optimizers,
    preprocessing,
    utils,
)
from tinydl.keras._args import missing_names
from tinydl.keras.layer import Input, KerasTensor
from tinydl.keras.models import Model, Sequential, load_model

__all__ = [
    "Input", "KerasTensor", "Model", "Sequential", "activations", "callbacks", "config", "datasets",
    "initializers", "layers", "load_model", "losses", "metrics", "models", "ops", "optimizers",
    "preprocessing", "utils",
]
__getattr__ = missing_names("", __all__)
