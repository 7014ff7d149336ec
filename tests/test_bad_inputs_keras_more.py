"""Bad input for tinydl.keras's sequence layers, functional API, subclassing, keras.ops,
metrics, initializers, config and pad_sequences; and the Keras names and arguments they
lack, which must be refused by name. Format: see tests/bad_input_table.py."""

from __future__ import annotations

import numpy as np
import pytest
from bad_input_table import Case, check, params

import tinydl
from tinydl import keras
from tinydl.keras import config, initializers, layers, metrics, ops, utils
from tinydl.keras.training import MaskedOutputError

IDS = np.array([[0, 1, 2], [3, 4, 5]])


def lstm_on(shape: tuple, **kwargs) -> object:
    return layers.LSTM(2, **kwargs)(np.zeros(shape, np.float32))


def lstm_with_states(states: list) -> object:
    lstm = layers.LSTM(2)
    return lstm(np.zeros((1, 3, 2), np.float32), initial_state=states)


def embedding_out_of_range() -> object:
    return layers.Embedding(3, 2)(np.array([[0, 3]]))


def two_outputs_fit() -> None:
    inputs = keras.Input(shape=(2,))
    model = keras.Model(inputs, [layers.Dense(1)(inputs), layers.Dense(1)(inputs)])
    model.compile(loss="mse")
    model.fit(np.zeros((2, 2)), np.zeros((2, 1)), verbose=0)


def masked_output_fit() -> None:
    inputs = keras.Input(shape=(3,), dtype="int32")
    x = layers.Embedding(6, 2, mask_zero=True)(inputs)
    model = keras.Model(inputs, layers.Dense(1)(x))
    model.compile(loss="mse")
    model.fit(IDS, np.zeros((2, 3, 1)), verbose=0)


def disconnected() -> None:
    a, b = keras.Input(shape=(2,)), keras.Input(shape=(2,))
    keras.Model(a, layers.Add()([a, b]))


class Unfinished(layers.Layer):
    def __init__(self) -> None:
        self.units = 3  # no super().__init__()


class Subclassed(keras.Model):
    def __init__(self) -> None:
        super().__init__()
        self.dense = layers.Dense(1)

    def call(self, x):
        return self.dense(x)


def save_subclassed(tmp: str = "/tmp/never-subclassed.npz") -> None:
    model = Subclassed()
    model(np.zeros((1, 2)))
    model.save(tmp)


class Doubler(layers.Layer):
    def call(self, x):
        return x * 2


def save_custom_layer() -> None:
    inputs = keras.Input(shape=(2,))
    keras.Model(inputs, Doubler()(inputs)).save("/tmp/never-custom.npz")


def sequential_return_state() -> None:
    keras.Sequential([keras.Input(shape=(3, 2)), layers.LSTM(2, return_state=True)])


def fit_wrong_input_count() -> None:
    a, b = keras.Input(shape=(2,)), keras.Input(shape=(2,))
    model = keras.Model([a, b], layers.Add()([a, b]))
    model.compile(loss="mse")
    model.fit(np.zeros((2, 2)), np.zeros((2, 2)), verbose=0)


def compile_with(loss: str, metric: object) -> None:
    keras.Sequential([keras.Input(shape=(2,)), layers.Dense(2)]).compile(loss=loss,
                                                                        metrics=[metric])


def fit_hinge_with_accuracy() -> None:
    model = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(1)])
    model.compile(loss="hinge", metrics=["accuracy"])
    model.fit(np.zeros((4, 2)), np.array([0, 1, 0, 1]), verbose=0)


def attention_scores_in_training() -> object:
    attention = layers.MultiHeadAttention(num_heads=1, key_dim=2, dropout=0.5)
    x = np.zeros((1, 2, 2), np.float32)
    return attention(x, x, return_attention_scores=True, training=True)


