"""tinydl against PyTorch: forward values and gradients of conv2d, max_pool2d, the losses,
batch_norm and softmax/log_softmax, and five steps of every optimiser, compared with the
fixtures in ``tests/reference/`` that ``tests/reference/make_reference.py`` wrote with
PyTorch (float64, CPU). Torch itself is not needed here, so these checks run in every CI.

Each comparison runs in float64 with tight tolerances (only rounding may differ) and once in
float32 against the same float64 reference (catching dtype slips: every output and gradient
must stay float32), on every device of the ``device`` fixture.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import make

import tinydl
from tinydl.ops.conv import conv2d
from tinydl.ops.losses import binary_cross_entropy_with_logits, cross_entropy, hinge_loss, mse_loss
from tinydl.ops.normalization import batch_norm
from tinydl.ops.pooling import max_pool2d

REFERENCE_DIR = Path(__file__).parent / "reference"
FIXTURES = ("conv2d", "max_pool2d", "losses", "batch_norm", "activations", "optim")
Case = dict[str, np.ndarray]


def load_cases(name: str) -> dict[str, Case]:
    """``{case: {field: array}}`` from ``reference/<name>.npz``, whose keys are
    ``<case>.<field>`` (a case name may itself contain dots; a field name never does)."""
    cases: dict[str, Case] = {}
    with np.load(REFERENCE_DIR / f"{name}.npz", allow_pickle=False) as archive:
        for key in archive.files:
            if key != "torch_version":
                case, field = key.rsplit(".", 1)
                cases.setdefault(case, {})[field] = archive[key]
    return cases


CONV, POOL, LOSSES, BATCH_NORM, ACTIVATIONS, OPTIM = (load_cases(name) for name in FIXTURES)
DTYPES = ["float64", "float32"]
# Relative tolerance per dtype; the absolute one scales with the reference's magnitude (see
# assert_matches), because rounding errors scale with the values summed, not the result.
OP_RTOL = {"float64": 1e-10, "float32": 1e-5}
OPTIMIZER_RTOL = {"float64": 1e-12, "float32": 1e-5}


def assert_matches(actual: tinydl.Tensor, expected: np.ndarray, dtype: str, rtol: float) -> None:
    """``actual`` has ``expected``'s shape, keeps ``dtype`` and equals it up to ``rtol``."""
    assert actual.dtype == np.dtype(dtype), f"{actual.dtype} instead of {dtype}"
    assert actual.shape == expected.shape
    scale = max(1.0, float(np.abs(expected).max()))
    np.testing.assert_allclose(actual.numpy(), expected, rtol=rtol, atol=rtol * scale)


def check_all(pairs: list[tuple[tinydl.Tensor, np.ndarray]], dtype: str) -> None:
    for actual, expected in pairs:
        assert_matches(actual, expected, dtype, OP_RTOL[dtype])


def int_or_pair(values: np.ndarray) -> int | tuple[int, int]:
    """(2, 2) as the int 2, (2, 1) as the pair: so both spellings of the argument get used."""
    first, second = (int(v) for v in values)
    return first if first == second else (first, second)


def backward(y: tinydl.Tensor, ref: Case, device: str, dtype: str) -> None:
    """Back-propagate the fixture's upstream gradient ``gy`` through ``y``."""
    y.backward(make(ref["gy"], device, requires_grad=False, dtype=dtype))


def test_every_fixture_records_the_torch_version_that_made_it():
    for name in FIXTURES:
        with np.load(REFERENCE_DIR / f"{name}.npz", allow_pickle=False) as archive:
            version = str(archive["torch_version"])
        assert version[0].isdigit() and "." in version, f"{name}.npz: {version!r}"


