"""The fast paths' thread pool (tinydl/backend/host_threads.py): how it splits the work,
that the parts run at once and each exactly once, that a failing part's error reaches
the caller, how many threads it takes, and OpenBLAS's spin setting around NumPy's import."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import threading
import types

import numpy as np
import pytest

from tinydl.backend import host_threads


@pytest.mark.parametrize(("length", "smallest", "count", "expected"), [
    (10, 3, 2, [slice(0, 5), slice(5, 10)]),
    (10, 3, 4, [slice(0, 3), slice(3, 6), slice(6, 10)]),  # no part under 3
    (5, 3, 2, [slice(0, 5)]),  # too small to share
    (0, 3, 2, [slice(0, 0)]),
    (7, 1, 3, [slice(0, 2), slice(2, 4), slice(4, 7)]),
])  # fmt: skip
def test_parts_cover_the_range_in_order(length, smallest, count, expected) -> None:
    assert host_threads.parts_of(length, smallest, count) == expected


def test_every_part_runs_once_and_threads_run_parts_at_once(monkeypatch) -> None:
    monkeypatch.setattr(host_threads, "thread_count", lambda: 2)
    both_working = threading.Barrier(2, timeout=10)  # broken unless two parts overlap
    seen = []

    def work(thread: int, part: slice) -> None:
        if thread not in {thread for _, thread, _ in seen}:  # each thread's first part
            both_working.wait()
        seen.append((part, thread, threading.current_thread() is threading.main_thread()))

    host_threads.run_in_parts(work, 100, smallest=10)
    assert sorted(part for part, _, _ in seen) == [slice(0, 50), slice(50, 100)]
    assert {(thread, in_main) for _, thread, in_main in seen} == {(0, True), (1, False)}


@pytest.mark.parametrize("failing_thread", [0, 1])
def test_an_error_in_any_thread_reaches_the_caller_after_every_thread_ends(
        monkeypatch, failing_thread) -> None:
    monkeypatch.setattr(host_threads, "thread_count", lambda: 2)
    running = threading.Barrier(2, timeout=10)  # both threads hold a part before any fails
    done = []

    def work(thread: int, part: slice) -> None:  # two parts: one each
        running.wait()
        if thread == failing_thread:
            raise ValueError(f"thread {thread} failed")
        done.append(part)

    with pytest.raises(ValueError, match=f"thread {failing_thread} failed"):
        host_threads.run_in_parts(work, 20, smallest=10)
    assert len(done) == 1  # the other thread finished its part


def test_a_pass_too_small_to_share_stays_in_the_calling_thread(monkeypatch) -> None:
    monkeypatch.setattr(host_threads, "thread_count", lambda: 2)
    threads = []
    host_threads.run_in_parts(lambda k, part: threads.append(threading.current_thread()),
                              15, smallest=10)
    assert threads == [threading.main_thread()]


def test_one_thread_takes_the_whole_pass_as_one_part(monkeypatch) -> None:
    monkeypatch.setattr(host_threads, "thread_count", lambda: 1)
    parts = []
    host_threads.run_in_parts(lambda k, part: parts.append((k, part)), 1000, smallest=10)
    assert parts == [(0, slice(0, 1000))]


def run_python(code: str, **environment: str) -> str:
    """``code``'s printout in a fresh interpreter with ``environment`` (and only that)."""
    import os

    keep = {name: os.environ[name] for name in ("PATH", "PYTHONPATH") if name in os.environ}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**keep, **environment}, check=True)
    return done.stdout.strip()


REPORT = ("import os; from tinydl.backend import host_threads as h; "
          "print(os.environ['OPENBLAS_THREAD_TIMEOUT'], h.thread_count())")


@pytest.mark.parametrize(("environment", "expected"), [
    ({"OMP_NUM_THREADS": "3"}, "18 3"),  # tinydl first: it sets OpenBLAS's spin
    ({"OPENBLAS_NUM_THREADS": "2", "OMP_NUM_THREADS": "3"}, "18 2"),  # OpenBLAS's own first
    ({"OPENBLAS_THREAD_TIMEOUT": "16", "OMP_NUM_THREADS": "2"}, "16 2"),  # the user's kept
])  # fmt: skip
def test_thread_count_follows_openblas_settings(environment, expected) -> None:
    assert run_python("import tinydl; " + REPORT, **environment) == expected


