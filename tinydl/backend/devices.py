"""Devices, and the array module (``numpy``, ``cupy`` or the strict fake) behind each.

Core code never calls ``numpy`` directly on tensor data: it asks this module for
``xp``, the array module of the device the data lives on, so the same lines run
on NumPy and on CuPy.
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import Any

import numpy as np

from tinydl import check
from tinydl.backend import cuda
from tinydl.backend.fake import StrictArray, strict_numpy
from tinydl.errors import DeviceError

_KINDS = ("cpu", "cuda", "fake")


class Device:
    """Where arrays live: ``"cpu"``, ``"cuda"``/``"cuda:N"``, or the test-only ``"fake"``.

    Compares equal to its string spelling, so ``tensor.device == "cpu"`` reads naturally.
    """

    __slots__ = ("kind", "index")

    def __init__(self, kind: str, index: int | None = None) -> None:
        self.kind = kind
        self.index = index

    @property
    def type(self) -> str:
        """PyTorch's name for :attr:`kind`: ``x.device.type == "cuda"``."""
        return self.kind

    @property
    def xp(self) -> ModuleType | Any:
        """The array module that computes on this device."""
        if self.kind == "cpu":
            return np
        if self.kind == "fake":
            return strict_numpy
        return cuda.cupy_module()

    def __str__(self) -> str:
        return self.kind if self.index is None else f"{self.kind}:{self.index}"

    def __repr__(self) -> str:
        return f"device('{self}')"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            try:
                other = device(other)
            except DeviceError:
                return False
        return isinstance(other, Device) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))


DeviceLike = str | Device
CPU = Device("cpu")
FAKE = Device("fake")


def device(spec: DeviceLike | int, index: int | None = None) -> Device:
    """Parse ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"fake"`` into a :class:`Device`.

    As in PyTorch, ``device("cuda", 1)`` is ``device("cuda:1")`` and a bare number ``N`` is
    GPU ``N``. ``"cuda"`` means GPU 0. This only parses; availability is checked when the
    device is first used, so a CPU-only machine can still name ``"cuda"``.
    """
    if isinstance(spec, Device) and index is None:
        return spec
    if check.is_int(spec) and index is None:
        spec, index = "cuda", int(spec)
    if not isinstance(spec, str):
        raise DeviceError(f"a device is a string like 'cpu' or 'cuda:0', got {spec!r}")
    kind, colon, number = spec.strip().lower().partition(":")
    if kind not in _KINDS or (colon and kind != "cuda"):
        raise DeviceError(f"unknown device {spec!r}: expected 'cpu', 'cuda', 'cuda:N' or 'fake'")
    if index is not None:
        if colon or kind != "cuda":
            raise DeviceError(
                f"device({spec!r}, {index!r}): only a plain 'cuda' takes a separate GPU "
                f"number, as in device('cuda', 1)"
            )
        return Device("cuda", check.non_negative_int("device('cuda', index)", "index", index,
                                                     error=DeviceError))
    if kind == "cuda":
        if colon and not (number.isascii() and number.isdigit()):
            raise DeviceError(f"unknown device {spec!r}: the GPU number must be an integer")
        return Device("cuda", int(number) if number else 0)
    return CPU if kind == "cpu" else FAKE


_default: Device | None = None


def set_default_device(spec: DeviceLike | None) -> None:
    """Make ``spec`` the device new tensors and models go to when none is named.

    ``None`` forgets the choice, so ``$TINYDL_DEVICE`` (or cpu) applies again.
    """
    global _default
    _default = None if spec is None else device(spec)


def get_default_device() -> Device:
    """The last :func:`set_default_device`, else ``$TINYDL_DEVICE``, else cpu."""
    if _default is not None:
        return _default
    from_env = os.environ.get("TINYDL_DEVICE")
    if not from_env:
        return CPU
    try:
        return device(from_env)
    except DeviceError as err:
        raise DeviceError(f"TINYDL_DEVICE={from_env!r} is not a device: {err}") from None


def device_of(array: Any) -> Device:
    """The device an array lives on."""
    if isinstance(array, (np.ndarray, np.generic)):
        return CPU
    if isinstance(array, StrictArray):
        return FAKE
    if cuda.is_cupy_array(array):
        return Device("cuda", cuda.cupy_device_index(array))
    raise TypeError(f"expected a NumPy or CuPy array, got {type(array).__name__}")


def is_array(value: Any) -> bool:
    """True for an array of any device (NumPy, CuPy or fake)."""
    return isinstance(value, (np.ndarray, StrictArray)) or cuda.is_cupy_array(value)


def is_cuda(array: Any) -> bool:
    """True for a CuPy (GPU) array: the arrays the CUDA kernels in ``kernels/`` run on."""
    return cuda.is_cupy_array(array)


def memory_order(strides: tuple[int, ...]) -> list[int]:
    """An array's axes from the outermost in memory to the innermost (the longest steps
    first): ``[0, 1, …]`` for C order, reversed for a transposed view."""
    return sorted(range(len(strides)), key=lambda axis: -abs(strides[axis]))


def array_module(array: Any) -> ModuleType | Any:
    """The ``xp`` that computes on ``array``'s device: use it instead of ``numpy``."""
    if isinstance(array, np.ndarray):  # the hot path first
        return np
    return device_of(array).xp


def to_numpy(array: Any) -> np.ndarray:
    """A host NumPy array with ``array``'s values (an explicit device-to-host copy)."""
    if isinstance(array, np.ndarray):
        return array
    if isinstance(array, StrictArray):
        return array.get()
    if cuda.is_cupy_array(array):
        return cuda.to_host(array)
    return np.asarray(array)


def to_device(array: Any, target: DeviceLike) -> Any:
    """``array`` on ``target``; the same object when it is already there."""
    target = device(target)
    if device_of(array) == target:
        return array
    host = to_numpy(array)
    if target.kind == "cpu":
        return host
    if target.kind == "fake":
        return strict_numpy.array(host)  # a copy, as a real host-to-device transfer is
    count = cuda.device_count()
    if target.index >= count:
        raise DeviceError(f"device {target} does not exist: this machine has {count} GPU(s)")
    return cuda.to_gpu(host, target.index)
