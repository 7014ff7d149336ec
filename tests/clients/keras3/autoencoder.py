# stands-for: https://github.com/keras-team/keras-io 28033e1c219da0430c695fdcbee81552b8c5f594 examples/vision/autoencoder.py
# loss: epoch \d+/\d+\s+loss (\S+)
# exercises: keras.datasets.mnist.load_data (read from TINYDL_DATA on tinydl; Keras downloads it), keras.models.Model and keras.layers imported by name, the functional API on images (Input, Conv2D and MaxPooling2D with padding="same", UpSampling2D), a sigmoid image output trained with binary_crossentropy on every pixel, compile(optimizer="adam"), summary, fit(x=, y=, epochs=, batch_size=, shuffle=True, validation_data=), predict, two fits of one model, matplotlib figures
"""A convolutional autoencoder on MNIST, first trained to copy digits, then to clean them
of added noise."""
import matplotlib.pyplot as plt
import numpy as np

from tinydl.keras.datasets import mnist  # was: from keras.datasets import mnist
from tinydl.keras.layers import Conv2D, Input, MaxPooling2D, UpSampling2D  # was: from keras.layers import Conv2D, Input, MaxPooling2D, UpSampling2D
from tinydl.keras.models import Model  # was: from keras.models import Model


def as_images(digits):
    """uint8 (N, 28, 28) -> float32 (N, 28, 28, 1) in [0, 1]."""
    return np.reshape(digits.astype("float32") / 255.0, (len(digits), 28, 28, 1))


def with_noise(images, amount=0.4):
    noisy = images + amount * np.random.normal(loc=0.0, scale=1.0, size=images.shape)
    return np.clip(noisy, 0.0, 1.0).astype("float32")


def show_pairs(top, bottom, path, n=8):
    picks = np.random.randint(len(top), size=n)
    plt.figure(figsize=(2 * n, 4))
    for i, k in enumerate(picks):
        for row, images in enumerate((top, bottom)):
            axes = plt.subplot(2, n, i + 1 + row * n)
            axes.imshow(images[k].reshape(28, 28), cmap="gray")
            axes.axis("off")
    plt.savefig(path)
    plt.close()


np.random.seed(0)
(train_digits, _), (test_digits, _) = mnist.load_data()
train_images, test_images = as_images(train_digits[:160]), as_images(test_digits[:48])
noisy_train, noisy_test = with_noise(train_images), with_noise(test_images)
show_pairs(train_images, noisy_train, "noisy.png")

inputs = Input(shape=(28, 28, 1))
x = Conv2D(32, (3, 3), activation="relu", padding="same")(inputs)
x = MaxPooling2D((2, 2), padding="same")(x)      # 14x14
x = Conv2D(32, (3, 3), activation="relu", padding="same")(x)
x = MaxPooling2D((2, 2), padding="same")(x)      # 7x7: the code
x = Conv2D(32, (3, 3), activation="relu", padding="same")(x)
x = UpSampling2D((2, 2))(x)                      # 14x14
x = Conv2D(32, (3, 3), activation="relu", padding="same")(x)
x = UpSampling2D((2, 2))(x)                      # 28x28
outputs = Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)

autoencoder = Model(inputs, outputs)
autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
autoencoder.summary()

autoencoder.fit(x=train_images, y=train_images, epochs=2, batch_size=128, shuffle=True,
                validation_data=(test_images, test_images))
show_pairs(test_images, autoencoder.predict(test_images), "copied.png")

autoencoder.fit(x=noisy_train, y=train_images, epochs=2, batch_size=128, shuffle=True,
                validation_data=(noisy_test, test_images))
show_pairs(noisy_test, autoencoder.predict(noisy_test), "denoised.png")