# ---- conv2d, max_pool2d -----------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", sorted(CONV))
def test_conv2d_matches_torch(case: str, dtype: str, device: str):
    ref = CONV[case]
    x = make(ref["x"], device, dtype=dtype)
    weight = make(ref["weight"], device, dtype=dtype)
    bias = make(ref["bias"], device, dtype=dtype) if "bias" in ref else None
    y = conv2d(
        x, weight, bias, stride=int_or_pair(ref["stride"]), padding=int_or_pair(ref["padding"])
    )
    backward(y, ref, device, dtype)
    expected = [(y, ref["y"]), (x.grad, ref["gx"]), (weight.grad, ref["gweight"])]
    if bias is not None:
        expected.append((bias.grad, ref["gbias"]))
    check_all(expected, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", sorted(POOL))
def test_max_pool2d_matches_torch(case: str, dtype: str, device: str):
    ref = POOL[case]
    x = make(ref["x"], device, dtype=dtype)
    stride = int_or_pair(ref["stride"]) if "stride" in ref else None
    y = max_pool2d(
        x, int_or_pair(ref["kernel_size"]), stride=stride, padding=int_or_pair(ref["padding"])
    )
    backward(y, ref, device, dtype)
    check_all([(y, ref["y"]), (x.grad, ref["gx"])], dtype)


# ---- losses -----------------------------------------------------------------------------------
def tinydl_loss(ref: Case, x: tinydl.Tensor, target: tinydl.Tensor) -> tinydl.Tensor:
    loss, reduction = str(ref["loss"]), str(ref["reduction"])
    if loss.startswith("cross_entropy"):
        return cross_entropy(x, target, reduction=reduction)
    if loss == "binary_cross_entropy_with_logits":
        return binary_cross_entropy_with_logits(x, target, reduction=reduction)
    if loss == "mse_loss":
        return mse_loss(x, target, reduction=reduction)
    return hinge_loss(x, target, margin=float(ref["margin"]), reduction=reduction)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", sorted(LOSSES))
def test_loss_matches_torch(case: str, dtype: str, device: str):
    ref = LOSSES[case]
    x = make(ref["x"], device, dtype=dtype)
    if ref["target"].dtype.kind == "i":  # class labels keep their integer dtype
        target = tinydl.tensor(ref["target"], device=device)
    else:
        target = make(ref["target"], device, requires_grad="gtarget" in ref, dtype=dtype)
    y = tinydl_loss(ref, x, target)
    backward(y, ref, device, dtype)
    expected = [(y, ref["y"]), (x.grad, ref["gx"])]
    if "gtarget" in ref:
        expected.append((target.grad, ref["gtarget"]))
    check_all(expected, dtype)


# ---- batch_norm, softmax, log_softmax ---------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", sorted(BATCH_NORM))
def test_batch_norm_matches_torch(case: str, dtype: str, device: str):
    ref = BATCH_NORM[case]
    x = make(ref["x"], device, dtype=dtype)
    weight, bias, running_mean, running_var = (
        make(ref[name], device, requires_grad=name in ("weight", "bias"), dtype=dtype)
        if name in ref
        else None
        for name in ("weight", "bias", "running_mean", "running_var")
    )
    y = batch_norm(
        x,
        running_mean,
        running_var,
        weight,
        bias,
        training=bool(ref["training"]),
        momentum=float(ref["momentum"]),
    )
    backward(y, ref, device, dtype)
    expected = [(y, ref["y"]), (x.grad, ref["gx"])]
    if weight is not None:
        expected += [(weight.grad, ref["gweight"]), (bias.grad, ref["gbias"])]
    if running_mean is not None:  # updated in place in training, untouched in evaluation
        expected += [
            (running_mean, ref["running_mean_after"]),
            (running_var, ref["running_var_after"]),
        ]
    check_all(expected, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", sorted(ACTIVATIONS))
def test_softmax_and_log_softmax_match_torch(case: str, dtype: str, device: str):
    ref = ACTIVATIONS[case]
    x = make(ref["x"], device, dtype=dtype)
    y = getattr(tinydl, str(ref["function"]))(x, axis=int(ref["axis"]))
    backward(y, ref, device, dtype)
    check_all([(y, ref["y"]), (x.grad, ref["gx"])], dtype)


# ---- optimisers -------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", sorted(OPTIM))
def test_optimizer_steps_match_torch(case: str, dtype: str, device: str):
    """Five steps fed the fixture's gradients land where PyTorch's did after every step."""
    ref = OPTIM[case]
    config = json.loads(str(ref["config"]))
    count = sum(field.endswith("_initial") for field in ref)
    params = [make(ref[f"param{i}_initial"], device, dtype=dtype) for i in range(count)]
    optimizer = getattr(tinydl.optim, config["optimizer"])(params, **config["kwargs"])
    steps = len(ref["param0_grads"])
    for step in range(steps):
        for i, param in enumerate(params):
            param.grad = make(
                ref[f"param{i}_grads"][step], device, requires_grad=False, dtype=dtype
            )
        optimizer.step()
        for i, param in enumerate(params):
            assert_matches(param, ref[f"param{i}_after"][step], dtype, OPTIMIZER_RTOL[dtype])
