"""``tinydl.check``: the argument checks every entry point shares. Each returns the value in
its plain Python form, and refuses a bad one with the entry point, the argument, the rule
and what came; a value of the wrong kind raises ``ArgumentTypeError`` (a TypeError and a
ValueError both), one out of range a ValueError, and ``error=`` replaces both."""

from __future__ import annotations

import os
import re

import numpy as np
import pytest

import tinydl
import tinydl.check as check
from tinydl.data import DataError
from tinydl.errors import ArgumentTypeError, AxisError, TinyDLError


def refused(error: type[BaseException], message: str):
    return pytest.raises(error, match="^" + re.escape(message) + "$")


def test_a_wrong_kind_is_a_type_error_and_a_value_error():
    assert issubclass(ArgumentTypeError, TypeError)
    assert issubclass(ArgumentTypeError, ValueError)
    assert issubclass(ArgumentTypeError, TinyDLError)


@pytest.mark.parametrize(("value", "expected"), [(1, 1), (np.int64(7), 7), (10**12, 10**12)])
def test_positive_int_gives_a_python_int(value, expected):
    result = check.positive_int("Conv2D", "kernel_size", value)
    assert result == expected and type(result) is int


@pytest.mark.parametrize(("value", "error", "shown"), [
    (0, ValueError, "0"),
    (-3, ValueError, "-3"),
    (2.0, ArgumentTypeError, "2.0"),
    (True, ArgumentTypeError, "True"),
    ("3", ArgumentTypeError, "'3'"),
    (None, ArgumentTypeError, "None"),
    (np.zeros(100), ArgumentTypeError, "ndarray"),
])
def test_positive_int_refuses(value, error, shown):
    with refused(error, f"Conv2D: kernel_size must be a positive integer, got {shown}"):
        check.positive_int("Conv2D", "kernel_size", value)


def test_non_negative_int():
    assert check.non_negative_int("RandomShift", "max_pixels", 0) == 0
    with refused(ValueError, "RandomShift: max_pixels must be an integer >= 0, got -1"):
        check.non_negative_int("RandomShift", "max_pixels", -1)
    with refused(ArgumentTypeError, "RandomShift: max_pixels must be an integer >= 0, got 1.5"):
        check.non_negative_int("RandomShift", "max_pixels", 1.5)


def test_error_replaces_both_classes():
    for value in (0, "x"):
        with refused(DataError, f"DataLoader: batch_size must be a positive integer, got "
                                f"{value!r}"):
            check.positive_int("DataLoader", "batch_size", value, error=DataError)


def test_int_pair():
    assert check.int_pair("Conv2D", "stride", 2) == (2, 2)
    assert check.int_pair("Conv2D", "stride", [2, np.int32(1)]) == (2, 1)
    assert check.int_pair("Conv2D", "padding", 0, least=0) == (0, 0)
    rule = "Conv2D: stride must be an integer >= 1 or a pair of them, got"
    with refused(ValueError, f"{rule} (1, 0)"):
        check.int_pair("Conv2D", "stride", (1, 0))
    for bad, shown in (((1, 2, 3), "(1, 2, 3)"), ((1.0, 2), "(1.0, 2)"), ("2", "'2'")):
        with refused(ArgumentTypeError, f"{rule} {shown}"):
            check.int_pair("Conv2D", "stride", bad)


def test_shape():
    assert check.shape("LayerNorm", "normalized_shape", 4) == (4,)
    assert check.shape("LayerNorm", "normalized_shape", [2, np.int64(3)]) == (2, 3)
    rule = "LayerNorm: normalized_shape must be a positive integer or a tuple of them, got"
    with refused(ValueError, f"{rule} (2, 0)"):
        check.shape("LayerNorm", "normalized_shape", (2, 0))
    for bad, shown in (((), "()"), ("4", "'4'"), ((2, True), "(2, True)")):
        with refused(ArgumentTypeError, f"{rule} {shown}"):
            check.shape("LayerNorm", "normalized_shape", bad)


