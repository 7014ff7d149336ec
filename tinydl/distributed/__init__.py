"""Data-parallel training across processes, behind PyTorch's ``torch.distributed`` names.

Data parallelism in one sentence: every process (a *rank*) holds the same model, computes
the gradients of its own share of each batch, and then all ranks average their gradients
so that each takes the same step. The one collective operation that needs is the
*all-reduce*: every rank gives an array and every rank gets back the element-wise sum.
``nn.parallel.DistributedDataParallel`` averages the gradients with it and
``utils.data.distributed.DistributedSampler`` hands each rank its share of the data.

tinydl moves no bytes itself. The ``mpi`` backend (``"gloo"`` is accepted as its alias,
since PyTorch's CPU tutorials write it) runs on MPI through ``mpi4py``
(:mod:`tinydl.distributed.mpi_group`); the ``nccl`` backend runs on NVIDIA's NCCL through
CuPy (:mod:`tinydl.distributed.nccl_group`). Start the ranks with MPI's launcher::

    pip install 'tinydl-edu[distributed]'      # mpi4py and an MPI (the mpich wheel)
    mpiexec -n 2 python train.py

and in ``train.py``, as in PyTorch::

    import tinydl.distributed as dist
    dist.init_process_group("mpi")             # or "gloo"; "nccl" on GPUs
    rank, world = dist.get_rank(), dist.get_world_size()

The ranks come from MPI's communicator. Variables a launcher sets (``RANK``,
``WORLD_SIZE``) and the ``rank=``/``world_size=`` arguments are checked against it, and
``MASTER_ADDR``/``MASTER_PORT`` are not needed: MPI connects the ranks. Once the group is
up, ``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK`` are set where unset, as ``torchrun`` sets
them, for programs that read them. A program started without ``mpiexec`` is a world of
one rank.

Every collective waits for the others at most ``timeout`` (PyTorch's default, 30
minutes) and then raises :class:`DistributedTimeout`; a rank that dies or raises ends
the whole job at once (see :mod:`tinydl.distributed.mpi_group`).
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import numpy as np

from tinydl import backend, check
from tinydl.autograd.tensor import Tensor
from tinydl.backend import cuda as backend_cuda
from tinydl.distributed.errors import DistributedError, DistributedTimeout
from tinydl.distributed.mpi_group import MpiGroup
from tinydl.distributed.nccl_group import NcclGroup
from tinydl.distributed.reduce_op import BITWISE, ReduceOp
from tinydl.distributed.work import Work, seconds


class Backend:
    """PyTorch's backend names. ``GLOO`` is carried by MPI here."""

    MPI = "mpi"
    GLOO = "gloo"
    NCCL = "nccl"


DEFAULT_TIMEOUT = timedelta(minutes=30)  # PyTorch's default_pg_timeout
_BACKENDS = ("mpi", "gloo", "nccl")
_group: MpiGroup | NcclGroup | None = None
_backend_name = ""


# ---- what is there ---------------------------------------------------------------------------
def is_available() -> bool:
    """True: tinydl has process groups (whether MPI is installed, :func:`is_mpi_available`
    says)."""
    return True


def is_mpi_available() -> bool:
    """Whether ``mpi4py`` is installed (the ``mpi`` and ``gloo`` backends need it)."""
    return importlib.util.find_spec("mpi4py") is not None


def is_gloo_available() -> bool:
    """Whether ``init_process_group("gloo")`` can run: it is carried by MPI here."""
    return is_mpi_available()


def is_nccl_available() -> bool:
    """Whether the ``nccl`` backend can run: mpi4py, and CuPy with a GPU."""
    return is_mpi_available() and backend_cuda.usable_gpu_count() > 0


def is_initialized() -> bool:
    """Whether :func:`init_process_group` has run (and no :func:`destroy_process_group`
    since)."""
    return _group is not None


# ---- the group -------------------------------------------------------------------------------
def init_process_group(
    backend: str | None = None, init_method: str | None = None, timeout: Any = None,
    world_size: int = -1, rank: int = -1, store: Any = None, group_name: str = "",
    pg_options: Any = None, device_id: Any = None,
) -> None:
    """Join the processes ``mpiexec`` started into the default process group.

    ``backend``: ``"mpi"`` (the default), ``"gloo"`` (the same, on MPI) or ``"nccl"``
    (GPUs; each rank takes the GPU of its rank on its machine, or ``device_id``).
    ``timeout``: how long a collective waits for the other ranks (a ``timedelta`` or
    seconds; 30 minutes by default). ``world_size`` and ``rank``, when given, and the
    ``WORLD_SIZE``/``RANK`` variables, when set, must agree with MPI's.
    """
    global _group, _backend_name
    where = "init_process_group()"
    if _group is not None:
        raise DistributedError(f"{where}: the default process group is already initialised "
                               f"(call destroy_process_group() first)")
    name = _backend_choice(backend)
    if init_method not in (None, "env://"):
        raise DistributedError(
            f"{where}: init_method={init_method!r} is not used here: the ranks are the processes "
            f"mpiexec started and MPI connects them; leave init_method out (or 'env://') and "
            f"launch with mpiexec -n N"
        )
    if store is not None:
        raise DistributedError(f"{where}: store= is not used: MPI connects the ranks, "
                               f"leave it out")
    limit = seconds(where, DEFAULT_TIMEOUT if timeout is None else timeout)
    nccl = backend_cuda.nccl_module(f"{where} with backend='nccl'") if name == "nccl" else None
    group = MpiGroup(limit)
    _check_agreement(group, world_size, rank)
    if nccl is not None:
        cupy = backend_cuda.cupy_module()
        group = NcclGroup(group, cupy, nccl, _gpu_index(device_id))
    _group, _backend_name = group, name
    _tell_the_environment(group)


