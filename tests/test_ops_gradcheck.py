"""Every core op's backward against finite differences (float64), on every device.

The table ``CASES`` names one function of some float64 inputs per line; each is checked
with :func:`tinydl.gradcheck`, which compares every element of every input's gradient
with a central difference. Inputs keep away from kinks (0 for relu, ties for max) so
the finite differences measure a derivative that exists. The tests after the table
pin exact gradient values where a gradcheck alone cannot (repeated indices, ties,
tensors used twice).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from conftest import make

import tinydl

_rng = np.random.default_rng(0)


def normal(*shape: int) -> np.ndarray:
    return _rng.standard_normal(shape)


def positive(*shape: int) -> np.ndarray:
    """Values in [0.5, 2]: safe for log, sqrt, division and fractional powers."""
    return _rng.uniform(0.5, 2.0, shape)


def away_from_zero(*shape: int) -> np.ndarray:
    """Values at least 0.3 away from 0: relu and division have no kink or pole nearby."""
    return _rng.choice([-1.0, 1.0], shape) * _rng.uniform(0.3, 2.0, shape)


def distinct(*shape: int) -> np.ndarray:
    """Shuffled, evenly spaced values: no ties, so max has a unique winner everywhere."""
    size = int(np.prod(shape))
    return _rng.permutation(np.linspace(-2.0, 2.0, size)).reshape(shape)


def on_device_of(x: tinydl.Tensor, values) -> tinydl.Tensor:
    """A constant (condition, mask, index) on the same device as ``x``."""
    return tinydl.tensor(values, device=x.device)


MASK = np.array([[True, False, True, True], [False, False, True, False], [True, True, False, True]])


def case(name: str, fn: Callable[..., tinydl.Tensor], *inputs: np.ndarray):
    return pytest.param(fn, inputs, id=name)


CASES = [
    # ---- arithmetic: tensor-tensor, tensor-scalar, scalar-tensor ---------------------------
    case("add", lambda a, b: a + b, normal(3, 4), normal(3, 4)),
    case("add-scalar", lambda a: a + 2.5, normal(3, 4)),
    case("scalar-add", lambda a: 2.5 + a, normal(3, 4)),
    case("sub", lambda a, b: a - b, normal(3, 4), normal(3, 4)),
    case("sub-scalar", lambda a: a - 2.5, normal(3, 4)),
    case("scalar-sub", lambda a: 2.5 - a, normal(3, 4)),
    case("mul", lambda a, b: a * b, normal(3, 4), normal(3, 4)),
    case("mul-scalar", lambda a: a * -1.5, normal(3, 4)),
    case("scalar-mul", lambda a: -1.5 * a, normal(3, 4)),
    case("div", lambda a, b: a / b, normal(3, 4), away_from_zero(3, 4)),
    case("div-scalar", lambda a: a / 4.0, normal(3, 4)),
    case("scalar-div", lambda a: 4.0 / a, away_from_zero(3, 4)),
    case("pow-2", lambda a: a**2, normal(3, 4)),
    case("pow-3", lambda a: a**3, normal(3, 4)),
    case("pow-0.5", lambda a: a**0.5, positive(3, 4)),
    case("pow-minus-1.5", lambda a: a**-1.5, positive(3, 4)),
    case("neg", lambda a: -a, normal(3, 4)),
    # ---- broadcasting, both directions ----------------------------------------------------
    case("add-(3,1)+(1,4)", lambda a, b: a + b, normal(3, 1), normal(1, 4)),
    case("add-(4,)+(3,4)", lambda a, b: a + b, normal(4), normal(3, 4)),
    case("add-(3,4)+(4,)", lambda a, b: a + b, normal(3, 4), normal(4)),
    case("sub-(3,1)-(1,4)", lambda a, b: a - b, normal(3, 1), normal(1, 4)),
    case("mul-(4,)*(3,4)", lambda a, b: a * b, normal(4), normal(3, 4)),
    case("mul-(2,3,4)*(3,1)", lambda a, b: a * b, normal(2, 3, 4), normal(3, 1)),
    case("div-(3,4)/(4,)", lambda a, b: a / b, normal(3, 4), away_from_zero(4)),
    case("div-(3,1)/(1,4)", lambda a, b: a / b, normal(3, 1), away_from_zero(1, 4)),
    case("add-0d+(3,4)", lambda a, b: a + b, normal(), normal(3, 4)),
    # ---- matmul ---------------------------------------------------------------------------
    case("matmul-2d", lambda a, b: a @ b, normal(3, 4), normal(4, 5)),
    case("matmul-batched", lambda a, b: a @ b, normal(2, 3, 4), normal(2, 4, 5)),
    case("matmul-batch-broadcast", lambda a, b: a @ b, normal(2, 1, 3, 4), normal(3, 4, 2)),
    case("matmul-2d@batched", lambda a, b: a @ b, normal(3, 4), normal(2, 4, 5)),
    case("matmul-1d@2d", lambda a, b: a @ b, normal(4), normal(4, 5)),
    case("matmul-2d@1d", lambda a, b: a @ b, normal(3, 4), normal(4)),
    case("matmul-1d@1d", lambda a, b: a @ b, normal(4), normal(4)),
    case("matmul-batched@1d", lambda a, b: a @ b, normal(2, 3, 4), normal(4)),
    case("matmul-1d@batched", lambda a, b: a @ b, normal(4), normal(2, 4, 5)),
    case("matmul-function", lambda a, b: tinydl.matmul(a, b), normal(2, 3), normal(3, 2)),
    # ---- element-wise ---------------------------------------------------------------------
    case("exp", lambda a: a.exp(), normal(3, 4)),
    case("log", lambda a: tinydl.log(a), positive(3, 4)),
    case("sqrt", lambda a: tinydl.sqrt(a), positive(3, 4)),
    case("maximum", lambda a, b: tinydl.maximum(a, b), *np.split(distinct(3, 8), 2, axis=1)),
    case(
        "maximum-broadcast", lambda a, b: tinydl.maximum(a, b), normal(3, 1) + 0.05, distinct(1, 4)
    ),
    case("maximum-scalar", lambda a: tinydl.maximum(a, 0.0), away_from_zero(3, 4)),
    case(
        "where", lambda a, b: tinydl.where(on_device_of(a, MASK), a, b), normal(3, 4), normal(3, 4)
    ),
    case(
        "where-broadcast",
        lambda a, b: tinydl.where(on_device_of(a, MASK[:, :1]), a, b),
        normal(1, 4),
        normal(3, 1),
    ),
    case("where-scalar", lambda a: tinydl.where(on_device_of(a, MASK), 0.5, a), normal(3, 4)),
    case("clip", lambda a: tinydl.clip(a, -0.5, 0.5), 0.5 * distinct(3, 4) + 0.01),
    case("clip-low", lambda a: a.clip(min=-0.5), 0.5 * distinct(3, 4) + 0.01),
    case("clip-high", lambda a: a.clip(max=0.5), 0.5 * distinct(3, 4) + 0.01),
    # ---- activations ----------------------------------------------------------------------
    case("relu", lambda a: tinydl.relu(a), away_from_zero(3, 4)),
    case("sigmoid", lambda a: tinydl.sigmoid(a), 3 * normal(3, 4)),
    case("tanh", lambda a: a.tanh(), normal(3, 4)),
    case("softmax", lambda a: tinydl.softmax(a), normal(3, 4)),
    case("softmax-axis0", lambda a: tinydl.softmax(a, axis=0), normal(3, 4)),
    case("log_softmax", lambda a: tinydl.log_softmax(a), normal(3, 4)),
    case("log_softmax-axis1", lambda a: tinydl.log_softmax(a, axis=1), normal(2, 3, 4)),
    # ---- shape ----------------------------------------------------------------------------
    case("reshape", lambda a: a.reshape(4, 6), normal(2, 3, 4)),
    case("reshape-tuple", lambda a: tinydl.reshape(a, (6, 4)), normal(2, 3, 4)),
    case("reshape-minus-1", lambda a: a.reshape(-1, 4), normal(2, 3, 4)),
    case("reshape-middle-minus-1", lambda a: a.reshape(2, -1, 2), normal(2, 3, 4)),
    case("reshape-flat", lambda a: a.reshape(-1), normal(2, 3, 4)),
    case("transpose", lambda a: a.transpose(0, 2), normal(2, 3, 4)),
    case("transpose-negative", lambda a: a.transpose(-1, 1), normal(2, 3, 4)),
    case("transpose-function", lambda a: tinydl.transpose(a, 1, 2), normal(2, 3, 4)),
    case("permute", lambda a: a.permute(2, 0, 1), normal(2, 3, 4)),
    case("permute-tuple", lambda a: tinydl.permute(a, (1, 0, 2)), normal(2, 3, 4)),
    case("permute-negative", lambda a: a.permute(-1, 0, 1), normal(2, 3, 4)),
    case(".T", lambda a: a.T, normal(3, 4)),
    # ---- indexing -------------------------------------------------------------------------
    case("index-int", lambda a: a[1], normal(3, 4)),
    case("index-negative-int", lambda a: a[-1, 2], normal(3, 4)),
    case("index-slice", lambda a: a[:, 1:3], normal(3, 4)),
    case("index-step", lambda a: a[::2, ::-1], normal(3, 4)),
    case("index-none", lambda a: a[None, 0], normal(3, 4)),
    case("index-ellipsis", lambda a: a[..., 1], normal(2, 3, 4)),
    case("index-ellipsis-none", lambda a: a[0, ..., None], normal(2, 3, 4)),
    case("index-int-list", lambda a: a[[2, 0]], normal(3, 4)),
    case("index-repeated", lambda a: a[[0, 0, 1, 0]], normal(3, 4)),
    case("index-int-array-2d", lambda a: a[np.array([[0, 1], [1, 1]])], normal(3, 4)),
    case("index-column-array", lambda a: a[:, np.array([3, 0, 3])], normal(3, 4)),
    case("index-paired-arrays", lambda a: a[[0, 2, 2], [1, 3, 3]], normal(3, 4)),
    case("index-device-ints", lambda a: a[on_device_of(a, [1, 1, 2])], normal(3, 4)),
    case("index-bool-mask", lambda a: a[MASK], normal(3, 4)),
    case("index-device-mask", lambda a: a[on_device_of(a, MASK)], normal(3, 4)),
    case("index-row-mask", lambda a: a[np.array([True, False, True])], normal(3, 4)),
    # ---- joining --------------------------------------------------------------------------
    case("concatenate-0", lambda a, b: tinydl.concatenate([a, b]), normal(2, 3), normal(4, 3)),
    case(
        "concatenate-1",
        lambda a, b, c: tinydl.concatenate([a, b, c], axis=1),
        normal(2, 1),
        normal(2, 3),
        normal(2, 2),
    ),
    case(
        "concatenate-neg",
        lambda a, b: tinydl.concatenate((a, b), -1),
        normal(2, 2, 3),
        normal(2, 2, 1),
    ),
    case(
        "stack-0", lambda a, b, c: tinydl.stack([a, b, c]), normal(2, 3), normal(2, 3), normal(2, 3)
    ),
    case("stack-1", lambda a, b: tinydl.stack([a, b], axis=1), normal(2, 3), normal(2, 3)),
    case("stack-last", lambda a, b: tinydl.stack([a, b], axis=-1), normal(2, 3), normal(2, 3)),
    case("stack-reused", lambda a: tinydl.stack([a, a * 2.0]), normal(2, 3)),
    # ---- PyTorch's tensor surface (issue 21) ----------------------------------------------
    case("abs", lambda a: tinydl.abs(a), away_from_zero(3, 4)),
    case("sin", lambda a: tinydl.sin(a), normal(3, 4)),
    case("cos", lambda a: a.cos(), normal(3, 4)),
    case("pow-tensor-exponent", lambda a, b: a.pow(b), positive(3, 4), normal(3, 4)),
    case("pow-scalar-base", lambda a: 2.0**a, normal(3, 4)),
    case("minimum", lambda a, b: tinydl.minimum(a, b), *np.split(distinct(3, 8), 2, axis=1)),
    case("min-dim", lambda a: a.min(1).values, distinct(3, 4)),
    case("min-all", lambda a: tinydl.min(a), distinct(3, 4)),
    case("clamp-min", lambda a: a.clamp(min=-0.5), 0.5 * distinct(3, 4) + 0.01),
    case("tril", lambda a: tinydl.tril(a, -1), normal(2, 4, 4)),
    case("triu", lambda a: a.triu(1), normal(3, 5)),
    case("masked_fill", lambda a: a.masked_fill(on_device_of(a, MASK), 2.0), normal(3, 4)),
    case("squeeze-unsqueeze", lambda a: a.unsqueeze(0).squeeze(2), normal(3, 1, 4)),
    case("split", lambda a: a.split(2, dim=1)[1] * a.split(2, dim=1)[0], normal(3, 4)),
    case("chunk", lambda a: a.chunk(3, dim=0)[-1], normal(5, 2)),
    case("narrow", lambda a: a.narrow(1, 1, 2), normal(3, 4)),
    case("expand", lambda a: a.expand(2, 3, 4), normal(3, 1)),
    case("repeat", lambda a: a.repeat(2, 1, 3), normal(3, 2)),
    case(
        "gather-repeated",
        lambda a: a.gather(1, on_device_of(a, [[0, 0, 3], [2, 1, 2], [3, 3, 3]])),
        normal(3, 4),
    ),
    case("topk-values", lambda a: tinydl.topk(a, 2).values, distinct(3, 5)),
    case("sort-values", lambda a: a.sort(dim=0, descending=True).values, distinct(3, 4)),
    case("cumsum", lambda a: a.cumsum(1), normal(3, 4)),
    case("var", lambda a: a.var(1), normal(3, 4)),
    case("std-all", lambda a: tinydl.std(a, unbiased=False), normal(3, 4)),
    case("norm", lambda a: a.norm(dim=0), normal(3, 4)),
    case("clone", lambda a: a.clone() * a, normal(3, 4)),
    case("bmm", lambda a, b: tinydl.bmm(a, b), normal(2, 3, 4), normal(2, 4, 2)),
    # ---- composites -----------------------------------------------------------------------
    case("x*x", lambda a: a * a, normal(3, 4)),
    case("x+x", lambda a: a + a, normal(3, 4)),
    case("y*y", lambda a: (lambda y: y * y)(a.exp()), normal(3, 4)),
    case(
        "mlp",
        lambda x, w, b: tinydl.tanh(x @ w + b).sum(axis=1),
        normal(5, 3),
        normal(3, 4),
        normal(4),
    ),
]


@pytest.mark.parametrize(("fn", "values"), CASES)
def test_gradcheck(
    fn: Callable[..., tinydl.Tensor], values: tuple[np.ndarray, ...], device: str
) -> None:
    inputs = [make(v, device) for v in values]
    assert tinydl.gradcheck(fn, inputs)


REDUCTION_AXES = [None, 0, 1, -1, (0, 2), (2, 0), (0, 1, 2)]


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", REDUCTION_AXES, ids=str)
@pytest.mark.parametrize("name", ["sum", "mean", "max"])
def test_gradcheck_reductions(name: str, axis, keepdims: bool, device: str) -> None:
    values = np.random.default_rng(1).permutation(np.linspace(-2.0, 2.0, 24)).reshape(2, 3, 4)
    x = make(values, device)
    y = getattr(tinydl, name)(x, axis=axis, keepdims=keepdims)
    expected = getattr(np, name)(values, axis=axis, keepdims=keepdims)
    assert y.shape == expected.shape
    np.testing.assert_allclose(y.numpy(), expected)
    assert tinydl.gradcheck(lambda t: getattr(t, name)(axis=axis, keepdims=keepdims), [x])


@pytest.mark.parametrize("target", ["cpu", "fake"])
def test_gradcheck_across_devices(device: str, target: str) -> None:
    """A device move is differentiable: the gradient travels back to the source device."""
    x = make(normal(3, 4), device)
    assert tinydl.gradcheck(lambda t: (t.to(target) * 3.0).exp().to(device), [x])


# ---- exact values that a gradcheck cannot pin down -----------------------------------------


def test_repeated_indices_accumulate(device: str) -> None:
    x = make([1.0, 2.0, 3.0], device)
    y = x[[0, 0, 1]]
    np.testing.assert_array_equal(y.numpy(), [1.0, 1.0, 2.0])
    y.backward(tinydl.tensor([1.0, 10.0, 100.0], dtype="float64", device=device))
    np.testing.assert_array_equal(x.grad.numpy(), [11.0, 100.0, 0.0])


def test_a_slice_gradient_is_laid_out_like_the_sliced_array(device: str) -> None:
    """The zeros a slice's gradient lands in follow x's memory order, so a transposed view's
    slice (an LSTM's output) hands its producer a gradient in the producer's own layout."""
    x = make(np.arange(24.0).reshape(4, 2, 3).transpose(1, 2, 0), device)  # axes 2, 0, 1 outer
    x[:, 1].backward(tinydl.ones(2, 4, dtype="float64", device=device))
    want = np.zeros((2, 3, 4))
    want[:, 1] = 1.0
    np.testing.assert_array_equal(x.grad.numpy(), want)
    assert x.grad.array.strides == x.array.strides


def test_repeated_row_indices_accumulate(device: str) -> None:
    x = make(np.zeros((3, 2)), device)
    x[np.array([2, 0, 2, 2])].sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[1.0, 1.0], [0.0, 0.0], [3.0, 3.0]])


def test_maximum_splits_the_gradient_of_a_tie(device: str) -> None:
    a = make([1.0, 2.0, 3.0], device)
    b = make([1.0, 3.0, 2.0], device)
    y = tinydl.maximum(a, b)
    np.testing.assert_array_equal(y.numpy(), [1.0, 3.0, 3.0])
    y.backward(tinydl.tensor([2.0, 2.0, 2.0], dtype="float64", device=device))
    np.testing.assert_array_equal(a.grad.numpy(), [1.0, 0.0, 2.0])
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 2.0, 0.0])


def test_max_shares_the_gradient_among_tied_maxima(device: str) -> None:
    x = make([[1.0, 3.0, 3.0], [5.0, 5.0, 5.0]], device)
    x.max(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0.0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])


def test_relu_gradient_is_zero_at_the_kink(device: str) -> None:
    x = make([-1.0, 0.0, 2.0], device)
    tinydl.relu(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 1.0])


def test_clip_and_where_pass_gradient_only_where_selected(device: str) -> None:
    x = make([-2.0, -0.5, 0.5, 2.0], device)
    condition = tinydl.tensor([True, False, True, False], device=device)
    (tinydl.clip(x, -1.0, 1.0) + tinydl.where(condition, x * 10.0, 0.0)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [10.0, 1.0, 11.0, 0.0])


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (lambda x: x * x, [2.0, -4.0, 6.0]),  # d(x²)/dx = 2x
        (lambda x: x + x, [2.0, 2.0, 2.0]),
        (lambda x: x * x * x, [3.0, 12.0, 27.0]),  # 3x²
        (lambda x: (lambda y: y * y)(x * 3.0), [18.0, -36.0, 54.0]),  # y = 3x: d(9x²)/dx = 18x
        (lambda x: (lambda y: y + y * y)(x + 1.0), [5.0, -1.0, 9.0]),  # 1 + 2(x + 1)
        (lambda x: tinydl.stack([x, x]).sum(axis=0) - x, [1.0, 1.0, 1.0]),
    ],
    ids=["x*x", "x+x", "x*x*x", "y=3x;y*y", "y=x+1;y+y*y", "stack-x-x"],
)
def test_tensor_used_twice_accumulates_both_gradients(fn, expected, device: str) -> None:
    x = make([1.0, -2.0, 3.0], device)
    fn(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), expected)


def test_broadcast_operand_gradient_is_summed(device: str) -> None:
    row = make(np.zeros(4), device)
    column = make(np.zeros((3, 1)), device)
    (row + column * 2.0).sum().backward()
    np.testing.assert_array_equal(row.grad.numpy(), [3.0, 3.0, 3.0, 3.0])
    np.testing.assert_array_equal(column.grad.numpy(), [[8.0], [8.0], [8.0]])
