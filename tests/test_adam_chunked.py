"""Adam's chunked update (``Adam.adam_step``) against its whole-array reference.

The reference, ``adam_step_reference``, is what ``adam_step`` runs for arrays that are not
C-contiguous, so one model with Fortran-ordered parameters takes the reference path and
its twin with the same values in C order takes the chunked one; the two must agree bit
for bit, step after step, whatever the tensor's size relative to the chunk.
"""

from __future__ import annotations

import numpy as np
import pytest

import tinydl
from tinydl import backend
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


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("rule", "settings"), CONFIGS)
def test_chunked_update_matches_reference_bit_for_bit(device, rng, dtype, rule, settings) -> None:
    values = [rng.standard_normal(shape).astype(dtype) for shape in SHAPES]
    chunked = parameters(values, device, "C")
    whole = parameters(values, device, "F")
    assert all(not p.array.flags.c_contiguous for p in whole)  # so these take the reference
    chunked_optimizer, whole_optimizer = rule(chunked, **settings), rule(whole, **settings)
    chunked_optimizer.chunk_size = CHUNK
    for _ in range(4):
        for a, b in zip(chunked, whole, strict=True):
            gradient = rng.standard_normal(a.shape).astype(dtype)
            a.grad = tinydl.tensor(gradient, dtype=dtype, device=device)
            b.grad = tinydl.tensor(np.asfortranarray(gradient), dtype=dtype, device=device)
        chunked_optimizer.step()
        whole_optimizer.step()
        for a, b, start in zip(chunked, whole, values, strict=True):
            assert a.array.dtype == dtype
            assert not np.array_equal(host(a.array), start)  # it did move
            np.testing.assert_array_equal(host(a.array), host(b.array))
    for a_state, b_state in zip(chunked_optimizer.state, whole_optimizer.state, strict=True):
        assert a_state["step"] == b_state["step"] == 4
        for name in ("exp_avg", "exp_avg_sq"):
            assert a_state[name].dtype == dtype
            np.testing.assert_array_equal(host(a_state[name]), host(b_state[name]))


def test_chunked_update_follows_the_adam_formula() -> None:
    # One step from zero moments over 2 chunks and a partial one: m = (1 − β₁)g and
    # v = (1 − β₂)g², so θ ← θ − lr/(1 − β₁) · m / (√v / √(1 − β₂) + ε), here in float64.
    rng = np.random.default_rng(0)
    theta = rng.standard_normal(300).astype(np.float32)
    gradient = rng.standard_normal(300).astype(np.float32)
    p = tinydl.tensor(theta, requires_grad=True)
    p.grad = tinydl.tensor(gradient)
    optimizer = Adam([p], lr=0.1, betas=(0.5, 0.9))
    optimizer.chunk_size = 128
    optimizer.step()
    g = gradient.astype(np.float64)
    m, v = 0.5 * g, 0.1 * g**2
    expected = theta - 0.1 / 0.5 * m / (np.sqrt(v) / np.sqrt(0.1) + 1e-8)
    assert p.array.dtype == np.float32
    np.testing.assert_allclose(p.array, expected, rtol=1e-6, atol=1e-6)
