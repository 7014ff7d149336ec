"""The backend: parsing devices, the default device, CuPy errors, and the strict fake device."""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import tinydl
from tinydl import backend
from tinydl.backend.fake import StrictArray, strict_numpy

REPO_ROOT = Path(__file__).resolve().parents[1]
UNKNOWN = "expected 'cpu', 'cuda', 'cuda:N' or 'fake'"


@pytest.fixture
def clean_default(monkeypatch: pytest.MonkeyPatch):
    """No $TINYDL_DEVICE and no set_default_device() before or after the test."""
    monkeypatch.delenv("TINYDL_DEVICE", raising=False)
    tinydl.set_default_device(None)
    yield
    tinydl.set_default_device(None)


# ---- parsing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "kind", "index", "text"),
    [
        ("cpu", "cpu", None, "cpu"),
        ("fake", "fake", None, "fake"),
        ("cuda", "cuda", 0, "cuda:0"),
        ("cuda:0", "cuda", 0, "cuda:0"),
        ("cuda:1", "cuda", 1, "cuda:1"),
        (" CUDA:12 ", "cuda", 12, "cuda:12"),
        ("CPU", "cpu", None, "cpu"),
    ],
)
def test_device_parsing(spec: str, kind: str, index: int | None, text: str) -> None:
    parsed = tinydl.device(spec)
    assert (parsed.kind, parsed.index, str(parsed)) == (kind, index, text)
    assert repr(parsed) == f"device('{text}')"
    assert parsed == text and parsed == tinydl.device(text)
    assert hash(parsed) == hash(tinydl.device(text))
    assert tinydl.device(parsed) is parsed


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("gpu", f"unknown device 'gpu': {UNKNOWN}"),
        ("", f"unknown device '': {UNKNOWN}"),
        ("cpu:0", f"unknown device 'cpu:0': {UNKNOWN}"),
        ("fake:1", f"unknown device 'fake:1': {UNKNOWN}"),
        ("cuda:x", "unknown device 'cuda:x': the GPU number must be an integer"),
        ("cuda:", "unknown device 'cuda:': the GPU number must be an integer"),
        ("cuda:-1", "unknown device 'cuda:-1': the GPU number must be an integer"),
        (1.5, "a device is a string like 'cpu' or 'cuda:0', got 1.5"),
        (None, "a device is a string like 'cpu' or 'cuda:0', got None"),
    ],
)
def test_bad_device_strings(spec, message: str) -> None:
    with pytest.raises(tinydl.DeviceError, match=f"^{re.escape(message)}$"):
        tinydl.device(spec)


def test_devices_compare_unequal_to_other_devices_and_junk() -> None:
    assert tinydl.device("cpu") != "fake"
    assert tinydl.device("cuda:0") != "cuda:1"
    assert tinydl.device("cpu") != "not a device"
    assert tinydl.device("cpu") != 3


def test_naming_cuda_does_not_need_cupy() -> None:
    """Parsing only: a CPU-only machine can still write device='cuda' in a config."""
    assert tinydl.device("cuda:3").index == 3


# ---- the default device -------------------------------------------------------------------


def test_default_is_cpu(clean_default) -> None:
    assert tinydl.get_default_device() == "cpu"
    assert tinydl.tensor(1.0).device == "cpu"


def test_set_default_device(clean_default) -> None:
    tinydl.set_default_device("fake")
    assert tinydl.get_default_device() == "fake"
    assert tinydl.tensor([1.0]).device == "fake"
    assert tinydl.tensor([1.0], device="cpu").device == "cpu"
    tinydl.set_default_device(None)
    assert tinydl.get_default_device() == "cpu"


def test_set_default_device_refuses_a_bad_device_and_keeps_the_old_one(clean_default) -> None:
    tinydl.set_default_device("fake")
    with pytest.raises(tinydl.DeviceError, match="unknown device 'tpu'"):
        tinydl.set_default_device("tpu")
    assert tinydl.get_default_device() == "fake"


