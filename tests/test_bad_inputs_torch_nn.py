"""The bad-input table of PyTorch's nn, optim and saving surface added for issue 21: the
containers, Module's registration methods and attribute rules, ``load_state_dict``'s new
arguments, ``nn.Linear``/``F.linear`` in PyTorch's layout, ``nn.utils``' clipping,
``nn.parallel``, ``Dropout2d``, ``optim.LBFGS``, ``nn.Transformer`` and its layers,
``tinydl.save``/``load`` with file objects, ``map_location`` and ``torch.save`` files.
Format and check: ``tests/bad_input_table.py``.

Accepted as correct behaviour (no error), with the reason:

- ``nn.Linear(3, 4, 5)``: the third argument is ``bias``, any truthy value, as in PyTorch.
- ``Dropout2d`` on 2-D, 3-D or 5-D input: PyTorch 2 warns and drops x[n, c]; so does tinydl.
- ``nn.DataParallel(model, device_ids=[0, 1])``: runs on the model's one device (the same
  results as PyTorch's split batches).
- ``LSTM.flatten_parameters()``: PyTorch's cuDNN packing; nothing to do in tinydl.
- ``TransformerEncoder(..., enable_nested_tensor=True)``: PyTorch's fast path; no effect.
- ``tinydl.load(f, weights_only=False)`` of a ``torch.save`` file: read as with ``True``
  (tinydl cannot rebuild PyTorch's classes, so it never unpickles code from such a file).
"""

from __future__ import annotations

import io
import pickle
import shutil
import struct
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from bad_input_table import Case, check, params

import tinydl
from tinydl import nn, optim
from tinydl.nn import functional as F  # noqa: N812  (PyTorch's spelling)
from tinydl.nn.parallel import DistributedDataParallel
from tinydl.train import CheckpointError

T = tinydl.tensor
WORK = Path(tempfile.gettempdir()) / "tinydl-bad-inputs-torch-nn"


@pytest.fixture(autouse=True, scope="module")
def _work_folder() -> Iterator[None]:
    WORK.mkdir(parents=True, exist_ok=True)
    yield
    shutil.rmtree(WORK, ignore_errors=True)


def with_parameter() -> nn.Module:
    module = nn.Module()
    module.weight = nn.Parameter(tinydl.ones(2))
    return module


def sequence(shape: tuple[int, ...] = (5, 2, 8)) -> tinydl.Tensor:
    return T(np.zeros(shape, np.float32))


def weighted() -> tinydl.Tensor:
    x = tinydl.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    return x


def lbfgs() -> optim.LBFGS:
    return optim.LBFGS([weighted()])


def file_of(name: str, data: bytes) -> Path:
    path = WORK / name
    path.write_bytes(data)
    return path


