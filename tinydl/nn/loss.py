"""Losses as layers (PyTorch's classes). The maths, with derivatives, is in tinydl.ops.losses."""

from __future__ import annotations

from tinydl import check
from tinydl.autograd import Tensor
from tinydl.nn.module import Module
from tinydl.ops import losses


def _reduction(loss: Module, reduction: str) -> str:
    """The ``reduction`` a loss layer was built with, checked when it is built."""
    return check.one_of(type(loss).__name__, "reduction", reduction, losses.REDUCTIONS)


class CrossEntropyLoss(Module):
    """Softmax cross-entropy from logits; targets are class labels or probabilities.
    ``label_smoothing`` and ``ignore_index`` as in :func:`tinydl.nn.functional.cross_entropy`."""

    def __init__(
        self, reduction: str = "mean", *, label_smoothing: float = 0.0, ignore_index: int = -100
    ) -> None:
        self.reduction = _reduction(self, reduction)
        self.label_smoothing, self.ignore_index = label_smoothing, ignore_index

    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        return losses.cross_entropy(
            logits, target, self.reduction,
            label_smoothing=self.label_smoothing, ignore_index=self.ignore_index,
        )


class NLLLoss(Module):
    """Negative log-likelihood of log-probabilities (put ``LogSoftmax(dim=1)`` before it);
    ``LogSoftmax`` + ``NLLLoss`` is ``CrossEntropyLoss``."""

    def __init__(self, reduction: str = "mean", *, ignore_index: int = -100) -> None:
        self.reduction = _reduction(self, reduction)
        self.ignore_index = ignore_index

    def forward(self, log_probs: Tensor, target: Tensor) -> Tensor:
        return losses.nll_loss(log_probs, target, self.reduction, ignore_index=self.ignore_index)


class BCELoss(Module):
    """Binary cross-entropy of probabilities (after ``nn.Sigmoid()``); ``BCEWithLogitsLoss``
    on the logits is the stabler form of the same loss."""

    def __init__(self, reduction: str = "mean") -> None:
        self.reduction = _reduction(self, reduction)

    def forward(self, probabilities: Tensor, target: Tensor) -> Tensor:
        return losses.binary_cross_entropy(probabilities, target, self.reduction)


class BCEWithLogitsLoss(Module):
    """Binary cross-entropy from logits (the sigmoid is inside, computed stably)."""

    def __init__(self, reduction: str = "mean") -> None:
        self.reduction = _reduction(self, reduction)

    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        return losses.binary_cross_entropy_with_logits(logits, target, self.reduction)


class MSELoss(Module):
    """Mean squared error over all elements."""

    def __init__(self, reduction: str = "mean") -> None:
        self.reduction = _reduction(self, reduction)

    def forward(self, prediction: Tensor, target: Tensor) -> Tensor:
        return losses.mse_loss(prediction, target, self.reduction)


class L1Loss(Module):
    """Mean absolute error over all elements (PyTorch's ``nn.L1Loss``); ``reduction`` by
    keyword, as PyTorch's first positional arguments are its deprecated ``size_average``
    and ``reduce``."""

    def __init__(self, *, reduction: str = "mean") -> None:
        self.reduction = _reduction(self, reduction)

    def forward(self, prediction: Tensor, target: Tensor) -> Tensor:
        return losses.l1_loss(prediction, target, self.reduction)


class SmoothL1Loss(Module):
    """PyTorch's ``nn.SmoothL1Loss(reduction="mean", beta=1.0)``: quadratic for differences
    below ``beta``, linear beyond (see :class:`tinydl.ops.losses.SmoothL1Loss`); arguments by
    keyword, as for :class:`L1Loss`."""

    def __init__(self, *, reduction: str = "mean", beta: float = 1.0) -> None:
        self.reduction = _reduction(self, reduction)
        self.beta = check.number("SmoothL1Loss", "beta", beta, ">= 0")

    def forward(self, prediction: Tensor, target: Tensor) -> Tensor:
        return losses.smooth_l1_loss(prediction, target, self.reduction, self.beta)

    def extra_repr(self) -> str:
        return f"beta={self.beta}"


class HuberLoss(Module):
    """PyTorch's ``nn.HuberLoss(reduction="mean", delta=1.0)``: quadratic for differences
    below ``delta``, linear beyond (see :class:`tinydl.ops.losses.HuberLoss`)."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        self.reduction = _reduction(self, reduction)
        self.delta = check.number("HuberLoss", "delta", delta, "> 0")

    def forward(self, prediction: Tensor, target: Tensor) -> Tensor:
        return losses.huber_loss(prediction, target, self.reduction, self.delta)

    def extra_repr(self) -> str:
        return f"delta={self.delta}"


class HingeLoss(Module):
    """Multiclass SVM hinge for class labels; binary hinge for ±1 targets."""

    def __init__(self, margin: float = 1.0, reduction: str = "mean") -> None:
        self.margin = margin
        self.reduction = _reduction(self, reduction)

    def forward(self, scores: Tensor, target: Tensor) -> Tensor:
        return losses.hinge_loss(scores, target, self.margin, self.reduction)
