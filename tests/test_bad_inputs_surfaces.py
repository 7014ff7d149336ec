"""The bad-input table of issue 24: the silent results and raw messages a second probe of the
newer surfaces found (the first section: each row failed before the fix), then the cases a
user would type at the entry points added since the first pass: the joins and selections of
the PyTorch surface, the Transformer and attention layers, the recurrent layers, LBFGS and
the schedules, the samplers and the collation of batches, ResNet, the legacy constructors,
the modules' state dicts and switches, the loss layers, and ``tinydl train --resume``.
Format and check: ``tests/bad_input_table.py``.

Accepted as correct behaviour (no error), with the reason:

- ``tinydl.tensor(np.array([300]), dtype="int8")`` wraps to 44: an array is converted as
  NumPy's ``astype`` and PyTorch's ``torch.tensor(array)`` convert it; numbers a program
  writes (lists, scalars, ``full``'s fill value) are refused, as PyTorch refuses them.
- ``tinydl.tensor([1e39])`` (no dtype named) is ``inf`` in float32, as in PyTorch; naming
  the dtype (``dtype="float32"``) refuses it, as ``full`` does (PyTorch's ``torch.tensor``
  gives inf there too).
- ``x.add_(300)`` on an int8 tensor is refused with NumPy's words (PyTorch wraps it).
- ``full((2,), 2.7, dtype="int64")`` holds 2s and ``full((2,), 5.0, dtype="bool")`` Trues,
  as in PyTorch.
- ``nn.init.kaiming_normal_`` on a weight with no elements warns and does nothing
  (PyTorch's behaviour; ``tests/test_surfaces_edges.py``).
- ``OneCycleLR(pct_start=1.0)`` rises over every step and anneals at the last one (PyTorch
  divides by zero there).
- ``DataLoader`` over strings gives lists of strings, as PyTorch's default collation.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from bad_input_table import Case, check, params

import tinydl
from tinydl import cli, keras, nn, optim, train
from tinydl.data import DataError, DataLoader
from tinydl.exercises.progress import STATE_FILE, exercise_status, hints_used, reveal_hint
from tinydl.nn import functional as F  # noqa: N812  (PyTorch's spelling)
from tinydl.ops.recurrent import sequence_cross_entropy
from tinydl.optim import lr_scheduler as schedules
from tinydl.train import CheckpointError, EarlyStopping
from tinydl.train.checkpoint import write_checkpoint
from tinydl.utils import data as torch_data
from tinydl.vision import models, transforms

T = tinydl.tensor
WORK = Path(tempfile.mkdtemp(prefix="tinydl-bad-surfaces-"))


def ones(*shape: int, dtype: str = "float32") -> tinydl.Tensor:
    return T(np.ones(shape), dtype=dtype)


def x23() -> tinydl.Tensor:
    return T(np.arange(6.0).reshape(2, 3))


def sgd() -> optim.SGD:
    return optim.SGD(nn.Linear(2, 2).parameters(), lr=0.1, momentum=0.9)


def one_cycle(**options: object) -> schedules.OneCycleLR:
    return schedules.OneCycleLR(sgd(), **{"max_lr": 0.1, "total_steps": 10, **options})


def stepped(schedule: schedules.LRScheduler, times: int) -> None:
    for _ in range(times):
        schedule.step()


def plateau() -> schedules.ReduceLROnPlateau:
    return schedules.ReduceLROnPlateau(sgd())


def items(*samples: object) -> torch_data.Dataset:
    """A map-style dataset whose samples are ``samples``, as a user's ``__getitem__`` gives."""

    class Items(torch_data.Dataset):
        def __len__(self) -> int:
            return len(samples)

        def __getitem__(self, index: int) -> object:
            return samples[index]

    return Items()


def batches(dataset: object, batch_size: int = 2) -> list[object]:
    return list(DataLoader(dataset, batch_size=batch_size))


def with_hints(hints: object, call):
    """``call(folder)`` on a fresh exercises folder whose state file counts ``hints``."""
    folder = Path(tempfile.mkdtemp(dir=WORK))
    (folder / STATE_FILE).write_text(json.dumps({"level": "guided", "hints": hints}))
    return call(folder)


def mlp_and_optimizer() -> tuple[nn.Module, optim.Optimizer]:
    recipe = tinydl.zoo.recipe("mnist-mlp")
    model = recipe.build()
    return model, recipe.optimizer(model.parameters(), recipe.lr)


def checkpoint_by_save_checkpoint(**extra: object) -> Path:
    """A checkpoint of mnist-mlp written by the public save_checkpoint, with ``extra``."""
    path = Path(tempfile.mkdtemp(dir=WORK)) / "model.npz"
    train.save_checkpoint(path, *mlp_and_optimizer(), **extra)
    return path


def resume_from(path: Path) -> object:
    """``fit(mnist-mlp, ..., checkpoint_path=path, resume=True)`` on two samples."""
    data = (np.ones((2, 28, 28), np.float32), np.zeros(2, np.int64))
    return train.fit(*mlp_and_optimizer(), nn.CrossEntropyLoss(), data, epochs=2,
                     checkpoint_path=path, resume=True, progress=False)


def resume_by_cli(path: Path) -> int:
    """``tinydl train mnist-mlp --resume --out FOLDER`` for the folder holding ``path``."""
    return cli.run(cli.parse_args(["train", "mnist-mlp", "--resume", "--epochs", "2",
                                   "--no-progress", "--out", str(path.parent)]))


def transformer_layer() -> nn.TransformerEncoderLayer:
    return nn.TransformerEncoderLayer(8, 2, dim_feedforward=8)


def mha() -> nn.MultiheadAttention:
    return nn.MultiheadAttention(8, 2)


def seq(*shape: int) -> tinydl.Tensor:
    return T(np.random.default_rng(0).standard_normal(shape), dtype="float32")


def lbfgs(**options: object) -> optim.LBFGS:
    return optim.LBFGS(nn.Linear(2, 2).parameters(), **options)


DTYPE_RANGE = "holds -128 to 127"
INT64_NAN = ("holds -9223372036854775808 to 9223372036854775807", "the value is nan",
             "an integer dtype has no NaN or infinity")
