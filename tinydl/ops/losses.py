"""Loss functions, each one fused Function: forward computes the per-sample losses and
reduces them, backward writes the whole derivative in one line instead of walking a graph
of small ops (which would also be less stable: log(softmax) as two ops overflows).

Every loss takes ``reduction`` (PyTorch's argument): ``"mean"`` averages the losses (over
samples for the classification losses, over elements for the element-wise ones),
``"sum"`` adds them, ``"none"`` returns them unreduced. The result has the input's dtype.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tinydl import backend, check
from tinydl.autograd.function import Function
from tinydl.autograd.tensor import Tensor
from tinydl.autograd.tensor_checks import floating, same_dtype
from tinydl.backend import kernels
from tinydl.ops.logit_check import warn_if_probabilities, warn_unless_log_probabilities
from tinydl.ops.operands import as_tensor
from tinydl.ops.value_checks import due, refuse_outside

REDUCTIONS = ("mean", "sum", "none")


class _Loss(Function):
    """The reduction step shared by every loss. Forward reduces the unreduced losses Lᵢ;
    backward hands each Lᵢ its gradient: g/n for 'mean' (n losses), g for 'sum', gᵢ for
    'none'. Each loss's backward multiplies that by dLᵢ/d(input)."""

    def __init__(self, reduction: str) -> None:
        self.reduction = reduction

    def reduce(self, losses, count=None):
        """``count`` overrides n for 'mean' when some losses do not count (``ignore_index``);
        with none counting the mean is NaN and every gradient 0, as in PyTorch."""
        self.count = losses.size if count is None else count
        if self.reduction == "mean":
            if count is None:
                return losses.mean()
            return losses.sum() / count if count else losses.sum() * math.nan
        return losses.sum() if self.reduction == "sum" else losses

    def loss_grads(self, gy):
        if self.reduction != "mean":
            return gy
        return gy / self.count if self.count else gy * 0