def torch_archive(pickled: bytes) -> Path:
    """A zip laid out as torch.save lays it out, holding ``pickled`` as its data.pkl."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("archive/data.pkl", pickled)
        archive.writestr("archive/byteorder", "little")
    return file_of("archive.pt", buffer.getvalue())


class _Storage:  # pickled as a global this module defines: never loadable
    pass


def storage_reference(shape: tuple, stride: tuple, count: int) -> bytes:
    """A pickle, written opcode by opcode as torch.save writes one, of ``{"weight": t}``
    with t a float tensor of ``shape`` and ``stride`` over storage "0" of ``count``
    elements (so the test needs no torch)."""

    def text(value: str) -> bytes:  # BINUNICODE
        data = value.encode()
        return b"X" + struct.pack("<I", len(data)) + data

    def integers(values: tuple) -> bytes:  # MARK, BININT each, TUPLE
        return b"(" + b"".join(b"J" + struct.pack("<i", v) for v in values) + b"t"

    reference = (b"(" + text("storage") + b"ctorch\nFloatStorage\n" + text("0") + text("cpu")
                 + b"J" + struct.pack("<i", count) + b"tQ")
    arguments = (b"(" + reference + b"J" + struct.pack("<i", 0) + integers(shape)
                 + integers(stride) + b"\x89}t")
    return (b"\x80\x02}(" + text("weight") + b"ctorch._utils\n_rebuild_tensor_v2\n"
            + arguments + b"Ru.")


def strided_file(shape: tuple, stride: tuple, count: int) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("archive/data.pkl", storage_reference(shape, stride, count))
        archive.writestr("archive/data/0", np.zeros(count, "<f4").tobytes())
    return file_of("strided.pt", buffer.getvalue())


class TextSink(io.StringIO):
    pass


CASES = [
    # ---- containers ----
    Case("ModuleList/not-module", lambda: nn.ModuleList([nn.ReLU(), "relu"]), TypeError,
         ("ModuleList", "entry must be a Module", "got str")),
    Case("ModuleList/extend-module", lambda: nn.ModuleList().extend(nn.ReLU()), TypeError,
         ("extend()", "iterable", "ReLU")),
    Case("ModuleList/index", lambda: nn.ModuleList([nn.ReLU()])[3], IndexError,
         ("index 3 is out of range", "1 entries")),
    Case("ModuleDict/method-name", lambda: nn.ModuleDict({"keys": nn.ReLU()}), KeyError,
         ("ModuleDict key", "'keys' already exists")),
    Case("ModuleDict/dotted", lambda: nn.ModuleDict({"a.b": nn.ReLU()}), KeyError,
         ("non-empty and without", "a.b")),
    Case("ModuleDict/int-key", lambda: nn.ModuleDict({1: nn.ReLU()}), TypeError,
         ("ModuleDict key", "name must be a string", "got int")),
    Case("ModuleDict/not-module", lambda: nn.ModuleDict({"a": 3}), TypeError,
         ("ModuleDict", "entry must be a Module", "got int")),
    Case("ModuleDict/pairs", lambda: nn.ModuleDict([("a", nn.ReLU(), 1)]), ValueError,
         ("(key, value) pairs", "element #0")),
    Case("ModuleDict/not-iterable", lambda: nn.ModuleDict(5), TypeError,
         ("update()", "dict or an iterable", "int")),
    Case("ParameterList/number", lambda: nn.ParameterList([1.0]), TypeError,
         ("ParameterList", "entry must be a Tensor", "got float")),
    Case("ParameterDict/array", lambda: nn.ParameterDict({"w": np.ones(2)}), TypeError,
         ("ParameterDict", "entry must be a Tensor", "got ndarray")),
    # ---- Module's registration and attribute rules ----
    Case("register_buffer/array", lambda: nn.Module().register_buffer("m", np.ones(2)), TypeError,
         ("register_buffer('m')", "ndarray", "Tensor or None")),
    Case("register_buffer/parameter",
         lambda: nn.Module().register_buffer("m", nn.Parameter(tinydl.ones(2))), TypeError,
         ("register_buffer('m')", "Parameter", "register_parameter()")),
    Case("register_buffer/taken", lambda: nn.Linear(2, 2).register_buffer("weight", tinydl.ones(2)),
         KeyError, ("register_buffer()", "'weight' already exists")),
    Case("register_buffer/method", lambda: nn.Module().register_buffer("train", tinydl.ones(2)),
         KeyError, ("'train' already exists",)),
    Case("register_parameter/tensor",
         lambda: nn.Module().register_parameter("w", tinydl.ones(2)), TypeError,
         ("register_parameter('w')", "Tensor", "nn.Parameter or None")),
    Case("add_module/not-module", lambda: nn.Module().add_module("m", lambda x: x), TypeError,
         ("add_module('m')", "module must be a Module or None", "got function")),
    Case("add_module/empty-name", lambda: nn.Module().add_module("", nn.ReLU()), KeyError,
         ("non-empty", "''")),
    Case("setattr/tensor-over-parameter",
         lambda: setattr(with_parameter(), "weight", tinydl.ones(2)), TypeError,
         ("cannot assign Tensor as parameter 'weight'", "nn.Parameter(...)")),
    Case("load_state_dict/assign", lambda: nn.Linear(2, 2).load_state_dict({}, assign=True),
         ValueError, ("assign=True) is not supported", "copies")),
    Case("load_state_dict/shape-not-strict",
         lambda: nn.Linear(2, 3).load_state_dict({"weight": np.ones((2, 3))}, strict=False),
         ValueError, ("shape mismatch for weight", "model has (3, 2)", "state has (2, 3)")),
    # ---- Linear in PyTorch's layout ----
    Case("Linear/dtype", lambda: nn.Linear(2, 3, dtype="int64"), TypeError,
         ("Linear", "dtype must be float32 or float64", "got 'int64'")),
    Case("Linear/features", lambda: nn.Linear(4, 3)(T(np.ones((2, 3), np.float32))), ValueError,
         ("Linear expected inputs with 4 features", "(2, 3)")),
    Case("Linear/uint8", lambda: nn.Linear(4, 3)(T(np.ones((2, 4), np.uint8))), TypeError,
         ("Linear", "uint8", "to_float")),
    Case("F.linear/in-out-weight", lambda: F.linear(T(np.ones((2, 4))), T(np.ones((4, 3)))),
         ValueError, ("(out_features, in_features)", "shape (4, 3)", "must have 3 features")),
    Case("F.linear/bias", lambda: F.linear(T(np.ones((2, 4))), T(np.ones((3, 4))), T(np.ones(4))),
         ValueError, ("bias of shape (3,)", "(4,)")),
    # ---- nn.utils, nn.parallel, Dropout2d ----
    Case("clip_grad_norm_/norm_type", lambda: nn.utils.clip_grad_norm_([weighted()], 1.0, 0),
         ValueError, ("norm_type", "> 0 or inf", "got 0")),
    Case("clip_grad_norm_/norm_type-str",
         lambda: nn.utils.clip_grad_norm_([weighted()], 1.0, "fro"), ValueError,
         ("norm_type", "'fro'")),
    Case("clip_grad_norm_/max_norm-str", lambda: nn.utils.clip_grad_norm_([weighted()], "1"),
         TypeError, ("clip_grad_norm_: max_norm must be a finite number", "'1'")),
    Case("clip_grad_value_/negative", lambda: nn.utils.clip_grad_value_([weighted()], -1.0),
         ValueError, ("clip_grad_value_", "clip_value", ">= 0", "-1.0")),
    Case("clip_grad_value_/model", lambda: nn.utils.clip_grad_value_(nn.Linear(2, 2), 1.0),
         TypeError, ("clip_grad_value_", "pass model.parameters()")),
    Case("DataParallel/not-module", lambda: nn.DataParallel(lambda x: x), TypeError,
         ("DataParallel", "module must be a Module", "got function")),
    Case("DistributedDataParallel", lambda: DistributedDataParallel(nn.Linear(2, 2)),
         RuntimeError, ("DistributedDataParallel needs the default process group",
                        "init_process_group() first")),
    Case("dropout2d/1-d", lambda: F.dropout2d(T(np.ones(4, np.float32))), ValueError,
         ("dropout2d()", "x must be a floating-point Tensor", "got shape (4,)")),
    # ---- LBFGS ----
    Case("LBFGS/no-closure", lambda: lbfgs().step(), TypeError,
         ("LBFGS.step() needs a closure", "loss.backward()")),
    Case("LBFGS/line-search", lambda: optim.LBFGS([weighted()], line_search_fn="wolfe"),
         ValueError, ("line_search_fn", "'strong_wolfe'", "'wolfe'")),
    Case("LBFGS/max_iter", lambda: optim.LBFGS([weighted()], max_iter=0), ValueError,
         ("max_iter must be a positive integer", "0")),
    Case("LBFGS/history_size", lambda: optim.LBFGS([weighted()], history_size=2.5), ValueError,
         ("history_size must be a positive integer", "2.5")),
    Case("LBFGS/groups",
         lambda: optim.LBFGS([{"params": [weighted()]}, {"params": [weighted()], "lr": 0.1}]),
         ValueError, ("LBFGS does not support parameter groups",)),
    Case("LBFGS/lr", lambda: optim.LBFGS([weighted()], lr=-1), ValueError,
         ("lr must be a finite number >= 0", "-1")),
    # ---- Transformer ----
    Case("TransformerEncoderLayer/activation",
         lambda: nn.TransformerEncoderLayer(8, 2, activation="swish"), ValueError,
         ("TransformerEncoderLayer", "'relu', 'gelu' or a callable", "'swish'")),
    Case("TransformerEncoderLayer/heads", lambda: nn.TransformerEncoderLayer(8, 3), ValueError,
         ("embed_dim (8) must be divisible by num_heads (3)",)),
    Case("TransformerEncoderLayer/d_model",
         lambda: nn.TransformerEncoderLayer(8, 2)(sequence((5, 2, 6))), ValueError,
         ("TransformerEncoderLayer expects src", "d_model = 8", "(5, 2, 6)")),
    Case("TransformerEncoderLayer/list", lambda: nn.TransformerEncoderLayer(8, 2)([[0.0] * 8]),
         TypeError, ("TransformerEncoderLayer", "src must be a Tensor", "got list")),
    Case("TransformerEncoderLayer/is_causal-without-mask",
         lambda: nn.TransformerEncoderLayer(8, 2)(sequence(), is_causal=True), ValueError,
         ("is_causal=True is a hint", "needs attn_mask")),
    Case("TransformerDecoderLayer/memory",
         lambda: nn.TransformerDecoderLayer(8, 2)(sequence(), sequence((5, 2, 4))), ValueError,
         ("TransformerDecoderLayer expects memory", "(5, 2, 4)")),
    Case("TransformerEncoder/layer", lambda: nn.TransformerEncoder(lambda x: x, 2), TypeError,
         ("TransformerEncoder", "encoder_layer must be a layer Module to copy", "got function")),
    Case("TransformerEncoder/num_layers",
         lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2), 0), ValueError,
         ("num_layers must be a positive integer", "0")),
    Case("TransformerDecoder/norm",
         lambda: nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2), 1, norm="layer"),
         TypeError, ("norm must be a Module", "str")),
    Case("Transformer/batch", lambda: nn.Transformer(8, 2, 1, 1, 16)(sequence((5, 2, 8)),
                                                                       sequence((4, 3, 8))),
         ValueError, ("src and tgt need the same batch size", "(5, 2, 8)", "(4, 3, 8)")),
    Case("generate_square_subsequent_mask/size",
         lambda: nn.Transformer.generate_square_subsequent_mask(0), ValueError,
         ("sz must be a positive integer", "0")),
    Case("generate_square_subsequent_mask/dtype",
         lambda: nn.Transformer.generate_square_subsequent_mask(3, dtype="int32"), TypeError,
         ("generate_square_subsequent_mask()", "dtype must be float32 or float64", "got 'int32'")),
    Case("Transformer/dtype", lambda: nn.Transformer(8, 2, 1, 1, 16, dtype="bool"), TypeError,
         ("Transformer", "dtype must be float32 or float64", "got 'bool'")),
    # ---- saving and loading ----
    Case("save/text-file", lambda: tinydl.save({"a": 1}, TextSink()), TypeError,
         ("binary file object", "TextSink")),
    Case("save/number", lambda: tinydl.save({"a": 1}, 3), TypeError,
         ("tinydl.save() writes to a path or to a binary file object", "int")),
    Case("load/text-file", lambda: tinydl.load(io.StringIO("abc")), TypeError,
         ("open in text mode", "open(path, 'rb')")),
    Case("load/number", lambda: tinydl.load(7), TypeError,
         ("a path or a file object opened for reading in binary mode", "int")),
    Case("load/map_location-function",
         lambda: tinydl.load(io.BytesIO(b""), map_location=lambda storage, location: storage),
         TypeError, ("map_location as a function is not supported", "{'cuda:0': 'cpu'}")),
    Case("load/map_location-device", lambda: tinydl.load(io.BytesIO(b""), map_location="tpu"),
         tinydl.DeviceError, ("unknown device 'tpu'",)),
    Case("load/weights_only", lambda: tinydl.load(io.BytesIO(b""), weights_only="yes"),
         TypeError, ("weights_only must be True, False or None", "'yes'")),
    Case("load/legacy-pickle",
         lambda: tinydl.load(file_of("legacy.pt", pickle.dumps({"a": 1}, protocol=2))),
         CheckpointError, ("is a pickle, not an archive", "legacy format",
                           "_use_new_zipfile_serialization=False")),
    Case("load/torch-object",
         lambda: tinydl.load(torch_archive(pickle.dumps({"s": _Storage()}, protocol=2))),
         CheckpointError, ("written by torch.save", "_Storage", "never runs code")),
    Case("load/torch-out-of-bounds", lambda: tinydl.load(strided_file((3, 4), (4, 1), 10)),
         CheckpointError, ("reaches past the end of its storage",)),
    Case("load/torch-negative-stride", lambda: tinydl.load(strided_file((3,), (-1,), 10)),
         CheckpointError, ("invalid offset, shape or strides",)),
    Case("load/torch-missing-storage",
         lambda: tinydl.load(torch_archive(storage_reference((2,), (1,), 2))), CheckpointError,
         ("written by torch.save", "data/0")),
]


@pytest.mark.parametrize("case", params(CASES))
def test_bad_input(case: Case) -> None:
    check(case)


def test_a_well_formed_strided_tensor_loads() -> None:
    """The same hand-made archive with strides that fit: the refusals above are about the
    strides, not about how the archive was made."""
    loaded = tinydl.load(strided_file((3, 2), (1, 3), 6))
    assert loaded["weight"].shape == (3, 2) and loaded["weight"].dtype == np.float32
