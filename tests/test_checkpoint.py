"""save_checkpoint / load_checkpoint / read_extra: round trips on every device, exact errors
for files that are missing, corrupt, truncated or do not fit, and atomic writes."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

import tinydl
from tinydl import backend, nn, optim
from tinydl.train import CheckpointError, load_checkpoint, save_checkpoint
from tinydl.train.checkpoint import read_extra


def model_with_buffers(hidden: int = 8, seed: int = 0, device: str = "cpu") -> nn.Module:
    """4 -> hidden (BatchNorm, whose running statistics are buffers) -> 3."""
    tinydl.manual_seed(seed)
    return nn.Sequential(
        nn.Dense(4, hidden), nn.BatchNorm1D(hidden), nn.ReLU(), nn.Dense(hidden, 3)
    ).to(device)


def train_steps(model: nn.Module, optimizer, device: str, steps: int = 3) -> None:
    rng = np.random.default_rng(0)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(steps):
        x = tinydl.tensor(rng.normal(size=(6, 4)).astype(np.float32), device=device)
        y = tinydl.tensor(rng.integers(0, 3, 6), device=device)
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()


def trained(device: str) -> tuple[nn.Module, optim.Adam]:
    model = model_with_buffers(device=device)
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    train_steps(model, optimizer, device)
    return model, optimizer


def assert_same_state(a: dict, b: dict) -> None:
    assert list(a) == list(b)
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def test_model_and_adam_round_trip(tmp_path: Path, device: str) -> None:
    model, optimizer = trained(device)
    path = save_checkpoint(tmp_path / "c.npz", model, optimizer, epoch=3, example="blobs",
                           history={"loss": [1.5, 0.25]})
    assert path == tmp_path / "c.npz"
    assert all(backend.device_of(p.array) == backend.device(device) for p in model.parameters())

    fresh = model_with_buffers(seed=1, device=device)
    fresh_optimizer = optim.Adam(fresh.parameters(), lr=0.5)
    extra = load_checkpoint(path, fresh, fresh_optimizer)

    assert extra == {"epoch": 3, "example": "blobs", "history": {"loss": [1.5, 0.25]}}
    assert_same_state(fresh.state_dict(), model.state_dict())
    assert fresh_optimizer.lr == 0.01
    saved, loaded = optimizer.state_dict(), fresh_optimizer.state_dict()
    assert loaded["hyperparameters"] == saved["hyperparameters"]
    assert list(loaded["state"]) == list(saved["state"]) == [0, 1, 2, 3, 4, 5]
    for position, state in saved["state"].items():
        assert loaded["state"][position]["step"] == state["step"] == 3
        assert_same_state(loaded["state"][position], state)
    for parameter in fresh.parameters():
        assert backend.device_of(parameter.array) == backend.device(device)
        assert parameter.dtype == np.float32
    # Both continue identically: nothing of Adam's state was lost.
    train_steps(model, optimizer, device, steps=2)
    train_steps(fresh, fresh_optimizer, device, steps=2)
    assert_same_state(fresh.state_dict(), model.state_dict())


def test_optimizers_without_state_round_trip(tmp_path: Path) -> None:
    # Plain SGD keeps no per-parameter state, and Adam has none before its first step.
    for make in (lambda p: optim.SGD(p, lr=0.1), lambda p: optim.Adam(p)):
        model = model_with_buffers()
        optimizer = make(model.parameters())
        train_steps(model, optimizer, "cpu", steps=1 if isinstance(optimizer, optim.SGD) else 0)
        save_checkpoint(tmp_path / "c.npz", model, optimizer)
        fresh = model_with_buffers(seed=2)
        fresh_optimizer = make(fresh.parameters())
        assert load_checkpoint(tmp_path / "c.npz", fresh, fresh_optimizer) == {}
        assert fresh_optimizer.state_dict() == optimizer.state_dict()
        assert_same_state(fresh.state_dict(), model.state_dict())


def test_read_extra_reads_only_the_extra_values(tmp_path: Path) -> None:
    model = model_with_buffers()
    save_checkpoint(tmp_path / "c.npz", model, epoch=0, nested={"a": {"b": [1, 2]}, "c": None})
    assert read_extra(tmp_path / "c.npz") == {"epoch": 0, "nested": {"a": {"b": [1, 2]}, "c": None}}
    save_checkpoint(tmp_path / "bare.npz", model)
    assert read_extra(tmp_path / "bare.npz") == {}


def test_save_creates_missing_folders(tmp_path: Path) -> None:
    path = save_checkpoint(tmp_path / "a" / "b" / "c.npz", model_with_buffers())
    assert path.is_file()


def test_loading_into_a_model_of_another_shape_lists_every_mismatch(tmp_path: Path) -> None:
    path = save_checkpoint(tmp_path / "c.npz", model_with_buffers(hidden=8))
    other = model_with_buffers(hidden=5, seed=3)
    before = other.state_dict()
    with pytest.raises(CheckpointError, match="^" + re.escape(
        f"{path}: load_state_dict() does not fit this model: shape mismatch for "
        "0.weight: model has (4, 5), state has (4, 8); 0.bias: model has (5,), state has (8,); "
        "1.weight: model has (5,), state has (8,); 1.bias: model has (5,), state has (8,); "
        "1.running_mean: model has (5,), state has (8,); "
        "1.running_var: model has (5,), state has (8,); "
        "3.weight: model has (5, 3), state has (8, 3)"
    ) + "$"):
        load_checkpoint(path, other)
    assert_same_state(other.state_dict(), before)


def test_loading_into_a_model_with_other_layers_names_them(tmp_path: Path) -> None:
    path = save_checkpoint(tmp_path / "c.npz", nn.Sequential(nn.Dense(4, 3)))
    with pytest.raises(CheckpointError, match="^" + re.escape(
        f"{path}: load_state_dict() does not fit this model: missing 1.weight, 1.bias | "
        "unexpected 0.weight, 0.bias"
    ) + "$"):
        load_checkpoint(path, nn.Sequential(nn.ReLU(), nn.Dense(4, 3)))


def test_an_optimiser_that_does_not_fit_changes_nothing(tmp_path: Path) -> None:
    model, optimizer = trained("cpu")
    path = save_checkpoint(tmp_path / "c.npz", model, optimizer)
    fresh = model_with_buffers(seed=4)
    before = fresh.state_dict()
    sgd = optim.SGD(fresh.parameters(), lr=0.1)
    with pytest.raises(CheckpointError, match="^" + re.escape(
        f"{path}: this state_dict was saved by Adam, it cannot be loaded into SGD"
    ) + "$"):
        load_checkpoint(path, fresh, sgd)
    assert_same_state(fresh.state_dict(), before)
    assert sgd.lr == 0.1


def test_resuming_needs_a_saved_optimiser(tmp_path: Path) -> None:
    path = save_checkpoint(tmp_path / "c.npz", model_with_buffers())
    model = model_with_buffers()
    with pytest.raises(CheckpointError, match=(
        f"^{re.escape(str(path))} holds no optimiser state to resume from$"
    )):
        load_checkpoint(path, model, optim.Adam(model.parameters()))


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nothing.npz"
    with pytest.raises(CheckpointError, match=f"^no checkpoint at {re.escape(str(path))}$"):
        load_checkpoint(path, model_with_buffers())
    with pytest.raises(CheckpointError, match="^no checkpoint at"):
        read_extra(path)


def test_random_bytes_are_not_a_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "noise.npz"
    path.write_bytes(np.random.default_rng(0).bytes(2000))
    with pytest.raises(CheckpointError, match="^" + re.escape(
        f"{path} is not a tinydl checkpoint: it is not an .npz (zip) archive"
    ) + "$"):
        load_checkpoint(path, model_with_buffers())


def test_a_single_npy_array_is_not_a_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "weights.npy"
    np.save(path, np.zeros(3))
    with pytest.raises(CheckpointError, match="it is not an .npz \\(zip\\) archive$"):
        load_checkpoint(path, model_with_buffers())


def test_a_truncated_checkpoint(tmp_path: Path) -> None:
    path = save_checkpoint(tmp_path / "c.npz", model_with_buffers())
    path.write_bytes(path.read_bytes()[:-200])
    with pytest.raises(CheckpointError, match="^" + re.escape(
        f"{path} is not a readable tinydl checkpoint (truncated or corrupt?): "
        "File is not a zip file"
    ) + "$"):
        load_checkpoint(path, model_with_buffers())


def test_a_corrupt_byte_inside_the_archive(tmp_path: Path) -> None:
    path = save_checkpoint(tmp_path / "c.npz", model_with_buffers())
    blob = bytearray(path.read_bytes())
    blob[200] ^= 0xFF  # inside the first array's data: its CRC no longer matches
    path.write_bytes(bytes(blob))
    with pytest.raises(CheckpointError, match=(
        r"is not a readable tinydl checkpoint \(truncated or corrupt\?\): Bad CRC-32"
    )):
        load_checkpoint(path, model_with_buffers())


def test_pickled_objects_are_never_loaded(tmp_path: Path) -> None:
    path = tmp_path / "pickled.npz"
    np.savez(path, **{"model/0.weight": np.array([{"code": "anything"}], dtype=object)})
    with pytest.raises(CheckpointError, match=(
        r"\(truncated or corrupt\?\): Object arrays cannot be loaded when allow_pickle=False$"
    )):
        load_checkpoint(path, nn.Sequential(nn.Dense(4, 3)))


def test_an_npz_without_model_weights(tmp_path: Path) -> None:
    path = tmp_path / "other.npz"
    np.savez(path, x=np.zeros(3))
    with pytest.raises(CheckpointError, match=(
        f"^{re.escape(str(path))} holds no model weights \\(is it a tinydl checkpoint\\?\\)$"
    )):
        load_checkpoint(path, model_with_buffers())


def test_a_failed_write_leaves_the_old_checkpoint_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.npz"
    old_model = model_with_buffers(seed=0)
    save_checkpoint(path, old_model, epoch=1)

    def failing_savez(file, **arrays) -> None:
        file.write(b"PK\x03\x04 half an archive")
        raise OSError("No space left on device")

    monkeypatch.setattr(np, "savez", failing_savez)
    with pytest.raises(OSError, match="^No space left on device$"):
        save_checkpoint(path, model_with_buffers(seed=1), epoch=2)
    monkeypatch.undo()

    assert os.listdir(tmp_path) == ["c.npz"]
    restored = model_with_buffers(seed=5)
    assert load_checkpoint(path, restored) == {"epoch": 1}
    assert_same_state(restored.state_dict(), old_model.state_dict())
