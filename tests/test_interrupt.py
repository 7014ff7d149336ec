"""Ctrl-C (SIGINT) and SIGTERM (``timeout``, ``docker stop``, cluster schedulers) end a run
cleanly: one "interrupted" line, exit status 128 + the signal, the last complete
checkpoint intact and loadable, and no temporary ``*.part`` file, also when the signal
lands in the middle of a checkpoint write.

The first tests drive :func:`tinydl.train.save_checkpoint` in this process; the others run
``tinydl train`` in a subprocess on a few MNIST images (skipped without the MNIST files).
``TINYDL_TEST_CHECKPOINT_PAUSE`` (see :mod:`tinydl.train.checkpoint`) holds each checkpoint
write open for a moment, so that a signal can be sent while the temporary file exists.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from test_cli import mnist_root, needs_mnist

from tinydl import nn, zoo
from tinydl.train import load_checkpoint, save_checkpoint
from tinydl.train.checkpoint import PAUSE_VARIABLE, read_extra

SIGNALS = [signal.SIGINT, signal.SIGTERM]


def wait_for(condition: Callable[[], object], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {seconds} s waiting for {condition}")
        time.sleep(0.02)


def part_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.part"))


# ---- save_checkpoint in this process -------------------------------------------------------
def _send_during_the_write(folder: Path, kinds: list[signal.Signals]) -> threading.Thread:
    """Send each signal of ``kinds`` to this process's main thread once a temporary file exists.

    Aimed at the main thread, as a terminal's Ctrl-C reaches a one-threaded program: sent to
    the process, the kernel may hand it to this sender thread, and then the main thread's
    paused write sleeps on. Two signals of one kind that arrive before Python runs the first
    one's handler count as one (CPython keeps a flag per kind, not a count), so the tests that
    need two use two kinds."""
    main = threading.main_thread().ident

    def send() -> None:
        wait_for(lambda: part_files(folder), 10.0)
        for kind in kinds:
            signal.pthread_kill(main, kind)
            time.sleep(0.05)

    thread = threading.Thread(target=send)
    thread.start()
    return thread


@pytest.fixture(autouse=True)
def ctrl_c_raises() -> object:
    """Python's own Ctrl-C handler for each test: a process started in the background by a
    shell without job control (as some CI runners start jobs) inherits SIGINT ignored, and
    then a Ctrl-C would never reach the code under test."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def _interrupted_save(folder: Path, pause: float, kinds: list[signal.Signals]) -> Path:
    """Save epoch 1, then save epoch 2 with a paused write that gets the signals ``kinds``."""
    path = folder / "model.npz"
    model = nn.Dense(3, 2)
    save_checkpoint(path, model, epoch=1)
    os.environ[PAUSE_VARIABLE] = str(pause)
    sender = _send_during_the_write(folder, kinds)
    try:
        with pytest.raises(KeyboardInterrupt):
            save_checkpoint(path, model, epoch=2)
    finally:
        del os.environ[PAUSE_VARIABLE]
        sender.join()
    return path


def test_ctrl_c_during_a_save_is_held_until_the_checkpoint_is_complete(tmp_path: Path) -> None:
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    path = _interrupted_save(tmp_path, pause=0.5, kinds=[signal.SIGINT])
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == handlers
    assert read_extra(path) == {"epoch": 2}  # the new checkpoint, whole
    assert part_files(tmp_path) == []


def test_a_second_signal_aborts_the_save_and_keeps_the_old_checkpoint(tmp_path: Path) -> None:
    """Ctrl-C, then SIGTERM (say, from a scheduler) while the first is held: the write stops."""
    started = time.monotonic()
    path = _interrupted_save(tmp_path, pause=5, kinds=[signal.SIGINT, signal.SIGTERM])
    assert time.monotonic() - started < 4  # it did not wait for the pause to end
    assert read_extra(path) == {"epoch": 1}
    assert part_files(tmp_path) == []


