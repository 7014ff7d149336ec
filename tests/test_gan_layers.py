"""The layers the GAN examples add: ConvTranspose2D and LeakyReLU. Gradients by finite
differences (float64), values against the scatter definition and the adjoint identity with
conv2d, against PyTorch through the stored fixtures (tests/reference/gan.npz, written by
tests/reference/make_gan.py), dtypes, and PyTorch's layer names and weight layout."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make
from test_kernels import assert_close, host_kernels, kernel_path, suffix  # noqa: F401 (fixtures)
from test_reference import DTYPES, assert_matches, backward, check_all, int_or_pair, load_cases

import tinydl
from tinydl import nn
from tinydl.nn import functional as F  # noqa: N812
from tinydl.ops.conv import conv2d
from tinydl.ops.conv_transpose import conv_transpose2d

GAN = load_cases("gan")
CONV_TRANSPOSE = sorted(case for case in GAN if case.startswith("conv_transpose2d"))
LEAKY_RELU = sorted(case for case in GAN if case.startswith("leaky_relu"))


def _pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def direct_conv_transpose2d(x, w, b, stride, padding, output_padding):
    """The textbook definition: every input pixel adds its value times the kernel onto a
    KH×KW patch of the output, the patches ``stride`` apart; then ``padding`` is cropped
    from each side."""
    (sh, sw), (ph, pw), (oph, opw) = _pair(stride), _pair(padding), _pair(output_padding)
    n, _, h, width = x.shape
    _, out_channels, kh, kw = w.shape
    full = np.zeros((n, out_channels, (h - 1) * sh + kh + oph, (width - 1) * sw + kw + opw))
    for i in range(h):
        for j in range(width):
            patch = np.einsum("nc,cokl->nokl", x[:, :, i, j], w)
            full[:, :, i * sh : i * sh + kh, j * sw : j * sw + kw] += patch
    y = full[:, :, ph : full.shape[2] - ph, pw : full.shape[3] - pw]
    return y if b is None else y + b[:, None, None]


# (x shape, weight shape (in, out, kh, kw), stride, padding, output_padding, with bias)
CASES = [
    pytest.param((2, 2, 3, 3), (2, 3, 3, 3), 1, 0, 0, True, id="3x3"),
    pytest.param((1, 3, 3, 2), (3, 2, 4, 4), 2, 1, 0, True, id="k4-stride2-pad1-doubles"),
    pytest.param((2, 2, 2, 3), (2, 2, 3, 3), 2, 1, 1, False, id="output-padding-nobias"),
    pytest.param((1, 2, 3, 3), (2, 2, 2, 3), (2, 1), (0, 1), (1, 0), True, id="pairs"),
    pytest.param((2, 1, 2, 2), (1, 2, 3, 3), 3, 2, 2, True, id="stride3-pad2-op2"),
]


@pytest.mark.parametrize(("x_shape", "w_shape", "stride", "padding", "extra", "bias"), CASES)
def test_conv_transpose2d_gradcheck(device, rng, x_shape, w_shape, stride, padding, extra, bias):
    x = make(rng.standard_normal(x_shape), device)
    w = make(rng.standard_normal(w_shape), device)
    inputs = [x, w] + ([make(rng.standard_normal(w_shape[1]), device)] if bias else [])
    assert tinydl.gradcheck(
        lambda *t: conv_transpose2d(*t, stride=stride, padding=padding, output_padding=extra),
        inputs,
    )


@pytest.mark.parametrize("trainable", ["x", "weight", "bias"])
def test_conv_transpose2d_gradcheck_one_input_needing_grad(device, rng, trainable):
    names = ("x", "weight", "bias")
    shapes = ((2, 3, 3, 2), (3, 2, 3, 3), (2,))
    x, w, b = (
        make(rng.standard_normal(s), device, n == trainable)
        for n, s in zip(names, shapes, strict=True)
    )
    assert tinydl.gradcheck(
        lambda x, w, b: conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1),
        [x, w, b],
    )
    assert all(t.grad is None for n, t in zip(names, (x, w, b), strict=True) if n != trainable)


@pytest.mark.parametrize(("x_shape", "w_shape", "stride", "padding", "extra", "bias"), CASES)
def test_conv_transpose2d_matches_direct_loop(
    device, rng, x_shape, w_shape, stride, padding, extra, bias
):
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[1]) if bias else None
    y = conv_transpose2d(
        make(x, device), make(w, device), None if b is None else make(b, device),
        stride, padding, extra,
    )
    expected = direct_conv_transpose2d(x, w, b, stride, padding, extra)
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-12, atol=1e-12)


def test_conv_transpose2d_is_the_adjoint_of_conv2d(device, rng):
    """<conv2d(y, W), x> = <y, conv_transpose2d(x, W)> for every x and y: the transposed
    convolution is exactly the transpose of the convolution's matrix (same W, same stride
    and padding; output_padding picks the size of y that conv2d maps back onto x)."""
    w = rng.standard_normal((3, 2, 3, 3))  # conv2d: 2 -> 3 channels; transposed: 3 -> 2
    x = rng.standard_normal((2, 3, 4, 3))
    y = rng.standard_normal((2, 2, 8, 6))  # (4 - 1)·2 − 2 + 3 + 1 = 8, (3 - 1)·2 − 2 + 3 + 1 = 6
    forward = conv2d(make(y, device), make(w, device), stride=2, padding=1)
    assert forward.shape == x.shape
    transposed = conv_transpose2d(make(x, device), make(w, device), None, 2, 1, 1)
    assert transposed.shape == y.shape
    np.testing.assert_allclose(
        (forward.numpy() * x).sum(), (y * transposed.numpy()).sum(), rtol=1e-12
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CONV_TRANSPOSE)
def test_conv_transpose2d_matches_torch(case: str, dtype: str, device: str):
    ref = GAN[case]
    x = make(ref["x"], device, dtype=dtype)
    weight = make(ref["weight"], device, dtype=dtype)
    bias = make(ref["bias"], device, dtype=dtype) if "bias" in ref else None
    y = F.conv_transpose2d(
        x, weight, bias, stride=int_or_pair(ref["stride"]), padding=int_or_pair(ref["padding"]),
        output_padding=int_or_pair(ref["output_padding"]),
    )
    backward(y, ref, device, dtype)
    expected = [(y, ref["y"]), (x.grad, ref["gx"]), (weight.grad, ref["gweight"])]
    if bias is not None:
        expected.append((bias.grad, ref["gbias"]))
    check_all(expected, dtype)


@pytest.mark.parametrize("case", CONV_TRANSPOSE)
def test_conv_transpose2d_layer_loads_pytorch_weights(case: str, device: str):
    """A PyTorch ConvTranspose2d state dict (weight (in, out, KH, KW), bias) loads into
    nn.ConvTranspose2d built with the same arguments and gives PyTorch's output, in float32."""
    ref = GAN[case]
    in_channels, out_channels, kh, kw = ref["weight"].shape
    layer = nn.ConvTranspose2d(
        in_channels, out_channels, (kh, kw), int_or_pair(ref["stride"]),
        int_or_pair(ref["padding"]), int_or_pair(ref["output_padding"]), bias="bias" in ref,
    ).to(device)
    state = {"weight": ref["weight"].astype(np.float32)}
    if "bias" in ref:
        state["bias"] = ref["bias"].astype(np.float32)
    layer.load_state_dict(state)
    y = layer(make(ref["x"], device, requires_grad=False, dtype="float32"))
    assert_matches(y, ref["y"], "float32", 1e-5)


