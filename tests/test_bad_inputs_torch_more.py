"""The bad-input table of the PyTorch surface added for the corpus's last programs (issue 21):
``log1p``/``expm1``, the regression losses, ``flip``, ``where`` with numbers or alone,
``nonzero``, ``bincount``, ``einsum``, adaptive average pooling, the legacy typed
constructors, the in-place reshapes, ``x.grad`` assignment, PyTorch-style
``autograd.Function``, ``Generator``, the samplers and ``DataLoader``'s ordering arguments,
``serialization``, ``onnx``, ``distributed``, ``Conv2d``/``ConvTranspose2d``'s PyTorch-only
options and torchvision's ResNets. Format and check: ``tests/bad_input_table.py``.

Accepted as correct behaviour (no error), with the reason:

- ``x.add_(-lr, grad)``: PyTorch 2.13 still runs the deprecated order, with a warning; so
  does tinydl.
- ``x.grad = tensor_of_another_float_dtype``: the optimisers cast a gradient to its
  parameter's dtype (PyTorch refuses it).
- ``RandomSampler(data, num_samples=more_than_len(data))`` without replacement: several
  permutations, the last cut short, as PyTorch gives.
- ``tinydl.LongTensor(2, 3)``: an "uninitialised" tensor of that shape, which tinydl fills
  with zeros.
- ``nn.Conv2d(1, 2, 3, padding="same")`` with an odd kernel: the padding that keeps the size.
"""

from __future__ import annotations

import numpy as np
import pytest
from bad_input_table import Case, check, params

import tinydl
from tinydl import nn
from tinydl.nn import functional as F  # noqa: N812  (PyTorch's spelling)
from tinydl.utils import data

T = tinydl.tensor


def x23() -> tinydl.Tensor:
    return T(np.arange(6.0).reshape(2, 3))


def ones(*shape: int) -> tinydl.Tensor:
    return T(np.ones(shape))


def dataset() -> data.TensorDataset:
    return data.TensorDataset(np.ones(3))


def custom(forward, backward) -> type:
    """A PyTorch-style Function with the given static forward and backward."""
    return type("Custom", (tinydl.autograd.Function,),
                {"forward": staticmethod(forward), "backward": staticmethod(backward)})


def through(forward, backward, *args) -> None:
    """Apply ``custom(forward, backward)`` to a leaf that requires grad, and backward."""
    x = T([1.0, 2.0], requires_grad=True)
    custom(forward, backward).apply(x, *args).sum().backward()


