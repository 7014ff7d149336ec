# stands-for: https://github.com/keras-team/keras 3422977a5e38fb2f7709aaa9a08e47f0c43d0f60 examples/demo_functional.py
# loss: epoch \d+/\d+\s+loss (\S+)
# exercises: from keras import Model, layers, losses, metrics, optimizers (Keras 3), keras.config.disable_traceback_filtering, layers.Input, Dense(activation="relu"), residual connections written x += residual on symbolic tensors, Model(inputs, outputs), summary, optimizers.Adam(learning_rate=), losses.MeanSquaredError(), metrics.CategoricalAccuracy(name=) and metrics.MeanSquaredError(name=), fit(validation_split=), history.history, evaluate(return_dict=True), predict
"""Keras 3's functional demo: a deep stack of Dense layers with residual shortcuts, fitted
to random targets."""
import numpy as np

from tinydl import keras  # was: import keras
from tinydl.keras import Model, layers, losses, metrics, optimizers  # was: from keras import Model, layers, losses, metrics, optimizers

keras.config.disable_traceback_filtering()
keras.utils.set_random_seed(2)

width = 128
inputs = layers.Input((100,))
x = layers.Dense(width, activation="relu")(inputs)
for _ in range(3):
    shortcut = x
    x = layers.Dense(width, activation="relu")(x)
    x = layers.Dense(width, activation="relu")(x)
    x += shortcut            # the residual connection
outputs = layers.Dense(16)(x)
model = Model(inputs, outputs)
model.summary()

rng = np.random.default_rng(2)
x = rng.random((1000, 100)).astype("float32")
y = rng.random((1000, 16)).astype("float32")

model.compile(
    optimizer=optimizers.Adam(learning_rate=0.001),
    loss=losses.MeanSquaredError(),
    metrics=[metrics.CategoricalAccuracy(name="acc"), metrics.MeanSquaredError(name="mse")],
)
print("\nTrain")
history = model.fit(x, y, batch_size=32, epochs=5, validation_split=0.2)
print("\nHistory:", history.history)
print("\nEvaluate:", model.evaluate(x, y, return_dict=True))
print("\nPredicted shape:", model.predict(x).shape)
