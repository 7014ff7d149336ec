"""The one place in tinydl that imports CuPy.

Everything GPU-specific funnels through here so that ``import tinydl`` never
needs CuPy, and so that every CuPy/CUDA failure becomes one clear
:class:`~tinydl.errors.DeviceError` that says how to fix it.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

from tinydl.errors import DeviceError

_INSTALL_HINT = (
    "install the GPU extra with: pip install 'tinydl[gpu]' "
    "(CuPy built for CUDA 12; use the cupy wheel matching your CUDA version otherwise)"
)


def cupy_module() -> ModuleType:
    """Import CuPy and check that it sees a GPU, or raise a DeviceError naming the fix."""
    try:
        import cupy
    except ImportError as err:
        raise DeviceError(
            f"device 'cuda' needs CuPy, which is not installed: {_INSTALL_HINT}"
        ) from err
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as err:  # CUDARuntimeError, missing driver libraries, ...
        raise DeviceError(
            f"CuPy is installed but cannot use a GPU ({err}). Check that `nvidia-smi` "
            "lists a GPU and that the driver matches CuPy's CUDA version, or use device='cpu'."
        ) from err
    if count == 0:
        raise DeviceError(
            "CuPy is installed but found no CUDA GPU on this machine; use device='cpu'."
        )
    return cupy


def device_count() -> int:
    """How many CUDA GPUs CuPy can use (raises DeviceError if none can be used)."""
    return cupy_module().cuda.runtime.getDeviceCount()


def is_cupy_array(array: Any) -> bool:
    """True for a CuPy array; never imports CuPy to find out."""
    cupy = sys.modules.get("cupy")
    return cupy is not None and isinstance(array, cupy.ndarray)


def cupy_device_index(array: Any) -> int:
    """The GPU number a CuPy array lives on."""
    return array.device.id


def to_gpu(array: Any, index: int) -> Any:
    """Copy a host (or other-GPU) array onto GPU ``index``."""
    cupy = cupy_module()
    with cupy.cuda.Device(index):
        return cupy.asarray(array)


def to_host(array: Any) -> Any:
    """Copy a CuPy array back into a NumPy array (an explicit, synchronising transfer)."""
    return array.get()
