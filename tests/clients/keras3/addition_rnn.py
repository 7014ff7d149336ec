# stands-for: https://github.com/keras-team/keras-io 653efec051cf5ad149f93795a218fdd7c27d1afb examples/nlp/addition_rnn.py
# loss: epoch \d+/\d+\s+loss ([0-9.]+)
# exercises: generated data, one-hot inputs as NumPy bool arrays, keras.Sequential built with add(), LSTM(units, input_shape=(steps, features)) as the first layer, RepeatVector, LSTM(return_sequences=True), Dense(activation="softmax") over every time step, categorical_crossentropy and accuracy on (N, T, C) targets, summary, fit(epochs=1) in a loop with validation_data, predict on one sample
"""An LSTM sequence-to-sequence model that learns to add numbers written as strings:
"345+67 " (reversed) in, "412 " out."""
import numpy as np

from tinydl import keras  # was: import keras
from tinydl.keras import layers  # was: from keras import layers

DIGITS = 3
QUESTION_LENGTH = DIGITS + 1 + DIGITS
ANSWER_LENGTH = DIGITS + 1
SYMBOLS = sorted(set("0123456789+ "))
INDEX = {symbol: i for i, symbol in enumerate(SYMBOLS)}


def one_hot(text, length):
    code = np.zeros((length, len(SYMBOLS)), dtype=bool)
    for i, symbol in enumerate(text):
        code[i, INDEX[symbol]] = True
    return code


def decode(codes, from_scores=True):
    indices = codes.argmax(axis=-1) if from_scores else codes
    return "".join(SYMBOLS[i] for i in indices)


rng = np.random.default_rng(4)
keras.utils.set_random_seed(4)
questions, answers, seen = [], [], set()
while len(questions) < 2000:
    a, b = (int(rng.integers(0, 10 ** int(rng.integers(1, DIGITS + 1)))) for _ in range(2))
    if (min(a, b), max(a, b)) in seen:
        continue
    seen.add((min(a, b), max(a, b)))
    # reversing the question puts the digits the answer starts with close to it
    questions.append(f"{a}+{b}".ljust(QUESTION_LENGTH)[::-1])
    answers.append(str(a + b).ljust(ANSWER_LENGTH))

x = np.stack([one_hot(q, QUESTION_LENGTH) for q in questions])
y = np.stack([one_hot(s, ANSWER_LENGTH) for s in answers])
split = len(x) - len(x) // 10
x_train, x_val, y_train, y_val = x[:split], x[split:], y[:split], y[split:]
print("train", x_train.shape, y_train.shape, "validation", x_val.shape, y_val.shape)

model = keras.Sequential()
model.add(layers.LSTM(128, input_shape=(QUESTION_LENGTH, len(SYMBOLS))))  # the encoder
model.add(layers.RepeatVector(ANSWER_LENGTH))     # its summary, once per answer position
model.add(layers.LSTM(128, return_sequences=True))  # the decoder
model.add(layers.Dense(len(SYMBOLS), activation="softmax"))
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.summary()

for round_number in range(1, 4):
    print("\nRound", round_number)
    model.fit(x_train, y_train, batch_size=32, epochs=1, validation_data=(x_val, y_val))
    for _ in range(5):
        k = int(rng.integers(0, len(x_val)))
        guess = decode(np.argmax(model.predict(x_val[np.array([k])]), axis=-1)[0], from_scores=False)
        truth = decode(y_val[k])
        print("Q", decode(x_val[k])[::-1], "T", truth, "ok" if guess == truth else "no", guess)
