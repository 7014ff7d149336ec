"""The README's first command on a machine without MNIST and without a network: the error
lists where it looked and names the command's own fix, ``--data``."""

from __future__ import annotations

import urllib.request
from pathlib import Path
from urllib.error import URLError

import pytest
from test_cli import run

from tinydl import zoo
from tinydl.train.checkpoint import save_checkpoint


def offline(*args: object, **kwargs: object) -> None:
    raise URLError("[Errno -3] Temporary failure in name resolution")


@pytest.mark.parametrize("command", [["train", "mnist-mlp"], ["visualize", "{tmp}/model.npz"]])
def test_offline_without_the_files_the_error_names_data(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TINYDL_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(urllib.request, "urlopen", offline)
    if command[0] == "visualize":
        save_checkpoint(tmp_path / "model.npz", zoo.mlp(), example="mnist-mlp")
    argv = [arg.format(tmp=tmp_path) for arg in command] + ["--out", str(tmp_path / "out")]
    code, _, err = run(argv)
    assert code == 2
    lines = err.splitlines()
    assert lines[0].startswith("tinydl: error: MNIST not found. Looked for train-images-idx3-ubyte")
    assert f"  {tmp_path / 'cache' / 'tinydl' / 'mnist'}" in lines
    assert "Temporary failure in name resolution" in err  # why the download failed
    assert lines[-1] == (
        f"tinydl: offline, or with the files elsewhere: tinydl {command[0]} ... --data "
        "/path/to/folder (the folder holding mnist/ or the four files)"
    )
    assert "Traceback" not in err