@pytest.mark.parametrize(("within", "inside", "outside"), [
    ("[0, 1]", [0, 1, 0.5], [-0.1, 1.1]),
    ("[0, 1)", [0, 0.999], [1, -1e-9]),
    ("(0, 1]", [1, 1e-9], [0, 2]),
    ("(0, 1)", [0.5], [0, 1]),
    ("> 0", [1e-12, 1e30], [0, -1]),
    (">= 0", [0, 3], [-1e-12]),
    ("<= 1", [1, -5], [1.5]),
    ("< 1", [0.99], [1]),
    ("", [-1e30, 0], []),
])
def test_number_reads_the_range(within, inside, outside):
    for value in inside:
        assert check.number("f", "x", value, within) == value
    for value in [*outside, float("inf"), float("nan")]:
        with pytest.raises(ValueError, match="^f: x must "):
            check.number("f", "x", value, within)


def test_number_messages_and_python_floats():
    result = check.number("SGD", "lr", np.float64(0.1), ">= 0")
    assert result == 0.1 and type(result) is float  # never an np.float64 (NEP 50 upcasts)
    with refused(ValueError, "SGD: lr must be a finite number >= 0, got -0.1"):
        check.number("SGD", "lr", -0.1, ">= 0")
    with refused(ArgumentTypeError, "SGD: lr must be a finite number >= 0, got '0.1'"):
        check.number("SGD", "lr", "0.1", ">= 0")
    with refused(ArgumentTypeError, "make_grid: pad_value must be a finite number, got True"):
        check.number("make_grid", "pad_value", True)
    with refused(ValueError, "OneCycleLR: pct_start must lie in [0, 1], got 1.5"):
        check.number("OneCycleLR", "pct_start", 1.5, "[0, 1]")
    with pytest.raises(ValueError, match="cannot read the range 'between 0 and 1'"):
        check.number("f", "x", 0.5, "between 0 and 1")


def test_probability():
    assert check.probability("Dropout", "p", 1) == 1.0
    with refused(ValueError, "attention: dropout_p must be a probability in [0, 1), got 1"):
        check.probability("attention", "dropout_p", 1, "[0, 1)")
    with refused(ArgumentTypeError, "Dropout: p must be a probability in [0, 1], got 'half'"):
        check.probability("Dropout", "p", "half")


def test_flag():
    assert check.flag("ReLU", "inplace", np.True_) is True
    assert check.flag("ReLU", "inplace", False) is False
    for bad, shown in ((1, "1"), ("yes", "'yes'"), (None, "None")):
        with refused(ArgumentTypeError, f"ReLU: inplace must be True or False, got {shown}"):
            check.flag("ReLU", "inplace", bad)


def test_one_of():
    assert check.one_of("ReduceLROnPlateau", "mode", "min", ("min", "max")) == "min"
    assert check.one_of("Grayscale", "channels", np.int64(3), (1, 3)) == 3
    with refused(ValueError, "ReduceLROnPlateau: mode must be 'min' or 'max', got 'lowest'"):
        check.one_of("ReduceLROnPlateau", "mode", "lowest", ("min", "max"))
    with refused(ValueError, "EarlyStopping: mode must be 'auto', 'min' or 'max', got 'up'"):
        check.one_of("EarlyStopping", "mode", "up", iter(["auto", "min", "max"]))
    with refused(ValueError, "Grayscale: channels must be 1 or 3, got True"):
        check.one_of("Grayscale", "channels", True, (1, 3))  # True == 1, but not a channel count
    with refused(ValueError, "f: x must be 'only', got ndarray"):
        check.one_of("f", "x", np.zeros(3), ("only",))  # an array never compares as one choice


def test_function_and_instance():
    assert check.function("Lambda", "lambd", len) is len
    with refused(ArgumentTypeError, "Lambda: lambd must be callable, got int"):
        check.function("Lambda", "lambd", 3)
    with refused(ArgumentTypeError, "Compose: transforms[1] must be callable as "
                                    "transform(images, rng), got str"):
        check.function("Compose", "transforms[1]", "x", "transform(images, rng)")
    assert check.instance("ImageFolder", "root", "a", (str, os.PathLike), "a folder path") == "a"
    with refused(ArgumentTypeError, "ImageFolder: root must be a folder path, got int"):
        check.instance("ImageFolder", "root", 3, (str, os.PathLike), "a folder path")


