"""Bad input for the attention entry points: layer_norm / nn.LayerNorm, gelu / nn.GELU,
scaled_dot_product_attention, nn.MultiHeadAttention, nn.MultiheadAttention,
nn.TransformerBlock and the position tables. Format: see tests/bad_input_table.py."""

from __future__ import annotations

import numpy as np
import pytest
from bad_input_table import Case, check, params

import tinydl
from tinydl import nn
from tinydl.nn import functional as F  # noqa: N812


def t(shape, dtype="float32", device=None):
    return tinydl.tensor(np.ones(shape), dtype=dtype, device=device)


X = t((2, 4))
Q, K, V = t((2, 3, 4)), t((2, 5, 4)), t((2, 5, 6))
SDPA = F.scaled_dot_product_attention
MHA = nn.MultiHeadAttention(8, 2)
TORCH_MHA = nn.MultiheadAttention(8, 2)
SEQ = t((2, 3, 8))  # (N=2, L=3, E) for MHA; (L=2, N=3, E) for the PyTorch-style one
POSITIONS = nn.LearnedPositionalEmbedding(4, 8)

CASES = [
    # ---- layer_norm / LayerNorm ----
    Case("layer_norm-x-array", lambda: F.layer_norm(np.ones((2, 4)), 4),
         TypeError, ("layer_norm()", "x must be a floating-point Tensor", "got ndarray")),
    Case("layer_norm-x-int", lambda: F.layer_norm(t((2, 4), "int64"), 4),
         TypeError, ("layer_norm()", "x must be a floating-point Tensor", "got dtype int64")),
    Case("layer_norm-shape-mismatch", lambda: F.layer_norm(X, 5),
         ValueError, ("normalized_shape=(5,)", "input of shape (2, 4)")),
    Case("layer_norm-shape-zero", lambda: F.layer_norm(X, 0),
         ValueError,
         ("layer_norm()", "normalized_shape must be a positive integer or a tuple", "got 0")),
    Case("layer_norm-shape-string", lambda: F.layer_norm(X, "4"),
         ValueError,
         ("layer_norm()", "normalized_shape must be a positive integer or a tuple", "got '4'")),
    Case("layer_norm-weight-shape", lambda: F.layer_norm(X, 4, t((3,))),
         ValueError, ("layer_norm()", "weight must be a Tensor of shape (4,)", "got shape (3,)")),
    Case("layer_norm-bias-list", lambda: F.layer_norm(X, 4, None, [0.0] * 4),
         ValueError, ("layer_norm()", "bias must be a Tensor of shape (4,)", "got list")),
    Case("layer_norm-weight-dtype", lambda: F.layer_norm(X, 4, t((4,), "float64")),
         TypeError, ("layer_norm()", "x is float32 but weight is float64", "no silent upcast")),
    Case("layer_norm-weight-device", lambda: F.layer_norm(X, 4, t((4,), device="fake")),
         tinydl.DeviceError, ("layer_norm()", "weight is on fake but x on cpu", ".to('cpu')")),
    Case("layer_norm-eps-zero", lambda: F.layer_norm(X, 4, eps=0),
         ValueError, ("layer_norm()", "eps must be a finite number > 0", "got 0")),
    Case("LayerNorm-shape-negative", lambda: nn.LayerNorm(-3),
         ValueError,
         ("LayerNorm", "normalized_shape must be a positive integer or a tuple", "got -3")),
    Case("LayerNorm-wrong-input", lambda: nn.LayerNorm(8)(X),
         ValueError, ("normalized_shape=(8,)", "(2, 4)")),
    # ---- gelu / GELU ----
    Case("gelu-approximate", lambda: F.gelu(X, approximate="fast"),
         ValueError, ("approximate must be 'none' or 'tanh'", "'fast'")),
    Case("gelu-x-array", lambda: F.gelu(np.ones(3)),
         TypeError, ("gelu()", "x must be a floating-point Tensor", "got ndarray")),
    Case("gelu-x-int", lambda: F.gelu(t((3,), "int64")),
         TypeError, ("gelu()", "x must be a floating-point Tensor", "got dtype int64")),
    Case("GELU-approximate", lambda: nn.GELU("exact"),
         ValueError, ("GELU: approximate must be 'none' or 'tanh'", "'exact'")),
    # ---- scaled_dot_product_attention ----
    Case("sdpa-query-array", lambda: SDPA(np.ones((2, 3, 4)), K, V),
         TypeError, (
             "scaled_dot_product_attention()",
             "query must be a floating-point Tensor",
             "got ndarray",
         )),
    Case("sdpa-key-int", lambda: SDPA(Q, t((2, 5, 4), "int64"), V),
         TypeError, (
             "scaled_dot_product_attention()",
             "key must be a floating-point Tensor",
             "got dtype int64",
         )),
    Case("sdpa-value-1d", lambda: SDPA(Q, K, t((6,))),
         ValueError, (
             "scaled_dot_product_attention()",
             "value must be a floating-point Tensor",
             "got shape (6,)",
         )),
    Case("sdpa-dtypes-differ", lambda: SDPA(Q, t((2, 5, 4), "float64"), t((2, 5, 6), "float64")),
         TypeError, (
             "scaled_dot_product_attention()",
             "query is float32 but key is float64",
             "no silent upcast",
         )),
    Case("sdpa-features-differ", lambda: SDPA(Q, t((2, 5, 3)), V),
         ValueError, ("same number of features", "query (2, 3, 4)", "key (2, 5, 3)")),
    Case("sdpa-lengths-differ", lambda: SDPA(Q, K, t((2, 4, 6))),
         ValueError, ("same length (one value per key)", "value (2, 4, 6)")),
    Case("sdpa-batches-differ", lambda: SDPA(Q, t((3, 5, 4)), t((3, 5, 6))),
         ValueError, ("(2,) and (3,)", "do not broadcast")),
    Case("sdpa-mask-shape", lambda: SDPA(Q, K, V, tinydl.tensor(np.ones((3, 4), bool))),
         ValueError, ("broadcasts to the scores' shape (..., L, S) = (2, 3, 5)", "(3, 4)")),
    Case("sdpa-mask-too-many-axes",
         lambda: SDPA(Q, K, V, tinydl.tensor(np.ones((2, 2, 3, 5), bool))),
         ValueError, ("broadcasts to the scores' shape", "(2, 2, 3, 5)")),
    Case("sdpa-mask-int", lambda: SDPA(Q, K, V, t((3, 5), "int64")),
         TypeError, ("boolean mask (True = take part)", "int64")),
    Case("sdpa-mask-float64", lambda: SDPA(Q, K, V, t((3, 5), "float64")),
         TypeError, ("float mask of the query's dtype float32", "float64")),
    Case("sdpa-mask-array", lambda: SDPA(Q, K, V, np.ones((3, 5), bool)),
         TypeError, ("scaled_dot_product_attention()", "mask must be a Tensor", "got ndarray")),
    Case("sdpa-mask-device",
         lambda: SDPA(Q, K, V, tinydl.tensor(np.ones((3, 5), bool), device="fake")),
         tinydl.DeviceError,
         ("scaled_dot_product_attention()", "mask is on fake but query on cpu", ".to('cpu')")),
    Case("sdpa-mask-and-attn_mask",
         lambda: SDPA(Q, K, V, tinydl.tensor(np.ones((3, 5), bool)),
                      attn_mask=tinydl.tensor(np.ones((3, 5), bool))),
         TypeError, ("scaled_dot_product_attention()", "got both mask= and attn_mask=")),
    Case("sdpa-causal-string", lambda: SDPA(Q, K, V, causal="yes"),
         TypeError,
         ("scaled_dot_product_attention()", "causal must be True or False", "got 'yes'")),
    Case("sdpa-dropout-one", lambda: SDPA(Q, K, V, dropout_p=1.0),
         ValueError, (
             "scaled_dot_product_attention()",
             "dropout_p must be a probability in [0, 1)",
             "got 1.0",
         )),
    Case("sdpa-scale-negative", lambda: SDPA(Q, K, V, scale=-1.0),
         ValueError,
         ("scaled_dot_product_attention()", "scale must be a finite number > 0", "got -1.0")),
    # ---- MultiHeadAttention ----
    Case("MultiHeadAttention-not-divisible", lambda: nn.MultiHeadAttention(10, 3),
         ValueError, ("embed_dim (10) must be divisible by num_heads (3)",)),
    Case("MultiHeadAttention-embed-zero", lambda: nn.MultiHeadAttention(0, 1),
         ValueError, ("embed_dim must be a positive integer", "0")),
    Case("MultiHeadAttention-dropout", lambda: nn.MultiHeadAttention(8, 2, dropout=1.5),
         ValueError, ("MultiHeadAttention", "dropout must be a probability in [0, 1)", "got 1.5")),
    Case("MultiHeadAttention-query-2d", lambda: MHA(t((3, 8))),
         ValueError, ("query of shape (N, length, embed_dim=8)", "(3, 8)")),
    Case("MultiHeadAttention-wrong-embed", lambda: MHA(t((2, 3, 6))),
         ValueError, ("embed_dim=8", "(2, 3, 6)")),
    Case("MultiHeadAttention-key-list", lambda: MHA(SEQ, [[0.0] * 8] * 3),
         TypeError, ("MultiHeadAttention", "key must be a Tensor", "got list")),
    Case("MultiHeadAttention-batches-differ", lambda: MHA(SEQ, t((3, 4, 8))),
         ValueError, ("one batch size", "key (3, 4, 8)")),
    Case("MultiHeadAttention-mask-shape",
         lambda: MHA(SEQ, mask=tinydl.tensor(np.ones((4, 3), bool))),
         ValueError, ("MultiHeadAttention needs a mask that broadcasts", "(2, 2, 3, 3)", "(4, 3)")),
    Case("MultiHeadAttention-mask-int", lambda: MHA(SEQ, mask=t((3, 3), "int64")),
         TypeError, ("boolean mask", "int64")),
    # ---- MultiheadAttention (PyTorch's conventions) ----
    Case("MultiheadAttention-add_bias_kv", lambda: nn.MultiheadAttention(8, 2, add_bias_kv=True),
         ValueError, ("does not implement add_bias_kv=True",)),
    Case("MultiheadAttention-kdim", lambda: nn.MultiheadAttention(8, 2, kdim=4),
         ValueError, ("does not implement kdim=4",)),
    Case("MultiheadAttention-is_causal-without-mask",
         lambda: TORCH_MHA(SEQ, SEQ, SEQ, is_causal=True),
         ValueError, ("is_causal=True", "needs attn_mask")),
    Case("MultiheadAttention-attn_mask-shape",
         lambda: TORCH_MHA(SEQ, SEQ, SEQ, attn_mask=tinydl.tensor(np.ones((2, 3), bool))),
         ValueError, ("attn_mask of shape (L, S) = (2, 2)", "(N*num_heads, L, S) = (6, 2, 2)",
                      "(2, 3)")),
    Case("MultiheadAttention-key_padding_mask-shape",
         lambda: TORCH_MHA(SEQ, SEQ, SEQ, key_padding_mask=tinydl.tensor(np.ones((2, 3), bool))),
         ValueError, ("key_padding_mask of shape (N, S) = (3, 2)", "(2, 3)")),
    Case("MultiheadAttention-query-list-with-mask",
         lambda: TORCH_MHA([[0.0] * 8] * 2, SEQ, SEQ, attn_mask=t((2, 2), "bool")),
         TypeError, ("MultiheadAttention", "query must be a Tensor", "got list")),
    Case("MultiheadAttention-attn_mask-int",
         lambda: TORCH_MHA(SEQ, SEQ, SEQ, attn_mask=t((2, 2), "int64")),
         TypeError, ("boolean attn_mask (True = masked out)", "int64")),
    # ---- TransformerBlock and the position tables ----
    Case("TransformerBlock-activation", lambda: nn.TransformerBlock(8, 2, activation="swish"),
         ValueError,
         ("TransformerBlock", "activation must be 'gelu', 'relu' or a callable", "got 'swish'")),
    Case("TransformerBlock-not-divisible", lambda: nn.TransformerBlock(6, 4),
         ValueError, ("embed_dim (6) must be divisible by num_heads (4)",)),
    Case("TransformerBlock-feedforward", lambda: nn.TransformerBlock(8, 2, dim_feedforward=-1),
         ValueError, ("dim_feedforward must be a positive integer", "-1")),
    Case("positions-too-long", lambda: POSITIONS(t((2, 5, 8))),
         ValueError, ("sequence of length 5 is longer than the position table (max_len=4)",)),
    Case("positions-wrong-embed", lambda: POSITIONS(t((2, 3, 6))),
         ValueError, ("(N, length, embed_dim=8)", "(2, 3, 6)")),
    Case("positions-list", lambda: POSITIONS([[0.0] * 8] * 3),
         ValueError, ("(N, length, embed_dim=8)", "list")),
    Case("sinusoidal-too-long", lambda: nn.SinusoidalPositionalEncoding(3, 8)(t((1, 4, 8))),
         ValueError, ("SinusoidalPositionalEncoding", "length 4", "(max_len=3)")),
    Case("sinusoidal-max_len-zero", lambda: nn.SinusoidalPositionalEncoding(0, 8),
         ValueError, ("max_len must be a positive integer", "0")),
]


@pytest.mark.parametrize("case", params(CASES))
def test_bad_input(case: Case) -> None:
    check(case)
