"""Dropout (train/eval behaviour, seeding, gradient) and batch normalisation (values,
running statistics, gradients, eval mode), against NumPy formulas and PyTorch."""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import make

import tinydl
from tinydl.ops.dropout import dropout
from tinydl.ops.normalization import batch_norm


# ---- dropout -----------------------------------------------------------------------------
@pytest.mark.parametrize("p", [0.0, 0.5])
def test_dropout_in_eval_is_the_identity(p, device):
    x = make(np.arange(6.0), device)
    assert dropout(x, p, training=False) is x
    assert dropout(x, 0.0, training=True) is x


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_drops_about_p_and_preserves_the_mean(p, device):
    tinydl.random.manual_seed(0)
    x = make(np.ones((400, 500)), device, dtype="float32")
    y = dropout(x, p).numpy()
    assert y.dtype == np.float32
    dropped = y == 0
    assert abs(dropped.mean() - p) < 0.005
    np.testing.assert_allclose(y[~dropped], 1 / (1 - p), rtol=1e-6)  # kept units scaled
    assert abs(y.mean() - 1) < 0.02


def test_dropout_gradient_is_mask_over_keep_probability(device):
    tinydl.random.manual_seed(3)
    x = make(np.ones((20, 30)), device, dtype="float32")
    y = dropout(x, 0.25)
    y.backward(tinydl.tensor(np.full((20, 30), 2.0), device=device))
    # x is all ones, so y is the scaled mask m/(1-p) itself.
    np.testing.assert_allclose(x.grad.numpy(), 2 * y.numpy())
    assert x.grad.dtype == np.float32
    assert set(np.unique(y.numpy())) == {0.0, np.float32(1 / 0.75)}


def test_dropout_same_seed_same_mask_on_every_device_and_dtype(device):
    masks = []
    for dtype, where in [("float32", device), ("float64", device), ("float32", "cpu")]:
        tinydl.random.manual_seed(42)
        masks.append(dropout(make(np.ones(1000), where, dtype=dtype), 0.5).numpy() != 0)
    tinydl.random.manual_seed(43)
    other = dropout(make(np.ones(1000), device), 0.5).numpy() != 0
    np.testing.assert_array_equal(masks[0], masks[1])
    np.testing.assert_array_equal(masks[0], masks[2])
    assert (masks[0] != other).any()


def test_dropout_gradcheck(device, rng):
    def fn(x):
        tinydl.random.manual_seed(5)  # every evaluation draws the same mask
        return dropout(x, 0.4)

    assert tinydl.gradcheck(fn, [make(rng.normal(size=(4, 5)), device)])


def test_dropout_with_p_one_gives_zeros(device):
    x = make(np.arange(1.0, 7.0), device, dtype="float32")
    y = dropout(x, 1.0)
    y.sum().backward()
    np.testing.assert_array_equal(y.numpy(), np.zeros(6))
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros(6))
    assert y.dtype == np.float32 and x.grad.dtype == np.float32


@pytest.mark.parametrize("p", [1.5, -0.1, True, "0.5"])
def test_dropout_bad_probability(p, device):
    with pytest.raises(
        ValueError, match=re.escape(f"dropout(): p must be a probability in [0, 1], got {p!r}")
    ):
        dropout(make(np.ones(3), device), p)


def test_dropout_needs_float_input(device):
    with pytest.raises(
        TypeError, match=re.escape("dropout(): x must be a floating-point Tensor, got dtype int64")
    ):
        dropout(tinydl.tensor(np.arange(3), device=device), 0.5)


# ---- batch norm --------------------------------------------------------------------------
def channel_axes(x: np.ndarray) -> tuple[int, ...]:
    return (0,) if x.ndim == 2 else (0, 2, 3)


def batch_norm_ref(x, mean, var, gamma, beta, eps=1e-5):
    shape = (1, -1) + (1,) * (x.ndim - 2)
    x_hat = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    return gamma.reshape(shape) * x_hat + beta.reshape(shape)


def buffers(device, channels, dtype="float64", mean=0.0, var=1.0):
    """Fresh running_mean and running_var tensors (no grad, like a layer's buffers)."""
    return (
        tinydl.tensor(np.full(channels, mean), dtype=dtype, device=device),
        tinydl.tensor(np.full(channels, var), dtype=dtype, device=device),
    )


SHAPES = [(6, 3), (2, 3, 4, 5)]


