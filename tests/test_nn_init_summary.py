"""Weight initialisers (bounds, spreads, fans, seeding, identical weights on every device)
and ``summary()`` (parameter counts, non-trainable buffers, building lazy layers, keeping
the train/eval mode)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from conftest import make

import tinydl
from tinydl import nn
from tinydl.nn import init


# ---- fans --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        ((784, 100), (784, 100)),  # Dense weight (in, out)
        ((32, 1, 3, 3), (9, 288)),  # Conv2D weight (out, in, kh, kw)
        ((8, 3, 5, 2), (30, 80)),  # non-square kernel
    ],
)
def test_fans_of_dense_and_conv_shapes(shape, expected):
    assert init.fans(shape) == expected


# ---- each initialiser --------------------------------------------------------------------
SHAPE = (400, 300)  # 120,000 draws: sample statistics within a fraction of a percent
FAN_IN, FAN_OUT = SHAPE
UNIFORM_LIMITS = {
    "glorot_uniform": math.sqrt(6 / (FAN_IN + FAN_OUT)),
    "he_uniform": math.sqrt(6 / FAN_IN),
}
NORMAL_STDS = {
    "glorot_normal": math.sqrt(2 / (FAN_IN + FAN_OUT)),
    "he_normal": math.sqrt(2 / FAN_IN),
}


@pytest.mark.parametrize("name", list(UNIFORM_LIMITS))
def test_uniform_initialisers_draw_from_exactly_plus_minus_the_limit(name):
    limit = UNIFORM_LIMITS[name]
    tinydl.manual_seed(11)
    weights = init.get(name)(SHAPE)
    assert weights.dtype == np.float32 and weights.shape == SHAPE
    # Exactly U(-limit, limit) on tinydl's generator (rounded to float32):
    expected = np.random.default_rng(11).uniform(-limit, limit, size=SHAPE).astype(np.float32)
    np.testing.assert_array_equal(weights, expected)
    assert np.abs(weights).max() <= np.float32(limit)
    assert np.abs(weights).max() > 0.999 * limit  # and the whole range is used
    assert abs(weights.mean()) < 0.01 * limit
    assert weights.std() == pytest.approx(limit / math.sqrt(3), rel=0.01)


@pytest.mark.parametrize("name", list(NORMAL_STDS))
def test_normal_initialisers_have_the_stated_spread(name):
    std = NORMAL_STDS[name]
    tinydl.manual_seed(12)
    weights = init.get(name)(SHAPE)
    assert weights.dtype == np.float32 and weights.shape == SHAPE
    assert weights.std() == pytest.approx(std, rel=0.01)
    assert abs(weights.mean()) < 0.01 * std
    assert np.abs(weights).max() > 3 * std  # a normal, not a uniform of the same spread


def test_zeros_and_the_alias_names():
    zeros = init.get("zeros")((3, 4))
    assert zeros.dtype == np.float32 and not zeros.any()
    assert init.get("xavier_uniform") is init.glorot_uniform
    assert init.get("xavier_normal") is init.glorot_normal
    assert init.get("kaiming_uniform") is init.he_uniform
    assert init.get("kaiming_normal") is init.he_normal


def test_unknown_initialiser_lists_the_choices():
    message = (
        "unknown initialiser 'orthogonal'; choose from glorot_normal, glorot_uniform, he_normal, "
        "he_uniform, kaiming_normal, kaiming_uniform, xavier_normal, xavier_uniform, zeros"
    )
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        init.get("orthogonal")
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        nn.Conv2D(4, 3, weight_init="orthogonal")  # refused at construction, not first call


@pytest.mark.parametrize(
    ("layer", "fan_in"),
    [
        (lambda: nn.Dense(1000, 200, weight_init="he_uniform"), 1000),
        (lambda: nn.Conv2D(16, 32, 3, weight_init="he_uniform"), 16 * 3 * 3),
        (lambda: nn.Conv2D(16, 32, (1, 5), weight_init="he_uniform"), 16 * 5),
    ],
    ids=["dense", "conv", "conv-nonsquare"],
)
def test_layers_initialise_with_their_own_fans(layer, fan_in):
    tinydl.manual_seed(0)
    weights = layer().weight.numpy()
    limit = math.sqrt(6 / fan_in)
    assert np.float32(0.99 * limit) < np.abs(weights).max() <= np.float32(limit)


def test_layer_defaults_are_glorot_uniform_weights_and_zero_bias():
    tinydl.manual_seed(0)
    layer = nn.Dense(600, 400)
    weights = layer.weight.numpy()
    limit = math.sqrt(6 / 1000)
    assert np.float32(0.999 * limit) < np.abs(weights).max() <= np.float32(limit)
    assert not layer.bias.numpy().any()


@pytest.mark.parametrize("name", sorted(init.INITIALISERS))
def test_initialisers_are_reproducible_with_manual_seed(name):
    draws = []
    for seed in (3, 3, 4):
        tinydl.manual_seed(seed)
        draws.append(init.get(name)((6, 5, 3, 3)))
    np.testing.assert_array_equal(draws[0], draws[1])
    if name != "zeros":
        assert not np.array_equal(draws[0], draws[2])


def _convnet() -> nn.Sequential:
    return nn.Sequential(nn.Conv2D(4, 3), nn.ReLU(), nn.Flatten(), nn.Dense(10))


def test_same_seed_gives_identical_weights_on_cpu_and_the_device(device):
    """Weights are drawn on the host, so the device a model is built on cannot change them."""
    built = {}
    for where in ("cpu", device):
        tinydl.manual_seed(2024)
        model = _convnet()
        model(make(np.zeros((1, 2, 6, 6)), where, dtype="float32"))  # lazy: built on `where`
        assert all(p.device == where for p in model.parameters())
        built[where] = model.state_dict()
    tinydl.manual_seed(2024)
    eager = nn.Sequential(nn.Conv2D(2, 4, 3), nn.ReLU(), nn.Flatten(), nn.Dense(64, 10))
    for name, values in built["cpu"].items():
        np.testing.assert_array_equal(built[device][name], values, err_msg=name)
        np.testing.assert_array_equal(eager.state_dict()[name], values, err_msg=name)


def test_default_device_gets_the_same_weights(device):
    tinydl.manual_seed(5)
    on_cpu = nn.Dense(4, 3).state_dict()
    tinydl.set_default_device(device)
    try:
        tinydl.manual_seed(5)
        layer = nn.Dense(4, 3)
    finally:
        tinydl.set_default_device(None)
    assert layer.weight.device == device
    np.testing.assert_array_equal(layer.state_dict()["weight"], on_cpu["weight"])


# ---- summary -----------------------------------------------------------------------------
MNIST_CNN_ROWS = [
    "conv2d_0 (Conv2D)      (None, 32, 26, 26)    320",
    "flatten_1 (Flatten)    (None, 21632)         0",
    "dense_2 (Dense)        (None, 100)           2,163,300",
    "dense_3 (Dense)        (None, 10)            1,010",
]


@pytest.mark.parametrize(
    "first_layer",
    [lambda: nn.Conv2D(32, (3, 3)), lambda: nn.Conv2D(1, 32, 3)],
    ids=["lazy", "eager"],
)
def test_summary_of_the_mnist_cnn(first_layer):
    model = nn.Sequential(first_layer(), nn.Flatten(), nn.Dense(100), nn.Dense(10))
    printed = []
    table = nn.summary(model, (1, 28, 28), print_fn=printed.append)
    assert printed == [table]
    rule = "=" * 58
    assert table.splitlines() == [
        'Model: "Sequential"',
        rule,
        "Layer (type)           Output Shape          Param #",
        rule,
        *MNIST_CNN_ROWS,
        rule,
        "Total params: 2,164,630",
        "Trainable params: 2,164,630",
        "Non-trainable params: 0",
        rule,
    ]
    # The lazy layers are built now, with the counts the table reported.
    assert [p.shape for p in model.parameters()] == [
        (32, 1, 3, 3), (32,), (21632, 100), (100,), (100, 10), (10,),
    ]  # fmt: skip
    assert sum(p.numel() for p in model.parameters()) == 2_164_630


def test_summary_counts_batch_norm_buffers_as_non_trainable(device):
    model = nn.Sequential(
        nn.Conv2D(1, 4, 3), nn.BatchNorm2D(4), nn.ReLU(), nn.Flatten(), nn.Dense(10)
    )
    model.to(device)
    table = nn.summary(model, (1, 6, 6), print_fn=None)
    # conv 4·9 + 4 = 40; batch norm γ, β (8 trainable) and running mean, var (8 not);
    # dense 4·4·4·10 + 10 = 650.
    assert "batchnorm2d_1 (BatchNorm2D)    (None, 4, 4, 4)    16" in table.splitlines()
    assert table.splitlines()[-4:-1] == [
        "Total params: 706",
        "Trainable params: 698",
        "Non-trainable params: 8",
    ]
    assert all(p.device == device for p in model.parameters())


def test_summary_builds_lazy_layers_on_the_models_device(device):
    model = nn.Sequential(nn.Dense(8, 6), nn.ReLU(), nn.Dense(3)).to(device)
    with pytest.raises(RuntimeError, match="does not know its input size yet"):
        list(model.parameters())
    nn.summary(model, (8,), print_fn=None)
    assert [p.shape for p in model.parameters()] == [(8, 6), (6,), (6, 3), (3,)]
    assert all(p.device == device for p in model.parameters())


@pytest.mark.parametrize("mode", ["train", "eval", "mixed"])
def test_summary_keeps_each_modules_mode_and_the_running_stats(mode):
    model = nn.Sequential(nn.Dense(4, 3), nn.BatchNorm1D(3), nn.Dropout(0.5))
    model.train(mode == "train")
    if mode == "mixed":
        model[1].eval()  # e.g. a frozen batch norm in a model that otherwise trains
    modes = [m.training for m in model.modules()]
    running = [b.numpy().copy() for _, b in model.named_buffers()]
    nn.summary(model, (4,), print_fn=None)
    assert [m.training for m in model.modules()] == modes
    for before, (_, after) in zip(running, model.named_buffers(), strict=True):
        np.testing.assert_array_equal(after.numpy(), before)  # the example batch left no trace


def test_summary_shows_a_recurrent_layer_by_its_outputs() -> None:
    model = nn.Sequential(nn.LSTM(28, 16, batch_first=True))
    table = nn.summary(model, (5, 28), print_fn=None)
    # 4 gates x (16 x 28 input weights + 16 x 16 recurrent weights + two 16-biases)
    assert re.search(r"lstm_0 \(LSTM\) +\(None, 5, 16\) +2,944", table)