def test_environment_variable(clean_default, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TINYDL_DEVICE", "fake")
    assert tinydl.get_default_device() == "fake"
    assert tinydl.tensor(2.0).device == "fake"
    tinydl.set_default_device("cpu")  # an explicit choice wins over the environment
    assert tinydl.get_default_device() == "cpu"
    tinydl.set_default_device(None)  # and forgetting it brings the environment back
    assert tinydl.get_default_device() == "fake"


def test_bad_environment_variable(clean_default, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TINYDL_DEVICE", "gpu")
    message = f"TINYDL_DEVICE='gpu' is not a device: unknown device 'gpu': {UNKNOWN}"
    with pytest.raises(tinydl.DeviceError, match=f"^{re.escape(message)}$"):
        tinydl.get_default_device()


def test_arrays_already_on_a_device_stay_there(clean_default) -> None:
    on_fake = strict_numpy.asarray(np.ones(2))
    assert tinydl.tensor(on_fake).device == "fake"
    tinydl.set_default_device("fake")
    assert tinydl.tensor(np.ones(2)).device == "fake"


# ---- mixing devices -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "name"),
    [
        (lambda a, b: a + b, "add()"),
        (lambda a, b: a * b, "mul()"),
        (lambda a, b: a @ b, "matmul()"),
        (lambda a, b: tinydl.maximum(a, b), "maximum()"),
        (lambda a, b: tinydl.concatenate([b, a]), "concatenate()"),
        (lambda a, b: tinydl.stack([a, b]), "stack()"),
    ],
)
def test_two_devices_in_one_op_raise(op, name: str) -> None:
    on_cpu = tinydl.tensor([1.0, 2.0])
    on_fake = tinydl.tensor([1.0, 2.0], device="fake")
    message = (
        f"{name}: its inputs must be on one device, got cpu and fake: move them to one device "
        "first, e.g. with .to('fake')"
    )
    with pytest.raises(tinydl.DeviceError, match=f"^{re.escape(message)}$"):
        op(on_cpu, on_fake)


def test_comparing_tensors_on_two_devices_raises() -> None:
    message = "a < b: b is on fake but a on cpu: move it with .to('cpu')"
    with pytest.raises(tinydl.DeviceError, match=f"^{re.escape(message)}$"):
        _ = tinydl.tensor([1.0]) < tinydl.tensor([1.0], device="fake")


@pytest.mark.parametrize(
    "op",
    [
        lambda t, host: t + host,
        lambda t, host: host * t,
        lambda t, host: t @ host,
        lambda t, host: tinydl.where(host > 0, t, 0.0),
        lambda t, host: tinydl.maximum(t, host),
    ],
    ids=["add", "rmul", "matmul", "where", "maximum"],
)
def test_a_host_array_meeting_a_fake_tensor_raises(op) -> None:
    on_fake = tinydl.tensor([1.0, 2.0], device="fake")
    message = (
        "an array on cpu met a tensor on fake: wrap it with "
        "tinydl.tensor(array, device='fake') first"
    )
    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        op(on_fake, np.ones(2))


def test_a_host_array_meeting_a_cpu_tensor_is_fine() -> None:
    np.testing.assert_array_equal((tinydl.tensor([1.0, 2.0]) + np.ones(2)).numpy(), [2.0, 3.0])


# ---- CuPy ---------------------------------------------------------------------------------


def _pretend_cupy(monkeypatch: pytest.MonkeyPatch, get_device_count) -> None:
    runtime = SimpleNamespace(getDeviceCount=get_device_count)
    fake_cupy = SimpleNamespace(cuda=SimpleNamespace(runtime=runtime), ndarray=type("nd", (), {}))
    monkeypatch.setitem(sys.modules, "cupy", fake_cupy)


def test_cuda_without_cupy_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "cupy", None)  # makes `import cupy` fail, even where it exists
    hint = re.escape("pip install 'tinydl-edu[gpu]'")
    with pytest.raises(tinydl.DeviceError, match=hint) as caught:
        tinydl.tensor(1.0, device="cuda")
    assert str(caught.value).startswith("device 'cuda' needs CuPy, which is not installed")
    with pytest.raises(tinydl.DeviceError, match="needs CuPy"):
        tinydl.tensor([1.0]).to("cuda:1")


def test_cuda_with_cupy_but_no_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    _pretend_cupy(monkeypatch, lambda: 0)
    with pytest.raises(
        tinydl.DeviceError,
        match="^CuPy is installed but found no CUDA GPU on this machine; use device='cpu'.$",
    ):
        tinydl.tensor(1.0, device="cuda")


def test_cuda_with_a_broken_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_driver() -> int:
        raise RuntimeError("cudaErrorInsufficientDriver")

    _pretend_cupy(monkeypatch, no_driver)
    with pytest.raises(
        tinydl.DeviceError,
        match=re.escape("CuPy is installed but cannot use a GPU (cudaErrorInsufficientDriver)"),
    ):
        tinydl.tensor(1.0, device="cuda")


def test_a_gpu_number_past_the_last_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    _pretend_cupy(monkeypatch, lambda: 2)
    with pytest.raises(
        tinydl.DeviceError, match=r"^device cuda:2 does not exist: this machine has 2 GPU\(s\)$"
    ):
        tinydl.tensor(1.0, device="cuda:2")


