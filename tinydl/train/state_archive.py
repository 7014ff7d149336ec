"""Nested state (dicts, lists and tuples of arrays, tensors and plain values) as the named
arrays of one ``.npz`` archive, and back, exactly as it was.

``pack("saved", {"model": {"0.weight": w}, "epoch": 3}, ...)`` gives two entries:

- ``saved/model/0.weight``: the array ``w``, under a name a person can read (one entry
  per array, tensor or NumPy scalar, named by its keys where they are plain words);
- ``saved#tree``: the structure, as JSON, with each array replaced by its entry's name:
  ``{"dict": [["model", {"dict": [["0.weight", {"array": "saved/model/0.weight"}]]}],
  ["epoch", 3]]}``.

The tree says what every value was, so what comes back is what went in, types included:
a tuple stays a tuple, the key ``1`` stays apart from the key ``"1"``, an ``OrderedDict``
(what ``state_dict()`` returns) stays one, an ``np.float32`` stays an ``np.float32``, a
Tensor comes back a Tensor (a Parameter a Parameter). What cannot come back as it was is
refused when saving, naming where it is: dict keys other than ``str`` and ``int``,
arrays of Python objects, and objects of other classes (only a pickle could hold them,
and loading a pickle can run code: ``tinydl.save`` pickles them,
:mod:`tinydl.train.pickled_object`, and checkpoints refuse them).

Archives written before the tree existed (entries ``saved/a/b`` and ``saved/x#json``)
are still read, as they were then read (see :func:`unpack`).
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from tinydl import backend
from tinydl.autograd.tensor import Tensor
from tinydl.errors import TinyDLError
from tinydl.nn.module import Buffer, Parameter


class CheckpointError(TinyDLError, ValueError):
    """A checkpoint file is missing, corrupt, or does not fit the model; or a value cannot
    be saved so that it comes back as it was."""


_PLAIN = (type(None), bool, int, float, str)  # JSON holds these exactly
_KEYS = (str, int)
_DICTS = {dict: "dict", OrderedDict: "OrderedDict"}
TENSOR_CLASSES = {Tensor: "Tensor", Parameter: "Parameter", Buffer: "Buffer"}  # and their names
_WORD = re.compile(r"[\w.\-]+", re.ASCII)  # keys that name an entry as they are
_SAVES = ("arrays (of numbers, booleans or strings), tensors, NumPy scalars, int, float, "
          "bool, str, None, and dicts, lists and tuples of them")


def pack(prefix: str, state: Any, label: str, caller: str) -> dict[str, np.ndarray]:
    """The archive entries that hold ``state``, all named ``prefix/...`` or ``prefix#tree``.
    A value that would not come back as it was raises :class:`CheckpointError`, naming it
    as ``label`` followed by its keys (``obj['model'][0]``), in a message that starts with
    ``caller``."""
    arrays: dict[str, np.ndarray] = {}
    packer = _Packer(prefix, caller, arrays)
    tree = packer.node(state, label, [], set())
    arrays[prefix + "#tree"] = np.array(json.dumps(tree))  # ASCII: every str is escaped
    return arrays


class _Packer:
    def __init__(self, prefix: str, caller: str, arrays: dict[str, np.ndarray]) -> None:
        self.prefix, self.caller, self.arrays = prefix, caller, arrays

    def refuse(self, where: str, why: str) -> CheckpointError:
        return CheckpointError(f"{self.caller}: cannot save {where}: {why}")

    def node(self, value: Any, where: str, keys: list[Any], holding: set[int]) -> Any:
        """``value`` as a JSON tree node; ``where`` names it in messages, ``keys`` name its
        arrays' entries; ``holding`` is the containers it lies inside (a cycle is refused)."""
        kind = type(value)
        if kind in _PLAIN:
            return value
        if kind in _DICTS or kind in (list, tuple):
            if id(value) in holding:
                raise self.refuse(where, "it contains itself, which no file can hold")
            holding = holding | {id(value)}
            if kind in (list, tuple):
                items = [self.node(item, f"{where}[{i}]", [*keys, i], holding)
                         for i, item in enumerate(value)]
                return items if kind is list else {"tuple": items}
            return {_DICTS[kind]: [[self.key(key, where), self.node(
                item, f"{where}[{key!r}]", [*keys, key], holding)] for key, item in value.items()]}
        if kind in TENSOR_CLASSES:
            name = self.entry(value.numpy(), where, keys)
            flag = ("persistent", value.persistent) if kind is Buffer else (
                "requires_grad", value.requires_grad)
            return {"tensor": name, "class": TENSOR_CLASSES[kind], flag[0]: flag[1]}
        if isinstance(value, np.generic):
            return {"scalar": self.entry(np.asarray(value), where, keys)}
        if kind is np.ndarray:
            return {"array": self.entry(value, where, keys)}
        if backend.is_array(value) and not isinstance(value, np.ndarray):  # on a device
            return {"array": self.entry(backend.to_numpy(value), where, keys)}
        raise self.refuse(where, f"tinydl does not save values of type {_class_name(value)}; "
                                 f"it saves {_SAVES}" + _hint(value))

    def key(self, key: Any, where: str) -> Any:
        if type(key) not in _KEYS:
            raise self.refuse(
                f"{where}[{key!r}]", f"the key is of type {_class_name(key)}; the keys of a "
                f"saved dict must be str or int, so that they come back as they were"
            )
        return key

    def entry(self, array: np.ndarray, where: str, keys: list[Any]) -> str:
        """Store ``array`` under a new entry name, readable where its keys are plain words."""
        if array.dtype.hasobject:
            raise self.refuse(where, "it is an array of Python objects (dtype object), which "
                                     "only a pickle can hold; convert it to numbers or strings")
        words = [str(key) for key in keys]
        readable = all(_WORD.fullmatch(word) for word in words)
        name = "/".join([self.prefix, *words]) if readable else f"{self.prefix}/_"
        unique, count = name, 1
        while unique in self.arrays:  # e.g. the keys 1 and "1" of one dict
            count += 1
            unique = f"{name}#{count}"
        self.arrays[unique] = array
        return unique


