"""The bad-input table of PyTorch's Tensor- and function-level surface (issue 21): the
device probes and switches, ``to()`` and the casts, mixed precision, the new functions and
Tensor methods, the Python protocols and the graph view. Format and check:
``tests/bad_input_table.py``.

Accepted as correct behaviour (no error), with the reason:

- ``x.squeeze(1)`` where axis 1 is not of length 1: the tensor is returned unchanged, as
  PyTorch documents.
- ``x.chunk(4)`` of 6 rows: 3 chunks of 2, fewer than asked, as PyTorch returns.
- ``tinydl.cuda.manual_seed(s)``: accepted; tinydl.manual_seed seeds every device.
- ``tinydl.amp.autocast("cuda", dtype=tinydl.bfloat16)``: accepted, as autocast never
  makes a tensor (tinydl never changes precision).
- ``x.to(device, non_blocking=True)``, ``x.pin_memory()``: accepted, nothing to do.
"""

from __future__ import annotations

import numpy as np
import pytest
from bad_input_table import Case, check, params

import tinydl
from tinydl import nn

T = tinydl.tensor


def x23() -> tinydl.Tensor:
    return T(np.arange(6.0).reshape(2, 3))


def graph() -> tinydl.Tensor:
    return T([1.0, 2.0], requires_grad=True) * 2


def used_graph() -> tinydl.Tensor:
    y = graph().sum()
    y.backward()
    return y


NO_GPU = not tinydl.cuda.is_available()