def test_importing_tinydl_does_not_import_cupy() -> None:
    code = (
        "import sys, tinydl; x = tinydl.tensor([1.0], requires_grad=True); "
        "(x * 2.0).sum().backward(); tinydl.device('cuda:1'); "
        "assert 'cupy' not in sys.modules, 'tinydl imported cupy'"
    )
    env = {k: v for k, v in os.environ.items() if k != "TINYDL_DEVICE"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


# ---- backend helpers ----------------------------------------------------------------------


def test_array_module_device_of_and_transfers() -> None:
    host = np.arange(3.0)
    on_fake = backend.to_device(host, "fake")
    assert isinstance(on_fake, StrictArray)
    assert backend.array_module(host) is np
    assert backend.array_module(on_fake) is strict_numpy
    assert backend.device_of(host) == "cpu" and backend.device_of(on_fake) == "fake"
    assert backend.device_of(np.float32(1.0)) == "cpu"
    assert backend.is_array(host) and backend.is_array(on_fake) and not backend.is_array([1.0])
    assert backend.to_device(host, "cpu") is host and backend.to_device(on_fake, "fake") is on_fake
    back = backend.to_numpy(on_fake)
    assert type(back) is np.ndarray
    np.testing.assert_array_equal(back, host)


def test_device_of_refuses_non_arrays() -> None:
    with pytest.raises(TypeError, match="^expected a NumPy or CuPy array, got list$"):
        backend.device_of([1.0])


# ---- the strict fake device ---------------------------------------------------------------

IMPLICIT = "implicit conversion of a fake-device array to a NumPy array is not allowed"
MIXED = "a host NumPy array was mixed with a fake-device array"


def test_fake_refuses_implicit_conversion() -> None:
    on_fake = tinydl.tensor([1.0, 2.0], device="fake").array
    with pytest.raises(TypeError, match=IMPLICIT):
        np.asarray(on_fake)
    with pytest.raises(TypeError, match=IMPLICIT):
        np.array(on_fake)


@pytest.mark.parametrize(
    "mix",
    [
        lambda d, h: d + h,
        lambda d, h: h + d,
        lambda d, h: d * h,
        lambda d, h: h - d,
        lambda d, h: d @ h,
        lambda d, h: np.maximum(d, h),
        lambda d, h: strict_numpy.add(d, h),
        lambda d, h: strict_numpy.where(d > 0, d, h),
        lambda d, h: strict_numpy.concatenate([d, h]),
    ],
)
def test_fake_refuses_host_and_device_arithmetic(mix) -> None:
    on_fake = strict_numpy.asarray(np.ones(2))
    with pytest.raises(TypeError, match=MIXED):
        mix(on_fake, np.ones(2))


def test_fake_behaves_like_cupy_where_cupy_allows() -> None:
    on_fake = strict_numpy.asarray(np.arange(6.0).reshape(2, 3))
    total = on_fake.sum()
    assert isinstance(total, StrictArray) and total.shape == ()  # 0-d array, not a scalar
    assert float(total) == 15.0
    assert isinstance(strict_numpy.exp(on_fake), StrictArray)
    picked = on_fake[np.array([1, 1])]  # host index arrays are allowed, as in CuPy
    np.testing.assert_array_equal(picked.get(), [[3.0, 4.0, 5.0]] * 2)
    copy = on_fake.get()
    copy[0, 0] = 99.0
    assert on_fake.get()[0, 0] == 0.0  # get() copies


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
    reason="keep_freed_memory tunes glibc's malloc",
)
def test_freed_arrays_come_back_without_page_faults(monkeypatch):
    """Each training step allocates and frees the same large arrays; with glibc's defaults
    every one is fresh mmap'd memory that the kernel faults in and zeroes again."""
    import ctypes
    import resource

    from tinydl.backend.host_memory import keep_freed_memory

    def faults_of_allocating_16mb_arrays() -> int:
        np.ones(4 << 20, dtype=np.float32)  # the first one may grow the heap
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        for _ in range(10):
            np.ones(4 << 20, dtype=np.float32)
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

    mallopt = ctypes.CDLL("libc.so.6").mallopt
    try:
        mallopt(-3, 128 << 10)  # glibc's defaults: mmap threshold and trim threshold 128 KiB
        mallopt(-1, 128 << 10)
        with_defaults = faults_of_allocating_16mb_arrays()
    finally:
        assert keep_freed_memory()  # what importing tinydl did, restored in any case
    kept = faults_of_allocating_16mb_arrays()
    assert kept < with_defaults / 10
    monkeypatch.setenv("TINYDL_KEEP_MEMORY", "0")
    assert not keep_freed_memory()
