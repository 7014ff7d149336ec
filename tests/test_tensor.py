"""The Tensor API: construction, attributes, getting values out, devices, and backward()."""

from __future__ import annotations

import re
import sys
import weakref

import numpy as np
import pytest
from conftest import make

import tinydl
from tinydl import Tensor

# ---- construction ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "dtype"),
    [
        (1.5, np.float32),
        ([1.0, 2.0], np.float32),
        (np.array([1.0, 2.0]), np.float32),  # float64 NumPy data too: float32 is the default
        (np.float64(0.5), np.float32),
        (np.array([1.0], dtype=np.float16), np.float32),
        (3, np.int64),
        ([1, 2, 3], np.int64),
        (np.array([1, 2], dtype=np.int32), np.int32),
        (np.array([1, 2], dtype=np.uint8), np.uint8),
        (True, np.bool_),
        ([True, False], np.bool_),
    ],
    ids=lambda v: type(v).__name__,
)
def test_tensor_default_dtype(data, dtype, device: str) -> None:
    t = tinydl.tensor(data, device=device)
    assert t.dtype == dtype
    np.testing.assert_array_equal(t.numpy(), np.asarray(data).astype(dtype))


def test_tensor_explicit_dtype(device: str) -> None:
    assert tinydl.tensor([1, 2], dtype="float64", device=device).dtype == np.float64
    assert tinydl.tensor([1.7, -2.2], dtype=np.int32, device=device).dtype == np.int32
    assert tinydl.tensor(np.ones(2), dtype=np.float64, device=device).dtype == np.float64


def test_tensor_always_copies(device: str) -> None:
    source = np.array([1.0, 2.0], dtype=np.float32)
    t = tinydl.tensor(source, device=device)
    source[0] = 99.0
    assert t.numpy()[0] == 1.0
    u = tinydl.tensor(t)
    u.data[1] = 99.0
    assert t.numpy()[1] == 2.0


def test_tensor_from_a_tensor_keeps_its_device() -> None:
    assert tinydl.tensor(tinydl.tensor([1.0], device="fake")).device == "fake"


def test_tensor_attributes(device: str) -> None:
    t = tinydl.tensor(np.zeros((2, 3, 4)), requires_grad=True, device=device)
    assert t.shape == (2, 3, 4)
    assert t.ndim == 3
    assert t.numel() == 24 and t.size() == t.shape
    assert len(t) == 2
    assert t.dtype == np.float32
    assert t.device == device
    assert str(t.device) == device
    assert t.requires_grad is True
    assert t.grad is None
    assert t.is_leaf
    assert tinydl.tensor(1.0, device=device).requires_grad is False


def test_only_float_tensors_can_require_grad() -> None:
    with pytest.raises(
        TypeError,
        match=r"^tensor\(requires_grad=True\): only floating-point tensors can require grad, "
        r"got dtype int64; convert first, e\.g\. x\.astype\('float32'\)\.requires_grad_\(\)$",
    ):
        tinydl.tensor([1, 2], requires_grad=True)


def test_tensor_refuses_non_numbers() -> None:
    with pytest.raises(
        TypeError, match=r"tensor\(\): data holds Python objects \(dtype object\)"
    ):
        tinydl.tensor([{"a": 1}])


# ---- values out --------------------------------------------------------------------------


def test_item(device: str) -> None:
    value = tinydl.tensor([[2.5]], device=device).item()
    assert value == 2.5
    assert type(value) is float
    assert type(tinydl.tensor(3, device=device).item()) is int


def test_item_needs_one_element(device: str) -> None:
    with pytest.raises(
        ValueError,
        match=re.escape("item() needs a tensor with one element, this one has shape (2,)"),
    ):
        tinydl.tensor([1.0, 2.0], device=device).item()


def test_numpy_gives_a_host_array(device: str) -> None:
    values = np.arange(6, dtype=np.float32).reshape(2, 3)
    result = tinydl.tensor(values, device=device).numpy()
    assert type(result) is np.ndarray
    np.testing.assert_array_equal(result, values)
    assert tinydl.tensor(values, device=device).tolist() == values.tolist()


def test_repr_names_dtype_device_and_grad() -> None:
    assert repr(tinydl.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert (
        repr(tinydl.tensor([1, 2], device="fake")) == "tensor([1, 2], dtype=int64, device='fake')"
    )
    assert repr(tinydl.tensor(1.0, requires_grad=True)) == "tensor(1., requires_grad=True)"


# ---- moving, detaching, casting ----------------------------------------------------------


@pytest.mark.parametrize("target", ["cpu", "fake"])
def test_to_moves_and_gradients_flow_back(device: str, target: str) -> None:
    x = make([1.0, 2.0, 3.0], device)
    moved = x.to(target)
    assert moved.device == target
    (moved * moved).sum().backward()
    assert x.grad.device == device
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0, 6.0])


def test_to_the_same_device_is_the_same_tensor(device: str) -> None:
    x = make([1.0], device)
    assert x.to(device) is x


