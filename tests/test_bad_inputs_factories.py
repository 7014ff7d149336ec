"""The bad-input table of the tensor factories (``tinydl.zeros``, ``randn``, ``arange``, …).
Format and check: ``tests/bad_input_table.py``.

Accepted as correct behaviour (no error), with the reason:

- ``zeros(0, 3)``, ``linspace(0, 1, 0)``, ``eye(0)``, ``randperm(0)``, ``arange(4, 4)``:
  empty tensors, as in PyTorch.
- ``full(3, 1.0)``, ``randint(0, 10, 5)``: one int as the size; PyTorch insists on a
  tuple, tinydl reads it as (3,) and (5,).
- ``full_like(int_tensor, 2.7)``: the fill is cut to the tensor's int dtype, as in PyTorch.
"""

from __future__ import annotations

import numpy as np
import pytest
from bad_input_table import Case, check, params

import tinydl

VARARGS = ("zeros", "ones", "empty", "rand", "randn")
LIKES = ("zeros_like", "ones_like", "rand_like", "randn_like")


def factory(name: str):
    return getattr(tinydl, name)


CASES = [
    # ---- sizes, for each factory that takes them as varargs ----
    *[case for name in VARARGS for case in (
        Case(f"{name}/negative", lambda n=name: factory(n)(2, -1), ValueError,
             (f"{name}(): size must be >= 0", "got (2, -1)")),
        Case(f"{name}/float", lambda n=name: factory(n)(2.5), TypeError,
             (f"{name}(): size must be ints", f"{name}(2, 3)", f"{name}((2, 3))",
              "got 2.5 (float)")),
        Case(f"{name}/string", lambda n=name: factory(n)("3"), TypeError,
             (f"{name}(): size must be ints", "got '3' (str)")),
        Case(f"{name}/mixed", lambda n=name: factory(n)(2, (3,)), TypeError,
             (f"{name}(): give the size either separate", "not both", "got (2, (3,))")),
        Case(f"{name}/none", lambda n=name: factory(n)(), TypeError,
             (f"{name}() needs a size",)),
        Case(f"{name}/dtype", lambda n=name: factory(n)(2, dtype="flaot32"), TypeError,
             (f"{name}(): dtype 'flaot32' is not a data type", "'float32'")),
    )],
    Case("zeros/bool-size", lambda: tinydl.zeros(True), TypeError,
         ("size must be ints", "got True (bool)")),
    Case("zeros/float-in-tuple", lambda: tinydl.zeros((2, 3.0)), TypeError,
         ("size must be ints", "got 3.0 (float)")),
    Case("zeros/negative-in-tuple", lambda: tinydl.zeros((2, -3)), ValueError,
         ("size must be >= 0", "got (2, -3)")),
    Case("zeros/string-dtype", lambda: tinydl.zeros(2, dtype="str"), TypeError,
         ("zeros(): dtype 'str' holds no numbers",)),
    Case("zeros/device", lambda: tinydl.zeros(2, device="gpu"), tinydl.DeviceError,
         ("unknown device 'gpu'", "'cpu', 'cuda'")),
    Case("full/size-float", lambda: tinydl.full((2.5,), 1.0), TypeError,
         ("full(): size must be ints", "got 2.5 (float)")),
    Case("full/size-negative", lambda: tinydl.full((-2,), 1.0), ValueError,
         ("full(): size must be >= 0", "got (-2,)")),
    Case("full/fill-string", lambda: tinydl.full((2,), "1"), TypeError,
         ("full(): fill_value must be a number or a bool", "got str")),
    Case("full/fill-tensor", lambda: tinydl.full((2,), tinydl.tensor(1.0)), TypeError,
         ("fill_value must be a number", "got Tensor", "x.item()")),
    Case("full/fill-overflow", lambda: tinydl.full((2,), 300, dtype="uint8"), ValueError,
         ("full(): dtype uint8 holds 0 to 255", "the value is 300")),
    Case("full_like/fill-negative-unsigned",
         lambda: tinydl.full_like(tinydl.tensor(np.zeros(2, np.uint8)), -1), ValueError,
         ("full_like(): dtype uint8 holds 0 to 255", "the value is -1")),
    Case("full/fill-list", lambda: tinydl.full((2,), [1, 2]), TypeError,
         ("fill_value must be a number", "got list")),
    # ---- requires_grad on a dtype without gradients ----
    *[Case(f"{name}/requires-grad-int", call, TypeError,
           (f"{name}(requires_grad=True)", "only floating-point tensors can require grad",
            f"got dtype {dtype}")) for name, call, dtype in (
        ("zeros", lambda: tinydl.zeros(2, dtype="int64", requires_grad=True), "int64"),
        ("ones", lambda: tinydl.ones(2, dtype="bool", requires_grad=True), "bool"),
        ("full", lambda: tinydl.full((2,), 3, requires_grad=True), "int64"),
        ("arange", lambda: tinydl.arange(5, requires_grad=True), "int64"),
        ("randint", lambda: tinydl.randint(5, (2,), requires_grad=True), "int64"),
        ("randperm", lambda: tinydl.randperm(5, requires_grad=True), "int64"),
        ("eye", lambda: tinydl.eye(2, dtype="int32", requires_grad=True), "int32"),
        ("linspace", lambda: tinydl.linspace(0, 9, 4, dtype="int64", requires_grad=True),
         "int64"),
        ("zeros_like", lambda: tinydl.zeros_like(tinydl.tensor([1, 2]), requires_grad=True),
         "int64"),
    )],
    # ---- random draws ----
    Case("randn/int-dtype", lambda: tinydl.randn(2, dtype="int64"), TypeError,
         ("randn() draws floating-point numbers", "float32", "got int64")),
    Case("rand/int-dtype", lambda: tinydl.rand(2, dtype="int32"), TypeError,
         ("rand() draws floating-point numbers", "got int32")),
    Case("randn_like/int-input", lambda: tinydl.randn_like(tinydl.tensor([1, 2])), TypeError,
         ("randn_like() draws floating-point numbers", "got int64")),
    Case("rand_like/bool-input", lambda: tinydl.rand_like(tinydl.tensor([True])), TypeError,
         ("rand_like() draws floating-point numbers", "got bool")),
    Case("randint/low-equals-high", lambda: tinydl.randint(5, 5, (3,)), ValueError,
         ("randint(): low must be below high", "low=5, high=5")),
    Case("randint/low-above-high", lambda: tinydl.randint(6, 5, (3,)), ValueError,
         ("low must be below high", "low=6, high=5")),
    Case("randint/high-0", lambda: tinydl.randint(0, (3,)), ValueError,
         ("low must be below high", "low=0, high=0")),
    Case("randint/no-size", lambda: tinydl.randint(3, 10), TypeError,
         ("randint() needs a size", "randint(low, high, (n,))")),
    Case("randint/only-size", lambda: tinydl.randint(size=(3,)), TypeError,
         ("randint(): high must be an int", "got None")),
    Case("randint/float-size", lambda: tinydl.randint(3, 10, (2.0,)), TypeError,
         ("randint(): size must be ints, in a tuple such as (2, 3)", "got 2.0 (float)")),
    Case("randint/float-high", lambda: tinydl.randint(0, 2.5, (3,)), TypeError,
         ("randint(): high must be an int", "got 2.5")),
    Case("randint/float-low", lambda: tinydl.randint(0.5, 10, (3,)), TypeError,
         ("randint(): low must be an int", "got 0.5")),
    Case("randint/negative-size", lambda: tinydl.randint(10, (-1,)), ValueError,
         ("randint(): size must be >= 0", "got (-1,)")),
    Case("randint/uint8-overflow", lambda: tinydl.randint(300, (2,), dtype="uint8"), ValueError,
         ("randint(): dtype uint8 holds 0 to 255", "from 0 to 299", "'int64'")),
    Case("randint/bool", lambda: tinydl.randint(0, 10, (2,), dtype="bool"), ValueError,
         ("dtype bool holds 0 to 1", "from 0 to 9")),
    Case("randperm/negative", lambda: tinydl.randperm(-1), ValueError,
         ("randperm()", "n must be an integer >= 0", "got -1")),
    Case("randperm/float", lambda: tinydl.randperm(2.5), TypeError,
         ("randperm()", "n must be an integer >= 0", "got 2.5")),
    Case("randperm/int8-overflow", lambda: tinydl.randperm(200, dtype="int8"), ValueError,
         ("randperm(): dtype int8 holds -128 to 127", "from 0 to 199")),
    # ---- arange, linspace, eye ----
    Case("arange/step-0", lambda: tinydl.arange(0, 10, 0), ValueError,
         ("arange(): step must not be 0",)),
    Case("arange/float-step-0", lambda: tinydl.arange(0.0, 1.0, 0.0), ValueError,
         ("arange(): step must not be 0",)),
    Case("arange/wrong-direction", lambda: tinydl.arange(0, -5), ValueError,
         ("arange(): from start=0 a step of 1 never reaches end=-5", "negative step")),
    Case("arange/wrong-direction-down", lambda: tinydl.arange(0, 5, -1), ValueError,
         ("never reaches end=5", "positive step")),
    Case("arange/string", lambda: tinydl.arange("5"), TypeError,
         ("arange()", "end must be a finite number", "got '5'")),
    Case("arange/string-step", lambda: tinydl.arange(0, 5, "1"), TypeError,
         ("arange()", "step must be a finite number", "got '1'")),
    Case("arange/infinite", lambda: tinydl.arange(0, float("inf")), ValueError,
         ("arange()", "end must be a finite number", "got inf")),
    Case("arange/nan", lambda: tinydl.arange(0, 1, float("nan")), ValueError,
         ("arange()", "step must be a finite number", "got nan")),
    Case("linspace/negative-steps", lambda: tinydl.linspace(0, 1, -1), ValueError,
         ("linspace()", "steps must be an integer >= 0", "got -1")),
    Case("linspace/float-steps", lambda: tinydl.linspace(0, 1, 2.5), TypeError,
         ("linspace()", "steps must be an integer >= 0", "got 2.5")),
    Case("linspace/list-start", lambda: tinydl.linspace([0], 1, 3), TypeError,
         ("linspace()", "start must be a finite number", "got [0]")),
    Case("eye/negative", lambda: tinydl.eye(-1), ValueError,
         ("eye()", "n must be an integer >= 0", "got -1")),
    Case("eye/negative-m", lambda: tinydl.eye(2, -1), ValueError,
         ("eye()", "m must be an integer >= 0", "got -1")),
    Case("eye/float", lambda: tinydl.eye(2.5), TypeError,
         ("eye()", "n must be an integer >= 0", "got 2.5")),
    Case("eye/tuple", lambda: tinydl.eye((2, 3)), TypeError,
         ("eye()", "n must be an integer >= 0", "got (2, 3)")),
    # ---- *_like ----
    *[Case(f"{name}/array", lambda n=name: factory(n)(np.ones(2)), TypeError,
           (f"{name}() takes a Tensor as input", "got ndarray",
            f"tinydl.{name.removesuffix('_like')}(shape)")) for name in LIKES],
    Case("zeros_like/list", lambda: tinydl.zeros_like([1, 2]), TypeError,
         ("zeros_like() takes a Tensor as input", "got list")),
    Case("full_like/array", lambda: tinydl.full_like(np.ones(2), 1.0), TypeError,
         ("full_like() takes a Tensor as input", "got ndarray", "tinydl.full(shape)")),
    Case("full_like/fill-string", lambda: tinydl.full_like(tinydl.ones(2), "x"), TypeError,
         ("full_like(): fill_value must be a number or a bool", "got str")),
    Case("ones_like/dtype", lambda: tinydl.ones_like(tinydl.ones(2), dtype="half-float"),
         TypeError, ("ones_like(): dtype 'half-float' is not a data type",)),
]


@pytest.mark.parametrize("case", params(CASES))
def test_bad_input_gets_a_clear_tinydl_error(case: Case) -> None:
    check(case)


def test_a_refused_random_call_does_not_move_the_generator() -> None:
    tinydl.manual_seed(3)
    expected = tinydl.randn(4).numpy()
    tinydl.manual_seed(3)
    for refused in (lambda: tinydl.randint(5, 5, (3,)), lambda: tinydl.randn(2, dtype="int64"),
                    lambda: tinydl.randperm(5, requires_grad=True)):
        with pytest.raises((TypeError, ValueError)):
            refused()
    np.testing.assert_array_equal(tinydl.randn(4).numpy(), expected)
