"""PyTorch's tensor factories (``tinydl.zeros``, ``randn``, ``arange``, …): shapes, dtypes,
devices and ``requires_grad`` on every device; the fixed values against literal arrays (and
against PyTorch where it is installed); the random ones repeatable after ``manual_seed``, the
same on every device, and distributed as they should be."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import tinydl

F32, F64, I64 = np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.int64)

# (call on a device, expected shape, expected dtype)
SHAPES: list[tuple[str, Callable[[str], tinydl.Tensor], tuple[int, ...], np.dtype]] = [
    ("zeros-varargs", lambda d: tinydl.zeros(2, 3, device=d), (2, 3), F32),
    ("zeros-tuple", lambda d: tinydl.zeros((2, 3), device=d), (2, 3), F32),
    ("zeros-list", lambda d: tinydl.zeros([4], device=d), (4,), F32),
    ("zeros-scalar", lambda d: tinydl.zeros((), device=d), (), F32),
    ("zeros-empty-axis", lambda d: tinydl.zeros(0, 3, device=d), (0, 3), F32),
    ("zeros-numpy-int", lambda d: tinydl.zeros(np.int64(2), 3, device=d), (2, 3), F32),
    ("zeros-int32", lambda d: tinydl.zeros(2, dtype="int32", device=d), (2,), np.dtype(np.int32)),
    ("ones", lambda d: tinydl.ones(1, 2, 3, device=d), (1, 2, 3), F32),
    ("ones-float64", lambda d: tinydl.ones((2,), dtype=np.float64, device=d), (2,), F64),
    ("ones-bool", lambda d: tinydl.ones(2, dtype="bool", device=d), (2,), np.dtype(bool)),
    ("empty", lambda d: tinydl.empty(3, 2, device=d), (3, 2), F32),
    ("full-float", lambda d: tinydl.full((2, 2), 0.5, device=d), (2, 2), F32),
    ("full-int", lambda d: tinydl.full((2, 2), 7, device=d), (2, 2), I64),
    ("full-bool", lambda d: tinydl.full([3], True, device=d), (3,), np.dtype(bool)),
    ("full-numpy-float64", lambda d: tinydl.full((2,), np.float64(1.5), device=d), (2,), F32),
    ("full-complex", lambda d: tinydl.full((2,), 1 + 2j, device=d), (2,), np.dtype("complex64")),
    ("full-int-as-float", lambda d: tinydl.full((2,), 1, dtype="float32", device=d), (2,), F32),
    ("rand", lambda d: tinydl.rand(2, 3, device=d), (2, 3), F32),
    ("rand-float64", lambda d: tinydl.rand((4,), dtype="float64", device=d), (4,), F64),
    ("randn", lambda d: tinydl.randn(64, 100, device=d), (64, 100), F32),
    ("randn-float16", lambda d: tinydl.randn(3, dtype="float16", device=d), (3,),
     np.dtype(np.float16)),
    ("randint-high", lambda d: tinydl.randint(10, (5,), device=d), (5,), I64),
    ("randint-low-high", lambda d: tinydl.randint(3, 10, (2, 2), device=d), (2, 2), I64),
    ("randint-size-keyword", lambda d: tinydl.randint(0, 10, size=(3,), device=d), (3,), I64),
    ("randint-keywords", lambda d: tinydl.randint(high=4, size=(3,), device=d), (3,), I64),
    ("randint-high-size-keyword", lambda d: tinydl.randint(10, size=(2, 3), device=d), (2, 3),
     I64),
    ("randint-float", lambda d: tinydl.randint(10, (3,), dtype="float32", device=d), (3,), F32),
    ("randint-uint8", lambda d: tinydl.randint(256, (3,), dtype="uint8", device=d), (3,),
     np.dtype(np.uint8)),
    ("randperm", lambda d: tinydl.randperm(6, device=d), (6,), I64),
    ("randperm-0", lambda d: tinydl.randperm(0, device=d), (0,), I64),
    ("arange-int", lambda d: tinydl.arange(10, device=d), (10,), I64),
    ("arange-float", lambda d: tinydl.arange(0, 1, 0.25, device=d), (4,), F32),
    ("arange-float-end", lambda d: tinydl.arange(10.0, device=d), (10,), F32),
    ("arange-int-as-float", lambda d: tinydl.arange(3, dtype="float64", device=d), (3,), F64),
    ("arange-empty", lambda d: tinydl.arange(4, 4, device=d), (0,), I64),
    ("linspace", lambda d: tinydl.linspace(0, 1, 5, device=d), (5,), F32),
    ("linspace-0", lambda d: tinydl.linspace(0, 1, 0, device=d), (0,), F32),
    ("linspace-int64", lambda d: tinydl.linspace(0, 10, 5, dtype="int64", device=d), (5,), I64),
    ("eye", lambda d: tinydl.eye(3, device=d), (3, 3), F32),
    ("eye-rectangular", lambda d: tinydl.eye(2, 4, device=d), (2, 4), F32),
    ("eye-0", lambda d: tinydl.eye(0, device=d), (0, 0), F32),
]


def int_tensor(device: str) -> tinydl.Tensor:
    return tinydl.tensor([[1, 2, 3], [4, 5, 6]], device=device)


LIKES: list[tuple[str, Callable[..., tinydl.Tensor]]] = [
    ("zeros_like", tinydl.zeros_like),
    ("ones_like", tinydl.ones_like),
    ("full_like", lambda x, **kw: tinydl.full_like(x, 2.7, **kw)),
    ("rand_like", tinydl.rand_like),
    ("randn_like", tinydl.randn_like),
]


@pytest.mark.parametrize("make, shape, dtype", [pytest.param(*row[1:], id=row[0])
                                                for row in SHAPES])
def test_shape_dtype_and_device(make, shape, dtype, device: str) -> None:
    x = make(device)
    assert isinstance(x, tinydl.Tensor)
    assert x.shape == shape and x.dtype == dtype and x.device == device
    assert x.is_leaf and not x.requires_grad


@pytest.mark.parametrize("make", [
    lambda d: tinydl.zeros(2, 3, requires_grad=True, device=d),
    lambda d: tinydl.ones((2, 3), requires_grad=True, device=d),
    lambda d: tinydl.full((2, 3), 0.5, requires_grad=True, device=d),
    lambda d: tinydl.empty(2, 3, requires_grad=True, device=d),
    lambda d: tinydl.rand(2, 3, requires_grad=True, device=d),
    lambda d: tinydl.randn(2, 3, requires_grad=True, device=d),
    lambda d: tinydl.arange(6, dtype="float32", requires_grad=True, device=d),
    lambda d: tinydl.linspace(0, 1, 6, requires_grad=True, device=d),
    lambda d: tinydl.eye(2, 3, requires_grad=True, device=d),
    lambda d: tinydl.randint(5, (2, 3), dtype="float32", requires_grad=True, device=d),
    lambda d: tinydl.randperm(6, dtype="float32", requires_grad=True, device=d),
], ids=["zeros", "ones", "full", "empty", "rand", "randn", "arange", "linspace", "eye",
        "randint", "randperm"])
def test_requires_grad_makes_a_trainable_leaf(make, device: str) -> None:
    x = make(device)
    assert x.is_leaf and x.requires_grad
    weights = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    (x.reshape(2, 3) * tinydl.tensor(weights, device=device)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy().reshape(2, 3), weights)
    assert x.grad.dtype == F32 and x.grad.device == device


@pytest.mark.parametrize("name, like", LIKES, ids=[name for name, _ in LIKES])
def test_like_takes_shape_dtype_and_device_of_its_input(name: str, like, device: str) -> None:
    source = tinydl.ones(2, 3, dtype="float64", device=device, requires_grad=True)
    x = like(source)
    assert (x.shape, x.dtype, x.device, x.requires_grad) == ((2, 3), F64, device, False)
    y = like(source, dtype="float32", device="cpu", requires_grad=True)
    assert (y.shape, y.dtype, y.device, y.requires_grad) == ((2, 3), F32, "cpu", True)
    if name in ("zeros_like", "ones_like", "full_like"):
        assert like(int_tensor(device)).dtype == I64


def test_like_values(device: str) -> None:
    x = int_tensor(device)
    np.testing.assert_array_equal(tinydl.zeros_like(x).numpy(), np.zeros((2, 3), np.int64))
    np.testing.assert_array_equal(tinydl.ones_like(x).numpy(), np.ones((2, 3), np.int64))
    # an int tensor keeps its dtype: the fill is cut to 2, as torch.full_like does
    np.testing.assert_array_equal(tinydl.full_like(x, 2.7).numpy(), np.full((2, 3), 2))
    np.testing.assert_array_equal(
        tinydl.full_like(x.astype("float32"), 2.5).numpy(), np.full((2, 3), 2.5, np.float32)
    )


def test_float_factories_follow_the_default_dtype(device: str) -> None:
    tinydl.set_default_dtype("float64")
    try:
        made = [
            tinydl.zeros(2, device=device), tinydl.ones(2, device=device),
            tinydl.empty(2, device=device), tinydl.full((2,), 0.5, device=device),
            tinydl.rand(2, device=device), tinydl.randn(2, device=device),
            tinydl.arange(0.0, 2.0, device=device), tinydl.linspace(0, 1, 2, device=device),
            tinydl.eye(2, device=device),
        ]
        assert [x.dtype for x in made] == [F64] * len(made)
        assert tinydl.arange(2, device=device).dtype == I64  # counting stays int64
        assert tinydl.full((2,), 1, device=device).dtype == I64
        assert tinydl.full((2,), 1j, device=device).dtype == np.dtype("complex128")
    finally:
        tinydl.set_default_dtype("float32")


def test_default_device_is_used_when_none_is_named(device: str) -> None:
    tinydl.set_default_device(device)
    try:
        made = [tinydl.zeros(2), tinydl.randn(2), tinydl.arange(3), tinydl.eye(2),
                tinydl.randint(3, (2,)), tinydl.randperm(3), tinydl.linspace(0, 1, 3)]
        assert [x.device for x in made] == [device] * len(made)
    finally:
        tinydl.set_default_device(None)


# ---- fixed values ---------------------------------------------------------------------------
VALUES: list[tuple[str, Callable[[str], tinydl.Tensor], list]] = [
    ("zeros", lambda d: tinydl.zeros(2, 2, device=d), [[0, 0], [0, 0]]),
    ("ones", lambda d: tinydl.ones(3, device=d), [1, 1, 1]),
    ("empty-is-zeros", lambda d: tinydl.empty(2, device=d), [0, 0]),
    ("full", lambda d: tinydl.full((2, 2), 0.5, device=d), [[0.5, 0.5], [0.5, 0.5]]),
    ("full-bool", lambda d: tinydl.full((2,), False, device=d), [False, False]),
    ("arange", lambda d: tinydl.arange(5, device=d), [0, 1, 2, 3, 4]),
    ("arange-start", lambda d: tinydl.arange(2, 5, device=d), [2, 3, 4]),
    ("arange-step", lambda d: tinydl.arange(0, 10, 3, device=d), [0, 3, 6, 9]),
    ("arange-down", lambda d: tinydl.arange(5, 0, -2, device=d), [5, 3, 1]),
    ("arange-float", lambda d: tinydl.arange(1, 2.5, 0.5, device=d), [1.0, 1.5, 2.0]),
    ("arange-float-stop", lambda d: tinydl.arange(1, 2.5, device=d), [1.0, 2.0]),
    ("arange-tenths", lambda d: tinydl.arange(0, 1, 0.1, device=d),
     [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]),
    ("arange-negative-float", lambda d: tinydl.arange(0.5, -1.0, -0.5, device=d),
     [0.5, 0.0, -0.5]),
    ("linspace", lambda d: tinydl.linspace(0, 1, 5, device=d), [0.0, 0.25, 0.5, 0.75, 1.0]),
    ("linspace-down", lambda d: tinydl.linspace(3, 0, 4, device=d), [3.0, 2.0, 1.0, 0.0]),
    ("linspace-thirds", lambda d: tinydl.linspace(-1, 1, 4, device=d),
     [-1.0, -1 / 3, 1 / 3, 1.0]),
    ("linspace-1", lambda d: tinydl.linspace(2, 5, 1, device=d), [2.0]),
    ("linspace-2", lambda d: tinydl.linspace(2, 5, 2, device=d), [2.0, 5.0]),
    ("linspace-int-truncates", lambda d: tinydl.linspace(-10, 0, 5, dtype="int64", device=d),
     [-10, -7, -5, -2, 0]),
    ("eye", lambda d: tinydl.eye(3, device=d), [[1, 0, 0], [0, 1, 0], [0, 0, 1]]),
    ("eye-tall", lambda d: tinydl.eye(3, 2, device=d), [[1, 0], [0, 1], [0, 0]]),
    ("eye-wide", lambda d: tinydl.eye(2, 3, dtype="int64", device=d), [[1, 0, 0], [0, 1, 0]]),
]


@pytest.mark.parametrize("make, expected", [pytest.param(*row[1:], id=row[0])
                                            for row in VALUES])
def test_fixed_values(make, expected, device: str) -> None:
    x = make(device)
    expected = np.asarray(expected, dtype=x.dtype)
    assert x.shape == expected.shape
    np.testing.assert_allclose(x.numpy(), expected, rtol=1e-6, atol=0)


def test_linspace_ends_are_exact(device: str) -> None:
    x = tinydl.linspace(0.1, 0.7, 7, device=device).numpy()
    assert x[0] == np.float32(0.1) and x[-1] == np.float32(0.7)
    np.testing.assert_allclose(np.diff(x), 0.1, rtol=1e-5)


# the same call in both libraries; dtypes are named by string, which both accept once mapped
TORCH_CALLS = [
    ("zeros", (2, 3), {}), ("zeros", ((2, 3),), {}), ("ones", (4,), {"dtype": "int32"}),
    ("full", ((2, 2), 7), {}), ("full", ((2, 2), True), {}), ("full", ((3,), -1.25), {}),
    ("arange", (10,), {}), ("arange", (10.0,), {}), ("arange", (0, 1, 0.1), {}),
    ("arange", (1, 4, 0.5), {}), ("arange", (-3.7, 5.2, 0.3), {}),
    ("arange", (0.5, 100, 0.7), {}), ("arange", (7, -5, -3), {}),
    ("arange", (3,), {"dtype": "float64"}),
    ("linspace", (0, 1, 5), {}), ("linspace", (3.3, -7.1, 11), {}), ("linspace", (0, 1, 100), {}),
    ("linspace", (1e-3, 7, 1001), {}), ("linspace", (-7, 13, 9), {"dtype": "int64"}),
    ("linspace", (0, 1, 1), {}), ("eye", (3,), {}), ("eye", (2, 5), {}),
    ("eye", (4,), {"dtype": "int64"}),
]


@pytest.mark.parametrize("name, args, kwargs", TORCH_CALLS,
                         ids=[f"{n}{a}{k or ''}" for n, a, k in TORCH_CALLS])
def test_fixed_values_match_pytorch(name: str, args: tuple, kwargs: dict) -> None:
    torch = pytest.importorskip("torch")
    torch_kwargs = {k: getattr(torch, v) for k, v in kwargs.items()}
    expected = getattr(torch, name)(*args, **torch_kwargs).numpy()
    ours = getattr(tinydl, name)(*args, **kwargs).numpy()
    assert ours.dtype == expected.dtype and ours.shape == expected.shape
    # arange's and linspace's float32 values may differ from PyTorch's in the last bit
    np.testing.assert_allclose(ours, expected, rtol=2e-7, atol=1e-7)


# ---- random values ------------------------------------------------------------------------
RANDOM: list[tuple[str, Callable[[str], tinydl.Tensor]]] = [
    ("rand", lambda d: tinydl.rand(3, 4, device=d)),
    ("randn", lambda d: tinydl.randn(3, 4, device=d)),
    ("randn-float64", lambda d: tinydl.randn(3, 4, dtype="float64", device=d)),
    ("rand_like", lambda d: tinydl.rand_like(tinydl.zeros(3, 4, device=d))),
    ("randn_like", lambda d: tinydl.randn_like(tinydl.zeros(3, 4, device=d))),
    ("randint", lambda d: tinydl.randint(-5, 5, (3, 4), device=d)),
    ("randperm", lambda d: tinydl.randperm(12, device=d)),
]


@pytest.mark.parametrize("make", [pytest.param(m, id=n) for n, m in RANDOM])
def test_random_is_repeatable_after_manual_seed_and_the_same_on_every_device(
    make, device: str
) -> None:
    tinydl.manual_seed(7)
    first, second = make(device).numpy(), make(device).numpy()
    assert not np.array_equal(first, second)  # the generator moves on between calls
    tinydl.manual_seed(7)
    np.testing.assert_array_equal(make(device).numpy(), first)
    tinydl.manual_seed(7)
    np.testing.assert_array_equal(make("cpu").numpy(), first)


def test_randn_is_standard_normal(device: str) -> None:
    tinydl.manual_seed(0)
    x = tinydl.randn(100_000, device=device)
    assert x.dtype == F32  # drawn as float32, not float64 left unconverted
    values = x.numpy()
    assert abs(values.mean()) < 0.02 and abs(values.std() - 1) < 0.02
    # about 68.3% within one std and 95.4% within two: a uniform draw gives 100% for both
    assert abs(np.mean(np.abs(values) < 1) - 0.6827) < 0.01
    assert abs(np.mean(np.abs(values) < 2) - 0.9545) < 0.005
    assert values.min() < -3.5 and values.max() > 3.5


def test_rand_is_uniform_on_zero_to_one(device: str) -> None:
    tinydl.manual_seed(0)
    values = tinydl.rand(100_000, device=device).numpy()
    assert values.dtype == F32 and values.min() >= 0 and values.max() < 1
    assert abs(values.mean() - 0.5) < 0.01 and abs(values.var() - 1 / 12) < 0.003
    counts = np.histogram(values, bins=10, range=(0, 1))[0]
    assert np.all(np.abs(counts - 10_000) < 500)


def test_randint_covers_low_to_high_minus_one_evenly(device: str) -> None:
    tinydl.manual_seed(0)
    values = tinydl.randint(3, 10, (70_000,), device=device).numpy()
    assert values.min() == 3 and values.max() == 9
    counts = np.bincount(values)[3:]
    assert len(counts) == 7 and np.all(np.abs(counts - 10_000) < 500)
    high_only = tinydl.randint(2, (1000,), device=device).numpy()
    assert set(high_only.tolist()) == {0, 1}


def test_randperm_is_a_permutation(device: str) -> None:
    tinydl.manual_seed(0)
    perm = tinydl.randperm(1000, device=device).numpy()
    np.testing.assert_array_equal(np.sort(perm), np.arange(1000))
    assert np.mean(perm == np.arange(1000)) < 0.05  # shuffled, not 0 … n-1


def test_a_gan_noise_batch_feeds_a_float32_generator(device: str) -> None:
    generator = tinydl.nn.Sequential(tinydl.nn.Linear(100, 8), tinydl.nn.Tanh()).to(device)
    fake = generator(tinydl.randn(16, 100, device=device))
    assert fake.shape == (16, 8) and fake.dtype == F32 and fake.device == device
