"""The CUDA kernels in kernels/: they compile (nvcc for sm_80 and sm_90, and NVRTC where its
library is installed), ship inside the package, compute what their NumPy twins compute, and
are only ever launched on CuPy arrays.

The parity tests run each op's kernel path against its NumPy path in two ways:
- "host": the .cu file compiled by g++ for the CPU, with stand-ins for CUDA's built-ins, and
  launched with one block of one thread, so each grid-stride loop visits every index in turn.
  This checks on any machine the kernels' index arithmetic, the launchers' argument packing and
  the ops' dispatch, with the very source that runs on a GPU.
- "cuda": the real kernels through CuPy on a GPU (skipped where there is none).
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import re
import shutil
import struct
import subprocess
import sys
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

import tinydl
from tinydl import backend, optim
from tinydl.backend import kernels
from tinydl.ops.conv import col2im, conv2d, im2col, output_size
from tinydl.ops.losses import CrossEntropy, cross_entropy
from tinydl.ops.pooling import MaxPool2D, max_pool2d

ROOT = Path(__file__).resolve().parents[1]
KERNEL_FILES = {
    "im2col.cu": ["im2col", "col2im"],
    "pooling.cu": ["max_pool_forward", "max_pool_backward"],
    "softmax_cross_entropy.cu": [
        "softmax_cross_entropy_forward",
        "softmax_cross_entropy_backward",
    ],
    "optimizers.cu": ["sgd_update", "rmsprop_update", "adam_update"],
}
ARCHITECTURES = ["sm_80", "sm_90"]
DTYPES = ["float32", "float64"]


def entry_points(file: str) -> set[str]:
    """The extern "C" kernels ``file`` must define: each name once per dtype."""
    return {f"{name}_{suffix}" for name in KERNEL_FILES[file] for suffix in ("f32", "f64")}


# ---------------------------------------------------------------------------------------
# Compiling
# ---------------------------------------------------------------------------------------
def elf_global_functions(data: bytes) -> set[str]:
    """Names of the global function symbols of a 64-bit little-endian ELF file (a cubin)."""
    (section_table,) = struct.unpack_from("<Q", data, 0x28)
    entry_size, count = struct.unpack_from("<HH", data, 0x3A)
    # (name, type, flags, address, offset, size, link, info, alignment, entry size)
    sections = [
        struct.unpack_from("<IIQQQQIIQQ", data, section_table + i * entry_size)
        for i in range(count)
    ]
    names = set()
    for _, kind, _, _, offset, size, link, _, _, symbol_size in sections:
        if kind != 2:  # SHT_SYMTAB
            continue
        strings = sections[link][4]
        for at in range(offset, offset + size, symbol_size):
            name, info = struct.unpack_from("<IB", data, at)
            if info == 0x12:  # STB_GLOBAL << 4 | STT_FUNC
                names.add(data[strings + name : data.index(b"\0", strings + name)].decode())
    return names


@pytest.mark.parametrize("architecture", ARCHITECTURES)
@pytest.mark.parametrize("file", sorted(KERNEL_FILES))
def test_kernel_compiles_with_nvcc(file, architecture, tmp_path):
    nvcc = shutil.which("nvcc")
    if nvcc is None:
        pytest.skip("nvcc is not installed (the CUDA toolkit puts it in /usr/local/cuda/bin)")
    cubin = tmp_path / f"{file}.{architecture}.cubin"
    command = [nvcc, "--cubin", f"-arch={architecture}", "-std=c++14", "-Werror", "all-warnings"]
    result = subprocess.run(
        [*command, "-o", str(cubin), str(ROOT / "kernels" / file)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    # Unmangled global names: the kernels are extern "C", so CuPy finds them by these names.
    assert entry_points(file) <= elf_global_functions(cubin.read_bytes())


def nvrtc_library() -> ctypes.CDLL:
    """NVRTC, the run-time compiler CuPy uses: from the nvidia-cuda-nvrtc wheel or the system."""
    candidates = []
    with contextlib.suppress(ImportError):
        import nvidia.cuda_nvrtc  # the pip wheel (nvidia-cuda-nvrtc-cu12), a namespace package

        for folder in nvidia.cuda_nvrtc.__path__:
            candidates += sorted(Path(folder, "lib").glob("libnvrtc.so*"))
    candidates += sorted(Path("/usr/local/cuda/lib64").glob("libnvrtc.so*"))
    for candidate in candidates:
        with contextlib.suppress(OSError):
            return ctypes.CDLL(str(candidate))
    pytest.skip("no NVRTC library (pip install nvidia-cuda-nvrtc-cu12 to check with it)")


@pytest.mark.parametrize("file", sorted(KERNEL_FILES))
def test_kernel_compiles_with_nvrtc(file):
    """NVRTC has no host headers: a kernel that compiles with nvcc (which includes them)
    may still fail here, and this is how CuPy compiles it."""
    nvrtc = nvrtc_library()
    program = ctypes.c_void_p()
    code = kernels.source(file).encode()
    assert nvrtc.nvrtcCreateProgram(ctypes.byref(program), code, file.encode(), 0, None, None) == 0
    try:
        for architecture in ARCHITECTURES:
            options = [b"--std=c++14", f"--gpu-architecture={architecture}".encode()]
            status = nvrtc.nvrtcCompileProgram(
                program, len(options), (ctypes.c_char_p * len(options))(*options)
            )
            log_size = ctypes.c_size_t()
            nvrtc.nvrtcGetProgramLogSize(program, ctypes.byref(log_size))
            log = ctypes.create_string_buffer(log_size.value)
            nvrtc.nvrtcGetProgramLog(program, log)
            assert status == 0, log.value.decode()
    finally:
        nvrtc.nvrtcDestroyProgram(ctypes.byref(program))


# ---------------------------------------------------------------------------------------
# Packaging
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("file", sorted(KERNEL_FILES))
def test_kernel_sources_ship_in_the_package(file):
    assert resources.files("tinydl.kernels").joinpath(file).is_file()
    code = kernels.source(file)
    for name in entry_points(file):
        assert re.search(rf'extern "C" __global__ void {name}\(', code), name
    assert not re.search(r"^\s*#\s*include", code, re.MULTILINE)  # NVRTC has no host headers


def test_pyproject_installs_every_package_and_the_kernels():
    """The package list is written out (automatic discovery cannot map kernels/ to
    tinydl.kernels), so a new package under tinydl/ must be added to it."""
    tomllib = pytest.importorskip("tomllib", reason="tomllib needs Python 3.11")
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts) for init in ROOT.glob("tinydl/**/__init__.py")
    }
    assert set(settings["packages"]) == on_disk | {"tinydl.kernels"}
    assert settings["package-dir"] == {"tinydl.kernels": "kernels"}
    assert "*.cu" in settings["package-data"]["tinydl.kernels"]
    assert sorted(path.name for path in (ROOT / "kernels").glob("*.cu")) == sorted(KERNEL_FILES)


def test_kernels_run_on_float32_and_float64_only():
    assert kernels.typed_name("im2col", np.float32) == "im2col_f32"
    assert kernels.typed_name("im2col", np.float64) == "im2col_f64"
    with pytest.raises(
        TypeError, match="^the CUDA kernel im2col supports float32 and float64 arrays, got float16$"
    ):
        kernels.typed_name("im2col", np.float16)


# ---------------------------------------------------------------------------------------
# Off the GPU, the NumPy path is always taken
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("device", ["cpu", "fake"])
def test_is_cuda_is_false_off_the_gpu(device):
    assert backend.is_cuda(tinydl.tensor([1.0, 2.0], device=device).data) is False
    assert backend.is_cuda(np.ones(3)) is False
    assert backend.is_cuda(np.float32(1.0)) is False


def train_every_kernel_op(device: str, rng: np.random.Generator) -> None:
    """A convolution, a max-pool, a cross-entropy, and a step of each fused optimiser."""
    x = tinydl.tensor(rng.standard_normal((2, 1, 6, 6)), requires_grad=True, device=device)
    weight = tinydl.tensor(rng.standard_normal((3, 1, 3, 3)), requires_grad=True, device=device)
    pooled = max_pool2d(conv2d(x, weight, padding=1), 2)
    labels = tinydl.tensor(np.array([0, 2]), device=device)
    cross_entropy(pooled.sum(axis=(2, 3)), labels).backward()
    for _, make_optimizer in OPTIMIZERS.values():
        make_optimizer([weight]).step()


@pytest.mark.parametrize("device", ["cpu", "fake"])
def test_cpu_and_fake_arrays_never_launch_a_kernel(device, rng, monkeypatch):
    def refuse(*args):
        raise AssertionError(f"a CUDA kernel was launched on {device}: {args[:2]}")

    monkeypatch.setattr(kernels, "_launch", refuse)
    train_every_kernel_op(device, rng)


# ---------------------------------------------------------------------------------------
# Parity: the kernel path against the NumPy path
# ---------------------------------------------------------------------------------------
HOST_PRELUDE = r"""
// Stand-ins for CUDA's built-ins, so that g++ compiles a kernel file for the host. Run with
// one block of one thread, each grid-stride loop then visits every index in turn.
#include <math.h>
#include <string.h>
struct HostDim { unsigned x, y, z; };
static const HostDim blockIdx = {0, 0, 0}, threadIdx = {0, 0, 0};
static const HostDim blockDim = {1, 1, 1}, gridDim = {1, 1, 1};
#define __global__
#define __device__
#define __forceinline__ inline
inline float __int_as_float(int bits) { float f; memcpy(&f, &bits, 4); return f; }
inline double __longlong_as_double(long long bits) { double d; memcpy(&d, &bits, 8); return d; }
inline int min(int a, int b) { return a < b ? a : b; }
"""


@pytest.fixture(scope="module")
def host_kernels(tmp_path_factory) -> dict[str, ctypes.CDLL]:
    """Every kernel file compiled for the CPU by g++ (skips where there is no g++)."""
    compiler = shutil.which("g++")
    if compiler is None:
        pytest.skip("g++ is not installed: the kernels cannot be run on the host")
    folder = tmp_path_factory.mktemp("host_kernels")
    prelude = folder / "prelude.h"
    prelude.write_text(HOST_PRELUDE)
    libraries = {}
    for file in KERNEL_FILES:
        library = folder / f"{file}.so"
        command = [compiler, "-std=c++14", "-O1", "-shared", "-fPIC", "-include", str(prelude)]
        command += ["-x", "c++", str(ROOT / "kernels" / file), "-o", str(library)]
        result = subprocess.run(command, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        libraries[file] = ctypes.CDLL(str(library))
    return libraries


def c_argument(value):
    """An ndarray as its data pointer, a NumPy scalar as the C type of its dtype."""
    if isinstance(value, np.ndarray):
        return ctypes.c_void_p(value.ctypes.data)
    return np.ctypeslib.as_ctypes_type(value.dtype)(value)


class KernelPath:
    """Where the ops' kernel path runs: ``device`` holds its arrays, and inside
    ``active()`` the ops take it, recording each kernel launched."""

    def __init__(self, device: str, monkeypatch: pytest.MonkeyPatch, host=None) -> None:
        self.device, self.monkeypatch, self.host = device, monkeypatch, host

    @contextlib.contextmanager
    def active(self) -> Iterator[list[str]]:
        launched: list[str] = []
        launch = kernels._launch

        def recording_launch(file, name, threads, *args):
            launched.append(name)
            if self.host is None:
                launch(file, name, threads, *args)
            else:
                getattr(self.host[file], name)(*(c_argument(arg) for arg in args))

        with self.monkeypatch.context() as patch:
            patch.setattr(kernels, "_launch", recording_launch)
            if self.host is not None:  # host arrays stand for GPU arrays
                patch.setattr(backend, "is_cuda", lambda array: isinstance(array, np.ndarray))
            yield launched

    def to(self, array: np.ndarray):
        return backend.to_device(array, self.device)


@pytest.fixture(params=["host", "cuda"])
def kernel_path(request, monkeypatch) -> KernelPath:
    if request.param == "host":
        return KernelPath("cpu", monkeypatch, host=request.getfixturevalue("host_kernels"))
    cupy = pytest.importorskip("cupy", reason="CuPy is not installed: no GPU parity check")
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception:  # no driver, or CuPy built for another CUDA
        count = 0
    if count == 0:
        pytest.skip("CuPy sees no GPU: no GPU parity check")
    return KernelPath("cuda", monkeypatch)


def assert_close(actual, expected, dtype: str) -> None:
    """float32 within 1e-4 relative (the kernels may round differently: FMA, exp), float64
    within 1e-10."""
    tolerance = {"float32": (1e-4, 1e-6), "float64": (1e-10, 1e-12)}[dtype]
    actual = backend.to_numpy(actual)
    assert actual.dtype == np.dtype(dtype)
    np.testing.assert_allclose(actual, expected, rtol=tolerance[0], atol=tolerance[1])


def suffix(dtype: str) -> str:
    return {"float32": "f32", "float64": "f64"}[dtype]


# (x shape, weight shape, stride, padding)
CONV_CASES = [
    pytest.param((2, 3, 7, 7), (4, 3, 3, 3), 1, 0, id="3x3"),
    pytest.param((2, 2, 9, 7), (3, 2, 3, 3), 2, 1, id="stride2-pad1-nonsquare"),
    pytest.param((1, 3, 6, 8), (2, 3, 2, 3), (2, 1), (1, 2), id="pair-kernel-stride-padding"),
    pytest.param((3, 1, 5, 5), (2, 1, 5, 5), 1, 2, id="kernel-as-large-as-image"),
    pytest.param((1, 2, 8, 8), (2, 2, 2, 2), 3, 0, id="stride-beyond-kernel"),
]


def pair(value) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else tuple(value)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("x_shape", "w_shape", "stride", "padding"), CONV_CASES)
def test_im2col_and_col2im_match_numpy(kernel_path, rng, x_shape, w_shape, stride, padding, dtype):
    x = rng.standard_normal(x_shape).astype(dtype)
    window = w_shape[2:], pair(stride), pair(padding)
    expected_cols = im2col(x, *window)
    gradient_cols = rng.standard_normal(expected_cols.shape).astype(dtype)
    expected_x = col2im(gradient_cols, x_shape, *window)
    with kernel_path.active() as launched:
        cols = im2col(kernel_path.to(x), *window)
        gradient_x = col2im(kernel_path.to(gradient_cols), x_shape, *window)
    assert launched == [f"im2col_{suffix(dtype)}", f"col2im_{suffix(dtype)}"]
    np.testing.assert_array_equal(backend.to_numpy(cols), expected_cols)  # copies: exact
    assert_close(gradient_x, expected_x, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("x_shape", "w_shape", "stride", "padding"), CONV_CASES)
def test_conv2d_layer_matches_numpy(kernel_path, rng, x_shape, w_shape, stride, padding, dtype):
    values = [rng.standard_normal(shape) for shape in (x_shape, w_shape, w_shape[:1])]
    out_size = output_size(x_shape[2:], w_shape[2:], pair(stride), pair(padding))
    upstream = rng.standard_normal((x_shape[0], w_shape[0], *out_size))

    def forward_backward(device: str) -> list:
        x, w, b = (tinydl.tensor(v, True, dtype, device) for v in values)
        y = conv2d(x, w, b, stride, padding)
        y.backward(tinydl.tensor(upstream, dtype=dtype, device=device))
        return [y.data, x.grad.data, w.grad.data, b.grad.data]

    expected = forward_backward("cpu")
    with kernel_path.active() as launched:
        actual = forward_backward(kernel_path.device)
    assert sorted(set(launched)) == [f"col2im_{suffix(dtype)}", f"im2col_{suffix(dtype)}"]
    for got, want in zip(actual, expected, strict=True):
        assert_close(got, want, dtype)


# (x shape, kernel_size, stride, padding)
POOL_CASES = [
    pytest.param((2, 3, 8, 8), 2, None, 0, id="tiles"),
    pytest.param((2, 2, 7, 9), 3, 2, 1, id="overlapping-pad1-nonsquare"),
    pytest.param((1, 2, 6, 5), (3, 2), (1, 2), (1, 0), id="pair-kernel-stride-padding"),
    pytest.param((2, 1, 5, 5), 3, 1, 0, id="stride1"),
    pytest.param((1, 1, 7, 7), 2, 3, 0, id="stride-beyond-kernel"),
]


@pytest.mark.parametrize("values", ["distinct", "ties"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("x_shape", "kernel_size", "stride", "padding"), POOL_CASES)
def test_max_pool_matches_numpy(
    kernel_path, rng, x_shape, kernel_size, stride, padding, dtype, values
):
    # Ties: a few negative integers, so many windows hold several equal maxima (the first in
    # the window wins) and padding (−∞) must lose to all of them.
    x = rng.standard_normal(x_shape) if values == "distinct" else rng.integers(-3, 0, x_shape)
    x = x.astype(dtype)
    window = pair(kernel_size), pair(kernel_size if stride is None else stride), pair(padding)
    reference = MaxPool2D(*window)
    expected_y = reference.forward(x)
    upstream = rng.standard_normal(expected_y.shape).astype(dtype)
    expected_x = reference.backward(upstream)
    pool = MaxPool2D(*window)
    with kernel_path.active() as launched:
        y = pool.forward(kernel_path.to(x))
        gradient_x = pool.backward(kernel_path.to(upstream))
    assert launched == [f"max_pool_forward_{suffix(dtype)}", f"max_pool_backward_{suffix(dtype)}"]
    np.testing.assert_array_equal(backend.to_numpy(y), expected_y)
    # The same winners: the plain MaxPool2D's argmax, like the kernel's, is (N, C, OH, OW).
    np.testing.assert_array_equal(backend.to_numpy(pool.argmax), reference.argmax)
    assert_close(gradient_x, expected_x, dtype)


@pytest.mark.parametrize("labels_dtype", ["int64", "int32"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("rows", "classes", "scale"), [(64, 10, 3.0), (5, 300, 1.0), (3, 4, 1e3)])
def test_cross_entropy_matches_numpy(
    kernel_path, rng, rows, classes, scale, dtype, reduction, labels_dtype
):
    logits = (scale * rng.standard_normal((rows, classes))).astype(dtype)  # 1e3: stability
    labels = rng.integers(0, classes, rows).astype(labels_dtype)
    upstream = rng.standard_normal(rows if reduction == "none" else ()).astype(dtype)
    reference = CrossEntropy(reduction)
    expected_loss = reference.forward(logits, labels)
    expected_gradient, _ = reference.backward(upstream)
    loss_function = CrossEntropy(reduction)
    with kernel_path.active() as launched:
        loss = loss_function.forward(kernel_path.to(logits), kernel_path.to(labels))
        gradient, label_gradient = loss_function.backward(kernel_path.to(upstream))
    name = f"softmax_cross_entropy_{{}}_{suffix(dtype)}"
    assert launched == [name.format("forward"), name.format("backward")]
    assert label_gradient is None
    assert_close(loss, expected_loss, dtype)
    assert_close(gradient, expected_gradient, dtype)


# name: (the kernel that runs its rule, the optimiser)
OPTIMIZERS: dict[str, tuple[str, Callable[[list], optim.Optimizer]]] = {
    "sgd": ("sgd_update", lambda p: optim.SGD(p, lr=0.1)),
    "sgd-momentum": ("sgd_update", lambda p: optim.SGD(p, lr=0.1, momentum=0.9)),
    "sgd-nesterov-decay": (
        "sgd_update",
        lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    ),
    "rmsprop": ("rmsprop_update", lambda p: optim.RMSprop(p, lr=0.01)),
    "rmsprop-momentum-decay": (
        "rmsprop_update",
        lambda p: optim.RMSprop(p, lr=0.01, alpha=0.9, momentum=0.5, weight_decay=0.1),
    ),
    "adam": ("adam_update", lambda p: optim.Adam(p, lr=0.01)),
    "adam-decay": (
        "adam_update",
        lambda p: optim.Adam(p, lr=0.01, betas=(0.8, 0.99), weight_decay=0.1),
    ),
    "adamw": ("adam_update", lambda p: optim.AdamW(p, lr=0.01, weight_decay=0.1)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_optimizer_steps_match_numpy(kernel_path, rng, name, dtype):
    shapes = [(3, 4), (5,)]
    initial = [rng.standard_normal(shape).astype(dtype) for shape in shapes]
    gradients = [[rng.standard_normal(shape).astype(dtype) for shape in shapes] for _ in range(5)]

    kernel, make_optimizer = OPTIMIZERS[name]

    def five_steps(device: str) -> tuple[list, dict]:
        params = [tinydl.tensor(v, True, dtype, device) for v in initial]
        optimizer = make_optimizer(params)
        for step in gradients:
            for param, gradient in zip(params, step, strict=True):
                param.grad = tinydl.tensor(gradient, dtype=dtype, device=device)
            optimizer.step()
        return [param.data for param in params], optimizer.state_dict()["state"]

    expected_params, expected_state = five_steps("cpu")
    with kernel_path.active() as launched:
        params, state = five_steps(kernel_path.device)
    assert launched == [f"{kernel}_{suffix(dtype)}"] * 10  # one launch per parameter and step
    for got, want in zip(params, expected_params, strict=True):
        assert_close(got, want, dtype)
    # The same state under the same names, so a checkpoint resumes on either device.
    assert state.keys() == expected_state.keys()
    for position, buffers in expected_state.items():
        assert state[position].keys() == buffers.keys()
        for key, want in buffers.items():
            if isinstance(want, np.ndarray):
                assert_close(state[position][key], want, dtype)
            else:
                assert state[position][key] == want


# ---------------------------------------------------------------------------------------
# The GPU benchmark (it runs on a GPU; here only its arguments and its dry run on the CPU)
# ---------------------------------------------------------------------------------------
BENCHMARK = ROOT / "benchmarks" / "gpu_mnist.py"


def run_benchmark(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(BENCHMARK), *arguments], capture_output=True, text=True, timeout=300
    )


def test_gpu_benchmark_parses_its_arguments():
    result = run_benchmark("--help")
    assert result.returncode == 0, result.stderr
    assert "--configs" in result.stdout and "--systems" in result.stdout
    result = run_benchmark("--configs", "A-128,B-1")
    assert result.returncode == 2
    assert "--configs: unknown B-1; choose from A-128,C-64,C-512" in result.stderr


def test_gpu_benchmark_without_a_gpu_says_so():
    with contextlib.suppress(tinydl.DeviceError):
        backend.device("cuda").xp  # noqa: B018
        pytest.skip("this machine has a GPU: the benchmark would run")
    result = run_benchmark("--epochs", "1", "--no-record")
    assert result.returncode == 1
    assert result.stderr.startswith("gpu_mnist.py needs a CUDA GPU that CuPy can use: ")


def test_gpu_benchmark_dry_run_on_the_cpu():
    try:
        tinydl.data.load_mnist(download=False, progress=False)
    except tinydl.data.DataError as error:
        pytest.skip(f"MNIST is not on this machine: {error}")
    results = ROOT / "benchmarks" / "results" / "gpu_mnist.md"
    before = results.read_text() if results.exists() else None
    systems = "tinydl,torch" if importlib.util.find_spec("torch") else "tinydl"
    result = run_benchmark(
        "--device", "cpu", "--configs", "A-128", "--epochs", "1", "--batches", "2",
        "--warmup-batches", "1", "--systems", systems,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "### A-128: example A (mlp, rmsprop), batch 128, 1 epoch of 256 samples" in result.stdout
    for system in systems.split(","):
        assert f"| {system} | " in result.stdout
    assert (results.read_text() if results.exists() else None) == before  # a dry run: no record