def _tell_the_environment(group: MpiGroup | NcclGroup) -> None:
    """Set ``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK`` where unset, as ``torchrun`` does,
    so that a program reading them after ``init_process_group`` runs under ``mpiexec``
    too."""
    for name, value in (("RANK", group.rank), ("WORLD_SIZE", group.size),
                        ("LOCAL_RANK", group.local_rank())):
        os.environ.setdefault(name, str(value))


def destroy_process_group(group: Any = None) -> None:
    """Leave the default process group (MPI itself stays up until the process exits)."""
    global _group
    _the_group("destroy_process_group()", group)
    _group = None


def get_rank(group: Any = None) -> int:
    """This process's rank, 0 … world size − 1."""
    return _the_group("get_rank()", group).rank


def get_world_size(group: Any = None) -> int:
    """How many processes the group holds."""
    return _the_group("get_world_size()", group).size


def get_backend(group: Any = None) -> str:
    """The backend's name as :func:`init_process_group` was given it."""
    _the_group("get_backend()", group)
    return _backend_name


def get_node_local_rank(fallback_rank: int | None = None) -> int:
    """This process's rank among the processes on its own machine (which GPU it drives):
    from the group if there is one, else ``LOCAL_RANK`` if a launcher set it, else
    ``fallback_rank``."""
    if _group is not None:
        return _group.local_rank()
    if "LOCAL_RANK" in os.environ:
        return int(os.environ["LOCAL_RANK"])
    if fallback_rank is None:
        raise DistributedError("get_node_local_rank(): no process group, no LOCAL_RANK in the "
                               "environment and no fallback_rank")
    return fallback_rank


def abort(exit_code: int = 1) -> None:
    """End every rank of the job now (``MPI_Abort``): for a rank that meets an error it
    handles itself (the command line does this), so that the others do not wait for it
    until their timeout. tinydl's own call; PyTorch's ``torchrun`` does it for you."""
    _the_group("abort()", None).abort(exit_code)


# ---- the collectives -------------------------------------------------------------------------
def all_reduce(
    tensor: Tensor, op: ReduceOp = ReduceOp.SUM, group: Any = None, async_op: bool = False
) -> Work | None:
    """Combine ``tensor`` across the ranks with ``op``, in place: afterwards every rank's
    ``tensor`` holds the sum (or product, min, max, average, …) of all of them.

    With ``async_op=True`` it returns a :class:`Work` at once; its ``wait()`` puts the
    result in ``tensor``. The tensor's values change outside the graph, as
    ``tensor.data`` would.
    """
    where = "all_reduce()"
    array = _array(where, "tensor", tensor)
    op = _reduction(where, op, array.dtype)
    return _finish(_the_group(where, group).all_reduce(array, op), async_op)


def broadcast(
    tensor: Tensor, src: int = 0, group: Any = None, async_op: bool = False
) -> Work | None:
    """Copy rank ``src``'s ``tensor`` into every other rank's ``tensor``, in place."""
    where = "broadcast()"
    array = _array(where, "tensor", tensor)
    chosen = _the_group(where, group)
    return _finish(chosen.broadcast(array, _rank_in(where, "src", src, chosen)), async_op)


def all_gather(
    tensor_list: Sequence[Tensor], tensor: Tensor, group: Any = None, async_op: bool = False
) -> Work | None:
    """Fill ``tensor_list[i]`` with rank i's ``tensor``, on every rank. The list holds one
    tensor per rank, each of ``tensor``'s shape and dtype."""
    where = "all_gather()"
    array = _array(where, "tensor", tensor)
    chosen = _the_group(where, group)
    if not isinstance(tensor_list, (list, tuple)) or len(tensor_list) != chosen.size:
        raise DistributedError(
            f"{where}: tensor_list must be a list of {chosen.size} tensors (one per rank), "
            f"got {_described(tensor_list)}"
        )
    outputs = [_array(where, f"tensor_list[{i}]", t) for i, t in enumerate(tensor_list)]
    for i, output in enumerate(outputs):
        if output.shape != array.shape or output.dtype != array.dtype:
            raise DistributedError(
                f"{where}: tensor_list[{i}] has shape {tuple(output.shape)} and dtype "
                f"{output.dtype}, but tensor has shape {tuple(array.shape)} and dtype "
                f"{array.dtype}: each must be able to hold one rank's tensor"
            )
    return _finish(chosen.all_gather(outputs, array), async_op)