CASES = [
    # ---- element-wise and losses -------------------------------------------------------------
    Case("log1p/list", lambda: tinydl.log1p([1.0]), TypeError,
         ("log1p()", "input 0 is a list", "tinydl.tensor")),
    Case("expm1/list", lambda: tinydl.expm1((1.0,)), TypeError, ("expm1()", "tuple")),
    Case("l1_loss/reduction", lambda: F.l1_loss(x23(), x23(), reduction="avg"), ValueError,
         ("l1_loss()", "reduction must be 'mean', 'sum' or 'none'", "'avg'")),
    Case("l1_loss/shape", lambda: F.l1_loss(x23(), T([1.0, 2.0])), ValueError,
         ("l1_loss()", "same shape as input", "(2, 3)", "(2,)")),
    Case("l1_loss/integers", lambda: F.l1_loss(T([1, 2]), T([1, 2])), TypeError,
         ("l1_loss()", "input must be a floating-point Tensor", "int64")),
    Case("l1_loss/list", lambda: F.l1_loss([1.0], T([1.0])), TypeError,
         ("l1_loss()", "input must be a floating-point Tensor", "list")),
    Case("smooth_l1_loss/negative-beta", lambda: F.smooth_l1_loss(x23(), x23(), beta=-1),
         ValueError, ("smooth_l1_loss()", "beta must be a finite number >= 0", "-1")),
    Case("smooth_l1_loss/string-beta", lambda: F.smooth_l1_loss(x23(), x23(), beta="1"),
         TypeError, ("smooth_l1_loss()", "beta", "'1'")),
    Case("huber_loss/zero-delta", lambda: F.huber_loss(x23(), x23(), delta=0), ValueError,
         ("huber_loss()", "delta must be a finite number > 0", "got 0")),
    Case("huber_loss/dtypes", lambda: F.huber_loss(x23(), x23().double()), TypeError,
         ("huber_loss()", "input is float32 but target is float64")),
    Case("L1Loss/reduction", lambda: nn.L1Loss(reduction="avg"), ValueError,
         ("L1Loss", "reduction must be", "'avg'")),
    Case("SmoothL1Loss/nan-beta", lambda: nn.SmoothL1Loss(beta=float("nan")), ValueError,
         ("SmoothL1Loss", "beta must be a finite number >= 0", "nan")),
    Case("HuberLoss/negative-delta", lambda: nn.HuberLoss(delta=-2), ValueError,
         ("HuberLoss", "delta must be a finite number > 0", "-2")),
    # ---- shape, selection, counting ----------------------------------------------------------
    Case("flip/no-dims", lambda: x23().flip(), TypeError, ("flip()", "needs the dims")),
    Case("flip/out-of-range", lambda: tinydl.flip(x23(), 2), IndexError,
         ("flip()", "dims must be an integer from -2 to 1", "got 2")),
    Case("flip/twice", lambda: x23().flip(0, -2), ValueError, ("flip()", "an axis twice")),
    Case("flip/list", lambda: tinydl.flip([1, 2], 0), TypeError, ("flip()", "list")),
    Case("where/a-without-b", lambda: tinydl.where(x23() > 1, 1), TypeError,
         ("where()", "condition alone", "both a and b")),
    Case("where/list-condition", lambda: tinydl.where([True, False], 1, 0), TypeError,
         ("numbers a and b", "condition as a tensor", "list")),
    Case("where/string", lambda: tinydl.where(x23() > 1, "a", 0), TypeError,
         ("where()", "tensors or numbers", "str")),
    Case("where/float-condition", lambda: tinydl.where(x23(), 1, 0), TypeError,
         ("where()", "boolean condition", "float32")),
    Case("nonzero/list", lambda: tinydl.nonzero([1, 0]), TypeError, ("nonzero()", "list")),
    Case("nonzero/as_tuple", lambda: tinydl.nonzero(x23(), as_tuple=1), TypeError,
         ("nonzero()", "as_tuple must be true or false", "1")),
    Case("bincount/floats", lambda: T([1.0]).bincount(), ValueError,
         ("bincount()", "1-d tensor of non-negative integers", "float32")),
    Case("bincount/2d", lambda: T([[1]]).bincount(), ValueError, ("bincount()", "(1, 1)")),
    Case("bincount/negative", lambda: T([1, -1]).bincount(), ValueError,
         ("bincount()", "non-negative", "-1")),
    Case("bincount/weights-shape", lambda: T([1, 2]).bincount(T([1.0])), ValueError,
         ("bincount()", "one weight per element", "(2,)", "(1,)")),
    Case("bincount/minlength", lambda: T([1, 2]).bincount(minlength=-1), ValueError,
         ("bincount()", "minlength must be an integer >= 0", "-1")),
    Case("bincount/weights-with-grad",
         lambda: T([1, 2]).bincount(T([1.0, 2.0], requires_grad=True)), RuntimeError,
         ("bincount()", "not differentiable", "weights.detach()")),
    # ---- einsum ------------------------------------------------------------------------------
    Case("einsum/sublist-form", lambda: tinydl.einsum(x23(), [0, 1]), TypeError,
         ("einsum()", "equation first", "sublist form is not offered")),
    Case("einsum/operand-count", lambda: tinydl.einsum("ij,jk->ik", x23()), ValueError,
         ("'ij,jk->ik'", "2 operand(s)", "got 1")),
    Case("einsum/digit", lambda: tinydl.einsum("i1->i", x23()), ValueError,
         ("subscripts are letters", "'i1'")),
    Case("einsum/dimensions", lambda: tinydl.einsum("ijk->i", x23()), ValueError,
         ("operand 0 has 2 dimension(s)", "'ijk' name 3")),
    Case("einsum/diagonal", lambda: tinydl.einsum("ii->i", ones(3, 3)), ValueError,
         ("repeats 'i'", "diagonal", "does not offer")),
    Case("einsum/sizes", lambda: tinydl.einsum("ij,jk->ik", x23(), x23()), ValueError,
         ("'j' has size 3 in operand 0 and 2 in operand 1",)),
    Case("einsum/ellipsis-sizes",
         lambda: tinydl.einsum("...i,...i->...", ones(2, 3), ones(4, 3)), ValueError,
         ("an axis of '...' has size 2 in operand 0 and 4 in operand 1",)),
    Case("einsum/dtypes", lambda: tinydl.einsum("ij,kj->ik", x23(), x23().double()),
         TypeError, ("einsum()", "one dtype", "float32, float64")),
    Case("einsum/unknown-output", lambda: tinydl.einsum("ij->iz", x23()), ValueError,
         ("output's letters", "appear among the operands'")),
    Case("einsum/list-operand", lambda: tinydl.einsum("i->i", [1.0]), TypeError,
         ("einsum()", "tensors after the equation", "float")),
    # ---- pooling ---------------------------------------------------------------------------
    Case("adaptive_avg_pool2d/uneven", lambda: F.adaptive_avg_pool2d(ones(1, 1, 5, 5), 2),
         ValueError, ("(2, 2) must divide the input's (5, 5)", "not offered")),
    Case("adaptive_avg_pool2d/2d", lambda: F.adaptive_avg_pool2d(x23(), 1), ValueError,
         ("(n, c, h, w) or (c, h, w)", "(2, 3)")),
    Case("adaptive_avg_pool2d/array", lambda: F.adaptive_avg_pool2d(np.ones((1, 1, 2, 2)), 1),
         TypeError, ("adaptive_avg_pool2d()", "x must be a tensor", "ndarray")),
    Case("AdaptiveAvgPool2d/zero", lambda: nn.AdaptiveAvgPool2d(0), ValueError,
         ("AdaptiveAvgPool2d", "output_size", "got 0")),
    Case("AdaptiveAvgPool2d/three", lambda: nn.AdaptiveAvgPool2d((1, 1, 1)), ValueError,
         ("output_size", "(1, 1, 1)")),
    # ---- legacy constructors and in-place forms ------------------------------------------------
    Case("FloatTensor/number", lambda: tinydl.FloatTensor(2.5), TypeError,
         ("FloatTensor()", "sizes (ints) or a sequence of data", "float")),
    Case("FloatTensor/long-tensor", lambda: tinydl.FloatTensor(T([1, 2])), TypeError,
         ("FloatTensor()", "dtype int64", "x.to(tinydl.float32)")),
    Case("LongTensor/negative-size", lambda: tinydl.LongTensor(-1), ValueError,
         ("LongTensor()", "size must be an integer >= 0", "-1")),
    Case("LongTensor/two-lists", lambda: tinydl.LongTensor([1], [2]), TypeError,
         ("LongTensor()", "one sequence of data", "list, list")),
    Case("LongTensor/cuda", lambda: tinydl.LongTensor([1], device="cuda:0"), TypeError,
         ("makes cpu tensors", "tinydl.tensor(data, dtype=tinydl.int64, device='cuda:0')")),
    Case("LongTensor/strings", lambda: tinydl.LongTensor(["a"]), TypeError,
         ("strings", "numbers or booleans")),
    Case("unsqueeze_/leaf", lambda: T([1.0], requires_grad=True).unsqueeze_(0), RuntimeError,
         ("unsqueeze_()", "leaf that requires grad", "no_grad()")),
    Case("squeeze_/graph", lambda: (T([1.0], requires_grad=True) * 2).squeeze_(), RuntimeError,
         ("squeeze_()", "x = x.squeeze(dim)")),
    Case("unsqueeze_/dim", lambda: T([1.0]).unsqueeze_(5), IndexError,
         ("unsqueeze()", "got 5")),
    Case("grad/float", lambda: setattr(T([1.0], requires_grad=True), "grad", 0.0), TypeError,
         ("grad must be none or a tensor of its shape (1,)", "float 0.0", "x.grad = none")),
    Case("grad/shape", lambda: setattr(T([1.0, 2.0], requires_grad=True), "grad", T([1.0])),
         TypeError, ("shape (2,)", "a tensor of shape (1,)")),
    Case("grad/array", lambda: setattr(T([1.0], requires_grad=True), "grad", np.ones(1)),
         TypeError, ("grad must be none or a tensor", "ndarray")),
    # ---- PyTorch-style autograd.Function -----------------------------------------------------
    Case("Function/tuple-output",
         lambda: custom(lambda ctx, a: (a, a), lambda ctx, g: g).apply(T([1.0])), TypeError,
         ("custom.forward must return a tensor", "tuple", "one function per output")),
    Case("Function/number-output",
         lambda: custom(lambda ctx, a: 3.0, lambda ctx, g: g).apply(T([1.0])), TypeError,
         ("custom.forward must return a tensor", "float")),
    Case("Function/gradient-count",
         lambda: through(lambda ctx, a, k: a * k, lambda ctx, g: g, 2), RuntimeError,
         ("custom.backward returned 1 gradient(s)", "took 2 argument(s)")),
    Case("Function/gradient-for-a-number",
         lambda: through(lambda ctx, a, k: a * k, lambda ctx, g: (g, g), 2), RuntimeError,
         ("gradient at position 1", "int, not a tensor", "return none there")),
    Case("Function/gradient-shape",
         lambda: through(lambda ctx, a: a * 2, lambda ctx, g: T([1.0, 2.0, 3.0])), ValueError,
         ("gradient of shape (3,) at position 0", "input of shape (2,)")),
    Case("Function/gradient-array",
         lambda: through(lambda ctx, a: a * 2, lambda ctx, g: np.ones(2)), TypeError,
         ("must return tensors (or none)", "ndarray")),
    Case("Function/save-a-number",
         lambda: custom(lambda ctx, a: ctx.save_for_backward(3) or a,
                        lambda ctx, g: g).apply(T([1.0])), TypeError,
         ("save_for_backward()", "int at position 0", "ctx.name = value")),
    Case("Function/instance-call",
         lambda: custom(lambda ctx, a: a, lambda ctx, g: g)()(T([1.0])), RuntimeError,
         ("static forward(ctx, ...)", "custom.apply(...)")),
    Case("Function/own-op-with-arguments",
         lambda: tinydl.ops.elementwise.Triangle.apply(T([[1.0]])), TypeError,
         ("triangle.apply()", "needs upper, diagonal", "triangle(upper, diagonal)(*tensors)")),
    # ---- Generator, samplers, DataLoader --------------------------------------------------------
    Case("Generator/cuda", lambda: tinydl.Generator(device="cuda"), ValueError,
         ("generator(device='cuda')", "on the host", "'cpu'")),
    Case("Generator/negative-seed", lambda: tinydl.Generator().manual_seed(-1), ValueError,
         ("generator.manual_seed()", "seed must be an integer >= 0", "-1")),
    Case("Generator/string-seed", lambda: tinydl.Generator().manual_seed("1"), TypeError,
         ("generator.manual_seed()", "'1'")),
    Case("randperm/numpy-generator",
         lambda: tinydl.randperm(3, generator=np.random.default_rng()), TypeError,
         ("randperm()", "generator must be a tinydl.generator", "got generator")),
    Case("rand/int-generator", lambda: tinydl.rand(3, generator=1), TypeError,
         ("rand()", "generator must be a tinydl.generator", "int")),
    Case("RandomSampler/no-length", lambda: data.RandomSampler(iter([1])), tinydl.TinyDLError,
         ("randomsampler", "data_source must have a length", "list_iterator")),
    Case("RandomSampler/replacement", lambda: data.RandomSampler([1, 2], replacement=1),
         tinydl.TinyDLError, ("randomsampler", "replacement must be true or false", "1")),
    Case("RandomSampler/num_samples", lambda: data.RandomSampler([1, 2], num_samples=0),
         tinydl.TinyDLError, ("num_samples must be a positive integer", "got 0")),
    Case("RandomSampler/empty", lambda: data.RandomSampler([]), tinydl.TinyDLError,
         ("randomsampler", "empty")),
    Case("RandomSampler/generator", lambda: data.RandomSampler([1], generator=3), TypeError,
         ("randomsampler", "generator must be a tinydl.generator", "int")),
    Case("SequentialSampler/no-length", lambda: data.SequentialSampler(5), tinydl.TinyDLError,
         ("sequentialsampler", "must have a length", "int")),
    Case("SubsetRandomSampler/floats", lambda: data.SubsetRandomSampler([0.5, 1.0]),
         tinydl.TinyDLError, ("subsetrandomsampler", "1-d sequence of integers")),
    Case("SubsetRandomSampler/2d", lambda: data.SubsetRandomSampler([[1, 2]]),
         tinydl.TinyDLError, ("1-d sequence of integers", "shape (1, 2)")),
    Case("WeightedRandomSampler/negative", lambda: data.WeightedRandomSampler([1.0, -1.0], 2),
         tinydl.TinyDLError, ("weightedrandomsampler", "finite numbers >= 0", "positive sum")),
    Case("WeightedRandomSampler/too-many",
         lambda: data.WeightedRandomSampler([1.0, 0.0], 2, replacement=False),
         tinydl.TinyDLError, ("without replacement", "num_samples (2)", "nonzero weights (1)")),
    Case("BatchSampler/zero", lambda: data.BatchSampler(range(3), 0, False), tinydl.TinyDLError,
         ("batchsampler", "batch_size must be a positive integer", "0")),
    Case("BatchSampler/drop_last", lambda: data.BatchSampler(range(3), 2, "no"),
         tinydl.TinyDLError, ("drop_last must be true or false", "'no'")),
    Case("DataLoader/sampler-and-shuffle",
         lambda: data.DataLoader(dataset(), sampler=[0], shuffle=True), tinydl.TinyDLError,
         ("sampler gives the order", "shuffle=true", "randomsampler")),
    Case("DataLoader/batch_sampler-and-batch_size",
         lambda: data.DataLoader(dataset(), batch_sampler=[[0]], batch_size=2),
         tinydl.TinyDLError, ("batch_sampler gives whole batches", "left unset")),
    Case("DataLoader/batch_sampler-and-drop_last",
         lambda: data.DataLoader(dataset(), batch_sampler=[[0]], drop_last=True),
         tinydl.TinyDLError, ("batch_sampler", "drop_last")),
    Case("DataLoader/generator-and-seed",
         lambda: data.DataLoader(dataset(), generator=tinydl.Generator(), seed=1),
         tinydl.TinyDLError, ("seed or generator, not both",)),
    Case("DataLoader/numpy-generator",
         lambda: data.DataLoader(dataset(), generator=np.random.default_rng()),
         tinydl.TinyDLError, ("generator must be a tinydl.generator",)),
    Case("DataLoader/sampler-number", lambda: data.DataLoader(dataset(), sampler=3),
         tinydl.TinyDLError, ("sampler must be an iterable of indices", "int")),
    Case("DataLoader/sampler-out-of-range",
         lambda: list(data.DataLoader(dataset(), sampler=[5])), tinydl.TinyDLError,
         ("index 5", "3 samples")),
    Case("DataLoader/sampler-floats", lambda: list(data.DataLoader(dataset(), sampler=[0.5])),
         tinydl.TinyDLError, ("integer indices", "[0.5]")),
    # ---- import-time modules -------------------------------------------------------------------
    Case("safe_globals/number", lambda: tinydl.serialization.safe_globals(5).__enter__(),
         TypeError, ("safe_globals()", "a list of classes or functions", "int")),
    Case("add_safe_globals/number", lambda: tinydl.serialization.add_safe_globals(5),
         TypeError, ("add_safe_globals()", "int")),
    Case("onnx/export", lambda: tinydl.onnx.export(nn.Linear(1, 1), (ones(1, 1),), "m.onnx"),
         NotImplementedError, ("no onnx exporter", "state_dict()")),
    Case("distributed/get_world_size", tinydl.distributed.get_world_size, RuntimeError,
         ("get_world_size()", "has not been initialised", "init_process_group()")),
    # ---- Conv2d and ConvTranspose2d ------------------------------------------------------------
    Case("Conv2d/dilation", lambda: nn.Conv2d(1, 2, 3, dilation=2), ValueError,
         ("conv2d", "dilation must be 1", "got 2")),
    Case("Conv2d/groups", lambda: nn.Conv2d(2, 2, 3, groups=2), ValueError,
         ("conv2d", "groups must be 1", "got 2")),
    Case("Conv2d/padding_mode", lambda: nn.Conv2d(1, 2, 3, padding_mode="reflect"),
         ValueError, ("padding_mode must be 'zeros'", "'reflect'")),
    Case("Conv2d/same-with-stride", lambda: nn.Conv2d(1, 2, 3, stride=2, padding="same"),
         ValueError, ("padding='same' needs stride 1", "stride=2")),
    Case("Conv2d/same-even-kernel", lambda: nn.Conv2d(1, 2, 4, padding="same"), ValueError,
         ("padding='same' needs an odd kernel_size", "got 4")),
    Case("Conv2d/padding-word", lambda: nn.Conv2d(1, 2, 3, padding="full"), ValueError,
         ("padding must be 'valid' or 'same'", "'full'")),
    Case("Conv2d/integer-dtype", lambda: nn.Conv2d(1, 2, 3, dtype=tinydl.int64), TypeError,
         ("Conv2d: dtype must be float32 or float64", "got int64")),
    Case("ConvTranspose2d/groups", lambda: nn.ConvTranspose2d(2, 2, 3, groups=2), ValueError,
         ("convtranspose2d", "groups must be 1")),
    Case("ConvTranspose2d/dilation", lambda: nn.ConvTranspose2d(2, 2, 3, dilation=(1, 2)),
         ValueError, ("convtranspose2d", "dilation must be 1", "(1, 2)")),
    # ---- torchvision's ResNets -------------------------------------------------------------
    Case("resnet18/weights", lambda: tinydl.vision.models.resnet18(weights="DEFAULT"),
         ValueError, ("weights='default'", "downloads no pretrained weights", "strict=false")),
    Case("resnet34/groups", lambda: tinydl.vision.models.resnet34(groups=2), TypeError,
         ("resnet34()", "'groups'", "num_classes, zero_init_residual and norm_layer")),
    Case("resnet18/num_classes", lambda: tinydl.vision.models.resnet18(num_classes=0),
         ValueError, ("num_classes must be a positive integer", "0")),
]


@pytest.mark.parametrize("case", params(CASES))
def test_bad_input_gets_a_clear_tinydl_error(case: Case) -> None:
    check(case)
