"""Models and settings shared by ``tests/reference/make_keras_sequences.py`` (run with real
Keras) and the tests of tinydl.keras's recurrent, attention and functional layers (run
with tinydl.keras): each builder takes the Keras-like module, so both sides build the same
architecture from the same lines.

An input spec is ``("float", shape)``, ``("padded", shape)`` (floats whose first steps are
zeros in some rows), ``("ids", shape, vocabulary)`` (integer ids with zeros, padding, at
the start of some rows) or ``("bool", shape)``; shapes are per sample.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Spec = tuple


def _ids(keras: Any, length: int | None = None) -> Any:
    return keras.Input(shape=(length,), dtype="int32")


# ---- recurrent layers ---------------------------------------------------------------------------
def lstm_sequences(keras: Any) -> Any:
    inputs = keras.Input(shape=(5, 3))
    return keras.Model(inputs, keras.layers.LSTM(4, return_sequences=True)(inputs))


def lstm_state_backwards(keras: Any) -> Any:
    inputs = keras.Input(shape=(5, 3))
    outputs = keras.layers.LSTM(4, return_state=True, go_backwards=True)(inputs)
    return keras.Model(inputs, list(outputs))


def gru_sequences_backwards(keras: Any) -> Any:
    inputs = keras.Input(shape=(None, 3))
    outputs = keras.layers.GRU(4, return_sequences=True, go_backwards=True)(inputs)
    return keras.Model(inputs, outputs)


def gru_state(keras: Any) -> Any:
    inputs = keras.Input(shape=(5, 3))
    return keras.Model(inputs, list(keras.layers.GRU(3, return_state=True)(inputs)))


def simple_rnn_relu(keras: Any) -> Any:
    inputs = keras.Input(shape=(5, 3))
    rnn = keras.layers.SimpleRNN(4, activation="relu", return_sequences=True)
    return keras.Model(inputs, rnn(inputs))


def masked_stack(keras: Any) -> Any:
    """Embedding(mask_zero=True): the mask reaches every recurrent layer."""
    layers = keras.layers
    inputs = _ids(keras)
    x = layers.Embedding(12, 3, mask_zero=True)(inputs)
    x = layers.LSTM(4, return_sequences=True)(x)
    x = layers.GRU(5, return_sequences=True, go_backwards=True)(x)
    return keras.Model(inputs, layers.SimpleRNN(3)(x))


def masking_lstm(keras: Any) -> Any:
    """Masking(): all-zero time steps are padding for the LSTM and the pooling after it."""
    layers = keras.layers
    inputs = keras.Input(shape=(5, 3))
    x = layers.LSTM(4, return_sequences=True)(layers.Masking()(inputs))
    return keras.Model(inputs, layers.GlobalAveragePooling1D()(x))


def bidirectional_concat_masked(keras: Any) -> Any:
    layers = keras.layers
    inputs = _ids(keras)
    x = layers.Embedding(12, 3, mask_zero=True)(inputs)
    x = layers.Bidirectional(layers.LSTM(4, return_sequences=True))(x)
    x = layers.GlobalAveragePooling1D()(x)
    return keras.Model(inputs, layers.Dense(2, activation="softmax")(x))


def bidirectional_sum_state(keras: Any) -> Any:
    inputs = keras.Input(shape=(5, 3))
    wrapped = keras.layers.Bidirectional(keras.layers.GRU(3, return_state=True), merge_mode="sum")
    return keras.Model(inputs, list(wrapped(inputs)))


def bidirectional_none(keras: Any) -> Any:
    layers = keras.layers
    inputs = keras.Input(shape=(5, 3))
    forward, backward = layers.Bidirectional(layers.LSTM(3, return_sequences=True),
                                             merge_mode=None)(inputs)
    return keras.Model(inputs, layers.Concatenate()([forward, backward]))


def seq2seq(keras: Any) -> Any:
    """keras-io's lstm_seq2seq in small: the encoder's states start the decoder."""
    layers = keras.layers
    encoder_inputs = keras.Input(shape=(None, 4))
    decoder_inputs = keras.Input(shape=(None, 3))
    _, h, c = layers.LSTM(6, return_state=True)(encoder_inputs)
    outputs, _, _ = layers.LSTM(6, return_sequences=True, return_state=True)(
        decoder_inputs, initial_state=[h, c])
    return keras.Model([encoder_inputs, decoder_inputs],
                       layers.Dense(3, activation="softmax")(outputs))


def repeat_time_distributed(keras: Any) -> Any:
    layers = keras.layers
    return keras.Sequential([
        keras.Input(shape=(5, 3)), layers.LSTM(8), layers.RepeatVector(4),
        layers.LSTM(6, return_sequences=True),
        layers.TimeDistributed(layers.Dense(3, activation="softmax")),
    ])


# ---- attention, normalisation, pooling, merging, images ---------------------------------------
def attention_masked(keras: Any) -> Any:
    layers = keras.layers
    inputs = _ids(keras, 6)
    x = layers.Embedding(12, 8, mask_zero=True)(inputs)
    attended = layers.MultiHeadAttention(num_heads=2, key_dim=5, value_dim=3)(x, x)
    x = layers.LayerNormalization(epsilon=1e-6)(layers.Add()([x, attended]))
    return keras.Model(inputs, layers.GlobalAveragePooling1D()(x))


def attention_causal(keras: Any) -> Any:
    inputs = keras.Input(shape=(6, 8))
    attention = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4)
    return keras.Model(inputs, attention(inputs, inputs, use_causal_mask=True))


def attention_cross(keras: Any) -> Any:
    query, value = keras.Input(shape=(3, 4)), keras.Input(shape=(5, 6))
    allowed = keras.Input(shape=(3, 5), dtype="bool")
    attention = keras.layers.MultiHeadAttention(num_heads=3, key_dim=2, output_shape=7)
    return keras.Model([query, value, allowed], attention(query, value, attention_mask=allowed))


def merging(keras: Any) -> Any:
    layers = keras.layers
    a, b = keras.Input(shape=(4,)), keras.Input(shape=(4,))
    joined = layers.Concatenate()([layers.Add()([a, b]), layers.Subtract()([a, b]),
                                   layers.Multiply()([a, b]), layers.Average()([a, b])])
    return keras.Model([a, b], layers.Dense(3)(joined))


def conv_autoencoder(keras: Any) -> Any:
    layers = keras.layers
    inputs = keras.Input(shape=(8, 8, 1))
    x = layers.Conv2D(4, (3, 3), activation="relu", padding="same")(inputs)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    x = layers.UpSampling2D((2, 2))(x)
    return keras.Model(inputs, layers.Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x))


def pooled_images(keras: Any) -> Any:
    layers = keras.layers
    return keras.Sequential([keras.Input(shape=(6, 6, 3)), layers.Conv2D(4, 3),
                             layers.GlobalAveragePooling2D(), layers.Dense(2)])


def embedding_sequential(keras: Any) -> Any:
    layers = keras.layers
    return keras.Sequential([layers.Embedding(12, 3, input_shape=(6,)), layers.Flatten(),
                             layers.Dense(2, activation="sigmoid")])


MODELS: dict[str, tuple[Callable[[Any], Any], list[Spec]]] = {
    "lstm_sequences": (lstm_sequences, [("float", (5, 3))]),
    "lstm_state_backwards": (lstm_state_backwards, [("float", (5, 3))]),
    "gru_sequences_backwards": (gru_sequences_backwards, [("float", (5, 3))]),
    "gru_state": (gru_state, [("float", (5, 3))]),
    "simple_rnn_relu": (simple_rnn_relu, [("float", (5, 3))]),
    "masked_stack": (masked_stack, [("ids", (7,), 12)]),
    "masking_lstm": (masking_lstm, [("padded", (5, 3))]),
    "bidirectional_concat_masked": (bidirectional_concat_masked, [("ids", (7,), 12)]),
    "bidirectional_sum_state": (bidirectional_sum_state, [("float", (5, 3))]),
    "bidirectional_none": (bidirectional_none, [("float", (5, 3))]),
    "seq2seq": (seq2seq, [("float", (5, 4)), ("float", (3, 3))]),
    "repeat_time_distributed": (repeat_time_distributed, [("float", (5, 3))]),
    "attention_masked": (attention_masked, [("ids", (6,), 12)]),
    "attention_causal": (attention_causal, [("float", (6, 8))]),
    "attention_cross": (attention_cross, [("float", (3, 4)), ("float", (5, 6)),
                                          ("bool", (3, 5))]),
    "merging": (merging, [("float", (4,)), ("float", (4,))]),
    "conv_autoencoder": (conv_autoencoder, [("float", (8, 8, 1))]),
    "pooled_images": (pooled_images, [("float", (6, 6, 3))]),
    "embedding_sequential": (embedding_sequential, [("ids", (6,), 12)]),
}
BATCH = 3

# Training cases: a model, its loss, metrics and target kind; trained by SGD(0.1) for two
# epochs of batches of 4 without shuffling, from stored weights, on stored data.
TRAIN_SIZE, STEPS, CLASSES = 8, 4, 5


def per_step_classes(keras: Any) -> Any:
    layers = keras.layers
    return keras.Sequential([keras.Input(shape=(6, 3)), layers.LSTM(7), layers.RepeatVector(STEPS),
                             layers.LSTM(7, return_sequences=True),
                             layers.Dense(CLASSES, activation="softmax")])


def binary_sigmoid(keras: Any) -> Any:
    layers = keras.layers
    inputs = _ids(keras)
    x = layers.Embedding(12, 4, mask_zero=True)(inputs)
    x = layers.Bidirectional(layers.GRU(3))(x)
    return keras.Model(inputs, layers.Dense(1, activation="sigmoid")(x))


def binary_logits(keras: Any) -> Any:
    layers = keras.layers
    return keras.Sequential([keras.Input(shape=(6, 3)), layers.SimpleRNN(4), layers.Dense(1)])


TRAINING: dict[str, tuple[Callable[[Any], Any], list[Spec], Any, str]] = {
    "per_step_one_hot": (per_step_classes, [("float", (6, 3))], "categorical_crossentropy",
                         "one_hot_steps"),
    "per_step_sparse": (per_step_classes, [("float", (6, 3))], "sparse_categorical_crossentropy",
                        "labels_steps"),
    "binary_sigmoid": (binary_sigmoid, [("ids", (7,), 12)], "binary_crossentropy", "binary"),
    "binary_logits": (binary_logits, [("float", (6, 3))], "binary_crossentropy_logits",
                      "binary"),
}


def loss_of(keras: Any, name: str) -> Any:
    if name == "binary_crossentropy_logits":  # Keras's accuracy then thresholds the logits
        return keras.losses.BinaryCrossentropy(from_logits=True)
    return name


# pad_sequences: the sequences (lengths 0 to 5) and the arguments of each case.
PAD_SEQUENCES = [[1, 2, 3], [4, 5, 6, 7, 8], [], [9]]
PAD_CASES: dict[str, dict[str, Any]] = {
    "defaults": {},
    "maxlen_pre": {"maxlen": 3},
    "maxlen_post_post": {"maxlen": 3, "padding": "post", "truncating": "post"},
    "value_float": {"maxlen": 4, "value": -1.5, "dtype": "float32", "padding": "post"},
    "longer": {"maxlen": 7},
}
