"""Scaled dot-product attention: each query position takes a weighted average of the value
vectors, weighted by how well its query matches each key.

    scores = Q Kᵀ / √d          (..., L, S): query i against key j
    A      = softmax(scores)    over j, after masked pairs were set to −∞
    out    = A V                (..., L, Ev)

Two versions live here. :func:`attention`, first, builds it from ``matmul``, ``softmax``
and ``dropout``, so autograd differentiates it: the plain one, and what
:func:`scaled_dot_product_attention` runs unless the fast paths are on.
:class:`ScaledDotProductAttentionFast` is one Function with the backward written out: it
saves the graph walk over a dozen small ops and their intermediate tensors. The tests
prove the two agree. ``docs/attention.md`` derives the backward step by step.

Masks follow PyTorch's ``F.scaled_dot_product_attention``: a boolean mask says which
pairs **take part** (True = query i may attend to key j); a float mask is **added** to
the scores (0 to keep, −inf to drop); ``causal=True`` keeps key j ≤ i only. Any mask
must broadcast to (..., L, S).
"""

from __future__ import annotations

import math
from typing import Any

from tinydl import backend, check
from tinydl.autograd.function import Function
from tinydl.autograd.tensor import Tensor
from tinydl.autograd.tensor_checks import floating, same_device, same_dtype, tensor
from tinydl.backend import host_threads
from tinydl.backend.fast_path_switch import fast_paths_enabled
from tinydl.ops.activations import softmax
from tinydl.ops.arguments import pick
from tinydl.ops.array_sums import row_sums
from tinydl.ops.dropout import Dropout, dropout
from tinydl.ops.linalg import matmul
from tinydl.ops.shape import transpose


def attention(
    q: Tensor, k: Tensor, v: Tensor, mask: Any = None, scale: float | None = None,
    dropout_p: float = 0.0,
) -> tuple[Tensor, Tensor]:
    """Attention from differentiable ops, the backward left to autograd: the version to read
    first. ``mask`` is an array that broadcasts to the scores (..., L, S): boolean, True
    where query i may attend to key j, or float, added to the scores. Returns the output
    (..., L, Ev) and the weights A' (..., L, S), after dropout."""
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = matmul(q, _swap_last(k)) * scale
    keeps_a_key = None
    if mask is not None:
        penalty = additive_mask(mask, q.dtype)  # 0 to keep, −∞ to drop, or the float mask
        # A query whose every key is masked would get the softmax 0/0 = NaN: it attends to
        # nothing instead (zero weights), as PyTorch's scaled_dot_product_attention does.
        xp = backend.array_module(penalty)
        keeps_a_key = xp.isfinite(penalty).any(axis=-1, keepdims=True)
        scores = scores + Tensor(xp.where(keeps_a_key, penalty, 0).astype(q.dtype))
    weights = softmax(scores, axis=-1)
    if keeps_a_key is not None:
        weights = weights * Tensor(keeps_a_key.astype(q.dtype))
    if dropout_p > 0:
        weights = dropout(weights, dropout_p)
    return matmul(weights, v), weights


def additive_mask(mask: Any, dtype: Any) -> Any:
    """A mask as the array added to the scores: a boolean mask's True (take part) is 0 and
    its False −∞; a float mask already is one."""
    if mask.dtype != bool:
        return mask
    return backend.array_module(mask).where(mask, 0, -math.inf).astype(dtype)


# ---- the fast path: one Function, its backward written out -------------------------------


