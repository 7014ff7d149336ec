"""The CPU backend: a process group over MPI, through ``mpi4py``.

MPI (the Message Passing Interface) is what clusters have run on for thirty years:
``mpiexec -n 4 python train.py`` starts four copies of the program, each learns its rank
(0..3) and the world's size from ``MPI.COMM_WORLD``, and the library moves the bytes (shared
memory between processes on one machine, the network between machines) with collective
algorithms tuned for each. tinydl writes none of that: it hands arrays to MPI's
non-blocking collectives (``Iallreduce``, ``Ibcast``, ``Iallgather``, ``Ibarrier``) and
waits for them politely (:mod:`tinydl.distributed.work`).

Tensors on a GPU (or the test-only fake device) are copied to the host for MPI and back:
the MPI that pip installs is not CUDA-aware. The ``nccl`` backend keeps them on the GPU.

Once a group of several ranks exists, an uncaught exception on one rank prints its
traceback and then ends every rank (``MPI_Abort``), so that the others do not wait for a
rank that is gone.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tinydl import backend
from tinydl.distributed.errors import DistributedError
from tinydl.distributed.reduce_op import ReduceOp
from tinydl.distributed.work import Work

INSTALL_HINT = "pip install 'tinydl-edu[distributed]' (mpi4py and the mpich wheel)"


def import_mpi(caller: str) -> Any:
    """``mpi4py.MPI`` (which initialises MPI), or a DistributedError saying how to get it."""
    try:
        from mpi4py import MPI
    except ImportError as err:
        raise DistributedError(
            f"{caller} needs mpi4py, which is not installed: {INSTALL_HINT}"
        ) from err
    except RuntimeError as err:  # mpi4py is there but finds no MPI library to load
        raise DistributedError(
            f"{caller}: mpi4py found no MPI library ({err}): {INSTALL_HINT}"
        ) from err
    return MPI


class MpiGroup:
    """All the processes that ``mpiexec`` started, as one process group."""

    backend = "mpi"

    def __init__(self, timeout: float) -> None:
        MPI = import_mpi("init_process_group(backend='mpi')")
        self.MPI = MPI
        # Its own copy of the world communicator: the group's collectives can never be
        # matched with collectives the program makes through mpi4py itself.
        self.comm = MPI.COMM_WORLD.Dup()
        self.rank, self.size = self.comm.Get_rank(), self.comm.Get_size()
        self.timeout = timeout
        self._ops = {
            ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD,
            ReduceOp.MIN: MPI.MIN, ReduceOp.MAX: MPI.MAX, ReduceOp.BAND: MPI.BAND,
            ReduceOp.BOR: MPI.BOR, ReduceOp.BXOR: MPI.BXOR,
        }
        if self.size > 1:
            _guard_the_process(self)

    def local_rank(self) -> int:
        """This process's rank among the group's processes on the same machine."""
        node = self.comm.Split_type(self.MPI.COMM_TYPE_SHARED)
        try:
            return node.Get_rank()
        finally:
            node.Free()

    # ---- the collectives: each starts at once and returns a Work that finishes it --------
    def all_reduce(self, array: Any, op: ReduceOp) -> Work:
        buffer, write_back = _host_buffer(array)

        def finish() -> None:
            if op is ReduceOp.AVG:
                buffer[...] /= self.size
            write_back()

        request = self.comm.Iallreduce(self.MPI.IN_PLACE, buffer, op=self._ops[op])
        return self._work(request, finish, "all_reduce")

    def broadcast(self, array: Any, src: int) -> Work:
        buffer, write_back = _host_buffer(array)
        return self._work(self.comm.Ibcast(buffer, root=src), write_back, "broadcast")

    def all_gather(self, outputs: Sequence[Any], array: Any) -> Work:
        sent, _ = _host_buffer(array)
        received = np.empty((self.size, *sent.shape), dtype=sent.dtype)

        def finish() -> None:
            for output, piece in zip(outputs, received, strict=True):
                _write(output, piece)

        return self._work(self.comm.Iallgather(sent, received), finish, "all_gather")

    def barrier(self) -> Work:
        return self._work(self.comm.Ibarrier(), lambda: None, "barrier")

    def _work(self, request: Any, finish: Callable[[], None], what: str) -> Work:
        return Work(request.Test, finish, what, self.timeout, self.rank)

    def abort(self, exit_code: int) -> None:
        """End every rank of the job now (``MPI_Abort``)."""
        sys.stdout.flush()
        sys.stderr.flush()
        self.comm.Abort(exit_code)


def _host_buffer(array: Any) -> tuple[np.ndarray, Callable[[], None]]:
    """A C-contiguous host array MPI can work on in place, and the function that puts its
    contents back into ``array`` (nothing to do when it is ``array`` itself)."""
    if isinstance(array, np.ndarray) and array.flags.c_contiguous and array.dtype != np.float16:
        return array, lambda: None
    host = np.ascontiguousarray(backend.to_numpy(array))  # a copy off a device
    if host.dtype == np.float16:  # MPI has no half-precision type: carry it as float32
        host = host.astype(np.float32)
    return host, lambda: _write(array, host)


def _write(target: Any, values: np.ndarray) -> None:
    """``target[...] = values`` across the host/device wall (an explicit transfer)."""
    if isinstance(target, np.ndarray):
        target[...] = values
    else:
        target[...] = backend.array_module(target).asarray(values.astype(target.dtype))


# ---- the process-wide safeguard ----------------------------------------------------------
_guarded: list[MpiGroup] = []  # the latest group of several ranks (its abort)


def _guard_the_process(group: MpiGroup) -> None:
    """Install the safeguard of the module docstring, once per process."""
    if not _guarded:
        _guarded.append(group)
        previous = sys.excepthook

        def abort_on_uncaught(kind: type[BaseException], error: BaseException, trace: Any) -> None:
            previous(kind, error, trace)
            latest = _guarded[0]
            if latest.MPI.Is_finalized():
                return
            print(f"tinydl.distributed: rank {latest.rank} of {latest.size} stopped with "
                  f"{kind.__name__}; ending every rank (MPI_Abort) so that none waits for it",
                  file=sys.stderr)
            latest.abort(1)

        sys.excepthook = abort_on_uncaught
    _guarded[0] = group