CASES = [
    # ---- recurrent layers ----
    Case("LSTM-units", lambda: layers.LSTM(0), ValueError, ("units", "positive integer")),
    Case("LSTM-recurrent-dropout", lambda: layers.LSTM(2, recurrent_dropout=0.2), ValueError,
         ("recurrent_dropout is not offered", "dropout=")),
    Case("LSTM-stateful", lambda: layers.LSTM(2, stateful=True), TypeError,
         ("stateful", "does not offer")),
    Case("LSTM-seed", lambda: layers.LSTM(2, dropout=0.1, seed=3), TypeError,
         ("seed", "does not offer")),
    Case("LSTM-activation", lambda: layers.LSTM(2, activation="relu"), ValueError,
         ("activation 'relu' is not offered", "'tanh'")),
    Case("LSTM-recurrent-activation", lambda: layers.LSTM(2, recurrent_activation="hard_sigmoid"),
         ValueError, ("recurrent_activation 'hard_sigmoid'", "'sigmoid'")),
    Case("LSTM-dropout", lambda: layers.LSTM(2, dropout=1.0), ValueError,
         ("dropout must lie in [0, 1)",)),
    Case("LSTM-initializer", lambda: layers.LSTM(2, kernel_initializer="magic"), ValueError,
         ("initializer 'magic' is not offered", "glorot_uniform")),
    Case("LSTM-regularizer", lambda: layers.LSTM(2, kernel_regularizer="l2"), TypeError,
         ("kernel_regularizer", "does not offer")),
    Case("LSTM-use-cudnn", lambda: layers.LSTM(2, use_cudnn="yes"), ValueError,
         ("use_cudnn must be 'auto', True or False",)),
    Case("LSTM-input-rank", lambda: lstm_on((2, 3)), ValueError,
         ("(batch, time steps, features)", "(2, 3)")),
    Case("LSTM-initial-state", lambda: lstm_with_states([tinydl.zeros(1, 2)]), ValueError,
         ("needs initial_state as 2 tensor(s) of shape (1, 2)",)),
    Case("GRU-reset-after", lambda: layers.GRU(2, reset_after=False), ValueError,
         ("reset_after=False is not offered", "reset gate after")),
    Case("SimpleRNN-activation", lambda: layers.SimpleRNN(2, activation="gelu"), ValueError,
         ("activation 'gelu'", "'relu'")),
    Case("Bidirectional-dense", lambda: layers.Bidirectional(layers.Dense(2)), TypeError,
         ("layer must be a recurrent layer", "LSTM", "got Dense")),
    Case("Bidirectional-merge", lambda: layers.Bidirectional(layers.LSTM(2), merge_mode="max"),
         ValueError, ("merge_mode must be 'concat'", "or None, got 'max'")),
    Case("Bidirectional-weights", lambda: layers.Bidirectional(layers.LSTM(2), weights=[1]),
         TypeError, ("weights", "does not offer")),
    Case("Bidirectional-go-backwards", lambda: layers.Bidirectional(
        layers.LSTM(2, go_backwards=True)), ValueError, ("must differ in go_backwards",)),
    Case("TimeDistributed-not-layer", lambda: layers.TimeDistributed(3), TypeError,
         ("layer must be a tinydl.keras layer", "got int")),
    Case("TimeDistributed-rank", lambda: layers.TimeDistributed(layers.Dense(2))(
        np.zeros((2, 3), np.float32)), ValueError,
         ("(batch, time steps, features, ...)", "got (2, 3)")),
    # ---- other sequence layers ----
    Case("RepeatVector-n", lambda: layers.RepeatVector(0), ValueError,
         ("n", "positive integer")),
    Case("RepeatVector-rank", lambda: layers.RepeatVector(2)(np.zeros((1, 2, 3), np.float32)),
         ValueError, ("(batch, features)", "(1, 2, 3)")),
    Case("Embedding-input-dim", lambda: layers.Embedding(0, 3), ValueError,
         ("input_dim", "positive integer")),
    Case("Embedding-out-of-range", embedding_out_of_range, IndexError,
         ("token id 3", "[0, 3)")),
    Case("Embedding-initializer", lambda: layers.Embedding(3, 2, embeddings_initializer="x"),
         ValueError, ("initializer 'x' is not offered",)),
    Case("MultiHeadAttention-heads", lambda: layers.MultiHeadAttention(0, 2), ValueError,
         ("num_heads", "positive integer")),
    Case("MultiHeadAttention-axes", lambda: layers.MultiHeadAttention(1, 2, attention_axes=(1,)),
         TypeError, ("attention_axes", "does not offer")),
    Case("MultiHeadAttention-gate", lambda: layers.MultiHeadAttention(1, 2, use_gate=True),
         TypeError, ("use_gate", "does not offer")),
    Case("MultiHeadAttention-scores-training", attention_scores_in_training, ValueError,
         ("return_attention_scores=True while training", "training=False")),
    Case("LayerNormalization-axis", lambda: layers.LayerNormalization(axis=1), ValueError,
         ("only axis=-1",)),
    Case("LayerNormalization-center-only", lambda: layers.LayerNormalization(scale=False),
         ValueError, ("center=True with scale=False",)),
    Case("LayerNormalization-rms", lambda: layers.LayerNormalization(rms_scaling=True),
         ValueError, ("rms_scaling=True is not offered",)),
    Case("GlobalAveragePooling1D-rank", lambda: layers.GlobalAveragePooling1D()(
        np.zeros((2, 3), np.float32)), ValueError, ("(batch, steps, features)",)),
    Case("GlobalAveragePooling2D-format", lambda: layers.GlobalAveragePooling2D(
        data_format="channels_first"), ValueError, ("channels_first", "channels-last")),
    Case("UpSampling2D-bilinear", lambda: layers.UpSampling2D(interpolation="bilinear"),
         ValueError, ("interpolation 'bilinear'", "'nearest'")),
    Case("Concatenate-axis", lambda: layers.Concatenate(axis=0), ValueError,
         ("non-batch axis",)),
    Case("Concatenate-shapes", lambda: layers.Concatenate()(
        [np.zeros((1, 2, 3), np.float32), np.zeros((1, 4, 3), np.float32)]), ValueError,
         ("cannot be joined along axis -1",)),
    Case("Add-shapes", lambda: layers.Add()([np.zeros((1, 2), np.float32),
                                           np.zeros((1, 3), np.float32)]), ValueError,
         ("inputs of one shape",)),
    Case("Add-one-input", lambda: layers.Add()([np.zeros((1, 2), np.float32)]), ValueError,
         ("at least 2 inputs",)),
    Case("Subtract-three", lambda: layers.Subtract()([np.zeros((1, 2), np.float32)] * 3),
         ValueError, ("exactly two inputs",)),
    Case("Dense-unknown-features", lambda: layers.Dense(2)(keras.Input(shape=(None,))),
         ValueError, ("needs every size of its input known",)),
    # ---- the functional API ----
    Case("Input-dtype", lambda: keras.Input(shape=(2,), dtype="complex64"), ValueError,
         ("dtype 'complex64' is not offered", "int32")),
    Case("Input-shape-zero", lambda: keras.Input(shape=(0,)), ValueError,
         ("shape", "positive integer")),
    Case("Model-dict-inputs", lambda: keras.Model({"a": keras.Input(shape=(2,))},
                                                  keras.Input(shape=(2,))), TypeError,
         ("as a dict are not offered",)),
    Case("Model-output-not-tensor", lambda: keras.Model(keras.Input(shape=(2,)),
                                                        layers.Dense(2)), TypeError,
         ("takes KerasTensors", "Dense")),
    Case("Model-disconnected", disconnected, ValueError,
         ("graph disconnected", "add its keras.Input")),
    Case("KerasTensor-bool", lambda: bool(keras.Input(shape=(2,))), TypeError,
         ("symbolic", "keras.Model(inputs, outputs)")),
    Case("KerasTensor-numpy", lambda: np.asarray(keras.Input(shape=(2,))), TypeError,
         ("symbolic", "model.predict")),
    Case("Layer-without-super-init", lambda: Unfinished()(np.zeros((1, 2))), RuntimeError,
         ("must call super().__init__()",)),
    Case("Layer-no-call", lambda: layers.Layer()(np.zeros((1, 2))), NotImplementedError,
         ("must define call",)),
    Case("Layer-add-weight-trainable", lambda: layers.Layer().add_weight((2,), trainable=False),
         TypeError, ("trainable", "does not offer")),
    Case("Sequential-return-state", sequential_return_state, ValueError,
         ("gives 3 outputs", "keras.Model(inputs, outputs)")),
    Case("Sequential-layer-output", lambda: keras.Sequential(
        [layers.Dense(2)(keras.Input(shape=(2,)))]), TypeError,
         ("a layer's output tensor",)),
    Case("fit-two-outputs", two_outputs_fit, ValueError,
         ("2 outputs", "models of one output")),
    Case("fit-masked-output", masked_output_fit, MaskedOutputError,
         ("carries a mask", "mask_zero")),
    Case("fit-input-count", fit_wrong_input_count, ValueError,
         ("has 2 inputs, got 1 arrays",)),
    Case("save-subclassed", save_subclassed, TypeError,
         ("subclassed model", "save_weights()")),
    Case("save-custom-layer", save_custom_layer, TypeError,
         ("not one of tinydl.keras's layers", "save_weights()")),
    Case("get_layer-unknown", lambda: keras.Sequential([keras.Input(shape=(2,)),
                                                        layers.Dense(2)]).get_layer("nope"),
         ValueError, ("no layer 'nope'", "dense")),
    # ---- compile: metrics ----
    Case("compile-mse-metric-other-loss", lambda: compile_with("categorical_crossentropy",
                                                               metrics.MeanSquaredError()),
         ValueError, ("offered only as the loss itself", "categorical_crossentropy")),
    Case("fit-hinge-binary-accuracy", fit_hinge_with_accuracy, ValueError,
         ("binary accuracy with the hinge loss is not offered",)),
    Case("compile-two-accuracies", lambda: keras.Sequential().compile(
        loss="mse", metrics=["binary_accuracy", "categorical_accuracy"]), ValueError,
         ("different accuracies",)),
    Case("metrics-AUC", lambda: metrics.AUC, tinydl.TinyDLError,
         ("tinydl.keras.metrics has no AUC", "BinaryAccuracy")),
    Case("BinaryAccuracy-threshold", lambda: metrics.BinaryAccuracy(threshold=0.7), ValueError,
         ("only threshold=0.5",)),
    # ---- ops, initializers, config, utils ----
    Case("ops-einsum", lambda: ops.einsum, tinydl.TinyDLError,
         ("tinydl.keras.ops has no einsum", "matmul")),
    Case("initializers-unknown", lambda: initializers.get("he_truncated"), ValueError,
         ("initializer 'he_truncated' is not offered", "orthogonal")),
    Case("Orthogonal-vector", lambda: initializers.Orthogonal()((3,)), ValueError,
         ("at least two axes",)),
    Case("config-traceback-filtering", config.enable_traceback_filtering, NotImplementedError,
         ("shows every frame",)),
    Case("keras-applications", lambda: keras.applications, tinydl.TinyDLError,
         ("tinydl.keras has no applications", "layers")),
    Case("utils-get_file", lambda: utils.get_file, tinydl.TinyDLError,
         ("tinydl.keras.utils has no get_file", "pad_sequences")),
    Case("pad_sequences-padding", lambda: utils.pad_sequences([[1]], padding="middle"),
         ValueError, ("padding must be 'pre' or 'post', got 'middle'",)),
    Case("pad_sequences-maxlen", lambda: utils.pad_sequences([[1]], maxlen=0), ValueError,
         ("maxlen", "positive integer")),
    Case("pad_sequences-string", lambda: utils.pad_sequences("abc"), ValueError,
         ("list of sequences", "str")),
    Case("pad_sequences-not-sequence", lambda: utils.pad_sequences([[1], 2]), ValueError,
         ("sequences[1] is not a sequence",)),
    Case("pad_sequences-steps", lambda: utils.pad_sequences([[[1, 2]], [[1, 2, 3]]]),
         ValueError, ("the steps of sequences[1] have shape (3,)", "(2,)")),
    Case("pad_sequences-empty", lambda: utils.pad_sequences([]), ValueError,
         ("no sequences and no maxlen",)),
]


@pytest.mark.parametrize("case", params(CASES))
def test_bad_input(case: Case) -> None:
    check(case)