class ScaledDotProductAttentionFast(Function):
    """out = A' V with A = softmax(s · Q Kᵀ + M) over the keys, A' = dropout(A), s = 1/√d.

    M is 0 where a pair takes part and −∞ where it is masked (or a float mask's values):
    e^(−∞) = 0, so a masked key gets exactly zero weight and the others still sum to 1.
    A row whose every key is masked has no softmax (0/0); it gets all-zero weights, so its
    output and gradients are 0, as PyTorch's ``scaled_dot_product_attention`` does.

    Backward, with G = dL/d(out) (..., L, Ev):

        dV  = A'ᵀ G                            (out = A' V is a matmul)
        dA' = G Vᵀ,   dA = dropout's backward of dA' (the same mask, the same 1/(1 − p))
        dS  = A ⊙ (dA − rowsum(dA ⊙ A))        (the softmax Jacobian diag(a) − a aᵀ, row by row)
        dQ  = s · dS K,   dK = s · dSᵀ Q        (scores = s · Q Kᵀ is a matmul)

    A masked pair has A = 0, so its dS is 0 whatever the finite dA: no gradient flows
    through a masked pair and none is ever inf or NaN.

    What it buys over :func:`attention`: one node in the graph instead of about ten, and
    no intermediate tensors. Forward and backward of causal attention at the addition
    GPT's shapes, (N, heads, L, d) = (128, 4, 8, 32), took 0.88 ms against 0.95 ms
    (``python benchmarks/transformer.py --rounds 3``, 2026-12-07 18:48;
    benchmarks/results/transformer.md): 7% faster at these short sequences, where the
    whole GPT step takes 32 ms. Since issue 25 the scale multiplies q rather than the
    scores, the softmax runs in place with one shift per (batch, head) block
    (:func:`masked_softmax`) and backward's row sums are one ``einsum``: at issue 25's
    GPT shapes, (32, 4, 64, 32) with a causal float mask, one thread, medians of 200
    alternating calls: forward 1.89 → 1.19 ms, backward 1.74 → 1.56 ms.
    """

    def __init__(self, scale: float, mask: Any = None, dropout_p: float = 0.0) -> None:
        self.scale, self.mask, self.dropout_p = scale, mask, dropout_p

    def forward(self, q, k, v):
        xp = backend.array_module(q)
        self.q, self.k, self.v = q, k, v
        self.dropout = Dropout(self.dropout_p) if self.dropout_p > 0 else None
        name = "scaled_dot_product_attention()"  # which checked that the shapes broadcast
        batch = _broadcast_shapes(q.shape[:-2], _broadcast_shapes(k.shape[:-2], v.shape[:-2],
                                                                  name), name)
        self.weights = xp.empty((*batch, q.shape[-2], k.shape[-2]), dtype=q.dtype)
        self.dropped = self.weights
        out = xp.empty((*batch, q.shape[-2], v.shape[-1]), dtype=q.dtype)

        def attend(part):
            # The scale is applied to q, half the size of the scores (L = S = 2d in a GPT).
            scores = (q[part] * self.scale) @ k[part].swapaxes(-1, -2)
            masked_softmax(scores, self._mask_of(part), out=self.weights[part])
            if self.dropout:  # then the batch is one part: see _in_parts
                self.dropped = self.dropout.forward(self.weights)
            xp.matmul(self.dropped[part], v[part], out=out[part])

        self._in_parts(attend)
        return out

    def backward(self, gy):
        xp = backend.array_module(gy)
        batch = self.weights.shape[:-2]  # each gradient before summing over broadcast axes
        gq, gk, gv = (xp.empty((*batch, *x.shape[-2:]), dtype=gy.dtype) if needed else None
                      for x, needed in zip((self.q, self.k, self.v), self.needs_grad, strict=True))

        def back(part):
            a = self.weights[part]
            if gv is not None:
                xp.matmul(self.dropped[part].swapaxes(-1, -2), gy[part], out=gv[part])
            if gq is None and gk is None:
                return
            gs = gy[part] @ self.v[part].swapaxes(-1, -2)  # dA, then dS in place
            if self.dropout:
                gs = self.dropout.backward(gs)
            gs -= xp.einsum("...ij,...ij->...i", gs, a)[..., None]
            gs *= a
            gs *= self.scale
            if gq is not None:
                xp.matmul(gs, self.k[part], out=gq[part])
            if gk is not None:
                xp.matmul(gs.swapaxes(-1, -2), self.q[part], out=gk[part])

        self._in_parts(back)
        return gq, gk, gv

    def _in_parts(self, work: Any) -> None:
        """``work(part)`` over the batch: in parts of its first axis on the host's threads
        (backend/host_threads.py) where q, k and v share their leading axes and each
        (batch, head) block's products are small; else once over everything. Small products
        run on the calling thread in OpenBLAS, so the parts then compute at once: forward
        and backward right after a GEMM, 2 threads, causal, (N, heads, L, d) = (32, 4, 64,
        32), the GPT's, 4.8 → 2.5 ms, (16, 4, 128, 32) 9.8 → 7.1 ms; with 2^20
        multiply-adds a product, (12, 12, 128, 64), 25.2 → 28.9 ms, so such blocks are not
        split. Dropout draws its mask in one go."""
        q, k, v = self.q, self.k, self.v
        block_product = q.shape[-2] * k.shape[-2] * max(q.shape[-1], v.shape[-1])
        if (q.ndim < 3 or not q.shape[:-2] == k.shape[:-2] == v.shape[:-2] or self.dropout
                or block_product > SMALL_PRODUCT or backend.is_cuda(q)):
            work(slice(None))
            return
        host_threads.run_in_parts(lambda _, part: work(part), len(q),
                                  host_threads.rows_per_part(self.weights))

    def _mask_of(self, part: slice) -> Any:
        """The mask's rows for ``part`` of the batch (all of it where it broadcasts)."""
        mask = self.mask
        if mask is None or mask.ndim < self.weights.ndim or mask.shape[0] == 1:
            return mask
        return mask[part]