CASES = [
    # ---- transpose, permute and the axis-count changers ------------------------------------
    Case("transpose/three-dims", lambda: tinydl.zeros(2, 3, 4).transpose(1, 0, 2), TypeError,
         ("transpose(1, 0, 2)", "swaps two axes", "permute(1, 0, 2)")),
    Case("transpose/none", lambda: x23().transpose(), TypeError,
         ("transpose()", "permute", ".T")),
    Case("transpose/tuple", lambda: tinydl.transpose(x23(), (1, 0)), TypeError,
         ("transpose((1, 0))", "permute")),
    Case("transpose/out-of-range", lambda: x23().transpose(0, 2), ValueError,
         ("transpose()", "dim must be an integer from -2 to 1", "got 2")),
    Case("t/3d", lambda: tinydl.zeros(2, 3, 4).t(), ValueError,
         ("t()", "at most 2 dimensions", "(2, 3, 4)", "transpose(dim0, dim1)")),
    Case("permute/short", lambda: tinydl.zeros(2, 3, 4).permute(1, 0), ValueError,
         ("permute(1, 0)", "each of the 3 axes", "once")),
    Case("permute/float", lambda: x23().permute(1.0, 0), ValueError, ("permute(1.0, 0)",)),
    Case("squeeze/out-of-range", lambda: x23().squeeze(2), ValueError,
         ("squeeze()", "from -2 to 1", "got 2")),
    Case("unsqueeze/out-of-range", lambda: x23().unsqueeze(4), ValueError,
         ("unsqueeze()", "from -3 to 2", "got 4")),
    Case("unsqueeze/float", lambda: x23().unsqueeze(1.0), ValueError,
         ("unsqueeze()", "got 1.0")),
    # ---- pieces --------------------------------------------------------------------------
    Case("split/sections-sum", lambda: x23().split([1, 1], dim=1), ValueError,
         ("split()", "[1, 1] add up to 2", "axis 1", "length 3")),
    Case("split/zero-size", lambda: x23().split(0), ValueError,
         ("split()", "positive int", "got 0")),
    Case("split/string", lambda: tinydl.split(x23(), "2"), TypeError,
         ("split()", "int size or a list", "'2'")),
    Case("split/negative-section", lambda: x23().split([4, -1], 1), TypeError,
         ("split()", "lengths >= 0",)),
    Case("chunk/zero", lambda: x23().chunk(0), ValueError,
         ("chunk()", "chunks must be a positive integer", "got 0")),
    Case("narrow/too-long", lambda: x23().narrow(1, 2, 2), IndexError,
         ("narrow(dim=1, start=2, length=2)", "length 3")),
    Case("narrow/float-start", lambda: x23().narrow(1, 0.5, 1), TypeError,
         ("narrow()", "start must be an integer", "got 0.5")),
    # ---- copies and views ----------------------------------------------------------------
    Case("expand/not-one", lambda: x23().expand(4, 3), ValueError,
         ("expand(4, 3)", "axis 0", "length 2", "only axes of length 1")),
    Case("expand/too-few", lambda: x23().expand(3), ValueError,
         ("expand(3,)", "at least 2 integer sizes")),
    Case("expand/minus-one-new-axis", lambda: x23().expand(-1, 2, 3), ValueError,
         ("expand", "-1 is allowed only for existing axes")),
    Case("repeat/too-few", lambda: x23().repeat(2), ValueError,
         ("repeat(2,)", "one count >= 0 per axis", "at least 2")),
    Case("repeat/negative", lambda: x23().repeat(2, -1), ValueError, ("repeat(2, -1)",)),
    # ---- picking -------------------------------------------------------------------------
    Case("gather/float-index", lambda: x23().gather(1, T([[0.0], [1.0]])), TypeError,
         ("gather()", "integer tensor", "float")),
    Case("gather/list-index", lambda: x23().gather(1, [[0], [1]]), TypeError,
         ("gather()", "integer tensor", "list")),
    Case("gather/ndim", lambda: x23().gather(1, T([0, 1])), ValueError,
         ("gather(dim=1)", "index of shape (2,)", "2 axes")),
    Case("gather/larger-index", lambda: x23().gather(1, T([[0], [1], [0]])), ValueError,
         ("gather(dim=1)", "no longer than x's")),
    Case("gather/out-of-range", lambda: x23().gather(1, T([[3], [0]])), IndexError,
         ("gather(dim=1)", "0 to 2", "got 0 to 3")),
    Case("gather/device", lambda: x23().to("fake").gather(1, T([[0], [1]])), tinydl.DeviceError,
         ("gather()", "index is on cpu but x on fake", ".to('fake')")),
    Case("topk/k-too-large", lambda: x23().topk(4), ValueError,
         ("topk()", "k must be an integer from 0 to 3", "got 4")),
    Case("topk/dim", lambda: tinydl.topk(x23(), 1, dim=3), ValueError,
         ("topk()", "dim must be an int", "got 3")),
    Case("sort/dim", lambda: x23().sort(dim=-3), ValueError, ("sort()", "got -3")),
    Case("tril/1d", lambda: tinydl.tril(T([1.0, 2.0])), ValueError,
         ("tril()", "x must be a Tensor of shape (..., rows, columns)", "got shape (2,)")),
    Case("triu/float-diagonal", lambda: x23().triu(0.5), TypeError,
         ("triu()", "diagonal", "0.5")),
    Case("masked_fill/int-mask", lambda: x23().masked_fill(T([[1, 0, 1], [0, 0, 0]]), 0.0),
         TypeError, ("masked_fill()", "boolean mask", "int64", "mask == 0")),
    Case("masked_fill/shape", lambda: x23().masked_fill(T([True, False]), 0.0), ValueError,
         ("masked_fill()", "(2,)", "does not broadcast", "(2, 3)")),
    Case("masked_fill/bigger-mask", lambda: x23().masked_fill(T(np.ones((4, 2, 3), bool)), 0.0),
         ValueError, ("masked_fill()", "(4, 2, 3)", "(2, 3)")),
    Case("masked_fill/tensor-value", lambda: x23().masked_fill(x23() > 1, T([1.0, 2.0])),
         ValueError, ("masked_fill()", "one value", "(2,)")),
    Case("masked_fill/not-tensor", lambda: tinydl.masked_fill([1.0], T([True]), 0.0),
         TypeError, ("masked_fill()", "tensor", "list")),
    # ---- element-wise and reductions -----------------------------------------------------
    Case("clamp/min-above-max", lambda: x23().clamp(2, 1), ValueError,
         ("clamp()", "min <= max", "min=2", "max=1")),
    Case("clamp/tensor-bound", lambda: tinydl.clamp(x23(), min=T(0.0)), TypeError,
         ("clamp()", "min", "number or none")),
    Case("clamp_/graph", lambda: T([1.0], requires_grad=True).clamp_(0.0, 1.0), RuntimeError,
         ("clamp_()", "cannot change a tensor in place", "no_grad")),
    Case("setitem/graph", lambda: graph().__setitem__(0, 1.0), RuntimeError,
         ("x[index] = value", "records no in-place operations", "x.masked_fill(mask, value)")),
    Case("setitem/value-in-graph", lambda: tinydl.zeros(2).__setitem__(0, graph()[0]),
         RuntimeError, ("x[index] = value", "tinydl.where(mask, value, x)")),
    Case("setitem/parameter", lambda: nn.Linear(2, 2).weight.__setitem__(0, 1.0),
         RuntimeError, ("x[index] = value", "leaf that requires grad", "no_grad", ".data")),
    Case("masked_fill_/graph", lambda: graph().masked_fill_(T([True, False]), 0.0),
         RuntimeError, ("masked_fill_()", "records no in-place operations")),
    Case("uniform_/int", lambda: T([1, 2]).uniform_(), TypeError,
         ("rand()", "float dtype", "int64")),
    Case("pow/list-exponent", lambda: x23().pow([1, 2, 3]), TypeError,
         ("exponent", "got list")),
    Case("min/dim-float", lambda: x23().min(1.5), TypeError, ("min()", "dim", "1.5")),
    Case("min/empty", lambda: tinydl.zeros(0).min(), ValueError, ("min()", "empty")),
    Case("argmin/dim-string", lambda: tinydl.argmin(x23(), "1"), TypeError,
         ("argmin()", "dim", "'1'")),
    Case("var/unbiased-and-correction", lambda: x23().var(1, True, correction=0), TypeError,
         ("var()", "unbiased=", "correction=")),
    Case("norm/p", lambda: x23().norm(3), ValueError, ("norm()", "p=2", "p=1", "p=3")),
    Case("cumsum/float-dim", lambda: x23().cumsum(0.5), TypeError, ("cumsum()", "0.5")),
    Case("cumsum/dim", lambda: tinydl.cumsum(x23(), 2), ValueError,
         ("cumsum()", "dim must be an integer from -2 to 1", "got 2")),
    Case("floordiv/graph", lambda: graph() // 2, RuntimeError,
         ("a // b is not differentiable", "detach", "no_grad")),
    Case("mod/graph", lambda: 5 % graph(), RuntimeError, ("a % b is not differentiable",)),
    Case("floordiv/string", lambda: x23() // "2", TypeError, ("unsupported operand", "str")),
    # ---- products and joins --------------------------------------------------------------
    Case("mm/3d", lambda: tinydl.mm(tinydl.zeros(2, 2, 2), tinydl.zeros(2, 2)), ValueError,
         ("mm()", "a must be a Tensor of shape (n, m)", "got shape (2, 2, 2)")),
    Case("bmm/batch", lambda: tinydl.bmm(tinydl.zeros(2, 2, 3), tinydl.zeros(3, 3, 2)),
         ValueError, ("bmm()", "one batch size", "(2, 2, 3)", "(3, 3, 2)")),
    Case("bmm/2d", lambda: x23().bmm(x23()), ValueError,
         ("bmm()", "a must be a Tensor of shape (B, n, m)", "got shape (2, 3)")),
    Case("cat/dim", lambda: tinydl.cat([x23(), x23()], dim=2), ValueError,
         ("concatenate()", "axis must be an integer from -2 to 1", "got 2")),
    Case("out/shape", lambda: tinydl.matmul(x23(), x23().T, out=tinydl.zeros(3, 3)),
         ValueError, ("matmul()", "out has shape (3, 3)", "(2, 2)")),
    Case("out/not-tensor", lambda: tinydl.add(x23(), 1, out=np.zeros((2, 3))), TypeError,
         ("add()", "out must be a tensor", "ndarray")),
    Case("div/rounding-mode", lambda: tinydl.div(x23(), 2, rounding_mode="trunc"), ValueError,
         ("div()", "rounding_mode", "'floor'", "'trunc'")),
    # ---- new tensors ---------------------------------------------------------------------
    Case("from_numpy/list", lambda: tinydl.from_numpy([1, 2]), TypeError,
         ("from_numpy()", "numpy array", "list", "tinydl.tensor")),
    Case("from_numpy/strings", lambda: tinydl.from_numpy(np.array(["a"])), TypeError,
         ("from_numpy()", "strings")),
    Case("numel/list", lambda: tinydl.numel([1, 2]), TypeError, ("numel()", "list")),
    Case("Tensor/size-form", lambda: tinydl.Tensor(3, 4), TypeError,
         ("requires_grad", "true or false", "got 4", "tinydl.empty(3, 4)")),
    Case("Tensor/int", lambda: tinydl.Tensor(5), TypeError,
         ("Tensor(5)", "uninitialised tensor of n", "tinydl.empty(5)", "tinydl.tensor(5)")),
    Case("bfloat16/tensor", lambda: T([1.0], dtype=tinydl.bfloat16), TypeError,
         ("tensor()", "no bfloat16 tensors", "float32 (the default) or float16")),
    Case("complex32/zeros", lambda: tinydl.zeros(2, dtype=tinydl.complex32), TypeError,
         ("zeros()", "no complex32 tensors", "complex64")),
    Case("qint8/cast", lambda: x23().to(tinydl.qint8), TypeError,
         ("to()", "no qint8 tensors", "does not quantise")),
    Case("new_full/tensor-fill", lambda: x23().new_full((2,), T(1.0)), TypeError,
         ("full()", "fill_value", "x.item()")),
    Case("multinomial/negative", lambda: tinydl.multinomial(T([0.5, -0.1]), 1), ValueError,
         ("multinomial()", "finite and >= 0")),
    Case("multinomial/nan", lambda: tinydl.multinomial(T([0.5, float("nan")]), 1), ValueError,
         ("multinomial()", "nan")),
    Case("multinomial/zero-row", lambda: tinydl.multinomial(T([[0.0, 0.0], [1.0, 1.0]]), 1),
         ValueError, ("multinomial()", "positive total weight")),
    Case("multinomial/too-many", lambda: tinydl.multinomial(T([0.5, 0.5]), 3), ValueError,
         ("multinomial()", "from 1 to 2 without replacement", "got 3")),
    Case("multinomial/not-enough-nonzero", lambda: tinydl.multinomial(T([0.5, 0.0, 0.5]), 3),
         ValueError, ("multinomial()", "without replacement", "nonzero weight")),
    Case("multinomial/3d", lambda: tinydl.multinomial(tinydl.ones(2, 2, 2), 1), ValueError,
         ("multinomial()", "1-D or 2-D", "(2, 2, 2)")),
    Case("multinomial/generator", lambda: tinydl.multinomial(T([1.0]), 1, generator=object()),
         TypeError, ("multinomial()", "generator must be a tinydl.Generator", "object")),
    Case("multinomial/list", lambda: tinydl.multinomial([0.5, 0.5], 1), TypeError,
         ("multinomial()", "input must be a Tensor", "got list")),
    Case("multinomial/float-count", lambda: tinydl.multinomial(T([1.0]), 1.0), TypeError,
         ("multinomial()", "num_samples", "1.0")),
    Case("normal/negative-std", lambda: tinydl.normal(0, -1, (2,)), ValueError,
         ("normal()", "std must be a finite number >= 0", "got -1")),
    Case("normal/no-size", lambda: tinydl.normal(0.0, 1.0), TypeError,
         ("normal()", "needs a size")),
    # ---- to(), casts and devices ---------------------------------------------------------
    Case("to/dtype-string", lambda: x23().to("float32"), TypeError,
         ("to()", "'float32' is read as a device", "tinydl.float32")),
    Case("to/number", lambda: x23().to(1.5), tinydl.DeviceError,
         ("a device is a string", "1.5")),
    Case("to/keyword", lambda: x23().to("cpu", sync=True), TypeError,
         ("to()", "unexpected keyword argument 'sync'")),
    Case("to/three", lambda: x23().to("cpu", tinydl.float64, tinydl.float32), TypeError,
         ("to()", "a device, a dtype, both", "tensor")),
    Case("to/dtype-first", lambda: x23().to(tinydl.float64, "cpu"), TypeError,
         ("to()", "device first")),
    Case("Module.to/int", lambda: nn.Linear(2, 2).to(tinydl.int64), TypeError,
         ("module.to()", "floating-point dtypes only", "int64")),
    Case("Module.to/string-dtype", lambda: nn.Linear(2, 2).to("float64"), TypeError,
         ("module.to()", "read as a device", "tinydl.float64")),
    Case("type/unknown-name", lambda: x23().type("torch.FooTensor"), TypeError,
         ("type('torch.FooTensor')", "not a tensor type")),
    Case("device/index-twice", lambda: tinydl.device("cuda:1", 0), tinydl.DeviceError,
         ("device('cuda:1', 0)", "only a plain 'cuda' takes a separate gpu number")),
    Case("device/negative-index", lambda: tinydl.device("cuda", -1), tinydl.DeviceError,
         ("device('cuda', index)", "index must be an integer >= 0", "got -1")),
    Case("cuda/manual_seed", lambda: tinydl.cuda.manual_seed(-1), ValueError,
         ("tinydl.cuda.manual_seed()", "integer >= 0", "-1")),
    Case("cuda/synchronize-cpu", lambda: tinydl.cuda.synchronize("cpu"), ValueError,
         ("synchronize()", "needs a cuda device", "cpu")),
    *(
        [Case("cuda/current_device", tinydl.cuda.current_device, tinydl.DeviceError,
              ("tinydl.cuda.current_device() needs a cuda gpu",))]
        if NO_GPU else []
    ),
    # ---- mixed precision and compile -----------------------------------------------------
    Case("autocast/device", lambda: tinydl.amp.autocast("gpu"), ValueError,
         ("autocast()", "device_type", "'gpu'")),
    Case("autocast/dtype-string", lambda: tinydl.autocast("cuda", dtype="float16"), TypeError,
         ("autocast()", "dtype", "tinydl.float16", "'float16'")),
    Case("autocast/enabled", lambda: tinydl.cuda.amp.autocast(enabled="yes"), TypeError,
         ("autocast()", "enabled", "'yes'")),
    Case("GradScaler/enabled", lambda: tinydl.amp.GradScaler(enabled=1), TypeError,
         ("gradscaler()", "enabled", "true or false")),
    Case("GradScaler/step", lambda: tinydl.amp.GradScaler().step("adam"), TypeError,
         ("gradscaler.step()", "optimizer", "str")),
    Case("GradScaler/load", lambda: tinydl.amp.GradScaler().load_state_dict([]), TypeError,
         ("load_state_dict()", "dict", "list")),
    Case("compile/number", lambda: tinydl.compile(3), TypeError,
         ("compile()", "model or a function", "int")),
    Case("compile/option", lambda: tinydl.compile(nn.Linear(1, 1), fast=True), TypeError,
         ("compile()", "'fast'")),
    Case("set_grad_enabled/string", lambda: tinydl.set_grad_enabled("no"), TypeError,
         ("set_grad_enabled()", "true or false", "'no'")),
    Case("inference_mode/int", lambda: tinydl.inference_mode(2), TypeError,
         ("inference_mode()", "true or false", "2")),
    # ---- protocols and the graph ---------------------------------------------------------
    Case("index/float", lambda: [1, 2][T(1.0)], TypeError,
         ("only integer tensors of a single element", "float32")),
    Case("index/two-elements", lambda: [1, 2][T([0, 1])], TypeError,
         ("single element", "(2,)")),
    Case("format/vector", lambda: format(T([0.5]), ".2f"), TypeError,
         ("'.2f'", "shape (1,)", "x.item()")),
    Case("iter/0d", lambda: iter(T(1.0)), TypeError, ("iteration over a 0-d tensor",)),
    Case("contains/string", lambda: "a" in x23(), TypeError,
         ("`in`", "number or a tensor", "str")),
    Case("retain_grad/constant", lambda: x23().retain_grad(), RuntimeError,
         ("retain_grad()", "does not require grad")),
    Case("next_functions/freed", lambda: used_graph().grad_fn.next_functions, RuntimeError,
         ("sumbackward.next_functions", "freed by backward()", "retain_graph=True")),
]


@pytest.mark.parametrize("case", params(CASES))
def test_bad_input_gets_a_clear_tinydl_error(case: Case) -> None:
    check(case)
