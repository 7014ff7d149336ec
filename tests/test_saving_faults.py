"""Faults while saving, made real (issue 24): a full disk, ``kill -9`` in the middle of a
write, and two runs of ``tinydl train`` given one ``--out`` folder.

- **A full disk.** A small tmpfs needs root, so a subprocess lowers its file-size limit
  (``RLIMIT_FSIZE``, as ``ulimit -f`` does) below the size of what it saves: the kernel
  then refuses the write with EFBIG ("File too large"), as a full disk refuses one with
  ENOSPC, and tinydl's :class:`~tinydl.errors.FileWriteError` must name the file and the
  operation, keep the previous file, and leave no temporary file, for every way of saving.
  Where this process may mount one, a real 200 kB tmpfs is filled (ENOSPC), then made
  read-only (EROFS).
- **kill -9.** A subprocess is killed while its write is held open (the test hook
  ``TINYDL_TEST_CHECKPOINT_PAUSE``): the previous file is whole, a ``.part`` is left, and
  the next save of that file, or the next ``tinydl train`` in that folder, removes it.
- **Two runs, one folder.** The second is refused, naming the first; once the first is
  dead (killed, so its lock file is still there) the next run takes the folder over.

Only the tests marked ``needs_mnist`` read MNIST; the others run anywhere.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_cli import mnist_root, needs_mnist, run
from test_interrupt import wait_for

import tinydl
from tinydl import zoo
from tinydl.errors import FileWriteError
from tinydl.train import save_checkpoint
from tinydl.train.checkpoint import PAUSE_VARIABLE, read_extra
from tinydl.train.folder_lock import LOCK_NAME, folder_lock

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 20_000  # bytes: below every file the full-disk script saves


def python(code: str, *args: str, pause: float | None = None, limit: int | None = None,
           **popen: object) -> subprocess.Popen[str]:
    """A Python subprocess running ``code`` with this checkout's tinydl; ``pause`` holds each
    checkpoint write open that long; ``limit`` is its file-size limit in bytes."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    env.pop(PAUSE_VARIABLE, None)
    if pause is not None:
        env[PAUSE_VARIABLE] = str(pause)
    if limit is not None:
        code = (f"import resource\nresource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, "
                f"resource.getrlimit(resource.RLIMIT_FSIZE)[1]))\n") + code
    return subprocess.Popen([sys.executable, "-c", code, *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)


def finish(process: subprocess.Popen[str], seconds: float = 120) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    return process.returncode, out, err


def parts(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.glob(".*.part"))


# ---- a full disk ---------------------------------------------------------------------------
# Each way of saving writes its file once with room to spare, then again under the limit.
FULL_DISK = r"""
import hashlib, json, resource, sys
from pathlib import Path
import numpy as np
import tinydl
from tinydl import keras, nn, plots
from tinydl.train import save_checkpoint

folder = Path(sys.argv[1])
limit = resource.getrlimit(resource.RLIMIT_FSIZE)
resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, limit[1]))

def keras_model():
    model = keras.Sequential([keras.Input((50,)), keras.layers.Dense(100)])
    model.compile(optimizer="adam", loss="mse")
    return model

def fit_with_checkpoint(model, path):
    x = np.ones((4, 50), np.float32)
    model.fit(x, np.ones((4, 100), np.float32), epochs=1, verbose=0,
              callbacks=[keras.callbacks.ModelCheckpoint(str(path))])

model = keras_model()
saves = {
    "save_checkpoint": ("c.npz", lambda p: save_checkpoint(p, nn.Linear(100, 100), epoch=1)),
    "tinydl.save": ("s.pt", lambda p: tinydl.save({"w": np.zeros(10_000)}, p)),
    "model.save": ("m.keras", lambda p: model.save(p)),
    "model.save_weights": ("m.weights.npz", lambda p: model.save_weights(p)),
    "ModelCheckpoint": ("best.keras", lambda p: fit_with_checkpoint(model, p)),
    "plots": ("curves.png", lambda p: plots.training_curves(
        {"loss": list(np.linspace(2, 0, 50)), "accuracy": list(np.linspace(0, 1, 50))}, p)),
}
before = {}
for name, (file, save) in saves.items():
    save(folder / file)
    before[name] = hashlib.sha256((folder / file).read_bytes()).hexdigest()
resource.setrlimit(resource.RLIMIT_FSIZE, limit)
outcome = {}
for name, (file, save) in saves.items():
    try:
        save(folder / file)
        outcome[name] = {"error": None}
    except Exception as err:
        outcome[name] = {"error": type(err).__name__, "message": str(err), "errno": err.errno,
                         "oserror": isinstance(err, OSError)}
    outcome[name]["unchanged"] = (
        hashlib.sha256((folder / file).read_bytes()).hexdigest() == before[name])
resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, limit[1]))
outcome["files"] = sorted(path.name for path in folder.iterdir())
print(json.dumps(outcome))
"""

OPERATIONS = {  # how each way of saving names itself
    "save_checkpoint": ("c.npz", "save_checkpoint()"),
    "tinydl.save": ("s.pt", "tinydl.save()"),
    "model.save": ("m.keras", "model.save()"),
    "model.save_weights": ("m.weights.npz", "model.save_weights()"),
    "ModelCheckpoint": ("best.keras", "model.save()"),
    "plots": ("curves.png", "saving a plot"),
}


@pytest.fixture(scope="module")
def full_disk(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("full-disk")
    code, out, err = finish(python(FULL_DISK, str(folder), limit=LIMIT))
    assert code == 0, err
    return folder, json.loads(out.strip().splitlines()[-1])


@pytest.mark.parametrize("way", list(OPERATIONS))
def test_a_full_disk_names_the_file_and_keeps_the_old_one(full_disk, way: str) -> None:
    folder, outcome = full_disk
    file, operation = OPERATIONS[way]
    path = folder / file
    assert outcome[way] == {
        "error": "FileWriteError", "errno": 27, "oserror": True, "unchanged": True,
        "message": f"{operation}: cannot write {path}: File too large (EFBIG); {path} is "
                   f"unchanged, and no temporary file is left",
    }
    assert outcome["files"] == sorted(file for file, _ in OPERATIONS.values())  # no .part


@needs_mnist
def test_a_full_disk_ends_tinydl_train_with_one_line(tmp_path: Path) -> None:
    out = tmp_path / "run"
    process = python(
        "import sys\nfrom tinydl.cli import main\nsys.exit(main(sys.argv[1:]))",
        "train", "mnist-mlp", "--limit", "200", "--batch-size", "100", "--epochs", "1",
        "--no-progress", "--data", str(mnist_root()), "--out", str(out), limit=LIMIT,
    )
    code, _, err = finish(process)
    checkpoint = out / "model.npz"
    assert (code, err) == (2, f"tinydl: error: save_checkpoint(): cannot write {checkpoint}: "
                              f"File too large (EFBIG); {checkpoint} was not created, and no "
                              f"temporary file is left\n")
    assert not out.exists()  # the run made the folder, and left it as empty as it found it


# ---- kill -9 during a write -----------------------------------------------------------------
WRITER = r"""
import sys
from pathlib import Path
import tinydl
from tinydl import nn, zoo
from tinydl.train import save_checkpoint
from tinydl.train.folder_lock import folder_lock

kind, path = sys.argv[1], Path(sys.argv[2])
if kind == "save_checkpoint":
    save_checkpoint(path, nn.Linear(3, 2), epoch=2)
elif kind == "tinydl.save":
    tinydl.save({"epoch": 2}, path)
else:  # a tinydl train run: it holds its folder while it writes epoch 2's checkpoint
    with folder_lock(path.parent, "--out", "tinydl train mnist-mlp"):
        save_checkpoint(path, zoo.recipe("mnist-mlp").build(), epoch=1, example="mnist-mlp")
"""


def killed_while_writing(kind: str, path: Path) -> str:
    """Run a writer of ``path`` and ``kill -9`` it while its temporary file exists; the
    name of the temporary file it leaves."""
    process = python(WRITER, kind, str(path), pause=60)
    wait_for(lambda: parts(path.parent) or process.poll() is not None)
    process.send_signal(signal.SIGKILL)
    process.wait()  # reaped: its pid is no longer a running process
    assert process.returncode == -signal.SIGKILL
    (left,) = parts(path.parent)
    assert left.startswith(f".{path.name}.{process.pid}.")
    return left


def test_kill_9_during_save_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "c.npz"
    save_checkpoint(path, tinydl.nn.Linear(3, 2), epoch=1)
    killed_while_writing("save_checkpoint", path)
    assert read_extra(path) == {"epoch": 1}  # the previous checkpoint, whole
    live = tmp_path / f".c.npz.{os.getpid()}.abc.part"  # a running writer's: left alone
    live.write_bytes(b"")
    save_checkpoint(path, tinydl.nn.Linear(3, 2), epoch=3)
    assert read_extra(path) == {"epoch": 3}
    assert parts(tmp_path) == [live.name]  # the killed writer's is gone


def test_kill_9_during_tinydl_save(tmp_path: Path) -> None:
    path = tmp_path / "state.pt"
    tinydl.save({"epoch": 1}, path)
    killed_while_writing("tinydl.save", path)
    assert tinydl.load(path) == {"epoch": 1}
    tinydl.save({"epoch": 3}, path)
    assert tinydl.load(path) == {"epoch": 3} and parts(tmp_path) == []


def test_kill_9_during_a_run_then_resume(tmp_path: Path) -> None:
    """A run killed while writing its second epoch's checkpoint leaves its lock file and a
    .part; ``--resume`` takes the folder over, removes the .part and says both."""
    checkpoint = tmp_path / "model.npz"
    save_checkpoint(checkpoint, zoo.recipe("mnist-mlp").build(), epoch=0, example="mnist-mlp")
    saved = checkpoint.read_bytes()
    left = killed_while_writing("train", checkpoint)
    record = json.loads((tmp_path / LOCK_NAME).read_text())
    code, out, err = run(["train", "mnist-mlp", "--resume", "--epochs", "1",
                          "--out", str(tmp_path)])
    assert code == 0
    assert err.splitlines() == [
        f"tinydl: {tmp_path} was locked by tinydl train mnist-mlp (pid {record['pid']}, since "
        f"{record['since']}), which ended without unlocking it; this run takes the folder over",
        f"tinydl: removed {left} from {tmp_path}: temporary files of writes that were killed",
    ]
    assert out == (f"{checkpoint} already holds 1 epoch, and --epochs 1 asks for no more: "
                   f"nothing to train; the checkpoint, results.json and the plots are left as "
                   f"they are\n")
    assert checkpoint.read_bytes() == saved
    assert sorted(path.name for path in tmp_path.iterdir()) == ["model.npz"]  # no lock left


# ---- two runs, one folder -----------------------------------------------------------------
HOLDER = r"""
import sys, time
from tinydl.train.folder_lock import folder_lock
with folder_lock(sys.argv[1], "--out", "tinydl train mnist-mlp"):
    print("locked", flush=True)
    time.sleep(120)
"""


def test_a_second_run_is_refused_naming_the_first_and_a_dead_one_is_taken_over(
    tmp_path: Path,
) -> None:
    holder = python(HOLDER, str(tmp_path))
    try:
        assert holder.stdout.readline() == "locked\n"
        record = json.loads((tmp_path / LOCK_NAME).read_text())
        assert record["pid"] == holder.pid
        code, out, err = run(["train", "mnist-mlp", "--out", str(tmp_path)])
        assert (code, out) == (2, "")
        assert err == (f"tinydl: error: --out {tmp_path} is in use by another run: tinydl train "
                       f"mnist-mlp (pid {holder.pid}, since {record['since']}); wait for it to "
                       f"end, or give another --out\n")
    finally:
        holder.kill()
        holder.wait()
    with folder_lock(tmp_path, "--out", "tinydl train mnist-mlp") as lock:
        assert lock.taken_over_from == record
        assert json.loads((tmp_path / LOCK_NAME).read_text())["pid"] == os.getpid()
    assert list(tmp_path.iterdir()) == []


@needs_mnist
def test_two_tinydl_train_runs_on_one_folder(tmp_path: Path) -> None:
    first = python(
        "import sys\nfrom tinydl.cli import main\nsys.exit(main(sys.argv[1:]))",
        "train", "mnist-mlp", "--limit", "300", "--batch-size", "100", "--epochs", "1000",
        "--no-progress", "--data", str(mnist_root()), "--out", str(tmp_path),
    )
    try:
        lock = tmp_path / LOCK_NAME
        wait_for(lambda: lock.exists() and lock.read_text() or first.poll() is not None)
        code, _, err = run(["train", "mnist-mlp", "--data", str(mnist_root()),
                            "--out", str(tmp_path)])
        assert code == 2
        assert re.fullmatch(
            rf"tinydl: error: --out {re.escape(str(tmp_path))} is in use by another run: tinydl "
            rf"train mnist-mlp \(pid {first.pid}, since [-\d: ]+\); wait for it to end, or give "
            rf"another --out\n", err)
    finally:
        first.send_signal(signal.SIGINT)
        code, _, err = finish(first)
    assert code == 128 + signal.SIGINT, err
    assert not (tmp_path / LOCK_NAME).exists()  # the first run unlocked its folder as it ended


# ---- a real full disk, and a real read-only file system, where this machine allows ---------
@pytest.fixture
def small_file_system(tmp_path: Path) -> Iterator[Path]:
    """A 200 kB tmpfs (mounting needs root and the right to mount: else the test skips; the
    file-size limit above covers the same path everywhere)."""
    folder = tmp_path / "small"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(folder)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip() or 'not root'}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_real_full_disk_and_a_read_only_one(small_file_system: Path) -> None:
    path = small_file_system / "model.npz"
    save_checkpoint(path, tinydl.nn.Linear(10, 10), epoch=1)
    with pytest.raises(FileWriteError, match=re.escape(
            f"save_checkpoint(): cannot write {path}: No space left on device (ENOSPC); {path} "
            f"is unchanged, and no temporary file is left")):
        save_checkpoint(path, tinydl.nn.Linear(300, 300), epoch=2)  # 360 kB
    assert read_extra(path) == {"epoch": 1} and parts(small_file_system) == []
    subprocess.run(["mount", "-o", "remount,ro", str(small_file_system)], check=True)
    with pytest.raises(FileWriteError, match=re.escape(
            f"tinydl.save(): cannot write {path}: Read-only file system (EROFS); {path} is "
            f"unchanged, and no temporary file is left")):
        tinydl.save({"epoch": 3}, path)
    assert read_extra(path) == {"epoch": 1}