def masked_softmax(scores: Any, mask: Any = None, out: Any = None) -> Any:
    """softmax over the last axis of raw ``scores`` after applying ``mask`` (boolean: True
    keeps; float: added), written into ``out`` if given. A row with no finite score gets
    all-zero weights, not NaN.

    Two shortcuts, each measured on the GPT's (32, 4, 64, 64) causal scores, one thread:

    - Which rows lose every key is read off the mask, not off the scores: with finite
      scores, a row has no finite score exactly when its mask keeps no key.
    - The shift that keeps e^x from overflowing need not be each row's own maximum: any
      number at or above it gives the same softmax up to rounding. On the CPU the maximum
      of each (batch, head) block of scores is used, which NumPy finds over 4,096
      contiguous values 15x faster than 64 maxima of 64 (0.033 vs 0.49 ms). A row lying
      more than 60 below its block's maximum would keep too few digits in e^x, so such a
      row is shifted by its own maximum, as every row is on a GPU (each row's result then
      depends on its own block only, however the batch is split). The rows' sums are a
      matrix-vector product (0.03 vs 0.16 ms for ``sum(axis=-1)``).

    ``scores`` is a fresh array that this changes (the mask is added in place) and that
    the rare second pass reads again.
    """
    xp = backend.array_module(scores)
    keeps_a_key = None
    if mask is not None:
        penalty = additive_mask(mask, scores.dtype)
        keeps_a_key = xp.isfinite(penalty).any(axis=-1, keepdims=True)
        scores += penalty
    on_gpu = backend.is_cuda(scores)
    peak = scores.max(axis=-1 if on_gpu else (-2, -1), keepdims=True)
    e, total = _shifted_exp(xp, scores, peak)
    if not on_gpu:
        far_below = total < _SMALLEST_SAFE_SUM
        if keeps_a_key is not None:
            far_below &= keeps_a_key
        if far_below.any():  # rare: a row far below the rest of its block takes its own
            own = xp.where(far_below, scores.max(axis=-1, keepdims=True), peak)
            e, total = _shifted_exp(xp, scores, own)
    if keeps_a_key is not None:
        total = xp.where(keeps_a_key, total, 1)  # a row without keys: 0/1, not 0/0
    return xp.divide(e, total, out=e if out is None else out)


SMALL_PRODUCT = 1 << 19
"""Multiply-adds of the largest (batch, head) block product that attention splits over the
host's threads (see ScaledDotProductAttentionFast._in_parts)."""

_SMALLEST_SAFE_SUM = math.exp(-60)  # a row's Σ e^(x − shift) below it: shifted too far


def _shifted_exp(xp: Any, scores: Any, peak: Any) -> tuple[Any, Any]:
    """e^(scores − peak) and its sums over the last axis (as a column)."""
    peak = xp.where(xp.isfinite(peak), peak, 0)  # no key at all: −∞ − (−∞) would be NaN
    e = xp.exp(scores - peak)
    return e, row_sums(e)[..., None]


def _swap_last(x: Tensor) -> Tensor:
    return transpose(x, -1, -2)


