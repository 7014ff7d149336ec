"""Adam's fast step (``Adam.adam_step_fast``: in place, in chunks) against its plain twin,
the textbook ``Adam.adam_step`` on whole arrays.

The two round differently (the fast step folds the bias corrections into two scalars), so
they agree to the dtype's precision, step after step, whatever the tensor's size relative
to the chunk. The chunk size itself changes no bit of the result, and an array that is
not C-contiguous (which chunks cannot reach in place) takes the plain step. Nor does the
split of the chunks over threads (tinydl/backend/host_threads.py) change a bit.
"""

from __future__ import annotations

import numpy as np
import pytest

import tinydl
from tinydl import backend
from tinydl.backend import host_threads
from tinydl.optim import Adam, AdamW

CHUNK = 64
# Below one chunk, exactly one chunk, and 3 chunks plus a partial one (2-D, so that
# Fortran order is not C-contiguous).
SHAPES = [(5, 7), (8, 8), (10, 20)]
CONFIGS = [
    (Adam, {"lr": 0.01, "betas": (0.5, 0.999)}),
    (Adam, {"lr": 0.01, "weight_decay": 0.1}),
    (AdamW, {"lr": 0.01, "eps": 1e-6, "weight_decay": 0.1}),
]
TOLERANCE = {"float32": 1e-6, "float64": 1e-13}


def parameters(values: list[np.ndarray], device: str, order: str) -> list[tinydl.Tensor]:
    """Trainable tensors holding ``values``, their arrays laid out in ``order`` ("C"/"F")."""
    tensors = []
    for value in values:
        tensor = tinydl.tensor(value, dtype=value.dtype, device=device, requires_grad=True)
        tensor.array = backend.to_device(np.array(value, order=order), device)  # a copy
        tensors.append(tensor)
    return tensors


def host(array: object) -> np.ndarray:
    return backend.to_numpy(array)


def train_side_by_side(first, second, rng, dtype, device, steps=4):
    """``steps`` steps of two (optimizer, fast, order) setups on the same values and
    gradients; yields the two parameter lists and optimisers after each step."""
    values = [rng.standard_normal(shape).astype(dtype) for shape in SHAPES]
    sides = []
    for make_optimizer, fast, order in (first, second):
        params = parameters(values, device, order)
        sides.append((params, make_optimizer(params), fast, order))
    for _ in range(steps):
        gradients = [rng.standard_normal(shape).astype(dtype) for shape in SHAPES]
        for params, optimizer, fast, order in sides:
            for p, gradient in zip(params, gradients, strict=True):
                p.grad = tinydl.tensor(np.array(gradient, order=order), dtype=dtype, device=device)
            with tinydl.fast_paths(fast):
                optimizer.step()
        yield values, *sides


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("rule", "settings"), CONFIGS)
def test_fast_step_matches_the_textbook_step(device, rng, dtype, rule, settings) -> None:
    def make(params):
        optimizer = rule(params, **settings)
        optimizer.chunk_size = CHUNK
        return optimizer

    for values, fast, plain in train_side_by_side((make, True, "C"), (make, False, "C"), rng,
                                                  dtype, device):
        for a, b, start in zip(fast[0], plain[0], values, strict=True):
            assert a.array.dtype == b.array.dtype == dtype
            assert not np.array_equal(host(a.array), start)  # it did move
            np.testing.assert_allclose(host(a.array), host(b.array), rtol=TOLERANCE[dtype],
                                       atol=TOLERANCE[dtype])
    for a_state, b_state in zip(fast[1].state, plain[1].state, strict=True):
        assert a_state["step"] == b_state["step"] == 4
        for name in ("exp_avg", "exp_avg_sq"):
            assert a_state[name].dtype == b_state[name].dtype == dtype
            np.testing.assert_allclose(host(a_state[name]), host(b_state[name]),
                                       rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype])


@pytest.mark.parametrize(("rule", "settings"), CONFIGS)
def test_the_chunk_size_changes_no_bit(device, rng, rule, settings) -> None:
    def chunked(params):
        optimizer = rule(params, **settings)
        optimizer.chunk_size = CHUNK
        return optimizer

    def whole(params):  # one chunk holds every parameter
        return rule(params, **settings)

    for _, a, b in train_side_by_side((chunked, True, "C"), (whole, True, "C"), rng,
                                      "float32", device):
        for p, q in zip(a[0], b[0], strict=True):
            np.testing.assert_array_equal(host(p.array), host(q.array))


def test_arrays_chunks_cannot_reach_take_the_plain_step(device, rng) -> None:
    def make(params):
        return Adam(params, lr=0.01)

    for _, fortran, plain in train_side_by_side((make, True, "F"), (make, False, "F"), rng,
                                                "float64", device):
        assert not fortran[0][0].array.flags.c_contiguous
        for p, q in zip(fortran[0], plain[0], strict=True):
            np.testing.assert_array_equal(host(p.array), host(q.array))


@pytest.mark.parametrize("fast", [False, True], ids=["adam_step", "adam_step_fast"])
def test_both_steps_follow_the_paper(fast) -> None:
    # Two steps (over 2 chunks and a partial one), worked out in float64 as Kingma & Ba
    # write it: m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ), θ ← θ − lr · m̂/(√v̂ + ε).
    rng = np.random.default_rng(0)
    theta = rng.standard_normal(300).astype(np.float32)
    gradients = rng.standard_normal((2, 300)).astype(np.float32)
    p = tinydl.tensor(theta, requires_grad=True)
    optimizer = Adam([p], lr=0.1, betas=(0.5, 0.9))
    optimizer.chunk_size = 128
    expected, m, v = theta.astype(np.float64), 0.0, 0.0
    for t, gradient in enumerate(gradients, start=1):
        p.grad = tinydl.tensor(gradient)
        with tinydl.fast_paths(fast):
            optimizer.step()
        g = gradient.astype(np.float64)
        m, v = 0.5 * m + 0.5 * g, 0.9 * v + 0.1 * g**2
        m_hat, v_hat = m / (1 - 0.5**t), v / (1 - 0.9**t)
        expected = expected - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8)
    assert p.array.dtype == np.float32
    np.testing.assert_allclose(p.array, expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(("rule", "settings"), CONFIGS)
def test_the_split_over_threads_changes_no_bit(device, rng, rule, settings, monkeypatch) -> None:
    # 1000 elements in chunks of 64, on three threads: parts of 125 elements (at least 2
    # chunks each, 8 of them), a part's last chunk a partial one.
    values = rng.standard_normal((4, 1000)).astype(np.float32)
    results = []
    for threads in (1, 3):
        monkeypatch.setattr(host_threads, "thread_count", lambda threads=threads: threads)
        p = tinydl.tensor(values[0], device=device, requires_grad=True)
        optimizer = rule([p], **settings)
        optimizer.chunk_size = CHUNK
        for gradient in values[1:]:
            p.grad = tinydl.tensor(gradient, device=device)
            with tinydl.fast_paths(True):
                optimizer.step()
        results.append(host(p.array))
    assert not np.array_equal(results[0], values[0])
    np.testing.assert_array_equal(results[0], results[1])
