"""Property-based tests: element-wise, broadcasting and reduction ops over random shapes.

Each property holds for every shape hypothesis draws: the forward pass equals NumPy's,
broadcast gradients count how often each element was used, reductions' gradients are
what their derivative says, and small random cases pass a float64 gradcheck.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from conftest import DEVICES
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinydl

FAST = settings(max_examples=25, deadline=None)

small_shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
pairs_of_broadcastable_shapes = hnp.mutually_broadcastable_shapes(
    num_shapes=2, min_dims=0, max_dims=3, min_side=1, max_side=4
)


def values(shape, low: float = -3.0, high: float = 3.0, dtype=np.float64):
    """Finite values in [low, high]."""
    return hnp.arrays(
        dtype, shape, elements=st.floats(low, high, width=np.dtype(dtype).itemsize * 8)
    )


def distinct_values(shape):
    """Values at least 1/8 apart: max has no near-ties for a finite difference to straddle."""
    return hnp.arrays(
        np.float64, shape, elements=st.integers(-200, 200).map(lambda i: i / 8), unique=True
    )


@st.composite
def broadcast_pair(draw, low: float = -3.0, high: float = 3.0, b_low: float | None = None):
    shapes = draw(pairs_of_broadcastable_shapes)
    a = draw(values(shapes.input_shapes[0], low, high))
    b = draw(values(shapes.input_shapes[1], low if b_low is None else b_low, high))
    return a, b


@st.composite
def array_and_axes(draw, elements=values):
    """An array and a reduction axis argument for it: None, one int (maybe negative) or a tuple."""
    x = draw(elements(draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))))
    axis = draw(
        st.one_of(
            st.none(),
            st.integers(-x.ndim, x.ndim - 1),
            st.lists(st.integers(0, x.ndim - 1), min_size=1, unique=True).map(tuple),
        )
    )
    return x, axis


BINARY: dict[str, tuple[Callable, Callable]] = {
    "add": (lambda a, b: a + b, np.add),
    "sub": (lambda a, b: a - b, np.subtract),
    "mul": (lambda a, b: a * b, np.multiply),
    "div": (lambda a, b: a / b, np.divide),
    "maximum": (tinydl.maximum, np.maximum),
}
UNARY: dict[str, tuple[Callable, Callable, float]] = {  # op, NumPy reference, lowest input
    "neg": (lambda x: -x, np.negative, -3.0),
    "exp": (tinydl.exp, np.exp, -3.0),
    "log": (tinydl.log, np.log, 0.5),
    "sqrt": (tinydl.sqrt, np.sqrt, 0.5),
    "tanh": (tinydl.tanh, np.tanh, -3.0),
    "sigmoid": (tinydl.sigmoid, lambda x: 1 / (1 + np.exp(-x)), -3.0),
    "relu": (tinydl.relu, lambda x: np.maximum(x, 0), -3.0),
    "square": (lambda x: x**2, np.square, -3.0),
}


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", BINARY)
@FAST
@given(pair=broadcast_pair(b_low=0.5))  # b > 0: division is safe
def test_binary_forward_matches_numpy_in_float32(name: str, device: str, pair) -> None:
    op, reference = BINARY[name]
    a, b = (v.astype(np.float32) for v in pair)
    result = op(tinydl.tensor(a, device=device), tinydl.tensor(b, device=device))
    expected = reference(a, b)
    assert result.shape == expected.shape
    assert result.dtype == np.float32
    np.testing.assert_allclose(result.numpy(), expected, rtol=1e-6)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", UNARY)
@FAST
@given(data=st.data())
def test_unary_forward_matches_numpy_in_float32(name: str, device: str, data) -> None:
    op, reference, low = UNARY[name]
    x = data.draw(values(small_shapes, low, 3.0, dtype=np.float32))
    result = op(tinydl.tensor(x, device=device))
    assert result.dtype == np.float32 and result.shape == x.shape
    np.testing.assert_allclose(result.numpy(), reference(x), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("device", DEVICES)
@FAST
@given(shapes=pairs_of_broadcastable_shapes)
def test_gradient_of_a_broadcast_sum_counts_the_uses(device: str, shapes) -> None:
    """In sum(a + b), each element of a is used once per copy broadcasting made of it."""
    a_shape, b_shape = shapes.input_shapes
    a = tinydl.tensor(np.zeros(a_shape), requires_grad=True, device=device)
    b = tinydl.tensor(np.zeros(b_shape), requires_grad=True, device=device)
    (a + b).sum().backward()
    size = int(np.prod(shapes.result_shape))
    for operand, shape in ((a, a_shape), (b, b_shape)):
        assert operand.grad.shape == shape
        np.testing.assert_array_equal(operand.grad.numpy(), np.full(shape, size / np.prod(shape)))


@pytest.mark.parametrize("device", DEVICES)
@FAST
@given(pair=broadcast_pair())
def test_gradient_of_a_broadcast_product_sums_the_other_operand(device: str, pair) -> None:
    """d sum(a * b) / da = b, summed over the axes along which a was broadcast."""
    a_values, b_values = pair
    a = tinydl.tensor(a_values, dtype="float64", requires_grad=True, device=device)
    b = tinydl.tensor(b_values, dtype="float64", device=device)
    (a * b).sum().backward()
    stretched_b = np.broadcast_to(b_values, np.broadcast_shapes(a_values.shape, b_values.shape))
    extra = stretched_b.ndim - a_values.ndim
    expected = stretched_b.sum(axis=tuple(range(extra)))
    expected = expected.sum(
        axis=tuple(i for i, n in enumerate(a_values.shape) if n == 1), keepdims=True
    )
    np.testing.assert_allclose(
        a.grad.numpy(), expected.reshape(a_values.shape), rtol=1e-12, atol=1e-12
    )


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", ["sum", "mean", "max"])
@FAST
@given(case=array_and_axes(distinct_values), keepdims=st.booleans())
def test_reductions_match_numpy(name: str, device: str, case, keepdims: bool) -> None:
    x, axis = case
    x_tensor = tinydl.tensor(x, dtype="float64", device=device)
    result = getattr(tinydl, name)(x_tensor, axis=axis, keepdims=keepdims)  # max(x, 1): (v, i)
    expected = getattr(np, name)(x, axis=axis, keepdims=keepdims)
    assert result.shape == np.shape(expected)
    assert result.dtype == np.float64
    np.testing.assert_allclose(result.numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize("device", DEVICES)
@FAST
@given(case=array_and_axes(), keepdims=st.booleans())
def test_mean_gradient_is_one_over_the_count(device: str, case, keepdims: bool) -> None:
    x_values, axis = case
    x = tinydl.tensor(x_values, dtype="float64", requires_grad=True, device=device)
    x.mean(axis, keepdims).sum().backward()
    reduced = np.ones_like(x_values).sum(axis=axis, keepdims=True)  # elements per output
    np.testing.assert_allclose(x.grad.numpy(), np.broadcast_to(1 / reduced, x_values.shape))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", ["add", "sub", "mul", "div"])
@FAST
@given(pair=broadcast_pair(b_low=0.5))
def test_gradcheck_broadcast_binary_ops(name: str, device: str, pair) -> None:
    op, _ = BINARY[name]
    a, b = (tinydl.tensor(v, dtype="float64", requires_grad=True, device=device) for v in pair)
    assert tinydl.gradcheck(op, [a, b])


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", ["sum", "mean", "max"])
@FAST
@given(case=array_and_axes(distinct_values), keepdims=st.booleans())
def test_gradcheck_reductions(name: str, device: str, case, keepdims: bool) -> None:
    x_values, axis = case
    x = tinydl.tensor(x_values, dtype="float64", requires_grad=True, device=device)
    assert tinydl.gradcheck(lambda t: getattr(tinydl, name)(t, axis=axis, keepdims=keepdims), [x])


@pytest.mark.parametrize("device", DEVICES)
@FAST
@given(case=array_and_axes(), data=st.data())
def test_softmax_rows_sum_to_one_and_log_softmax_is_its_log(device: str, case, data) -> None:
    x_values, _ = case
    axis = data.draw(st.integers(-x_values.ndim, x_values.ndim - 1))
    x = tinydl.tensor(x_values * 10, dtype="float64", requires_grad=True, device=device)
    probabilities = tinydl.softmax(x, axis)
    np.testing.assert_allclose(probabilities.numpy().sum(axis=axis), 1.0, rtol=1e-12)
    np.testing.assert_allclose(
        tinydl.log_softmax(x, axis).numpy(), np.log(probabilities.numpy()), atol=1e-12
    )
    assert tinydl.gradcheck(lambda t: tinydl.log_softmax(t, axis), [x])
