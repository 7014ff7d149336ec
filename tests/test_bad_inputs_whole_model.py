"""The bad-input table of whole-object saving (issue 21): ``tinydl.save`` of objects pickle
cannot save, the allow-list calls of ``tinydl.serialization``, and ``tinydl.load`` of files
that need a class nobody allowed, or that try to get round the allow-list (crafted
pickles that call, instantiate or change objects other than allowed classes), damaged
pickles, and tensors saved on a GPU this machine lacks.
Format and check: ``tests/bad_input_table.py``.

Accepted as correct behaviour (no error), with the reason:

- ``tinydl.save`` of a set, a tuple-keyed dict, bytes or any object of the program's own
  class: pickled, as ``torch.save`` does (``save_checkpoint`` still refuses them: its
  rows are in ``tests/test_bad_inputs_saving.py``).
- ``tinydl.load(f, weights_only=False)`` of a file naming ``os.system``: it runs it, as
  ``torch.load`` does; the documentation says to use it only for a trusted file.
- ``safe_globals([])``: allows nothing more, as in PyTorch.
"""

from __future__ import annotations

import io
import json
import pickle
from collections.abc import Iterator

import numpy as np
import pytest
from bad_input_table import Case, check, params

import tinydl
from tinydl import nn, serialization
from tinydl.train import CheckpointError
from tinydl.train.pickled_object import UnsafeGlobalError


