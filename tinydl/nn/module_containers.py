"""PyTorch's containers that hold modules or parameters without running them:
``ModuleList``, ``ModuleDict``, ``ParameterList`` and ``ParameterDict``.

A plain Python list or dict of layers works in tinydl too (``self.blocks = [...]`` is
found by ``parameters()``), but PyTorch programs build models from these classes, e.g.
nanoGPT's ``nn.ModuleDict(dict(wte=nn.Embedding(...), h=nn.ModuleList([...])))``. What
they hold is registered like any attribute, so ``parameters()``, ``state_dict()``
(names such as ``transformer.h.0.attn.c_attn.weight``), ``to()``, ``train()``/``eval()``,
``apply()`` and ``summary()`` reach it. None of them has a ``forward``: the model that
owns one says in which order its entries run. (``Sequential``, which does run its
layers, is in :mod:`tinydl.nn.container`.)
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from tinydl import check
from tinydl.autograd import Tensor, tensor_checks
from tinydl.nn.module import Module, Parameter


class _ListOf(Module):
    """What ModuleList and ParameterList share: a list of entries of one kind, indexed
    like a Python list."""

    kind: type = object

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        self._items: list[Any] = []
        if values is not None:
            self.extend(values)

    def _entry(self, value: Any) -> Any:
        """``value`` checked (and for ParameterList, made a Parameter) before it is stored."""
        raise NotImplementedError

    def _position(self, index: Any) -> int:
        """``index`` (negative counts from the end) as a position in the list."""
        position = operator.index(index)
        if not -len(self._items) <= position < len(self._items):
            raise IndexError(
                f"{type(self).__name__} index {position} is out of range (it has "
                f"{len(self._items)} entries)"
            )
        return position % len(self._items)

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return type(self)(self._items[index])
        return self._items[self._position(index)]

    def __setitem__(self, index: int, value: Any) -> None:
        self._items[self._position(index)] = self._entry(value)

    def __delitem__(self, index: int | slice) -> None:
        if isinstance(index, slice):
            del self._items[index]
        else:
            del self._items[self._position(index)]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items)

    def __iadd__(self, values: Iterable[Any]) -> _ListOf:
        return self.extend(values)

    def __add__(self, other: Iterable[Any]) -> _ListOf:
        return type(self)([*self._items, *other])

    def append(self, value: Any) -> _ListOf:
        self._items.append(self._entry(value))
        return self

    def extend(self, values: Iterable[Any]) -> _ListOf:
        if not isinstance(values, Iterable) or isinstance(values, (Module, Tensor)):
            raise TypeError(
                f"{type(self).__name__}.extend() needs an iterable of entries, got "
                f"{type(values).__name__}"
            )
        for value in values:
            self.append(value)
        return self

    def insert(self, index: int, value: Any) -> None:
        self._items.insert(operator.index(index), self._entry(value))

    def pop(self, index: int = -1) -> Any:
        return self._items.pop(self._position(index))


class ModuleList(_ListOf):
    """PyTorch's ``nn.ModuleList(modules=None)``: a list of modules, each registered as a
    child named by its position ("0", "1", …). ``append``, ``extend``, ``insert``,
    ``pop``, indexing (a slice gives a ModuleList) and ``len`` work as on a list."""

    def _entry(self, value: Any) -> Module:
        return check.instance("ModuleList", "entry", value, Module, "a Module")

    def named_children(self) -> Iterator[tuple[str, Module]]:
        for i, module in enumerate(self._items):
            yield str(i), module


class ParameterList(_ListOf):
    """PyTorch's ``nn.ParameterList(values=None)``: a list of parameters, each registered
    under its position ("0", "1", …). A Tensor that is not yet a Parameter becomes one
    (sharing its memory), as in PyTorch."""

    def _entry(self, value: Any) -> Parameter:
        return _as_parameter(value, "ParameterList")

    def _own_tensors(self) -> Iterator[tuple[str, Any]]:
        for i, parameter in enumerate(self._items):
            yield str(i), parameter

    def extra_repr(self) -> str:
        return _describe_parameters(self._own_tensors())


class _DictOf(Module):
    """What ModuleDict and ParameterDict share: entries of one kind by string key, each
    kept as an attribute of that name (so ``transformer.wte`` reaches ``transformer["wte"]``,
    and its parameters are named ``wte.weight``), in insertion order."""

    kind: type = object

    def __init__(self, entries: Mapping[str, Any] | Iterable[Any] | None = None) -> None:
        if entries is not None:
            self.update(entries)

    def _entry(self, value: Any) -> Any:
        raise NotImplementedError

    def _entries(self) -> Iterator[tuple[str, Any]]:
        for key, value in vars(self).items():
            if isinstance(value, self.kind):
                yield key, value

    def __getitem__(self, key: str) -> Any:
        value = vars(self).get(key) if isinstance(key, str) else None
        if not isinstance(value, self.kind):
            raise KeyError(key)
        return value

    def __setitem__(self, key: str, value: Any) -> None:
        self._check_new_name(key, f"{type(self).__name__} key", allow=self.kind)
        object.__setattr__(self, key, self._entry(value))

    def __delitem__(self, key: str) -> None:
        self[key]  # a missing key is a KeyError, as for a dict
        object.__delattr__(self, key)

    def __len__(self) -> int:
        return sum(1 for _ in self._entries())

    def __iter__(self) -> Iterator[str]:
        return (key for key, _ in self._entries())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and isinstance(vars(self).get(key), self.kind)

    def keys(self) -> list[str]:
        return [key for key, _ in self._entries()]

    def values(self) -> list[Any]:
        return [value for _, value in self._entries()]

    def items(self) -> list[tuple[str, Any]]:
        return list(self._entries())

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default

    def pop(self, key: str) -> Any:
        value = self[key]
        del self[key]
        return value

    def clear(self) -> None:
        for key in self.keys():
            del self[key]

    def update(self, entries: Mapping[str, Any] | Iterable[Any]) -> None:
        """Add (or replace) entries from a dict, another container of this kind, or an
        iterable of (key, value) pairs, in their order."""
        name = type(self).__name__
        if isinstance(entries, (Mapping, _DictOf)):
            pairs = list(entries.items())
        elif isinstance(entries, Iterable) and not isinstance(entries, (str, Module, Tensor)):
            pairs = list(entries)
            for j, pair in enumerate(pairs):
                if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                    raise ValueError(
                        f"{name}.update() needs (key, value) pairs, but element #{j} is {pair!r}"
                    )
        else:
            raise TypeError(
                f"{name}.update() needs a dict or an iterable of (key, value) pairs, got "
                f"{type(entries).__name__}"
            )
        for key, value in pairs:
            self[key] = value


class ModuleDict(_DictOf):
    """PyTorch's ``nn.ModuleDict(modules=None)``: modules by name, each registered as a
    child of that name (``model.transformer.h``, or ``model.transformer["h"]``). Indexing,
    ``in``, ``len``, ``keys``/``values``/``items``, ``update``, ``pop`` and ``clear`` work
    as on a dict; iterating gives the keys. A key may not hide a method or another
    attribute (``"keys"``, ``"training"``): PyTorch refuses those too."""

    kind = Module

    def _entry(self, value: Any) -> Module:
        return check.instance("ModuleDict", "entry", value, Module, "a Module")


class ParameterDict(_DictOf):
    """PyTorch's ``nn.ParameterDict(parameters=None)``: parameters by name, each
    registered under its key. A Tensor that is not yet a Parameter becomes one (sharing
    its memory), as in PyTorch."""

    kind = Parameter

    def _entry(self, value: Any) -> Parameter:
        return _as_parameter(value, "ParameterDict")

    def extra_repr(self) -> str:
        return _describe_parameters(self._entries())


def _as_parameter(value: Any, container: str) -> Parameter:
    """``value`` as a Parameter: a Tensor becomes one (sharing its memory)."""
    tensor_checks.tensor(container, "entry", value)
    return value if isinstance(value, Parameter) else Parameter(value)


def _describe_parameters(entries: Iterable[tuple[str, Any]]) -> str:
    lines = [f"({key}): Parameter of shape {tuple(p.shape)}, {p.dtype}" for key, p in entries]
    return "\n  " + "\n  ".join(lines) + "\n" if lines else ""
