"""PyTorch's ``torch.distributed`` names, so that programs which import them run in one
process. Data-parallel training over several processes is not offered yet: it will come
behind these same names (over MPI on CPUs and NCCL on GPUs, see DESIGN.md). Until then
the probes answer truthfully (``is_available()`` and ``is_initialized()`` are False) and
every call that would need a process group raises :class:`DistributedNotOffered` saying
so, as PyTorch's calls do before ``init_process_group``.

nanoGPT imports ``init_process_group`` and ``destroy_process_group`` at its top and calls
them only when launched by ``torchrun`` (``RANK`` set), so it trains in one process here.
"""

from __future__ import annotations

from typing import Any, NoReturn


class DistributedNotOffered(RuntimeError):
    """A ``torch.distributed`` call that needs several processes, which tinydl does not
    run yet."""


def is_available() -> bool:
    """False: tinydl has no process groups yet."""
    return False


def is_initialized() -> bool:
    """False: no process group is ever initialised."""
    return False


def _not_offered(call: str) -> NoReturn:
    raise DistributedNotOffered(
        f"tinydl.distributed.{call}: data-parallel training over several processes is not "
        f"offered yet; run the program as one process (without torchrun, so that RANK and "
        f"WORLD_SIZE are unset), which trains the same model on one device"
    )


def init_process_group(backend: Any = None, *args: Any, **options: Any) -> None:
    _not_offered("init_process_group()")


def destroy_process_group(group: Any = None) -> None:
    _not_offered("destroy_process_group()")


def get_rank(group: Any = None) -> int:
    _not_offered("get_rank()")


def get_world_size(group: Any = None) -> int:
    _not_offered("get_world_size()")


def barrier(*args: Any, **options: Any) -> None:
    _not_offered("barrier()")


def all_reduce(tensor: Any, *args: Any, **options: Any) -> None:
    _not_offered("all_reduce()")


def broadcast(tensor: Any, *args: Any, **options: Any) -> None:
    _not_offered("broadcast()")


__all__ = [
    "DistributedNotOffered", "all_reduce", "barrier", "broadcast", "destroy_process_group",
    "get_rank", "get_world_size", "init_process_group", "is_available", "is_initialized",
]