def test_conv_transpose2d_layer_shapes_and_names():
    layer = nn.ConvTranspose2d(64, 32, 4, 2, 1)
    assert issubclass(nn.ConvTranspose2d, nn.ConvTranspose2D)  # with PyTorch's initialisation
    assert layer.weight.shape == (64, 32, 4, 4) and layer.bias.shape == (32,)
    assert layer.weight.dtype == np.float32
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]
    y = layer(tinydl.tensor(np.ones((3, 64, 7, 7), np.float32)))
    assert y.shape == (3, 32, 14, 14) and y.dtype == np.float32
    assert nn.ConvTranspose2D(2, 3, 3, stride=2, output_padding=1, bias=False).bias is None
    assert "output_padding=(1, 1)" in repr(nn.ConvTranspose2D(2, 3, 3, 2, 0, 1))
    on_fake = nn.ConvTranspose2D(2, 3, 3, device="fake")
    assert str(on_fake.weight.device) == str(on_fake.bias.device) == "fake"


@pytest.mark.parametrize("dtype", DTYPES)
def test_conv_transpose2d_kernel_path_matches_numpy(kernel_path, rng, dtype):  # noqa: F811
    """On CUDA arrays the op runs kernels/im2col.cu (col2im forward, im2col backward): those
    kernels, compiled for the host by g++ (or on a GPU when there is one), give the NumPy
    path's values, also for the output row and column that no window reaches (stride 2,
    output_padding 1, no padding: they hold only the bias)."""
    values = [rng.standard_normal(shape) for shape in ((2, 3, 3, 4), (3, 2, 3, 3), (2,))]
    upstream = rng.standard_normal((2, 2, 8, 10))

    def forward_backward(device: str) -> list:
        x, w, b = (tinydl.tensor(v, True, dtype, device) for v in values)
        y = conv_transpose2d(x, w, b, stride=2, padding=0, output_padding=1)
        y.backward(tinydl.tensor(upstream, dtype=dtype, device=device))
        return [y.data, x.grad.data, w.grad.data, b.grad.data]

    expected = forward_backward("cpu")
    bias = values[2].astype(dtype)[None, :, None]
    for edge in (expected[0][:, :, -1, :], expected[0][:, :, :, -1]):  # the last row, column
        np.testing.assert_array_equal(edge, np.broadcast_to(bias, edge.shape))
    with kernel_path.active() as launched:
        actual = forward_backward(kernel_path.device)
    assert launched == [f"col2im_{suffix(dtype)}", f"im2col_{suffix(dtype)}"]
    for got, want in zip(actual, expected, strict=True):
        assert_close(got, want, dtype)


