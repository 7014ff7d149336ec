"""``tinydl.save``/``tinydl.load`` and checkpoints give back exactly what was saved.

A property test saves random nested state (dicts and OrderedDicts with ``str`` and ``int``
keys, lists, tuples, None, bools, ints of any size, floats with NaN, ±inf and -0.0,
strings with any character, arrays of every numeric dtype and of strings, NumPy scalars,
Tensors and Parameters) and asserts that what loads is the same, types and bits included.
Then the cases the first pass found changed or lost (issue 24), one each, and files
written before the structure tree existed, which still load as they did.
"""

from __future__ import annotations

import io
import math
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinydl
from tinydl import nn, optim
from tinydl.train import load_checkpoint, save_checkpoint
from tinydl.train.checkpoint import read_extra


def assert_same(saved: Any, loaded: Any, where: str = "obj") -> None:
    """``loaded`` is ``saved``: the same types all the way down, the same keys in the same
    order, floats and arrays equal bit for bit (NaN equals NaN, -0.0 is not 0.0)."""
    assert type(loaded) is type(saved), f"{where}: {type(saved)} came back {type(loaded)}"
    if isinstance(saved, dict):
        assert [(type(k), k) for k in loaded] == [(type(k), k) for k in saved], where
        for key in saved:
            assert_same(saved[key], loaded[key], f"{where}[{key!r}]")
    elif isinstance(saved, (list, tuple)):
        assert len(loaded) == len(saved), where
        for i, (a, b) in enumerate(zip(saved, loaded, strict=True)):
            assert_same(a, b, f"{where}[{i}]")
    elif isinstance(saved, tinydl.Tensor):
        assert loaded.requires_grad == saved.requires_grad, where
        assert_same(saved.numpy(), loaded.numpy(), f"{where}.numpy()")
    elif isinstance(saved, (np.ndarray, np.generic)):
        assert (loaded.dtype, loaded.shape) == (saved.dtype, saved.shape), where
        assert loaded.tobytes() == saved.tobytes(), where
    elif isinstance(saved, float):
        assert math.isnan(saved) and math.isnan(loaded) or (
            loaded == saved and math.copysign(1, loaded) == math.copysign(1, saved)), where
    else:
        assert loaded == saved, where


def round_trip(obj: Any) -> Any:
    buffer = io.BytesIO()
    tinydl.save(obj, buffer)
    buffer.seek(0)
    return tinydl.load(buffer)


# ---- the property ------------------------------------------------------------------------
NUMERIC_DTYPES = st.one_of(
    hnp.boolean_dtypes(), hnp.integer_dtypes(), hnp.unsigned_integer_dtypes(),
    hnp.floating_dtypes(), hnp.complex_number_dtypes(),
)
SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3)
arrays = st.one_of(
    hnp.arrays(NUMERIC_DTYPES, SHAPES),  # NaN, ±inf, -0.0 and the extremes included
    hnp.arrays(hnp.unicode_string_dtypes(), SHAPES),
)
numpy_scalars = hnp.arrays(NUMERIC_DTYPES, ()).map(lambda array: array[()])
tensors = st.builds(
    lambda array, requires_grad, kind: kind(array, requires_grad=requires_grad),
    hnp.arrays(st.sampled_from([np.float16, np.float32, np.float64]), SHAPES),
    st.booleans(), st.sampled_from([tinydl.Tensor, nn.Parameter]),
)
any_text = st.text(st.characters(codec=None, categories=None))  # surrogates, "/", "#", "\0"
keys = st.one_of(any_text, st.integers(), st.sampled_from(["1", "-1", "12", "a#json", "a/b"]))
leaves = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), any_text, arrays, numpy_scalars,
    tensors,
)
states = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.lists(children, max_size=4).map(tuple),
        st.dictionaries(keys, children, max_size=4),
        st.dictionaries(keys, children, max_size=4).map(OrderedDict),
    ),
    max_leaves=12,
)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(keys, states, max_size=5))
def test_any_state_dict_comes_back_exactly(state: dict) -> None:
    assert_same(state, round_trip(state))


