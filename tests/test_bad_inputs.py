"""The bad-input table of tinydl's core: every public entry point, fed the mistakes a new user
makes, must answer with a tinydl error whose message names the argument, what it got and
what it expected, raised by tinydl itself (never from inside NumPy) and never a silent
result. The format and the check are in ``tests/bad_input_table.py``.

**New public entry points must be added to the table**: here, or in the
``tests/test_bad_inputs_<area>.py`` module of their area, with at least one row per
argument a user can get wrong.

Covered here: tensor creation and methods, the ops (arithmetic, comparisons, matmul,
element-wise, shape, indexing, activations), the layers, the losses, the optimisers,
clipping, the learning-rate schedules, the data loaders and preprocessing, checkpoints,
``load_state_dict``, ``fit``/``evaluate``/``predict``, ``gradcheck``, ``summary`` and each
command of the ``tinydl`` CLI.

Accepted as correct behaviour (no error), with the reason:

- ``nn.HingeLoss(margin=-1)``: any margin is a valid loss (PyTorch accepts it too).
- ``lr_scheduler.ExponentialLR`` with ``gamma > 1``: a growing rate is legitimate (warm-up).
- ``model(numpy_array)``: arrays are converted to the model's device and dtype, as Keras
  does (issue 11b).
- ``nn.Module()(x)`` raises ``NotImplementedError("Module must define forward()")``:
  Python's convention for an abstract method, as PyTorch does.
- ``SGD(params)`` without ``lr``: Python's own "missing 1 required positional argument:
  'lr'" names the argument; there is nothing for tinydl to add.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from bad_input_table import Case, check, params

import tinydl
from tinydl import cli, data, nn, optim, train
from tinydl.data import DataError
from tinydl.errors import AxisError, DeviceError
from tinydl.nn import functional as F  # noqa: N812  (PyTorch's spelling)
from tinydl.optim import lr_scheduler
from tinydl.train import CheckpointError

T = tinydl.tensor
WORK = Path(tempfile.mkdtemp(prefix="tinydl-bad-inputs-"))


@pytest.fixture(autouse=True, scope="module")
def _remove_work_folder() -> Iterator[None]:
    yield
    shutil.rmtree(WORK, ignore_errors=True)


# ---- what the rows are made from (fresh objects for every call) ---------------------------
def x23() -> tinydl.Tensor:
    return T(np.arange(6.0).reshape(2, 3))


def x4() -> tinydl.Tensor:
    return T(np.ones(4))


def images(dtype: str = "float32") -> tinydl.Tensor:
    return T(np.ones((2, 1, 6, 6), dtype=dtype))


def dense() -> nn.Dense:
    return nn.Dense(3, 2)


def params_of() -> list[nn.Parameter]:
    return list(dense().parameters())


def sgd() -> optim.SGD:
    return optim.SGD(params_of(), lr=0.1)


def empty_loader() -> data.DataLoader:
    return data.DataLoader(np.zeros((0, 3), np.float32), np.zeros(0, np.int64))


def batches() -> list[tuple[tinydl.Tensor, tinydl.Tensor]]:
    return [(T(np.ones((4, 3))), T([0, 1, 0, 1]))]


def load_state(state: object, **options: object) -> None:
    dense().load_state_dict(state, **options)  # type: ignore[arg-type]


def good_state(**changes: object) -> dict[str, object]:
    state: dict[str, object] = dict(dense().state_dict())
    state.update(changes)
    return state


def a_file() -> Path:
    """A plain file, to put paths under."""
    path = WORK / "a-file.txt"
    path.write_text("not a folder")
    return path


def checkpoint_with(entry: str, text: str) -> Path:
    """A real checkpoint whose JSON entry ``entry`` is replaced by ``text``."""
    path = WORK / f"edited-{abs(hash((entry, text)))}.npz"
    train.save_checkpoint(path, dense(), epoch=1)
    with np.load(path) as archive:
        entries = {name: archive[name] for name in archive.files}
    entries[entry] = np.array(text)
    np.savez(path, **entries)
    return path


def nan_checkpoint() -> Path:
    model = dense()
    model.weight.array[...] = np.nan
    path = WORK / "nan.npz"
    train.save_checkpoint(path, model)
    return path


def unwritable_folder() -> Path:
    """A folder nobody may create files in: a read-only one, or /sys for root (which may
    write into any ordinary folder)."""
    if os.geteuid() != 0:
        folder = WORK / "read-only"
        folder.mkdir(exist_ok=True)
        folder.chmod(0o500)
        return folder / "out"
    if not Path("/sys").is_dir():  # pragma: no cover  (root on a system without /sys)
        pytest.skip("no folder here that root cannot write into")
    return Path("/sys/tinydl-out")


def load_mnist_from_nowhere() -> object:
    """``load_mnist`` where no folder it searches holds MNIST: an empty root, no
    $TINYDL_DATA, an empty cache."""
    saved = {name: os.environ.pop(name, None) for name in ("TINYDL_DATA", "XDG_CACHE_HOME")}
    os.environ["XDG_CACHE_HOME"] = str(WORK / "cache")
    try:
        return data.load_mnist(WORK / "nothing", download=False)
    finally:
        for name, value in saved.items():
            os.environ.pop(name, None)
            if value is not None:
                os.environ[name] = value


def command(*argv: str) -> int:
    """``tinydl ARGV`` with errors as exceptions (``tinydl.cli.main`` prints them)."""
    return cli.run(cli.parse_args(list(argv)))


def saved_model() -> Path:
    path = WORK / "model.npz"
    train.save_checkpoint(path, dense(), epoch=0, example="mnist-mlp")
    return path


BROADCAST = ("got shapes (2, 3) and (4,)", "do not broadcast", "equal or one of them 1")
TO_FLOAT = ("tinydl.data.to_float", ".astype('float32')")

CASES = [
    # ---- tensor creation ------------------------------------------------------------------
    Case("tensor/string", lambda: T("abc"), TypeError, ("tensor()", "data", "strings", "<U3")),
    Case("tensor/numeric-strings", lambda: T(["1.5", "2"]), TypeError, ("data", "strings")),
    Case(
        "tensor/object-array", lambda: T(np.array([1, "a"], dtype=object)), TypeError,
        ("data", "python objects", "dtype object"),
    ),
    Case(
        "tensor/ragged", lambda: T([[1, 2], [3]]), ValueError,
        ("data", "ragged", "data[1] has 1 item, data[0] has 2 items"),
    ),
    Case(
        "tensor/ragged-deep", lambda: T([[1, 2], [3, [4, 5]]]), ValueError,
        ("ragged", "data[1][1] has 2 items", "data[1][0] is a single number"),
    ),
    Case(
        "tensor/list-of-tensors", lambda: T([T(1.0), T(2.0)]), TypeError,
        ("list of tensors", "tinydl.stack"),
    ),
    Case("tensor/none", lambda: T(None), TypeError, ("data", "got nonetype")),
    Case("tensor/dict", lambda: T({"a": 1}), TypeError, ("data", "got dict")),
    Case("tensor/set", lambda: T({1, 2}), TypeError, ("data", "got set")),
    Case(
        "tensor/dates", lambda: T(np.array(["2024-01-01"], dtype="datetime64[D]")), TypeError,
        ("data", "dates"),
    ),
    Case(
        "tensor/dtype-misspelt", lambda: T([1.0], dtype="floot32"), TypeError,
        ("dtype 'floot32' is not a data type", "'float32'"),
    ),
    Case("tensor/dtype-str", lambda: T([1.0], dtype="str"), TypeError, ("dtype 'str'", "numeric")),
    Case("tensor/dtype-number", lambda: T([1.0], dtype=5), TypeError, ("dtype 5",)),
    Case(
        "tensor/int-requires-grad", lambda: T([1, 2], requires_grad=True), TypeError,
        ("requires_grad", "floating-point", "int64"),
    ),
    Case(
        "tensor/bool-requires-grad", lambda: T([True], requires_grad=True), TypeError,
        ("floating-point", "bool"),
    ),
    Case("tensor/device", lambda: T([1.0], device="gpu"), DeviceError, ("unknown device 'gpu'",)),
    Case(
        "Tensor/string-array", lambda: tinydl.Tensor(np.array(["a", "b"])), TypeError,
        ("Tensor()", "data", "strings"),
    ),
    Case("Tensor/ragged", lambda: tinydl.Tensor([[1.0], []]), ValueError, ("Tensor()", "ragged")),
    Case(
        "Parameter/string", lambda: nn.Parameter("abc"), TypeError, ("data", "strings"),
    ),
    Case(
        "Parameter/int", lambda: nn.Parameter(np.array([1, 2])), TypeError,
        ("Parameter()", "floating-point", "int64"),
    ),
    Case(
        "set_default_device", lambda: tinydl.set_default_device("tpu"), DeviceError,
        ("unknown device 'tpu'",),
    ),
    Case("manual_seed/string", lambda: tinydl.manual_seed("a"), ValueError, ("seed", "'a'")),
    Case("manual_seed/negative", lambda: tinydl.manual_seed(-1), ValueError, ("seed", ">= 0")),
    # ---- tensor methods -------------------------------------------------------------------
    Case(
        "requires_grad_/int", lambda: T([1, 2]).requires_grad_(), TypeError,
        ("requires_grad_()", "floating-point", "int64", "astype('float32')"),
    ),
    Case(
        "requires_grad_/non-leaf", lambda: (T([1.0], requires_grad=True) * 2).requires_grad_(),
        RuntimeError, ("leaf", "detach()"),
    ),
    Case(
        "astype/misspelt", lambda: x23().astype("floot32"), TypeError,
        ("astype()", "dtype 'floot32'"),
    ),
    Case("astype/none", lambda: x23().astype(None), TypeError, ("astype()", "dtype none")),
    Case("item/many", lambda: x23().item(), ValueError, ("item()", "one element", "(2, 3)")),
    Case("float/many", lambda: float(x23()), ValueError, ("one element", "(2, 3)")),
    Case("to/device", lambda: x23().to("tpu"), DeviceError, ("unknown device 'tpu'",)),
    Case(
        "backward/no-grad", lambda: x23().sum().backward(), RuntimeError,
        ("does not require grad", "requires_grad=True"),
    ),
    Case(
        "backward/non-scalar", lambda: T([1.0, 2.0], requires_grad=True).exp().backward(),
        RuntimeError, ("scalar", "shape (2,)"),
    ),
    Case(
        "backward/grad-shape",
        lambda: T([1.0, 2.0], requires_grad=True).exp().backward(T([1.0])), ValueError,
        ("gradient of shape (2,)", "got (1,)"),
    ),
    Case(
        "reshape/size", lambda: x23().reshape(4, 2), ValueError,
        ("cannot reshape", "(2, 3)", "(4, 2)"),
    ),
    Case("reshape/float", lambda: x23().reshape(2.0, 3), TypeError, ("reshape()", "integers")),
    Case(
        "permute/axes", lambda: x23().permute(0, 0), ValueError,
        ("permute(0, 0)", "each of the 2 axes", "once"),
    ),
    # ---- indexing -------------------------------------------------------------------------
    Case(
        "index/out-of-range", lambda: x23()[5], IndexError,
        ("tensor[5]", "shape (2, 3)", "out of range for axis 0 of size 2", "-2 to 1"),
    ),
    Case(
        "index/negative-out-of-range", lambda: x23()[-3], IndexError,
        ("index -3", "axis 0 of size 2"),
    ),
    Case(
        "index/second-axis", lambda: x23()[:, 7], IndexError,
        ("tensor[:, 7]", "index 7", "axis 1 of size 3"),
    ),
    Case(
        "index/too-many", lambda: x23()[0, 0, 0], IndexError,
        ("tensor[0, 0, 0]", "3 indices", "2 axes"),
    ),
    Case("index/float", lambda: x23()[1.5], IndexError, ("tensor[1.5]", "integers, slices")),
    Case("index/string", lambda: x23()["a"], IndexError, ("tensor['a']", "integers, slices")),
    Case(
        "index/float-tensor", lambda: x23()[T([0.5])], IndexError,
        ("float32 array", "integer"),
    ),
    Case(
        "index/mask-shape", lambda: x23()[np.array([True])], IndexError,
        ("bool array of shape (1,)", "boolean index did not match"),
    ),
    Case(
        "index/list-out-of-range", lambda: x23()[[0, 4]], IndexError,
        ("tensor[[0, 4]]", "index 4 is out of bounds"),
    ),
    # ---- arithmetic and comparisons -------------------------------------------------------
    Case("add/broadcast", lambda: x23() + x4(), ValueError, ("a + b", *BROADCAST)),
    Case("sub/broadcast", lambda: x23() - x4(), ValueError, ("a - b", *BROADCAST)),
    Case("mul/broadcast", lambda: x23() * x4(), ValueError, ("a * b", *BROADCAST)),
    Case("div/broadcast", lambda: x23() / x4(), ValueError, ("a / b", *BROADCAST)),
    Case(
        "add/broadcast-3d", lambda: T(np.ones((2, 5, 3))) + T(np.ones((4, 3))), ValueError,
        ("(2, 5, 3) and (4, 3)", "axis -2 has sizes 4 and 5"),
    ),
    Case("lt/broadcast", lambda: x23() < x4(), ValueError, ("a < b", *BROADCAST)),
    Case("ge/broadcast", lambda: x23() >= x4(), ValueError, ("a >= b", *BROADCAST)),
    Case("eq/broadcast", lambda: x23() == x4(), ValueError, ("a == b", *BROADCAST)),
    Case(
        "maximum/broadcast", lambda: tinydl.maximum(x23(), x4()), ValueError,
        ("maximum()", *BROADCAST),
    ),
    Case(
        "where/broadcast", lambda: tinydl.where(x23() > 0, x23(), x4()), ValueError,
        ("where(condition, a, b)", "(2, 3) and (2, 3) and (4,)", "do not broadcast"),
    ),
    Case(
        "where/condition", lambda: tinydl.where(x23(), x23(), x23()), TypeError,
        ("where()", "boolean condition", "float32"),
    ),
    Case(
        "sub/bool", lambda: T([True]) - T([False]), TypeError,
        ("'-'", "boolean tensors", "astype('float32')"),
    ),
    Case("neg/bool", lambda: -T([True]), TypeError, ("'-'", "boolean", "dtype bool")),
    Case(
        "mul/non-numeric-data", lambda: _with_data(np.array(["a"])) * T([1.0]), TypeError,
        ("'*'", "numeric tensors", "<u1 and float32"),
    ),
    Case("add/string", lambda: x23() + "a", TypeError, ("operand of type str",)),
    Case("add/none", lambda: x23() + None, TypeError, ("operand of type nonetype",)),
    Case("add/list", lambda: x23() + [1, 2, 3], TypeError, ("operand of type list",)),
    Case("pow/string", lambda: x23() ** "2", TypeError, ("exponent", "got str")),
    Case(
        "matmul/shapes", lambda: x23() @ x23(), ValueError,
        ("matmul shapes (2, 3) and (2, 3)", "last axis of the first (3)"),
    ),
    Case("matmul/scalar", lambda: tinydl.matmul(x23(), 2.0), ValueError, ("matmul", "use *")),
    Case(
        "matmul/lists", lambda: tinydl.matmul([[1.0]], [[1.0]]), TypeError,
        ("tensor operand", "list and list", "tinydl.tensor"),
    ),
    # ---- element-wise, shape ops, activations --------------------------------------------
    Case("exp/list", lambda: tinydl.exp([1.0]), TypeError, ("exp()", "input 0 is a list")),
    Case("log/list", lambda: tinydl.log([1.0]), TypeError, ("log()", "input 0 is a list")),
    Case("sqrt/ndarray", lambda: tinydl.sqrt(np.ones(2)), TypeError, ("sqrt()", "ndarray")),
    Case("relu/list", lambda: tinydl.relu([1.0]), TypeError, ("relu()", "input 0 is a list")),
    Case("sigmoid/list", lambda: tinydl.sigmoid([1.0]), TypeError, ("sigmoid()", "list")),
    Case("tanh/list", lambda: tinydl.tanh([1.0]), TypeError, ("tanh()", "list")),
    Case(
        "softmax/axis", lambda: tinydl.softmax(x23(), axis=5), AxisError,
        ("softmax()", "axis 5", "shape (2, 3)", "-2 to 1"),
    ),
    Case(
        "log_softmax/axis", lambda: tinydl.log_softmax(x23(), axis=2), AxisError,
        ("logsoftmax()", "axis 2", "-2 to 1"),
    ),
    Case(
        "sum/axis", lambda: tinydl.sum(x23(), axis=3), ValueError,
        ("sum()", "axis must be an integer from -2 to 1", "got 3"),
    ),
    Case("mean/axis", lambda: x23().mean(axis=-3), ValueError,
         ("mean()", "axis must be an integer from -2 to 1", "got -3")),
    Case(
        "clip/low-high", lambda: tinydl.clip(x23(), 2, 1), ValueError,
        ("clamp()", "min <= max", "min=2"),
    ),
    Case("clip/none", lambda: tinydl.clip(x23()), ValueError, ("clamp()", "min and max")),
    Case("clip/string", lambda: tinydl.clip(x23(), "a", 1), TypeError, ("clamp()", "min", "'a'")),
    Case("sum/list", lambda: tinydl.sum([1, 2]), TypeError, ("sum()", "tensor", "list")),
    Case("mean/string", lambda: tinydl.mean("a"), TypeError, ("mean()", "tensor", "str")),
    Case("concatenate/empty", lambda: tinydl.concatenate([]), ValueError, ("at least one",)),
    Case(
        "concatenate/shapes", lambda: tinydl.concatenate([x23(), x4()]), ValueError,
        ("tensor 1 has shape (4,)", "(2, 3)"),
    ),
    Case(
        "concatenate/axis", lambda: tinydl.concatenate([x23(), x23()], axis=2), AxisError,
        ("concatenate()", "axis", "-2 to 1", "got 2"),
    ),
    Case(
        "stack/shapes", lambda: tinydl.stack([x23(), x4()]), ValueError,
        ("stack()", "one shape", "(4,)"),
    ),
    Case("stack/lists", lambda: tinydl.stack([[1, 2]]), TypeError, ("stack()", "tensors")),
    Case(
        "stack/axis", lambda: tinydl.stack([x23(), x23()], axis=-4), AxisError,
        ("stack()", "-3 to 2", "got -4"),
    ),
    # ---- layers ---------------------------------------------------------------------------
    Case(
        "Dense/uint8", lambda: nn.Dense(36, 2)(images("uint8").reshape(2, 36)), TypeError,
        ("Dense", "dtype uint8", *TO_FLOAT),
    ),
    Case(
        "Dense/int64", lambda: nn.Dense(3, 2)(T([[1, 2, 3]])), TypeError,
        ("Dense", "dtype int64", *TO_FLOAT),
    ),
    Case(
        "Dense/bool", lambda: nn.Dense(3)(T([[True, False, True]])), TypeError,
        ("Dense", "dtype bool", *TO_FLOAT),
    ),
    Case(
        "Dense/features", lambda: nn.Dense(3, 2)(T(np.ones((3, 2)))), ValueError,
        ("Dense", "3 features", "(3, 2)"),
    ),
    Case("Dense/0-d", lambda: nn.Dense(3, 2)(T(1.0)), ValueError,
         ("Dense", "input must be a floating-point Tensor", "got shape ()")),
    Case(
        "Dense/list-input", lambda: nn.Dense(3, 2)([[1.0, 2.0, 3.0]]), TypeError,
        ("Dense", "input must be a floating-point Tensor", "got list"),
    ),
    Case("Dense/zero", lambda: nn.Dense(0), ValueError, ("out_features", "positive", "0")),
    Case("Dense/string", lambda: nn.Dense("3"), ValueError, ("out_features", "'3'")),
    Case(
        "Dense/init", lambda: nn.Dense(3, weight_init="glorot"), ValueError,
        ("'glorot'", "glorot_uniform"),
    ),
    Case(
        "Conv2D/uint8", lambda: nn.Conv2D(1, 2, 3)(images("uint8")), TypeError,
        ("Conv2D", "dtype uint8", *TO_FLOAT),
    ),
    Case(
        "Conv2D/uint8-lazy", lambda: nn.Conv2D(2, 3)(images("uint8")), TypeError,
        ("Conv2D", "dtype uint8", *TO_FLOAT),
    ),
    Case(
        "Conv2D/int64", lambda: nn.Conv2D(1, 2, 3)(images("int64")), TypeError,
        ("Conv2D", "int64", *TO_FLOAT),
    ),
    Case(
        "Conv2D/3-d", lambda: nn.Conv2D(1, 2, 3)(T(np.ones((1, 6, 6)))), ValueError,
        ("(N, C, H, W)", "(1, 6, 6)"),
    ),
    Case(
        "Conv2D/channels", lambda: nn.Conv2D(3, 2, 3)(images()), ValueError,
        ("channels", "3"),
    ),
    Case(
        "Conv2D/kernel-too-big", lambda: nn.Conv2D(1, 2, 9)(images()), ValueError,
        ("kernel (9, 9)", "larger than the padded input (6, 6)"),
    ),
    Case("Conv2D/kernel-0", lambda: nn.Conv2D(1, 2, 0), ValueError, ("kernel_size", ">= 1")),
    Case("Conv2D/stride-0", lambda: nn.Conv2D(1, 2, 3, stride=0), ValueError, ("stride", ">= 1")),
    Case(
        "Conv2D/padding", lambda: nn.Conv2D(1, 2, 3, padding=-1), ValueError,
        ("padding", ">= 0", "-1"),
    ),
    Case("Conv2D/list-input", lambda: nn.Conv2D(1, 2, 3)([[1.0]]), TypeError, ("Conv2D", "list")),
    Case(
        "MaxPool2D/3-d", lambda: nn.MaxPool2D(2)(T(np.ones((1, 6, 6)))), ValueError,
        ("max_pool2d()", "(N, C, H, W)", "(1, 6, 6)"),
    ),
    Case("MaxPool2D/kernel-0", lambda: nn.MaxPool2D(0), ValueError, ("kernel_size", ">= 1")),
    Case(
        "MaxPool2D/too-big", lambda: nn.MaxPool2D(9)(images()), ValueError,
        ("kernel (9, 9)", "larger"),
    ),
    Case(
        "MaxPool2D/uint8", lambda: nn.MaxPool2D(2)(images("uint8")), TypeError,
        ("max_pool2d()", "floating-point", "uint8"),
    ),
    Case("Reshape/size", lambda: nn.Reshape(5)(x23()), ValueError, ("cannot reshape", "(2, 5)")),
    Case("Dropout/p", lambda: nn.Dropout(1.5), ValueError,
         ("Dropout", "p must be a probability in [0, 1]", "got 1.5")),
    Case(
        "Dropout/int", lambda: nn.Dropout(0.5)(T([1, 2])), TypeError,
        ("dropout()", "floating-point", "int64"),
    ),
    Case(
        "BatchNorm1D/features", lambda: nn.BatchNorm1D(4)(x23()), ValueError,
        ("(3,)", "(2, 3)", "(4,)"),
    ),
    Case(
        "BatchNorm2D/2-d", lambda: nn.BatchNorm2D(1)(x23()), ValueError,
        ("BatchNorm2D", "(N, C, H, W)", "(2, 3)"),
    ),
    Case("BatchNorm1D/zero", lambda: nn.BatchNorm1D(0), ValueError, ("num_features", "0")),
    Case(
        "BatchNorm1D/int", lambda: nn.BatchNorm1D(3)(T([[1, 2, 3], [4, 5, 6]])), TypeError,
        ("batch_norm()", "floating-point", "int64"),
    ),
    Case(
        "Sequential/int", lambda: nn.Sequential(nn.ReLU(), 5), TypeError,
        ("Sequential", "argument 1", "int"),
    ),
    Case(
        "Sequential/function", lambda: nn.Sequential(tinydl.relu), TypeError,
        ("Sequential", "argument 0", "function"),
    ),
    Case("ReLU/list", lambda: nn.ReLU()([1.0]), TypeError, ("relu()", "list")),
    Case("Softmax/axis", lambda: nn.Softmax(axis=4)(x23()), AxisError, ("axis 4", "-2 to 1")),
    Case("init.get", lambda: nn.init.get("xavier"), ValueError, ("'xavier'", "xavier_uniform")),
    Case("summary/model", lambda: nn.summary(5, (1, 2)), TypeError, ("summary()", "model", "int")),
    Case(
        "summary/shape", lambda: nn.summary(nn.Dense(3, 2), "abc"), ValueError,
        ("summary()", "input_shape", "'abc'"),
    ),
    Case(
        "summary/wrong-shape", lambda: nn.summary(nn.Dense(3, 2), (5,)), ValueError,
        ("Dense", "3 features", "(1, 5)"),
    ),
    # ---- functional forms -----------------------------------------------------------------
    Case(
        "F.linear/uint8",
        lambda: F.linear(images("uint8").reshape(2, 36), T(np.ones((2, 36)))), TypeError,
        ("linear()", "uint8", *TO_FLOAT),
    ),
    Case(
        "F.linear/weight", lambda: F.linear(x23(), T(np.ones(3))), ValueError,
        (
            "linear()",
            "weight must be a Tensor of shape (out_features, in_features)",
            "got shape (3,)",
        ),
    ),
    Case(
        "F.linear/features", lambda: F.linear(x23(), T(np.ones((2, 2)))), ValueError,
        ("input of shape (2, 3)", "2 features"),
    ),
    Case(
        "F.conv2d/uint8", lambda: F.conv2d(images("uint8"), T(np.ones((2, 1, 3, 3)))), TypeError,
        ("conv2d()", "uint8", *TO_FLOAT),
    ),
    Case(
        "F.conv2d/weight", lambda: F.conv2d(images(), T(np.ones((2, 3, 3)))), ValueError,
        (
            "conv2d()",
            "weight must be a Tensor of shape (out_channels, in_channels, KH, KW)",
            "got shape (2, 3, 3)",
        ),
    ),
    Case(
        "F.conv2d/weight-dtype",
        lambda: F.conv2d(images(), T(np.ones((2, 1, 3, 3)), dtype="float64")), TypeError,
        ("conv2d()", "float32", "weight is float64"),
    ),
    Case("F.max_pool2d", lambda: F.max_pool2d(images(), 9), ValueError, ("kernel (9, 9)",)),
    Case("F.dropout/p", lambda: F.dropout(x23(), 2.0), ValueError, ("dropout()", "2.0")),
    Case(
        "F.batch_norm/weight", lambda: F.batch_norm(x23(), None, None, T(np.ones(4)), None),
        ValueError, ("batch_norm()", "weight must be a Tensor of shape (3,)", "got shape (4,)"),
    ),
    # ---- losses ---------------------------------------------------------------------------
    Case(
        "CrossEntropyLoss/int-logits", lambda: nn.CrossEntropyLoss()(T([[1, 2]]), T([0])),
        TypeError, ("cross_entropy()", "logits must be a floating-point Tensor", "got dtype int64"),
    ),
    Case(
        "CrossEntropyLoss/1-d", lambda: nn.CrossEntropyLoss()(x4(), T([0])), ValueError,
        ("cross_entropy()", "logits must be a floating-point Tensor", "got shape (4,)"),
    ),
    Case(
        "CrossEntropyLoss/label-range", lambda: nn.CrossEntropyLoss()(x23(), T([0, 3])),
        ValueError, ("class label 3", "[0, 3)"),
    ),
    Case(
        "CrossEntropyLoss/label-negative", lambda: nn.CrossEntropyLoss()(x23(), T([0, -1])),
        ValueError, ("class label -1",),
    ),
    Case(
        "CrossEntropyLoss/label-count", lambda: nn.CrossEntropyLoss()(x23(), T([0, 1, 2])),
        ValueError, ("(2,)", "(3,)"),
    ),
    Case(
        "CrossEntropyLoss/float-labels",
        lambda: nn.CrossEntropyLoss()(x23(), T([0.0, 1.0])), TypeError,
        ("float32 targets", "integer dtype"),
    ),
    Case(
        "CrossEntropyLoss/probabilities-shape",
        lambda: nn.CrossEntropyLoss()(x23(), T(np.ones((2, 4)))), ValueError,
        ("(2, 3)", "(2, 4)"),
    ),
    Case(
        "CrossEntropyLoss/reduction",
        lambda: nn.CrossEntropyLoss(reduction="avg")(x23(), T([0, 1])), ValueError,
        ("CrossEntropyLoss: reduction must be 'mean', 'sum' or 'none'", "got 'avg'"),
    ),
    Case(
        "CrossEntropyLoss/string-target", lambda: nn.CrossEntropyLoss()(x23(), "a"), TypeError,
        ("str",),
    ),
    Case("MSELoss/shape", lambda: nn.MSELoss()(x23(), x4()), ValueError, ("mse_loss()", "(4,)")),
    Case(
        "MSELoss/int", lambda: nn.MSELoss()(T([1, 2]), T([1, 2])), TypeError,
        ("mse_loss()", "floating-point", "int64"),
    ),
    Case(
        "MSELoss/reduction", lambda: nn.MSELoss(reduction="x")(x23(), x23()), ValueError,
        ("MSELoss: reduction must be 'mean', 'sum' or 'none'", "got 'x'"),
    ),
    Case(
        "BCEWithLogitsLoss/shape", lambda: nn.BCEWithLogitsLoss()(x23(), x4()), ValueError,
        ("binary_cross_entropy_with_logits()", "(2, 3)", "(4,)"),
    ),
    Case(
        "BCEWithLogitsLoss/int", lambda: nn.BCEWithLogitsLoss()(T([1, 2]), T([1, 0])),
        TypeError, (
            "binary_cross_entropy_with_logits()",
            "logits must be a floating-point Tensor",
            "got dtype int64",
        ),
    ),
    Case(
        "HingeLoss/label-range", lambda: nn.HingeLoss()(x23(), T([0, 5])), ValueError,
        ("hinge_loss()", "class label 5"),
    ),
    Case(
        "F.cross_entropy", lambda: F.cross_entropy(x23(), T([0, 9])), ValueError,
        ("class label 9",),
    ),
    Case(
        "F.mse_loss", lambda: F.mse_loss(x23(), T(np.ones((3, 2)))), ValueError,
        ("(2, 3)", "(3, 2)"),
    ),
    Case(
        "F.hinge_loss", lambda: F.hinge_loss(x23(), T([0.5, 1.0])), ValueError,
        ("hinge_loss()", "(2,)"),
    ),
    # ---- optimisers, clipping, schedules --------------------------------------------------
    Case(
        "SGD/model", lambda: optim.SGD(dense(), 0.1), TypeError,
        ("SGD", "the model itself", "pass model.parameters()"),
    ),
    Case(
        "Adam/model", lambda: optim.Adam(dense()), TypeError,
        ("Adam", "pass model.parameters()"),
    ),
    Case(
        "RMSprop/model", lambda: optim.RMSprop(dense()), TypeError,
        ("RMSprop", "pass model.parameters()"),
    ),
    Case("SGD/empty", lambda: optim.SGD([], 0.1), ValueError, ("SGD", "no parameters")),
    Case(
        "SGD/tensor", lambda: optim.SGD(T([1.0], requires_grad=True), 0.1), TypeError,
        ("single tensor", "wrap it in a list"),
    ),
    Case(
        "SGD/not-trainable", lambda: optim.SGD([T([1.0])], 0.1), ValueError,
        ("parameter 0", "requires_grad=True"),
    ),
    Case(
        "SGD/arrays", lambda: optim.SGD([np.ones(2)], 0.1), TypeError,
        ("SGD", "parameter 0 must be a Tensor", "got ndarray"),
    ),
    Case("SGD/lr-negative", lambda: optim.SGD(params_of(), -0.1), ValueError, ("lr", ">= 0")),
    Case("SGD/lr-string", lambda: optim.SGD(params_of(), "0.1"), TypeError, ("lr", "'0.1'")),
    Case("SGD/lr-nan", lambda: optim.SGD(params_of(), float("nan")), ValueError, ("lr", "nan")),
    Case(
        "SGD/nesterov", lambda: optim.SGD(params_of(), 0.1, nesterov=True), ValueError,
        ("nesterov=True", "momentum > 0"),
    ),
    Case(
        "Momentum/negative", lambda: optim.Momentum(params_of(), 0.1, momentum=-1), ValueError,
        ("momentum", ">= 0"),
    ),
    Case(
        "Adam/betas", lambda: optim.Adam(params_of(), betas=(0.9, 1.5)), ValueError,
        ("betas", "[0, 1)"),
    ),
    Case("Adam/betas-number", lambda: optim.Adam(params_of(), betas=0.9), TypeError, ("betas",)),
    Case("Adam/eps", lambda: optim.Adam(params_of(), eps=-1), ValueError, ("eps", ">= 0")),
    Case(
        "AdamW/weight_decay", lambda: optim.AdamW(params_of(), weight_decay=-1), ValueError,
        ("weight_decay",),
    ),
    Case("RMSprop/alpha", lambda: optim.RMSprop(params_of(), alpha=-0.5), ValueError, ("alpha",)),
    Case("AdaGrad/lr", lambda: optim.AdaGrad(params_of(), lr=-1), ValueError, ("lr", ">= 0")),
    Case(
        "Optimizer.load_state_dict/list", lambda: sgd().load_state_dict([1]), ValueError,
        ("not an optimizer state_dict",),
    ),
    Case(
        "Optimizer.load_state_dict/other",
        lambda: sgd().load_state_dict(optim.Adam(params_of()).state_dict()), ValueError,
        ("saved by Adam", "into SGD"),
    ),
    Case(
        "clip_grad_norm_/max_norm", lambda: optim.clip_grad_norm_(params_of(), -1), ValueError,
        ("max_norm", ">= 0"),
    ),
    Case(
        "clip_grad_norm_/model", lambda: optim.clip_grad_norm_(dense(), 1.0), TypeError,
        ("clip_grad_norm_", "pass model.parameters()"),
    ),
    Case(
        "l2_penalty/model", lambda: optim.l2_penalty(dense()), TypeError,
        ("pass model.parameters()",),
    ),
    Case(
        "StepLR/optimizer", lambda: lr_scheduler.StepLR(dense(), 1), TypeError,
        ("StepLR", "optimiser with an lr"),
    ),
    Case(
        "StepLR/step_size", lambda: lr_scheduler.StepLR(sgd(), 0), ValueError,
        ("step_size", "positive integer", "0"),
    ),
    Case(
        "StepLR/step_size-float", lambda: lr_scheduler.StepLR(sgd(), 1.5), ValueError,
        ("step_size", "1.5"),
    ),
    Case(
        "ExponentialLR/gamma", lambda: lr_scheduler.ExponentialLR(sgd(), "x"), ValueError,
        ("gamma", "'x'"),
    ),
    Case(
        "ExponentialLR/gamma-negative", lambda: lr_scheduler.ExponentialLR(sgd(), -1),
        ValueError, ("gamma", "> 0"),
    ),
    Case(
        "CosineAnnealingLR/T_max", lambda: lr_scheduler.CosineAnnealingLR(sgd(), 0), ValueError,
        ("T_max", "positive integer"),
    ),
    Case(
        "CosineAnnealingLR/T_max-none", lambda: lr_scheduler.CosineAnnealingLR(sgd(), None),
        ValueError, ("T_max", "none"),
    ),
    Case(
        "CosineAnnealingLR/eta_min", lambda: lr_scheduler.CosineAnnealingLR(sgd(), 3, -1.0),
        ValueError, ("eta_min", ">= 0"),
    ),
    Case(
        "LRScheduler.load_state_dict", lambda: lr_scheduler.StepLR(sgd(), 1).load_state_dict({}),
        ValueError, ("load_state_dict()", "base_lrs and epoch", "got {}"),
    ),
    # ---- data ----------------------------------------------------------------------------
    Case(
        "DataLoader/strings", lambda: data.DataLoader(np.array(["a", "b"]), [1, 2]), TypeError,
        ("DataLoader", "x", "strings"),
    ),
    Case(
        "DataLoader/string-labels", lambda: data.DataLoader(np.ones((2, 2)), ["a", "b"]),
        TypeError, ("DataLoader", "y", "strings"),
    ),
    Case(
        "DataLoader/objects",
        lambda: data.DataLoader(np.array([1, "a"], dtype=object), [1, 2]), TypeError,
        ("DataLoader", "python objects"),
    ),
    Case(
        "DataLoader/ragged", lambda: data.DataLoader([[1, 2], [3]], [1, 2]), ValueError,
        ("DataLoader", "x is a ragged", "x[1] has 1 item"),
    ),
    Case(
        "DataLoader/lengths", lambda: data.DataLoader(np.ones((3, 2)), np.ones(2)), DataError,
        ("x has 3 samples", "y has 2 labels"),
    ),
    Case(
        "DataLoader/batch_size", lambda: data.DataLoader(np.ones((3, 2)), np.ones(3), 0),
        DataError, ("batch_size", "positive", "0"),
    ),
    Case(
        "DataLoader/batch_size-float",
        lambda: data.DataLoader(np.ones((3, 2)), np.ones(3), batch_size=2.0), DataError,
        ("batch_size", "2.0"),
    ),
    Case(
        "DataLoader/0-d", lambda: data.DataLoader(np.float32(1), np.ones(3)), DataError,
        ("samples axis", "shape ()"),
    ),
    Case(
        "DataLoader/device", lambda: data.DataLoader(np.ones((2, 2)), [1, 2], device="tpu"),
        DeviceError, ("'tpu'",),
    ),
    Case(
        "DataLoader/transform", lambda: data.DataLoader(np.ones((2, 2)), [1, 2], transform=5),
        DataError, ("transform", "callable", "int"),
    ),
    Case(
        "DataLoader/resident-transform",
        lambda: data.DataLoader(
            np.ones((2, 2)), [1, 2], transform=data.ToFloat(), device_resident=True
        ),
        DataError, ("device_resident=True", "transform"),
    ),
    Case(
        "to_float/float", lambda: data.to_float(np.ones(3)), DataError,
        ("to_float()", "uint8", "float64", ".astype('float32')"),
    ),
    Case("to_float/list", lambda: data.to_float([1, 2]), DataError, ("to_float()", "list")),
    Case(
        "normalize/uint8", lambda: data.normalize(np.ones(3, np.uint8), 0.1, 0.3), DataError,
        ("normalize()", "float images", "to_float()"),
    ),
    Case(
        "normalize/std", lambda: data.normalize(np.ones(3, np.float32), 0.1, 0), DataError,
        ("std > 0",),
    ),
    Case("normalize/list", lambda: data.normalize([1.0], 0.1, 0.3), DataError, ("list",)),
    Case(
        "one_hot/float", lambda: data.one_hot(np.array([0.5]), 3), DataError,
        ("integer labels", "float64"),
    ),
    Case("one_hot/range", lambda: data.one_hot(np.array([5]), 3), DataError, ("[0, 3)", "5")),
    Case(
        "one_hot/num_classes", lambda: data.one_hot(np.array([0]), 0), DataError,
        ("num_classes", "0"),
    ),
    Case(
        "read_idx/missing", lambda: data.read_idx(WORK / "missing.idx"), DataError,
        ("read_idx()", "no file", "missing.idx"),
    ),
    Case(
        "read_idx/not-idx", lambda: data.read_idx(a_file()), DataError,
        ("not an IDX file", "magic number"),
    ),
    Case(
        "write_idx/strings", lambda: data.write_idx(WORK / "x.idx", np.array(["a"])), DataError,
        ("IDX cannot store dtype <U1", "uint8"),
    ),
    Case(
        "load_mnist/missing", lambda: load_mnist_from_nowhere(), DataError,
        ("MNIST not found", "nothing", "download=False"),
    ),
    Case("RandomShift", lambda: data.RandomShift(-1), DataError, ("max_pixels", "-1")),
    Case("RandomRotation", lambda: data.RandomRotation("x"), DataError, ("max_degrees", "'x'")),
    Case(
        "shift/scalar", lambda: data.shift(np.ones((2, 4, 4)), 1.5, 0), DataError,
        ("shift()", "rows", "one integer per image", "(2,)"),
    ),
    Case(
        "rotate/shape", lambda: data.rotate(np.ones(4), 10), DataError,
        ("rotate()", "(N, H, W)", "(4,)"),
    ),
    Case(
        "Compose/not-callable", lambda: data.Compose([data.ToFloat(), 5]), DataError,
        ("Compose", "transforms[1] must be callable", "int"),
    ),
    # ---- load_state_dict and checkpoints --------------------------------------------------
    Case(
        "load_state_dict/list", lambda: load_state([1, 2]), TypeError,
        ("load_state_dict()", "dict", "got list"),
    ),
    Case(
        "load_state_dict/strings", lambda: load_state(good_state(weight="abc")), TypeError,
        ("load_state_dict()", "state['weight']", "strings"),
    ),
    Case(
        "load_state_dict/numeric-strings",
        lambda: load_state(good_state(bias=["1.5", "2", "3"])), TypeError,
        ("state['bias']", "strings"),
    ),
    Case(
        "load_state_dict/none", lambda: load_state(good_state(bias=None)), TypeError,
        ("state['bias']", "nonetype"),
    ),
    Case(
        "load_state_dict/ragged", lambda: load_state(good_state(weight=[[1, 2], [3]])),
        ValueError, ("state['weight']", "ragged"),
    ),
    Case(
        "load_state_dict/all-nan",
        lambda: load_state(good_state(weight=np.full((3, 2), np.nan))), ValueError,
        ("state['weight']", "6 nan or infinite value(s) of 6", "allow_nonfinite=True"),
    ),
    Case(
        "load_state_dict/inf",
        lambda: load_state(good_state(bias=np.array([0.0, np.inf]))), ValueError,
        ("state['bias']", "1 nan or infinite value(s) of 2"),
    ),
    Case(
        "load_state_dict/shape", lambda: load_state(good_state(weight=np.ones((2, 2)))),
        ValueError, ("weight", "model has (3, 2)", "state has (2, 2)"),
    ),
    Case(
        "load_state_dict/missing", lambda: load_state({"weight": np.ones((3, 2))}), ValueError,
        ("missing bias",),
    ),
    Case(
        "save_checkpoint/under-a-file",
        lambda: train.save_checkpoint(a_file() / "model.npz", dense()), CheckpointError,
        ("cannot save a checkpoint", "a-file.txt", "is a file, not a folder"),
    ),
    Case(
        "save_checkpoint/deep-under-a-file",
        lambda: train.save_checkpoint(a_file() / "runs" / "model.npz", dense()),
        CheckpointError, ("a-file.txt is a file, not a folder",),
    ),
    Case(
        "save_checkpoint/at-a-folder", lambda: train.save_checkpoint(WORK, dense()),
        CheckpointError, ("it is a folder", "model.npz"),
    ),
    Case(
        "save_checkpoint/extra-set",
        lambda: train.save_checkpoint(WORK / "x.npz", dense(), classes={1, 2}), CheckpointError,
        ("extra['classes']", "values of type set", "sorted(value)"),
    ),
    Case(
        "save_checkpoint/extra-nested",
        lambda: train.save_checkpoint(WORK / "x.npz", dense(), info={"when": object()}),
        CheckpointError, ("extra['info']['when']", "values of type object"),
    ),
    Case(
        "save_checkpoint/model", lambda: train.save_checkpoint(WORK / "x.npz", None), TypeError,
        ("save_checkpoint()", "model", "nonetype"),
    ),
    Case(
        "load_checkpoint/missing", lambda: train.load_checkpoint(WORK / "none.npz", dense()),
        CheckpointError, ("no checkpoint at", "none.npz"),
    ),
    Case(
        "load_checkpoint/not-npz", lambda: train.load_checkpoint(a_file(), dense()),
        CheckpointError, ("not a tinydl checkpoint", "zip"),
    ),
    Case(
        "load_checkpoint/malformed-json",
        lambda: train.load_checkpoint(checkpoint_with("extra#tree", "{oops"), dense()),
        CheckpointError, ("'extra#tree'", "not valid json"),
    ),
    Case(
        "read_extra/malformed-json",
        lambda: train.checkpoint.read_extra(checkpoint_with("extra#tree", "[1,")),
        CheckpointError, ("not a readable tinydl checkpoint", "not valid json"),
    ),
    Case(
        "load_checkpoint/other-model", lambda: train.load_checkpoint(saved_model(), nn.Dense(2, 2)),
        CheckpointError, ("model.npz", "shape mismatch", "weight"),
    ),
    Case(
        "load_checkpoint/nan", lambda: train.load_checkpoint(nan_checkpoint(), dense()),
        CheckpointError, ("nan.npz", "state['weight']", "nan or infinite"),
    ),
    Case(
        "load_checkpoint/no-optimizer-state",
        lambda: train.load_checkpoint(saved_model(), dense(), sgd()), CheckpointError,
        ("no optimiser state",),
    ),
    Case(
        "load_checkpoint/model", lambda: train.load_checkpoint(saved_model(), "model"),
        TypeError, ("load_checkpoint()", "module", "str"),
    ),
    # ---- fit, evaluate, predict -----------------------------------------------------------
    Case(
        "fit/empty-loader",
        lambda: train.fit(dense(), sgd(), nn.CrossEntropyLoss(), empty_loader(), 1, print_fn=None),
        ValueError, ("fit()", "train_data gave no batches", "0 samples"),
    ),
    Case(
        "fit/drop_last-empties",
        lambda: train.fit(
            dense(), sgd(), nn.CrossEntropyLoss(),
            data.DataLoader(np.ones((3, 3), np.float32), [0, 1, 0], 4, drop_last=True), 1,
            print_fn=None,
        ),
        ValueError, ("train_data gave no batches", "drop_last=true"),
    ),
    Case(
        "fit/empty-list",
        lambda: train.fit(dense(), sgd(), nn.CrossEntropyLoss(), [], 1, print_fn=None),
        ValueError, ("train_data gave no batches",),
    ),
    Case(
        "fit/epochs", lambda: train.fit(dense(), sgd(), nn.MSELoss(), batches(), 0), ValueError,
        ("epochs", "positive integer", "0"),
    ),
    Case(
        "fit/loss_fn", lambda: train.fit(dense(), sgd(), None, batches(), 1, print_fn=None),
        TypeError, ("fit()", "loss_fn", "callable", "nonetype"),
    ),
    Case(
        "fit/optimizer",
        lambda: train.fit(dense(), None, nn.CrossEntropyLoss(), batches(), 1, print_fn=None),
        TypeError, ("fit()", "optimizer", "step()"),
    ),
    Case(
        "fit/model",
        lambda: train.fit("model", sgd(), nn.CrossEntropyLoss(), batches(), 1, print_fn=None),
        TypeError, ("fit()", "model", "module", "str"),
    ),
    Case(
        "fit/extra-clash",
        lambda: train.fit(dense(), sgd(), nn.MSELoss(), batches(), 1, extra={"epoch": 1}),
        ValueError, ("extra", "epoch"),
    ),
    Case(
        "fit/resume-without-path",
        lambda: train.fit(dense(), sgd(), nn.MSELoss(), batches(), 1, resume=True),
        ValueError, ("resume=True", "checkpoint_path"),
    ),
    Case(
        "fit/not-pairs",
        lambda: train.fit(
            dense(), sgd(), nn.MSELoss(), [T(np.ones((2, 3)))], 1, print_fn=None
        ),
        TypeError, ("train_data", "(inputs, targets) pair"),
    ),
    Case(
        "evaluate/empty-loader", lambda: train.evaluate(dense(), empty_loader()), ValueError,
        ("evaluate()", "data gave no batches"),
    ),
    Case(
        "evaluate/loss_fn", lambda: train.evaluate(dense(), batches(), loss_fn="mse"), TypeError,
        ("evaluate()", "loss_fn", "str"),
    ),
    Case(
        "evaluate/model", lambda: train.evaluate(None, batches()), TypeError,
        ("evaluate()", "model", "nonetype"),
    ),
    Case(
        "predict/empty-loader", lambda: train.predict(dense(), empty_loader()), ValueError,
        ("predict()", "data gave no batches"),
    ),
    Case(
        "predict/none", lambda: train.predict(dense(), None), TypeError,
        ("predict()", "nonetype"),
    ),
    Case(
        "predict/model", lambda: train.predict(5, batches()), TypeError,
        ("predict()", "model", "int"),
    ),
    # ---- gradcheck ------------------------------------------------------------------------
    Case(
        "gradcheck/not-callable",
        lambda: tinydl.gradcheck(T([0.1], dtype="float64", requires_grad=True), [T([0.1])]),
        TypeError, ("gradcheck()", "fn", "function", "got tensor"),
    ),
    Case(
        "gradcheck/inputs-number", lambda: tinydl.gradcheck(tinydl.tanh, 3), TypeError,
        ("gradcheck()", "inputs", "got int"),
    ),
    Case(
        "gradcheck/float32",
        lambda: tinydl.gradcheck(tinydl.tanh, [T([0.1], requires_grad=True)]), TypeError,
        ("float64", "input 0 is float32", "dtype='float64'"),
    ),
    Case(
        "gradcheck/no-requires-grad",
        lambda: tinydl.gradcheck(tinydl.tanh, [T([0.1], dtype="float64")]), ValueError,
        ("requires_grad=True",),
    ),
    Case(
        "gradcheck/returns-float",
        lambda: tinydl.gradcheck(lambda x: 1.0, [T([0.1], dtype="float64", requires_grad=True)]),
        TypeError, ("fn to return a tensor", "float"),
    ),
    Case(
        "gradcheck/eps",
        lambda: tinydl.gradcheck(tinydl.tanh, T([0.1], dtype="float64", requires_grad=True), 0),
        ValueError, ("eps", "> 0", "got 0"),
    ),
    Case(
        "gradcheck/atol",
        lambda: tinydl.gradcheck(
            tinydl.tanh, T([0.1], dtype="float64", requires_grad=True), atol=-1.0
        ),
        ValueError, ("atol", ">= 0"),
    ),
    # ---- the tinydl command ---------------------------------------------------------------
    Case(
        "cli train/example", lambda: command("train", "mnist-mpl"), KeyError,
        ("unknown example 'mnist-mpl'", "mnist-mlp"),
    ),
    Case(
        "cli train/--data", lambda: command("train", "mnist-mlp", "--data", str(WORK / "none")),
        DataError, ("--data", "no such folder"),
    ),
    Case(
        "cli train/--out-at-a-file",
        lambda: command("train", "mnist-mlp", "--data", str(WORK), "--out", str(a_file())),
        tinydl.TinyDLError, ("--out", "a-file.txt", "it is a file, not a folder"),
    ),
    Case(
        "cli train/--out-under-a-file",
        lambda: command("train", "mnist-mlp", "--data", str(WORK), "--out", str(a_file() / "run")),
        tinydl.TinyDLError, ("--out", "a-file.txt is a file, not a folder"),
    ),
    Case(
        "cli train/--out-unwritable",
        lambda: command(
            "train", "mnist-mlp", "--data", str(WORK), "--out", str(unwritable_folder())
        ),
        tinydl.TinyDLError, ("--out", "cannot write there"),
    ),
    Case(
        "cli train/--device", lambda: command("train", "mnist-mlp", "--device", "tpu"),
        DeviceError, ("'tpu'",),
    ),
    Case(
        "cli evaluate/missing", lambda: command("evaluate", str(WORK / "none.npz")),
        CheckpointError, ("no checkpoint at", "none.npz"),
    ),
    Case(
        "cli evaluate/not-a-checkpoint", lambda: command("evaluate", str(a_file())),
        CheckpointError, ("not a tinydl checkpoint",),
    ),
    Case(
        "cli evaluate/--data",
        lambda: command("evaluate", str(saved_model()), "--data", str(WORK / "none")),
        DataError, ("--data", "no such folder"),
    ),
    Case(
        "cli visualize/missing", lambda: command("visualize", str(WORK / "none.npz")),
        CheckpointError, ("no checkpoint at",),
    ),
    Case(
        "cli visualize/--out-at-a-file",
        lambda: command("visualize", str(saved_model()), "--out", str(a_file())),
        tinydl.TinyDLError, ("--out", "it is a file, not a folder"),
    ),
    Case(
        "cli visualize/--data",
        lambda: command("visualize", str(saved_model()), "--data", str(WORK / "none")),
        tinydl.TinyDLError, ("--data", "no such folder"),
    ),
    Case(
        "cli summary/example", lambda: command("summary", "resnet"), KeyError,
        ("unknown example 'resnet'",),
    ),
]


def _with_data(values: np.ndarray) -> tinydl.Tensor:
    """A tensor whose array was replaced afterwards, bypassing tensor()'s checks (as code
    assigning ``t.array = ...`` does)."""
    t = T([0.0])
    t.array = values
    return t


@pytest.mark.parametrize("case", params(CASES))
def test_bad_input_gets_a_clear_tinydl_error(case: Case) -> None:
    check(case)


def test_the_table_is_big_and_its_ids_unique() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 150


# ---- what the rows above cannot say: accepted inputs, unchanged state, the CLI's output ----
def test_gradcheck_accepts_a_bare_tensor_like_a_one_tuple() -> None:
    x = T([0.1, -0.4, 0.7], dtype="float64", requires_grad=True)
    assert tinydl.gradcheck(tinydl.tanh, x) is True
    with pytest.raises(tinydl.GradcheckError, match="input 0"):
        tinydl.gradcheck(_wrong_square, x)


def _wrong_square(t: tinydl.Tensor) -> tinydl.Tensor:
    class Square(tinydl.Function):
        def forward(self, a):
            self.a = a
            return a * a

        def backward(self, gy):
            return gy * self.a  # the 2 is missing

    return Square()(t)


def test_load_state_dict_can_load_nonfinite_values_when_asked() -> None:
    model = dense()
    state = good_state(weight=np.full((3, 2), np.inf))
    with pytest.raises(ValueError, match="allow_nonfinite=True"):
        model.load_state_dict(state)
    assert np.isfinite(model.weight.numpy()).all()  # nothing changed
    model.load_state_dict(state, allow_nonfinite=True)
    assert np.isinf(model.weight.numpy()).all()


def test_a_diverged_checkpoint_loads_only_when_asked() -> None:
    model = dense()
    with pytest.raises(CheckpointError, match="allow_nonfinite=True"):
        train.load_checkpoint(nan_checkpoint(), model)
    assert np.isfinite(model.weight.numpy()).all()
    train.load_checkpoint(nan_checkpoint(), model, allow_nonfinite=True)
    assert np.isnan(model.weight.numpy()).all()


def test_a_refused_state_dict_changes_nothing() -> None:
    model = dense()
    before = {name: value.copy() for name, value in model.state_dict().items()}
    with pytest.raises(TypeError):
        model.load_state_dict(good_state(weight=np.zeros((3, 2)), bias=["a", "b"]))
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[name])


def test_a_refused_extra_value_leaves_the_old_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    model = dense()
    train.save_checkpoint(path, model, epoch=1)
    old = path.read_bytes()
    with pytest.raises(CheckpointError, match=r"extra\['when'\]"):
        train.save_checkpoint(path, model, epoch=2, when=object())
    assert path.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]


def test_numpy_numbers_in_extra_are_saved_as_plain_numbers(tmp_path: Path) -> None:
    path = train.save_checkpoint(
        tmp_path / "model.npz", dense(), best=np.float32(0.5), counts=[np.int64(3)]
    )
    assert train.checkpoint.read_extra(path) == {"best": 0.5, "counts": [3]}


@pytest.mark.parametrize("where", ["at-a-file", "under-a-file", "unwritable"])
def test_cli_out_errors_come_first_in_one_line(
    where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The --out check runs before the data is looked for: --data here holds no MNIST, so a
    later check would have said so instead."""
    out = {
        "at-a-file": lambda: a_file(),
        "under-a-file": lambda: a_file() / "run",
        "unwritable": unwritable_folder,
    }[where]()
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    code = cli.main(["train", "mnist-mlp", "--data", str(tmp_path), "--out", str(out)])
    err = capsys.readouterr().err
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == handlers
    assert code == 2
    assert err.startswith(f"tinydl: error: --out {out}: ")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["new", "{file}/x"], "tinydl exercises new: {file}/x: {file} is a file, not a folder"),
        (["check", "nosuch", "--dir", "{work}"], "tinydl exercises check: no exercise called"),
        (["check", "--dir", "{work}/none"], "tinydl exercises check: no exercise files in"),
    ],
    ids=["new/under-a-file", "check/unknown-name", "check/empty-folder"],
)
def test_exercises_command_errors_are_one_line(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``tinydl exercises`` reports its usage errors itself (exit status 2, one line)."""
    names = {"file": str(a_file()), "work": str(WORK)}
    code = cli.main(["exercises", *(part.format(**names) for part in argv)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(says.format(**names))
    assert err.count("\n") == 1


def test_op_errors_read_the_same_on_every_device(device: str) -> None:
    """The ops translate the array library's errors (CuPy's too) into the same messages."""
    a = T(np.ones((2, 3)), device=device)
    cases = [
        Case("add", lambda: a + T(np.ones(4), device=device), ValueError, BROADCAST),
        Case("lt", lambda: a < T(np.ones(4), device=device), ValueError, BROADCAST),
        Case("index", lambda: a[5], IndexError, ("index 5 is out of range for axis 0",)),
        Case("indices", lambda: a[0, 0, 0], IndexError, ("3 indices", "2 axes")),
        Case("axis", lambda: tinydl.softmax(a, axis=3), AxisError, ("axis 3", "-2 to 1")),
        Case("bool", lambda: T([True], device=device) - T([False], device=device), TypeError,
             ("boolean tensors",)),
        Case("dense", lambda: nn.Dense(3, 2).to(device)(T([[1, 2, 3]], device=device)),
             TypeError, ("Dense", "int64", *TO_FLOAT)),
    ]
    for case in cases:
        check(case)


def test_tensors_still_accept_every_numeric_kind() -> None:
    for values, dtype in [
        ([True, False], np.bool_), ([1, 2], np.int64), (np.array([1], np.uint8), np.uint8),
        ([1.5], np.float32), (np.array([1 + 2j]), np.complex128),
    ]:
        assert tinydl.tensor(values).dtype == dtype
        assert tinydl.Tensor(np.asarray(values)).dtype == np.asarray(values).dtype
