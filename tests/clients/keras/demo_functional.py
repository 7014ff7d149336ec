# source: https://github.com/keras-team/keras
# commit: 3422977a5e38fb2f7709aaa9a08e47f0c43d0f60
# path: examples/demo_functional.py
# licence: Apache-2.0, https://github.com/keras-team/keras/blob/master/LICENSE
# loss: epoch \d+/\d+\s+loss (\S+)
# exercises: from keras import Model, layers, losses, metrics, optimizers (Keras 3), keras.config, layers.Input, residual connections written x += residual on KerasTensors, losses.MeanSquaredError, metrics.CategoricalAccuracy(name=...) and metrics.MeanSquaredError(name=...), optimizers.Adam(learning_rate=...), validation_split, history.history, evaluate(return_dict=True), predict
import numpy as np

from tinydl.keras import Model  # was: from keras import Model
from tinydl.keras import layers  # was: from keras import layers
from tinydl.keras import losses  # was: from keras import losses
from tinydl.keras import metrics  # was: from keras import metrics
from tinydl.keras import optimizers  # was: from keras import optimizers
from tinydl import keras  # was: import keras

keras.config.disable_traceback_filtering()

inputs = layers.Input((100,))
x = layers.Dense(512, activation="relu")(inputs)
residual = x
x = layers.Dense(512, activation="relu")(x)
x = layers.Dense(512, activation="relu")(x)
x += residual
x = layers.Dense(512, activation="relu")(x)
residual = x
x = layers.Dense(512, activation="relu")(x)
x = layers.Dense(512, activation="relu")(x)
x += residual
residual = x
x = layers.Dense(512, activation="relu")(x)
x = layers.Dense(512, activation="relu")(x)
x += residual
outputs = layers.Dense(16)(x)
model = Model(inputs, outputs)

model.summary()

x = np.random.random((1000, 100))  # was: x = np.random.random((50000, 100))
y = np.random.random((1000, 16))  # was: y = np.random.random((50000, 16))
batch_size = 32
epochs = 5

model.compile(
    optimizer=optimizers.Adam(learning_rate=0.001),
    loss=losses.MeanSquaredError(),
    metrics=[
        metrics.CategoricalAccuracy(name="acc"),
        metrics.MeanSquaredError(name="mse"),
    ],
)

print("\nTrain model")
history = model.fit(
    x, y, batch_size=batch_size, epochs=epochs, validation_split=0.2
)
print("\nHistory:")
print(history.history)

print("\nEvaluate model")
scores = model.evaluate(x, y, return_dict=True)
print(scores)

print("\nRun inference")
pred = model.predict(x)
print(f"Inferred output shape {pred.shape}")