@settings(max_examples=20, deadline=None)
@given(st.dictionaries(st.text(min_size=1).filter(lambda k: k not in ("path", "model",
                                                                        "optimizer")),
                      states, max_size=3))
def test_a_checkpoint_gives_back_its_extra_values_exactly(tmp_path_factory, extra) -> None:
    path = tmp_path_factory.mktemp("extra") / "c.npz"
    save_checkpoint(path, nn.Linear(2, 1), **extra)
    assert_same(extra, read_extra(path))


# ---- the cases of issue 24, one each -----------------------------------------------------
@pytest.mark.parametrize("state", [
    {1: "int", "1": "str"},
    {-1: "negative"},
    {"12": "digits"},
    {"tuple": (1, (2, 3), ())},
    {"a#json": np.ones(2), "b#json": {"c#json": 1}},
    {"a/b": 1, "a": {"b": 2}},
    {"": np.arange(3), "x": [np.float32(1.5), np.int8(-3)]},
    OrderedDict([("z", 1), ("a", 2)]),
], ids=["int-and-str-keys", "negative-key", "digit-string-key", "tuples", "json-suffix-key",
        "slash-key", "arrays-in-lists", "ordered-dict"])
def test_what_the_first_pass_changed_comes_back_as_it_was(state: dict) -> None:
    assert_same(state, round_trip(state))


def test_a_state_dict_and_an_optimizer_state_come_back_as_they_were(tmp_path: Path) -> None:
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
    optimizer = optim.Adam(model.parameters(), betas=(0.8, 0.9))
    model(tinydl.tensor(np.ones((2, 3), np.float32))).sum().backward()
    optimizer.step()
    everything = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 3,
                  "params": list(model.parameters())}
    path = tinydl.save(everything, tmp_path / "all.pt")
    loaded = tinydl.load(path)
    assert_same(everything, loaded)
    assert type(loaded["model"]) is OrderedDict and list(loaded["optimizer"]["state"]) == [
        0, 1, 2, 3, 4, 5]
    assert loaded["optimizer"]["hyperparameters"]["betas"] == (0.8, 0.9)
    save_checkpoint(tmp_path / "c.npz", model, optimizer, epoch=3)
    fresh = optim.Adam(model.parameters())
    load_checkpoint(tmp_path / "c.npz", model, fresh)
    assert_same(optimizer.state_dict(), fresh.state_dict())


def test_map_location_moves_the_arrays_and_tensors(tmp_path: Path) -> None:
    path = tinydl.save({"w": np.ones(2), "t": tinydl.tensor([1.0], requires_grad=True)},
                       tmp_path / "w.pt")
    loaded = tinydl.load(path, map_location="fake")
    assert tinydl.tensor(loaded["w"]).device == "fake"
    assert type(loaded["t"]) is tinydl.Tensor and loaded["t"].device == "fake"
    assert loaded["t"].requires_grad


def test_a_buffer_keeps_its_class_and_persistence() -> None:
    loaded = round_trip({"b": nn.Buffer(np.zeros(2), persistent=False)})
    assert type(loaded["b"]) is nn.Buffer and loaded["b"].persistent is False


# ---- files written before the tree --------------------------------------------------------
def test_a_file_of_the_earlier_format_loads_as_it_did(tmp_path: Path) -> None:
    """Then keys were joined with "/", other values were JSON entries, and digit keys came
    back as ints: such a file still loads, to what it loaded to then."""
    with open(tmp_path / "old.pt", "wb") as file:
        np.savez(file, **{
            "saved/model/0.weight": np.ones((2, 2), np.float32),
            "saved/epoch#json": np.array("3"),
            "saved/optimizer/state/0/step#json": np.array("5"),
        })
    loaded = tinydl.load(tmp_path / "old.pt")
    assert loaded["epoch"] == 3 and loaded["optimizer"] == {"state": {0: {"step": 5}}}
    np.testing.assert_array_equal(loaded["model"]["0.weight"], np.ones((2, 2)))
