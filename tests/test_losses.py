"""Loss functions: values against NumPy formulas written here (and PyTorch when installed),
gradient checks for every reduction, dtype preservation, stability and input errors."""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import make

import tinydl
from tinydl.ops.losses import (
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    mse_loss,
)

REDUCTIONS = ["mean", "sum", "none"]


# ---- NumPy references (float64, written independently of the implementation) -------------
def reduce_ref(losses: np.ndarray, reduction: str) -> np.ndarray:
    return {"mean": losses.mean(), "sum": losses.sum(), "none": losses}[reduction]


def cross_entropy_ref(x, target):
    log_probs = x - x.max(axis=1, keepdims=True)
    log_probs -= np.log(np.exp(log_probs).sum(axis=1, keepdims=True))
    if target.ndim == 1:
        return np.array([-log_probs[n, y] for n, y in enumerate(target)])
    return -(target * log_probs).sum(axis=1)


def bce_ref(x, t):
    p = 1 / (1 + np.exp(-x))
    return -(t * np.log(p) + (1 - t) * np.log(1 - p))


def mse_ref(x, t):
    return (x - t) ** 2


def multiclass_hinge_ref(s, y, margin=1.0):
    return np.array(
        [
            sum(max(0.0, s[n, j] - s[n, y[n]] + margin) for j in range(s.shape[1]) if j != y[n])
            for n in range(len(y))
        ]
    )


def binary_hinge_ref(s, t, margin=1.0):
    return np.maximum(0.0, margin - t * s)


# Each case: the loss, a builder of (input, target) host arrays for a batch of n, the reference.
CASES = {
    "ce_labels": (
        cross_entropy,
        lambda rng, n: (rng.normal(size=(n, 4)), rng.integers(0, 4, n)),
        cross_entropy_ref,
    ),
    # Targets that do not sum to 1 exercise the general gradient softmax·Σt − t.
    "ce_probs": (
        cross_entropy,
        lambda rng, n: (rng.normal(size=(n, 4)), rng.uniform(size=(n, 4))),
        cross_entropy_ref,
    ),
    "bce": (
        binary_cross_entropy_with_logits,
        lambda rng, n: (rng.normal(size=(n, 3)), rng.uniform(size=(n, 3))),
        bce_ref,
    ),
    "mse": (
        mse_loss,
        lambda rng, n: (rng.normal(size=(n, 2, 3)), rng.normal(size=(n, 2, 3))),
        mse_ref,
    ),
    "hinge_multiclass": (
        hinge_loss,
        lambda rng, n: (rng.normal(size=(n, 5)), rng.integers(0, 5, n)),
        multiclass_hinge_ref,
    ),
    "hinge_binary": (
        hinge_loss,
        lambda rng, n: (rng.normal(size=(n, 3)), rng.choice([-1.0, 1.0], size=(n, 3))),
        binary_hinge_ref,
    ),
}
FLOAT_TARGET_CASES = ["ce_probs", "bce", "mse"]  # the losses differentiable in the target


def target_tensor(values: np.ndarray, device: str, dtype: str = "float64", requires_grad=False):
    """Integer labels keep their dtype; float targets get the input's dtype."""
    if values.dtype.kind in "iu":
        return tinydl.tensor(values, device=device)
    return tinydl.tensor(values, dtype=dtype, device=device, requires_grad=requires_grad)


# ---- values and gradients --------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", CASES)
def test_values_match_numpy_reference(case, reduction, device, rng):
    loss_fn, build, reference = CASES[case]
    x, t = build(rng, 6)
    loss = loss_fn(
        make(x, device, requires_grad=False), target_tensor(t, device), reduction=reduction
    )
    np.testing.assert_allclose(loss.numpy(), reduce_ref(reference(x, t), reduction), rtol=1e-12)
    assert loss.device == device


@pytest.mark.parametrize("batch", [1, 5])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", CASES)
def test_gradcheck_wrt_input(case, reduction, batch, device, rng):
    loss_fn, build, _ = CASES[case]
    x, t = build(rng, batch)
    target = target_tensor(t, device)
    assert tinydl.gradcheck(lambda a: loss_fn(a, target, reduction=reduction), [make(x, device)])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", FLOAT_TARGET_CASES)