class CrossEntropy(_Loss):
    """Softmax cross-entropy of logits x (N, C) against target distributions t (N, C):

        Lₙ = −Σ_c t_nc · log softmax(xₙ)_c.

    An integer label yₙ stands for the one-hot row t_nc = [c = yₙ], so Lₙ = −log softmax(xₙ)_yₙ.
    Label smoothing ε replaces t by (1 − ε)·t + ε/C (some probability on every class).
    Rows whose label is ``ignore_index`` (marked in ``ignored``) have Lₙ = 0 and do not count
    in the mean.

    dLₙ/dx_nc = softmax(xₙ)_c · Σ_k t_nk − t_nc, which is softmax(xₙ) − tₙ for a target that
    sums to 1 (a label, one-hot row or distribution): predicted minus wanted probabilities.
    dLₙ/dt_nc = −(1 − ε)·log softmax(xₙ)_c.
    """

    def __init__(self, reduction: str, label_smoothing: float = 0.0, ignored=None) -> None:
        super().__init__(reduction)
        self.smoothing = label_smoothing
        self.ignored = ignored  # boolean (N,) array, or None when no label is ignored

    def forward(self, logits, target):
        self.has_labels = target.dtype.kind in "iu"
        self.fused = None  # what the fused CUDA kernel's backward needs, when forward used it
        plain_labels = self.has_labels and self.ignored is None and not self.smoothing
        if plain_labels and backend.is_cuda(logits):  # kernels/softmax_cross_entropy.cu
            losses, self.fused = kernels.cross_entropy_forward(logits, target)
            return self.reduce(losses)
        xp = backend.array_module(logits)
        shifted = logits - logits.max(axis=1, keepdims=True)  # e^x never overflows
        self.log_probs = shifted - xp.log(xp.exp(shifted).sum(axis=1, keepdims=True))
        if not self.has_labels:
            if self.smoothing:  # Python floats: the target keeps its dtype
                target = target * (1 - self.smoothing) + self.smoothing / logits.shape[1]
            self.target = target
            return self.reduce(-(target * self.log_probs).sum(axis=1))
        self.rows = xp.arange(len(target))
        # Ignored rows point at class 0 so the gather stays in range; they are zeroed below.
        self.labels = target if self.ignored is None else xp.where(self.ignored, 0, target)
        losses = -self.log_probs[self.rows, self.labels]
        if self.smoothing:
            spread = -self.log_probs.mean(axis=1)  # −Σ_c (1/C)·log softmax(x)_c
            losses = (1 - self.smoothing) * losses + self.smoothing * spread
        if self.ignored is None:
            return self.reduce(losses)
        losses[self.ignored] = 0
        return self.reduce(losses, count=len(target) - int(self.ignored.sum()))

    def backward(self, gy):
        if self.fused is not None:  # (softmax − onehot)·g/N in one kernel, g/N included
            count = self.count if self.reduction == "mean" else 1
            return kernels.cross_entropy_backward(self.fused, gy, count), None
        g = self.loss_grads(gy).reshape(-1, 1)  # one factor per sample, as a column
        probs = backend.array_module(gy).exp(self.log_probs)
        if self.has_labels:
            if self.smoothing:
                probs -= self.smoothing / probs.shape[1]
            # minus the (smoothed) one-hot, without building it
            probs[self.rows, self.labels] -= 1 - self.smoothing
            if self.ignored is not None:
                probs[self.ignored] = 0
            return probs * g, None
        gx = (probs * self.target.sum(axis=1, keepdims=True) - self.target) * g
        if not self.needs_grad[1]:
            return gx, None
        return gx, -self.log_probs * g * (1 - self.smoothing)


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities x (N, C) (``log_softmax``'s output) for
    integer labels y: Lₙ = −x_nyₙ. Rows whose label is ``ignore_index`` (marked in
    ``ignored``) have Lₙ = 0 and do not count in the mean.

    dLₙ/dx_nc = −[c = yₙ] (0 for ignored rows).
    """

    def __init__(self, reduction: str, ignored=None) -> None:
        super().__init__(reduction)
        self.ignored = ignored

    def forward(self, log_probs, labels):
        xp = backend.array_module(log_probs)
        self.shape, self.rows = log_probs.shape, xp.arange(len(labels))
        self.labels = labels if self.ignored is None else xp.where(self.ignored, 0, labels)
        losses = -log_probs[self.rows, self.labels]
        if self.ignored is None:
            return self.reduce(losses)
        losses[self.ignored] = 0
        return self.reduce(losses, count=len(labels) - int(self.ignored.sum()))

    def backward(self, gy):
        xp = backend.array_module(gy)
        g = xp.broadcast_to(self.loss_grads(gy), self.rows.shape)
        if self.ignored is not None:
            g = xp.where(self.ignored, 0, g)
        gx = xp.zeros(self.shape, dtype=gy.dtype)
        gx[self.rows, self.labels] = -g
        return gx, None


class BinaryCrossEntropyWithLogits(_Loss):
    """Lᵢ = −[tᵢ log σ(xᵢ) + (1 − tᵢ) log(1 − σ(xᵢ))] for logits x and targets t in [0, 1],
    computed as max(x, 0) − x·t + log(1 + e^−|x|), which equals log(1 + eˣ) − x·t but never
    exponentiates a positive number.

    dL/dx = σ(x) − t,   dL/dt = −x.
    """

    def forward(self, x, t):
        xp = backend.array_module(x)
        self.x, self.t = x, t
        return self.reduce(xp.maximum(x, 0) - x * t + xp.log1p(xp.exp(-xp.abs(x))))

    def backward(self, gy):
        g = self.loss_grads(gy)
        sigmoid = 0.5 * (backend.array_module(gy).tanh(0.5 * self.x) + 1)  # overflow-free σ
        return (sigmoid - self.t) * g, (-self.x * g if self.needs_grad[1] else None)


class BinaryCrossEntropy(_Loss):
    """Lᵢ = −[tᵢ log pᵢ + (1 − tᵢ) log(1 − pᵢ)] for probabilities p (a Sigmoid's output) and
    targets t in [0, 1]. As in PyTorch each log is clamped at −100, so p = 0 or 1 gives a
    large finite loss, not inf.

    dL/dp = (p − t) / (p(1 − p)), with p(1 − p) kept >= 1e-12 (PyTorch's guard),
    dL/dt = log(1 − p) − log p, with the clamped logs (PyTorch's uses unclamped ones, ±inf
    where p is 0 or 1).
    """

    def forward(self, p, t):
        xp = backend.array_module(p)
        self.p, self.t = p, t
        with np.errstate(divide="ignore"):  # log 0 = -inf, clamped to -100 next
            self.log_p = xp.maximum(xp.log(p), -100)
            self.log_not_p = xp.maximum(xp.log1p(-p), -100)
        return self.reduce(-(t * self.log_p + (1 - t) * self.log_not_p))

    def backward(self, gy):
        g = self.loss_grads(gy)
        xp = backend.array_module(gy)
        dp = (self.p - self.t) / xp.maximum(self.p * (1 - self.p), 1e-12)
        dt = (self.log_not_p - self.log_p) * g if self.needs_grad[1] else None
        return dp * g, dt


class MSELoss(_Loss):
    """Lᵢ = (xᵢ − tᵢ)².   dL/dx = 2(x − t),   dL/dt = −2(x − t)."""

    def forward(self, x, t):
        self.diff = x - t
        return self.reduce(self.diff * self.diff)

    def backward(self, gy):
        gx = 2 * self.diff * self.loss_grads(gy)
        return gx, (-gx if self.needs_grad[1] else None)


class _DistanceLoss(_Loss):
    """A loss of the difference dᵢ = xᵢ − tᵢ alone, Lᵢ = ℓ(dᵢ): forward saves d, backward
    hands x the slope ℓ'(d) times the reduction's factor and t its negative (dd/dt = −1)."""

    def forward(self, x, t):
        self.d = x - t
        return self.reduce(self.pointwise(self.d, backend.array_module(x)))

    def backward(self, gy):
        gx = self.slope(self.d, backend.array_module(gy)) * self.loss_grads(gy)
        return gx, (-gx if self.needs_grad[1] else None)


class L1Loss(_DistanceLoss):
    """Lᵢ = |xᵢ − tᵢ|.   dL/dx = sign(x − t) (0 where x = t, PyTorch's choice),
    dL/dt = −sign(x − t)."""

    def pointwise(self, d, xp):
        return xp.abs(d)

    def slope(self, d, xp):
        return xp.sign(d)


class SmoothL1Loss(_DistanceLoss):
    """With d = x − t and β > 0:  Lᵢ = 0.5·dᵢ²/β where |dᵢ| < β, else |dᵢ| − 0.5·β: a
    parabola near 0 (smooth at the minimum), a straight line beyond β (outliers pull no
    harder than in L1). β = 0 is the L1 loss.

    dL/dx = d/β where |d| < β, else sign(d);   dL/dt = −dL/dx.
    """

    def __init__(self, reduction: str, beta: float) -> None:
        super().__init__(reduction)
        self.beta = beta

    def pointwise(self, d, xp):
        size = xp.abs(d)
        if self.beta == 0:
            return size
        return xp.where(size < self.beta, 0.5 * d * d / self.beta, size - 0.5 * self.beta)

    def slope(self, d, xp):
        if self.beta == 0:
            return xp.sign(d)
        return xp.where(xp.abs(d) < self.beta, d / self.beta, xp.sign(d))


class HuberLoss(_DistanceLoss):
    """With d = x − t and δ > 0:  Lᵢ = 0.5·dᵢ² where |dᵢ| < δ, else δ·(|dᵢ| − 0.5·δ): the
    smooth L1 loss times δ (with β = δ).

    dL/dx = d where |d| < δ, else δ·sign(d);   dL/dt = −dL/dx.
    """

    def __init__(self, reduction: str, delta: float) -> None:
        super().__init__(reduction)
        self.delta = delta

    def pointwise(self, d, xp):
        size = xp.abs(d)
        return xp.where(size < self.delta, 0.5 * d * d, self.delta * (size - 0.5 * self.delta))

    def slope(self, d, xp):
        return xp.where(xp.abs(d) < self.delta, d, self.delta * xp.sign(d))


class _Hinge(_Loss):
    """A hinge loss: a reduction and a margin."""

    def __init__(self, reduction: str, margin: float) -> None:
        super().__init__(reduction)
        self.margin = margin


class MulticlassHinge(_Hinge):
    """Multiclass SVM hinge loss (Weston–Watkins, as in cs231n) of scores s (N, C) and labels y:

        Lₙ = Σ_{j≠yₙ} max(0, s_nj − s_nyₙ + margin).

    dLₙ/ds_nj = [s_nj − s_nyₙ + margin > 0] for j ≠ yₙ (each violating class is pushed down),
    dLₙ/ds_nyₙ = −(number of violating classes) (the correct class is pushed up as often).
    """

    def forward(self, scores, labels):
        xp = backend.array_module(scores)
        self.rows, self.labels = xp.arange(len(labels)), labels
        correct = scores[self.rows, labels].reshape(-1, 1)
        margins = xp.maximum(scores - correct + self.margin, 0)
        margins[self.rows, labels] = 0  # the correct class is not compared with itself
        self.violating = margins > 0
        return self.reduce(margins.sum(axis=1))

    def backward(self, gy):
        grad = self.violating.astype(gy.dtype)
        grad[self.rows, self.labels] = -grad.sum(axis=1)
        return grad * self.loss_grads(gy).reshape(-1, 1), None


class BinaryHinge(_Hinge):
    """Lᵢ = max(0, margin − tᵢ·sᵢ) for scores s and targets t = ±1.

    dL/ds = −t where margin − t·s > 0, else 0. (No gradient for t: it may only be ±1.)
    """

    def forward(self, scores, t):
        self.t = t
        slack = self.margin - t * scores
        self.active = slack > 0
        return self.reduce(backend.array_module(scores).maximum(slack, 0))

    def backward(self, gy):
        xp = backend.array_module(gy)
        return xp.where(self.active, -self.t, 0) * self.loss_grads(gy), None


def cross_entropy(
    logits: Tensor,
    target: Tensor | Any,
    reduction: str = "mean",
    *,
    label_smoothing: float = 0.0,
    ignore_index: int = -100,
) -> Tensor:
    """Softmax cross-entropy of ``logits`` (N, C), the standard classification loss.

    ``target`` is either integer class labels of shape (N,) (any integer dtype, each in
    [0, C) or equal to ``ignore_index``) or probabilities of shape (N, C) with the logits'
    dtype (one-hot rows, smoothed labels). 'mean' divides the summed per-sample losses by
    the number of labels not ignored (N without any). ``label_smoothing`` ε in [0, 1] mixes
    the target with the uniform distribution: (1 − ε)·t + ε/C. Arguments as in PyTorch's
    ``F.cross_entropy``. Stable for any finite logits (log-softmax with the row maximum
    subtracted). The labels' range is checked (on a GPU on the first calls only).

    ``logits`` must be scores, not probabilities: a model that ends in Softmax gets a
    :class:`~tinydl.errors.ProbabilitiesAsLogitsWarning` (the softmax would be applied twice).
    """
    _check_input("cross_entropy()", "logits", logits, reduction, "(N, C)")
    smoothing = check.probability("cross_entropy()", "label_smoothing", label_smoothing)
    check.integer("cross_entropy()", "ignore_index", ignore_index)
    target = as_tensor(target, logits)
    n = len(logits)
    ignored = None
    if target.dtype.kind in "iu":
        ignored = _check_labels("cross_entropy()", "logits", logits, target, ignore_index)
    elif target.shape == (n,):
        raise TypeError(
            f"cross_entropy() got {target.dtype} targets of shape {target.shape}: class labels "
            f"need an integer dtype (use target.astype('int64')), probability targets need the "
            f"logits' shape {logits.shape}"
        )
    elif target.shape != logits.shape:
        raise ValueError(
            f"cross_entropy() needs targets of shape (N,) = ({n},) (integer class labels) or "
            f"(N, C) = {logits.shape} (probabilities), got shape {target.shape}"
        )
    else:
        _check_like_input("cross_entropy()", "logits", logits, target)
    warn_if_probabilities(logits, "cross_entropy")
    return CrossEntropy(reduction, smoothing, ignored)(logits, target)


def nll_loss(
    input: Tensor,  # noqa: A002  (PyTorch's name)
    target: Tensor | Any,
    reduction: str = "mean",
    *,
    ignore_index: int = -100,
) -> Tensor:
    """Negative log-likelihood: −input[n, target[n]] for log-probabilities ``input`` (N, C),
    the output of ``log_softmax(x, dim=1)``; ``log_softmax`` then ``nll_loss`` is
    ``cross_entropy``. ``target`` holds integer class labels (N,) in [0, C), or
    ``ignore_index`` for rows that neither add to the loss nor count in the 'mean'.
    Arguments as in PyTorch's ``F.nll_loss``.

    ``input`` that is not log-probabilities (raw scores, a model without its LogSoftmax)
    gets a :class:`~tinydl.errors.NotLogProbabilitiesWarning`: the loss would reward ever
    larger scores.
    """
    _check_input("nll_loss()", "input", input, reduction, "(N, C)")
    check.integer("nll_loss()", "ignore_index", ignore_index)
    target = as_tensor(target, input)
    if target.dtype.kind not in "iu":
        raise TypeError(
            f"nll_loss() needs integer class labels as target, got dtype {target.dtype} "
            f"(use target.astype('int64'))"
        )
    ignored = _check_labels("nll_loss()", "input", input, target, ignore_index)
    warn_unless_log_probabilities(input, "nll_loss")
    return NLLLoss(reduction, ignored)(input, target)


def binary_cross_entropy_with_logits(
    logits: Tensor, target: Tensor | Any, reduction: str = "mean"
) -> Tensor:
    """Binary cross-entropy of σ(logits) against ``target`` probabilities of the same shape
    and dtype, computed from the logits so that no log(0) or overflow can occur."""
    _check_input("binary_cross_entropy_with_logits()", "logits", logits, reduction)
    target = as_tensor(target, logits)
    _check_like_input("binary_cross_entropy_with_logits()", "logits", logits, target)
    return BinaryCrossEntropyWithLogits(reduction)(logits, target)


def binary_cross_entropy(
    input: Tensor,  # noqa: A002  (PyTorch's name)
    target: Tensor | Any,
    reduction: str = "mean",
) -> Tensor:
    """Binary cross-entropy of probabilities ``input`` (a Sigmoid's output, each in [0, 1])
    against ``target`` probabilities of the same shape and dtype; PyTorch's
    ``F.binary_cross_entropy``. :func:`binary_cross_entropy_with_logits` on the logits
    before the sigmoid is the stabler form of the same loss. Values outside [0, 1] (or NaN)
    are refused, on a GPU on the first calls only (see :mod:`tinydl.ops.value_checks`)."""
    _check_input("binary_cross_entropy()", "input", input, reduction)
    target = as_tensor(target, input)
    _check_like_input("binary_cross_entropy()", "input", input, target)
    refuse_outside("binary_cross_entropy()", "input", input.array, 0, 1, "probabilities", (
        "; nn.Sigmoid() gives them, and raw scores go to binary_cross_entropy_with_logits "
        "(nn.BCEWithLogitsLoss)"))
    refuse_outside("binary_cross_entropy()", "target", target.array, 0, 1, "probabilities",
                   "; targets are labels 0 and 1, or soft labels between")
    return BinaryCrossEntropy(reduction)(input, target)


def mse_loss(input: Tensor, target: Tensor | Any, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Mean squared error: (input − target)² averaged over all elements ('mean')."""
    _check_input("mse_loss()", "input", input, reduction)
    target = as_tensor(target, input)
    _check_like_input("mse_loss()", "input", input, target)
    return MSELoss(reduction)(input, target)


def l1_loss(input: Tensor, target: Tensor | Any, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Mean absolute error: |input − target| averaged over all elements ('mean'), PyTorch's
    ``F.l1_loss``; ``target`` has the input's shape and dtype."""
    return _distance_loss("l1_loss", L1Loss(reduction), input, target)


def smooth_l1_loss(
    input: Tensor,  # noqa: A002  (PyTorch's name)
    target: Tensor | Any,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """PyTorch's ``F.smooth_l1_loss``: 0.5·d²/β where |d| < β, else |d| − 0.5·β, for
    d = input − target (see :class:`SmoothL1Loss`); ``beta`` ≥ 0, and 0 gives the L1 loss."""
    beta = check.number("smooth_l1_loss()", "beta", beta, ">= 0")
    return _distance_loss("smooth_l1_loss", SmoothL1Loss(reduction, beta), input, target)


def huber_loss(
    input: Tensor,  # noqa: A002  (PyTorch's name)
    target: Tensor | Any,
    reduction: str = "mean",
    delta: float = 1.0,
) -> Tensor:
    """PyTorch's ``F.huber_loss``: 0.5·d² where |d| < δ, else δ·(|d| − 0.5·δ), for
    d = input − target (see :class:`HuberLoss`); ``delta`` > 0."""
    delta = check.number("huber_loss()", "delta", delta, "> 0")
    return _distance_loss("huber_loss", HuberLoss(reduction, delta), input, target)


def _distance_loss(name: str, loss: _DistanceLoss, input: Tensor, target: Any) -> Tensor:  # noqa: A002
    """Check an element-wise loss's arguments the way :func:`mse_loss` does, then run it."""
    _check_input(f"{name}()", "input", input, loss.reduction)
    target = as_tensor(target, input)
    _check_like_input(f"{name}()", "input", input, target)
    return loss(input, target)


def hinge_loss(
    scores: Tensor, target: Tensor | Any, margin: float = 1.0, reduction: str = "mean"
) -> Tensor:
    """Hinge (SVM) loss, multiclass or binary depending on ``target``.

    - Integer class labels (N,) with scores (N, C): the multiclass SVM loss of cs231n,
      Lₙ = Σ_{j≠yₙ} max(0, s_nj − s_nyₙ + margin). This is the sum over the wrong classes,
      the textbook form; ``torch.nn.MultiMarginLoss(p=1, margin=margin)`` computes the same
      sum divided by C, so its values and gradients are ours / C.
    - Float targets of +1 or −1, with the scores' shape and dtype: the binary hinge
      Lᵢ = max(0, margin − tᵢ·sᵢ) (PyTorch has no built-in function for it).

    'mean' averages over samples (multiclass) or elements (binary). The targets are
    checked (on a GPU on the first calls only).
    """
    _check_input("hinge_loss()", "scores", scores, reduction)
    target = as_tensor(target, scores)
    margin = float(margin)  # a NumPy float64 margin would upcast float32 scores
    if target.dtype.kind in "iu":
        if scores.ndim != 2:
            raise ValueError(
                f"hinge_loss() with integer class labels needs scores of shape (N, C), got shape "
                f"{scores.shape}"
            )
        _check_labels("hinge_loss()", "scores", scores, target)
        return MulticlassHinge(reduction, margin)(scores, target)
    _check_like_input("hinge_loss()", "scores", scores, target)
    t = target.array
    invalid = (t != 1) & (t != -1)
    if due("hinge_loss() targets", t) and invalid.any():
        raise ValueError(
            f"hinge_loss() needs binary targets of +1 or -1, got {float(t[invalid][0])} "
            f"(turn 0/1 labels into ±1 with 2 * target - 1)"
        )
    return BinaryHinge(reduction, margin)(scores, target)


def _check_input(where: str, what: str, x: Any, reduction: str, layout: str = "") -> None:
    """A known ``reduction``, and a floating-point ``x`` of a rank ``layout`` allows."""
    check.one_of(where, "reduction", reduction, REDUCTIONS)
    floating(where, what, x, layout)


def _check_labels(
    where: str, what: str, scores: Tensor, labels: Tensor, ignore_index: int | None = None
):
    """Labels must be one integer per row of ``scores`` (N, C), each in [0, C) or equal to
    ``ignore_index``. Returns the boolean mask of ignored rows, or None when there are none."""
    n, classes = scores.shape
    if labels.shape != (n,):
        raise ValueError(
            f"{where} needs integer class labels of shape (N,) = ({n},) for {what} of shape "
            f"(N, C) = {scores.shape}, got shape {labels.shape}"
        )
    y = labels.array
    ignored = None if ignore_index is None else y == ignore_index
    # Out-of-range labels would index the wrong class on CuPy without any error; reading
    # them waits for a GPU, so there only the first calls look (tinydl.ops.value_checks).
    outside = (y < 0) | (y >= classes)
    bad = y[outside if ignored is None else outside & ~ignored] if due(where, y) else y[:0]
    if bad.size:
        allowed = "" if ignore_index is None else f" (or ignore_index={ignore_index})"
        raise ValueError(
            f"{where} got class label {int(bad[0])}, but {what} has C={classes} classes: "
            f"labels must be in [0, {classes}){allowed}"
        )
    return ignored if ignored is not None and ignored.any() else None


def _check_like_input(where: str, what: str, x: Tensor, target: Tensor) -> None:
    """Element-wise targets need the input's shape and dtype (no broadcasting, no upcast)."""
    if target.shape != x.shape:
        raise ValueError(
            f"{where} needs target of the same shape as {what}, {x.shape}, got {target.shape}"
        )
    same_dtype(where, "target", target, what, x)
