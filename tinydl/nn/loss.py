"""Losses as layers (PyTorch's classes). The maths, with derivatives, is in tinydl.ops.losses."""

from __future__ import annotations

from tinydl.autograd import Tensor
from tinydl.nn.module import Module
from tinydl.ops import losses


class CrossEntropyLoss(Module):
    """Softmax cross-entropy from logits; targets are class labels or probabilities.
    ``label_smoothing`` and ``ignore_index`` as in :func:`tinydl.nn.functional.cross_entropy`."""

    def __init__(
        self, reduction: str = "mean", *, label_smoothing: float = 0.0, ignore_index: int = -100
    ) -> None:
        self.reduction = reduction
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
        self.reduction, self.ignore_index = reduction, ignore_index

    def forward(self, log_probs: Tensor, target: Tensor) -> Tensor:
        return losses.nll_loss(log_probs, target, self.reduction, ignore_index=self.ignore_index)


class BCELoss(Module):
    """Binary cross-entropy of probabilities (after ``nn.Sigmoid()``); ``BCEWithLogitsLoss``
    on the logits is the stabler form of the same loss."""

    def __init__(self, reduction: str = "mean") -> None:
        self.reduction = reduction

    def forward(self, probabilities: Tensor, target: Tensor) -> Tensor:
        return losses.binary_cross_entropy(probabilities, target, self.reduction)


class BCEWithLogitsLoss(Module):
    """Binary cross-entropy from logits (the sigmoid is inside, computed stably)."""

    def __init__(self, reduction: str = "mean") -> None:
        self.reduction = reduction

    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        return losses.binary_cross_entropy_with_logits(logits, target, self.reduction)


class MSELoss(Module):
    """Mean squared error over all elements."""

    def __init__(self, reduction: str = "mean") -> None:
        self.reduction = reduction

    def forward(self, prediction: Tensor, target: Tensor) -> Tensor:
        return losses.mse_loss(prediction, target, self.reduction)


class HingeLoss(Module):
    """Multiclass SVM hinge for class labels; binary hinge for ±1 targets."""

    def __init__(self, margin: float = 1.0, reduction: str = "mean") -> None:
        self.margin = margin
        self.reduction = reduction

    def forward(self, scores: Tensor, target: Tensor) -> Tensor:
        return losses.hinge_loss(scores, target, self.margin, self.reduction)