def test_detach_cuts_the_graph(device: str) -> None:
    x = make([1.0, 2.0], device)
    y = x * 3.0
    d = y.detach()
    assert d.requires_grad is False
    assert d.creator is None
    np.testing.assert_array_equal(d.numpy(), [3.0, 6.0])
    (d * x).sum().backward()  # d is a constant here
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 6.0])


def test_astype_casts_the_gradient_back(device: str) -> None:
    x = tinydl.tensor([1.0, 2.0], requires_grad=True, device=device)
    y = x.double()
    assert y.dtype == np.float64
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])
    cast = x.double().creator  # its own backward casts, whatever the engine does afterwards
    assert (
        cast.backward(tinydl.tensor([1.0, 1.0], dtype="float64", device=device).array).dtype
        == np.float32
    )


def test_requires_grad_on_a_non_leaf_is_refused() -> None:
    y = tinydl.tensor([1.0], requires_grad=True) * 2.0
    with pytest.raises(RuntimeError, match="requires_grad_\\(\\) works on leaf tensors only"):
        y.requires_grad_()
    assert tinydl.tensor([1.0]).requires_grad_().requires_grad


# ---- backward ----------------------------------------------------------------------------


def test_backward_of_a_scalar_seeds_one(device: str) -> None:
    x = make([1.0, 2.0], device)
    (x * 5.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [5.0, 5.0])


def test_backward_without_grad_needs_a_scalar(device: str) -> None:
    y = make([1.0, 2.0], device) * 2.0
    message = (
        "backward() without a gradient needs a scalar, but this tensor has shape (2,): "
        "reduce it first (e.g. .sum()) or pass gradient= of that shape"
    )
    with pytest.raises(RuntimeError, match=f"^{re.escape(message)}$"):
        y.backward()


def test_backward_with_grad(device: str) -> None:
    x = make([1.0, 2.0], device)
    (x * x).backward(tinydl.tensor([1.0, 10.0], dtype="float64", device=device))
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 40.0])


def test_backward_refuses_a_grad_of_the_wrong_shape(device: str) -> None:
    y = make([1.0, 2.0], device) * 2.0
    with pytest.raises(
        ValueError, match=re.escape("backward(gradient) needs a gradient of shape (2,), got (3,)")
    ):
        y.backward(tinydl.tensor([1.0, 1.0, 1.0], dtype="float64", device=device))


def test_backward_refuses_a_grad_on_another_device() -> None:
    y = make([1.0, 2.0], "fake") * 2.0
    with pytest.raises(
        tinydl.DeviceError, match="^backward\\(\\): gradient is on cpu but the tensor on fake"
    ):
        y.backward(tinydl.tensor([1.0, 1.0], dtype="float64"))


def test_backward_needs_a_graph() -> None:
    with pytest.raises(
        RuntimeError, match="^backward\\(\\) on a tensor that does not require grad"
    ):
        tinydl.tensor(1.0).backward()


def test_gradients_accumulate_until_zeroed(device: str) -> None:
    x = make([1.0, 2.0], device)
    (x * 2.0).sum().backward()
    (x * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [5.0, 5.0])
    x.zero_grad()
    assert x.grad is None


def test_second_backward_is_refused(device: str) -> None:
    y = (make([1.0, 2.0], device).exp() * 2.0).sum()
    y.backward()
    message = (
        "backward() through a graph a second time: its saved values were freed by the "
        "first backward(); pass retain_graph=True to the first call if you need two"
    )
    with pytest.raises(RuntimeError, match=f"^{re.escape(message)}$"):
        y.backward()


def test_retain_graph_allows_a_second_backward_that_accumulates(device: str) -> None:
    x = make([1.0, 2.0], device)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 8.0])


def test_backward_frees_the_graph(device: str) -> None:
    x = make([1.0, 2.0], device)
    hidden = x.exp()
    hidden_ref = weakref.ref(hidden)
    y = (hidden * 2.0).sum()
    del hidden
    assert hidden_ref() is not None  # the graph keeps it (and its saved arrays) alive
    y.backward()
    assert hidden_ref() is None
    assert not hasattr(y.creator, "inputs")


def test_retain_graph_keeps_the_graph(device: str) -> None:
    x = make([1.0, 2.0], device)
    hidden = x.exp()
    hidden_ref = weakref.ref(hidden)
    y = (hidden * 2.0).sum()
    del hidden
    y.backward(retain_graph=True)
    assert hidden_ref() is not None
    assert y.creator.inputs


def test_a_10000_op_chain_backward_needs_no_recursion(device: str) -> None:
    assert sys.getrecursionlimit() < 10_000
    x = make([0.5], device)
    y = x
    for _ in range(5_000):
        y = y * 1.0 + 1.0  # 10,000 ops in one chain
    y.sum().backward()
    np.testing.assert_array_equal(y.numpy(), [5_000.5])
    np.testing.assert_array_equal(x.grad.numpy(), [1.0])


def test_a_long_unused_graph_can_be_dropped() -> None:
    """Freeing a deep graph without backward() must not overflow the C stack either."""
    y = x = tinydl.tensor([0.5], requires_grad=True)
    for _ in range(10_000):
        y = y + 1.0
    del y
    assert x.grad is None


