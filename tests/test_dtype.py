"""No silent upcast: every op keeps float32 inputs float32, in its output and in every grad.

The op table is the gradcheck table of ``test_ops_gradcheck`` (so a new op checked there is
checked here too), plus the reductions and conversions, run with float32 inputs.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from conftest import make
from test_ops_gradcheck import CASES, REDUCTION_AXES

import tinydl
from tinydl.autograd import function as engine

REDUCTIONS = [
    pytest.param(
        lambda x, name=name, axis=axis, keepdims=keepdims: getattr(x, name)(
            axis=axis, keepdims=keepdims  # keywords: max(x, int) is PyTorch's (values, indices)
        ),
        (np.random.default_rng(2).permutation(24).astype(float).reshape(2, 3, 4),),
        id=f"{name}-axis={axis}-keepdims={keepdims}",
    )
    for name in ("sum", "mean", "max")
    for axis in REDUCTION_AXES
    for keepdims in (False, True)
]
CONVERSIONS = [
    pytest.param(lambda x: x.to("fake").to("cpu").to(x.device), (np.ones(3),), id="to"),
    pytest.param(lambda x: x.detach() * x, (np.ones(3),), id="detach"),
    pytest.param(
        lambda x: tinydl.tensor([1, 2, 3], device=x.device) * x, (np.ones(3),), id="int*x"
    ),
    pytest.param(
        lambda x: tinydl.tensor([True, False, True], device=x.device) * x,
        (np.ones(3),),
        id="bool*x",
    ),
    pytest.param(lambda x: x * (x > 0.5), (np.ones(3),), id="x*mask"),
]


@pytest.fixture
def backward_dtypes(monkeypatch: pytest.MonkeyPatch) -> list[np.dtype]:
    """The dtype of every gradient a Function's backward returns, recorded before the engine
    casts it to its input's dtype (that cast would hide a backward that computes in float64)."""
    seen: list[np.dtype] = []
    unbroadcast = engine.sum_to_shape

    def recording_sum_to_shape(grad, shape):
        seen.append(grad.dtype)
        return unbroadcast(grad, shape)

    monkeypatch.setattr(engine, "sum_to_shape", recording_sum_to_shape)
    return seen


@pytest.mark.parametrize(("fn", "values"), CASES + REDUCTIONS + CONVERSIONS)
def test_float32_stays_float32(
    fn: Callable[..., tinydl.Tensor], values, device: str, backward_dtypes: list[np.dtype]
) -> None:
    inputs = [make(v, device, dtype="float32") for v in values]
    output = fn(*inputs)
    assert output.dtype == np.float32
    assert output.device == device
    output.sum().backward()
    for i, x in enumerate(inputs):
        assert x.grad is not None, f"input {i} got no gradient"
        assert x.grad.dtype == np.float32, f"input {i}'s gradient is {x.grad.dtype}"
        assert x.grad.shape == x.shape
        assert x.grad.device == device
    assert backward_dtypes, "no backward ran"
    assert set(backward_dtypes) == {np.dtype(np.float32)}
