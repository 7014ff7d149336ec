"""Recurrent layers: Embedding, the RNN/LSTM/GRU cells and layers, sequence cross-entropy.

- Against PyTorch: values and every gradient match ``reference/recurrent.npz`` (written by
  ``reference/make_recurrent.py``) in float64 and float32, with the fixture's PyTorch
  state dict loaded unchanged, on every device of the ``device`` fixture.
- Gradient checks in float64 over T = 3 steps and 2 layers (single-step checks would pass
  with a wrong state path), of the inputs, the initial states and every parameter.
- The LSTM four ways (the plain ``lstm_cell`` and ``lstm_sequence``, composed from ops, and
  their fast twins ``lstm_cell_fast`` and ``lstm_sequence_fast``, one Function each) give
  the same values and gradients; the layers give PyTorch's values with the fast paths on
  and off.
- Truncated backprop: ``detach()`` on the carried state stops the gradient there.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
from conftest import make

import tinydl
from tinydl import nn, viz, zoo
from tinydl.ops import recurrent as rec

REFERENCE = Path(__file__).parent / "reference" / "recurrent.npz"
DTYPES = ["float64", "float32"]
RTOL = {"float64": 1e-10, "float32": 2e-5}


def load_cases() -> dict[str, dict[str, np.ndarray]]:
    cases: dict[str, dict[str, np.ndarray]] = {}
    with np.load(REFERENCE, allow_pickle=False) as archive:
        for key in archive.files:
            if key != "torch_version":
                case, field = key.rsplit(".", 1)
                cases.setdefault(case, {})[field] = archive[key]
    return cases


CASES = load_cases()
LAYER_CASES = [c for c in CASES if not c.startswith(("embedding", "sequence")) and "cell" not in c]
CELL_CASES = [c for c in CASES if "_cell" in c]


def with_forms(cases: list[str]) -> list[object]:
    """Each case once, and the LSTM's twice: with the fast paths on and off."""
    return [
        pytest.param(case, fast, id=f"{case}-{'fast' if fast else 'plain'}")
        for case in cases
        for fast in ((True, False) if case.startswith("lstm") else (False,))
    ]


def assert_matches(actual: tinydl.Tensor, expected: np.ndarray, dtype: str) -> None:
    assert actual.dtype == np.dtype(dtype), f"{actual.dtype} instead of {dtype}"
    assert actual.shape == expected.shape
    scale = max(1.0, float(np.abs(expected).max()))
    np.testing.assert_allclose(actual.numpy(), expected, rtol=RTOL[dtype], atol=RTOL[dtype] * scale)


def on_device(module: nn.Module, device: str, dtype: str = "float64") -> nn.Module:
    """``module`` with its parameters cast to ``dtype`` and moved to ``device``."""
    for parameter in module.parameters():
        parameter.data = parameter.data.astype(dtype)
    return module.to(device)


def build(config: dict) -> nn.Module:
    """The tinydl layer a fixture's ``config`` describes (PyTorch's arguments)."""
    config = dict(config)
    kind = config.pop("kind")
    return getattr(nn, kind)(config.pop("input_size"), config.pop("hidden_size"), **config)


def load_torch_state(module: nn.Module, ref: dict[str, np.ndarray]) -> None:
    """PyTorch's state dict, under PyTorch's names, straight into the tinydl layer."""
    names = [str(name) for name in ref["state_names"]]
    assert names == list(module.state_dict()), "parameter names or order differ from PyTorch's"
    state = {name: ref[f"param_{name}"] for name in names}
    module.load_state_dict(state)


