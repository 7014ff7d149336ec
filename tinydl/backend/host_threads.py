"""Both cores for NumPy's element-wise passes: a small pool of threads for the fast paths.

BLAS runs a GEMM on every core, but NumPy runs each ufunc and copy on one, so on two
cores the element-wise half of a training step (Adam's update, im2col's copies, the
activations) leaves one core idle. NumPy lets go of the GIL inside each pass over a large
array, so a fast path can split a pass into contiguous parts (runs of elements, whole
channels) and have this pool run them at once: :func:`run_in_parts`. Every part writes
only its own slice of the outputs and computes each of its elements as the whole pass
would, so the result is the same bit for bit however the work is split.

OpenBLAS's idle threads spin for 2^28 clock cycles (about 0.1 s) after every GEMM before
they sleep, and they spin on the cores the pool needs: with that default, a 6.4M-element
Adam update split over two threads right after a GEMM ran no faster than on one (8.4 ms
against 8.3 ms). ``OPENBLAS_THREAD_TIMEOUT=N`` makes them sleep after 2^N cycles: at 20,
the same split took 5.5 ms against 8.6 ms. tinydl sets 18 (0.1 ms at 2.6 GHz), which
gained the passes more than 20 (col2im 2.01 -> 1.35 ms against 2.15 -> 1.44 ms); at 16
the LSTM's step took 14.8 ms instead of 10.8 ms, OpenBLAS sleeping, and being woken,
between its per-step products. OpenBLAS reads the variable once, when NumPy loads it, so
this module, which tinydl imports before NumPy, sets it unless it is set already. When
NumPy was imported before tinydl without it, the pool stays off (its parts would wait
for the spinning threads); such a program can export the variable itself.
(benchmarks/host_threads.py times each split pass and whole steps with the pool off and
on; benchmarks/results/README.md, "Issue 25", has the story.)

The pool has as many threads as OpenBLAS uses: ``OPENBLAS_NUM_THREADS``, else
``OMP_NUM_THREADS``, else the cores this process may run on; :func:`set_num_threads`
(PyTorch's ``torch.set_num_threads``) sets both later.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

OPENBLAS_SPIN = "OPENBLAS_THREAD_TIMEOUT"
SPIN_EXPONENT = "18"

# Whether OpenBLAS reads a short spin: the variable is set already, or NumPy (which loads
# OpenBLAS and reads it then) is not loaded yet.
_openblas_sleeps = OPENBLAS_SPIN in os.environ or "numpy" not in sys.modules
os.environ.setdefault(OPENBLAS_SPIN, SPIN_EXPONENT)


def _threads_from_the_environment() -> int:
    if not _openblas_sleeps:
        return 1
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        setting = os.environ.get(variable, "").strip()
        if setting.isdigit() and int(setting) > 0:
            return int(setting)
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    return len(cores) if cores else os.cpu_count() or 1


_threads = _threads_from_the_environment()  # once, as OpenBLAS reads its settings


def thread_count() -> int:
    """How many threads the element-wise passes may use: OpenBLAS's own count (see above),
    or 1 when OpenBLAS's threads keep spinning after a GEMM."""
    return _threads


def set_num_threads(count: int) -> None:
    """PyTorch's ``torch.set_num_threads``: compute on ``count`` CPU threads from now on.
    Sets NumPy's BLAS (through threadpoolctl, which finds the library NumPy loaded) and this
    pool, which stays at one thread where OpenBLAS's threads spin (see above)."""
    from threadpoolctl import threadpool_limits  # here: this module loads before NumPy

    from tinydl import check

    global _threads, _pool
    count = check.positive_int("set_num_threads()", "count", count)
    threadpool_limits(count, user_api="blas")
    _threads = count if _openblas_sleeps else 1
    _pool = None  # made again, at the new size, when a pass is next split


def get_num_threads() -> int:
    """PyTorch's ``torch.get_num_threads``: the CPU threads NumPy's BLAS computes on (the
    pool's count where NumPy's BLAS reports none)."""
    from threadpoolctl import threadpool_info

    counts = [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]
    return max(counts, default=thread_count())


_pool: ThreadPoolExecutor | None = None
_pool_process = 0


def _the_pool() -> ThreadPoolExecutor:
    """The shared pool, made on first use (a process that never splits a pass starts none),
    and again in a forked child, which inherits the pool but none of its threads."""
    global _pool, _pool_process
    if _pool is None or _pool_process != os.getpid():
        _pool = ThreadPoolExecutor(max(thread_count() - 1, 1), thread_name_prefix="tinydl")
        _pool_process = os.getpid()
    return _pool


def parts_of(length: int, smallest: int, count: int) -> list[slice]:
    """``range(length)`` as up to ``count`` contiguous slices of near-equal length, none
    shorter than ``smallest`` (one slice when the work is too small to share)."""
    count = max(1, min(count, length // max(smallest, 1)))
    bounds = [length * k // count for k in range(count + 1)]
    return [slice(bounds[k], bounds[k + 1]) for k in range(count)]


def run_in_parts(work: Callable[[int, slice], None], length: int, smallest: int) -> None:
    """Call ``work(thread, part)`` once for every part of ``range(length)`` (see
    :func:`parts_of`; at least ``smallest`` long), the calling thread (``thread`` 0) and the
    pool's threads taking parts at the same time, one part per thread: each takes the next
    part left when it is free (more parts a thread measured slower, 1.2 against 1.5 ms for
    col2im's sums in two parts or four). Returns when all are done; an exception in any part
    is raised here. ``thread`` lets a part use its thread's scratch memory."""
    parts = parts_of(length, smallest, thread_count())  # never more parts than threads
    if len(parts) == 1:
        work(0, parts[0])
        return
    left = iter(parts)  # shared: taking the next part is one step under the GIL

    def take_parts(thread: int) -> None:
        for part in left:
            work(thread, part)

    helpers = [_the_pool().submit(take_parts, thread) for thread in range(1, len(parts))]
    try:
        take_parts(0)
    finally:  # every part is taken: a helper that has not started is dropped (it could be
        # queued behind this very call, made from a pool thread), the others awaited
        started = [helper for helper in helpers if not helper.cancel()]
        for helper in started:
            helper.exception()
    for helper in started:
        helper.result()


SMALLEST_PART = 1 << 17
"""Elements a part of an element-wise pass gets at least: about 50 µs of NumPy's work, more
than handing the part to another thread costs."""


def rows_per_part(array: Any) -> int:
    """The fewest rows (entries of the first axis) of ``array`` that hold
    :data:`SMALLEST_PART` elements: the ``smallest`` for splitting its first axis."""
    return -(-SMALLEST_PART * array.shape[0] // max(array.size, 1))


def run_on_elements(work: Callable[..., None], *arrays: Any) -> None:
    """Run an element-wise pass ``work(*arrays)`` (arrays of one shape) in parts: each part
    calls ``work`` on the same block of every array, a run of the outermost axis of the
    first array's memory (for a batch-last activation, seen as (N, C, H, W) but stored
    (C, H, W, N): a run of channels). The other arrays need not share that layout. A GPU's
    arrays take one call: its kernels already use the whole device."""
    from tinydl.backend.devices import is_cuda, memory_order  # here: loaded before NumPy

    first = arrays[0]
    if first.ndim == 0 or is_cuda(first):
        work(*arrays)
        return
    axes = memory_order(first.strides)
    views = [array.transpose(axes) for array in arrays]
    run_in_parts(lambda k, part: work(*(view[part] for view in views)), views[0].shape[0],
                 rows_per_part(views[0]))