class Model(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.layer = nn.Linear(2, 2)


class Scaled(tinydl.Tensor):
    """A Tensor subclass tinydl does not know how to store."""


class Vanished(nn.Module):
    """Removed from the module after saving, as a class renamed since."""


@pytest.fixture(autouse=True)
def _nothing_allowed() -> Iterator[None]:
    serialization.clear_safe_globals()
    yield
    serialization.clear_safe_globals()


def save(obj: object) -> None:
    tinydl.save(obj, io.BytesIO())


def with_attribute(**attributes: object) -> Model:
    model = Model()
    for name, value in attributes.items():
        setattr(model, name, value)
    return model


def local_model() -> nn.Module:
    class Local(nn.Module):
        pass

    return Local()


def saved(obj: object) -> io.BytesIO:
    buffer = io.BytesIO()
    tinydl.save(obj, buffer)
    buffer.seek(0)
    return buffer


def file_of(pickled: bytes, tree: str = "[]", **arrays: np.ndarray) -> io.BytesIO:
    """A tinydl.save file whose pickle is ``pickled`` (written by hand)."""
    buffer = io.BytesIO()
    np.savez(buffer, **{"saved#pickle": np.frombuffer(pickled, np.uint8),
                        "saved#tree": np.array(tree)}, **arrays)
    buffer.seek(0)
    return buffer


def load_allowing(file: io.BytesIO, allowed: list, **options: object) -> object:
    with serialization.safe_globals(allowed):
        return tinydl.load(file, **options)


def truncated() -> io.BytesIO:
    with np.load(saved(Model())) as archive:
        entries = dict(archive)
    entries["saved#pickle"] = entries["saved#pickle"][:-20]
    buffer = io.BytesIO()
    np.savez(buffer, **entries)
    buffer.seek(0)
    return buffer


def vanished() -> io.BytesIO:
    buffer = saved(Vanished())
    del globals()["Vanished"]
    return buffer


def persistent(reference: object, **arrays: np.ndarray) -> io.BytesIO:
    """A file whose pickle is only ``reference``, as a reference to a stored array
    (BINPERSID), beside ``arrays`` (named saved/0, saved/1, ...)."""
    tree = json.dumps([{"array": name} for name in arrays])
    return file_of(pickle.dumps(reference, protocol=2)[:-1] + b"Q.", tree, **arrays)


# Pickle opcodes, protocol 2: the class Model, an empty tuple, NEWOBJ (an object of Model).
MODEL = f"c{__name__}\nModel\n".encode()
A_MODEL = MODEL + b")\x81"

CASES = [
    # the allow-list
    Case("safe_globals/name-string",
         lambda: serialization.safe_globals(["tinydl.nn.Linear"]).__enter__(), TypeError,
         ("safe_globals()", "each entry must be a class or a function",
          "got the str 'tinydl.nn.Linear'", "give the class itself, not its name")),
    Case("add_safe_globals/module-object", lambda: serialization.add_safe_globals([Model()]),
         TypeError, ("add_safe_globals()", "must be a class or a function", "got the Model")),
    Case("add_safe_globals/short-pair", lambda: serialization.add_safe_globals([(Model,)]),
         TypeError, ("add_safe_globals()", "(object, 'module.name') pair", "got the tuple")),
    # objects pickle cannot save
    Case("save/lambda-attribute", lambda: save(with_attribute(act=lambda x: x)),
         CheckpointError, ("tinydl.save(): cannot save the Model", "it is pickled, as "
                           "torch.save does, and pickle cannot save it", "<lambda>")),
    Case("save/local-class", lambda: save(local_model()), CheckpointError,
         ("cannot save the Local", "local object", "local_model.<locals>.Local")),
    Case("save/generator", lambda: save({"batches": (i for i in range(3))}), CheckpointError,
         ("cannot save the dict", "'generator' object")),
    Case("save/tensor-subclass", lambda: save(with_attribute(w=Scaled([1.0]))), CheckpointError,
         ("tinydl.save(): cannot save a tensor of class Scaled",
          "saves Tensor, Parameter and Buffer")),
    # classes and functions nobody allowed
    Case("load/not-allowed", lambda: tinydl.load(saved(Model())), UnsafeGlobalError,
         (f"it needs {__name__}.Model, which is not allowed",
          f"add_safe_globals([{__name__}.Model])", "safe_globals([",
          "weights_only=False, but only a file from a source you trust")),
    Case("load/allowed-by-another-class",
         lambda: load_allowing(saved(Model()), [nn.Linear]), UnsafeGlobalError,
         (f"needs {__name__}.Model",)),
    Case("load/vanished-class-trusting", lambda: tinydl.load(vanished(), weights_only=False),
         CheckpointError, (f"it needs {__name__}.Vanished, which cannot be found",
                           "import or define it")),
    # crafted pickles that try to get round the allow-list
    Case("load/calls-a-model", lambda: load_allowing(file_of(b"\x80\x02" + A_MODEL + b")R."),
                                                     [Model]),
         UnsafeGlobalError, ("its pickle calls an object of class Model",
                             "not an allowed class or function")),
    Case("load/instantiates-a-model",
         lambda: load_allowing(file_of(b"\x80\x02" + A_MODEL + b")\x81."), [Model]),
         UnsafeGlobalError, ("its pickle instantiates an object of class Model",)),
    Case("load/obj-opcode-calls-a-model",
         lambda: load_allowing(file_of(b"\x80\x02(" + A_MODEL + b"o."), [Model]),
         UnsafeGlobalError, ("its pickle calls an object of class Model",)),
    Case("load/changes-an-allowed-class",
         lambda: load_allowing(file_of(b"\x80\x02" + MODEL + b"N}X\x07\x00\x00\x00forward"
                                       b"K\x01s\x86b."), [Model]),
         UnsafeGlobalError, ("changes the attributes of", "Model'>", "itself")),
    Case("load/imports-a-module", lambda: tinydl.load(file_of(b"\x80\x02cbuiltins\neval\n.")),
         UnsafeGlobalError, ("it needs builtins.eval, which is not allowed",)),
    # damaged files
    Case("load/truncated-pickle", lambda: load_allowing(truncated(), [Model, nn.Linear]),
         CheckpointError, ("cannot load the BytesIO: unpickling it raised IndexError",)),
    Case("load/unknown-reference", lambda: tinydl.load(persistent("bad")), CheckpointError,
         ("unpickling it raised UnpicklingError", "unknown reference 'bad'")),
    Case("load/reference-past-the-end", lambda: tinydl.load(persistent(("tinydl", 5, "cpu"))),
         CheckpointError, ("unknown reference ('tinydl', 5, 'cpu')",)),
    Case("load/saved-on-a-missing-gpu",
         lambda: tinydl.load(persistent(("tinydl", 0, "cuda:7"), **{"saved/0": np.ones(2)})),
         tinydl.DeviceError, ("tensors saved on cuda:7 cannot go back there",
                              "load the file with map_location='cpu'")),
]


@pytest.mark.parametrize("case", params(CASES))
def test_bad_input_gets_a_clear_tinydl_error(case: Case) -> None:
    check(case)


def test_a_refused_class_is_left_as_it_was() -> None:
    forward = Model.forward
    check(CASES[[case.id for case in CASES].index("load/changes-an-allowed-class")])
    assert Model.forward is forward