RAGGED = ("is a ragged nested list", "every row must have the same length")
STACKABLE = "a batch is stacked from arrays, Tensors, numbers or strings"
LOSS_LAYERS = [nn.CrossEntropyLoss, nn.NLLLoss, nn.BCELoss, nn.BCEWithLogitsLoss, nn.MSELoss,
               nn.L1Loss, nn.SmoothL1Loss, nn.HuberLoss, nn.HingeLoss]

ISSUE_24 = [
    # ---- BCELoss: targets outside [0, 1] (PyTorch raises), NaN named ----------------------
    Case("BCELoss/target-above-1", lambda: nn.BCELoss()(T([0.5, 0.5]), T([2.0, 1.0])),
         ValueError, ("binary_cross_entropy(): target must be probabilities in [0, 1]",
                      "got values from 1 to 2", "labels 0 and 1")),
    Case("BCELoss/target-negative", lambda: F.binary_cross_entropy(T([0.5]), T([-1.0])),
         ValueError, ("target must be probabilities in [0, 1]", "got values from -1 to -1")),
    Case("BCELoss/target-nan", lambda: nn.BCELoss()(T([0.5, 0.5]), T([np.nan, 1.0])),
         ValueError, ("target must be probabilities in [0, 1]", "from 1 to 1 and NaN")),
    Case("BCELoss/input-nan-named", lambda: nn.BCELoss()(T([np.nan, 0.5]), T([1.0, 0.0])),
         ValueError, ("input must be probabilities in [0, 1]", "from 0.5 to 0.5 and NaN",
                      "nn.Sigmoid()")),
    Case("BCELoss/input-all-nan", lambda: nn.BCELoss()(T([np.nan]), T([1.0])),
         ValueError, ("input must be probabilities in [0, 1], got NaN",)),
    Case("BCELoss/target-sum-reduction", lambda: nn.BCELoss("sum")(T([0.5]), T([1.5])),
         ValueError, ("target must be probabilities",)),
    # ---- factories: numbers their dtype cannot hold (PyTorch refuses them) ----------------
    Case("full/int8-300.0", lambda: tinydl.full((2,), 300.0, dtype="int8"), ValueError,
         ("full(): dtype int8", DTYPE_RANGE, "the value is 300", "'int64'")),
    Case("full/int64-nan", lambda: tinydl.full((2,), float("nan"), dtype="int64"), ValueError,
         ("full(): dtype int64", *INT64_NAN)),
    Case("full/int64-inf", lambda: tinydl.full((2,), float("inf"), dtype=tinydl.int64),
         ValueError, ("full()", "the value is inf", "no NaN or infinity")),
    Case("full/int8-127.9", lambda: tinydl.full((1,), 127.9, dtype="int8"), ValueError,
         ("full()", DTYPE_RANGE, "the value is 127.9")),
    Case("full/float16-overflow", lambda: tinydl.full((1,), 1e6, dtype="float16"), ValueError,
         ("full(): dtype float16 holds -65504 to 65504", "the value is 1e+06", "'float64'")),
    Case("full/int64-complex", lambda: tinydl.full((1,), 1 + 2j, dtype="int64"), ValueError,
         ("full(): dtype int64 holds real numbers", "complex")),
    Case("full_like/int8-300.0", lambda: tinydl.full_like(ones(2, dtype="int8"), 300.0),
         ValueError, ("full_like(): dtype int8", DTYPE_RANGE)),
    Case("new_full/int8", lambda: ones(2, dtype="int8").new_full((2,), -200.0), ValueError,
         ("full()", DTYPE_RANGE, "the value is -200")),
    Case("tensor/int8-300", lambda: T([300.0], dtype="int8"), ValueError,
         ("tensor(): dtype int8", DTYPE_RANGE, "the value is 300")),
    Case("tensor/int64-nan", lambda: T([1.0, float("nan")], dtype="int64"), ValueError,
         ("tensor(): dtype int64", "the values include NaN or infinity")),
    Case("tensor/uint8-range", lambda: T([[0, 256], [1, 2]], dtype=tinydl.uint8), ValueError,
         ("tensor(): dtype uint8 holds 0 to 255", "the values go from 0 to 256")),
    Case("as_tensor/int8", lambda: tinydl.as_tensor([128], dtype="int8"), ValueError,
         ("dtype int8", DTYPE_RANGE, "the value is 128")),
    Case("LongTensor/nan", lambda: tinydl.LongTensor([float("nan")]), ValueError, INT64_NAN),
    Case("ByteTensor/300", lambda: tinydl.ByteTensor([300]), ValueError,
         ("dtype uint8 holds 0 to 255", "the value is 300")),
    Case("CharTensor/-129", lambda: tinydl.CharTensor([-129]), ValueError,
         (DTYPE_RANGE, "the value is -129")),
    Case("arange/int8-wraps", lambda: tinydl.arange(0, 300, dtype="int8"), ValueError,
         ("arange(): dtype int8", DTYPE_RANGE, "the values go from 0 to 299")),
    Case("arange/uint8-negative", lambda: tinydl.arange(-5, 3, dtype="uint8"), ValueError,
         ("arange(): dtype uint8 holds 0 to 255", "from -5 to 2")),
    Case("linspace/int8", lambda: tinydl.linspace(0, 300, 5, dtype="int8"), ValueError,
         ("linspace(): dtype int8", DTYPE_RANGE, "from 0 to 300")),
    Case("fill_/int8", lambda: ones(2, dtype="int8").fill_(300), ValueError,
         ("fill_(): dtype int8", DTYPE_RANGE, "the value is 300")),
    Case("fill_/int64-nan", lambda: ones(2, dtype="int64").fill_(float("nan")), ValueError,
         ("fill_()", *INT64_NAN)),
    Case("setitem/int8-float", lambda: ones(2, dtype="int8").__setitem__(0, 300.0), ValueError,
         ("x[index] = value: dtype int8", DTYPE_RANGE, "the value is 300")),
    Case("setitem/int64-nan", lambda: ones(2, dtype="int64").__setitem__(0, float("nan")),
         ValueError, ("x[index] = value", "no NaN or infinity")),
    Case("add_/int8-overflow", lambda: ones(2, dtype="int8").add_(300), ValueError,
         ("add_() on a int8 tensor of shape (2,)", "300")),
    # ---- collation: None, other objects, differing shapes -------------------------------
    Case("DataLoader/None-items", lambda: batches([None, None, None]), DataError,
         (STACKABLE, "a sample holds None", "__getitem__")),
    Case("DataLoader/None-label", lambda: batches(items((np.ones(2), None), (np.ones(2), None))),
         DataError, ("a sample holds None",)),
    Case("DataLoader/dict-items", lambda: batches(items({"x": 1}, {"x": 2})), DataError,
         ("a sample holds a dict",)),
    Case("DataLoader/array-and-number", lambda: batches(items(np.ones(2), 3)), DataError,
         ("one field is an array in the batch's sample 0 but a number in 1",)),
    Case("DataLoader/shapes-differ", lambda: batches(items((np.ones(3), 1), (np.ones(4), 2))),
         DataError, ("the samples of a batch must have one shape", "got (3,) in the batch's "
                     "sample 0 and (4,) in 1", "batch_size=1")),
    Case("DataLoader/tensor-shapes-differ",
         lambda: batches(items(ones(1, 28, 28), ones(1, 28, 28), ones(1, 14, 14)), 3),
         DataError, ("(1, 28, 28) in the batch's sample 0 and (1, 14, 14) in 2",)),
    # ---- TransformerBlock(dim_feedforward=0) was 4 * embed_dim --------------------------
    Case("TransformerBlock/dim_feedforward-0", lambda: nn.TransformerBlock(8, 2, dim_feedforward=0),
         ValueError, ("TransformerBlock: dim_feedforward must be a positive integer, got 0",)),
    Case("TransformerBlock/embed_dim-string", lambda: nn.TransformerBlock("8", 2), TypeError,
         ("TransformerBlock: embed_dim must be a positive integer, got '8'",)),
    # ---- the exercises' state file: a hint count that is not a whole number >= 0 --------
    Case("reveal_hint/negative-count", lambda: with_hints({"tanh": -1},
                                                         lambda d: reveal_hint("tanh", d)),
         ValueError, ("says -1 hints of tanh were shown", "a whole number >= 0",
                      "delete the file to start the hint count again")),
    Case("hints_used/fraction", lambda: with_hints({"tanh": 1.5}, lambda d: hints_used(d, "tanh")),
         ValueError, ("says 1.5 hints of tanh",)),
    Case("exercise_status/text-count", lambda: with_hints({"relu": "2"}, exercise_status),
         ValueError, ("says '2' hints of relu",)),
    # ---- state dicts: KeyErrors ----------------------------------------------------------
    Case("ReduceLROnPlateau.load_state_dict/empty", lambda: plateau().load_state_dict({}),
         ValueError, ("ReduceLROnPlateau.load_state_dict(): state_dict must be what "
                      "ReduceLROnPlateau.state_dict() returns", "it lacks best, num_bad_epochs")),
    Case("ReduceLROnPlateau.load_state_dict/partial",
         lambda: plateau().load_state_dict({"best": 1.0, "epoch": 2}), ValueError,
         ("it lacks num_bad_epochs, cooldown_counter",)),
    Case("ReduceLROnPlateau.load_state_dict/list", lambda: plateau().load_state_dict([1.0]),
         TypeError, ("state_dict must be what ReduceLROnPlateau.state_dict() returns",
                     "got [1.0]")),
    Case("ReduceLROnPlateau.load_state_dict/StepLR's",
         lambda: plateau().load_state_dict(schedules.StepLR(sgd(), 2).state_dict()), ValueError,
         ("it lacks best, num_bad_epochs, cooldown_counter",)),
    Case("EarlyStopping.load_state_dict/partial",
         lambda: EarlyStopping().load_state_dict({"best": 0.5}), ValueError,
         ("EarlyStopping.load_state_dict()", "it lacks best_epoch, waited")),
    Case("EarlyStopping.load_state_dict/None", lambda: EarlyStopping().load_state_dict(None),
         TypeError, ("EarlyStopping.load_state_dict(): state_dict must be", "got None")),
    Case("Optimizer.load_state_dict/None", lambda: sgd().load_state_dict(None), ValueError,
         ("not an optimizer state_dict", "it has no optimizer")),
    # ---- resuming what save_checkpoint wrote ----------------------------------------------
    Case("fit-resume/save_checkpoint-without-history",
         lambda: resume_from(checkpoint_by_save_checkpoint(epoch=0)), CheckpointError,
         ("fit(resume=True)", "lacks history, resume_state",
          "fit(checkpoint_path=...) saves beside the weights", "load_checkpoint(path, model, "
          "optimizer) and call fit without resume=True")),
    Case("fit-resume/without-resume_state",
         lambda: resume_from(checkpoint_by_save_checkpoint(epoch=0, history={"loss": [1.0]})),
         CheckpointError, ("lacks resume_state",)),
    Case("fit-resume/nothing-but-weights", lambda: resume_from(checkpoint_by_save_checkpoint()),
         CheckpointError, ("lacks epoch, history, resume_state",)),
    Case("cli-train-resume/save_checkpoint-without-history",
         lambda: resume_by_cli(checkpoint_by_save_checkpoint(example="mnist-mlp", epoch=0)),
         CheckpointError, ("fit(resume=True)", "lacks history, resume_state")),
    # ---- ragged or string ids and labels -------------------------------------------------
    Case("embedding/ragged-ids", lambda: F.embedding([[1, 2], [3]], ones(5, 2)), ValueError,
         ("embedding(): ids", *RAGGED, "ids[1] has 1 item, ids[0] has 2 items")),
    Case("embedding/string-ids", lambda: F.embedding(["a", "b"], ones(5, 2)), TypeError,
         ("embedding(): ids holds strings",)),
    Case("embedding/None-ids", lambda: F.embedding(None, ones(5, 2)), TypeError,
         ("embedding(): ids must be numbers, nested lists of numbers or an array",
          "got NoneType")),
    Case("Embedding/ragged-ids", lambda: nn.Embedding(5, 2)([[0], [1, 2]]), ValueError,
         ("embedding(): ids", *RAGGED)),
    Case("Embedding/nested-strings", lambda: nn.Embedding(5, 2)([["the", "cat"]]), TypeError,
         ("embedding(): ids holds strings",)),
    Case("sequence_cross_entropy/ragged-labels",
         lambda: sequence_cross_entropy(ones(2, 3, 4), [[1, 2, 3], [1]]), ValueError,
         ("sequence_cross_entropy(): labels", *RAGGED)),
    Case("sequence_cross_entropy/string-labels",
         lambda: sequence_cross_entropy(ones(1, 2, 4), [["a", "b"]]), TypeError,
         ("sequence_cross_entropy(): labels holds strings",)),
    # ---- divisions by zero -----------------------------------------------------------------
    Case("OneCycleLR/div_factor-0", lambda: one_cycle(div_factor=0), ValueError,
         ("OneCycleLR: div_factor must be a finite number > 0, got 0",)),
    Case("OneCycleLR/final_div_factor-0", lambda: one_cycle(final_div_factor=0), ValueError,
         ("OneCycleLR: final_div_factor must be a finite number > 0, got 0",)),
    Case("OneCycleLR/div_factor-negative", lambda: one_cycle(div_factor=-25), ValueError,
         ("div_factor must be a finite number > 0", "got -25")),
]  # fmt: skip

