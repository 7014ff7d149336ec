"""The allow-list of ``weights_only=True``: the classes and functions that ``tinydl.load``
may call to rebuild a pickled object, beside tensors, arrays and Python's plain values.
Programs reach it as PyTorch's ``torch.serialization`` (:mod:`tinydl.serialization`).

``tinydl.save(model, f)`` pickles a whole model, as ``torch.save`` does. A pickle names the
classes and functions that rebuild it, and loading it calls them: a file from someone else
could name ``os.system``. So ``tinydl.load(f)`` (``weights_only=True``, the default, as in
PyTorch 2.6 and later) calls only the names allowed here, and refuses the file otherwise,
saying which name it needs (:mod:`tinydl.train.pickled_object`). A program allows its own
classes for one load::

    with tinydl.serialization.safe_globals([RNNModel, nn.LSTM, nn.Linear, nn.Dropout]):
        model = tinydl.load(f)

or for the rest of the run with ``add_safe_globals([...])``. A class is known by the name
pickle writes for it, ``<its module>.<its qualified name>``: ``nn.LSTM``,
``tinydl.nn.modules.rnn.LSTM`` and ``tinydl.nn.recurrent.LSTM`` are one class, allowed under
any of these spellings. An entry may also be ``(object, "module.name")``, to allow an
object under a name pickle wrote for it elsewhere (a class since moved).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from tinydl import check

_allowed: list[Any] = []  # what add_safe_globals() and the safe_globals() blocks allowed


def global_name(obj: Any) -> str:
    """The name pickle writes for a class or function: ``tinydl.nn.recurrent.LSTM``."""
    return f"{obj.__module__}.{obj.__qualname__}"


def allowed_globals() -> dict[str, Any]:
    """Every allowed object, by the name a pickle would call it."""
    return {entry[1] if isinstance(entry, tuple) else global_name(entry):
            entry[0] if isinstance(entry, tuple) else entry for entry in _allowed}


def _checked(safe_globals: Any, where: str) -> list[Any]:
    check.instance(where, "safe_globals", safe_globals, Iterable,
                   "a list of classes or functions (or (object, name) pairs)")
    entries = list(safe_globals)
    for entry in entries:
        pair = isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], str)
        if not (pair or inspect.isclass(entry) or inspect.isroutine(entry)):
            raise TypeError(
                f"{where}: each entry must be a class or a function (or an (object, "
                f"'module.name') pair), got the {type(entry).__name__} {entry!r:.60}"
                + (": give the class itself, not its name" if isinstance(entry, str) else "")
            )
    return entries


@contextmanager
def safe_globals(safe_globals: Iterable[Any]) -> Iterator[None]:
    """A block in which ``tinydl.load`` may also call ``safe_globals``; what was allowed
    before the block is allowed again after it."""
    entries = _checked(safe_globals, "safe_globals()")
    before = list(_allowed)
    _allowed.extend(entries)
    try:
        yield
    finally:
        _allowed[:] = before


def add_safe_globals(safe_globals: Iterable[Any]) -> None:
    """Allow ``safe_globals`` (classes and functions) for every later ``tinydl.load``."""
    _allowed.extend(_checked(safe_globals, "add_safe_globals()"))


def get_safe_globals() -> list[Any]:
    """What the program allowed (tinydl's own tensors, arrays and Python's plain values are
    always allowed, and not listed)."""
    return list(_allowed)


def clear_safe_globals() -> None:
    """Forget what the program allowed."""
    _allowed.clear()


__all__ = ["add_safe_globals", "clear_safe_globals", "get_safe_globals", "safe_globals"]
