"""Multi-head attention as a layer. The maths, with its derivative, is in
tinydl.ops.attention; this module projects the inputs, splits the heads and joins them.

``MultiHeadAttention`` is tinydl's layer: batch-first (N, L, E) inputs, per-head weights
for plotting, and boolean masks read in the **Keras convention**, True = may attend (Keras's
``MultiHeadAttention`` and PyTorch's ``F.scaled_dot_product_attention`` read them so).
``MultiheadAttention`` (lower-case h) is the same layer behind PyTorch's
``nn.MultiheadAttention`` signature, its **PyTorch convention**, True = masked out, and its
weight layout (out, in), for code and state dicts written against PyTorch;
``MultiHeadAttention`` stores its weights (in, out) like ``nn.Dense``'s. The same boolean
array means opposite things to the two; docs/attention.md has the table.
"""

from __future__ import annotations

import math
from typing import Any

from tinydl import backend, check
from tinydl.autograd import Tensor
from tinydl.autograd.tensor_checks import tensor
from tinydl.nn import init
from tinydl.nn.linear import Dense, Linear, new_parameter
from tinydl.nn.module import Module
from tinydl.ops.attention import check_mask, scaled_dot_product_attention
from tinydl.ops.linalg import dense, linear


class MultiHeadAttention(Module):
    """``MultiHeadAttention(embed_dim, num_heads, dropout=0.0, bias=True)``.

    Each of the ``num_heads`` heads attends in its own subspace of
    ``head_dim = embed_dim // num_heads`` features:

        Q = query W_q + b_q,  K = key W_k + b_k,  V = value W_v + b_v   (N, L|S, E)
        split E into heads → attention per head (N, H, L, head_dim) → join → out_proj

    Parameters, with PyTorch's names: ``in_proj_weight`` (E, 3E) holding W_q | W_k | W_v
    side by side, ``in_proj_bias`` (3E,), and ``out_proj`` (a :class:`Dense`). Like
    ``Dense``'s they are stored (in, out), the transpose of PyTorch's (out, in):
    ``in_proj_weight = torch_in_proj_weight.T`` loads PyTorch's weights
    (:class:`MultiheadAttention` stores them as PyTorch does).

    ``forward(query, key=None, value=None, mask=None, causal=False, need_weights=False)``:
    inputs (N, L, E); key and value default to the query (self-attention). ``mask``
    broadcasts to (N, H, L, S): boolean in the Keras convention, True where query i **may
    attend** to key j (Keras's (N, L, S) ``attention_mask`` is ``mask[:, None]`` here), or
    float, added to the scores; ``causal=True`` hides the future. ``dropout`` drops
    attention weights in training. With ``need_weights=True`` it returns ``(output,
    weights)``, weights of shape (N, H, L, S), detached, for plotting.
    """

    weights_out_in = False  # weights stored (in, out); MultiheadAttention: PyTorch's (out, in)

    def __init__(
        self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True
    ) -> None:
        name = type(self).__name__
        self.embed_dim = check.positive_int(name, "embed_dim", embed_dim)
        self.num_heads = check.positive_int(name, "num_heads", num_heads)
        if embed_dim % num_heads:
            raise ValueError(
                f"{name}: embed_dim ({embed_dim}) must be divisible by num_heads ({num_heads}): "
                f"each head takes embed_dim // num_heads features"
            )
        self.dropout = check.probability(name, "dropout", dropout, "[0, 1)")
        self.head_dim = embed_dim // num_heads
        self._make_projections(embed_dim, bias)

    def _make_projections(self, e: int, bias: bool) -> None:
        if self.weights_out_in:  # PyTorch's: W_q, W_k, W_v stacked as rows, a Linear out_proj
            self.in_proj_weight = new_parameter(init.glorot_uniform((3 * e, e)))
        else:  # (in, out): W_q | W_k | W_v side by side, a Dense out_proj
            self.in_proj_weight = init.mark_in_out(new_parameter(init.glorot_uniform((e, 3 * e))))
        self.in_proj_bias = new_parameter(init.zeros((3 * e,))) if bias else None
        self.out_proj = Linear(e, e, bias=bias) if self.weights_out_in else Dense(e, e, bias=bias)
        if bias and self.weights_out_in:
            self.out_proj.bias.array[...] = 0  # PyTorch starts out_proj's bias at 0 too

    def forward(
        self,
        query: Tensor,
        key: Tensor | None = None,
        value: Tensor | None = None,
        mask: Tensor | None = None,
        causal: bool = False,
        need_weights: bool = False,
    ) -> Tensor | tuple[Tensor, Tensor]:
        key = query if key is None else key
        value = key if value is None else value
        return self._attend(query, key, value, mask, causal, need_weights)

    def _attend(self, query, key, value, mask, causal, need_weights):
        """Attention on batch-first (N, L, E) inputs; weights per head (N, H, L, S)."""
        self._check_inputs(query, key, value)
        n, length, source_length = query.shape[0], query.shape[1], key.shape[1]
        check_mask(mask, query, (n, self.num_heads, length, source_length), type(self).__name__)
        q, k, v = (self._heads(self._project(t, i)) for i, t in enumerate((query, key, value)))
        result = scaled_dot_product_attention(
            q, k, v, mask, causal=causal, dropout_p=self.dropout if self.training else 0.0,
            need_weights=need_weights,
        )
        output, weights = result if need_weights else (result, None)
        output = output.permute(0, 2, 1, 3).reshape(n, length, self.embed_dim)
        output = self.out_proj(output)
        return (output, weights) if need_weights else output

    def _check_inputs(self, query: Any, key: Any, value: Any) -> None:
        name = type(self).__name__
        for argument, t in (("query", query), ("key", key), ("value", value)):
            if tensor(name, argument, t).ndim != 3 or t.shape[-1] != self.embed_dim:
                raise ValueError(
                    f"{name} expects {argument} of shape (N, length, embed_dim={self.embed_dim}),"
                    f" got shape {t.shape}"
                )
        if key.shape[:2] != value.shape[:2] or key.shape[0] != query.shape[0]:
            raise ValueError(
                f"{name} needs one batch size for query, key and value and one length for key "
                f"and value, got query {query.shape}, key {key.shape}, value {value.shape}"
            )

    def _project(self, x: Tensor, i: int) -> Tensor:
        """x W_i + b_i, the i-th (query, key, value) third of the input projection."""
        e = self.embed_dim
        part = slice(i * e, (i + 1) * e)
        bias = None if self.in_proj_bias is None else self.in_proj_bias[part]
        if self.weights_out_in:
            return linear(x, self.in_proj_weight[part], bias)
        return dense(x, self.in_proj_weight[:, part], bias)

    def _heads(self, x: Tensor) -> Tensor:
        """(N, L, E) -> (N, H, L, head_dim)."""
        n, length, _ = x.shape
        return x.reshape(n, length, self.num_heads, self.head_dim).permute(0, 2, 1, 3)

    def extra_repr(self) -> str:
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, dropout={self.dropout}"