# ---- against PyTorch ------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("case", "fast"), with_forms(LAYER_CASES + CELL_CASES))
def test_layers_and_cells_match_pytorch(case, fast, dtype, device):
    """A layer returns (y, state), a cell its state alone; the state is h or (h, c)."""
    tinydl.set_fast_paths(fast)  # restored after the test (conftest)
    ref = CASES[case]
    module = on_device(build(ast.literal_eval(str(ref["config"]))), device, dtype)
    load_torch_state(module, ref)
    inputs = {name: make(ref[name], device, dtype=dtype) for name in ("x", "h0", "c0")
              if name in ref}
    is_lstm = "c0" in inputs
    result = module(inputs["x"], (inputs["h0"], inputs["c0"]) if is_lstm else inputs["h0"])
    y, state = result if "y" in ref else (None, result)
    outputs = {"y": y} if y is not None else {}
    outputs.update(zip(("h_n", "c_n"), state if is_lstm else (state,), strict=False))
    for name, output in outputs.items():
        assert_matches(output, ref[name], dtype)
    sum((out * make(ref[f"g{name}"], device, False, dtype)).sum()
        for name, out in outputs.items()).backward()
    for name, tensor in inputs.items():
        assert_matches(tensor.grad, ref[f"g{name}"], dtype)
    for name, parameter in module.named_parameters():
        assert_matches(parameter.grad, ref[f"grad_{name}"], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", ["embedding", "embedding_padding_idx"])
def test_embedding_matches_pytorch(case, dtype, device):
    ref = CASES[case]
    padding_idx = int(ref["padding_idx"]) if "padding_idx" in ref else None
    layer = on_device(nn.Embedding(*ref["weight"].shape, padding_idx=padding_idx), device, dtype)
    layer.load_state_dict({"weight": ref["weight"]})
    y = layer(tinydl.tensor(ref["ids"], device=device))
    assert_matches(y, ref["y"], dtype)
    y.backward(make(ref["gy"], device, False, dtype))
    assert_matches(layer.weight.grad, ref["gweight"], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sequence_cross_entropy_matches_pytorch_with_ignore_index(dtype, device):
    ref = CASES["sequence_cross_entropy"]
    logits = make(ref["logits"], device, dtype=dtype)
    loss = rec.sequence_cross_entropy(logits, tinydl.tensor(ref["labels"], device=device))
    assert_matches(loss, ref["loss"], dtype)
    loss.backward()
    assert_matches(logits.grad, ref["glogits"], dtype)
    assert not logits.grad.numpy()[0, 3:].any()  # ignored (padding) steps get no gradient


# ---- gradient checks: T = 3 steps, 2 layers, float64 -----------------------------------------
LAYERS = {
    "rnn_tanh": lambda: nn.RNN(2, 3, num_layers=2, batch_first=True),
    "rnn_relu": lambda: nn.RNN(2, 3, num_layers=2, nonlinearity="relu"),
    "gru": lambda: nn.GRU(2, 3, num_layers=2, batch_first=True),
    "lstm": lambda: nn.LSTM(2, 3, num_layers=2, batch_first=True),
}
LAYER_FORMS = [*LAYERS, "lstm-fast"]


@pytest.mark.parametrize("name", LAYER_FORMS)
def test_layer_gradients_over_three_steps_and_two_layers(name, device, rng):
    name, _, fast = name.partition("-")
    tinydl.set_fast_paths(fast == "fast")  # restored after the test (conftest)
    tinydl.manual_seed(3)
    layer = on_device(LAYERS[name](), device)
    x = make(rng.standard_normal((2, 3, 2) if layer.batch_first else (3, 2, 2)), device)
    states = [make(0.5 * rng.standard_normal((2, 2, 3)), device) for _ in range(2)]
    is_lstm = isinstance(layer, nn.LSTM)

    def outputs(x, h0, c0, *parameters):
        y, state = layer(x, (h0, c0) if is_lstm else h0)
        finals = state if is_lstm else (state,)
        return tinydl.ops.concatenate([y.reshape(-1)] + [s.reshape(-1) for s in finals])

    assert tinydl.gradcheck(outputs, [x, *states, *layer.parameters()])


@pytest.mark.parametrize("kind", ["RNNCell", "GRUCell", "LSTMCell"])
def test_cell_gradients(kind, device, rng):
    cell = on_device(getattr(nn, kind)(3, 2), device)
    x = make(rng.standard_normal((2, 3)), device)
    h, c = (make(rng.standard_normal((2, 2)), device) for _ in range(2))

    def outputs(x, h, c, *parameters):
        out = cell(x, (h, c)) if kind == "LSTMCell" else (cell(x, h),)
        return tinydl.ops.concatenate(list(out), axis=1)

    assert tinydl.gradcheck(outputs, [x, h, c, *cell.parameters()])


def test_embedding_gradient_and_repeated_ids(device, rng):
    layer = on_device(nn.Embedding(5, 3), device)
    ids = tinydl.tensor([[1, 3, 1], [1, 0, 4]], device=device)
    assert tinydl.gradcheck(lambda w: layer(ids), [layer.weight])
    layer.weight.grad = None
    layer(ids).sum().backward()
    # id 1 is used three times, id 2 never
    np.testing.assert_array_equal(layer.weight.grad.numpy()[:, 0], [1, 3, 0, 1, 1])


def test_embedding_padding_row_starts_at_zero_and_gets_no_gradient(device):
    layer = nn.Embedding(4, 2, padding_idx=-1).to(device)
    assert layer.padding_idx == 3
    assert not layer.weight.numpy()[3].any() and layer.weight.numpy()[:3].all()
    out = layer([[3, 2, 3]])
    assert out.shape == (1, 3, 2) and out.dtype == np.float32
    out.sum().backward()
    np.testing.assert_array_equal(layer.weight.grad.numpy()[:, 0], [0, 0, 1, 0])
    assert layer.weight.grad.dtype == np.float32


# ---- the LSTM four ways ----------------------------------------------------------------------
def lstm_operands(device, rng, steps=5, batch=3, d=4, hidden=3):
    x = make(rng.standard_normal((steps, batch, d)), device)
    h, c = (make(rng.standard_normal((batch, hidden)), device) for _ in range(2))
    weights = [make(rng.uniform(-0.8, 0.8, shape), device) for shape in
               [(4 * hidden, d), (4 * hidden, hidden), (4 * hidden,), (4 * hidden,)]]
    return x, h, c, weights


def grads_of(tensors):
    out = [t.grad.numpy() for t in tensors]
    for t in tensors:
        t.grad = None
    return out


@pytest.mark.parametrize("with_bias", [True, False], ids=["bias", "nobias"])
def test_fast_lstm_step_and_sequence_agree_with_the_plain_step(with_bias, device, rng):
    x, h, c, weights = lstm_operands(device, rng)
    weights = weights if with_bias else weights[:2] + [None, None]
    leaves = [x, h, c, *(w for w in weights if w is not None)]
    upstream = [make(rng.standard_normal(shape), device, False) for shape in
                [(5, 3, 3), (3, 3), (3, 3)]]

    def loss(y, h_last, c_last):
        return sum((a * g).sum() for a, g in zip((y, h_last, c_last), upstream, strict=True))

    results = []
    for step in (rec.lstm_cell, rec.lstm_cell_fast):
        h_t, c_t, ys = h, c, []
        for t in range(x.shape[0]):
            h_t, c_t = step(x[t], h_t, c_t, *weights)
            ys.append(h_t)
        y = tinydl.ops.stack(ys)
        loss(y, h_t, c_t).backward()
        results.append(([y.numpy(), h_t.numpy(), c_t.numpy()], grads_of(leaves)))
    for sequence in (rec.lstm_sequence, rec.lstm_sequence_fast):
        y, h_last, c_last = sequence(x, h, c, *weights)
        loss(y, h_last, c_last).backward()
        results.append(([y.numpy(), h_last.numpy(), c_last.numpy()], grads_of(leaves)))
    (values, grads), others = results[0], results[1:]
    for other_values, other_grads in others:
        for a, b in zip(values + grads, other_values + other_grads, strict=True):
            np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-12)


def test_fast_sequence_gradcheck_with_a_constant_input(device, rng):
    x, h, c, weights = lstm_operands(device, rng, steps=3, batch=2, d=2, hidden=2)
    x.requires_grad = False  # needs_grad switches off the input's gradient only

    def outputs(h, c, *weights):
        y, h_last, c_last = rec.lstm_sequence_fast(x, h, c, *weights)
        return tinydl.ops.concatenate([y.reshape(-1), c_last.reshape(-1)])

    assert tinydl.gradcheck(outputs, [h, c, *weights])


def test_fast_sequence_with_a_frozen_recurrent_weight_matches_the_plain_one(device, rng):
    x, h, c, weights = lstm_operands(device, rng, steps=3, batch=2, d=2, hidden=2)
    weights[1].requires_grad = False  # W_hh frozen: the fast backward skips Σ_t dA_t h_{t-1}
    leaves = [x, h, c, weights[0], *weights[2:]]
    grads = []
    for sequence in (rec.lstm_sequence, rec.lstm_sequence_fast):
        y, _, c_last = sequence(x, h, c, *weights)
        (y.sum() + c_last.sum()).backward()
        grads.append(grads_of(leaves))
        assert weights[1].grad is None
    for plain, fast in zip(*grads, strict=True):
        np.testing.assert_allclose(fast, plain, rtol=1e-12, atol=1e-12)


# ---- layouts, states, dtypes --------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_batch_first_unbatched_and_defaults_agree(kind, rng):
    tinydl.manual_seed(0)
    time_major = getattr(nn, kind)(3, 4, num_layers=2)
    batch_first = getattr(nn, kind)(3, 4, num_layers=2, batch_first=True)
    batch_first.load_state_dict(time_major.state_dict())
    x = tinydl.tensor(rng.standard_normal((5, 2, 3)))  # (T, N, D)
    y, state = time_major(x)
    y_bf, state_bf = batch_first(x.permute(1, 0, 2))
    np.testing.assert_allclose(y_bf.numpy(), y.numpy().transpose(1, 0, 2), rtol=1e-6)
    h_n = state[0] if kind == "LSTM" else state
    assert y.shape == (5, 2, 4) and h_n.shape == (2, 2, 4) and y.dtype == np.float32
    np.testing.assert_array_equal(h_n.numpy()[-1], y.numpy()[-1])  # top layer's last step
    y_one, state_one = time_major(x[:, 0])  # unbatched (T, D)
    h_one = state_one[0] if kind == "LSTM" else state_one
    assert y_one.shape == (5, 4) and h_one.shape == (2, 4)
    np.testing.assert_allclose(y_one.numpy(), y.numpy()[:, 0], rtol=1e-6, atol=1e-7)


def test_parameter_names_shapes_and_float32(device):
    lstm = nn.LSTM(3, 5, num_layers=2).to(device)
    assert [(n, p.shape) for n, p in lstm.named_parameters()] == [
        ("weight_ih_l0", (20, 3)), ("weight_hh_l0", (20, 5)), ("bias_ih_l0", (20,)),
        ("bias_hh_l0", (20,)), ("weight_ih_l1", (20, 5)), ("weight_hh_l1", (20, 5)),
        ("bias_ih_l1", (20,)), ("bias_hh_l1", (20,)),
    ]
    assert all(abs(p.numpy()).max() <= 1 / np.sqrt(5) for p in lstm.parameters())
    assert [n for n, _ in nn.GRUCell(2, 3, bias=False).named_parameters()] == [
        "weight_ih", "weight_hh"
    ]
    x = tinydl.tensor(np.ones((4, 2, 3)), device=device)
    y, (h_n, c_n) = lstm(x)
    y.sum().backward()
    assert {y.dtype, h_n.dtype, c_n.dtype} == {np.dtype(np.float32)}
    assert {p.grad.dtype for p in lstm.parameters()} == {np.dtype(np.float32)}


def test_truncated_backprop_stops_at_the_detached_state(rng):
    lstm = on_device(nn.LSTM(1, 3, batch_first=True), "cpu")
    first = make(rng.standard_normal((2, 4, 1)), "cpu")
    second = make(rng.standard_normal((2, 4, 1)), "cpu")
    _, (h, c) = lstm(first)
    y, _ = lstm(second, (h.detach(), c.detach()))
    y.sum().backward()
    assert first.grad is None and second.grad is not None
    _, (h, c) = lstm(first)
    y, _ = lstm(second, (h, c))  # without detach() the gradient reaches the first chunk
    y.sum().backward()
    assert first.grad is not None and np.abs(first.grad.numpy()).max() > 0


def test_dropout_between_layers_only_in_training():
    tinydl.manual_seed(0)
    gru = nn.GRU(2, 3, num_layers=2, dropout=0.5)
    x = tinydl.tensor(np.ones((3, 2, 2)))
    gru.eval()
    first, second = gru(x)[0].numpy(), gru(x)[0].numpy()
    np.testing.assert_array_equal(first, second)
    gru.train()
    assert not np.allclose(gru(x)[0].numpy(), first)


def test_backward_trace_of_a_three_step_rnn(capsys):
    tinydl.manual_seed(0)
    rnn = nn.RNN(2, 3, batch_first=True)
    x = tinydl.tensor(np.arange(6.0).reshape(1, 3, 2) / 6, requires_grad=True)
    y, _ = rnn(x)
    steps = viz.trace(y[:, -1].sum(), dict(rnn.named_parameters()))
    text = capsys.readouterr().out
    ops = [step.op for step in steps]
    assert ops.count("Tanh") == 3  # one per time step, each visited once
    assert ops.count("Linear") == 6  # input and hidden affine maps of 3 steps
    assert "grad to weight_hh_l0" in text and "grad to bias_ih_l0" in text
    # the first step's hidden map sees h_0 = 0, so it is the last op handing weight_hh a grad
    tanh_numbers = [step.number for step in steps if step.op == "Tanh"]
    assert tanh_numbers == sorted(tanh_numbers)


def test_mnist_lstm_starts_like_keras_and_classifies_rows():
    tinydl.manual_seed(0)
    model = zoo.RowLSTM(8)
    lstm = model.lstm
    w_hh = lstm.weight_hh_l0.numpy()
    for gate in range(4):  # each gate's recurrent matrix is orthogonal
        block = w_hh[gate * 8 : (gate + 1) * 8]
        np.testing.assert_allclose(block @ block.T, np.eye(8), atol=1e-5)
    forget = lstm.bias_ih_l0.numpy() + lstm.bias_hh_l0.numpy()
    np.testing.assert_array_equal(forget, np.repeat([0.0, 1.0, 0.0, 0.0], 8))
    assert np.abs(lstm.weight_ih_l0.numpy()).max() <= np.sqrt(6 / (28 + 32))
    assert {p.dtype for p in model.parameters()} == {np.dtype(np.float32)}
    assert model(tinydl.tensor(np.zeros((3, 28, 28)))).shape == (3, 10)