SURFACES = [
    # ---- joins and selections ----------------------------------------------------------
    Case("cat/one-tensor", lambda: tinydl.cat(x23()), TypeError,
         ("concatenate(): tensors must be a list or tuple of Tensors, got Tensor",)),
    Case("stack/one-tensor", lambda: tinydl.stack(x23()), TypeError,
         ("stack(): tensors must be a list or tuple of Tensors, got Tensor",)),
    Case("cat/generator", lambda: tinydl.cat(t for t in [x23()]), TypeError,
         ("concatenate(): tensors must be a list or tuple", "got generator")),
    Case("cat/empty", lambda: tinydl.cat([]), ValueError, ("concatenate() needs at least one",)),
    Case("cat/other-rank", lambda: tinydl.cat([x23(), ones(3)]), ValueError,
         ("tensor 1 has shape (3,)", "tensor 0's shape (2, 3)")),
    Case("stack/shapes", lambda: tinydl.stack([x23(), ones(3, 2)]), ValueError,
         ("stack() needs tensors of one shape", "(3, 2)", "(2, 3)")),
    Case("stack/dim-string", lambda: tinydl.stack([x23(), x23()], dim="0"), TypeError,
         ("stack(): axis must be an integer from -3 to 2", "'0'")),
    Case("topk/largest-string", lambda: tinydl.topk(x23(), 1, largest="yes"), TypeError,
         ("topk(): largest must be True or False, got 'yes'",)),
    Case("topk/k-too-large", lambda: tinydl.topk(x23(), 4), ValueError,
         ("topk(): k must be an integer from 0 to 3, got 4",)),
    Case("topk/k-float", lambda: tinydl.topk(x23(), 1.0), TypeError, ("topk(): k", "1.0")),
    Case("sort/descending-string", lambda: tinydl.sort(x23(), descending="no"), TypeError,
         ("sort(): descending must be True or False, got 'no'",)),
    Case("argsort/descending-number", lambda: tinydl.argsort(x23(), descending=1), TypeError,
         ("descending must be True or False, got 1",)),
    Case("multinomial/negative-weight", lambda: tinydl.multinomial(T([0.5, -0.1]), 1),
         ValueError, ("multinomial(): the weights must be finite and >= 0",)),
    Case("multinomial/3d", lambda: tinydl.multinomial(ones(2, 2, 2), 1), ValueError,
         ("multinomial() needs a 1-D or 2-D tensor", "(2, 2, 2)")),
    Case("multinomial/zero-row", lambda: tinydl.multinomial(T([0.0, 0.0]), 1), ValueError,
         ("every row needs a positive total weight",)),
    Case("multinomial/too-many", lambda: tinydl.multinomial(T([0.5, 0.5]), 3), ValueError,
         ("num_samples must be from 1 to 2 without replacement", "got 3")),
    Case("multinomial/float-count", lambda: tinydl.multinomial(T([0.5, 0.5]), 1.0), TypeError,
         ("multinomial(): num_samples must be an integer >= 0, got 1.0",)),
    Case("gather/float-index", lambda: tinydl.gather(x23(), 1, T([[0.0]])), TypeError,
         ("gather() needs index to be an integer tensor", "float32")),
    Case("gather/index-out-of-range", lambda: tinydl.gather(x23(), 1, T([[3]])), IndexError,
         ("gather(dim=1): index values must be from 0 to 2", "got 3 to 3")),
    Case("gather/negative-index", lambda: tinydl.gather(x23(), 1, T([[-1]])), IndexError,
         ("index values must be from 0 to 2", "got -1")),
    Case("gather/index-rank", lambda: tinydl.gather(x23(), 1, T([0])), ValueError,
         ("index of shape (1,) does not fit x of shape (2, 3)",)),
    Case("masked_fill/float-mask", lambda: tinydl.masked_fill(x23(), ones(2, 3), 0.0), TypeError,
         ("masked_fill() needs a boolean mask", "mask == 0")),
    Case("masked_fill/value-of-two", lambda: tinydl.masked_fill(x23(), T(np.ones((2, 3), bool)),
                                                              T([1.0, 2.0])),
         ValueError, ("masked_fill() needs one value", "shape (2,)")),
    Case("where/float-condition", lambda: tinydl.where(T([1.0, 0.0]), T([1.0, 2.0]), T([3.0, 4.0])),
         TypeError, ("where() needs a boolean condition", "float32")),
    Case("chunk/zero", lambda: tinydl.chunk(x23(), 0), ValueError,
         ("chunk(): chunks must be a positive integer, got 0",)),
    Case("split/lengths", lambda: tinydl.split(x23(), [1, 1], dim=1), ValueError,
         ("split(): the lengths [1, 1] add up to 2", "has length 3")),
    Case("narrow/too-long", lambda: tinydl.narrow(x23(), 1, 2, 5), IndexError,
         ("narrow(dim=1, start=2, length=5)", "within 0 to 3")),
    Case("flip/dim", lambda: tinydl.flip(x23(), (3,)), IndexError,
         ("flip(): dims must be an integer from -2 to 1", "got 3")),
    Case("tril/one-axis", lambda: tinydl.tril(T([1.0, 2.0])), ValueError,
         ("tril(): x must be a Tensor of shape (..., rows, columns)",)),
    Case("bmm/batch-sizes", lambda: tinydl.bmm(ones(2, 2, 3), ones(3, 3, 2)), ValueError,
         ("bmm() needs one batch size in both",)),
    Case("mm/rank", lambda: tinydl.mm(ones(2, 2, 3), x23()), ValueError,
         ("mm(): a must be a Tensor of shape (n, m)",)),
    Case("einsum/one-operand-short", lambda: tinydl.einsum("ij,jk->ik", x23()), ValueError,
         ("has subscripts for 2 operand(s), got 1",)),
    Case("einsum/sizes-differ", lambda: tinydl.einsum("ij,ij->i", x23(), ones(3, 2)), ValueError,
         ("'i' has size 2 in operand 0 and 3 in operand 1",)),
    Case("einsum/array-operand", lambda: tinydl.einsum("ij->i", np.ones((2, 3))), TypeError,
         ("einsum() needs Tensors after the equation",)),
    # ---- Transformer and attention -----------------------------------------------------
    Case("Transformer/heads-divide", lambda: nn.Transformer(d_model=10, nhead=3), ValueError,
         ("embed_dim (10) must be divisible by num_heads (3)",)),
    Case("Transformer/tgt-features", lambda: nn.Transformer(
        d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=8
    )(seq(3, 2, 8), seq(3, 2, 6)), ValueError, ("Transformer expects tgt of shape", "(3, 2, 6)")),
    Case("Transformer/batch-sizes", lambda: nn.Transformer(
        d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=8
    )(seq(3, 2, 8), seq(3, 4, 8)), ValueError, ("src and tgt need the same batch size",)),
    Case("Transformer/activation", lambda: nn.Transformer(d_model=8, nhead=2, activation="swish"),
         TypeError, ("activation must be 'relu', 'gelu' or a callable", "'swish'")),
    Case("TransformerEncoderLayer/norm_first-string",
         lambda: nn.TransformerEncoderLayer(8, 2, norm_first="yes"), TypeError,
         ("TransformerEncoderLayer: norm_first must be True or False, got 'yes'",)),
    Case("TransformerDecoderLayer/norm_first-number",
         lambda: nn.TransformerDecoderLayer(8, 2, norm_first=1), TypeError,
         ("TransformerDecoderLayer: norm_first must be True or False, got 1",)),
    Case("TransformerEncoderLayer/src-features", lambda: transformer_layer()(seq(3, 2, 6)),
         ValueError, ("expects src of shape (S, N, E)", "E = d_model = 8")),
    Case("TransformerEncoderLayer/src-list", lambda: transformer_layer()([[1.0] * 8]), TypeError,
         ("src must be a Tensor, got list",)),
    Case("TransformerEncoderLayer/mask-shape",
         lambda: transformer_layer()(seq(3, 2, 8), src_mask=ones(2, 2)), ValueError,
         ("attn_mask of shape (L, S) = (3, 3)", "got shape (2, 2)")),
    Case("TransformerEncoderLayer/padding-mask-shape",
         lambda: transformer_layer()(seq(3, 2, 8), src_key_padding_mask=T(np.zeros((3, 3), bool))),
         ValueError, ("key_padding_mask of shape (N, S) = (2, 3)", "got shape (3, 3)")),
    Case("TransformerEncoder/layer-string", lambda: nn.TransformerEncoder("layer", 2), TypeError,
         ("encoder_layer must be a layer Module to copy, got str",)),
    Case("TransformerDecoder/layers-float",
         lambda: nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, dim_feedforward=8), 1.5),
         TypeError, ("TransformerDecoder: num_layers must be a positive integer, got 1.5",)),
    Case("TransformerDecoderLayer/memory-features", lambda: nn.TransformerDecoderLayer(
        8, 2, dim_feedforward=8)(seq(3, 2, 8), seq(3, 2, 4)), ValueError,
         ("expects memory of shape", "(3, 2, 4)")),
    Case("MultiheadAttention/need_weights-string",
         lambda: mha()(seq(3, 2, 8), seq(3, 2, 8), seq(3, 2, 8), need_weights="no"), TypeError,
         ("MultiheadAttention: need_weights must be True or False, got 'no'",)),
    Case("MultiheadAttention/batch_first-string",
         lambda: nn.MultiheadAttention(8, 2, batch_first="true"), TypeError,
         ("MultiheadAttention: batch_first must be True or False, got 'true'",)),
    Case("MultiheadAttention/kdim", lambda: nn.MultiheadAttention(8, 2, kdim=4), ValueError,
         ("does not implement kdim=4",)),
    Case("MultiheadAttention/lengths", lambda: mha()(seq(3, 2, 8), seq(4, 2, 8), seq(5, 2, 8)),
         ValueError, ("one length for key and value",)),
    Case("MultiheadAttention/value-features",
         lambda: mha()(seq(3, 2, 8), seq(3, 2, 8), seq(3, 2, 6)), ValueError,
         ("expects value of shape (N, length, embed_dim=8)",)),
    Case("MultiheadAttention/integer-query",
         lambda: mha()(ones(3, 2, 8, dtype="int64"), seq(3, 2, 8), seq(3, 2, 8)), TypeError,
         ("must be a floating-point Tensor", "int64")),
    Case("MultiHeadAttention/mask-shape",
         lambda: nn.TransformerBlock(8, 2)(seq(2, 3, 8), mask=T(np.ones((2, 2), bool))),
         ValueError, ("a mask that broadcasts to the scores' shape",)),
    Case("LearnedPositionalEmbedding/too-long",
         lambda: nn.LearnedPositionalEmbedding(4, 8)(seq(2, 5, 8)), ValueError,
         ("a sequence of length 5 is longer than the position table (max_len=4)",)),
    Case("SinusoidalPositionalEncoding/too-long",
         lambda: nn.SinusoidalPositionalEncoding(4, 8)(seq(2, 5, 8)), ValueError,
         ("longer than the position table (max_len=4)",)),
    Case("LayerNorm/negative-eps", lambda: nn.LayerNorm(8, eps=-1)(seq(2, 8)), ValueError,
         ("layer_norm(): eps must be a finite number > 0, got -1",)),
    Case("LayerNorm/features", lambda: nn.LayerNorm(8)(seq(2, 6)), ValueError,
         ("normalized_shape=(8,)", "(2, 6)")),
    # ---- recurrent layers ------------------------------------------------------------------
    Case("RNN/batch_first-string", lambda: nn.RNN(3, 4, batch_first="yes"), TypeError,
         ("RNN: batch_first must be True or False, got 'yes'",)),
    Case("LSTM/bias-string", lambda: nn.LSTM(3, 4, bias="no"), TypeError,
         ("LSTM: bias must be True or False, got 'no'",)),
    Case("GRU/batch_first-number", lambda: nn.GRU(3, 4, batch_first=0), TypeError,
         ("GRU: batch_first must be True or False, got 0",)),
    Case("RNN/nonlinearity", lambda: nn.RNN(3, 4, nonlinearity="sigmoid"), ValueError,
         ("RNN: nonlinearity must be 'tanh' or 'relu', got 'sigmoid'",)),
    Case("RNN/h0-layers", lambda: nn.RNN(3, 4, num_layers=2)(seq(5, 2, 3), seq(1, 2, 4)),
         ValueError, ("h_0 must be a Tensor of shape (2, 2, 4)",)),
    Case("RNN/float64-input", lambda: nn.RNN(3, 4)(ones(5, 2, 3, dtype="float64")), TypeError,
         ("weight_ih is float32 but input is float64",)),
    Case("GRU/h0-tuple", lambda: nn.GRU(3, 4)(seq(5, 2, 3), (seq(1, 2, 4), seq(1, 2, 4))),
         TypeError, ("GRU: h_0 must be a Tensor of shape (1, 2, 4)", "got tuple")),
    Case("LSTM/c0-shape", lambda: nn.LSTM(3, 4)(seq(5, 2, 3), (seq(1, 2, 4), seq(1, 2, 5))),
         ValueError, ("LSTM: c_0 must be a Tensor of shape (1, 2, 4)", "(1, 2, 5)")),
    Case("LSTMCell/input-rank", lambda: nn.LSTMCell(3, 4)(seq(5, 2, 3)), ValueError,
         ("LSTMCell: input must be a Tensor of shape (N, input_size)",)),
    Case("GRUCell/h-batch", lambda: nn.GRUCell(3, 4)(seq(2, 3), seq(3, 4)), ValueError,
         ("GRUCell: hx must be a Tensor of shape (2, 4)",)),
    Case("RNNCell/features", lambda: nn.RNNCell(3, 4)(seq(2, 5)), ValueError,
         ("RNNCell was built for input_size=3 features",)),
    # ---- LBFGS, schedules ------------------------------------------------------------------
    Case("LBFGS/closure-returns-None", lambda: lbfgs().step(lambda: None), TypeError,
         ("LBFGS.step(): what the closure returns must be the loss", "got None")),
    Case("LBFGS/closure-returns-text", lambda: lbfgs().step(lambda: "0.5"), TypeError,
         ("what the closure returns must be the loss", "got '0.5'")),
    Case("LBFGS/closure-returns-vector", lambda: lbfgs().step(lambda: ones(3)), TypeError,
         ("got a tensor of shape (3,)",)),
    Case("LBFGS/history", lambda: lbfgs(history_size=0), ValueError,
         ("LBFGS: history_size must be a positive integer, got 0",)),
    Case("LBFGS/line_search", lambda: lbfgs(line_search_fn="wolfe"), ValueError,
         ("line_search_fn must be None or 'strong_wolfe'",)),
    Case("LBFGS/groups", lambda: optim.LBFGS([{"params": nn.Linear(2, 2).parameters()},
                                             {"params": nn.Linear(2, 2).parameters()}]),
         ValueError, ("LBFGS does not support parameter groups",)),
    Case("ReduceLROnPlateau/step-text", lambda: plateau().step("0.5"), TypeError,
         ("ReduceLROnPlateau.step(): metrics must be the watched metric as a number",
          "got '0.5'")),
    Case("ReduceLROnPlateau/step-vector", lambda: plateau().step(T([1.0, 2.0])), TypeError,
         ("got a tensor of shape (2,)",)),
    Case("LambdaLR/factor-text", lambda: schedules.LambdaLR(sgd(), lambda epoch: "1"), TypeError,
         ("LambdaLR: lr_lambda(epoch) must be a number, got '1'",)),
    Case("OneCycleLR/max_lr-negative", lambda: one_cycle(max_lr=-0.1), ValueError,
         ("OneCycleLR: max_lr must be a finite number >= 0, got -0.1",)),
    Case("OneCycleLR/base_momentum", lambda: one_cycle(base_momentum=2), ValueError,
         ("OneCycleLR: base_momentum must lie in [0, 1], got 2",)),
    Case("OneCycleLR/cycle_momentum-string", lambda: one_cycle(cycle_momentum="no"), TypeError,
         ("OneCycleLR: cycle_momentum must be True or False, got 'no'",)),
    Case("OneCycleLR/past-the-end", lambda: stepped(one_cycle(total_steps=2), 3),
         ValueError, ("OneCycleLR stepped", "total_steps is 2")),
    Case("CosineAnnealingLR/eta_min", lambda: schedules.CosineAnnealingLR(sgd(), 5, eta_min=-1),
         ValueError, ("CosineAnnealingLR: eta_min must be a finite number >= 0",)),
    Case("ExponentialLR/gamma", lambda: schedules.ExponentialLR(sgd(), gamma=-0.5), ValueError,
         ("ExponentialLR: gamma must be a finite number > 0",)),
    Case("StepLR/optimizer-string", lambda: schedules.StepLR("sgd", 2), TypeError,
         ("StepLR needs an optimiser with an lr", "'sgd'")),
    # ---- samplers, datasets ------------------------------------------------------------------
    Case("DataLoader/shuffle-string", lambda: DataLoader(np.ones((4, 2)), np.ones(4),
                                                        shuffle="yes"),
         DataError, ("DataLoader: shuffle must be True or False, got 'yes'",)),
    Case("DataLoader/drop_last-number", lambda: DataLoader(np.ones((4, 2)), np.ones(4),
                                                          drop_last=1),
         DataError, ("DataLoader: drop_last must be True or False, got 1",)),
    Case("BatchSampler/sampler-number", lambda: torch_data.BatchSampler(5, 2, False), DataError,
         ("BatchSampler: sampler must be an iterable of indices", "got int")),
    Case("TensorDataset/strings", lambda: torch_data.TensorDataset(np.array(["a", "b"])),
         TypeError, ("TensorDataset: array 0 holds strings",)),
    Case("TensorDataset/ragged", lambda: torch_data.TensorDataset([[1.0], [1.0, 2.0]]),
         ValueError, ("TensorDataset: array 0 is a ragged nested list",)),
    Case("WeightedRandomSampler/nan", lambda: torch_data.WeightedRandomSampler([np.nan, 1.0], 1),
         DataError, ("weights must be a 1-D sequence of finite numbers >= 0",)),
    Case("WeightedRandomSampler/too-many", lambda: torch_data.WeightedRandomSampler(
        [1.0, 1.0], 3, replacement=False), DataError,
         ("num_samples (3) cannot exceed the number of nonzero weights (2)",)),
    Case("SubsetRandomSampler/floats", lambda: torch_data.SubsetRandomSampler([0.5, 1.5]),
         DataError, ("indices must be a 1-D sequence of integers",)),
    Case("Subset/out-of-range", lambda: torch_data.Subset(torch_data.TensorDataset(np.ones(4)),
                                                          [0, 9]),
         DataError, ("Subset indices must lie in [0, 4)",)),
    Case("DataLoader/sampler-index", lambda: list(DataLoader(
        torch_data.TensorDataset(np.ones(4)), sampler=[0, 99])), DataError,
         ("the sampler gave index 99, but the dataset has 4 samples",)),
    Case("transforms.Normalize/std-0", lambda: transforms.Normalize((0.5,), (0.0,)), ValueError,
         ("Normalize needs every std to be non-zero",)),
    Case("transforms.Compose/one-transform", lambda: transforms.Compose(transforms.ToTensor()),
         TypeError, ("Compose needs a list of transforms",)),
    Case("transforms.RandomCrop/too-large", lambda: transforms.RandomCrop(10)(ones(1, 8, 8)),
         ValueError, ("the crop size (10, 10) is larger than the image size (8, 8)",)),
    # ---- ResNet, legacy constructors, modules ----------------------------------------------
    Case("resnet34/norm_layer-string", lambda: models.resnet34(norm_layer="bn"), TypeError,
         ("ResNet: norm_layer must be callable as norm_layer(channels)", "got str")),
    Case("ResNet/two-stages", lambda: models.ResNet(models.resnet.BasicBlock, [2, 2]), ValueError,
         ("ResNet: layers must be 4 numbers of blocks", "got [2, 2]")),
    Case("ResNet/empty-stage", lambda: models.ResNet(models.resnet.BasicBlock, [2, 2, 0, 2]),
         ValueError, ("each number of blocks in layers must be a positive integer, got 0",)),
    Case("resnet18/grey-images", lambda: models.resnet18(num_classes=2)(ones(1, 1, 32, 32)),
         ValueError, ("x has 1 channels but weight expects 3",)),
    Case("resnet18/uint8-images",
         lambda: models.resnet18(num_classes=2)(ones(1, 3, 32, 32, dtype="uint8")), TypeError,
         ("must be a floating-point Tensor", "uint8")),
    Case("FloatTensor/negative-size", lambda: tinydl.FloatTensor(-1), ValueError,
         ("FloatTensor(): size must be an integer >= 0, got -1",)),
    Case("LongTensor/text", lambda: tinydl.LongTensor("abc"), TypeError,
         ("LongTensor() takes sizes (ints) or a sequence of data",)),
    Case("Linear/bias-string", lambda: nn.Linear(2, 2, bias="no"), TypeError,
         ("Linear: bias must be True or False, got 'no'",)),
    Case("Dense/bias-string", lambda: nn.Dense(2, 2, bias="False"), TypeError,
         ("Dense: bias must be True or False, got 'False'",)),
    Case("Conv2d/bias-number", lambda: nn.Conv2d(1, 2, 3, bias=0), TypeError,
         ("Conv2D: bias must be True or False, got 0",)),
    Case("ConvTranspose2d/bias-string", lambda: nn.ConvTranspose2d(1, 2, 3, bias="no"), TypeError,
         ("ConvTranspose2d: bias must be True or False, got 'no'",)),
    Case("Module.train/string", lambda: nn.Linear(2, 2).train("eval"), TypeError,
         ("train(): mode must be True or False, got 'eval'",)),
    Case("Module.requires_grad_/string", lambda: nn.Linear(2, 2).requires_grad_("no"), TypeError,
         ("requires_grad_(): requires_grad must be True or False, got 'no'",)),
    Case("load_state_dict/strict-string",
         lambda: nn.Linear(2, 2).load_state_dict(nn.Linear(2, 2).state_dict(), strict="no"),
         TypeError, ("load_state_dict(): strict must be True or False, got 'no'",)),
    Case("load_state_dict/ragged-value", lambda: nn.Linear(2, 2).load_state_dict(
        {**nn.Linear(2, 2).state_dict(), "bias": [[1.0], [1.0, 2.0]]}), ValueError,
         ("state['bias'] is a ragged nested list",)),
    Case("load_state_dict/None-value", lambda: nn.Linear(2, 2).load_state_dict(
        {**nn.Linear(2, 2).state_dict(), "bias": None}), TypeError,
         ("state['bias'] must be numbers", "got NoneType")),
    Case("ModuleDict/int-key", lambda: nn.ModuleDict({1: nn.Linear(2, 2)}), TypeError,
         ("ModuleDict key: name must be a string, got int",)),
    Case("Sequential/number", lambda: nn.Sequential(nn.Linear(2, 2), 3), TypeError,
         ("Sequential: argument 1 must be a Module, got int",)),
    Case("BatchNorm1d/one-sample", lambda: nn.BatchNorm1d(3)(ones(1, 3)), ValueError,
         ("needs more than 1 value per channel",)),
    Case("AdaptiveAvgPool2d/uneven", lambda: nn.AdaptiveAvgPool2d(3)(ones(1, 1, 4, 4)),
         ValueError, ("output size (3, 3) must divide the input's (4, 4)",)),
    *[Case(f"{loss.__name__}/reduction", lambda loss=loss: loss(reduction="avg"), ValueError,
           (f"{loss.__name__}: reduction must be 'mean', 'sum' or 'none', got 'avg'",))
      for loss in LOSS_LAYERS],
    Case("CrossEntropyLoss/label-too-large", lambda: nn.CrossEntropyLoss()(ones(2, 3), T([0, 3])),
         ValueError, ("got class label 3, but logits has C=3 classes",)),
    Case("HingeLoss/zero-one-targets", lambda: nn.HingeLoss()(T([0.5, -0.5]), T([0.0, 1.0])),
         ValueError, ("binary targets of +1 or -1", "2 * target - 1")),
]  # fmt: skip