# ---- no_grad -----------------------------------------------------------------------------


def test_no_grad_builds_no_graph(device: str) -> None:
    x = make([1.0, 2.0], device)
    with tinydl.no_grad():
        assert not tinydl.is_grad_enabled()
        y = x * 2.0 + x
    assert tinydl.is_grad_enabled()
    assert y.requires_grad is False
    assert y.creator is None
    np.testing.assert_array_equal(y.numpy(), [3.0, 6.0])


def test_no_grad_as_a_decorator(device: str) -> None:
    @tinydl.no_grad()
    def double(t: Tensor) -> Tensor:
        assert not tinydl.is_grad_enabled()
        return t * 2.0

    x = make([1.0], device)
    for _ in range(2):  # the decorator works on every call, not only the first
        y = double(x)
        assert y.requires_grad is False and y.creator is None
    assert tinydl.is_grad_enabled()


def test_no_grad_restores_on_error_and_nests() -> None:
    with pytest.raises(KeyError), tinydl.no_grad():
        with tinydl.no_grad():
            pass
        assert not tinydl.is_grad_enabled()
        raise KeyError
    assert tinydl.is_grad_enabled()


# ---- comparisons and dtype stability -----------------------------------------------------


@pytest.mark.parametrize(
    ("compare", "expected"),
    [
        (lambda a, b: a < b, [True, False, False]),
        (lambda a, b: a <= b, [True, True, False]),
        (lambda a, b: a > b, [False, False, True]),
        (lambda a, b: a >= b, [False, True, True]),
        (lambda a, b: a == b, [False, True, False]),
        (lambda a, b: a != b, [True, False, True]),
    ],
    ids=["lt", "le", "gt", "ge", "eq", "ne"],
)
def test_comparisons_give_bool_tensors(compare, expected, device: str) -> None:
    a = tinydl.tensor([1.0, 2.0, 3.0], requires_grad=True, device=device)
    for other in (tinydl.tensor([2.0, 2.0, 2.0], device=device), 2.0, np.float64(2.0), 2):
        result = compare(a, other)
        assert result.dtype == np.bool_
        assert result.requires_grad is False and result.creator is None
        assert result.device == device
        np.testing.assert_array_equal(result.numpy(), expected)


SCALARS = [0.5, 2, np.float64(0.5), np.float32(0.5), np.int64(2), np.array(0.5)[()]]


@pytest.mark.parametrize("scalar", SCALARS, ids=lambda s: type(s).__name__)
@pytest.mark.parametrize(
    "op",
    [
        lambda x, s: x + s,
        lambda x, s: s + x,
        lambda x, s: x - s,
        lambda x, s: s - x,
        lambda x, s: x * s,
        lambda x, s: s * x,
        lambda x, s: x / s,
        lambda x, s: s / x,
        lambda x, s: x**s,
        lambda x, s: tinydl.maximum(x, s),
        lambda x, s: tinydl.maximum(s, x),
        lambda x, s: tinydl.where(x > 1.5, x, s),
        lambda x, s: tinydl.where(x > 1.5, s, x),
        lambda x, s: tinydl.clip(x, s, 10.0),
    ],
    ids=[
        "add",
        "radd",
        "sub",
        "rsub",
        "mul",
        "rmul",
        "div",
        "rdiv",
        "pow",
        "maximum",
        "rmaximum",
        "where-b",
        "where-a",
        "clip",
    ],
)
def test_scalars_never_change_a_float32_dtype(op, scalar, device: str) -> None:
    x = tinydl.tensor([1.0, 2.0], requires_grad=True, device=device)
    y = op(x, scalar)
    assert y.dtype == np.float32
    assert y.device == device
    y.sum().backward()
    assert x.grad.dtype == np.float32


def test_int_tensor_times_a_float_is_float32(device: str) -> None:
    assert (tinydl.tensor([1, 2], device=device) * 0.5).dtype == np.float32
    assert (tinydl.tensor([1, 2], device=device) * np.float64(0.5)).dtype == np.float32
    assert (tinydl.tensor([1, 2], device=device) * 2).dtype == np.int64


def test_float64_reductions_to_a_scalar_stay_float64(device: str) -> None:
    """NumPy returns an np.float64 scalar from a full reduction; it must not become float32."""
    x = make([[1.0, 2.0], [3.0, 4.0]], device)
    for result in (x.sum(), x.mean(), x.max(), x[0, 1], (x[0, 0] * x[1, 1])):
        assert result.dtype == np.float64
        assert result.device == device
    scalar = make(2.0, device)
    (scalar * scalar).backward()
    assert scalar.grad.dtype == np.float64


def test_backward_skips_a_branch_whose_consumer_passes_no_gradient():
    class StopGradient(tinydl.Function):
        """y = x, passing no gradient back."""

        def forward(self, x):
            return x * 1

        def backward(self, gy):
            return None

    x = tinydl.tensor([1.0, 2.0], requires_grad=True)
    y = StopGradient()(x * 3) + x  # only the direct path carries a gradient
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0])
