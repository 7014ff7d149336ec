"""``tinydl train``'s ``--out`` folder in ordinary life: ``--resume`` with every epoch
already saved trains nothing and touches nothing, and the folder's lock goes away with the
run however the run ends. (Faults, two runs and ``kill -9``: ``test_saving_faults.py``.)"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_cli import run

from tinydl import zoo
from tinydl.train import save_checkpoint
from tinydl.train.folder_lock import LOCK_NAME, folder_lock


def a_finished_run(folder: Path, epochs: int) -> dict[str, tuple[bytes, int]]:
    """``folder`` as ``tinydl train mnist-mlp --epochs EPOCHS`` leaves it; each file's bytes
    and modification time."""
    save_checkpoint(folder / "model.npz", zoo.recipe("mnist-mlp").build(), epoch=epochs - 1,
                    example="mnist-mlp")
    (folder / "results.json").write_text(f'{{"epochs": {epochs}}}')
    (folder / "curves.png").write_bytes(b"\x89PNG not really")
    for path in folder.iterdir():
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))  # long ago
    return {path.name: (path.read_bytes(), path.stat().st_mtime_ns) for path in folder.iterdir()}


@pytest.mark.parametrize("asked", [2, 1], ids=["as-many", "fewer"])
def test_resume_with_nothing_left_says_so_and_touches_nothing(tmp_path: Path, asked: int) -> None:
    before = a_finished_run(tmp_path, epochs=2)
    code, out, err = run(["train", "mnist-mlp", "--resume", "--epochs", str(asked),
                          "--out", str(tmp_path)])  # no MNIST read: nothing to train
    assert (code, err) == (0, "")
    assert out == (
        f"{tmp_path / 'model.npz'} already holds 2 epochs, and --epochs {asked} asks for no "
        f"more: nothing to train; the checkpoint, results.json and the plots are left as they "
        f"are\n")
    after = {path.name: (path.read_bytes(), path.stat().st_mtime_ns) for path in tmp_path.iterdir()}
    assert after == before  # no lock file left either


def test_the_lock_goes_with_the_run_however_it_ends(tmp_path: Path) -> None:
    existing = tmp_path / "existing"
    existing.mkdir()
    with pytest.raises(RuntimeError, match="the run failed"), folder_lock(
            existing, "--out", "tinydl train mnist-mlp"):
        assert (existing / LOCK_NAME).is_file()
        raise RuntimeError("the run failed")
    assert existing.is_dir() and list(existing.iterdir()) == []
    created = tmp_path / "runs" / "new"
    with folder_lock(created, "--out", "tinydl train mnist-mlp") as lock:
        assert lock.taken_over_from is None and lock.removed_parts == []
    assert not created.exists()  # made for the run, and left empty: removed
    with folder_lock(created, "--out", "tinydl train mnist-mlp"):
        (created / "model.npz").write_bytes(b"")
    assert [path.name for path in created.iterdir()] == ["model.npz"]
