"""Whole objects in a ``tinydl.save`` file (a model, an optimiser, any picklable object), as
``torch.save`` keeps them, and loading them back safely.

A state dict needs no pickle (:mod:`tinydl.train.state_archive`), but a model is an object of
the program's own class, and only a pickle can say how to rebuild it. The file is the same
``.npz`` archive as for state, with one more entry:

- ``saved#pickle``: the pickle of the object, as bytes, in which every tensor and array is
  a reference ``("tinydl", 3, "cuda:0")``: the index of its entry, and the device it was on;
- ``saved/0``, ``saved/1``, …, ``saved#tree``: those tensors and arrays, in the host's
  memory, stored as state is (a Parameter stays a Parameter, a tensor held twice, as tied
  weights are, is stored once and comes back one tensor).

Loading a pickle calls the classes and functions it names. With ``weights_only=True`` (the
default) the unpickler resolves only allowed names: NumPy's, Python's plain containers
and what the program allowed (:mod:`tinydl.train.allow_list`); it refuses every other name
before calling anything, and it never imports a module. A file from someone else cannot
then run code through ``os.system`` or the like. It also calls only allowed names, never
an object the pickle built, and never changes an allowed class or function (the pickle
opcodes REDUCE, NEWOBJ, INST and OBJ call; BUILD sets attributes), so that allowing a
class allows building objects of it, nothing more. ``weights_only=False`` unpickles everything,
as ``pickle.load`` does: it runs whatever the file names.
"""

from __future__ import annotations

import collections
import io
import pickle
from collections.abc import Callable
from typing import Any

import numpy as np

from tinydl import backend
from tinydl.autograd.tensor import Tensor
from tinydl.backend.devices import Device
from tinydl.data.safe_pickle import ALLOWED_GLOBALS
from tinydl.errors import DeviceError, TinyDLError
from tinydl.train import allow_list
from tinydl.train.state_archive import TENSOR_CLASSES, CheckpointError, pack

_PICKLE = "#pickle"
_REFERENCE = "tinydl"  # the first item of every reference to a stored tensor or array
_PROTOCOL = 4  # read by every Python that tinydl runs on

# What weights_only=True always allows: NumPy's arrays, scalars and dtypes, Python's plain
# values that pickle rebuilds by a call (an OrderedDict, a set, a complex number, ...), and
# tinydl's devices. Tensors and arrays need no name: they are references.
_ALWAYS_ALLOWED = {
    **{f"{module}.{name}": obj for (module, name), obj in ALLOWED_GLOBALS.items()},
    **{allow_list.global_name(kind): kind for kind in (
        collections.OrderedDict, collections.Counter, set, frozenset, complex, bytearray,
        slice, Device)},
}


class UnsafeGlobalError(CheckpointError, pickle.UnpicklingError):
    """A pickled object needs a class or function that ``weights_only=True`` does not call."""


def is_pickled(entries: dict[str, np.ndarray], prefix: str) -> bool:
    """Whether the archive ``entries`` holds an object pickled by :func:`pickled`."""
    return prefix + _PICKLE in entries


def pickled(prefix: str, obj: Any, caller: str) -> dict[str, np.ndarray]:
    """The archive entries, all named ``prefix/...`` or ``prefix#...``, that hold ``obj``
    pickled, its tensors and arrays stored beside the pickle. An object that pickle cannot
    save raises :class:`CheckpointError`, in a message that starts with ``caller``."""
    file = io.BytesIO()
    pickler = _Pickler(file, caller)
    try:
        pickler.dump(obj)
    except (pickle.PicklingError, TypeError, AttributeError) as err:
        raise CheckpointError(
            f"{caller}: cannot save the {type(obj).__name__}: it is not state (tensors, arrays "
            f"and plain values), so it is pickled, as torch.save does, and pickle cannot save "
            f"it: {err}"
        ) from err
    entries = pack(prefix, pickler.kept, "the tensors", caller)
    entries[prefix + _PICKLE] = np.frombuffer(file.getvalue(), dtype=np.uint8)
    return entries


class _Pickler(pickle.Pickler):
    """Pickles an object with its tensors and arrays kept out of the pickle, in ``kept``."""

    def __init__(self, file: io.BytesIO, caller: str) -> None:
        super().__init__(file, protocol=_PROTOCOL)
        self.caller = caller
        self.kept: list[Any] = []  # also keeps each object alive, so its id stays its own
        self.references: dict[int, tuple[str, int, str]] = {}

    def persistent_id(self, obj: Any) -> tuple[str, int, str] | None:
        if isinstance(obj, Tensor):
            if type(obj) not in TENSOR_CLASSES:
                raise CheckpointError(
                    f"{self.caller}: cannot save a tensor of class {type(obj).__name__}: "
                    f"tinydl saves Tensor, Parameter and Buffer objects"
                )
            location = obj.device
        elif type(obj) is np.ndarray or (backend.is_array(obj) and not isinstance(obj, np.ndarray)):
            if obj.dtype.hasobject:  # Python objects: pickled with the rest
                return None
            location = backend.device_of(obj)
        else:
            return None
        if id(obj) not in self.references:
            self.references[id(obj)] = (_REFERENCE, len(self.kept), str(location))
            self.kept.append(obj)
        return self.references[id(obj)]


