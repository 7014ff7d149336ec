"""The Transformer's building blocks: a pre-norm block (attention and an MLP, each inside a
residual connection) and the two usual ways to tell the model where each token sits."""

from __future__ import annotations

import math

import numpy as np

from tinydl import check
from tinydl.autograd import Tensor
from tinydl.nn.activation import GELU, ReLU, by_name
from tinydl.nn.attention import MultiHeadAttention
from tinydl.nn.layer_norm import LayerNorm
from tinydl.nn.linear import Dense, new_parameter, on_device
from tinydl.nn.module import Buffer, Module
from tinydl.nn.normalization import Dropout
from tinydl.random import generator


class TransformerBlock(Module):
    """A pre-norm Transformer block (GPT-2, ViT):

        x = x + Dropout(Attention(LayerNorm(x)))
        x = x + Dropout(Dense(Dropout(activation(Dense(LayerNorm(x))))))

    Normalising *before* each sub-layer leaves the residual path x → x untouched, so
    gradients reach the first layers undamped and training is stable without a learning
    rate warm-up as long as the original post-norm design needs.

    ``TransformerBlock(embed_dim, num_heads, dim_feedforward=4·embed_dim, dropout=0.0,
    activation="gelu", layer_norm_eps=1e-5, bias=True)``; ``activation`` is "gelu",
    "relu" or a Module (e.g. ``nn.GELU(approximate="tanh")``). ``forward(x, mask=None,
    causal=False)`` on (N, L, E), masks as :class:`MultiHeadAttention`. The sub-layers
    carry the names of PyTorch's ``nn.TransformerEncoderLayer`` (``self_attn``,
    ``linear1``, ``linear2``, ``norm1``, ``norm2``), which with ``norm_first=True`` and
    ``batch_first=True`` computes the same function.
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dim_feedforward: int | None = None,
        dropout: float = 0.0,
        activation: str | Module = "gelu",
        layer_norm_eps: float = 1e-5,
        bias: bool = True,
    ) -> None:
        embed_dim = check.positive_int("TransformerBlock", "embed_dim", embed_dim)
        hidden = check.positive_int("TransformerBlock", "dim_feedforward",
                                    4 * embed_dim if dim_feedforward is None else dim_feedforward)
        self.norm1 = LayerNorm(embed_dim, layer_norm_eps, bias=bias)
        self.self_attn = MultiHeadAttention(embed_dim, num_heads, dropout, bias)
        self.norm2 = LayerNorm(embed_dim, layer_norm_eps, bias=bias)
        self.linear1 = Dense(embed_dim, hidden, bias=bias)
        self.activation = by_name("TransformerBlock", activation, {"gelu": GELU(), "relu": ReLU()})
        self.linear2 = Dense(hidden, embed_dim, bias=bias)
        self.dropout = Dropout(dropout)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)

    def forward(self, x: Tensor, mask: Tensor | None = None, causal: bool = False) -> Tensor:
        x = x + self.dropout1(self.self_attn(self.norm1(x), mask=mask, causal=causal))
        hidden = self.dropout(self.activation(self.linear1(self.norm2(x))))
        return x + self.dropout2(self.linear2(hidden))


class _PositionTable(Module):
    """Adds row t of a (max_len, embed_dim) table to the token at position t."""

    table: Tensor

    def __init__(self, max_len: int, embed_dim: int) -> None:
        self.max_len = check.positive_int(type(self).__name__, "max_len", max_len)
        self.embed_dim = check.positive_int(type(self).__name__, "embed_dim", embed_dim)

    def forward(self, x: Tensor) -> Tensor:
        name = type(self).__name__
        if not isinstance(x, Tensor) or x.ndim < 2 or x.shape[-1] != self.embed_dim:
            shape = x.shape if isinstance(x, Tensor) else type(x).__name__
            raise ValueError(
                f"{name} expects input of shape (N, length, embed_dim={self.embed_dim}), got "
                f"{shape}"
            )
        length = x.shape[-2]
        if length > self.max_len:
            raise ValueError(
                f"{name}: a sequence of length {length} is longer than the position table "
                f"(max_len={self.max_len}); build the model with a larger max_len"
            )
        return x + self.table[:length]

    def extra_repr(self) -> str:
        return f"max_len={self.max_len}, embed_dim={self.embed_dim}"


class LearnedPositionalEmbedding(_PositionTable):
    """A trainable vector per position, added to the token's embedding (GPT, BERT, ViT).
    ``weight`` (max_len, embed_dim) starts N(0, 0.02²) as in GPT-2; sequences may be
    shorter than ``max_len``, never longer."""

    def __init__(self, max_len: int, embed_dim: int) -> None:
        super().__init__(max_len, embed_dim)
        values = generator().standard_normal((max_len, embed_dim)) * 0.02
        self.weight = new_parameter(values.astype(np.float32))

    @property
    def table(self) -> Tensor:  # type: ignore[override]
        return self.weight


class SinusoidalPositionalEncoding(_PositionTable):
    """The fixed encoding of "Attention Is All You Need", added to the token's embedding:

        pe[t, 2i] = sin(t / 10000^(2i/E)),   pe[t, 2i+1] = cos(t / 10000^(2i/E)).

    Each pair of features turns at its own frequency, so every position gets a distinct
    pattern and a shift by k positions is a fixed rotation of each pair. Nothing is
    learnt: ``pe`` is a :class:`Buffer` (saved and moved with the model, never trained)."""

    def __init__(self, max_len: int, embed_dim: int) -> None:
        super().__init__(max_len, embed_dim)
        position = np.arange(max_len, dtype=np.float64)[:, None]
        frequency = np.exp(-math.log(10000.0) * np.arange(0, embed_dim, 2) / embed_dim)
        pe = np.zeros((max_len, embed_dim))
        pe[:, 0::2] = np.sin(position * frequency)
        pe[:, 1::2] = np.cos(position * frequency[: embed_dim // 2])
        self.pe = Buffer(on_device(pe.astype(np.float32)))

    @property
    def table(self) -> Tensor:  # type: ignore[override]
        return self.pe
