"""``to_categorical`` and ``clear_session``."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinydl.data import one_hot
from tinydl.keras import _args


def to_categorical(y: Any, num_classes: int | None = None, dtype: Any = "float32") -> np.ndarray:
    """One-hot rows for integer labels (tinydl's ``data.one_hot``), as Keras: ``num_classes``
    defaults to max(y) + 1 and a trailing axis of size 1 is dropped first."""
    labels = np.asarray(y)
    if labels.ndim > 1 and labels.shape[-1] == 1:
        labels = labels.reshape(labels.shape[:-1])
    if labels.dtype.kind == "f" and np.array_equal(labels, np.round(labels)):
        labels = labels.astype(np.int64)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"to_categorical() needs integer class labels, got dtype {labels.dtype}")
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    return one_hot(labels, num_classes, dtype=np.dtype(dtype))


def clear_session() -> None:
    """Restart Keras's automatic layer names (``dense``, ``dense_1``, ...) from the start."""
    _args.clear_names()
