# stands-for: https://github.com/keras-team/keras-io 0a4be8bbc3ae126f3ca49a0bf173902866ec06f0 examples/nlp/bidirectional_lstm_imdb.py
# loss: epoch \d+/\d+\s+loss (\S+)
# exercises: keras.Input(shape=(None,), dtype="int32"), the functional API, Embedding, Bidirectional(LSTM(return_sequences=True)), Bidirectional(LSTM), Dense(activation="sigmoid"), keras.Model(inputs, outputs), summary, keras.preprocessing.sequence.pad_sequences(maxlen=) on lists of word ids (generated reviews shaped like keras.datasets.imdb's), binary_crossentropy with "accuracy", fit(validation_data=)
"""Sentiment of movie-review-shaped word sequences with two stacked bidirectional LSTMs."""
import _offline
from tinydl import keras  # was: import keras
from tinydl.keras import layers  # was: from keras import layers

max_features = 2000   # vocabulary size
maxlen = 80           # reviews are cut or padded to this many words

keras.utils.set_random_seed(6)
inputs = keras.Input(shape=(None,), dtype="int32")
x = layers.Embedding(max_features, 32)(inputs)
x = layers.Bidirectional(layers.LSTM(32, return_sequences=True))(x)
x = layers.Bidirectional(layers.LSTM(32))(x)
outputs = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs, outputs)
model.summary()

(x_train, y_train), (x_val, y_val) = _offline.reviews(num_words=max_features, train=256, test=64)
print(len(x_train), "training reviews,", len(x_val), "validation reviews")
x_train = keras.preprocessing.sequence.pad_sequences(x_train, maxlen=maxlen)
x_val = keras.preprocessing.sequence.pad_sequences(x_val, maxlen=maxlen)

model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=32, epochs=3, validation_data=(x_val, y_val))