@pytest.mark.parametrize("shape", SHAPES)
def test_batch_norm_training_values_and_running_stats(shape, device, rng):
    x = rng.normal(2.0, 3.0, size=shape)
    gamma, beta = rng.normal(size=3), rng.normal(size=3)
    running_mean, running_var = buffers(device, 3, mean=0.5, var=2.0)
    mean_before = running_mean.array
    y = batch_norm(
        make(x, device),
        running_mean,
        running_var,
        make(gamma, device),
        make(beta, device),
        training=True,
        momentum=0.3,
    )

    axes = channel_axes(x)
    mean, var = x.mean(axis=axes), x.var(axis=axes)  # biased variance normalises
    np.testing.assert_allclose(y.numpy(), batch_norm_ref(x, mean, var, gamma, beta), rtol=1e-12)
    n = x.size // 3
    np.testing.assert_allclose(running_mean.numpy(), 0.7 * 0.5 + 0.3 * mean, rtol=1e-12)
    np.testing.assert_allclose(running_var.numpy(), 0.7 * 2.0 + 0.3 * var * n / (n - 1), rtol=1e-12)
    assert running_mean.array is mean_before  # updated in place


def test_batch_norm_running_stats_by_hand(device):
    # One channel holding 1 and 3: mean 2, biased variance 1, unbiased variance 2.
    running_mean, running_var = buffers(device, 1)
    y = batch_norm(make([[1.0], [3.0]], device), running_mean, running_var, training=True)
    np.testing.assert_allclose(y.numpy(), [[-1 / np.sqrt(1 + 1e-5)], [1 / np.sqrt(1 + 1e-5)]])
    np.testing.assert_allclose(running_mean.numpy(), [0.9 * 0 + 0.1 * 2])
    np.testing.assert_allclose(running_var.numpy(), [0.9 * 1 + 0.1 * 2])
    y = batch_norm(make([[5.0], [5.0]], device), running_mean, running_var, training=True)
    np.testing.assert_allclose(running_mean.numpy(), [0.9 * 0.2 + 0.1 * 5])
    np.testing.assert_allclose(running_var.numpy(), [0.9 * 1.1 + 0.1 * 0])


@pytest.mark.parametrize("shape", SHAPES)
def test_batch_norm_eval_uses_running_stats_and_leaves_them(shape, device, rng):
    x = rng.normal(size=shape)
    mean, var = rng.normal(size=3), rng.uniform(0.5, 2.0, size=3)
    gamma, beta = rng.normal(size=3), rng.normal(size=3)
    running_mean = tinydl.tensor(mean, dtype="float64", device=device)
    running_var = tinydl.tensor(var, dtype="float64", device=device)
    y = batch_norm(
        make(x, device),
        running_mean,
        running_var,
        make(gamma, device),
        make(beta, device),
        training=False,
        eps=1e-3,
    )
    np.testing.assert_allclose(y.numpy(), batch_norm_ref(x, mean, var, gamma, beta, eps=1e-3))
    np.testing.assert_array_equal(running_mean.numpy(), mean)
    np.testing.assert_array_equal(running_var.numpy(), var)


@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", SHAPES + [(1, 2, 2, 2)])
def test_batch_norm_gradcheck(shape, training, affine, device, rng):
    channels = shape[1]
    inputs = [make(rng.normal(size=shape), device)]
    if affine:
        inputs += [make(rng.normal(size=channels), device), make(rng.normal(size=channels), device)]
    running = [
        make(rng.normal(size=channels), device, requires_grad=False),
        make(rng.uniform(0.5, 2, size=channels), device, requires_grad=False),
    ]

    def fn(x, weight=None, bias=None):
        return batch_norm(x, *running, weight, bias, training=training)

    assert tinydl.gradcheck(fn, inputs)


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", SHAPES)
def test_batch_norm_float32_stays_float32(shape, training, device, rng):
    x = make(rng.normal(size=shape), device, dtype="float32")
    gamma, beta = (
        make(np.ones(3), device, dtype="float32"),
        make(np.zeros(3), device, dtype="float32"),
    )
    running_mean, running_var = buffers(device, 3, dtype="float32")
    # NumPy float64 scalars for eps and momentum must not upcast either (NEP 50).
    y = batch_norm(
        x,
        running_mean,
        running_var,
        gamma,
        beta,
        training=training,
        momentum=np.float64(0.1),
        eps=np.float64(1e-5),
    )
    y.backward(tinydl.tensor(rng.normal(size=shape), device=device))
    assert y.dtype == np.float32
    assert {x.grad.dtype, gamma.grad.dtype, beta.grad.dtype} == {np.dtype(np.float32)}
    assert {running_mean.dtype, running_var.dtype} == {np.dtype(np.float32)}


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", SHAPES)
def test_batch_norm_matches_torch(shape, training, device, rng):
    torch = pytest.importorskip("torch")
    x, gamma, beta = rng.normal(1.0, 2.0, size=shape), rng.normal(size=3), rng.normal(size=3)
    grad = rng.normal(size=shape)
    mean0, var0 = rng.normal(size=3), rng.uniform(0.5, 2.0, size=3)

    torch_inputs = [torch.tensor(a, requires_grad=True) for a in (x, gamma, beta)]
    torch_mean, torch_var = torch.tensor(mean0), torch.tensor(var0)
    expected = torch.nn.functional.batch_norm(
        torch_inputs[0],
        torch_mean,
        torch_var,
        torch_inputs[1],
        torch_inputs[2],
        training=training,
        momentum=0.2,
        eps=1e-4,
    )
    expected.backward(torch.tensor(grad))

    ours_inputs = [make(a, device) for a in (x, gamma, beta)]
    running_mean = tinydl.tensor(mean0, dtype="float64", device=device)
    running_var = tinydl.tensor(var0, dtype="float64", device=device)
    y = batch_norm(
        ours_inputs[0],
        running_mean,
        running_var,
        ours_inputs[1],
        ours_inputs[2],
        training,
        momentum=0.2,
        eps=1e-4,
    )
    y.backward(tinydl.tensor(grad, dtype="float64", device=device))

    np.testing.assert_allclose(y.numpy(), expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    for ours, theirs in zip(ours_inputs, torch_inputs, strict=True):
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(running_mean.numpy(), torch_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(running_var.numpy(), torch_var.numpy(), rtol=1e-12)


def test_batch_norm_without_running_stats_in_training(device, rng):
    x = rng.normal(size=(5, 2))
    y = batch_norm(make(x, device), None, None, training=True)
    expected = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + 1e-5)
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-12)