class MultiheadAttention(MultiHeadAttention):
    """PyTorch's ``nn.MultiheadAttention``, same arguments, same conventions, same results:

    - ``batch_first=False`` by default: inputs (L, N, E), as PyTorch; unbatched (L, E) too.
    - ``forward(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
      average_attn_weights=True, is_causal=False)`` returns ``(output, weights)``, weights
      (N, L, S) averaged over heads (or (N, H, L, S)), or None without ``need_weights``.
    - Boolean masks follow the PyTorch convention of ``nn.MultiheadAttention``: True marks
      what is **masked out** (not allowed), the opposite of :class:`MultiHeadAttention`'s
      and ``scaled_dot_product_attention``'s; float masks are added to the scores.
      ``attn_mask`` is (L, S) or (N·num_heads, L, S); ``key_padding_mask`` is (N, S).
    - ``is_causal`` is only a hint that ``attn_mask`` is causal; the mask is required.

    - Weights in PyTorch's layout and initialisation: ``in_proj_weight`` (3E, E) holds
      W_q, W_k, W_v stacked (Xavier-uniform), ``in_proj_bias`` starts at 0, ``out_proj``
      is an :class:`~tinydl.nn.Linear` with a zero bias; a PyTorch state dict loads as is.

    Differences: the returned weights are detached (no gradient flows back through them);
    a query whose every key is masked attends to nothing (zero weights, so its output is
    ``out_proj``'s bias) where PyTorch returns NaN; and
    ``add_bias_kv``, ``add_zero_attn`` and ``kdim``/``vdim`` other than ``embed_dim`` are
    not implemented (a clear error says so).
    """

    weights_out_in = True

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
    ) -> None:
        unsupported = [
            f"{argument}={value!r}"
            for argument, value, default in (
                ("add_bias_kv", add_bias_kv, False), ("add_zero_attn", add_zero_attn, False),
            )
            if value != default
        ] + [
            f"{argument}={value!r}" for argument, value in (("kdim", kdim), ("vdim", vdim))
            if value not in (None, embed_dim)
        ]
        if unsupported:
            raise ValueError(
                f"MultiheadAttention does not implement {', '.join(unsupported)}; tinydl "
                f"supports key and value of embed_dim features without extra bias or zero "
                f"attention"
            )
        super().__init__(embed_dim, num_heads, dropout, bias)
        self.batch_first = check.flag("MultiheadAttention", "batch_first", batch_first)

    def forward(  # type: ignore[override]
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask: Tensor | None = None,
        need_weights: bool = True,
        attn_mask: Tensor | None = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        if is_causal and attn_mask is None:
            raise ValueError(
                "MultiheadAttention: is_causal=True is a hint that attn_mask is causal, so it "
                "needs attn_mask (as in PyTorch): True above the diagonal, or use "
                "MultiHeadAttention(...)(x, causal=True)"
            )
        unbatched = isinstance(query, Tensor) and query.ndim == 2
        query, key, value = (self._batch_first(t, unbatched) for t in (query, key, value))
        self._check_inputs(query, key, value)  # before the masks, which read their shapes
        mask = self._torch_masks(attn_mask, key_padding_mask, query, key, unbatched)
        output, weights = self._attend(query, key, value, mask, False, True)
        if unbatched:
            output, weights = output[0], weights[0]
        elif not self.batch_first:
            output = output.transpose(0, 1)
        if not check.flag("MultiheadAttention", "need_weights", need_weights):
            return output, None
        return output, (weights.mean(axis=-3) if average_attn_weights else weights)

    def _batch_first(self, x: Any, unbatched: bool) -> Any:
        if not isinstance(x, Tensor):
            return x  # _check_inputs names the argument that is not a Tensor
        if unbatched:
            return x.reshape(1, *x.shape) if x.ndim == 2 else x
        if self.batch_first or x.ndim != 3:
            return x
        return x.transpose(0, 1)

    def _torch_masks(self, attn_mask, key_padding_mask, query, key, unbatched) -> Tensor | None:
        """PyTorch's attn_mask and key_padding_mask as one mask in tinydl's convention,
        broadcasting to (N, H, L, S): True = take part, or float added to the scores."""
        n, length, source_length = query.shape[0], query.shape[1], key.shape[1]
        heads = self.num_heads
        masks = []
        if attn_mask is not None:
            _check_mask_tensor(attn_mask, "attn_mask", query)
            shapes = {(length, source_length): (1, 1, length, source_length),
                      (n * heads, length, source_length): (n, heads, length, source_length)}
            if attn_mask.shape not in shapes:
                raise ValueError(
                    f"MultiheadAttention needs attn_mask of shape (L, S) = "
                    f"{(length, source_length)} or (N*num_heads, L, S) = "
                    f"{(n * heads, length, source_length)}, got shape {attn_mask.shape}"
                )
            masks.append(attn_mask.reshape(shapes[attn_mask.shape]))
        if key_padding_mask is not None:
            _check_mask_tensor(key_padding_mask, "key_padding_mask", query)
            expected = (source_length,) if unbatched else (n, source_length)
            if key_padding_mask.shape != expected:
                raise ValueError(
                    f"MultiheadAttention needs key_padding_mask of shape (N, S) = {expected}, "
                    f"got shape {key_padding_mask.shape}"
                )
            masks.append(key_padding_mask.reshape(n, 1, 1, source_length))
        if not masks:
            return None
        xp = backend.array_module(query.array)
        if all(m.dtype == bool for m in masks):
            allowed = ~masks[0].array
            for m in masks[1:]:
                allowed = allowed & ~m.array
            return Tensor(allowed)
        total = 0
        for m in masks:  # True (masked) becomes −inf, then everything adds up
            total = total + (xp.where(m.array, -math.inf, 0).astype(query.dtype)
                             if m.dtype == bool else m.array)
        return Tensor(total)


def _check_mask_tensor(mask: Any, argument: str, query: Tensor) -> None:
    if tensor("MultiheadAttention", argument, mask).dtype != bool and mask.dtype != query.dtype:
        raise TypeError(
            f"MultiheadAttention needs a boolean {argument} (True = masked out) or a float one "
            f"of the query's dtype {query.dtype}, got dtype {mask.dtype}"
        )
