"""``to_categorical``, ``pad_sequences``, ``set_random_seed`` and ``clear_session``."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinydl import check
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


def pad_sequences(sequences: Any, maxlen: int | None = None, dtype: Any = "int32",
                  padding: str = "pre", truncating: str = "pre", value: Any = 0.0) -> np.ndarray:
    """Sequences of different lengths (lists of token ids, say) as one array
    (samples, maxlen), as Keras pads them: ``maxlen`` defaults to the longest; a longer
    sequence loses its start (``truncating="pre"``) or its end ("post"); a shorter one gets
    ``value`` before it (``padding="pre"``) or after it ("post"). Each step may itself be
    an array (every step of one shape)."""
    where = "pad_sequences()"
    if not hasattr(sequences, "__len__") or isinstance(sequences, (str, bytes)):
        raise ValueError(f"{where}: sequences must be a list of sequences, got "
                         f"{type(sequences).__name__}")
    for name, choice in (("padding", padding), ("truncating", truncating)):
        check.one_of(where, name, choice, ("pre", "post"))
    if maxlen is not None:
        maxlen = check.positive_int(where, "maxlen", maxlen)
    lengths, step_shape = [], None
    for position, sequence in enumerate(sequences):
        if not hasattr(sequence, "__len__") or isinstance(sequence, (str, bytes)):
            raise ValueError(f"{where}: sequences[{position}] is not a sequence: {sequence!r}")
        lengths.append(len(sequence))
        if step_shape is None and len(sequence):
            step_shape = np.asarray(sequence).shape[1:]
    if maxlen is None:
        if not lengths:
            raise ValueError(f"{where}: no sequences and no maxlen: nothing to pad to")
        maxlen = max(lengths)
    step_shape = step_shape or ()
    padded = np.full((len(lengths), maxlen, *step_shape), value, dtype=dtype)
    for position, sequence in enumerate(sequences):
        if not len(sequence):
            continue
        kept = np.asarray(sequence[-maxlen:] if truncating == "pre" else sequence[:maxlen],
                          dtype=dtype)
        if kept.shape[1:] != step_shape:
            raise ValueError(f"{where}: the steps of sequences[{position}] have shape "
                             f"{kept.shape[1:]}, those of the first non-empty one {step_shape}")
        if padding == "pre":
            padded[position, maxlen - len(kept):] = kept
        else:
            padded[position, :len(kept)] = kept
    return padded


def set_random_seed(seed: int) -> None:
    """Seed Python's ``random``, NumPy's global generator and tinydl's, as Keras's
    ``set_random_seed`` seeds Python, NumPy and the backend."""
    import random  # noqa: PLC0415  (only this function needs it)

    import tinydl  # noqa: PLC0415  (tinydl imports tinydl.keras lazily)

    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002  (Keras seeds NumPy's global generator)
    tinydl.manual_seed(seed)


__all__ = ["clear_session", "pad_sequences", "set_random_seed", "to_categorical"]
__getattr__ = _args.missing_names("utils", __all__)