def test_gradcheck_wrt_float_target(case, reduction, device, rng):
    loss_fn, build, _ = CASES[case]
    x, t = build(rng, 3)
    inputs = [make(x, device), make(t, device)]
    assert tinydl.gradcheck(lambda a, b: loss_fn(a, b, reduction=reduction), inputs)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", CASES)
def test_float32_stays_float32(case, reduction, device, rng):
    loss_fn, build, _ = CASES[case]
    x, t = build(rng, 4)
    logits = make(x, device, dtype="float32")
    target = target_tensor(t, device, dtype="float32", requires_grad=case in FLOAT_TARGET_CASES)
    loss = loss_fn(logits, target, reduction=reduction)
    loss.sum().backward()
    assert loss.dtype == np.float32
    assert logits.grad.dtype == np.float32
    if target.requires_grad:
        assert target.grad.dtype == np.float32


@pytest.mark.parametrize("label_dtype", ["uint8", "int32", "int64"])
def test_cross_entropy_accepts_any_integer_label_dtype(label_dtype, device, rng):
    x = make(rng.normal(size=(3, 4)), device, dtype="float32")
    labels = tinydl.tensor(np.array([3, 0, 2], dtype=label_dtype), device=device)
    loss = cross_entropy(x, labels)
    loss.backward()
    expected = cross_entropy_ref(x.numpy().astype(np.float64), np.array([3, 0, 2])).mean()
    np.testing.assert_allclose(loss.item(), expected, rtol=1e-6)
    assert loss.dtype == np.float32 and x.grad.dtype == np.float32


def test_cross_entropy_gradient_is_softmax_minus_one_hot_over_n(device):
    x = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    logits = make(x, device)
    cross_entropy(logits, tinydl.tensor(np.array([2, 0]), device=device)).backward()
    softmax = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(logits.grad.numpy(), (softmax - np.eye(3)[[2, 0]]) / 2, rtol=1e-12)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cross_entropy_is_stable_for_huge_logits(dtype, device):
    x = make([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0]], device, dtype=dtype)
    loss = cross_entropy(x, tinydl.tensor(np.array([1, 1]), device=device), reduction="sum")
    loss.backward()
    # Row 0 puts all mass on class 0: −log softmax₁ = 2e4. Row 1 is certain and right: 0.
    np.testing.assert_allclose(loss.item(), 2e4, rtol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), [[1, -1, 0], [0, 0, 0]], atol=1e-6)

    x.grad = None
    probs = tinydl.tensor([[0.0, 1.0, 0.0], [0.5, 0.5, 0.0]], dtype=dtype, device=device)
    loss = cross_entropy(x, probs, reduction="none")
    loss.sum().backward()
    np.testing.assert_allclose(loss.numpy(), [2e4, 1e4], rtol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), [[1, -1, 0], [-0.5, 0.5, 0]], atol=1e-6)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_bce_with_logits_is_stable_for_huge_logits(dtype, device):
    x = make([1e4, -1e4, 1e4, -1e4], device, dtype=dtype)
    t = tinydl.tensor([1.0, 1.0, 0.0, 0.0], dtype=dtype, device=device)
    loss = binary_cross_entropy_with_logits(x, t, reduction="none")
    loss.sum().backward()
    np.testing.assert_allclose(loss.numpy(), [0, 1e4, 1e4, 0], rtol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), [0, -1, 1, 0], atol=1e-6)


def test_multiclass_hinge_matches_the_cs231n_example(device):
    scores = make([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]], device)
    labels = tinydl.tensor(np.array([0, 1, 2]), device=device)
    np.testing.assert_allclose(hinge_loss(scores, labels, reduction="none").numpy(), [2.9, 0, 12.9])
    loss = hinge_loss(scores, labels)
    loss.backward()
    np.testing.assert_allclose(loss.item(), 15.8 / 3)
    # Sample 0: class 1 violates (pushed down), class 2 does not; class 0 pushed up once.
    # Sample 2: both wrong classes violate, so the correct class is pushed up twice.
    expected = np.array([[-1, 1, 0], [0, 0, 0], [1, 1, -2]]) / 3
    np.testing.assert_allclose(scores.grad.numpy(), expected)


