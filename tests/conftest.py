"""Shared fixtures. Most tests take ``device`` and so run once per available device:
always ``cpu`` and the strict ``fake`` device (which fails like CuPy on host/device
mixing), plus ``cuda`` when CuPy sees a GPU."""

from __future__ import annotations

import contextlib
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import tinydl
from tinydl import backend
from tinydl.ops import value_checks


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


@pytest.fixture(autouse=True)
def fast_path_switch_restored():
    """A test that flips tinydl's fast-path switch leaves it as it found it."""
    with tinydl.fast_paths(tinydl.fast_paths_enabled()):
        yield


@pytest.fixture(autouse=True)
def value_checks_restarted():
    """Each test finds the checks that read a GPU's values as a fresh program does: reading on
    their first calls (tinydl.ops.value_checks), whatever the tests before it called."""
    value_checks.restart()


@pytest.fixture
def three_threads(monkeypatch):
    """The fast paths' passes split over three threads down to parts of 8 elements
    (tinydl/backend/host_threads.py), so that tests on small arrays exercise the split."""
    from tinydl.backend import host_threads

    monkeypatch.setattr(host_threads, "thread_count", lambda: 3)
    monkeypatch.setattr(host_threads, "SMALLEST_PART", 8)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


def make(values, device: str, requires_grad: bool = True, dtype: str = "float64") -> tinydl.Tensor:
    """A float64 leaf on ``device`` for gradient checks."""
    return tinydl.tensor(values, dtype=dtype, device=device, requires_grad=requires_grad)


def load_reference(name: str) -> dict[str, np.ndarray]:
    """The arrays of ``tests/reference/<name>.npz``, a fixture PyTorch computed."""
    with np.load(Path(__file__).parent / "reference" / f"{name}.npz", allow_pickle=False) as file:
        return dict(file)


def read_png(path: Path) -> np.ndarray:
    """The pixels of the PNG file at ``path``, after checking it exists and is a PNG."""
    import matplotlib.image  # only the picture tests need matplotlib (they skip without it)

    assert path.is_file()
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return matplotlib.image.imread(path)


def assert_png_has_content(path: Path, min_height: int, min_width: int) -> np.ndarray:
    """Check that ``path`` is an RGB(A) PNG of at least that size with many colours, not one
    flat colour, and return its pixels."""
    pixels = read_png(path)
    assert pixels.ndim == 3 and pixels.shape[2] in (3, 4)
    assert pixels.shape[0] >= min_height and pixels.shape[1] >= min_width
    rgb = pixels[..., :3]
    assert rgb.std() > 0.05
    codes = (rgb * 255).astype(np.uint32) @ np.array([1 << 16, 1 << 8, 1], np.uint32)
    assert len(np.unique(codes)) > 20  # distinct colours
    return pixels


@contextlib.contextmanager
def default_device(where: str) -> Iterator[None]:
    """Make ``where`` the default device inside the ``with`` block (models built there
    live on it)."""
    tinydl.set_default_device(where)
    try:
        yield
    finally:
        tinydl.set_default_device(None)


@pytest.fixture(scope="session")
def docs_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The docs site, built once for the session by the strict build that tests/test_docs.py
    checks (tests/test_docs_render.py opens its pages in a browser)."""
    import test_docs  # here, not at the top: it reads every page of the docs

    site = tmp_path_factory.mktemp("site")
    test_docs.build_site(site)
    return site


def load_script(path: Path, name: str | None = None):
    """The Python file at ``path`` (a benchmark, an example, a docs script) as a module,
    without running its ``__main__`` block. Its folder is on ``sys.path`` while it loads, as
    when it is run, for its imports of its neighbours; ``sys.path`` is put back after."""
    spec = importlib.util.spec_from_file_location(name or path.stem, path)
    module = importlib.util.module_from_spec(spec)
    saved = list(sys.path)
    sys.path.insert(0, str(path.parent))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved
    return module
