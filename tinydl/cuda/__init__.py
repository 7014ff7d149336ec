"""PyTorch's ``torch.cuda`` probes, answered truthfully by tinydl's backend (CuPy).

``is_available()`` is True only where CuPy is installed and sees a GPU; the count is asked
once per process and compiles nothing, so ``device = "cuda" if
tinydl.cuda.is_available() else "cpu"`` costs nothing on a CPU-only laptop. Calls that
only make sense on a GPU (``current_device``, ``synchronize``, ``get_device_name``) raise
a :class:`~tinydl.DeviceError` without one, as PyTorch's do.
"""

from __future__ import annotations

from typing import Any

from tinydl import backend, check
from tinydl.backend import cuda as _backend_cuda
from tinydl.cuda import amp
from tinydl.not_offered import attribute_error


def is_available() -> bool:
    """Whether tinydl can compute on a CUDA GPU here."""
    return _backend_cuda.usable_gpu_count() > 0


def device_count() -> int:
    """How many CUDA GPUs tinydl can use (0 without CuPy or a GPU)."""
    return _backend_cuda.usable_gpu_count()


def current_device() -> int:
    """The number of the GPU tinydl computes on now."""
    return _backend_cuda.current_device()


def synchronize(device: Any = None) -> None:
    """Wait until the GPU has finished every queued kernel (before reading a timer)."""
    _backend_cuda.synchronize(_gpu_index(device, "synchronize()"))


def get_device_name(device: Any = None) -> str:
    """The GPU's product name."""
    return _backend_cuda.device_name(_gpu_index(device, "get_device_name()"))


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """False: NumPy and CuPy have no bfloat16 type, so tinydl has no bfloat16 tensors."""
    return False


def manual_seed(seed: int) -> None:
    """Accepted and checked; it changes nothing. tinydl draws every random number, for every
    device, from one host generator, which :func:`tinydl.manual_seed` seeds (as PyTorch's
    ``torch.manual_seed`` seeds the GPUs too)."""
    check.non_negative_int("tinydl.cuda.manual_seed()", "seed", seed)


def manual_seed_all(seed: int) -> None:
    """As :func:`manual_seed`: accepted, and :func:`tinydl.manual_seed` does the seeding."""
    check.non_negative_int("tinydl.cuda.manual_seed_all()", "seed", seed)


def empty_cache() -> None:
    """Return the GPU memory CuPy keeps for reuse to the driver (nothing to do without it)."""
    _backend_cuda.release_cached_memory()


def _gpu_index(device: Any, caller: str) -> int:
    if device is None:
        return current_device()
    chosen = backend.device(device)
    if chosen.kind != "cuda":
        raise ValueError(f"tinydl.cuda.{caller} needs a CUDA device, got {chosen}")
    return chosen.index


def __getattr__(name: str) -> Any:
    raise attribute_error("tinydl.cuda", name)


__all__ = [
    "amp", "current_device", "device_count", "empty_cache", "get_device_name",
    "is_available", "is_bf16_supported", "manual_seed", "manual_seed_all", "synchronize",
]