def unpickled(entries: dict[str, np.ndarray], prefix: str, kept: list[Any],
              place: Callable[[Any, str], Any], weights_only: bool, name: str) -> Any:
    """The object that :func:`pickled` stored under ``prefix`` in ``entries`` (the file
    ``name``), given ``kept``, the tensors and arrays stored beside it, each handed to
    ``place(array, saved_device)`` when the pickle first refers to it. With
    ``weights_only`` it calls only allowed names, else it raises
    :class:`UnsafeGlobalError` naming the first other one."""
    file = io.BytesIO(entries[prefix + _PICKLE].tobytes())
    unpickler = (_WeightsOnlyUnpickler if weights_only else _TrustingUnpickler)(file, name)
    unpickler.persistent_load = _Stored(kept, place).fetch
    try:
        return unpickler.load()
    except TinyDLError:  # a refused or missing name, a missing device: said already
        raise
    except Exception as err:  # a damaged pickle, or a class changed since the file was saved
        raise CheckpointError(
            f"cannot load {name}: unpickling it raised {type(err).__name__}: {err}"
        ) from err


class _Stored:
    """The tensors and arrays stored beside a pickle, each placed once when first fetched."""

    def __init__(self, kept: Any, place: Callable[[Any, str], Any]) -> None:
        self.kept, self.place = kept, place
        self.fetched: dict[int, Any] = {}

    def fetch(self, reference: Any) -> Any:
        if not (type(reference) is tuple and len(reference) == 3 and reference[0] == _REFERENCE
                and type(reference[1]) is int and 0 <= reference[1] < len(self.kept)
                and type(reference[2]) is str):
            raise pickle.UnpicklingError(f"unknown reference {reference!r:.80}")
        _, index, location = reference
        if index not in self.fetched:
            value = self.kept[index]
            try:
                if isinstance(value, Tensor):
                    value.array = self.place(value.array, location)
                else:
                    value = self.place(value, location)
            except DeviceError as err:
                raise DeviceError(f"tensors saved on {location} cannot go back there ({err}); "
                                  f"load the file with map_location='cpu'") from None
            self.fetched[index] = value
        return self.fetched[index]


class _TrustingUnpickler(pickle.Unpickler):
    """``weights_only=False``: every name the pickle needs, imported as ``pickle.load``
    does; one that cannot be found is named."""

    def __init__(self, file: io.BytesIO, name: str) -> None:
        super().__init__(file)
        self.name = name

    def find_class(self, module: str, name: str) -> Any:
        try:
            return super().find_class(module, name)
        except (ImportError, AttributeError) as err:
            raise CheckpointError(
                f"cannot load {self.name}: it needs {module}.{name}, which cannot be found "
                f"({err}); import or define it as the program that saved the file did, "
                f"before loading"
            ) from None


class _WeightsOnlyUnpickler(pickle._Unpickler):
    """Python's own unpickler, written in Python (``pickle._Unpickler``, the reference for
    the C one), with the opcodes that call or change objects checked first: a subclass can
    replace single opcodes of it, which the C unpickler does not allow."""

    def __init__(self, file: io.BytesIO, name: str) -> None:
        super().__init__(file)
        self.name = name
        self.allowed = {**_ALWAYS_ALLOWED, **allow_list.allowed_globals()}
        self.allowed_ids = {id(obj) for obj in self.allowed.values()}

    def find_class(self, module: str, name: str) -> Any:
        path = f"{module}.{name}"
        if path not in self.allowed:
            raise UnsafeGlobalError(
                f"cannot load {self.name} with weights_only=True (the default): it needs "
                f"{path}, which is not allowed. If you trust this class or function, allow it "
                f"with tinydl.serialization.add_safe_globals([{path}]) or in a block "
                f"`with tinydl.serialization.safe_globals([{path}]):`. Or load it with "
                f"weights_only=False, but only a file from a source you trust: that runs any "
                f"code the file names"
            )
        return self.allowed[path]

    def _require_allowed(self, obj: Any, action: str) -> None:
        if id(obj) not in self.allowed_ids:
            raise UnsafeGlobalError(
                f"cannot load {self.name} with weights_only=True (the default): its pickle "
                f"{action} an object of class {type(obj).__name__}, not an allowed class or "
                f"function; a file that tinydl.save() wrote never does"
            )

    dispatch = dict(pickle._Unpickler.dispatch)

    def load_reduce(self) -> None:  # stack: ... function arguments
        self._require_allowed(self.stack[-2], "calls")
        super().load_reduce()

    def load_newobj(self) -> None:  # stack: ... class arguments
        self._require_allowed(self.stack[-2], "instantiates")
        super().load_newobj()

    def load_newobj_ex(self) -> None:  # stack: ... class arguments keywords
        self._require_allowed(self.stack[-3], "instantiates")
        super().load_newobj_ex()

    def _instantiate(self, klass: Any, args: Any) -> None:  # the opcodes INST and OBJ
        self._require_allowed(klass, "calls")
        super()._instantiate(klass, args)

    def load_build(self) -> None:  # stack: ... object state
        if id(self.stack[-2]) in self.allowed_ids:
            raise UnsafeGlobalError(
                f"cannot load {self.name} with weights_only=True (the default): its pickle "
                f"changes the attributes of {self.stack[-2]!r:.80} itself, which "
                f"weights_only=True never does"
            )
        super().load_build()

    dispatch[pickle.REDUCE[0]] = load_reduce
    dispatch[pickle.NEWOBJ[0]] = load_newobj
    dispatch[pickle.NEWOBJ_EX[0]] = load_newobj_ex
    dispatch[pickle.BUILD[0]] = load_build
