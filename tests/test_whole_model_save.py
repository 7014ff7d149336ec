"""``tinydl.save(model, f)`` and ``tinydl.load(f)`` of whole objects, as PyTorch 2.6+ does
them (issue 21: pytorch/examples' word language model saves its whole model each epoch).

A model, an optimiser or any other object that is not state is pickled beside its tensors;
``load`` (``weights_only=True`` by default) calls only the classes the program allowed
with ``tinydl.serialization.safe_globals`` / ``add_safe_globals`` and refuses the file
otherwise, naming the class; ``weights_only=False`` calls whatever the file names. The
crafted files that try to get round the allow-list are rows of
``tests/test_bad_inputs_whole_model.py``.
"""

from __future__ import annotations

import io
import os
import pickle
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import tinydl
from tinydl import nn, optim, serialization
from tinydl.train.pickled_object import UnsafeGlobalError


class TiedLanguageModel(nn.Module):
    """The word language model's shape: an embedding, an LSTM, dropout and a decoder tied
    to the embedding; with a buffer and plain attributes besides."""

    def __init__(self, vocabulary: int = 7, width: int = 4) -> None:
        super().__init__()
        self.encoder = nn.Embedding(vocabulary, width)
        self.rnn = nn.LSTM(width, width)
        self.drop = nn.Dropout(0.5)
        self.decoder = nn.Linear(width, vocabulary)
        self.decoder.weight = self.encoder.weight
        self.register_buffer("scale", tinydl.tensor([2.0]))
        self.sizes, self.rnn_type = (vocabulary, width), "LSTM"

    def forward(self, tokens: tinydl.Tensor) -> tinydl.Tensor:
        output, _ = self.rnn(self.drop(self.encoder(tokens)))
        return self.decoder(output) * self.scale


# What the program allows, as word_language_model lists it (by PyTorch's module paths).
ALLOWED = [TiedLanguageModel, nn.modules.sparse.Embedding, nn.modules.rnn.LSTM,
           nn.modules.dropout.Dropout, nn.modules.linear.Linear]
NAME = f"{__name__}.TiedLanguageModel"


@pytest.fixture(autouse=True)
def _nothing_allowed() -> Iterator[None]:
    serialization.clear_safe_globals()
    yield
    serialization.clear_safe_globals()


def saved(obj: object) -> io.BytesIO:
    buffer = io.BytesIO()
    tinydl.save(obj, buffer)
    buffer.seek(0)
    return buffer


def tokens(device: str = "cpu") -> tinydl.Tensor:
    return tinydl.tensor([[1, 2], [3, 4], [5, 6]], device=device)


# ---- a whole model --------------------------------------------------------------------------
def test_a_whole_model_comes_back_as_it_was(device: str, tmp_path: Path) -> None:
    model = TiedLanguageModel().to(device).eval()
    path = tinydl.save(model, tmp_path / "model.pt")
    with serialization.safe_globals(ALLOWED):
        loaded = tinydl.load(path)
    assert type(loaded) is TiedLanguageModel and loaded is not model and not loaded.training
    assert loaded.decoder.weight is loaded.encoder.weight  # still tied: one parameter
    assert type(loaded.rnn.weight_ih_l0) is nn.Parameter and loaded.rnn.weight_ih_l0.requires_grad
    assert type(loaded.scale) is nn.Buffer and loaded.scale.persistent
    assert loaded.sizes == (7, 4) and loaded.rnn_type == "LSTM"
    pairs = zip([*model.named_parameters(), *model.named_buffers()],
                [*loaded.named_parameters(), *loaded.named_buffers()], strict=True)
    for (name, mine), (loaded_name, theirs) in pairs:
        assert name == loaded_name and theirs.device == device, name
        np.testing.assert_array_equal(theirs.numpy(), mine.numpy())
    np.testing.assert_array_equal(loaded(tokens(device)).numpy(), model(tokens(device)).numpy())


