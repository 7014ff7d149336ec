"""Write ``tests/reference/attention.npz`` with PyTorch (CPU, float64): layer norm, GELU,
scaled dot-product attention, multi-head attention and a pre-norm Transformer block.

Run once, by hand, where torch is installed::

    .venv/bin/python tests/reference/make_attention.py

Same conventions as ``make_reference.py`` (whose helpers this reuses): inputs from NumPy
generators seeded by each case's name, one thread, fixed zip timestamps, keys
``<case>.<field>``, settings stored beside the values. Parameters are stored in PyTorch's
layout under PyTorch's names (``in_proj_weight`` is (3E, E)); ``tests/test_attention.py``
transposes them into tinydl's (in, out) layout, which is what "its weights load" means.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812  (PyTorch's usual spelling)
from make_reference import DTYPE, Fields, backward_with, host, leaf, rng_for, write_npz


def layer_norm_cases() -> dict[str, Fields]:
    # name: x shape, normalized_shape, with weight and bias
    table = {
        "last_axis": ((4, 6), (6,), True),
        "two_axes": ((2, 3, 4), (3, 4), True),
        "no_affine": ((3, 2, 5), (5,), False),
    }
    cases = {}
    for case, (x_shape, shape, affine) in table.items():
        rng = rng_for(f"layer_norm.{case}")
        x = leaf(2 * rng.standard_normal(x_shape) + 1)
        weight = leaf(rng.uniform(0.5, 1.5, shape)) if affine else None
        bias = leaf(rng.standard_normal(shape)) if affine else None
        y = F.layer_norm(x, shape, weight, bias, eps=1e-5)
        fields = {"normalized_shape": np.array(shape), "x": host(x), "y": host(y)}
        fields.update(gy=backward_with(y, rng), gx=host(x.grad))
        if affine:
            fields.update(weight=host(weight), bias=host(bias), gweight=host(weight.grad),
                          gbias=host(bias.grad))
        cases[case] = fields
    return cases


def gelu_cases() -> dict[str, Fields]:
    cases = {}
    for approximate in ("none", "tanh"):
        rng = rng_for(f"gelu.{approximate}")
        x = leaf(np.concatenate([rng.uniform(-6, 6, 30), [-10.0, -0.3, 0.0, 0.3, 10.0]]))
        y = F.gelu(x, approximate=approximate)
        cases[approximate] = {"approximate": np.array(approximate), "x": host(x), "y": host(y),
                              "gy": backward_with(y, rng), "gx": host(x.grad)}
    return cases


# name: q shape, k length, mask kind, causal
SDPA_CASES = {
    "plain": ((2, 5, 4), 6, None, False),
    "heads_causal": ((2, 3, 5, 4), 5, None, True),
    "bool_mask_broadcast": ((2, 2, 4, 3), 5, "bool", False),
    "float_mask": ((2, 4, 3), 4, "float", False),
    "fully_masked_row": ((1, 2, 4, 3), 4, "bool_with_empty_row", False),
}


def sdpa_cases() -> dict[str, Fields]:
    cases = {}
    for case, (q_shape, source_length, mask_kind, causal) in SDPA_CASES.items():
        rng = rng_for(f"sdpa.{case}")
        length, d = q_shape[-2], q_shape[-1]
        q = leaf(rng.standard_normal(q_shape))
        k = leaf(rng.standard_normal((*q_shape[:-2], source_length, d)))
        v = leaf(rng.standard_normal((*q_shape[:-2], source_length, d + 1)))
        mask = None
        if mask_kind and mask_kind.startswith("bool"):
            mask_values = rng.uniform(size=(length, source_length)) < 0.7
            mask_values[:, 0] = True  # every row keeps a key...
            if mask_kind == "bool_with_empty_row":
                mask_values[1] = False  # ...except this one, which keeps none
            mask = torch.tensor(mask_values)
        elif mask_kind == "float":
            mask = torch.tensor(rng.standard_normal((length, source_length)), dtype=DTYPE)
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=causal)
        fields = {"causal": np.array(causal), "q": host(q), "k": host(k), "v": host(v)}
        if mask is not None:
            fields["mask"] = mask.numpy()
        fields.update(y=host(y), gy=backward_with(y, rng), gq=host(q.grad), gk=host(k.grad),
                      gv=host(v.grad))
        cases[case] = fields
    return cases


def parameter_fields(module: torch.nn.Module) -> Fields:
    """Each parameter (PyTorch layout) as ``param:<name>`` and its gradient as
    ``grad:<name>`` (dots in names become slashes: a field name never holds a dot)."""
    fields = {}
    for name, p in module.named_parameters():
        fields[f"param:{name.replace('.', '/')}"] = host(p)
        fields[f"grad:{name.replace('.', '/')}"] = host(p.grad)
    return fields


def mha_cases() -> dict[str, Fields]:
    """torch.nn.MultiheadAttention (batch_first) with tinydl-style masks converted to its
    convention (True = masked out)."""
    # name: N, L, S, E, heads, kind
    table = {
        "self_causal": (2, 5, 5, 8, 2, "causal"),
        "cross_padding": (2, 4, 6, 6, 3, "padding"),
        "self_no_mask": (1, 3, 3, 4, 1, None),
    }
    cases = {}
    for case, (n, length, source_length, e, heads, kind) in table.items():
        rng = rng_for(f"mha.{case}")
        torch.manual_seed(0)
        mha = torch.nn.MultiheadAttention(e, heads, batch_first=True, dtype=DTYPE)
        with torch.no_grad():  # a nonzero in_proj_bias, so its gradient is checked too
            mha.in_proj_bias.copy_(torch.tensor(0.1 * rng.standard_normal(3 * e)))
            mha.out_proj.bias.copy_(torch.tensor(0.1 * rng.standard_normal(e)))
        query = leaf(rng.standard_normal((n, length, e)))
        fields: Fields = {"heads": np.array(heads), "query": host(query)}
        if kind == "padding":
            key = leaf(rng.standard_normal((n, source_length, e)))
            padding = np.zeros((n, source_length), bool)
            padding[0, -2:] = True  # sample 0's last two keys are padding
            fields.update(key=host(key), padding=padding)
            y, weights = mha(query, key, key, key_padding_mask=torch.tensor(padding),
                             average_attn_weights=False)
        else:
            attn_mask = None
            if kind == "causal":
                attn_mask = ~torch.ones(length, length, dtype=torch.bool).tril()
            y, weights = mha(query, query, query, attn_mask=attn_mask,
                             average_attn_weights=False)
        fields.update(causal=np.array(kind == "causal"), y=host(y), weights=host(weights),
                      gy=backward_with(y, rng), gquery=host(query.grad))
        if kind == "padding":
            fields["gkey"] = host(key.grad)
        fields.update(parameter_fields(mha))
        cases[case] = fields
    return cases


def torch_mha_alias_cases() -> dict[str, Fields]:
    """PyTorch's own conventions, for tinydl's nn.MultiheadAttention: sequence-first
    (L, N, E), attn_mask with True = masked out, float attn_mask, key_padding_mask,
    weights averaged over heads."""
    table = {"bool_masks": "bool", "float_mask": "float"}
    cases = {}
    for case, kind in table.items():
        rng = rng_for(f"mha_alias.{case}")
        n, length, e, heads = 2, 4, 6, 2
        torch.manual_seed(1)
        mha = torch.nn.MultiheadAttention(e, heads, dtype=DTYPE)  # batch_first=False
        query = leaf(rng.standard_normal((length, n, e)))
        if kind == "bool":
            attn_mask = ~torch.ones(length, length, dtype=torch.bool).tril()
        else:
            attn_mask = torch.tensor(rng.standard_normal((n * heads, length, length)))
        padding = np.zeros((n, length), bool)
        padding[1, -1] = True
        y, weights = mha(query, query, query, key_padding_mask=torch.tensor(padding),
                         attn_mask=attn_mask)
        fields = {"heads": np.array(heads), "query": host(query), "attn_mask": attn_mask.numpy(),
                  "padding": padding, "y": host(y), "weights": host(weights)}
        fields.update(gy=backward_with(y, rng), gquery=host(query.grad))
        fields.update(parameter_fields(mha))
        cases[case] = fields
    return cases


def block_cases() -> dict[str, Fields]:
    """torch.nn.TransformerEncoderLayer(norm_first=True, activation="gelu") is tinydl's
    pre-norm TransformerBlock."""
    cases = {}
    for case, causal in (("causal", True), ("bidirectional", False)):
        rng = rng_for(f"block.{case}")
        n, length, e, heads, hidden = 2, 5, 8, 2, 12
        torch.manual_seed(2)
        layer = torch.nn.TransformerEncoderLayer(
            e, heads, hidden, dropout=0.0, activation="gelu", batch_first=True, norm_first=True,
            dtype=DTYPE,
        )
        with torch.no_grad():  # LayerNorm's γ, β away from 1, 0, so their roles are tested
            for norm in (layer.norm1, layer.norm2):
                norm.weight.copy_(torch.tensor(rng.uniform(0.5, 1.5, e)))
                norm.bias.copy_(torch.tensor(0.1 * rng.standard_normal(e)))
        x = leaf(rng.standard_normal((n, length, e)))
        mask = torch.nn.Transformer.generate_square_subsequent_mask(length, dtype=DTYPE)
        y = layer(x, src_mask=mask if causal else None, is_causal=causal)
        fields = {"heads": np.array(heads), "hidden": np.array(hidden),
                  "causal": np.array(causal), "x": host(x), "y": host(y)}
        fields.update(gy=backward_with(y, rng), gx=host(x.grad))
        fields.update(parameter_fields(layer))
        cases[case] = fields
    return cases


FIXTURE_CASES = (
    ("layer_norm", layer_norm_cases), ("gelu", gelu_cases), ("sdpa", sdpa_cases),
    ("mha", mha_cases), ("mha_alias", torch_mha_alias_cases), ("block", block_cases),
)


def main() -> None:
    torch.set_num_threads(1)
    cases = {}
    for prefix, make_cases in FIXTURE_CASES:
        cases.update({f"{prefix}/{case}": fields for case, fields in make_cases().items()})
    size = write_npz("attention", cases)
    print(f"attention.npz: {len(cases)} cases, {size / 1024:.1f} KiB, torch {torch.__version__}")


if __name__ == "__main__":
    main()
