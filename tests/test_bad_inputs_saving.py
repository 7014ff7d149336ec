"""The bad-input table of saving (issue 24, items 2 to 4): what ``save_checkpoint`` refuses
because it would not come back as it was (``tinydl.save`` pickles such values, as
``torch.save`` does: ``tests/test_bad_inputs_whole_model.py``), files whose structure
tree is damaged, writes the file system refuses (``tinydl.save``, ``save_checkpoint``,
Keras's ``model.save``/``save_weights``, the plots), ``ModelCheckpoint`` file paths that
cannot be filled in, and ``tinydl train``'s ``--out`` lock and ``--resume``.
Format and check: ``tests/bad_input_table.py``.

Accepted as correct behaviour (no error), with the reason:

- ``tinydl.save`` of state holding a CuPy or fake-device array: saved from the host, loaded
  on the host (or where ``map_location`` says), as tinydl's state files have always been;
  PyTorch puts a tensor back on the device it was saved from, and so does tinydl for the
  tensors of a pickled object (a whole model).
- Saving one array twice in state (``{"a": w, "b": w}``): it comes back as two equal
  arrays. PyTorch keeps the sharing (one storage); tinydl copies (a pickled object keeps
  it: tied weights stay tied).
- ``tinydl.save`` to an open file object: written in place, not atomically (the caller
  opened, and maybe truncated, the file), as ``torch.save`` does; write errors are the
  file object's own.
"""

from __future__ import annotations

import collections
import decimal
import enum
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from bad_input_table import Case, check, params

import tinydl
from tinydl import cli, keras, nn, plots, zoo
from tinydl.errors import FileWriteError
from tinydl.train import CheckpointError, save_checkpoint
from tinydl.train.folder_lock import folder_lock

WORK = Path(tempfile.mkdtemp(prefix="tinydl-bad-saving-"))


@pytest.fixture(autouse=True, scope="module")
def _remove_work_folder() -> Iterator[None]:
    yield
    shutil.rmtree(WORK, ignore_errors=True)


def fresh() -> Path:
    """A new empty folder."""
    return Path(tempfile.mkdtemp(dir=WORK))


def save_extra(obj: object) -> None:
    """A checkpoint whose extra value ``obj`` must come back as it was (``tinydl.save``
    pickles what a checkpoint refuses: tests/test_bad_inputs_whole_model.py)."""
    save_checkpoint(fresh() / "c.npz", nn.Linear(2, 1), obj=obj)


def unwritable() -> Path:
    """A folder nobody may create files in: a read-only one, or /sys for root (who may
    write into any ordinary folder)."""
    if os.geteuid() != 0:
        folder = fresh()
        folder.chmod(0o500)
        return folder
    if not Path("/sys").is_dir():  # pragma: no cover  (root on a system without /sys)
        pytest.skip("no folder here that root cannot write into")
    return Path("/sys")


def with_tree(tree: object, **arrays: np.ndarray) -> Path:
    """A tinydl.save file whose structure entry is ``tree`` (JSON text if a str)."""
    path = fresh() / "edited.pt"
    text = tree if isinstance(tree, str) else json.dumps(tree)
    with open(path, "wb") as file:
        np.savez(file, **{"saved#tree": np.array(text)}, **arrays)
    return path


def keras_model() -> keras.Sequential:
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    return model


def command(*argv: str) -> int:
    """``tinydl ARGV`` with errors as exceptions (``tinydl.cli.main`` prints them)."""
    return cli.run(cli.parse_args(list(argv)))


def run_folder(example: str | None, epoch: int | None = 0) -> Path:
    """An --out folder holding a checkpoint of ``example`` (a zoo recipe), ``epoch``."""
    folder = fresh()
    extra = {key: value for key, value in (("example", example), ("epoch", epoch))
             if value is not None}
    save_checkpoint(folder / "model.npz", zoo.recipe(example or "mnist-mlp").build(), **extra)
    return folder


def train_while_locked(out: Path) -> int:
    """``tinydl train --out OUT`` while OUT is locked by a run (this process, through another
    open file: the operating system's lock tells the two apart as it tells two processes)."""
    with folder_lock(out, "--out", "tinydl train mnist-cnn"):
        return command("train", "mnist-mlp", "--out", str(out))


def earlier_file(entries: dict[str, np.ndarray]) -> Path:
    """A file in the format before the structure tree, holding ``entries``."""
    path = fresh() / "earlier.pt"
    with open(path, "wb") as file:
        np.savez(file, **entries)
    return path


def corrupt_run() -> Path:
    folder = fresh()
    (folder / "model.npz").write_bytes(b"not a zip archive")
    return folder


def filled_in(filepath: str) -> None:
    """ModelCheckpoint's file name for an epoch that reported only ``loss``."""
    keras.callbacks.ModelCheckpoint(filepath).on_epoch_end(0, {"loss": 0.5})


class Color(enum.IntEnum):
    RED = 1


Point = collections.namedtuple("Point", "x y")
SAVES = "it saves arrays"
KEYS = "must be str or int"

