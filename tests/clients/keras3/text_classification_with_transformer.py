# stands-for: https://github.com/keras-team/keras-io 1909c6710cd3f5af6401f1176dcee9e26781b4f3 examples/nlp/text_classification_with_transformer.py
# loss: epoch \d+/\d+\s+loss (\S+)
# exercises: import keras and from keras import ops, layers (Keras 3), subclassing layers.Layer (sublayers made in __init__, used in call), keras.Sequential inside a layer, layers.MultiHeadAttention(num_heads=, key_dim=) with key_dim * num_heads != features, LayerNormalization(epsilon=), Dropout, Embedding(input_dim=, output_dim=), ops.shape and ops.arange(start=, stop=, step=), layers.Input, GlobalAveragePooling1D, keras.Model(inputs=, outputs=), keras.utils.pad_sequences (generated reviews shaped like keras.datasets.imdb's), sparse_categorical_crossentropy with "accuracy", fit(validation_data=)
"""Classify review-shaped word sequences with one Transformer block over token and
position embeddings, the layers written as Keras Layer subclasses."""
import _offline
from tinydl import keras  # was: import keras
from tinydl.keras import layers, ops  # was: from keras import layers, ops


class EncoderBlock(layers.Layer):
    def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1):
        super().__init__()
        self.attention = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.feed_forward = keras.Sequential([layers.Dense(ff_dim, activation="relu"),
                                              layers.Dense(embed_dim)])
        self.norm1 = layers.LayerNormalization(epsilon=1e-6)
        self.norm2 = layers.LayerNormalization(epsilon=1e-6)
        self.drop1 = layers.Dropout(rate)
        self.drop2 = layers.Dropout(rate)

    def call(self, inputs):
        attended = self.norm1(inputs + self.drop1(self.attention(inputs, inputs)))
        return self.norm2(attended + self.drop2(self.feed_forward(attended)))


class TokensAndPositions(layers.Layer):
    def __init__(self, maxlen, vocab_size, embed_dim):
        super().__init__()
        self.tokens = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.positions = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def call(self, x):
        length = ops.shape(x)[-1]
        return self.tokens(x) + self.positions(ops.arange(start=0, stop=length, step=1))


vocab_size, maxlen = 2000, 80
(x_train, y_train), (x_val, y_val) = _offline.reviews(num_words=vocab_size, train=320, test=64)
x_train = keras.utils.pad_sequences(x_train, maxlen=maxlen)
x_val = keras.utils.pad_sequences(x_val, maxlen=maxlen)
print(len(x_train), "training and", len(x_val), "validation sequences")

keras.utils.set_random_seed(8)
inputs = layers.Input(shape=(maxlen,))
x = TokensAndPositions(maxlen, vocab_size, embed_dim=32)(inputs)
x = EncoderBlock(embed_dim=32, num_heads=2, ff_dim=32)(x)
x = layers.GlobalAveragePooling1D()(x)
x = layers.Dropout(0.1)(x)
x = layers.Dense(20, activation="relu")(x)
x = layers.Dropout(0.1)(x)
outputs = layers.Dense(2, activation="softmax")(x)
model = keras.Model(inputs=inputs, outputs=outputs)

model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=32, epochs=3, validation_data=(x_val, y_val))
