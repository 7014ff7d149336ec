"""Layer 1: the array-backend switch. The only package that touches CuPy.

``xp`` is the array module of a device: NumPy on ``"cpu"``, CuPy on ``"cuda"``,
and a strict NumPy stand-in on the test-only ``"fake"`` device.
"""

# First, before anything loads NumPy: it sets how long OpenBLAS's idle threads spin.
from tinydl.backend import host_threads  # noqa: F401, I001
from tinydl.backend.devices import (
    Device,
    DeviceLike,
    array_module,
    device,
    device_of,
    get_default_device,
    is_array,
    is_cuda,
    memory_order,
    set_default_device,
    to_device,
    to_numpy,
)
from tinydl.backend.host_memory import keep_freed_memory
from tinydl.errors import DeviceError

keep_freed_memory()  # once, at import: every training step then reuses the last one's memory

__all__ = [
    "Device",
    "DeviceError",
    "DeviceLike",
    "array_module",
    "device",
    "device_of",
    "get_default_device",
    "is_array",
    "is_cuda",
    "memory_order",
    "set_default_device",
    "to_device",
    "to_numpy",
]
