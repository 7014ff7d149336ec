"""Shared fixtures. Most tests take ``device`` and so run once per available device:
always ``cpu`` and the strict ``fake`` device (which fails like CuPy on host/device
mixing), plus ``cuda`` when CuPy sees a GPU."""

from __future__ import annotations

import numpy as np
import pytest

import tinydl
from tinydl import backend


def _available_devices() -> list[str]:
    devices = ["cpu", "fake"]
    try:
        backend.device("cuda").xp  # noqa: B018  (raises DeviceError without a usable GPU)
        devices.append("cuda")
    except tinydl.DeviceError:
        pass
    return devices


DEVICES = _available_devices()


@pytest.fixture(params=DEVICES)
def device(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


def make(values, device: str, requires_grad: bool = True, dtype: str = "float64") -> tinydl.Tensor:
    """A float64 leaf on ``device`` for gradient checks."""
    return tinydl.tensor(values, dtype=dtype, device=device, requires_grad=requires_grad)
