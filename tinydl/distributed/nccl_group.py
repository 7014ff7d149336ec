"""The GPU backend: a process group over NCCL, through CuPy's ``cupy.cuda.nccl``.

NCCL is NVIDIA's collective library, the one PyTorch's ``nccl`` backend uses: its
all-reduce runs as GPU kernels over NVLink, PCIe or InfiniBand, with the data never
leaving the GPUs. NCCL does not start processes or find its peers: rank 0 makes a unique
id, every rank must receive it, and then each builds its communicator from (world size,
id, rank). Here MPI starts the processes and broadcasts the id, as ChainerMN did.

Each process drives one GPU, picked by its rank among the processes on its machine
(``device_id`` overrides it). NCCL's calls are queued on the current CUDA stream and
return at once; :class:`~tinydl.distributed.work.Work` polls a CUDA event recorded after
them, with the group's timeout, and aborts the communicator when it runs out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import numpy as np

from tinydl import backend
from tinydl.distributed.errors import DistributedError
from tinydl.distributed.mpi_group import MpiGroup
from tinydl.distributed.reduce_op import ReduceOp
from tinydl.distributed.work import Work

_UNIQUE_ID_BYTES = 128  # NCCL_UNIQUE_ID_BYTES in nccl.h; CuPy gives the id as 128 ints
# NCCL's names for tinydl's dtypes and reductions (looked up in the nccl module).
NCCL_DTYPES = {
    np.dtype(np.float16): "NCCL_FLOAT16", np.dtype(np.float32): "NCCL_FLOAT32",
    np.dtype(np.float64): "NCCL_FLOAT64", np.dtype(np.int8): "NCCL_INT8",
    np.dtype(np.uint8): "NCCL_UINT8", np.dtype(np.int32): "NCCL_INT32",
    np.dtype(np.int64): "NCCL_INT64",
}
NCCL_OPS = {
    ReduceOp.SUM: "NCCL_SUM", ReduceOp.PRODUCT: "NCCL_PROD", ReduceOp.MIN: "NCCL_MIN",
    ReduceOp.MAX: "NCCL_MAX", ReduceOp.AVG: "NCCL_AVG",
}


class NcclGroup:
    """The processes that ``mpiexec`` started, one GPU each, as one NCCL process group.
    ``cupy`` and ``nccl`` are the modules to use (CuPy and ``cupy.cuda.nccl``)."""

    backend = "nccl"

    def __init__(self, mpi: MpiGroup, cupy: ModuleType, nccl: ModuleType,
                 device_id: int | None = None) -> None:
        self.mpi, self.cupy, self.nccl = mpi, cupy, nccl
        self.rank, self.size, self.timeout = mpi.rank, mpi.size, mpi.timeout
        if device_id is None:
            device_id = mpi.local_rank() % cupy.cuda.runtime.getDeviceCount()
        self.device_id = device_id
        cupy.cuda.Device(device_id).use()
        unique_id = np.zeros(_UNIQUE_ID_BYTES, dtype=np.int64)
        if self.rank == 0:
            made = nccl.get_unique_id()
            unique_id[: len(made)] = made
        mpi.broadcast(unique_id, 0).wait()  # NCCL cannot find its peers: MPI tells them
        self.comm = nccl.NcclCommunicator(self.size, tuple(int(b) for b in unique_id), self.rank)

    # ---- the collectives -----------------------------------------------------------------
    def all_reduce(self, array: Any, op: ReduceOp) -> Work:
        self._check(array, "all_reduce")
        if op not in NCCL_OPS:
            raise DistributedError(f"all_reduce: NCCL has no {op!r}; it offers "
                                   f"{', '.join(repr(o) for o in NCCL_OPS)}")
        self.comm.allReduce(array.data.ptr, array.data.ptr, array.size, self._dtype(array),
                            getattr(self.nccl, NCCL_OPS[op]), self._stream())
        return self._work(lambda: None, "all_reduce")

    def broadcast(self, array: Any, src: int) -> Work:
        self._check(array, "broadcast")
        self.comm.bcast(array.data.ptr, array.size, self._dtype(array), src, self._stream())
        return self._work(lambda: None, "broadcast")

    def all_gather(self, outputs: Sequence[Any], array: Any) -> Work:
        self._check(array, "all_gather")
        sent = self.cupy.ascontiguousarray(array)
        received = self.cupy.empty((self.size, *sent.shape), dtype=sent.dtype)
        self.comm.allGather(sent.data.ptr, received.data.ptr, sent.size, self._dtype(sent),
                            self._stream())

        def finish() -> None:
            for output, piece in zip(outputs, received, strict=True):
                output[...] = piece

        return self._work(finish, "all_gather")

    def barrier(self) -> Work:
        """As PyTorch's NCCL barrier: an all-reduce of one number, waited for."""
        return self.all_reduce(self.cupy.zeros(1, dtype=self.cupy.float32), ReduceOp.SUM)

    def local_rank(self) -> int:
        return self.mpi.local_rank()

    def abort(self, exit_code: int) -> None:
        self.comm.abort()
        self.mpi.abort(exit_code)

    # ---- helpers -------------------------------------------------------------------------
    def _check(self, array: Any, call: str) -> None:
        if not backend.is_cuda(array):
            raise DistributedError(
                f"{call}: the nccl backend works on CUDA tensors, this one is on "
                f"{backend.device_of(array)}: move it with .to('cuda'), or use "
                f"init_process_group('mpi') for CPU tensors"
            )
        if not array.flags.c_contiguous:
            raise DistributedError(f"{call}: NCCL needs a contiguous tensor; call .contiguous()")

    def _dtype(self, array: Any) -> int:
        name = NCCL_DTYPES.get(np.dtype(array.dtype))
        if name is None:
            raise DistributedError(
                f"the nccl backend has no {array.dtype} type; it carries "
                f"{', '.join(str(d) for d in NCCL_DTYPES)}"
            )
        return getattr(self.nccl, name)

    def _stream(self) -> int:
        return self.cupy.cuda.get_current_stream().ptr

    def _work(self, finish: Callable[[], None], what: str) -> Work:
        finished = self.cupy.cuda.Event(block=False, disable_timing=True)
        finished.record()  # on the current stream, after the NCCL call just queued

        def done() -> bool:
            return bool(finished.done)

        return Work(done, finish, what, self.timeout, self.rank, give_up=self.comm.abort)
