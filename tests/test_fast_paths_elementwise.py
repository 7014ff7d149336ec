"""Issue 25's element-wise fast paths held to their plain twins, on the CPU and the strict
fake device: each ``...Fast`` Function computes the same outputs and gradients as the
plain one it sits below (bit for bit where the docstring says so), keeps float32 float32,
and runs only with the fast paths on and for the inputs it covers."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from conftest import make

import tinydl
import tinydl.nn.functional as F  # noqa: N812
from tinydl import backend
from tinydl.backend import host_threads
from tinydl.ops import activations, linalg
from tinydl.ops import attention as attention_ops


def run_both_ways(op, shapes, device, dtype="float64", seed=7):
    """``op`` on leaves of ``shapes`` with the fast paths off and on: for each, the output and
    every leaf's gradient as NumPy arrays, and the name of the Function that made the output.
    The upstream gradient, 2·y, differs per element."""
    results = {}
    for fast in (False, True):
        rng = np.random.default_rng(seed)
        leaves = [make(rng.standard_normal(shape), device, dtype=dtype) for shape in shapes]
        with tinydl.fast_paths(fast):
            y = op(*leaves)
            (y * y).sum().backward()
        results[fast] = ([y.numpy()] + [t.grad.numpy() for t in leaves],
                         type(y.creator).__name__)
    return results


def assert_identical(results, plain_name):
    (plain, plain_op), (fast, fast_op) = results[False], results[True]
    assert (plain_op, fast_op) == (plain_name, plain_name + "Fast")
    for got, want in zip(fast, plain, strict=True):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


# ---- LeakyReLU: max(x, a·x) -------------------------------------------------------------------
@pytest.mark.parametrize("slope", [0.0, 0.01, 0.2, 1.0])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_leaky_relu_fast_is_the_plain_one_bit_for_bit(slope, dtype, device):
    results = run_both_ways(lambda x: F.leaky_relu(x, slope), [(3, 4, 5, 6)], device, dtype)
    assert_identical(results, "LeakyReLU")


def test_leaky_relu_fast_on_a_batch_last_view_and_at_zero(device):
    """Inputs are often strided views (a batch-last convolution's output), and exact zeros
    take the slope's side, as in the plain version (and PyTorch)."""
    values = np.array([[-2.0, -0.0, 0.0, 3.0], [1.5, -1e-30, 1e-30, -7.0]])
    for fast in (False, True):
        x = make(values.T.copy().T, device)  # a transposed (F-ordered) array
        with tinydl.fast_paths(fast):
            y = F.leaky_relu(x, 0.1)
            y.backward(tinydl.ones(2, 4, dtype="float64", device=device))
        np.testing.assert_array_equal(y.numpy(), np.where(values > 0, values, 0.1 * values))
        np.testing.assert_array_equal(x.grad.numpy(), np.where(values > 0, 1.0, 0.1))


@pytest.mark.parametrize("gradient_layout", ["same", "other"])
def test_leaky_relu_fast_split_over_threads_is_the_plain_one_bit_for_bit(
        device, three_threads, gradient_layout):
    """In parts on three threads (a batch-last view, the gradient in its layout or not):
    the same bits as the plain whole-array pass, every part covered."""
    rng = np.random.default_rng(3)
    values = rng.standard_normal((4, 5, 6, 7))  # (C, H, W, N) memory
    gradient = rng.standard_normal((7, 4, 5, 6))
    if gradient_layout == "same":
        gradient = gradient.transpose(1, 2, 3, 0).copy().transpose(3, 0, 1, 2)
    results = []
    for fast in (False, True):
        x, upstream = make(values, device), make(gradient, device, requires_grad=False)
        x.array = backend.to_device(values, device).transpose(3, 0, 1, 2)  # seen as NCHW
        upstream.array = backend.to_device(gradient, device)  # to_device keeps the layout
        assert not x.array.flags.c_contiguous
        assert upstream.array.flags.c_contiguous == (gradient_layout == "other")
        with tinydl.fast_paths(fast):
            y = F.leaky_relu(x, 0.2)
            y.backward(upstream)
        results.append((y.numpy(), x.grad.numpy()))
    for got, want in zip(results[1], results[0], strict=True):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("slope", [-0.5, 1.5])
def test_leaky_relu_slopes_outside_0_to_1_keep_the_plain_version(slope, device):
    """max(x, a·x) is the leaky ReLU only for 0 ≤ a ≤ 1: other slopes run the plain one."""
    results = run_both_ways(lambda x: F.leaky_relu(x, slope), [(4, 5)], device)
    assert results[True][1] == results[False][1] == "LeakyReLU"


# ---- LayerNorm: rows' sums as matrix-vector products ---------------------------------------
@pytest.mark.parametrize(("shape", "normalized"), [((2, 3, 8), (8,)), ((4, 3, 5), (3, 5)),
                                                   ((6, 7), (7,))])
def test_layer_norm_fast_matches_the_plain_one(shape, normalized, device):
    results = run_both_ways(lambda x, w, b: F.layer_norm(x, normalized, w, b, eps=1e-5),
                            [shape, normalized, normalized], device)
    (plain, plain_op), (fast, fast_op) = results[False], results[True]
    assert (plain_op, fast_op) == ("LayerNorm", "LayerNormFast")
    for got, want in zip(fast, plain, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_layer_norm_fast_keeps_float32_and_takes_a_strided_input(device):
    rng = np.random.default_rng(3)
    values, gamma = rng.standard_normal((5, 4, 6)), rng.standard_normal(4)
    outputs = {}
    for fast in (False, True):
        x = tinydl.tensor(values, dtype="float32", device=device, requires_grad=True)
        weight = tinydl.tensor(gamma, dtype="float32", device=device, requires_grad=True)
        with tinydl.fast_paths(fast):
            y = F.layer_norm(x.transpose(1, 2), (4,), weight)  # rows strided in memory
            (y * y).sum().backward()
        assert y.dtype == x.grad.dtype == weight.grad.dtype == np.float32
        outputs[fast] = [y.numpy(), x.grad.numpy(), weight.grad.numpy()]
    for got, want in zip(outputs[True], outputs[False], strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


# ---- GELU (tanh form): the derivative made in forward -----------------------------------------
def test_gelu_tanh_fast_matches_the_plain_one(device):
    results = run_both_ways(lambda x: F.gelu(x * 3, approximate="tanh"), [(4, 5, 6)], device)
    (plain, plain_op), (fast, fast_op) = results[False], results[True]
    assert (plain_op, fast_op) == ("GELU", "GELUFast")
    for got, want in zip(fast, plain, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_gelu_fast_split_over_threads_is_the_whole_pass_bit_for_bit(device, three_threads):
    """In parts on three threads (down to 8 elements a part): the same bits as one part."""
    def gelu_both_ways():
        return run_both_ways(lambda x: F.gelu(x * 3, approximate="tanh"), [(4, 5, 6)], device,
                             "float32")[True][0]

    split = gelu_both_ways()
    with mock.patch.object(host_threads, "thread_count", return_value=1):
        whole = gelu_both_ways()
    for got, want in zip(split, whole, strict=True):
        np.testing.assert_array_equal(got, want)


def test_gelu_fast_keeps_float32_and_runs_only_when_a_gradient_is_wanted(device):
    x = tinydl.tensor(np.linspace(-6, 6, 25), dtype="float32", device=device, requires_grad=True)
    with tinydl.fast_paths(True):
        y = F.gelu(x, approximate="tanh")
        y.sum().backward()
        assert type(y.creator).__name__ == "GELUFast"
        assert y.dtype == x.grad.dtype == np.float32
        # No gradient to be asked for: no derivative to make, the plain forward runs.
        with mock.patch.object(activations.GELUFast, "forward", side_effect=AssertionError):
            with tinydl.no_grad():
                F.gelu(x, approximate="tanh")
            F.gelu(x.detach(), approximate="tanh")
        assert type(F.gelu(x).creator).__name__ == "GELU"  # the exact form stays plain
    with tinydl.fast_paths(False):
        plain = tinydl.tensor(np.linspace(-6, 6, 25), dtype="float32", device=device,
                              requires_grad=True)
        F.gelu(plain, approximate="tanh").sum().backward()
    np.testing.assert_allclose(y.numpy(), F.gelu(plain, approximate="tanh").numpy(), rtol=1e-6,
                               atol=1e-7)
    np.testing.assert_allclose(x.grad.numpy(), plain.grad.numpy(), rtol=1e-5, atol=1e-6)


# ---- attention's softmax: one shift per (batch, head) block --------------------------------
@pytest.mark.parametrize("far", [0.0, 200.0])
def test_attention_fast_matches_the_plain_one_when_a_row_lies_far_below_its_block(far, device):
    """The fast softmax shifts each (batch, head) block by its maximum; a query whose scores
    all lie ``far`` below the others' would underflow to a zero sum (a NaN output) unless
    it is redone with its own maximum. The causal float mask hides the future as well."""
    rng = np.random.default_rng(5)
    q, k, v = (rng.standard_normal((2, 3, 6, 4)) for _ in range(3))
    k = np.abs(k) + 1
    q[1, 2, 4] = -far / 4  # query 4 of batch 1, head 2: every score about −far
    causal = np.triu(np.full((6, 6), -np.inf), 1)
    results = {}
    for fast in (False, True):
        leaves = [make(a, device) for a in (q, k, v)]
        mask = tinydl.tensor(causal, dtype="float64", device=device)
        with tinydl.fast_paths(fast):
            y = F.scaled_dot_product_attention(*leaves, attn_mask=mask)
            (y * y).sum().backward()
        results[fast] = [y.numpy()] + [t.grad.numpy() for t in leaves]
    for got, want in zip(results[True], results[False], strict=True):
        assert np.isfinite(got).all()
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("mask_kind", ["causal", "per-sample"])
def test_attention_fast_split_over_threads_is_the_whole_batch_bit_for_bit(
        mask_kind, device, three_threads):
    """In parts of the batch on three threads, each (batch, head) block alone: the same bits
    as one part, with a query far below its block (its own shift) and a causal mask shared
    by the batch or a boolean mask per sample (sliced with the batch)."""
    rng = np.random.default_rng(6)
    q, k, v = (rng.standard_normal((5, 2, 6, 4)) for _ in range(3))
    k = np.abs(k) + 1
    q[3, 1, 2] = -50.0  # every score of that query about −200: far below its block
    if mask_kind == "causal":
        mask = np.triu(np.full((6, 6), -np.inf), 1)
    else:
        mask = (rng.random((5, 1, 6, 6)) < 0.7) | np.eye(6, dtype=bool)

    def attention_and_gradients():
        leaves = [make(a, device) for a in (q, k, v)]
        with tinydl.fast_paths(True):
            y = F.scaled_dot_product_attention(
                *leaves, attn_mask=tinydl.tensor(mask, dtype=mask.dtype, device=device))
            (y * y).sum().backward()
        return [y.numpy()] + [t.grad.numpy() for t in leaves]

    split = attention_and_gradients()
    with mock.patch.object(host_threads, "thread_count", return_value=1):
        whole = attention_and_gradients()
    for got, want in zip(split, whole, strict=True):
        assert np.isfinite(got).all()
        np.testing.assert_array_equal(got, want)


def test_attention_fast_keeps_large_blocks_and_dropout_whole(device, three_threads):
    """Blocks whose products OpenBLAS would share between its own threads, and dropout
    (one mask, drawn in order), run as one part: the pool is not asked."""
    q = make(np.ones((4, 2, 6, 4)), device)
    for small_product, dropout_p in ((6 * 6 * 4 - 1, 0.0), (1 << 19, 0.5)):
        with mock.patch.object(attention_ops, "SMALL_PRODUCT", small_product), \
                mock.patch.object(host_threads, "run_in_parts") as run_in_parts, \
                tinydl.fast_paths(True):
            F.scaled_dot_product_attention(q, q, q, dropout_p=dropout_p).sum().backward()
        assert not run_in_parts.called
    with mock.patch.object(host_threads, "run_in_parts") as run_in_parts, tinydl.fast_paths(True):
        F.scaled_dot_product_attention(q, q, q)
    assert run_in_parts.called  # the same shapes, split


# ---- Embedding: the gradient as sums of sorted runs ---------------------------------------
@pytest.mark.parametrize("padding_idx", [None, 2])
def test_embedding_fast_matches_the_plain_one(padding_idx, device):
    ids = np.array([[3, 0, 3, 5], [2, 3, 0, 0], [5, 5, 5, 1]])  # repeats, unused rows 4 and 6
    results = run_both_ways(lambda w: F.embedding(tinydl.tensor(ids, device=device), w,
                                                  padding_idx=padding_idx), [(7, 3)], device)
    (plain, plain_op), (fast, fast_op) = results[False], results[True]
    assert (plain_op, fast_op) == ("Embedding", "EmbeddingFast")
    for got, want in zip(fast, plain, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


# ---- BatchNorm (training): per-channel sums as matrix-vector products -------------------------
@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 5, 2)])
@pytest.mark.parametrize("batch_last", [False, True])
def test_batch_norm_fast_matches_the_plain_one(shape, batch_last, device):
    """Output, input and parameter gradients and the running statistics, on an NCHW array
    and on a batch-last view (the layout the fast convolutions hand over)."""
    rng = np.random.default_rng(11)
    values, gamma, beta = (rng.standard_normal(s) for s in (shape, shape[1], shape[1]))
    runs = {}
    if batch_last:  # the same values, stored with the batch axis last
        last = len(shape) - 1
        values = values.transpose(*range(1, len(shape)), 0).copy().transpose(last, *range(last))
    for fast in (False, True):
        x, w, b = (make(a, device) for a in (values, gamma, beta))
        assert x.array.flags.c_contiguous != batch_last
        mean = tinydl.zeros(shape[1], dtype="float64", device=device)
        var = tinydl.ones(shape[1], dtype="float64", device=device)
        with tinydl.fast_paths(fast):
            y = F.batch_norm(x, mean, var, w, b, training=True, momentum=0.3)
            (y * y).sum().backward()
        runs[fast] = (type(y.creator).__name__,
                      [y.numpy(), x.grad.numpy(), w.grad.numpy(), b.grad.numpy(), mean.numpy(),
                       var.numpy()])
    assert (runs[False][0], runs[True][0]) == ("BatchNormTrain", "BatchNormTrainFast")
    for got, want in zip(runs[True][1], runs[False][1], strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


# ---- Linear with one output feature: dL/dX as a broadcast outer product ---------------------
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_linear_fast_with_one_output_is_the_plain_one_bit_for_bit(dtype, device):
    results = run_both_ways(F.linear, [(5, 7), (1, 7), (1,)], device, dtype)
    assert_identical(results, "Linear")


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(("function", "weight_shape"), [(F.linear, (4, 9)), (linalg.dense, (9, 4))])
def test_linear_fast_input_gradient_by_the_transposed_product_matches_the_plain_one(
    function, weight_shape, dtype, device
):
    """3 rows, 9 inputs, 4 outputs: wider than tall with a long K, so on the host dL/dX is
    (M·dL/dYᵀ)ᵀ, the same sums added in another order."""
    with mock.patch.object(linalg, "times_transposed_fast", wraps=linalg.times_transposed_fast
                           ) as fast_product:
        results = run_both_ways(function, [(3, 9), weight_shape, (4,)], device, dtype)
    assert (results[False][1], results[True][1]) == ("Linear", "LinearFast")
    assert fast_product.called  # the fake device's arrays are host arrays
    for got, want in zip(results[True][0], results[False][0], strict=True):
        assert got.dtype == want.dtype and got.flags.c_contiguous
        np.testing.assert_allclose(got, want, rtol=1e-12 if dtype == "float64" else 1e-6)


def test_linear_fast_leaves_a_gpu_product_to_cublas():
    """times_transposed_fast's rule was measured on OpenBLAS: a CUDA array takes a @ bᵀ."""
    function, gy = linalg.LinearFast(), np.ones((3, 4))
    function.matrix = np.ones((9, 4))
    with mock.patch.object(linalg.backend, "is_cuda", return_value=True), \
            mock.patch.object(linalg, "times_transposed_fast") as fast_product:
        np.testing.assert_array_equal(function.input_gradient(gy), np.full((3, 9), 4.0))
    assert not fast_product.called


@pytest.mark.parametrize(("a_shape", "b_shape"), [((3, 4), (9, 4)), ((3, 2), (9, 2)),
                                                  ((9, 4), (3, 4))])
def test_times_transposed_fast_is_a_times_b_transposed_in_c_order(a_shape, b_shape):
    """Taken (3 rows, 9 columns, K = 4), not taken for a short K or a tall result."""
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
    product = linalg.times_transposed_fast(a, b)
    assert product.flags.c_contiguous
    np.testing.assert_allclose(product, a @ b.T, rtol=1e-13)


