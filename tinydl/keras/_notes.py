"""What Keras keeps on its tensors, kept beside tinydl's: a Keras tensor carries its mask
(``_keras_mask``) and, after a softmax or sigmoid, the logits it was made from. tinydl's
Tensor has a fixed set of slots, so these notes live in a table keyed by the tensor, and
leave it when the tensor is freed."""

from __future__ import annotations

import weakref
from typing import Any

from tinydl.autograd import Tensor

_NOTES: dict[int, tuple[weakref.ref, dict[str, Any]]] = {}


def _forget(key: int) -> Any:
    return lambda _: _NOTES.pop(key, None)


def write(tensor: Tensor, **notes: Any) -> None:
    """Note ``notes`` on ``tensor`` (a value of None erases that note)."""
    key = id(tensor)
    entry = _NOTES.get(key)
    if entry is None or entry[0]() is not tensor:
        entry = (weakref.ref(tensor, _forget(key)), {})
        _NOTES[key] = entry
    for name, value in notes.items():
        if value is None:
            entry[1].pop(name, None)
        else:
            entry[1][name] = value


def read(tensor: Any, name: str) -> Any:
    """The note ``name`` on ``tensor``, or None."""
    if not isinstance(tensor, Tensor):
        return None
    entry = _NOTES.get(id(tensor))
    if entry is None or entry[0]() is not tensor:
        return None
    return entry[1].get(name)