@pytest.mark.parametrize(("stride", "padding", "extra"), [(2, 1, 0), (2, 0, 1), (1, 1, 0)])
def test_conv_transpose2d_fast_path_matches_the_plain_one(device, rng, stride, padding, extra):
    """With the fast paths on, the CPU computes in the batch-last layout; the plain NCHW
    version (the GPU's) is its twin: values and all three gradients agree, in float64."""
    values = [rng.standard_normal(shape) for shape in ((3, 4, 5, 6), (4, 2, 3, 3), (2,))]

    def forward_backward() -> list:
        x, w, b = (make(v, device, dtype="float64", requires_grad=True) for v in values)
        y = conv_transpose2d(x, w, b, stride=stride, padding=padding, output_padding=extra)
        (y * y).sum().backward()  # an upstream gradient that differs per element
        return [y.numpy(), x.grad.numpy(), w.grad.numpy(), b.grad.numpy()]

    with tinydl.fast_paths(True):
        batch_last = forward_backward()
    for got, want in zip(batch_last, forward_backward(), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
def test_conv_transpose2d_keeps_dtype(device, rng, dtype):
    x = make(rng.standard_normal((2, 3, 3, 3)), device, dtype=dtype)
    w = make(rng.standard_normal((3, 2, 4, 4)), device, dtype=dtype)
    b = make(rng.standard_normal(2), device, dtype=dtype)
    y = conv_transpose2d(x, w, b, stride=2, padding=1)
    y.sum().backward()
    for t in (y, x.grad, w.grad, b.grad):
        assert t.dtype == np.dtype(dtype)


# ---- LeakyReLU ----------------------------------------------------------------------------------
@pytest.mark.parametrize("slope", [0.01, 0.2, -0.5, 1.5])
def test_leaky_relu_gradcheck(device, rng, slope):
    # Values at least 0.1 away from the kink at 0, so finite differences never straddle it.
    values = rng.choice([-1, 1], (3, 5)) * rng.uniform(0.1, 2, (3, 5))
    assert tinydl.gradcheck(lambda x: F.leaky_relu(x, slope), [make(values, device)])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", LEAKY_RELU)
def test_leaky_relu_matches_torch(case: str, dtype: str, device: str):
    ref = GAN[case]
    x = make(ref["x"], device, dtype=dtype)
    y = nn.LeakyReLU(float(ref["negative_slope"]))(x)
    backward(y, ref, device, dtype)
    check_all([(y, ref["y"]), (x.grad, ref["gx"])], dtype)


def test_leaky_relu_values_default_slope_and_kink(device):
    x = make([-2.0, -0.0, 0.0, 3.0], device, dtype="float32")
    y = tinydl.ops.leaky_relu(x)  # PyTorch's default slope, 0.01
    y.backward(make([1.0, 1.0, 1.0, 1.0], device, requires_grad=False, dtype="float32"))
    np.testing.assert_array_equal(y.numpy(), np.array([-0.02, 0.0, 0.0, 3.0], np.float32))
    np.testing.assert_array_equal(x.grad.numpy(), np.array([0.01, 0.01, 0.01, 1.0], np.float32))
    assert y.dtype == x.grad.dtype == np.float32
    assert nn.LeakyReLU().negative_slope == 0.01
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
