"""The bad-input table of the PyTorch-shaped entry points (issue 11, part 11a): the layer
signatures and aliases, ``F.nll_loss``/``F.cross_entropy``'s new arguments, channel dropout,
``dim``/``keepdim``, ``max``/``argmax``/``flatten``, ``Tensor.size``/``.data``, the default
dtype, parameter groups, ``Adadelta``, the new schedules and ``tinydl.save``/``load``; then
what PyTorch's DCGAN tutorial adds: ``inplace`` on activations, ``Module.apply``,
``nn.init``'s in-place initialisers, ``nn.BCELoss``/``F.binary_cross_entropy`` and
``Tensor.fill_``.
Format and check: ``tests/bad_input_table.py``.

Accepted as correct behaviour (no error), with the reason:

- ``F.cross_entropy(..., label_smoothing=1.0)``: a uniform target, as PyTorch allows.
- ``ReduceLROnPlateau(factor=0)``: the lr drops to ``min_lr`` at the first plateau.
- ``nn.Conv2D(4, 3)`` on (N, 16, 5, 3): a channels-first batch with 16 channels of 5×3
  images; only square images with 1 or 3 values in the last axis look channels-last.
- ``F.binary_cross_entropy`` with p exactly 0 or 1: PyTorch's clamp of each log at -100
  gives a large finite loss.
- ``nn.init.uniform_(w, 0.5, 0.5)``: a = b fills with a constant, as PyTorch allows.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from bad_input_table import Case, check, params

import tinydl
from tinydl import nn, optim
from tinydl.nn import functional as F  # noqa: N812  (PyTorch's spelling)
from tinydl.optim import lr_scheduler
from tinydl.train import CheckpointError

T = tinydl.tensor


def logits() -> tinydl.Tensor:
    return T(np.arange(12.0).reshape(4, 3) / 10)


def labels(*values: int) -> tinydl.Tensor:
    return T(np.array(values or (0, 1, 2, 0)))


def maps() -> tinydl.Tensor:
    return T(np.ones((2, 3, 4, 4), np.float32))


def weight() -> tinydl.Tensor:
    return nn.Conv2d(2, 3, 3).weight


def sgd(lr: float = 0.1, **kwargs) -> optim.SGD:
    return optim.SGD([T(np.ones(2), requires_grad=True)], lr=lr, **kwargs)


def two_groups() -> optim.SGD:
    return optim.SGD([{"params": [T(np.ones(2), requires_grad=True)], "lr": 0.1},
                      {"params": [T(np.ones(2), requires_grad=True)], "lr": 0.2}], lr=0.1)


def stepped_past_the_end() -> None:
    scheduler = lr_scheduler.OneCycleLR(sgd(momentum=0.9), max_lr=1.0, total_steps=2)
    for _ in range(3):
        scheduler.step()


def saved_checkpoint() -> Path:
    return Path(tinydl.train.save_checkpoint(_tmp() / "c.npz", nn.Linear(2, 2)))


def _tmp() -> Path:
    return Path(tempfile.mkdtemp(dir=WORK))


WORK = Path(tempfile.mkdtemp(prefix="tinydl-bad-pytorch-"))


@pytest.fixture(autouse=True, scope="module")
def _remove_work_folder() -> Iterator[None]:
    yield
    shutil.rmtree(WORK, ignore_errors=True)


CASES = [
    # layers under PyTorch's names and signatures
    Case("Dense/in-twice", lambda: nn.Dense(3, in_features=4), TypeError,
         ("dense", "in_features twice")),
    Case("Dense/no-out", lambda: nn.Dense(in_features=3), TypeError,
         ("(in_features, out_features)",)),
    Case("Dense/three", lambda: nn.Dense(3, 4, 5), TypeError,
         ("at most 2 positional", "in_features, out_features", "got 3")),
    Case("Linear/zero-keyword", lambda: nn.Linear(in_features=0, out_features=2), ValueError,
         ("in_features must be a positive integer, got 0",)),
    Case("Conv2D/six-positional", lambda: nn.Conv2D(1, 2, 3, 1, 1, 1), TypeError,
         ("at most 5 positional", "stride, padding", "got 6")),
    Case("Conv2D/no-kernel", lambda: nn.Conv2D(in_channels=1, out_channels=2), TypeError,
         ("(in_channels, out_channels, kernel_size)",)),
    Case("Conv2D/stride-twice", lambda: nn.Conv2D(1, 2, 3, 1, stride=2), TypeError,
         ("stride twice",)),
    Case("Conv2d/bad-positional-stride", lambda: nn.Conv2d(1, 2, 3, 0), ValueError,
         ("Conv2D", "stride must be an integer >= 1 or a pair of them", "got 0")),
    Case("Conv2d/channels-last-1", lambda: nn.Conv2d(1, 4, 3)(T(np.zeros((2, 28, 28, 1)))),
         ValueError, ("(2, 28, 28, 1)", "channels-first", "x.permute(0, 3, 1, 2)")),
    Case("Conv2d/channels-last-3", lambda: nn.Conv2d(3, 4, 3)(T(np.zeros((2, 32, 32, 3)))),
         ValueError, ("channels-last", "C = 3", "permute(0, 3, 1, 2)")),
    Case("Conv2D/lazy-channels-last", lambda: nn.Conv2D(8, 3)(T(np.zeros((1, 32, 32, 3)))),
         ValueError, ("channels-first", "(n, c, h, w)", "permute(0, 3, 1, 2)")),
    Case("conv2d/channels-last", lambda: F.conv2d(T(np.zeros((2, 28, 28, 1))),
                                                  T(np.zeros((4, 1, 3, 3)))),
         ValueError, ("x has 28 channels", "channels-first", "x.permute(0, 3, 1, 2)")),
    Case("Flatten/float-dim", lambda: nn.Flatten(start_dim=1.5), TypeError,
         ("start_dim must be an int", "1.5")),
    Case("Flatten/dim-out-of-range", lambda: nn.Flatten(4)(maps()), ValueError,
         ("flatten()", "start_dim must be an integer from -4 to 3 here", "got 4")),
    Case("flatten/start-after-end", lambda: tinydl.flatten(maps(), 3, 1), ValueError,
         ("start_dim 3 comes after end_dim 1",)),
    Case("LogSoftmax/axis-and-dim", lambda: nn.LogSoftmax(axis=1, dim=1), TypeError,
         ("both axis= and dim=",)),
    Case("softmax/axis-and-dim", lambda: F.softmax(logits(), 0, dim=1), TypeError,
         ("softmax()", "both axis= and dim=")),
    Case("Dropout2d/p", lambda: nn.Dropout2d(1.5), ValueError,
         ("Dropout2d", "p must be a probability in [0, 1]", "got 1.5")),
    Case("dropout2d/ndim", lambda: F.dropout2d(T(np.ones(3, np.float32))), ValueError,
         ("dropout2d()", "x must be a floating-point Tensor", "got shape (3,)")),
    Case("dropout2d/int", lambda: F.dropout2d(T(np.ones((1, 1, 2, 2), np.int64))), TypeError,
         ("floating-point", "int64")),
    Case("dropout2d/p", lambda: F.dropout2d(maps(), -0.1), ValueError, ("dropout2d()", "-0.1")),
    # losses
    Case("nll_loss/float-target", lambda: F.nll_loss(logits(), T(np.zeros(4))), TypeError,
         ("nll_loss()", "integer class labels", "float32")),
    Case("nll_loss/ndim", lambda: F.nll_loss(T(np.zeros((2, 3, 4))), labels(0, 1)), ValueError,
         ("nll_loss()", "(N, C)", "(2, 3, 4)")),
    Case("nll_loss/label-range", lambda: F.nll_loss(logits(), labels(0, 3, 1, -100)),
         ValueError, ("class label 3", "C=3", "or ignore_index=-100")),
    Case("nll_loss/reduction", lambda: F.nll_loss(logits(), labels(), "avg"), ValueError,
         ("nll_loss()", "reduction must be 'mean', 'sum' or 'none'", "got 'avg'")),
    Case("NLLLoss/int-input", lambda: nn.NLLLoss()(labels(), labels()), TypeError,
         ("nll_loss()", "input must be a floating-point Tensor", "got dtype int64")),
    Case("cross_entropy/smoothing", lambda: F.cross_entropy(logits(), labels(),
                                                             label_smoothing=1.5),
         ValueError,
         ("cross_entropy()", "label_smoothing must be a probability in [0, 1]", "got 1.5")),
    Case("cross_entropy/ignore-index-type", lambda: F.cross_entropy(logits(), labels(),
                                                                     ignore_index=0.5),
         TypeError, ("cross_entropy()", "ignore_index must be an integer", "got 0.5")),
    Case("cross_entropy/negative-label", lambda: F.cross_entropy(logits(), labels(0, -1, 1, 2)),
         ValueError, ("class label -1", "or ignore_index=-100")),
    Case("CrossEntropyLoss/smoothing", lambda: nn.CrossEntropyLoss(label_smoothing=-0.1)(
        logits(), labels()), ValueError, ("label_smoothing",)),
    # tensors: dim/keepdim, max, argmax, size, data, default dtype
    Case("sum/axis-and-dim", lambda: logits().sum(axis=0, dim=0), TypeError,
         ("sum()", "both axis= and dim=")),
    Case("mean/keepdims-and-keepdim", lambda: logits().mean(0, keepdims=True, keepdim=True),
         TypeError, ("keepdims=", "keepdim=")),
    Case("concatenate/axis-and-dim", lambda: tinydl.concatenate([logits()], 0, dim=0),
         TypeError, ("concatenate()", "both axis= and dim=")),
    Case("stack/dim-range", lambda: tinydl.stack([logits()], dim=5), ValueError, ("5",)),
    Case("max/float-dim", lambda: tinydl.max(logits(), 1.5), TypeError,
         ("max()", "dim must be an integer from -2 to 1", "got 1.5")),
    Case("max/dim-range", lambda: tinydl.max(logits(), 2), ValueError,
         ("max()", "dim must be an integer from -2 to 1", "got 2")),
    Case("max/list", lambda: tinydl.max([1, 2]), TypeError,
         ("max()", "x must be a Tensor", "got list")),
    Case("max/empty", lambda: T(np.zeros((0, 3))).max(dim=1), ValueError, ("empty",)),
    Case("argmax/dim-range", lambda: tinydl.argmax(logits(), dim=7), ValueError,
         ("argmax()", "dim must be an integer from -2 to 1", "got 7")),
    Case("argmax/tuple-dim", lambda: logits().argmax(dim=(0, 1)), TypeError,
         ("argmax()", "dim must be an integer from -2 to 1", "got (0, 1)")),
    Case("size/str", lambda: logits().size("0"), TypeError,
         ("size()", "dim must be an integer from -2 to 1", "got '0'")),
    Case("size/range", lambda: logits().size(2), IndexError,
         ("size()", "dim must be an integer from -2 to 1", "got 2")),
    Case("data/list", lambda: setattr(logits(), "data", [1, 2]), TypeError,
         ("Tensor.data", "tensor or an array", "list")),
    Case("view/bad-shape", lambda: logits().view(5, -1), ValueError,
         ("cannot reshape", "(4, 3)", "(5, -1)")),
    Case("set_default_dtype/int", lambda: tinydl.set_default_dtype("int32"), TypeError,
         ("float32 or float64", "int32")),
    Case("set_default_dtype/nonsense", lambda: tinydl.set_default_dtype("fast"), TypeError,
         ("set_default_dtype()", "'fast'")),
    Case("set_default_dtype/none", lambda: tinydl.set_default_dtype(None), TypeError,
         ("set_default_dtype()", "got None")),
    Case("set_num_threads/zero", lambda: tinydl.set_num_threads(0), ValueError,
         ("set_num_threads()", "positive integer", "got 0")),
    Case("set_num_threads/float", lambda: tinydl.set_num_threads(2.0), TypeError,
         ("set_num_threads()", "positive integer", "got 2.0")),
    Case("set_num_threads/string", lambda: tinydl.set_num_threads("2"), TypeError,
         ("set_num_threads()", "got '2'")),
    # parameter groups and Adadelta
    Case("groups/no-params", lambda: optim.SGD([{"lr": 0.1}], lr=0.1), TypeError,
         ("parameter group 0", "'params' entry")),
    Case("groups/mixed", lambda: optim.SGD([{"params": [T(np.ones(2), requires_grad=True)]},
                                            T(np.ones(2), requires_grad=True)], lr=0.1),
         TypeError, ("mixing parameter groups (dicts) and tensors",)),
    Case("groups/unknown-setting", lambda: optim.Adam([{"params": [T(np.ones(2),
                                                                     requires_grad=True)],
                                                        "momentum": 0.9}]),
         ValueError, ("parameter group 0", "unknown setting", "momentum", "betas")),
    Case("groups/bad-lr", lambda: optim.SGD([{"params": [T(np.ones(2), requires_grad=True)],
                                              "lr": -1}], lr=0.1),
         ValueError, ("lr must be a finite number >= 0", "-1")),
    Case("groups/shared-parameter", lambda: (lambda p: optim.SGD(
        [{"params": [p]}, {"params": [p]}], lr=0.1))(T(np.ones(2), requires_grad=True)),
         ValueError, ("parameter group 1", "already in another parameter group")),
    Case("groups/ambiguous-lr", lambda: two_groups().lr, ValueError,
         ("lr differs between its 2 parameter groups", "param_groups[i]['lr']")),
    Case("add_param_group/not-dict", lambda: sgd().add_param_group([1]), TypeError,
         ("parameter group 1", "dict with a 'params' entry")),
    Case("Adadelta/rho", lambda: optim.Adadelta([T(np.ones(2), requires_grad=True)], rho=2.0),
         ValueError, ("rho must lie in [0, 1]", "2.0")),
    Case("Adadelta/lr", lambda: optim.Adadelta([T(np.ones(2), requires_grad=True)], lr=-1),
         ValueError, ("lr must be a finite number >= 0",)),
    Case("Adadelta/tensor", lambda: optim.Adadelta(T(np.ones(2), requires_grad=True)),
         TypeError, ("Adadelta", "single tensor")),
    # schedules
    Case("LambdaLR/not-callable", lambda: lr_scheduler.LambdaLR(sgd(), 3), TypeError,
         ("LambdaLR", "lr_lambda must be callable", "int")),
    Case("LambdaLR/count", lambda: lr_scheduler.LambdaLR(two_groups(), [lambda e: 1.0]),
         ValueError, ("1 values of lr_lambda for 2 parameter groups",)),
    Case("LambdaLR/optimizer", lambda: lr_scheduler.LambdaLR("sgd", lambda e: 1.0), TypeError,
         ("LambdaLR needs an optimiser",)),
    Case("OneCycleLR/no-length", lambda: lr_scheduler.OneCycleLR(sgd(momentum=0.9), 1.0),
         ValueError, ("total_steps", "epochs and steps_per_epoch")),
    Case("OneCycleLR/total-steps", lambda: lr_scheduler.OneCycleLR(sgd(momentum=0.9), 1.0, 0),
         ValueError, ("total_steps must be a positive integer, got 0",)),
    Case("OneCycleLR/epochs", lambda: lr_scheduler.OneCycleLR(sgd(momentum=0.9), 1.0,
                                                              epochs=2.5, steps_per_epoch=3),
         ValueError, ("epochs must be a positive integer", "2.5")),
    Case("OneCycleLR/pct-start", lambda: lr_scheduler.OneCycleLR(sgd(momentum=0.9), 1.0, 10,
                                                                 pct_start=1.5),
         ValueError, ("pct_start must lie in [0, 1]", "1.5")),
    Case("OneCycleLR/anneal", lambda: lr_scheduler.OneCycleLR(sgd(momentum=0.9), 1.0, 10,
                                                              anneal_strategy="cosine"),
         ValueError, ("'cos' or 'linear'", "'cosine'")),
    Case("OneCycleLR/no-momentum", lambda: lr_scheduler.OneCycleLR(
        optim.Adadelta([T(np.ones(2), requires_grad=True)]), 1.0, 10), ValueError,
         ("cycle_momentum=True", "Adadelta has neither", "cycle_momentum=False")),
    Case("OneCycleLR/max-lr-count", lambda: lr_scheduler.OneCycleLR(
        two_groups(), [1.0, 2.0, 3.0], 10, cycle_momentum=False), ValueError,
         ("3 values of max_lr for 2 parameter groups",)),
    Case("OneCycleLR/past-the-end", stepped_past_the_end, ValueError,
         ("stepped 3 times", "total_steps is 2")),
    Case("ReduceLROnPlateau/mode", lambda: lr_scheduler.ReduceLROnPlateau(sgd(), "lowest"),
         ValueError, ("mode must be 'min' or 'max'", "'lowest'")),
    Case("ReduceLROnPlateau/factor", lambda: lr_scheduler.ReduceLROnPlateau(sgd(), factor=1.0),
         ValueError, ("factor must lie in [0, 1)", "1.0")),
    Case("ReduceLROnPlateau/patience", lambda: lr_scheduler.ReduceLROnPlateau(
        sgd(), patience=-1), ValueError, ("patience must be an integer >= 0", "-1")),
    Case("ReduceLROnPlateau/threshold-mode", lambda: lr_scheduler.ReduceLROnPlateau(
        sgd(), threshold_mode="relative"), ValueError, ("'rel' or 'abs'",)),
    Case("ReduceLROnPlateau/min-lr-count", lambda: lr_scheduler.ReduceLROnPlateau(
        two_groups(), min_lr=[0.1]), ValueError, ("1 values of min_lr for 2",)),
    Case("ReduceLROnPlateau/step-without-metric", lambda: lr_scheduler.ReduceLROnPlateau(
        sgd()).step(), TypeError, ("step(val_loss)", "None")),
    Case("ReduceLROnPlateau/step-text", lambda: lr_scheduler.ReduceLROnPlateau(
        sgd()).step("low"), TypeError, ("as a number", "'low'")),
    # saving and loading
    Case("save/folder", lambda: tinydl.save({}, _tmp()), CheckpointError,
         ("it is a folder",)),
    Case("load/missing", lambda: tinydl.load(_tmp() / "none.pt"), CheckpointError,
         ("no checkpoint at",)),
    Case("load/checkpoint", lambda: tinydl.load(saved_checkpoint()), CheckpointError,
         ("not written by tinydl.save()", "load_checkpoint")),
    # what PyTorch's DCGAN tutorial adds: inplace, apply, nn.init, BCELoss, fill_
    Case("ReLU/inplace-string", lambda: nn.ReLU("yes"), TypeError,
         ("ReLU", "inplace must be True or False", "'yes'")),
    Case("LeakyReLU/inplace-number", lambda: nn.LeakyReLU(0.2, 1), TypeError,
         ("LeakyReLU", "inplace must be True or False", "got 1")),
    Case("apply/not-callable", lambda: nn.Linear(2, 2).apply("init"), TypeError,
         ("apply()", "function must be callable as function(module)", "got str")),
    Case("init/list", lambda: nn.init.normal_([0.0, 1.0]), TypeError,
         ("nn.init.normal_()", "a Tensor (e.g. layer.weight)", "got list")),
    Case("init/int-tensor", lambda: nn.init.constant_(T([1, 2]), 0), TypeError,
         ("nn.init.constant_()", "float tensor", "int64")),
    Case("init/negative-std", lambda: nn.init.normal_(weight(), 0.0, -0.02), ValueError,
         ("nn.init.normal_()", "std must be a finite number >= 0", "got -0.02")),
    Case("init/a-above-b", lambda: nn.init.uniform_(weight(), 1.0, 0.0), ValueError,
         ("a <= b", "a=1.0, b=0.0")),
    Case("init/xavier-1d", lambda: nn.init.xavier_uniform_(nn.Linear(2, 3).bias), ValueError,
         ("xavier_uniform_()", "at least 2 dimensions", "(3,)")),
    Case("init/kaiming-mode", lambda: nn.init.kaiming_normal_(weight(), mode="fan"), ValueError,
         ("kaiming_normal_()", "'fan_in' or 'fan_out'", "'fan'")),
    Case("init/kaiming-nonlinearity",
         lambda: nn.init.kaiming_uniform_(weight(), nonlinearity="swish"), ValueError,
         ("calculate_gain()", "nonlinearity must be 'linear'", "or 'leaky_relu'", "got 'swish'")),
    Case("calculate_gain/slope-string",
         lambda: nn.init.calculate_gain("leaky_relu", "0.2"), TypeError,
         ("calculate_gain()", "param must be a finite number", "got '0.2'")),
    Case("BCELoss/logits", lambda: nn.BCELoss()(T([-1.5, 0.3]), T([0.0, 1.0])), ValueError,
         ("binary_cross_entropy()", "probabilities in [0, 1]", "nn.Sigmoid()",
          "from -1.5 to 0.3", "BCEWithLogitsLoss")),
    Case("BCELoss/nan", lambda: nn.BCELoss()(T([np.nan, 0.3]), T([0.0, 1.0])), ValueError,
         ("probabilities in [0, 1]",)),
    Case("BCELoss/shape", lambda: nn.BCELoss()(T([[0.5], [0.5]]), T([0.0, 1.0])), ValueError,
         ("binary_cross_entropy()", "(2, 1)", "(2,)")),
    Case("BCELoss/int-input", lambda: F.binary_cross_entropy(T([0, 1]), T([0, 1])), TypeError,
         ("binary_cross_entropy()", "float")),
    Case("BCELoss/reduction", lambda: nn.BCELoss("average")(T([0.5]), T([1.0])), ValueError,
         ("reduction", "'average'", "mean")),
    Case("fill_/string", lambda: T([1.0, 2.0]).fill_("0"), TypeError,
         ("fill_() needs a number", "str")),
    Case("fill_/requires-grad", lambda: nn.Linear(2, 2).weight.fill_(0.0), RuntimeError,
         ("fill_()", "requires grad", "tinydl.no_grad()")),
]


@pytest.mark.parametrize("case", params(CASES))
def test_bad_input_gets_a_clear_tinydl_error(case: Case) -> None:
    check(case)
