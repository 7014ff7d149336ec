"""PyTorch's ``torch.accelerator``, the device-neutral probe its quickstart starts with:
``device = torch.accelerator.current_accelerator().type if
torch.accelerator.is_available() else "cpu"``. tinydl's only accelerator is a CUDA GPU
(through CuPy)."""

from __future__ import annotations

from typing import Any

from tinydl import backend, cuda
from tinydl.backend import Device


def is_available() -> bool:
    """Whether tinydl can compute on an accelerator (a CUDA GPU) here."""
    return cuda.is_available()


def current_accelerator(check_available: bool = False) -> Device | None:
    """``device('cuda')`` where a GPU is usable, else ``None`` (as PyTorch answers on a
    machine without one)."""
    return backend.device("cuda") if cuda.is_available() else None


def device_count() -> int:
    return cuda.device_count()


def current_device_index() -> int:
    return cuda.current_device()


def synchronize(device: Any = None) -> None:
    cuda.synchronize(device)


__all__ = [
    "current_accelerator", "current_device_index", "device_count", "is_available", "synchronize",
]
