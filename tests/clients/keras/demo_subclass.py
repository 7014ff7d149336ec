# source: https://github.com/keras-team/keras
# commit: 3422977a5e38fb2f7709aaa9a08e47f0c43d0f60
# path: examples/demo_subclass.py
# licence: Apache-2.0, https://github.com/keras-team/keras/blob/master/LICENSE
# loss: epoch \d+/\d+\s+loss (\S+)
# exercises: from keras import Model, layers, losses, metrics, optimizers (Keras 3), subclassing keras.Model (layers as attributes, call), built by its first batch, optimizers.SGD(learning_rate=...), losses.MeanSquaredError with metrics.MeanSquaredError(), validation_split, history.history, summary of a subclassed model
import numpy as np

from tinydl.keras import Model  # was: from keras import Model
from tinydl.keras import layers  # was: from keras import layers
from tinydl.keras import losses  # was: from keras import losses
from tinydl.keras import metrics  # was: from keras import metrics
from tinydl.keras import optimizers  # was: from keras import optimizers


class MyModel(Model):
    def __init__(self, hidden_dim, output_dim):
        super().__init__()
        self.dense1 = layers.Dense(hidden_dim, activation="relu")
        self.dense2 = layers.Dense(hidden_dim, activation="relu")
        self.dense3 = layers.Dense(output_dim)

    def call(self, x):
        x = self.dense1(x)
        x = self.dense2(x)
        return self.dense3(x)


model = MyModel(hidden_dim=256, output_dim=16)

x = np.random.random((2000, 128))  # was: x = np.random.random((50000, 128))
y = np.random.random((2000, 16))  # was: y = np.random.random((50000, 16))
batch_size = 32
epochs = 6

model.compile(
    optimizer=optimizers.SGD(learning_rate=0.001),
    loss=losses.MeanSquaredError(),
    metrics=[metrics.MeanSquaredError()],
)
history = model.fit(
    x, y, batch_size=batch_size, epochs=epochs, validation_split=0.2
)

print("History:")
print(history.history)

model.summary()