def test_hinge_margin(device):
    scores = make([[0.0, 0.5]], device)
    labels = tinydl.tensor(np.array([0]), device=device)
    np.testing.assert_allclose(hinge_loss(scores, labels, margin=2.0).item(), 2.5)
    # Binary: max(0, 0.25 − 1·0) + max(0, 0.25 − (−1)·(−0.5)) = 0.25 + 0.
    scores = make([[0.0, -0.5]], device)
    t = tinydl.tensor([[1.0, -1.0]], dtype="float64", device=device)
    np.testing.assert_allclose(hinge_loss(scores, t, margin=0.25, reduction="sum").item(), 0.25)


@pytest.mark.parametrize("case", ["hinge_multiclass", "hinge_binary"])
def test_hinge_numpy_float64_margin_keeps_float32(case, device, rng):
    x, t = CASES[case][1](rng, 3)
    scores = make(x, device, dtype="float32")
    loss = hinge_loss(scores, target_tensor(t, device, dtype="float32"), margin=np.float64(0.5))
    loss.backward()
    assert loss.dtype == np.float32 and scores.grad.dtype == np.float32


# ---- against PyTorch ---------------------------------------------------------------------
TORCH_CASES = ["ce_labels", "ce_probs", "bce", "mse", "hinge_multiclass"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", TORCH_CASES)
def test_values_and_gradients_match_torch(case, reduction, device, rng):
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    loss_fn, build, _ = CASES[case]
    x, t = build(rng, 5)

    torch_x = torch.tensor(x, requires_grad=True)
    torch_t = torch.tensor(t)
    if case.startswith("ce"):
        expected = functional.cross_entropy(torch_x, torch_t, reduction=reduction)
    elif case == "bce":
        expected = functional.binary_cross_entropy_with_logits(
            torch_x, torch_t, reduction=reduction
        )
    elif case == "mse":
        expected = functional.mse_loss(torch_x, torch_t, reduction=reduction)
    else:  # MultiMarginLoss divides the cs231n sum by C; ours is the sum.
        expected = functional.multi_margin_loss(torch_x, torch_t, reduction=reduction) * x.shape[1]
    expected.sum().backward()

    ours_x = make(x, device)
    ours = loss_fn(ours_x, target_tensor(t, device), reduction=reduction)
    ours.sum().backward()
    np.testing.assert_allclose(ours.numpy(), expected.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours_x.grad.numpy(), torch_x.grad.numpy(), rtol=1e-10, atol=1e-14)


# ---- bad input ---------------------------------------------------------------------------
LOSSES = {
    "cross_entropy": (cross_entropy, np.array([0, 1])),
    "binary_cross_entropy_with_logits": (binary_cross_entropy_with_logits, np.zeros((2, 3))),
    "mse_loss": (mse_loss, np.zeros((2, 3))),
    "hinge_loss": (hinge_loss, np.array([0, 1])),
}


@pytest.mark.parametrize("name", LOSSES)
def test_unknown_reduction_lists_the_choices(name, device):
    loss_fn, target = LOSSES[name]
    x = make(np.zeros((2, 3)), device)
    message = f"{name}(): reduction must be 'mean', 'sum' or 'none', got 'avg'"
    with pytest.raises(ValueError, match=re.escape(message)):
        loss_fn(x, target_tensor(target, device), reduction="avg")


@pytest.mark.parametrize("name", LOSSES)
def test_integer_input_is_refused(name, device):
    loss_fn, target = LOSSES[name]
    x = tinydl.tensor(np.zeros((2, 3), dtype=np.int64), device=device)
    what = {"mse_loss": "input", "hinge_loss": "scores"}.get(name, "logits")
    with pytest.raises(
        TypeError, match=re.escape(f"{name}(): {what} must be a floating-point Tensor")
    ):
        loss_fn(x, tinydl.tensor(target, device=device))


@pytest.mark.parametrize(
    ("name", "bad", "message"),
    [
        (
            "cross_entropy",
            3,
            "cross_entropy() got class label 3, but logits has C=3 classes: "
            "labels must be in [0, 3)",
        ),
        (
            "cross_entropy",
            -1,
            "cross_entropy() got class label -1, but logits has C=3 classes: "
            "labels must be in [0, 3)",
        ),
        (
            "hinge_loss",
            7,
            "hinge_loss() got class label 7, but scores has C=3 classes: labels must be in [0, 3)",
        ),
    ],
)
def test_label_out_of_range(name, bad, message, device):
    loss_fn = LOSSES[name][0]
    labels = tinydl.tensor(np.array([0, bad, 1]), device=device)
    with pytest.raises(ValueError, match=re.escape(message)):
        loss_fn(make(np.zeros((3, 3)), device), labels)


@pytest.mark.parametrize(
    ("target", "error", "message"),
    [
        (
            np.zeros((4, 1), dtype=np.int64),
            ValueError,
            "cross_entropy() needs integer class labels of shape (N,) = (4,) for logits of shape "
            "(N, C) = (4, 3), got shape (4, 1)",
        ),
        (
            np.zeros((4, 2)),
            ValueError,
            "cross_entropy() needs targets of shape (N,) = (4,) (integer class labels) or "
            "(N, C) = (4, 3) (probabilities), got shape (4, 2)",
        ),
        (
            np.zeros(4),
            TypeError,
            "cross_entropy() got float64 targets of shape (4,): class labels need an integer dtype "
            "(use target.astype('int64')), probability targets need the logits' shape (4, 3)",
        ),
        (
            np.zeros((4, 3), dtype=np.float32),
            TypeError,
            "cross_entropy(): logits is float64 but target is float32; convert one of them",
        ),
        (
            np.zeros((4, 3), dtype=bool),
            TypeError,
            "cross_entropy(): logits is float64 but target is bool; convert one of them",
        ),
    ],
)
def test_cross_entropy_bad_targets(target, error, message, device):
    with pytest.raises(error, match=re.escape(message)):
        cross_entropy(
            make(np.zeros((4, 3)), device), tinydl.tensor(target, dtype=target.dtype, device=device)
        )


def test_cross_entropy_needs_2d_logits(device):
    with pytest.raises(
        ValueError, match=re.escape(
            "cross_entropy(): logits must be a floating-point Tensor of shape (N, C), got shape "
            "(3,)"
        )
    ):
        cross_entropy(make(np.zeros(3), device), tinydl.tensor(np.array([0]), device=device))


@pytest.mark.parametrize("loss_fn", [binary_cross_entropy_with_logits, mse_loss, hinge_loss])
def test_elementwise_targets_need_the_input_shape_and_dtype(loss_fn, device):
    name = loss_fn.__name__
    what = {"mse_loss": "input", "hinge_loss": "scores"}.get(name, "logits")
    x = make(np.zeros((2, 3)), device)
    with pytest.raises(
        ValueError,
        match=re.escape(f"{name}() needs target of the same shape as {what}, (2, 3), got (3, 2)"),
    ):
        loss_fn(x, make(np.ones((3, 2)), device, requires_grad=False))
    with pytest.raises(
        TypeError,
        match=re.escape(f"{name}(): {what} is float64 but target is float32; convert one of them"),
    ):
        loss_fn(x, make(np.ones((2, 3)), device, requires_grad=False, dtype="float32"))


def test_binary_hinge_needs_plus_minus_one_targets(device):
    with pytest.raises(
        ValueError,
        match=re.escape(
            "hinge_loss() needs binary targets of +1 or -1, got 0.0 (turn 0/1 labels into ±1 with "
            "2 * target - 1)"
        ),
    ):
        hinge_loss(make(np.zeros(3), device), make([1.0, 0.0, -1.0], device, requires_grad=False))


def test_multiclass_hinge_needs_2d_scores(device):
    with pytest.raises(
        ValueError,
        match=re.escape(
            "hinge_loss() with integer class labels needs scores of shape (N, C), got shape (3,)"
        ),
    ):
        hinge_loss(make(np.zeros(3), device), tinydl.tensor(np.array([0, 1, 0]), device=device))


def test_multiclass_hinge_label_shape(device):
    with pytest.raises(
        ValueError,
        match=re.escape(
            "hinge_loss() needs integer class labels of shape (N,) = (2,) for scores of shape "
            "(N, C) = (2, 3), got shape (3,)"
        ),
    ):
        hinge_loss(
            make(np.zeros((2, 3)), device), tinydl.tensor(np.array([0, 1, 0]), device=device)
        )
