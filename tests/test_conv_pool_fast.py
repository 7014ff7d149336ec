"""The fused Conv2D → MaxPool2D → ReLU block (``Conv2DMaxPoolFast``) against its plain twin,
``conv2d_max_pool``, the ops one after another: values and gradients in float64, ties,
dtypes, the strict fake device, and when Sequential uses it (only with the fast paths on)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make

import tinydl
from tinydl import nn
from tinydl.nn.module import call_observed
from tinydl.ops import conv_pool
from tinydl.ops.conv_pool import Conv2DMaxPoolFast, by_patches, conv2d_max_pool

# (x shape, out channels, kernel, padding, pool, relu, bias): the MNIST CNNs' blocks, odd
# sizes (a conv row no window covers), padding, 3x3 and non-square pools, a 1x1 kernel.
CASES = [
    ((2, 1, 12, 12), 3, 5, (0, 0), (2, 2), True, True),
    ((2, 2, 13, 13), 3, 3, (0, 0), (2, 2), True, True),
    ((2, 3, 8, 7), 2, 3, (1, 1), (2, 2), False, True),
    ((1, 2, 9, 10), 3, 2, (0, 1), (3, 3), True, False),
    ((1, 2, 6, 7), 2, 3, (2, 2), (2, 3), False, True),
    ((2, 1, 5, 5), 2, 1, (0, 0), (2, 2), True, True),
]


def fused(x, weight, bias, padding, pool, apply_relu):
    inputs = (x, weight) if bias is None else (x, weight, bias)
    return Conv2DMaxPoolFast(padding, pool, apply_relu)(*inputs)


def case_inputs(case, device, rng):
    shape, out_channels, k, _, _, _, with_bias = case
    x = make(rng.standard_normal(shape), device)
    weight = make(rng.standard_normal((out_channels, shape[1], k, k)), device)
    bias = make(rng.standard_normal(out_channels), device) if with_bias else None
    return x, weight, bias


@pytest.fixture(params=["patches", "columns"])
def layout(request, monkeypatch):
    """Each block computed both ways the Function knows: by window patches, or by im2col's
    columns ordered by window position."""
    monkeypatch.setattr(conv_pool, "PATCHES_UP_TO", 10**9 if request.param == "patches" else 0)
    return request.param


def test_the_cnns_first_blocks_use_patches_and_the_wide_one_columns():
    assert by_patches((16, 1, 5, 5)) and by_patches((32, 16, 3, 3)) and by_patches((32, 1, 3, 3))
    assert not by_patches((64, 32, 3, 3))


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("fast", [False, True], ids=["plain-ops", "fast-ops"])
def test_values_and_gradients_match_the_plain_twin(case, fast, layout, device, rng):
    x, weight, bias = case_inputs(case, device, rng)
    padding, pool, apply_relu = case[3:6]
    leaves = [t for t in (x, weight, bias) if t is not None]
    with tinydl.fast_paths(fast):  # the twin's own ops, plain or batch-last: both agree
        expected = conv2d_max_pool(x, weight, bias, padding, pool, apply_relu)
    upstream = make(rng.standard_normal(expected.shape), device, requires_grad=False)
    expected.backward(upstream)
    expected_grads = [t.grad.numpy() for t in leaves]
    for t in leaves:
        t.grad = None
    got = fused(x, weight, bias, padding, pool, apply_relu)
    got.backward(upstream)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-12, atol=1e-12)
    for t, grad in zip(leaves, expected_grads, strict=True):
        np.testing.assert_allclose(t.grad.numpy(), grad, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("case", CASES[:4])
def test_gradcheck(case, layout, rng):
    x, weight, bias = case_inputs(case, "cpu", rng)
    padding, pool, apply_relu = case[3:6]
    inputs = [x, weight] if bias is None else [x, weight, bias]
    assert tinydl.gradcheck(
        lambda *args: fused(*args[:2], args[2] if len(args) > 2 else None, padding, pool,
                            apply_relu),
        inputs,
    )


def test_ties_send_the_gradient_to_the_first_position_as_pytorch_does(layout, device):
    # A 1x1 kernel of weight 1 copies the input, so every 2x2 window below is a tie.
    x = make(np.full((1, 1, 4, 4), 2.0), device)
    weight = make(np.ones((1, 1, 1, 1)), device)
    y = fused(x, weight, None, (0, 0), (2, 2), True)
    y.sum().backward()
    first_of_each_window = np.zeros((4, 4))
    first_of_each_window[::2, ::2] = 1
    np.testing.assert_array_equal(x.grad.numpy()[0, 0], first_of_each_window)


def test_float32_stays_float32(device, rng):
    x = make(rng.standard_normal((2, 1, 8, 8)), device, dtype="float32")
    weight = make(rng.standard_normal((3, 1, 3, 3)), device, dtype="float32")
    bias = make(rng.standard_normal(3), device, dtype="float32")
    y = fused(x, weight, bias, (0, 0), (2, 2), True)
    y.sum().backward()
    assert y.dtype == x.grad.dtype == weight.grad.dtype == bias.grad.dtype == np.float32


def mnist_block(*layers: nn.Module) -> nn.Sequential:
    tinydl.manual_seed(0)
    return nn.Sequential(nn.Conv2D(1, 4, 3), *layers, nn.Flatten(), nn.Dense(4 * 5 * 5, 3))


@pytest.mark.parametrize(
    "layers",
    [
        (nn.ReLU(), nn.MaxPool2D(2)),  # the seed CNN's order
        (nn.MaxPool2D(2), nn.ReLU()),  # the fast recipe's: pool first, a quarter of the ReLUs
        (nn.MaxPool2D(2),),
        (nn.ReLU(), nn.MaxPool2D(2), nn.ReLU()),
    ],
    ids=["relu-pool", "pool-relu", "pool", "relu-pool-relu"],
)
def test_sequential_runs_the_block_fused_only_with_the_fast_paths_on(layers, device, rng):
    model = mnist_block(*layers).to(device)
    x = tinydl.tensor(rng.standard_normal((2, 1, 12, 12)), dtype="float32", device=device)
    plain = model(x)  # the default: every layer on its own
    assert [type(f).__name__ for f in functions_under(plain)].count("Conv2D") == 1
    with tinydl.fast_paths(True):
        out = model(x)
    np.testing.assert_allclose(out.numpy(), plain.numpy(), rtol=1e-5, atol=1e-6)
    # The Dense layer's input came straight from the fused Function.
    flatten_input = out.creator.inputs[0].creator.inputs[0]
    assert isinstance(flatten_input.creator, Conv2DMaxPoolFast)


def functions_under(output: tinydl.Tensor) -> list:
    """Every Function in the graph that made ``output``."""
    found, waiting = [], [output.creator]
    while waiting:
        function = waiting.pop()
        found.append(function)
        waiting += [t.creator for t in function.inputs if t.creator is not None]
    return found


def test_sequential_leaves_other_layers_alone(rng):
    x = tinydl.tensor(rng.standard_normal((2, 1, 12, 12)), dtype="float32")
    overlapping = nn.Sequential(nn.Conv2D(1, 2, 3), nn.MaxPool2D(3, stride=2))
    strided = nn.Sequential(nn.Conv2D(1, 2, 3, stride=2), nn.MaxPool2D(2))
    with tinydl.fast_paths(True):
        for model in (overlapping, strided):
            model(x)
            assert not isinstance(model(x).creator, Conv2DMaxPoolFast)


def test_observers_see_every_layer_so_summary_still_lists_them(rng):
    model = mnist_block(nn.ReLU(), nn.MaxPool2D(2))
    seen = []
    with tinydl.fast_paths(True):  # observing turns them off for its own call only
        call_observed(model, lambda layer, output: seen.append(type(layer).__name__),
                      tinydl.tensor(rng.standard_normal((1, 1, 12, 12)), dtype="float32"))
        assert tinydl.fast_paths_enabled()
    assert seen == ["Conv2D", "ReLU", "MaxPool2D", "Flatten", "Dense", "Sequential"]


def test_bad_input_still_gets_the_layers_own_message():
    model = mnist_block(nn.ReLU(), nn.MaxPool2D(2))
    with tinydl.fast_paths(True):
        model(np.zeros((1, 1, 12, 12), dtype=np.float32))
        with pytest.raises(ValueError, match="looks channels-last"):
            model(np.zeros((1, 12, 12, 1), dtype=np.float32))
