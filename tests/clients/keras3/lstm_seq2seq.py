# stands-for: https://github.com/keras-team/keras-io 1909c6710cd3f5af6401f1176dcee9e26781b4f3 examples/nlp/lstm_seq2seq.py
# loss: epoch \d+/\d+\s+loss (\S+)
# exercises: import keras (Keras 3), a tab-separated sentence-pair file read line by line (generated: digit names and their digits, not manythings.org's), one-hot float32 arrays, the functional API with two inputs, keras.layers.LSTM(return_state=True), LSTM(return_sequences=True, return_state=True) called with initial_state=, Dense(activation="softmax") over time steps, keras.Model([a, b], c), compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"]), fit(validation_split=), model.save("*.keras") and keras.models.load_model, model.input[i], model.layers[i].output, layers reused in new inference models, predict with several inputs and outputs
"""A character-level encoder-decoder: an LSTM reads a phrase of digit names ("three one
four"), a second LSTM started from its final state writes the digits ("3 1 4")."""
import numpy as np

import _offline
from tinydl import keras  # was: import keras

latent_dim = 64
path = _offline.write_number_phrases("pairs.txt", count=400)

sources, targets = [], []
with open(path, encoding="utf-8") as f:
    for line in f.read().strip().split("\n"):
        source, target, _ = line.split("\t")
        sources.append(source)
        targets.append("\t" + target + "\n")   # tab starts a target, newline ends it
source_chars = sorted(set("".join(sources)) | {" "})
target_chars = sorted(set("".join(targets)) | {" "})
source_index = {c: i for i, c in enumerate(source_chars)}
target_index = {c: i for i, c in enumerate(target_chars)}
source_len, target_len = max(map(len, sources)), max(map(len, targets))
print(len(sources), "pairs;", len(source_chars), "source and", len(target_chars), "target characters")


def one_hot(texts, index, length, shift=0):
    """(N, length, characters); shift=1 moves every text one step left (the next character
    is the target); positions after the text hold a space."""
    codes = np.zeros((len(texts), length, len(index)), dtype="float32")
    for n, text in enumerate(texts):
        text = text[shift:]
        for t, c in enumerate(text):
            codes[n, t, index[c]] = 1.0
        codes[n, len(text):, index[" "]] = 1.0
    return codes


encoder_data = one_hot(sources, source_index, source_len)
decoder_data = one_hot(targets, target_index, target_len)
decoder_targets = one_hot(targets, target_index, target_len, shift=1)

keras.utils.set_random_seed(7)
encoder_inputs = keras.Input(shape=(None, len(source_chars)))
_, state_h, state_c = keras.layers.LSTM(latent_dim, return_state=True)(encoder_inputs)
decoder_inputs = keras.Input(shape=(None, len(target_chars)))
decoder_lstm = keras.layers.LSTM(latent_dim, return_sequences=True, return_state=True)
decoded, _, _ = decoder_lstm(decoder_inputs, initial_state=[state_h, state_c])
decoded = keras.layers.Dense(len(target_chars), activation="softmax")(decoded)
model = keras.Model([encoder_inputs, decoder_inputs], decoded)

model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
model.fit([encoder_data, decoder_data], decoder_targets, batch_size=64, epochs=6,
          validation_split=0.2)
model.save("seq2seq.keras")

# inference: rebuild an encoder and a one-step decoder from the saved model's layers
model = keras.models.load_model("seq2seq.keras")
encoder_in = model.input[0]
_, enc_h, enc_c = model.layers[2].output
encoder = keras.Model(encoder_in, [enc_h, enc_c])
state_in = [keras.Input(shape=(latent_dim,)), keras.Input(shape=(latent_dim,))]
step_out, step_h, step_c = model.layers[3](model.input[1], initial_state=state_in)
step_out = model.layers[4](step_out)
decoder = keras.Model([model.input[1]] + state_in, [step_out, step_h, step_c])
target_chars_of = dict(enumerate(target_chars))


def translate(encoded_source):
    states = encoder.predict(encoded_source, verbose=0)
    previous = np.zeros((1, 1, len(target_chars)))
    previous[0, 0, target_index["\t"]] = 1.0
    written = ""
    while len(written) <= target_len:
        scores, h, c = decoder.predict([previous] + states, verbose=0)
        c_index = int(np.argmax(scores[0, -1, :]))
        if target_chars_of[c_index] == "\n":
            break
        written += target_chars_of[c_index]
        previous = np.zeros((1, 1, len(target_chars)))
        previous[0, 0, c_index] = 1.0
        states = [h, c]
    return written


for n in range(5):
    print(f"{sources[n]!r} -> {translate(encoder_data[n:n + 1])!r}")