def keras_model(functional: bool = False) -> keras.Model:
    """A small compiled Keras classifier, trained one epoch (so its optimiser is built)."""
    layers = keras.layers
    if functional:
        inputs = keras.Input((4,))
        model = keras.Model(inputs, layers.Dense(2, activation="softmax")(layers.Dense(3)(inputs)))
    else:
        model = keras.Sequential([keras.Input((4,)), layers.Dense(3),
                                  layers.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(np.ones((4, 4), np.float32), np.array([0, 1, 0, 1]), epochs=1, verbose=0)
    return model


def second_model_with_the_first_ones_optimizer() -> object:
    optimizer = keras.optimizers.Adam(0.01)
    first, second = keras_model(), keras_model()
    first.compile(optimizer, "sparse_categorical_crossentropy")
    second.compile(optimizer, "sparse_categorical_crossentropy")
    first.fit(np.ones((4, 4), np.float32), np.array([0, 1, 0, 1]), verbose=0)
    return second.fit(np.ones((4, 4), np.float32), np.array([0, 1, 0, 1]), verbose=0)


def load_edited(edit, functional: bool = False) -> keras.Model:
    """``load_model`` of a file whose saved architecture ``edit(config)`` changed."""
    model = keras_model(functional)
    config = {**model.get_config(), "optimizer_saved": True}
    edit(config)
    path = Path(tempfile.mkdtemp(dir=WORK)) / "model.keras"
    write_checkpoint(path, model, model.optimizer.engine, {"keras": config}, "model.save()")
    return keras.models.load_model(path)


def edit(path: tuple[object, ...], value: object = None):
    """An edit that sets the entry at ``path`` of the config to ``value`` (deletes it if None)."""
    def apply(config: dict) -> None:
        for key in path[:-1]:
            config = config[key]
        if value is None:
            del config[path[-1]]
        else:
            config[path[-1]] = value

    return apply


def predict_with_limit(value: str) -> object:
    os.environ["TINYDL_KERAS_LIMIT"] = value
    try:
        return keras_model().predict(np.ones((4, 4), np.float32), verbose=0)
    finally:
        del os.environ["TINYDL_KERAS_LIMIT"]


KERAS = [
    Case("keras/optimizer-of-another-model", second_model_with_the_first_ones_optimizer,
         ValueError, ("this Adam optimizer already trains another model",
                      "make a new one for each model")),
    Case("keras.load_model/unknown-layer-class",
         lambda: load_edited(edit(("layers", 0, "class"), "Dense2")), CheckpointError,
         ("model.keras cannot be loaded", "it names the layer class 'Dense2'",
          "which tinydl.keras does not offer", "Dense")),
    Case("keras.load_model/unknown-optimizer-class",
         lambda: load_edited(edit(("compile", "optimizer", "class"), "Lion")), CheckpointError,
         ("the optimizer class 'Lion'", "it offers Adagrad, Adam, RMSprop, SGD")),
    Case("keras.load_model/unknown-loss-class",
         lambda: load_edited(edit(("compile", "loss", "class"), "Focal")), CheckpointError,
         ("the loss class 'Focal'",)),
    Case("keras.load_model/layer-without-name",
         lambda: load_edited(edit(("layers", 1, "config", "name")), functional=True),
         CheckpointError, ("its Keras architecture lacks the entry 'name'",)),
    Case("keras.load_model/without-layers", lambda: load_edited(edit(("layers",))),
         CheckpointError, ("lacks the entry 'layers'",)),
    Case("keras.fit/ragged-x", lambda: keras_model().fit([[1, 2, 3, 4], [1, 2]], [0, 1]),
         ValueError, ("x is a ragged nested list", "x[1] has 2 items, x[0] has 4 items")),
    Case("keras.fit/ragged-y", lambda: keras_model().fit(np.ones((2, 4)), [[0, 1], [1]]),
         ValueError, ("y is a ragged nested list",)),
    Case("keras.evaluate/ragged-y",
         lambda: keras_model().evaluate(np.ones((2, 4)), [[0, 1], [1]], verbose=0), ValueError,
         ("y is a ragged nested list",)),
    Case("keras.predict/ragged-x", lambda: keras_model().predict([[1.0] * 4, [1.0]], verbose=0),
         ValueError, ("x is a ragged nested list",)),
    Case("keras.fit/nested-strings", lambda: keras_model().fit([["a", "b", "c", "d"]], [0]),
         TypeError, ("x holds strings",)),
    Case("TINYDL_KERAS_LIMIT/negative", lambda: predict_with_limit("-5"), ValueError,
         ("$TINYDL_KERAS_LIMIT must be a whole number >= 1", "got '-5'", "unset it")),
    Case("TINYDL_KERAS_LIMIT/zero", lambda: predict_with_limit("0"), ValueError,
         ("got '0'",)),
    Case("TINYDL_KERAS_LIMIT/text", lambda: predict_with_limit("ten"), ValueError,
         ("got 'ten'",)),
]  # fmt: skip

CASES = ISSUE_24 + SURFACES + KERAS


@pytest.fixture(scope="module", autouse=True)
def _remove_work_folder():
    yield
    import shutil

    shutil.rmtree(WORK, ignore_errors=True)


@pytest.mark.parametrize("case", params(CASES))
def test_bad_input_gets_a_clear_tinydl_error(case: Case) -> None:
    check(case)
