"""The two boolean-mask conventions of tinydl's attention layers, each held to its framework's
rule (docs/attention.md has the table):

- ``nn.MultiHeadAttention(...)(x, mask=m)`` reads True as **may attend**: Keras's
  convention (``keras.layers.MultiHeadAttention``'s ``attention_mask``: 1 attends, 0 does
  not), and PyTorch's ``F.scaled_dot_product_attention``'s;
- ``nn.MultiheadAttention(...)(q, k, v, attn_mask=m, key_padding_mask=p)`` reads True as
  **masked out**: PyTorch's ``nn.MultiheadAttention`` convention.

Each is compared with a NumPy transcription of its framework's documented rule, and the
PyTorch one with torch itself where it is installed.
"""

from __future__ import annotations

import numpy as np
import pytest

import tinydl
from tinydl import nn

N, L, S, E, HEADS = 2, 3, 4, 8, 2


@pytest.fixture
def inputs(rng):
    query = rng.standard_normal((N, L, E)).astype(np.float32)
    key = rng.standard_normal((N, S, E)).astype(np.float32)
    allowed = rng.uniform(size=(N, L, S)) < 0.6
    allowed[..., 0] = True  # every query keeps a key (Keras and PyTorch differ on empty rows)
    return query, key, allowed


def layer_pair():
    """A MultiHeadAttention and a batch-first MultiheadAttention with the same weights."""
    tinydl.manual_seed(0)
    keras_style = nn.MultiHeadAttention(E, HEADS)
    torch_style = nn.MultiheadAttention(E, HEADS, batch_first=True)
    pytorch_layout = ("in_proj_weight", "out_proj.weight")  # (out, in): Keras-style's transposed
    torch_style.load_state_dict(
        {k: v.T if k in pytorch_layout else v for k, v in keras_style.state_dict().items()}
    )
    return keras_style, torch_style


def reference(layer, query, key, allowed):
    """Attention written from the frameworks' documents, on host arrays: softmax over the
    allowed keys of Q·Kᵀ/√d per head (Keras adds −1e9 where the mask is 0; PyTorch −inf
    where it is True: either way the weight is 0)."""
    w, b = layer.in_proj_weight.numpy(), layer.in_proj_bias.numpy()
    q, k, v = (x @ w[:, i * E:(i + 1) * E] + b[i * E:(i + 1) * E]
               for i, x in enumerate((query, key, key)))
    scores = heads(q) @ heads(k).transpose(0, 1, 3, 2) / np.sqrt(E // HEADS)
    scores = scores + np.where(allowed[:, None], 0.0, -1e9)
    weights = np.exp(scores - scores.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    joined = (weights @ heads(v)).transpose(0, 2, 1, 3).reshape(N, L, E)
    return joined @ layer.out_proj.weight.numpy() + layer.out_proj.bias.numpy()


def heads(x):
    """(N, length, E) -> (N, HEADS, length, E // HEADS)."""
    return x.reshape(N, -1, HEADS, E // HEADS).transpose(0, 2, 1, 3)


def test_multi_head_attention_reads_true_as_may_attend_as_keras_does(inputs):
    query, key, allowed = inputs
    layer, _ = layer_pair()
    out = layer(tinydl.tensor(query), tinydl.tensor(key), mask=tinydl.tensor(allowed[:, None]))
    np.testing.assert_allclose(out.numpy(), reference(layer, query, key, allowed), rtol=1e-5,
                               atol=1e-6)


def test_multihead_attention_reads_true_as_masked_out_as_pytorch_does(inputs):
    query, key, allowed = inputs
    blocked = ~allowed
    padding = np.zeros((N, S), dtype=bool)
    padding[1, -1] = True  # the last key of the second sample is padding
    keras_style, layer = layer_pair()  # reference() reads the (in, out) weights of the first
    out, _ = layer(tinydl.tensor(query), tinydl.tensor(key), tinydl.tensor(key),
                   attn_mask=tinydl.tensor(np.repeat(blocked, HEADS, axis=0)),
                   key_padding_mask=tinydl.tensor(padding))
    expected = reference(keras_style, query, key, allowed & ~padding[:, None, :])
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-5, atol=1e-6)


def test_the_same_boolean_mask_means_opposite_things(inputs):
    query, key, allowed = inputs
    keras_style, torch_style = layer_pair()
    x, k = tinydl.tensor(query), tinydl.tensor(key)
    attend = keras_style(x, k, mask=tinydl.tensor(allowed[:, None]))
    masked_out, _ = torch_style(x, k, k, attn_mask=tinydl.tensor(np.repeat(~allowed, HEADS, 0)))
    np.testing.assert_allclose(attend.numpy(), masked_out.numpy(), rtol=1e-6, atol=1e-7)
    same_array, _ = torch_style(x, k, k, attn_mask=tinydl.tensor(np.repeat(allowed, HEADS, 0)))
    assert not np.allclose(same_array.numpy(), attend.numpy(), atol=1e-3)


def test_multihead_attention_matches_torch_with_boolean_masks(inputs):
    torch = pytest.importorskip("torch")
    query, key, allowed = inputs
    _, layer = layer_pair()
    theirs = torch.nn.MultiheadAttention(E, HEADS, batch_first=True)
    with torch.no_grad():  # the same layout as PyTorch's
        theirs.in_proj_weight.copy_(torch.tensor(layer.in_proj_weight.numpy()))
        theirs.in_proj_bias.copy_(torch.tensor(layer.in_proj_bias.numpy()))
        theirs.out_proj.weight.copy_(torch.tensor(layer.out_proj.weight.numpy()))
        theirs.out_proj.bias.copy_(torch.tensor(layer.out_proj.bias.numpy()))
    blocked = np.repeat(~allowed, HEADS, axis=0)
    expected, _ = theirs(torch.tensor(query), torch.tensor(key), torch.tensor(key),
                         attn_mask=torch.tensor(blocked))
    out, _ = layer(tinydl.tensor(query), tinydl.tensor(key), tinydl.tensor(key),
                   attn_mask=tinydl.tensor(blocked))
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-5, atol=1e-6)