# ---- tinydl train in a subprocess --------------------------------------------------------
def start_training(out: Path, pause: float | None = None) -> subprocess.Popen[str]:
    env = {**os.environ, "TINYDL_DATA": str(mnist_root()), "MPLBACKEND": "Agg"}
    env.pop(PAUSE_VARIABLE, None)
    if pause is not None:
        env[PAUSE_VARIABLE] = str(pause)
    command = [
        sys.executable, "-m", "tinydl.cli", "train", "mnist-mlp", "--limit", "300",
        "--batch-size", "100", "--epochs", "1000", "--no-progress", "--out", str(out),
    ]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    """Exit status and stderr, after the process ends (it must, within a minute)."""
    try:
        _, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    return process.returncode, err


def assert_clean_end(
    code: int, err: str, kind: signal.Signals, out: Path, epoch: int | None = None
) -> None:
    """Exit status, the one line on stderr, a checkpoint that loads and is the epoch the
    line names, and no temporary file."""
    assert code == 128 + kind, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    checkpoint = out / "model.npz"
    match = re.fullmatch(
        rf"tinydl: interrupted by {kind.name}; the last complete checkpoint is "
        rf"{re.escape(str(checkpoint))} \(epoch (\d+)\)",
        lines[0],
    )
    assert match, lines[0]
    saved = read_extra(checkpoint)
    assert saved["epoch"] + 1 == int(match.group(1))
    if epoch is not None:
        assert int(match.group(1)) == epoch
    model = zoo.recipe("mnist-mlp").build()
    load_checkpoint(checkpoint, model)
    assert all(np.isfinite(p.numpy()).all() for p in model.parameters())
    assert part_files(out) == []


@needs_mnist
@pytest.mark.parametrize(
    ("kind", "times"), [(signal.SIGINT, 2), (signal.SIGTERM, 1)], ids=["SIGINT-twice", "SIGTERM"]
)
def test_signal_during_training(kind: signal.Signals, times: int, tmp_path: Path) -> None:
    """Ctrl-C pressed twice (as people do) ends the run as cleanly as once."""
    process = start_training(tmp_path)
    wait_for(lambda: (tmp_path / "model.npz").exists() or process.poll() is not None)
    time.sleep(0.2)  # into the next epoch
    for _ in range(times):
        process.send_signal(kind)
        time.sleep(0.05)
    code, err = finish(process)
    assert_clean_end(code, err, kind, tmp_path)


@needs_mnist
@pytest.mark.parametrize("kind", SIGNALS, ids=lambda kind: kind.name)
def test_signal_during_a_checkpoint_write(kind: signal.Signals, tmp_path: Path) -> None:
    """The write in progress completes first: the checkpoint is that of the first epoch."""
    process = start_training(tmp_path, pause=0.5)
    wait_for(lambda: part_files(tmp_path) or process.poll() is not None)
    process.send_signal(kind)
    code, err = finish(process)
    assert_clean_end(code, err, kind, tmp_path, epoch=1)


@needs_mnist
def test_a_second_signal_during_a_write_keeps_the_previous_checkpoint(tmp_path: Path) -> None:
    """Epoch 1's checkpoint is written; Ctrl-C and then SIGTERM while epoch 2's is being
    written abort that write: epoch 1's stays, whole, and the run ends as the first signal
    asks. (Two signals of one kind sent close together may reach Python as one.)"""
    process = start_training(tmp_path, pause=2.0)  # the second write is aborted
    wait_for(lambda: (tmp_path / "model.npz").exists() or process.poll() is not None)
    wait_for(lambda: part_files(tmp_path) or process.poll() is not None)
    process.send_signal(signal.SIGINT)
    time.sleep(0.1)
    process.send_signal(signal.SIGTERM)
    code, err = finish(process)
    assert_clean_end(code, err, signal.SIGINT, tmp_path, epoch=1)