def _class_name(value: Any) -> str:
    kind = type(value)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"


def _hint(value: Any) -> str:
    if isinstance(value, dict):
        return " (dict(value) saves its items)"
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return " (value._asdict() or tuple(value) saves its fields)"
    if isinstance(value, np.ndarray):
        return " (np.asarray(value) saves the plain array)"
    if isinstance(value, (set, frozenset)):
        return " (sorted(value) saves its items as a list)"
    if isinstance(value, (bytes, bytearray)):
        return " (np.frombuffer(value, np.uint8) saves the bytes as an array)"
    return ""


def unpack(entries: dict[str, np.ndarray], prefix: str,
           place: Callable[[np.ndarray], Any] = lambda array: array) -> Any:
    """What :func:`pack` stored under ``prefix`` in ``entries``, each array handed to
    ``place`` (which may move it to a device); an empty dict if nothing is stored there.
    A tree that does not describe these entries raises :class:`CheckpointError`."""
    name = prefix + "#tree"
    if name not in entries:
        return _unpack_without_tree(entries, prefix)
    tree = _parse_json(name, entries[name])
    try:
        return _Unpacker(entries, place).node(tree)
    except (ValueError, TypeError, KeyError, IndexError, TinyDLError) as err:
        raise CheckpointError(f"its entry {name!r} does not describe its arrays "
                              f"({type(err).__name__}: {err})") from None


class _Unpacker:
    def __init__(self, entries: dict[str, np.ndarray], place: Callable[[np.ndarray], Any]):
        self.entries, self.place = entries, place

    def node(self, node: Any) -> Any:
        if type(node) in _PLAIN:
            return node
        if type(node) is list:
            return [self.node(item) for item in node]
        if "tuple" in node:
            return tuple(self.node(item) for item in node["tuple"])
        for kind, name in _DICTS.items():
            if name in node:
                return kind((self.key(key), self.node(item)) for key, item in node[name])
        if "array" in node:
            return self.place(self.entries[node["array"]])
        if "scalar" in node:
            return self.entries[node["scalar"]][()]
        if "tensor" in node:
            array = self.place(self.entries[node["tensor"]])
            kind = {name: kind for kind, name in TENSOR_CLASSES.items()}[node["class"]]
            if kind is Buffer:
                return Buffer(array, persistent=node["persistent"])
            return kind(array, requires_grad=node["requires_grad"])
        raise ValueError(f"unknown node {node!r:.60}")

    @staticmethod
    def key(key: Any) -> Any:
        if type(key) not in _KEYS:
            raise TypeError(f"a key is a {type(key).__name__}")
        return key


# ---- archives written before the tree (read only) -------------------------------------------
# Then each array was an entry named by its keys joined with "/", every other value a JSON
# entry "<keys>#json", and keys that were digits were read back as ints.

def _unpack_without_tree(entries: dict[str, np.ndarray], prefix: str) -> Any:
    root: dict[str, Any] = {}
    for name, value in entries.items():
        if not (name == prefix or name.startswith(prefix + "/") or name == prefix + "#json"):
            continue
        is_json = name.endswith("#json")
        path = name.removesuffix("#json")[len(prefix):].strip("/").split("/")
        leaf = _parse_json(name, value) if is_json else value
        if path == [""]:
            return leaf
        node = root
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = leaf
    return _digit_keys_as_ints(root)


def _parse_json(name: str, value: np.ndarray) -> Any:
    try:
        return json.loads(str(value))
    except json.JSONDecodeError as err:
        raise CheckpointError(f"its entry {name!r} is not valid JSON ({err})") from None


def _digit_keys_as_ints(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    return {(int(k) if k.isdigit() else k): _digit_keys_as_ints(v) for k, v in node.items()}
