"""tinydl.keras's sequence layers against real Keras 3.15 (stored fixtures from
tests/reference/make_keras_sequences.py): SimpleRNN, LSTM, GRU with Keras's weight
layouts and options, masks from Embedding(mask_zero=True), Bidirectional, RepeatVector,
TimeDistributed, MultiHeadAttention, LayerNormalization, pooling and merging layers;
training on per-time-step and binary outputs as Keras reports it; pad_sequences."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import default_device
from keras_sequence_cases import MODELS, PAD_CASES, PAD_SEQUENCES, TRAINING, loss_of

import tinydl
from tinydl import keras
from tinydl.keras import layers, utils

FIXTURE = np.load(Path(__file__).parent / "reference" / "keras_sequences.npz",
                  allow_pickle=False)


def fields(case: str) -> dict[str, np.ndarray]:
    prefix = case + "."
    return {k[len(prefix):]: FIXTURE[k] for k in FIXTURE.files if k.startswith(prefix)}


def numbered(case: dict[str, np.ndarray], name: str) -> list[np.ndarray]:
    return [case[f"{name}{i}"] for i in range(sum(k.startswith(name) and k[len(name):].isdigit()
                                                  for k in case))]


@pytest.fixture(autouse=True)
def fresh_names() -> None:
    utils.clear_session()
    tinydl.manual_seed(0)


def described(output: object) -> str:
    if isinstance(output, (list, tuple)):
        return str([tuple(o.shape) for o in output])
    return str(tuple(output.shape))


# ---- the same outputs, shapes, names and parameter counts as Keras for Keras's weights ----------
@pytest.mark.parametrize("name", sorted(MODELS))
def test_models_match_keras(name: str) -> None:
    case = fields(f"model_{name}")
    model = MODELS[name][0](keras)
    model.set_weights(numbered(case, "weight"))
    xs = numbered(case, "x")
    ys = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    ys = list(ys) if isinstance(ys, (list, tuple)) else [ys]
    expected = numbered(case, "y")
    assert len(ys) == len(expected)
    for mine, theirs in zip(ys, expected, strict=True):
        assert mine.dtype == np.float32
        np.testing.assert_allclose(mine, theirs, rtol=2e-4, atol=2e-5)
    assert [layer.name for layer in model.layers] == list(case["names"])
    assert [described(layer.output) for layer in model.layers] == list(case["output_shapes"])
    assert [sum(tinydl.keras.layers.Layer.count_params(layer)) for layer in model.layers] == list(
        case["params"])
    for mine, theirs in zip(model.get_weights(), numbered(case, "weight"), strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-6)  # Keras's layouts, round trip


@pytest.mark.parametrize("name", ["masked_stack", "bidirectional_concat_masked",
                                  "attention_masked", "seq2seq"])
def test_models_match_keras_on_each_device(name: str, device: str) -> None:
    case = fields(f"model_{name}")
    with default_device(device):
        model = MODELS[name][0](keras)
        model.set_weights(numbered(case, "weight"))
        xs = numbered(case, "x")
        y = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    np.testing.assert_allclose(y, case["y0"], rtol=2e-4, atol=2e-5)


# ---- training as Keras trains and reports -----------------------------------------------------
@pytest.mark.parametrize("name", sorted(TRAINING))
def test_training_matches_keras(name: str) -> None:
    build, _, loss, _ = TRAINING[name]
    case = fields(f"train_{name}")
    model = build(keras)
    model.set_weights(numbered(case, "weight"))
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss=loss_of(keras, loss),
                  metrics=["accuracy"])
    xs = numbered(case, "x")
    x = xs if len(xs) > 1 else xs[0]
    history = model.fit(x, case["y"], batch_size=4, epochs=2, shuffle=False, verbose=0).history
    for key in ("loss", "accuracy"):
        np.testing.assert_allclose(history[key], case[f"history_{key}"], rtol=1e-4, atol=1e-6)
    for mine, theirs in zip(model.get_weights(), numbered(case, "after"), strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-3, atol=1e-5)
    np.testing.assert_allclose(model.evaluate(x, case["y"], verbose=0), case["evaluate"],
                               rtol=1e-4, atol=1e-6)


def test_accuracy_over_time_steps_counts_every_step() -> None:
    """Keras's accuracy over (N, T, C) outputs is the share of right (sample, step) pairs."""
    model = keras.Sequential([keras.Input(shape=(2, 3)), layers.Dense(3, activation="softmax")])
    model.set_weights([np.eye(3), np.zeros(3)])  # each step predicts the arg-max of its input
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x = np.eye(3)[[[0, 1], [2, 2]]]  # predictions [0, 1], [2, 2]
    _, accuracy = model.evaluate(x, np.array([[0, 0], [2, 2]]), verbose=0)
    assert accuracy == pytest.approx(3 / 4)


def test_binary_accuracy_thresholds_the_probability_at_one_half() -> None:
    model = keras.Sequential([keras.Input(shape=(1,)), layers.Dense(1, activation="sigmoid")])
    model.set_weights([np.ones((1, 1)), np.zeros(1)])
    model.compile(loss="binary_crossentropy", metrics=["accuracy"])
    x = np.array([[-2.0], [-0.5], [0.0], [0.5], [3.0]])  # σ = 0.12, 0.38, 0.5, 0.62, 0.95
    _, accuracy = model.evaluate(x, np.array([0, 1, 1, 1, 1]), verbose=0)
    assert accuracy == pytest.approx(3 / 5)  # 0.5 itself counts as 0, as Keras's p > 0.5


