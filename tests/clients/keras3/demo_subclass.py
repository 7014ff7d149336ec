# stands-for: https://github.com/keras-team/keras 3422977a5e38fb2f7709aaa9a08e47f0c43d0f60 examples/demo_subclass.py
# loss: epoch \d+/\d+\s+loss (\S+)
# exercises: from keras import Model, layers, losses, metrics, optimizers (Keras 3), subclassing keras.Model (layers made in __init__, used in call), a model built by its first batch, optimizers.SGD(learning_rate=), losses.MeanSquaredError() with metrics.MeanSquaredError(), fit(validation_split=), history.history, summary of a subclassed model after fitting
"""Keras 3's subclassing demo: a three-layer perceptron written as a Model subclass."""
import numpy as np

from tinydl import keras  # was: import keras
from tinydl.keras import Model, layers, losses, metrics, optimizers  # was: from keras import Model, layers, losses, metrics, optimizers


class ThreeLayers(Model):
    def __init__(self, hidden_dim, output_dim):
        super().__init__()
        self.hidden1 = layers.Dense(hidden_dim, activation="relu")
        self.hidden2 = layers.Dense(hidden_dim, activation="relu")
        self.out = layers.Dense(output_dim)

    def call(self, inputs):
        return self.out(self.hidden2(self.hidden1(inputs)))


keras.utils.set_random_seed(3)
model = ThreeLayers(hidden_dim=256, output_dim=16)

rng = np.random.default_rng(3)
x = rng.random((2000, 128)).astype("float32")
y = rng.random((2000, 16)).astype("float32")

model.compile(optimizer=optimizers.SGD(learning_rate=0.001), loss=losses.MeanSquaredError(),
              metrics=[metrics.MeanSquaredError()])
history = model.fit(x, y, batch_size=32, epochs=6, validation_split=0.2)
print("History:", history.history)
model.summary()