# ---- batch norm: bad input ---------------------------------------------------------------
def test_batch_norm_input_shape(device):
    with pytest.raises(
        ValueError,
        match=re.escape(
            "batch_norm(): x must be a floating-point Tensor of shape (N, C) or (N, C, H, W), got "
            "shape (2, 3, 4)"
        ),
    ):
        batch_norm(make(np.zeros((2, 3, 4)), device), *buffers(device, 3))


def test_batch_norm_needs_float_input(device):
    with pytest.raises(
        TypeError,
        match=re.escape(
            "batch_norm(): x must be a floating-point Tensor of shape (N, C) or (N, C, H, W), got "
            "dtype int64"
        ),
    ):
        batch_norm(tinydl.tensor(np.zeros((2, 3), dtype=np.int64), device=device), None, None)


@pytest.mark.parametrize("name", ["running_mean", "running_var", "weight", "bias"])
def test_batch_norm_per_channel_shape_and_dtype(name, device):
    x = make(np.zeros((2, 3)), device)
    arguments = dict(zip(["running_mean", "running_var"], buffers(device, 3), strict=True))
    arguments[name] = make(np.zeros(4), device)
    with pytest.raises(
        ValueError,
        match=re.escape(
            f"batch_norm(): {name} must be a Tensor of shape (3,) to fit x of shape (2, 3), "
            f"got shape (4,)"
        ),
    ):
        batch_norm(x, **arguments, training=True)
    arguments[name] = make(np.zeros(3), device, dtype="float32")
    with pytest.raises(
        TypeError,
        match=re.escape(f"batch_norm(): x is float64 but {name} is float32; convert one of them"),
    ):
        batch_norm(x, **arguments, training=True)


def test_batch_norm_per_channel_device():
    x = make(np.zeros((2, 3)), "fake")
    with pytest.raises(
        tinydl.DeviceError,
        match=re.escape("batch_norm(): weight is on cpu but x on fake: move it with .to('fake')"),
    ):
        batch_norm(x, None, None, make(np.ones(3), "cpu"), training=True)


def test_batch_norm_training_needs_two_values_per_channel(device):
    with pytest.raises(
        ValueError,
        match=re.escape(
            "batch_norm() in training needs more than 1 value per channel to compute a variance, "
            "got input of shape (1, 3)"
        ),
    ):
        batch_norm(make(np.zeros((1, 3)), device), *buffers(device, 3), training=True)


def test_batch_norm_eval_needs_running_stats(device):
    with pytest.raises(
        ValueError,
        match=re.escape(
            "batch_norm() in evaluation mode needs running_mean and running_var to normalise with, "
            "got None"
        ),
    ):
        batch_norm(make(np.zeros((2, 3)), device), None, None, training=False)


def test_batch_norm_needs_both_running_stats_or_neither(device):
    running_mean, _ = buffers(device, 3)
    with pytest.raises(
        ValueError,
        match=re.escape("batch_norm() needs both running_mean and running_var, or neither"),
    ):
        batch_norm(make(np.zeros((2, 3)), device), running_mean, None, training=True)