def test_the_file_keeps_each_tensor_once_beside_the_pickle(tmp_path: Path) -> None:
    model = TiedLanguageModel()
    with np.load(tinydl.save(model, tmp_path / "model.pt")) as archive:
        entries = set(archive.files)
    tensors = len(list(model.parameters())) + len(list(model.buffers()))  # the tie counted once
    assert entries == {"saved#pickle", "saved#tree", *(f"saved/{i}" for i in range(tensors))}
    with np.load(tinydl.save(model.state_dict(), tmp_path / "state.pt")) as archive:
        assert not any("pickle" in entry for entry in archive.files)  # state: never a pickle


def test_the_loaded_model_trains_on(tmp_path: Path) -> None:
    model = TiedLanguageModel()
    with serialization.safe_globals(ALLOWED):
        loaded = tinydl.load(saved(model))
    loaded(tokens()).sum().backward()
    assert loaded.encoder.weight.grad is not None and loaded.rnn.weight_hh_l0.grad is not None


# ---- an optimiser ---------------------------------------------------------------------------
def steps(model: nn.Module, optimizer: optim.Optimizer, count: int) -> None:
    for _ in range(count):
        optimizer.zero_grad()
        (model(tokens()) ** 2).mean().backward()
        optimizer.step()


def test_a_model_and_its_optimizer_come_back_together_and_train_alike() -> None:
    tinydl.manual_seed(0)
    model = TiedLanguageModel()
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    steps(model, optimizer, 2)
    with serialization.safe_globals([*ALLOWED, optim.Adam]):
        loaded = tinydl.load(saved({"model": model, "optimizer": optimizer, "epoch": 2}))
    again, its_optimizer = loaded["model"], loaded["optimizer"]
    assert loaded["epoch"] == 2 and type(its_optimizer) is optim.Adam
    assert all(a is b for a, b in zip(its_optimizer.params, again.parameters(), strict=True))
    model.drop.p = again.drop.p = 0.0  # the same steps on both, without random dropout
    steps(model, optimizer, 2)
    steps(again, its_optimizer, 2)
    for mine, theirs in zip(model.parameters(), again.parameters(), strict=True):
        np.testing.assert_array_equal(theirs.numpy(), mine.numpy())


def test_an_optimizer_alone_comes_back_with_its_state() -> None:
    model = TiedLanguageModel()
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    steps(model, optimizer, 1)
    with serialization.safe_globals([optim.SGD]):
        loaded = tinydl.load(saved(optimizer))
    assert type(loaded) is optim.SGD and loaded.param_groups[0]["momentum"] == 0.9
    for mine, theirs in zip(optimizer.state, loaded.state, strict=True):
        np.testing.assert_array_equal(theirs["momentum_buffer"], mine["momentum_buffer"])


# ---- the allow-list -------------------------------------------------------------------------
def test_loading_refuses_a_class_the_program_did_not_allow(tmp_path: Path) -> None:
    path = tinydl.save(TiedLanguageModel(), tmp_path / "model.pt")
    with pytest.raises(UnsafeGlobalError) as info:
        tinydl.load(path)
    assert str(info.value) == (
        f"cannot load {path} with weights_only=True (the default): it needs {NAME}, which is "
        f"not allowed. If you trust this class or function, allow it with "
        f"tinydl.serialization.add_safe_globals([{NAME}]) or in a block "
        f"`with tinydl.serialization.safe_globals([{NAME}]):`. Or load it with "
        f"weights_only=False, but only a file from a source you trust: that runs any code the "
        f"file names"
    )
    assert isinstance(info.value, pickle.UnpicklingError)  # what PyTorch raises
    with serialization.safe_globals([TiedLanguageModel]), \
            pytest.raises(UnsafeGlobalError, match=r"needs tinydl\.nn\.embedding\.Embedding,"):
        tinydl.load(path, weights_only=True)  # the model's own class is not enough