def _combined_mask(mask: Tensor | None, causal: bool, length: int, source_length: int,
                   like: Tensor) -> Any:
    """The raw mask array the op applies: the user's mask, the causal triangle, or both."""
    if not causal:
        return None if mask is None else mask.array
    xp = backend.array_module(like.array)
    tri = xp.tri(length, source_length, dtype=bool)
    if mask is None:
        return tri
    if mask.dtype == bool:
        return mask.array & tri
    return xp.where(tri, mask.array, -math.inf).astype(mask.dtype, copy=False)


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    mask: Tensor | None = None,
    *,
    causal: bool = False,
    dropout_p: float = 0.0,
    scale: float | None = None,
    need_weights: bool = False,
    attn_mask: Tensor | None = None,
    is_causal: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
    """softmax(Q Kᵀ/√d + mask) V for ``query`` (..., L, d), ``key`` (..., S, d) and ``value``
    (..., S, Ev); leading axes (batch, heads) broadcast. Returns (..., L, Ev).

    ``mask`` (PyTorch's ``attn_mask``, which is accepted too) broadcasts to (..., L, S):
    boolean with True where query i **may** attend to key j (PyTorch's convention for this
    function; ``nn.MultiheadAttention``'s is the opposite), or float, added to the scores.
    ``causal`` (or PyTorch's ``is_causal``) keeps keys j ≤ i only; given with a mask, both
    apply (PyTorch refuses the combination). A query with no key left gets zero output.
    ``dropout_p`` drops attention weights (pass 0 in evaluation, as with PyTorch);
    ``scale`` defaults to 1/√d. With ``need_weights=True`` the result is
    ``(output, weights)``, weights (..., L, S) after dropout, detached from the graph
    (for plotting).
    """
    name = "scaled_dot_product_attention()"
    mask = pick(mask, attn_mask, ("mask", "attn_mask"), name)
    causal = check.flag(name, "causal", causal) or check.flag(name, "is_causal", is_causal)
    scores_shape = check_qkv(query, key, value, name)
    check_mask(mask, query, scores_shape, name)
    dropout_p = check.probability(name, "dropout_p", dropout_p, "[0, 1)")
    if scale is None:
        scale = 1 / math.sqrt(query.shape[-1])  # PyTorch's default
    scale = check.number(name, "scale", scale, "> 0")
    mask_array = _combined_mask(mask, causal, *scores_shape[-2:], query)
    if fast_paths_enabled():
        function = ScaledDotProductAttentionFast(scale, mask_array, dropout_p)
        output, weights = function(query, key, value), function.dropped
    else:
        output, graph_weights = attention(query, key, value, mask_array, scale, dropout_p)
        weights = graph_weights.array
    return (output, Tensor(weights)) if need_weights else output


def check_qkv(query: Any, key: Any, value: Any, caller: str) -> tuple[int, ...]:
    """Refuse a query, key and value that do not fit together; return the scores' shape
    (..., L, S), the leading (batch, head) axes broadcast."""
    for argument, t in (("query", query), ("key", key), ("value", value)):
        floating(caller, argument, t, "(..., length, features)")
        same_dtype(caller, argument, t, "query", query)
    if query.shape[-1] != key.shape[-1]:
        raise ValueError(
            f"{caller}: query and key need the same number of features (last axis) to be "
            f"compared, got query {query.shape} and key {key.shape}"
        )
    if key.shape[-2] != value.shape[-2]:
        raise ValueError(
            f"{caller}: key and value need the same length (one value per key), got key "
            f"{key.shape} and value {value.shape}"
        )
    _broadcast_shapes(key.shape[:-2], value.shape[:-2], caller)
    batch = _broadcast_shapes(query.shape[:-2], key.shape[:-2], caller)
    return batch + (query.shape[-2], key.shape[-2])


def _broadcast_shapes(a: tuple[int, ...], b: tuple[int, ...], caller: str) -> tuple[int, ...]:
    """The broadcast of two batch shapes, or a clear error."""
    result = []
    for i in range(1, max(len(a), len(b)) + 1):
        m = a[-i] if i <= len(a) else 1
        n = b[-i] if i <= len(b) else 1
        if m != n and 1 not in (m, n):
            raise ValueError(
                f"{caller}: the leading (batch, head) axes {a} and {b} of query, key and value "
                f"do not broadcast"
            )
        result.append(max(m, n))
    return tuple(reversed(result))


def check_mask(mask: Any, query: Tensor, scores_shape: tuple[int, ...], caller: str) -> None:
    """A mask must be a boolean or query-dtype Tensor on query's device that broadcasts to the
    scores' shape (..., L, S) without enlarging it."""
    if mask is None:
        return
    tensor(caller, "mask", mask)
    same_device(caller, "mask", mask, "query", query)
    if mask.dtype != bool and mask.dtype != query.dtype:
        raise TypeError(
            f"{caller} needs a boolean mask (True = take part) or a float mask of the query's "
            f"dtype {query.dtype} (added to the scores), got dtype {mask.dtype}"
        )
    fits = mask.ndim <= len(scores_shape) and all(
        m in (1, n) for m, n in zip(reversed(mask.shape), reversed(scores_shape), strict=False)
    )
    if not fits:
        raise ValueError(
            f"{caller} needs a mask that broadcasts to the scores' shape (..., L, S) = "
            f"{scores_shape}, got mask of shape {mask.shape}"
        )