def barrier(group: Any = None, async_op: bool = False, device_ids: Any = None) -> Work | None:
    """Wait until every rank has reached this call."""
    return _finish(_the_group("barrier()", group).barrier(), async_op)


# ---- the checks ------------------------------------------------------------------------------
def _backend_choice(name: Any) -> str:
    if name is None:
        return "mpi"
    if not isinstance(name, str) or name.lower() not in _BACKENDS:
        raise DistributedError(
            f"init_process_group(): backend must be 'mpi', 'gloo' (carried by MPI) or 'nccl', "
            f"got {name!r}"
        )
    return name.lower()


def _check_agreement(group: MpiGroup, world_size: Any, rank: Any) -> None:
    """The ranks come from MPI; what a launcher or the caller says must agree with it."""
    told = [("world_size=", world_size, group.size, "world size"),
            ("rank=", rank, group.rank, "rank")]
    for variable, value, what in (("WORLD_SIZE", group.size, "world size"),
                                  ("RANK", group.rank, "rank")):
        if variable in os.environ:
            told.append((f"${variable}", os.environ[variable], value, what))
    for source, said, actual, what in told:
        if said in (-1, None):
            continue
        if not check.is_int(said) and not (isinstance(said, str) and said.strip().isdigit()):
            raise DistributedError(f"init_process_group(): {source} must be an integer, "
                                   f"got {said!r}")
        if int(said) != actual:
            raise DistributedError(
                f"init_process_group(): {source} says {what} {said}, but MPI started this "
                f"process as rank {group.rank} of {group.size}: launch the ranks with "
                f"mpiexec -n N (tinydl's process groups come from MPI, not from torchrun), "
                f"or unset {source}"
            )


def _gpu_index(device_id: Any) -> int | None:
    if device_id is None:
        return None
    if check.is_int(device_id):
        return int(device_id)
    chosen = backend.device(device_id)
    if chosen.type != "cuda":
        raise DistributedError(f"init_process_group(): device_id must be a CUDA device for the "
                               f"nccl backend, got {device_id!r}")
    return chosen.index or 0


def _the_group(where: str, group: Any) -> MpiGroup | NcclGroup:
    if _group is None:
        raise DistributedError(
            f"tinydl.distributed.{where}: the default process group has not been initialised: "
            f"call init_process_group() first (and launch the ranks with mpiexec -n N)"
        )
    if group is not None and group is not _group:
        raise DistributedError(
            f"tinydl.distributed.{where}: only the default group is offered (group=None); "
            f"subgroups (new_group) are not"
        )
    return _group


def _array(where: str, name: str, value: Any) -> Any:
    check.instance(where, name, value, Tensor, "a Tensor")
    return value.array


def _reduction(where: str, op: Any, dtype: np.dtype) -> ReduceOp:
    if not isinstance(op, ReduceOp):
        raise DistributedError(
            f"{where}: op must be a ReduceOp (ReduceOp.SUM, PRODUCT, MIN, MAX, AVG, BAND, BOR, "
            f"BXOR), got {op!r}"
        )
    if op is ReduceOp.AVG and np.dtype(dtype).kind not in "fc":
        raise DistributedError(f"{where}: ReduceOp.AVG needs a floating-point tensor, got "
                               f"{dtype} (sum it, then divide as you wish)")
    if op in BITWISE and np.dtype(dtype).kind not in "biu":
        raise DistributedError(f"{where}: {op!r} needs an integer or bool tensor, got {dtype}")
    return op


def _rank_in(where: str, name: str, value: Any, group: MpiGroup | NcclGroup) -> int:
    if not check.is_int(value) or not 0 <= value < group.size:
        raise DistributedError(
            f"{where}: {name} must be a rank from 0 to {group.size - 1}, got {value!r}"
        )
    return int(value)


def _finish(work: Work, async_op: bool) -> Work | None:
    if async_op:
        return work
    work.wait()
    return None


def _described(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)}"
    return type(value).__name__


__all__ = [
    "Backend", "DistributedError", "DistributedTimeout", "ReduceOp", "Work", "abort",
    "all_gather", "all_reduce", "barrier", "broadcast", "destroy_process_group", "get_backend",
    "get_node_local_rank", "get_rank", "get_world_size", "init_process_group",
    "is_available", "is_gloo_available", "is_initialized", "is_mpi_available",
    "is_nccl_available",
]
