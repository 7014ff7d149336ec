# source: https://github.com/keras-team/keras-io
# commit: 0a4be8bbc3ae126f3ca49a0bf173902866ec06f0
# path: examples/nlp/bidirectional_lstm_imdb.py
# licence: Apache-2.0, https://github.com/keras-team/keras-io/blob/master/LICENSE
# loss: epoch \d+/\d+\s+loss (\S+)
# exercises: tf.keras imports, IMDB-shaped generated reviews (not IMDB), keras.Input(shape=(None,), dtype="int32"), functional API, Embedding, Bidirectional(LSTM(return_sequences=True)), Bidirectional(LSTM), Dense sigmoid, keras.preprocessing.sequence.pad_sequences, binary_crossentropy with Keras's binary accuracy, summary of a functional model
"""
Title: Bidirectional LSTM on IMDB
Author: [fchollet](https://twitter.com/fchollet)
Date created: 2020/05/03
Last modified: 2020/05/03
Description: Train a 2-layer bidirectional LSTM on the IMDB movie review sentiment classification dataset.
"""
"""
## Setup
"""

import numpy as np
from tinydl import keras  # was: from tensorflow import keras
from tinydl.keras import layers  # was: from tensorflow.keras import layers
from _offline import imdb_like  # was: (added)

max_features = 20000  # Only consider the top 20k words
maxlen = 200  # Only consider the first 200 words of each movie review

"""
## Build the model
"""

# Input for variable-length sequences of integers
inputs = keras.Input(shape=(None,), dtype="int32")
# Embed each integer in a 128-dimensional vector
x = layers.Embedding(max_features, 128)(inputs)
# Add 2 bidirectional LSTMs
x = layers.Bidirectional(layers.LSTM(64, return_sequences=True))(x)
x = layers.Bidirectional(layers.LSTM(64))(x)
# Add a classifier
outputs = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs, outputs)
model.summary()

"""
## Load the IMDB movie review sentiment data
"""

(x_train, y_train), (x_val, y_val) = imdb_like(  # was: (x_train, y_train), (x_val, y_val) = keras.datasets.imdb.load_data(
    num_words=max_features
)
print(len(x_train), "Training sequences")
print(len(x_val), "Validation sequences")
# Use pad_sequence to standardize sequence length:
# this will truncate sequences longer than 200 words and zero-pad sequences shorter than 200 words.
x_train = keras.preprocessing.sequence.pad_sequences(x_train, maxlen=maxlen)
x_val = keras.preprocessing.sequence.pad_sequences(x_val, maxlen=maxlen)

"""
## Train and evaluate the model

You can use the trained model hosted on [Hugging Face Hub](https://huggingface.co/keras-io/bidirectional-lstm-imdb)
and try the demo on [Hugging Face Spaces](https://huggingface.co/spaces/keras-io/bidirectional_lstm_imdb).
"""

model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=32, epochs=2, validation_data=(x_val, y_val))
