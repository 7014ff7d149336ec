# stands-for: https://github.com/keras-team/keras-io 0a09cb6c7ca6769be21d946338c87563314c93db examples/generative/lstm_character_level_text_generation.py
# loss: epoch \d+/\d+\s+loss (\S+)
# exercises: text from the standard library's docstrings (in place of Nietzsche), one-hot character windows as NumPy bool arrays, keras.Sequential with keras.Input(shape=), LSTM, Dense(activation="softmax"), keras.optimizers.RMSprop(learning_rate=), categorical_crossentropy without metrics, fit(epochs=1) in a loop, predict(verbose=0) one sample at a time while sampling text at several temperatures
"""A character-level LSTM that reads 40 characters and predicts the next; after each epoch
it writes a little text of its own."""
import random
import sys

import numpy as np

import _offline
from tinydl import keras  # was: import keras
from tinydl.keras import layers  # was: from keras import layers

text = _offline.docstring_text(7000).lower()
chars = sorted(set(text))
index_of = {c: i for i, c in enumerate(chars)}
print("corpus length:", len(text), "distinct characters:", len(chars))

window, stride = 40, 3
starts = range(0, len(text) - window, stride)
x = np.zeros((len(starts), window, len(chars)), dtype=bool)
y = np.zeros((len(starts), len(chars)), dtype=bool)
for row, start in enumerate(starts):
    for t, c in enumerate(text[start:start + window]):
        x[row, t, index_of[c]] = True
    y[row, index_of[text[start + window]]] = True
print("training windows:", len(x))

keras.utils.set_random_seed(5)
model = keras.Sequential([
    keras.Input(shape=(window, len(chars))),
    layers.LSTM(128),
    layers.Dense(len(chars), activation="softmax"),
])
model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.RMSprop(learning_rate=0.01))


def draw(probabilities, temperature):
    """Sample an index from the softmax output, sharpened or flattened by temperature."""
    logits = np.log(np.asarray(probabilities).astype("float64")) / temperature
    weights = np.exp(logits) / np.sum(np.exp(logits))
    return int(np.argmax(np.random.multinomial(1, weights, 1)))


random.seed(5)
for epoch in range(3):
    model.fit(x, y, batch_size=128, epochs=1)
    start = random.randint(0, len(text) - window - 1)
    for temperature in (0.2, 1.0):
        sentence = text[start:start + window]
        sys.stdout.write(f"-- temperature {temperature}, after epoch {epoch}: {sentence!r} + ")
        for _ in range(15):
            one_window = np.zeros((1, window, len(chars)))
            for t, c in enumerate(sentence):
                one_window[0, t, index_of[c]] = 1.0
            next_char = chars[draw(model.predict(one_window, verbose=0)[0], temperature)]
            sentence = sentence[1:] + next_char
            sys.stdout.write(next_char)
        print()
