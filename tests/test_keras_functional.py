"""tinydl.keras's functional API, subclassed layers and models, keras.ops, metrics and
saving, as Keras documents them: the graph's order (``model.layers``), ``model.input``,
``layer.output``, shared layers, several inputs and outputs, symbolic arithmetic,
custom layers with ``add_weight``, training mode, masks, summaries and load_model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import tinydl
from tinydl import keras
from tinydl.keras import layers, metrics, ops, utils
from tinydl.keras.training import MaskedOutputError


@pytest.fixture(autouse=True)
def fresh_names() -> None:
    utils.clear_session()
    tinydl.manual_seed(0)


def seq2seq() -> keras.Model:
    encoder_inputs = keras.Input(shape=(None, 4))
    _, h, c = layers.LSTM(6, return_state=True)(encoder_inputs)
    decoder_inputs = keras.Input(shape=(None, 3))
    outputs, _, _ = layers.LSTM(6, return_sequences=True, return_state=True)(
        decoder_inputs, initial_state=[h, c])
    return keras.Model([encoder_inputs, decoder_inputs],
                       layers.Dense(3, activation="softmax")(outputs))


def data(*shapes: tuple[int, ...], seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape).astype(np.float32) for shape in shapes]


# ---- the graph --------------------------------------------------------------------------------
def test_layers_are_in_keras_order_and_the_graph_is_reachable() -> None:
    model = seq2seq()
    assert [type(layer).__name__ for layer in model.layers] == [
        "InputLayer", "InputLayer", "LSTM", "LSTM", "Dense"]  # what lstm_seq2seq indexes
    encoder = model.layers[2]
    assert model.input[0] is encoder.input
    outputs, h, c = encoder.output
    assert outputs.shape == h.shape == c.shape == (None, 6)
    assert model.output.shape == (None, None, 3)


def test_a_layer_of_one_model_serves_a_new_one() -> None:
    model = seq2seq()
    encoder = keras.Model(model.input[0], list(model.layers[2].output[1:]))
    x, y = data((2, 5, 4), (2, 3, 3))
    h, c = encoder.predict(x, verbose=0)
    state_h, state_c = keras.Input(shape=(6,)), keras.Input(shape=(6,))
    decoded, _, _ = model.layers[3](model.input[1], initial_state=[state_h, state_c])
    decoder = keras.Model([model.input[1], state_h, state_c], model.layers[4](decoded))
    np.testing.assert_allclose(decoder.predict([y, h, c], verbose=0),
                               model.predict([x, y], verbose=0), rtol=1e-5, atol=1e-6)


def test_several_outputs_come_back_as_the_model_gave_them() -> None:
    inputs = keras.Input(shape=(3,))
    first, second = layers.Dense(2)(inputs), layers.Dense(4)(inputs)
    as_list = keras.Model(inputs, [first, second]).predict(np.ones((5, 3)), verbose=0)
    as_tuple = keras.Model(inputs, (first, second)).predict(np.ones((5, 3)), verbose=0)
    assert isinstance(as_list, list) and isinstance(as_tuple, tuple)
    assert [y.shape for y in as_list] == [(5, 2), (5, 4)]


def test_arithmetic_on_keras_tensors_is_part_of_the_graph() -> None:
    inputs = keras.Input(shape=(3,))
    x = layers.Dense(3)(inputs)
    residual = x
    x = layers.Dense(3)(x)
    x += residual
    halves = (x * 0.5)[:, :2]
    model = keras.Model(inputs, halves)
    dense, dense_1 = model.layers[1], model.layers[2]
    values = np.ones((2, 3), np.float32)
    first = dense(values).numpy()
    expected = 0.5 * (dense_1(first).numpy() + first)[:, :2]
    np.testing.assert_allclose(model.predict(values, verbose=0), expected, rtol=1e-6)


def test_keras_ops_compute_and_record() -> None:
    assert ops.arange(4).dtype == np.int32 and ops.arange(0.0, 1.0, 0.5).dtype == np.float32
    a, b = tinydl.tensor([[1.0, 2.0]]), tinydl.tensor([[3.0], [4.0]])
    assert ops.matmul(a, b).numpy().tolist() == [[11.0]]
    assert ops.concatenate([a, a], axis=-1).shape == (1, 4) and ops.shape(a) == (1, 2)
    symbol = keras.Input(shape=(None, 2))
    assert ops.shape(symbol) == (None, None, 2)
    pooled = ops.mean(symbol, axis=1)
    assert pooled.shape == (None, 2)
    model = keras.Model(symbol, pooled)
    np.testing.assert_allclose(model.predict(np.ones((2, 5, 2)), verbose=0), np.ones((2, 2)))


def test_a_sequential_of_tinydl_layers_keeps_the_conv_pool_fast_path() -> None:
    model = keras.Sequential([keras.Input(shape=(8, 8, 1)), layers.Conv2D(2, 3, activation="relu"),
                              layers.MaxPooling2D(), layers.Flatten(), layers.Dense(2)])
    x = data((2, 8, 8, 1))[0]
    with tinydl.fast_paths(True):
        fused = model(x)
    functions, pending = set(), [fused.creator]
    while pending:
        function = pending.pop()
        if function is not None:
            functions.add(type(function).__name__)
            pending += [t.creator for t in function.inputs]
    assert "Conv2DMaxPoolFast" in functions  # one Function for Conv2D -> ReLU -> MaxPool2D
    with tinydl.fast_paths(False):
        plain = model(x)
    np.testing.assert_allclose(fused.numpy(), plain.numpy(), rtol=1e-5, atol=1e-6)


def test_a_sequential_is_a_graph_too() -> None:
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3), layers.Dense(2)])
    features = keras.Model(model.inputs, [layer.output for layer in model.layers])
    assert [y.shape for y in features.predict(np.zeros((1, 4)), verbose=0)] == [(1, 3), (1, 2)]


# ---- subclassed layers and models ---------------------------------------------------------------
class Linear(layers.Layer):
    """keras's examples/demo_custom_layer_backend_agnostic.py's MyDense, in small."""

    def __init__(self, units: int, name: str | None = None) -> None:
        super().__init__(name=name)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                 initializer=keras.initializers.GlorotNormal(), name="kernel")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b


class Probe(layers.Layer):
    seen: list[bool] = []

    def call(self, inputs, training=False):
        Probe.seen.append(training)
        return inputs


def test_custom_layers_build_train_and_report_their_weights() -> None:
    inputs = keras.Input(shape=(3,))
    outputs = Probe()(Linear(2, name="linear")(inputs))
    model = keras.Model(inputs, outputs)
    linear = model.get_layer("linear")
    assert [w.shape for w in linear.get_weights()] == [(3, 2), (2,)]
    assert linear.count_params() == (8, 0) and linear.w is not linear.b
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    x, y = data((8, 3), (8, 2))
    Probe.seen.clear()
    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0).history
    model.predict(x, verbose=0)
    assert Probe.seen[-4:] == [True, True, True, False]  # training in fit, not in predict
    assert history["loss"][-1] < history["loss"][0]


class TwoLayers(keras.Model):
    def __init__(self) -> None:
        super().__init__()
        self.hidden = layers.Dense(8, activation="relu")
        self.out = layers.Dense(1)

    def call(self, x):
        return self.out(self.hidden(x))


def test_a_subclassed_model_builds_from_its_first_batch() -> None:
    model = TwoLayers()
    model.compile(optimizer="adam", loss="mse", metrics=[metrics.MeanSquaredError()])
    x, y = data((16, 4), (16, 1))
    history = model.fit(x, y, epochs=2, verbose=0).history
    assert history["mean_squared_error"] == history["loss"]
    assert [layer.name for layer in model.layers] == ["dense", "dense_1"]
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    assert "(None, 8)" in lines[0] and "Total params: 49" in lines[0]


def test_a_direct_call_runs_in_inference_mode_unless_told() -> None:
    dropout = layers.Dropout(0.5)
    x = np.ones((4, 50), np.float32)
    assert (dropout(x).numpy() == 1).all()
    assert (dropout(x, training=True).numpy() == 0).any()


# ---- masks ------------------------------------------------------------------------------------
def test_masks_travel_as_in_keras() -> None:
    embedding = layers.Embedding(5, 2, mask_zero=True)
    ids = np.array([[0, 3, 4]])
    dense = layers.Dense(2)(embedding(ids))  # Dense passes a mask on
    flat = layers.Flatten()  # Flatten does not: Keras warns that the mask is lost
    with pytest.warns(UserWarning, match="does not support masking"):
        flat(dense)
    pooled = layers.GlobalAveragePooling1D()(dense)  # and this one consumes it
    values = dense.numpy()[0, 1:].mean(axis=0)
    np.testing.assert_allclose(pooled.numpy()[0], values, rtol=1e-6)


def test_training_refuses_an_output_that_carries_a_mask() -> None:
    inputs = keras.Input(shape=(None,), dtype="int32")
    x = layers.Embedding(5, 2, mask_zero=True)(inputs)
    model = keras.Model(inputs, layers.Dense(3, activation="softmax")(layers.LSTM(
        4, return_sequences=True)(x)))
    model.compile(loss="sparse_categorical_crossentropy")
    with pytest.raises(MaskedOutputError, match="weights the loss by it"):
        model.fit(np.array([[0, 1, 2]]), np.array([[0, 1, 2]]), verbose=0)


# ---- summaries and saving ---------------------------------------------------------------------
def test_summary_of_a_branching_graph_says_what_connects_to_what() -> None:
    lines: list[str] = []
    seq2seq().summary(print_fn=lines.append)
    table = lines[0].splitlines()
    assert table[0] == 'Model: "functional"' and "Connected to" in table[2]
    assert any(row.startswith("lstm_1 (LSTM)") and "input_layer_1[0][0]" in row
               and "lstm[0][1]" in row for row in table)
    assert "Total params: 525" in lines[0]  # 4·6·(4 + 6 + 1) + 4·6·(3 + 6 + 1) + 21


def test_a_functional_model_saves_and_loads(tmp_path: Path) -> None:
    model = seq2seq()
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    x, y = data((4, 5, 4), (4, 3, 3))
    target = np.eye(3)[np.random.default_rng(0).integers(0, 3, (4, 3))]
    model.fit([x, y], target, epochs=1, verbose=0)
    model.save(tmp_path / "s2s_model.keras")
    restored = keras.models.load_model(tmp_path / "s2s_model.keras")
    assert [layer.name for layer in restored.layers] == [layer.name for layer in model.layers]
    np.testing.assert_array_equal(restored.predict([x, y], verbose=0),
                                  model.predict([x, y], verbose=0))
    for trained in (model, restored):
        trained.fit([x, y], target, epochs=1, shuffle=False, verbose=0)
    for mine, theirs in zip(model.get_weights(), restored.get_weights(), strict=True):
        np.testing.assert_array_equal(mine, theirs)  # the optimiser's state came back too


def test_a_sequential_of_new_layers_saves_and_loads(tmp_path: Path) -> None:
    model = keras.Sequential([keras.Input(shape=(5,), dtype="int32"),
                              layers.Embedding(9, 3, mask_zero=True),
                              layers.Bidirectional(layers.GRU(2)), layers.Dense(1)])
    model.save(tmp_path / "model.npz")
    restored = keras.models.load_model(tmp_path / "model.npz")
    ids = np.array([[0, 0, 1, 2, 3]])
    np.testing.assert_array_equal(restored.predict(ids, verbose=0), model.predict(ids, verbose=0))