# ---- recurrent layers: Keras's conventions --------------------------------------------------
def test_keras_initialisers_for_an_lstm() -> None:
    lstm = layers.LSTM(6)
    lstm.build((None, 4, 5))
    kernel, recurrent, bias = lstm.get_weights()
    assert kernel.shape == (5, 24) and np.abs(kernel).max() <= np.sqrt(6 / (5 + 24))
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(6), atol=1e-5)  # orthogonal rows
    np.testing.assert_array_equal(bias, np.r_[np.zeros(6), np.ones(6), np.zeros(12)])
    trainable = sorted(p.shape for p in lstm.parameters())
    assert trainable == [(24,), (24, 5), (24, 6)]  # one bias: tinydl's second is a zero buffer


def test_gru_gates_are_reordered_for_tinydl() -> None:
    """Keras's GRU blocks are z, r, h; tinydl's (PyTorch's) r, z, n."""
    gru = layers.GRU(2)
    gru.build((None, 3, 1))
    kernel = np.arange(6, dtype=np.float32).reshape(1, 6)  # blocks z=[0,1] r=[2,3] h=[4,5]
    gru.set_weights([kernel, np.zeros((2, 6)), np.zeros((2, 6))])
    np.testing.assert_array_equal(gru.engine.weight_ih_l0.numpy().ravel(), [2, 3, 0, 1, 4, 5])
    np.testing.assert_array_equal(gru.get_weights()[0], kernel)


def test_a_masked_step_keeps_the_state_and_repeats_the_output() -> None:
    lstm = layers.LSTM(3, return_sequences=True, return_state=True)
    x = tinydl.tensor(np.random.default_rng(0).standard_normal((1, 4, 2)), dtype="float32")
    mask = tinydl.tensor(np.array([[True, False, False, True]]))
    outputs, h, c = lstm(x, mask=mask)
    unmasked, _, _ = lstm(x[:, [0, 3]])
    np.testing.assert_allclose(outputs.numpy()[0, 1], outputs.numpy()[0, 0])
    np.testing.assert_allclose(outputs.numpy()[0, 2], outputs.numpy()[0, 0])
    np.testing.assert_allclose(outputs.numpy()[0, 3], unmasked.numpy()[0, 1], rtol=1e-5)
    np.testing.assert_allclose(h.numpy(), unmasked.numpy()[:, 1], rtol=1e-5)


def test_masked_steps_differentiate_correctly() -> None:
    """The masked path (tinydl's cells step by step, with where) against finite differences
    in float64, over several steps and two stacked layers."""
    model = keras.Sequential([keras.Input(shape=(4, 2)), layers.GRU(3, return_sequences=True),
                              layers.LSTM(2)])
    model.double()
    mask = tinydl.tensor(np.array([[True, True, False, True], [False, True, True, True]]))

    def run(x: tinydl.Tensor) -> tinydl.Tensor:
        hidden = model.layers[0](x, mask=mask, training=True)
        return model.layers[1](hidden, mask=mask, training=True)

    x = tinydl.tensor(np.random.default_rng(1).standard_normal((2, 4, 2)), dtype="float64",
                      requires_grad=True)
    assert tinydl.gradcheck(run, [x])


def test_go_backwards_returns_the_reversed_order() -> None:
    forward = layers.SimpleRNN(2, return_sequences=True)
    backward = layers.SimpleRNN(2, return_sequences=True, go_backwards=True)
    x = np.random.default_rng(2).standard_normal((1, 3, 2)).astype(np.float32)
    forward.build((None, 3, 2))
    backward.build((None, 3, 2))
    backward.set_weights(forward.get_weights())
    np.testing.assert_allclose(backward(x).numpy(), forward(x[:, ::-1]).numpy(), rtol=1e-6)


def test_dropout_drops_the_same_features_at_every_step() -> None:
    lstm = layers.LSTM(2, dropout=0.5, return_sequences=True)
    lstm.build((None, 5, 4))
    lstm.set_weights([np.ones((4, 8)), np.zeros((2, 8)), np.zeros(8)])
    x = np.ones((20, 5, 4), np.float32)
    train_gates = lstm(x, training=True).numpy()
    assert np.unique(train_gates[:, 0, 0]).size > 1  # masks differ between samples
    assert np.allclose(lstm(x).numpy(), lstm(x).numpy())  # and inference drops nothing


def test_bidirectional_names_and_weights_as_keras() -> None:
    inputs = keras.Input(shape=(3, 2))
    wrapped = layers.Bidirectional(layers.LSTM(4, name="encoder"))
    wrapped(inputs)
    assert (wrapped.forward_layer.name, wrapped.backward_layer.name) == ("forward_encoder",
                                                                          "backward_encoder")
    assert [w.shape for w in wrapped.get_weights()] == [(2, 16), (4, 16), (16,)] * 2


# ---- pad_sequences -------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(PAD_CASES))
def test_pad_sequences_matches_keras(name: str) -> None:
    padded = utils.pad_sequences(PAD_SEQUENCES, **PAD_CASES[name])
    expected = fields(f"pad_{name}")["padded"]
    assert padded.dtype == expected.dtype
    np.testing.assert_array_equal(padded, expected)


def test_both_pad_sequences_spellings() -> None:
    assert keras.preprocessing.sequence.pad_sequences is utils.pad_sequences
    from tinydl.keras.preprocessing.sequence import pad_sequences

    assert pad_sequences([[3, 4]], maxlen=3).tolist() == [[0, 3, 4]]
    steps = utils.pad_sequences([np.ones((1, 2)), np.ones((3, 2))], dtype="float32")
    assert steps.shape == (2, 3, 2) and steps[0, :2].sum() == 0
