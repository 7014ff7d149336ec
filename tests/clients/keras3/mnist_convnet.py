# stands-for: https://github.com/keras-team/keras-io 02cfe8063b505adc073986c91729f22039f77ad0 examples/vision/mnist_convnet.py
# loss: epoch \d+/\d+\s+loss ([0-9.]+)
# exercises: import keras and keras.layers, keras.Sequential with keras.Input(shape=), Conv2D(activation="relu"), MaxPooling2D(pool_size=), Flatten, Dropout, Dense(activation="softmax"), model.summary, keras.utils.to_categorical, np.expand_dims to channels-last images, compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"]), fit(batch_size=, epochs=, validation_split=), evaluate(verbose=0)
"""The simple MNIST convnet of the Keras examples: two convolution and pooling stages,
dropout, and a softmax layer, on a slice of MNIST."""
import numpy as np

import _offline
from tinydl import keras  # was: import keras
from tinydl.keras import layers  # was: from keras import layers

num_classes = 10
input_shape = (28, 28, 1)

(x_train, y_train), (x_test, y_test) = _offline.mnist(True, 1500), _offline.mnist(False, 300)
# pixels to [0, 1], and a channel axis at the end (Keras images are channels-last)
x_train = np.expand_dims(x_train.astype("float32") / 255, -1)
x_test = np.expand_dims(x_test.astype("float32") / 255, -1)
print("x_train shape:", x_train.shape, "-", x_train.shape[0], "train samples,",
      x_test.shape[0], "test samples")

y_train = keras.utils.to_categorical(y_train, num_classes)
y_test = keras.utils.to_categorical(y_test, num_classes)

keras.utils.set_random_seed(1)
model = keras.Sequential([
    keras.Input(shape=input_shape),
    layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
    layers.MaxPooling2D(pool_size=(2, 2)),
    layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
    layers.MaxPooling2D(pool_size=(2, 2)),
    layers.Flatten(),
    layers.Dropout(0.5),
    layers.Dense(num_classes, activation="softmax"),
])
model.summary()

model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=128, epochs=3, validation_split=0.1)

test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
print("Test loss:", test_loss)
print("Test accuracy:", test_accuracy)
