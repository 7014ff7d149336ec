"""The one place in tinydl that imports CuPy.

Everything GPU-specific funnels through here so that ``import tinydl`` never
needs CuPy, and so that every CuPy/CUDA failure becomes one clear
:class:`~tinydl.errors.DeviceError` that says how to fix it.
"""

from __future__ import annotations

import functools
import sys
from types import ModuleType
from typing import Any

from tinydl.errors import DeviceError

_INSTALL_HINT = (
    "install the GPU extra with: pip install 'tinydl-edu[gpu]' "
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


@functools.cache
def usable_gpu_count() -> int:
    """How many GPUs CuPy can use, 0 when CuPy is missing or sees none; never raises.

    Asked once per process (GPUs do not come and go during a run), so a device probe in a
    training loop costs nothing. It counts devices without compiling anything.
    """
    try:
        return device_count()
    except DeviceError:
        return 0


def require_gpu(caller: str) -> ModuleType:
    """CuPy, for a call that only makes sense with a GPU; a DeviceError naming ``caller``
    (and the CPU alternative) otherwise."""
    if usable_gpu_count() == 0:
        try:
            cupy_module()
        except DeviceError as err:
            raise DeviceError(f"{caller} needs a CUDA GPU: {err}") from None
    return cupy_module()


def current_device() -> int:
    """The number of the GPU CuPy computes on now."""
    return require_gpu("tinydl.cuda.current_device()").cuda.runtime.getDevice()


def synchronize(index: int) -> None:
    """Wait until every kernel queued on GPU ``index`` has finished."""
    cupy = require_gpu("tinydl.cuda.synchronize()")
    with cupy.cuda.Device(index):
        cupy.cuda.runtime.deviceSynchronize()


def device_name(index: int) -> str:
    """The GPU's product name, e.g. 'NVIDIA H100 80GB HBM3'."""
    properties = require_gpu("tinydl.cuda.get_device_name()").cuda.runtime.getDeviceProperties(
        index
    )
    return properties["name"].decode()


def release_cached_memory() -> None:
    """Hand the blocks CuPy's memory pools keep for reuse back to the driver (nothing to do
    when CuPy was never used)."""
    cupy = sys.modules.get("cupy")
    if cupy is not None:
        cupy.get_default_memory_pool().free_all_blocks()
        cupy.get_default_pinned_memory_pool().free_all_blocks()


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


def nccl_module(caller: str) -> ModuleType:
    """``cupy.cuda.nccl``, CuPy's bindings of NCCL (NVIDIA's collective library), for a
    call that needs it; a DeviceError naming ``caller`` without a GPU or without NCCL."""
    require_gpu(caller)
    try:
        from cupy.cuda import nccl
    except ImportError as err:
        raise DeviceError(
            f"{caller} needs NCCL, which this CuPy cannot load ({err}): pip install "
            f"nvidia-nccl-cu12 (or the NCCL matching CuPy's CUDA)"
        ) from err
    if not getattr(nccl, "available", True):
        raise DeviceError(f"{caller} needs NCCL, which this CuPy was built without")
    return nccl