def test_predicates():
    assert check.is_int(3) and check.is_int(np.uint8(3))
    assert not check.is_int(True) and not check.is_int(3.0) and not check.is_int(np.True_)
    assert check.is_number(3) and check.is_number(np.float32(0.5))
    assert not check.is_number(False) and not check.is_number("1") and not check.is_number(None)


def test_a_long_value_shows_its_type():
    with refused(ArgumentTypeError, "f: x must be a positive integer, got list"):
        check.positive_int("f", "x", list(range(100)))


def test_integer_and_int_between():
    assert check.integer("randint()", "low", np.int32(-3)) == -3
    with refused(ArgumentTypeError, "randint(): low must be an integer, got 0.5"):
        check.integer("randint()", "low", 0.5)
    assert check.int_between("topk()", "k", 3, 0, 3) == 3
    with refused(ValueError, "topk(): k must be an integer from 0 to 3, got 4"):
        check.int_between("topk()", "k", 4, 0, 3)
    with refused(ArgumentTypeError, "topk(): k must be an integer from 0 to 3, got True"):
        check.int_between("topk()", "k", True, 0, 3)


def test_axis_counts_negative_axes_from_the_end():
    assert check.axis("sum()", "dim", -1, 3) == 2
    assert check.axis("sum()", "dim", np.int64(1), 3) == 1
    with refused(AxisError, "sum(): dim must be an integer from -3 to 2 here, got 3"):
        check.axis("sum()", "dim", 3, 3)
    with refused(ArgumentTypeError, "sum(): dim must be an integer from -3 to 2 here, got 1.0"):
        check.axis("sum()", "dim", 1.0, 3)
    with refused(AxisError, "sum(): a 0-d tensor has no dim 0"):
        check.axis("sum()", "dim", 0, 0)
    assert issubclass(AxisError, IndexError) and issubclass(AxisError, ValueError)


def test_axes():
    assert check.axes("mean()", "axis", None, 3) == (0, 1, 2)
    assert check.axes("mean()", "axis", (-1, 0), 3) == (0, 2)
    assert check.axes("mean()", "axis", [1], 3) == (1,)
    with refused(AxisError, "mean(): axis must be an integer from -3 to 2 here, got -4"):
        check.axes("mean()", "axis", (0, -4), 3)


def test_dtype():
    assert check.dtype("tensor()", "dtype", "float64") == np.float64
    assert check.dtype("tensor()", "dtype", np.int8) == np.int8
    with refused(ArgumentTypeError, "tensor(): dtype 'flaot32' is not a data type; use e.g. "
                 "'float32' (the default for floats), 'float64', 'int64', 'uint8' or 'bool'"):
        check.dtype("tensor()", "dtype", "flaot32")
    with pytest.raises(ArgumentTypeError, match=r"^tensor\(\): dtype 'U3' holds no numbers"):
        check.dtype("tensor()", "dtype", "U3")
    with pytest.raises(ArgumentTypeError, match=r"^tensor\(\): tinydl has no bfloat16 tensors"):
        check.dtype("tensor()", "dtype", tinydl.bfloat16)
    with pytest.raises(ArgumentTypeError, match="is not a data type"):
        check.dtype("tensor()", "dtype", None)  # np.dtype(None) would be float64


def test_float_dtype():
    assert check.float_dtype("Linear", "dtype", "float64") == np.float64
    for bad in ("int64", np.float16, None, "nonsense"):
        with pytest.raises(ArgumentTypeError, match=r"^Linear: dtype must be float32 or float64"):
            check.float_dtype("Linear", "dtype", bad)


def test_numeric_dtype():
    assert check.numeric_dtype("tensor()", "data", np.dtype(bool)) == np.dtype(bool)
    with pytest.raises(ArgumentTypeError, match=r"^tensor\(\): data holds strings \(dtype <U1\)"):
        check.numeric_dtype("tensor()", "data", np.dtype("<U1"))
