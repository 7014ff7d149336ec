"""Conv2D and MaxPool2D: gradients by finite differences, values against direct loops (and
PyTorch when installed), tie-breaking, dtypes, and the error messages for bad input."""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import make

import tinydl
from tinydl import backend
from tinydl.ops.conv import col2im, conv2d, im2col
from tinydl.ops.pooling import max_pool2d


def _pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def direct_conv2d(x, w, b, stride, padding):
    """The textbook definition: for every output pixel, sum the window times each filter."""
    (sh, sw), (ph, pw) = _pair(stride), _pair(padding)
    x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out_channels, _, kh, kw = w.shape
    y = np.zeros(
        (x.shape[0], out_channels, (x.shape[2] - kh) // sh + 1, (x.shape[3] - kw) // sw + 1)
    )
    for a in range(y.shape[2]):
        for c in range(y.shape[3]):
            window = x[:, :, a * sh : a * sh + kh, c * sw : c * sw + kw]
            y[:, :, a, c] = np.einsum("nckl,ockl->no", window, w)
    return y if b is None else y + b[:, None, None]


def direct_max_pool2d(x, kernel_size, stride, padding):
    (kh, kw), (sh, sw), (ph, pw) = _pair(kernel_size), _pair(stride), _pair(padding)
    x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=-np.inf)
    y = np.empty(x.shape[:2] + ((x.shape[2] - kh) // sh + 1, (x.shape[3] - kw) // sw + 1))
    for a in range(y.shape[2]):
        for c in range(y.shape[3]):
            y[:, :, a, c] = x[:, :, a * sh : a * sh + kh, c * sw : c * sw + kw].max(axis=(2, 3))
    return y


# (x shape, weight shape, stride, padding, with bias)
CONV_CASES = [
    pytest.param((2, 2, 5, 5), (3, 2, 3, 3), 1, 0, True, id="3x3"),
    pytest.param((1, 2, 7, 5), (2, 2, 3, 3), 2, 1, True, id="stride2-pad1-batch1"),
    pytest.param((2, 1, 5, 6), (2, 1, 2, 3), 1, 2, False, id="kernel2x3-pad2-nobias"),
    pytest.param((2, 2, 6, 6), (2, 2, 3, 3), 2, 0, True, id="stride2-drops-last-column"),
    pytest.param((1, 3, 5, 4), (2, 3, 3, 1), (2, 1), (1, 0), True, id="pair-stride-padding"),
]


@pytest.mark.parametrize(("x_shape", "w_shape", "stride", "padding", "bias"), CONV_CASES)
def test_conv2d_gradcheck(device, rng, x_shape, w_shape, stride, padding, bias):
    x = make(rng.standard_normal(x_shape), device)
    w = make(rng.standard_normal(w_shape), device)
    inputs = [x, w] + ([make(rng.standard_normal(w_shape[0]), device)] if bias else [])
    assert tinydl.gradcheck(lambda *t: conv2d(*t, stride=stride, padding=padding), inputs)


@pytest.mark.parametrize("trainable", ["x", "weight", "bias"])
def test_conv2d_gradcheck_one_input_needing_grad(device, rng, trainable):
    names = ("x", "weight", "bias")
    shapes = ((2, 2, 5, 4), (3, 2, 2, 3), (3,))
    x, w, b = (
        make(rng.standard_normal(s), device, n == trainable)
        for n, s in zip(names, shapes, strict=True)
    )
    assert tinydl.gradcheck(lambda x, w, b: conv2d(x, w, b, stride=2, padding=1), [x, w, b])
    assert all(t.grad is None for n, t in zip(names, (x, w, b), strict=True) if n != trainable)


@pytest.mark.parametrize(("x_shape", "w_shape", "stride", "padding", "bias"), CONV_CASES)
def test_conv2d_matches_direct_loop(device, rng, x_shape, w_shape, stride, padding, bias):
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[0]) if bias else None
    y = conv2d(
        make(x, device), make(w, device), None if b is None else make(b, device), stride, padding
    )
    np.testing.assert_allclose(y.numpy(), direct_conv2d(x, w, b, stride, padding), rtol=1e-12)


def test_im2col_and_col2im_are_adjoint(device, rng):
    """<im2col(x), c> = <x, col2im(c)>: col2im is exactly the transpose of im2col, which is
    what makes dL/dx = col2im(Wᵀ·dY) correct. A future GPU kernel must keep this."""
    shape, kernel, stride, padding = (2, 3, 7, 6), (3, 2), (2, 1), (1, 2)
    x = rng.standard_normal(shape)
    cols = im2col(backend.to_device(x, device), kernel, stride, padding)
    c = rng.standard_normal(cols.shape)
    back = col2im(backend.to_device(c, device), shape, kernel, stride, padding)
    assert cols.shape == (3 * 3 * 2, 2 * 4 * 9)  # C·KH·KW, N·OH·OW
    np.testing.assert_allclose(
        (backend.to_numpy(cols) * c).sum(), (x * backend.to_numpy(back)).sum(), rtol=1e-12
    )


def test_conv2d_matches_torch(device, rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((3, 4, 11, 9)).astype(np.float32)
    w = rng.standard_normal((5, 4, 3, 2)).astype(np.float32)
    b = rng.standard_normal(5).astype(np.float32)
    gy = rng.standard_normal((3, 5, 6, 6)).astype(np.float32)
    inputs = [make(a, device, dtype="float32") for a in (x, w, b)]
    y = conv2d(*inputs, stride=(2, 2), padding=(1, 2))
    y.backward(tinydl.tensor(gy, device=device))
    expected = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    ty = torch.nn.functional.conv2d(*expected, stride=(2, 2), padding=(1, 2))
    ty.backward(torch.tensor(gy))
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-5, atol=1e-5)
    for mine, theirs in zip(inputs, expected, strict=True):
        np.testing.assert_allclose(mine.grad.numpy(), theirs.grad.numpy(), rtol=1e-5, atol=1e-4)


def shuffled_linspace(shape, rng):
    """Distinct values 0.1 apart in random order: no ties, so finite differences of max()
    never straddle a kink."""
    return rng.permutation(np.linspace(-5, 5, int(np.prod(shape)))).reshape(shape)


# (x shape, kernel_size, stride, padding)
POOL_CASES = [
    pytest.param((2, 2, 4, 6), 2, None, 0, id="non-overlapping"),
    pytest.param((1, 2, 7, 7), 3, 2, 0, id="overlapping-k3-s2"),
    pytest.param((2, 1, 6, 5), 3, 2, 1, id="overlapping-pad1"),
    pytest.param((1, 2, 5, 6), (2, 3), (1, 2), (1, 1), id="kernel2x3-pairs"),
    pytest.param((1, 2, 5, 5), 2, None, 0, id="non-overlapping-drops-last-row"),
    # The output count (2·3 = 6) matches the size, but padding shifts the windows: not tiling.
    pytest.param((1, 2, 6, 6), 3, 3, 1, id="non-overlapping-pad1"),
]


@pytest.mark.parametrize(("shape", "kernel_size", "stride", "padding"), POOL_CASES)
def test_max_pool2d_gradcheck(device, rng, shape, kernel_size, stride, padding):
    x = make(shuffled_linspace(shape, rng), device)
    assert tinydl.gradcheck(lambda t: max_pool2d(t, kernel_size, stride, padding), [x])


@pytest.mark.parametrize(("shape", "kernel_size", "stride", "padding"), POOL_CASES)
def test_max_pool2d_matches_direct_loop(device, rng, shape, kernel_size, stride, padding):
    x = shuffled_linspace(shape, rng)
    y = max_pool2d(make(x, device), kernel_size, stride, padding)
    expected = direct_max_pool2d(x, kernel_size, kernel_size if stride is None else stride, padding)
    np.testing.assert_array_equal(y.numpy(), expected)


def test_max_pool2d_pads_with_minus_infinity(device, rng):
    x = make(-1 - rng.random((2, 3, 5, 5)), device)  # all negative: a zero pad would win
    y = max_pool2d(x, 3, stride=2, padding=1)
    y.sum().backward()
    assert (y.numpy() < 0).all()
    np.testing.assert_array_equal(y.numpy(), direct_max_pool2d(x.numpy(), 3, 2, 1))
    # Each of the 2·3·3·3 windows sends its gradient 1 to one real pixel.
    assert x.grad.numpy().sum() == y.numel()


def test_max_pool2d_matches_torch(device, rng):
    torch = pytest.importorskip("torch")
    x = shuffled_linspace((2, 3, 9, 8), rng).astype(np.float32)
    gy = rng.standard_normal((2, 3, 5, 4)).astype(np.float32)
    mine = make(x, device, dtype="float32")
    y = max_pool2d(mine, 3, stride=2, padding=1)
    y.backward(tinydl.tensor(gy, device=device))
    theirs = torch.tensor(x, requires_grad=True)
    torch.nn.functional.max_pool2d(theirs, 3, stride=2, padding=1).backward(torch.tensor(gy))
    np.testing.assert_allclose(mine.grad.numpy(), theirs.grad.numpy(), rtol=1e-6)


@pytest.mark.parametrize(
    ("x", "kernel_size", "stride", "expected_grad"),
    [
        pytest.param([[1, 1], [1, 1]], 2, 2, [[1, 0], [0, 0]], id="all-equal"),
        pytest.param([[0, 5], [5, 0]], 2, 2, [[0, 1], [0, 0]], id="first-of-two"),
        # Overlapping windows of equal values: each window's first pixel gets its gradient.
        pytest.param(
            [[7, 7, 7], [7, 7, 7], [7, 7, 7]],
            2,
            1,
            [[1, 2, 0], [3, 4, 0], [0, 0, 0]],
            id="overlapping-all-equal",
        ),
        # One maximum shared by all four windows receives the sum of their gradients.
        pytest.param(
            [[0, 1, 0], [2, 9, 3], [0, 4, 0]],
            2,
            1,
            [[0, 0, 0], [0, 10, 0], [0, 0, 0]],
            id="shared-maximum-accumulates",
        ),
    ],
)
def test_max_pool2d_routes_gradient_to_first_maximum(device, x, kernel_size, stride, expected_grad):
    x = make(np.array(x, dtype=float)[None, None], device)
    y = max_pool2d(x, kernel_size, stride)
    gy = np.arange(1, y.numel() + 1, dtype=float).reshape(y.shape)
    y.backward(make(gy, device, requires_grad=False))
    np.testing.assert_array_equal(x.grad.numpy()[0, 0], expected_grad)


def test_float32_stays_float32(device, rng):
    x, w, b = (
        make(rng.standard_normal(s), device, dtype="float32")
        for s in ((2, 3, 8, 8), (4, 3, 3, 3), (4,))
    )
    y = conv2d(x, w, b, padding=1)
    overlapping, tiled = max_pool2d(y, 3, stride=2, padding=1), max_pool2d(y, 2)
    (overlapping.sum() + tiled.sum()).backward()
    assert y.dtype == overlapping.dtype == tiled.dtype == np.float32
    assert all(t.grad.dtype == np.float32 for t in (x, w, b))


def _conv(x_shape=(2, 3, 5, 5), w_shape=(4, 3, 3, 3), b_shape=None, dtype="float64", **kwargs):
    def call(device):
        x = make(np.zeros(x_shape), device, dtype="float64")
        w = make(np.zeros(w_shape), device, dtype=dtype)
        b = None if b_shape is None else make(np.zeros(b_shape), device)
        return conv2d(x, w, b, **kwargs)

    return call


def _pool(x_shape=(2, 3, 5, 5), dtype="float64", kernel_size=2, **kwargs):
    def call(device):
        x = tinydl.tensor(np.zeros(x_shape), dtype=dtype, device=device)
        return max_pool2d(x, kernel_size, **kwargs)

    return call


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            _conv(x_shape=(3, 5, 5)),
            ValueError,
            "conv2d(): x must be a Tensor of shape (N, C, H, W), got shape (3, 5, 5)",
        ),
        (
            _conv(w_shape=(4, 3, 3)),
            ValueError,
            "conv2d(): weight must be a Tensor of shape (out_channels, in_channels, KH, KW), "
            "got shape (4, 3, 3)",
        ),
        (
            _conv(w_shape=(4, 2, 3, 3)),
            ValueError,
            "conv2d(): x has 3 channels but weight expects 2 (weight shape (4, 2, 3, 3))",
        ),
        (
            _conv(b_shape=(3,)),
            ValueError,
            "conv2d(): bias must be a Tensor of shape (4,) (one per output channel), got shape "
            "(3,)",
        ),
        (
            _conv(dtype="float32"),
            TypeError,
            "conv2d(): x is float64 but weight is float32; convert one of them (e.g. with "
            ".astype('float64')) so no silent upcast happens",
        ),
        (
            _conv(w_shape=(4, 3, 6, 2)),
            ValueError,
            "conv2d(): kernel (6, 2) is larger than the padded input (5, 5) "
            "(input (5, 5) plus padding (0, 0) on each side)",
        ),
        (
            _conv(stride=0),
            ValueError,
            "conv2d(): stride must be an integer >= 1 or a pair of them, got 0",
        ),
        (
            _conv(padding=(1, 2, 3)),
            ValueError,
            "conv2d(): padding must be an integer >= 0 or a pair of them, got (1, 2, 3)",
        ),
        (
            _pool(x_shape=(5, 5)),
            ValueError,
            "max_pool2d(): x must be a floating-point Tensor of shape (N, C, H, W), got shape "
            "(5, 5)",
        ),
        (
            _pool(dtype="int64"),
            TypeError,
            "max_pool2d(): x must be a floating-point Tensor of shape (N, C, H, W), got dtype "
            "int64; convert it with .astype('float32') (uint8 images: "
            "tinydl.data.to_float(images) scales 0-255 to [0, 1])",
        ),
        (
            _pool(kernel_size=3, padding=2),
            ValueError,
            "max_pool2d(): padding (2, 2) must be at most half of kernel_size (3, 3), "
            "so that every window holds at least one input pixel",
        ),
        (
            _pool(kernel_size=(8, 2), padding=1),
            ValueError,
            "max_pool2d(): kernel (8, 2) is larger than the padded input (7, 7) "
            "(input (5, 5) plus padding (1, 1) on each side)",
        ),
        (
            _pool(kernel_size=2.0),
            ValueError,
            "max_pool2d(): kernel_size must be an integer >= 1 or a pair of them, got 2.0",
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(device, call, error, message):
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        call(device)


def test_raw_array_is_refused(device):
    array = backend.to_device(np.zeros((1, 1, 2, 2)), device)
    message = (
        f"max_pool2d(): x must be a floating-point Tensor of shape (N, C, H, W), got "
        f"{type(array).__name__}: make one with tinydl.tensor(values)"
    )
    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        max_pool2d(array, 2)


@pytest.mark.parametrize(
    ("x_shape", "kernel_size", "stride", "padding"),
    [
        ((2, 3, 7, 6), (3, 3), (1, 1), (0, 0)),
        ((1, 2, 5, 5), (2, 3), (1, 1), (1, 2)),
        ((2, 1, 4, 9), (1, 1), (1, 1), (1, 0)),
        ((2, 2, 9, 8), (3, 2), (2, 3), (1, 1)),
    ],
)
def test_fast_im2col_and_col2im_match_the_plain_ones(
    x_shape, kernel_size, stride, padding, device
):
    """The CPU's fast path is the plain im2col/col2im with the columns in (oh, ow, n) order."""
    from tinydl.ops.conv import col2im_fast, im2col_fast, output_size

    x = backend.to_device(np.random.default_rng(0).standard_normal(x_shape), device)
    n, c, h, w = x_shape
    (kh, kw), (oh, ow) = kernel_size, output_size((h, w), kernel_size, stride, padding)
    reference = im2col(x, kernel_size, stride, padding).reshape(c * kh * kw, n, oh, ow)
    batch_last = im2col_fast(x, kernel_size, stride, padding)
    np.testing.assert_array_equal(
        backend.to_numpy(batch_last).reshape(c * kh * kw, oh, ow, n),
        backend.to_numpy(reference).transpose(0, 2, 3, 1),
    )

    columns = np.random.default_rng(1).standard_normal((c * kh * kw, n, oh, ow))
    expected = col2im(backend.to_device(columns, device), x_shape, kernel_size, stride, padding)
    reordered = np.ascontiguousarray(columns.transpose(0, 2, 3, 1))
    got = col2im_fast(
        backend.to_device(reordered, device), x_shape, kernel_size, stride, padding
    )
    np.testing.assert_allclose(backend.to_numpy(got), backend.to_numpy(expected), rtol=1e-12)
