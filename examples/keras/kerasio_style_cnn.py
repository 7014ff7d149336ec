"""A digit classifier written the way keras.io's examples write one: an ``Input`` layer,
``kernel_size=``/``pool_size=`` keywords, one-hot labels, ``validation_split``, ``evaluate``
returning a list, ``predict`` then ``argmax``. With Keras installed, replacing the two
tinydl import lines by ``import keras`` and ``from keras import layers`` runs it on Keras.
"""

import numpy as np

from tinydl import keras
from tinydl.keras import layers

num_classes = 10
input_shape = (28, 28, 1)

# Digits as float32 in [0, 1] with a trailing channel axis; labels one-hot.
(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = np.expand_dims(x_train.astype("float32") / 255, -1)
x_test = np.expand_dims(x_test.astype("float32") / 255, -1)
print("training images:", x_train.shape, "test images:", x_test.shape)
y_train_one_hot = keras.utils.to_categorical(y_train, num_classes)
y_test_one_hot = keras.utils.to_categorical(y_test, num_classes)

model = keras.Sequential(
    [
        keras.Input(shape=input_shape),
        layers.Conv2D(16, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(num_classes, activation="softmax"),
    ]
)
model.summary()

model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
history = model.fit(x_train, y_train_one_hot, batch_size=128, epochs=2, validation_split=0.1)
print("validation accuracy per epoch:", history.history["val_accuracy"])

score = model.evaluate(x_test, y_test_one_hot, verbose=0)
print("Test loss:", score[0])
print("Test accuracy:", score[1])

probabilities = model.predict(x_test[:10])
print("predicted:", np.argmax(probabilities, axis=1))
print("labels:   ", y_test[:10])