CASES = [
    # keys that would come back as something else
    Case("extra/tuple-key", lambda: save_extra({"a": {(1, 2): 3}}), CheckpointError,
         ("save_checkpoint()", "extra['obj']['a'][(1, 2)]", "of type tuple", KEYS)),
    Case("extra/bool-key", lambda: save_extra({True: 1}), CheckpointError,
         ("extra['obj'][True]", "of type bool", KEYS)),
    Case("extra/float-key", lambda: save_extra({0.5: 1}), CheckpointError,
         ("extra['obj'][0.5]", "of type float", KEYS)),
    Case("extra/none-key", lambda: save_extra({None: 1}), CheckpointError,
         ("extra['obj'][None]", "of type NoneType", KEYS)),
    Case("extra/numpy-int-key", lambda: save_extra({np.int64(3): 1}), CheckpointError,
         ("of type numpy.int64", KEYS)),
    Case("extra/bytes-key", lambda: save_extra({b"k": 1}), CheckpointError,
         ("extra['obj'][b'k']", "of type bytes", KEYS)),
    Case("extra/enum-key", lambda: save_extra({Color.RED: 1}), CheckpointError,
         ("of type test_bad_inputs_saving.Color", KEYS)),
    # values that would come back as something else, or not at all
    Case("extra/object-array", lambda: save_extra({"w": np.array([{"a": 1}], dtype=object)}),
         CheckpointError, ("extra['obj']['w']", "dtype object", "only a pickle")),
    Case("extra/object-array-in-list", lambda: save_extra({"w": [1, np.array([None, 2])]}),
         CheckpointError, ("extra['obj']['w'][1]", "dtype object")),
    Case("extra/set", lambda: save_extra({"s": {1, 2}}), CheckpointError,
         ("extra['obj']['s']", "values of type set", "sorted(value)")),
    Case("extra/frozenset", lambda: save_extra({"s": frozenset()}), CheckpointError,
         ("values of type frozenset",)),
    Case("extra/bytes", lambda: save_extra({"b": b"raw"}), CheckpointError,
         ("values of type bytes", "np.frombuffer")),
    Case("extra/complex", lambda: save_extra({"z": 1 + 2j}), CheckpointError,
         ("extra['obj']['z']", "values of type complex", SAVES)),
    Case("extra/function", lambda: save_extra({"f": len}), CheckpointError,
         ("extra['obj']['f']", "builtin_function_or_method")),
    Case("extra/namedtuple", lambda: save_extra({"p": Point(1, 2)}), CheckpointError,
         ("extra['obj']['p']", "test_bad_inputs_saving.Point", "_asdict()")),
    Case("extra/defaultdict", lambda: save_extra({"d": collections.defaultdict(list)}),
         CheckpointError, ("extra['obj']['d']", "collections.defaultdict", "dict(value)")),
    Case("extra/masked-array", lambda: save_extra({"m": np.ma.masked_array([1, 2], [0, 1])}),
         CheckpointError, ("MaskedArray", "np.asarray(value)")),
    Case("extra/enum-value", lambda: save_extra({"c": Color.RED}), CheckpointError,
         ("extra['obj']['c']", "test_bad_inputs_saving.Color")),
    Case("extra/decimal", lambda: save_extra({"d": decimal.Decimal("0.1")}), CheckpointError,
         ("decimal.Decimal",)),
    Case("extra/path", lambda: save_extra({"p": Path("runs")}), CheckpointError,
         ("extra['obj']['p']", "PosixPath" if os.name != "nt" else "WindowsPath")),
    Case("extra/module-inside", lambda: save_extra({"model": nn.Linear(2, 2)}),
         CheckpointError, ("extra['obj']['model']", "Linear")),
    Case("extra/list-inside-itself",
         lambda: save_extra((lambda a: (a.append(a), {"a": a})[1])([])),
         CheckpointError, ("extra['obj']['a'][0]", "contains itself")),
    Case("extra/dict-inside-itself", lambda: save_extra((lambda d: (d.update(me=d), d)[1])({})),
         CheckpointError, ("extra['obj']['me']", "contains itself")),
    # files whose structure does not hold together
    Case("load/tree-not-json", lambda: tinydl.load(with_tree("{oops")), CheckpointError,
         ("edited.pt", "'saved#tree'", "not valid json")),
    Case("load/tree-unknown-node", lambda: tinydl.load(with_tree({"pickle": "x"})),
         CheckpointError, ("edited.pt", "does not describe its arrays", "unknown node")),
    Case("load/tree-missing-entry", lambda: tinydl.load(with_tree({"array": "saved/w"})),
         CheckpointError, ("does not describe its arrays", "saved/w")),
    Case("load/tree-list-key", lambda: tinydl.load(with_tree({"dict": [[[1], 2]]})),
         CheckpointError, ("does not describe its arrays", "a key is a list")),
    Case("load/tree-bad-pairs", lambda: tinydl.load(with_tree({"dict": [1]})),
         CheckpointError, ("does not describe its arrays",)),
    Case("load/tree-unknown-tensor-class",
         lambda: tinydl.load(with_tree({"tensor": "saved/t", "class": "Storage"},
                                       **{"saved/t": np.ones(2)})),
         CheckpointError, ("does not describe its arrays", "Storage")),
    Case("load/tree-integer-parameter",
         lambda: tinydl.load(with_tree({"tensor": "saved/t", "class": "Parameter",
                                        "requires_grad": True}, **{"saved/t": np.ones(2, int)})),
         CheckpointError, ("does not describe its arrays", "Parameter")),
    Case("load/earlier-format-array-as-json",
         lambda: tinydl.load(earlier_file({"saved/w#json": np.ones(2)})),
         CheckpointError, ("'saved/w#json'", "not valid json")),
    # writes the file system refuses
    Case("save/unwritable", lambda: tinydl.save({"a": 1}, unwritable() / "s.pt"),
         FileWriteError, ("tinydl.save(): cannot write", "s.pt", "was not created",
                          "no temporary file is left")),
    Case("save_checkpoint/unwritable",
         lambda: save_checkpoint(unwritable() / "c.npz", nn.Linear(2, 1)), FileWriteError,
         ("save_checkpoint(): cannot write", "c.npz")),
    Case("save_checkpoint/unwritable-new-folder",
         lambda: save_checkpoint(unwritable() / "runs" / "c.npz", nn.Linear(2, 1)),
         FileWriteError, ("save_checkpoint(): cannot write", "runs/c.npz")),
    Case("keras-save/unwritable", lambda: keras_model().save(unwritable() / "m.keras"),
         FileWriteError, ("model.save(): cannot write", "m.keras")),
    Case("keras-save_weights/unwritable",
         lambda: keras_model().save_weights(unwritable() / "m.weights.npz"), FileWriteError,
         ("model.save_weights(): cannot write", "m.weights.npz")),
    Case("plots/unwritable",
         lambda: plots.training_curves({"loss": [1.0, 0.5], "accuracy": [0.5, 0.7]},
                                        unwritable() / "curves.png"),
         FileWriteError, ("saving a plot: cannot write", "curves.png")),
    # ModelCheckpoint's file name
    Case("ModelCheckpoint/unclosed-brace", lambda: keras.callbacks.ModelCheckpoint("m-{epoch"),
         ValueError, ("'m-{epoch'", "not a valid format string", "{{")),
    Case("ModelCheckpoint/stray-brace", lambda: keras.callbacks.ModelCheckpoint("m}.npz"),
         ValueError, ("not a valid format string",)),
    Case("ModelCheckpoint/unknown-field", lambda: filled_in("m-{val_acc:.2f}.npz"), KeyError,
         ("cannot fill in the filepath", "val_acc", "its fields may be epoch, loss")),
    Case("ModelCheckpoint/positional-field", lambda: filled_in("m-{}.npz"), KeyError,
         ("cannot fill in the filepath", "'m-{}.npz'", "epoch, loss")),
    Case("ModelCheckpoint/format-spec", lambda: filled_in("m-{loss:d}.npz"), ValueError,
         ("cannot fill in the filepath", "unknown format code 'd'")),
    Case("ModelCheckpoint/attribute", lambda: filled_in("m-{epoch.real.x}.npz"), ValueError,
         ("cannot fill in the filepath", "no attribute 'x'")),
    # tinydl train: the lock of --out, --resume
    Case("cli train/--out-in-use", lambda: train_while_locked(fresh()),
         tinydl.TinyDLError, ("--out", "is in use by another run", "tinydl train mnist-cnn",
                              f"(pid {os.getpid()}, since", "give another --out")),
    Case("cli train/--resume-other-example",
         lambda: command("train", "mnist-mlp", "--resume", "--out", str(run_folder("mnist-cnn"))),
         tinydl.TinyDLError, ("--resume", "is a checkpoint of mnist-cnn, not of mnist-mlp")),
    Case("cli train/--resume-not-of-train",
         lambda: command("train", "mnist-mlp", "--resume", "--out", str(run_folder(None))),
         tinydl.TinyDLError, ("--resume", "was not written by tinydl train")),
    Case("cli train/--resume-without-epoch",
         lambda: command("train", "mnist-mlp", "--resume", "--out",
                         str(run_folder("mnist-mlp", epoch=None))),
         tinydl.TinyDLError, ("--resume", "which example and epoch")),
    Case("cli train/--resume-corrupt",
         lambda: command("train", "mnist-mlp", "--resume", "--out", str(corrupt_run())),
         CheckpointError, ("model.npz", "not an .npz (zip) archive")),
]


@pytest.mark.parametrize("case", params(CASES))
def test_bad_input_gets_a_clear_tinydl_error(case: Case) -> None:
    check(case)


def test_a_refused_value_writes_nothing() -> None:
    folder, model = fresh(), nn.Linear(2, 1)
    save_checkpoint(folder / "c.npz", model, epoch=1)
    before = (folder / "c.npz").read_bytes()
    with pytest.raises(CheckpointError, match=r"extra\['when'\]"):
        save_checkpoint(folder / "c.npz", model, epoch=2, when=object())
    assert (folder / "c.npz").read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["c.npz"]
