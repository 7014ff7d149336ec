"""Classification metrics on host arrays of integer labels."""

from __future__ import annotations

import numpy as np

from tinydl import check


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray, num_classes: int) -> np.ndarray:
    """``m[i, j]`` counts samples of true class ``i`` predicted as class ``j``."""
    num_classes = check.positive_int("confusion_matrix()", "num_classes", num_classes)
    labels, predictions = np.asarray(labels), np.asarray(predictions)
    if labels.ndim != 1 or labels.shape != predictions.shape:
        raise ValueError(
            f"labels and predictions must be vectors of one length, got shapes {labels.shape} "
            f"and {predictions.shape}"
        )
    for name, values in (("labels", labels), ("predictions", predictions)):
        if values.size and values.dtype.kind not in "iu":
            raise ValueError(f"{name} must be integer class indices, got dtype {values.dtype}")
        if values.size and (values.min() < 0 or values.max() >= num_classes):
            raise ValueError(
                f"{name} must lie in [0, {num_classes}), found {values.min()}..{values.max()}"
            )
    flat = labels.astype(np.int64) * num_classes + predictions.astype(np.int64)
    return np.bincount(flat, minlength=num_classes**2).reshape(num_classes, num_classes)


def precision_recall_f1(matrix: np.ndarray) -> dict[str, np.ndarray]:
    """Per-class precision, recall and F1 from a confusion matrix (0 where undefined)."""
    true_positive = np.diag(matrix).astype(np.float64)
    predicted = matrix.sum(axis=0)
    actual = matrix.sum(axis=1)
    zeros = np.zeros_like(true_positive)
    precision = np.divide(true_positive, predicted, out=zeros.copy(), where=predicted > 0)
    recall = np.divide(true_positive, actual, out=zeros.copy(), where=actual > 0)
    both = precision + recall
    f1 = np.divide(2 * precision * recall, both, out=zeros, where=both > 0)
    return {"precision": precision, "recall": recall, "f1": f1}