def test_numpy_loaded_first_with_openblas_spinning_leaves_one_thread() -> None:
    code = "import numpy, tinydl; " + REPORT
    assert run_python(code, OMP_NUM_THREADS="2") == "18 1"  # set too late for OpenBLAS
    assert run_python(code, OMP_NUM_THREADS="2", OPENBLAS_THREAD_TIMEOUT="20") == "20 2"


SET_AND_REPORT = (
    "import threadpoolctl; from tinydl.backend import host_threads as h; "
    "blas = lambda: [i['num_threads'] for i in threadpoolctl.threadpool_info() "
    "if i['user_api'] == 'blas']; "
    "tinydl.set_num_threads({count}); print(tinydl.get_num_threads(), blas(), h.thread_count())"
)


@pytest.mark.parametrize(("imports", "count", "expected"), [
    ("import tinydl", 1, "1 [1] 1"),
    ("import tinydl", 3, "3 [3] 3"),
    ("import numpy, tinydl", 3, "3 [3] 1"),  # OpenBLAS spins: its threads set, the pool off
])  # fmt: skip
def test_set_num_threads_sets_numpys_blas_and_the_pool(imports, count, expected) -> None:
    """PyTorch's set_num_threads and get_num_threads, in fresh interpreters (the setting is
    process-wide): OpenBLAS as threadpoolctl reads it back, and the pool's count."""
    code = f"{imports}; " + SET_AND_REPORT.format(count=count)
    assert run_python(code, OMP_NUM_THREADS="2") == expected


def test_element_wise_parts_are_runs_of_the_first_arrays_outermost_memory_axis(three_threads):
    memory = np.arange(4 * 5 * 6 * 7.0).reshape(4, 5, 6, 7)  # (C, H, W, N)
    x = memory.transpose(3, 0, 1, 2)  # seen as (N, C, H, W): parts are runs of channels
    other = np.ascontiguousarray(x)  # a second array in another layout, read in step
    parts = []
    host_threads.run_on_elements(lambda a, b: parts.append((a.shape, (a == b).all())), x, other)
    assert sorted(parts) == [((1, 5, 6, 7), True), ((1, 5, 6, 7), True), ((2, 5, 6, 7), True)]


def test_gpu_arrays_take_one_call(monkeypatch, three_threads):
    class GpuArray(np.ndarray):  # stands in for cupy.ndarray
        pass

    monkeypatch.setitem(sys.modules, "cupy", types.SimpleNamespace(ndarray=GpuArray))
    calls = []
    host_threads.run_on_elements(lambda a: calls.append(a.shape),
                                 np.zeros((6, 4)).view(GpuArray))
    assert calls == [(6, 4)]


def test_a_forked_child_makes_its_own_pool(monkeypatch) -> None:
    """A forked process inherits the pool object but none of its threads: its first split
    pass must start new ones instead of waiting for the parent's."""
    monkeypatch.setattr(host_threads, "thread_count", lambda: 2)
    host_threads.run_in_parts(lambda k, part: None, 100, smallest=10)  # the parent's pool
    child = multiprocessing.get_context("fork").Process(
        target=host_threads.run_in_parts, args=(lambda k, part: None, 100, 10))
    child.start()
    child.join(timeout=20)
    if child.is_alive():  # stuck waiting for threads it does not have
        child.kill()
    assert child.exitcode == 0


def test_a_split_pass_inside_a_part_does_not_wait_for_itself(monkeypatch) -> None:
    """A part that splits a pass of its own, on a pool thread, finds the pool busy (with
    itself): it takes every part of its pass instead of waiting for a helper forever."""
    monkeypatch.setattr(host_threads, "thread_count", lambda: 2)
    inner = []

    def outer_part(thread: int, part: slice) -> None:
        host_threads.run_in_parts(lambda k, p: inner.append(p), 100, smallest=10)

    worker = threading.Thread(target=host_threads.run_in_parts, args=(outer_part, 100, 10),
                              daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive()
    assert sorted(inner, key=lambda p: p.start) == [slice(0, 50), slice(0, 50), slice(50, 100),
                                                    slice(50, 100)]