def test_a_safe_globals_block_allows_for_itself_only() -> None:
    buffer = saved(TiedLanguageModel())
    with serialization.safe_globals(ALLOWED[:2]):
        with serialization.safe_globals(ALLOWED[2:]):
            assert serialization.get_safe_globals() == ALLOWED
            assert type(tinydl.load(buffer)) is TiedLanguageModel
        assert serialization.get_safe_globals() == ALLOWED[:2]
        buffer.seek(0)
        with pytest.raises(UnsafeGlobalError, match="needs tinydl.nn.recurrent.LSTM"):
            tinydl.load(buffer)
    assert serialization.get_safe_globals() == []


def test_add_safe_globals_allows_until_cleared() -> None:
    buffer = saved(TiedLanguageModel())
    serialization.add_safe_globals(ALLOWED)
    assert type(tinydl.load(buffer)) is TiedLanguageModel
    serialization.clear_safe_globals()
    buffer.seek(0)
    with pytest.raises(UnsafeGlobalError, match=NAME):
        tinydl.load(buffer)


def test_a_pair_allows_an_object_under_the_name_the_file_gives() -> None:
    class Renamed(TiedLanguageModel):
        pass

    with serialization.safe_globals([(Renamed, NAME), *ALLOWED[1:]]):
        loaded = tinydl.load(saved(TiedLanguageModel()))
    assert type(loaded) is Renamed


def test_weights_only_false_needs_no_allow_list() -> None:
    loaded = tinydl.load(saved({"model": TiedLanguageModel(), "classes": {"a", "b"}}),
                         weights_only=False)
    assert type(loaded["model"]) is TiedLanguageModel and loaded["classes"] == {"a", "b"}


def test_plain_python_values_that_are_not_state_need_no_allow_list() -> None:
    value = {(0, 1): {1, 2}, "z": 1 + 2j, "f": frozenset({3}), "b": b"raw", "o": [None]}
    assert tinydl.load(saved(value)) == value


# ---- a file that would run code -------------------------------------------------------------
RAN: list[str] = []


def record(what: str) -> None:
    RAN.append(what)


class RunsCode:
    """An object whose pickle calls ``call(argument)`` when it is loaded."""

    def __init__(self, call: object, argument: str) -> None:
        self.call, self.argument = call, argument

    def __reduce__(self) -> tuple:
        return self.call, (self.argument,)


def test_a_pickle_calling_os_system_is_refused_before_anything_runs(tmp_path: Path) -> None:
    marker = tmp_path / "it-ran"
    path = tinydl.save({"model": RunsCode(os.system, f"touch {marker}")}, tmp_path / "evil.pt")
    with pytest.raises(UnsafeGlobalError, match=rf"it needs {os.system.__module__}\.system, "):
        tinydl.load(path)
    assert not marker.exists()


def test_weights_only_false_runs_what_the_file_names_and_true_does_not() -> None:
    RAN.clear()
    buffer = saved(RunsCode(record, "loaded"))
    with pytest.raises(UnsafeGlobalError, match=rf"needs {__name__}\.record,"):
        tinydl.load(buffer)
    assert RAN == []
    buffer.seek(0)
    tinydl.load(buffer, weights_only=False)
    assert RAN == ["loaded"]


# ---- where the tensors go -------------------------------------------------------------------
def test_tensors_go_back_where_they_were_saved_unless_map_location_says(device: str) -> None:
    model = TiedLanguageModel().to(device)
    serialization.add_safe_globals(ALLOWED)
    buffer = saved({"model": model, "mask": np.ones(2, bool), "h": tinydl.zeros(2, device=device)})
    for map_location, expected in ((None, device), ("cpu", "cpu"), ({device: "fake"}, "fake"),
                                   ({"cuda:7": "cpu"}, device)):
        buffer.seek(0)
        loaded = tinydl.load(buffer, map_location=map_location)
        assert loaded["model"].encoder.weight.device == expected, map_location
        assert loaded["h"].device == expected and loaded["model"].scale.device == expected
        assert loaded["mask"].dtype == bool  # a host array stays one unless moved
