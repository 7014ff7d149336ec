"""Layer norm, GELU, attention and the Transformer block: against PyTorch (the fixtures of
``tests/reference/make_attention.py``), by gradient checks in float64, on every device of
the ``device`` fixture (cpu and the strict fake device), plus the properties that make
attention trustworthy: the causal mask leaks nothing, masked pairs get no weight and no
gradient, a fully masked row stays finite, and the fast Function equals the plain version.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import make
from test_reference import assert_matches, load_cases

import tinydl
import tinydl.nn.functional as F  # noqa: N812
from tinydl import nn

REF = load_cases("attention")
DTYPES = ["float64", "float32"]
RTOL = {"float64": 1e-10, "float32": 2e-5}


def cases(prefix: str) -> list[str]:
    return sorted(case for case in REF if case.startswith(prefix + "/"))


def check_all(pairs, dtype: str) -> None:
    for actual, expected in pairs:
        assert_matches(actual, expected, dtype, RTOL[dtype])


def upstream(y: tinydl.Tensor, ref, device: str, dtype: str) -> None:
    y.backward(make(ref["gy"], device, requires_grad=False, dtype=dtype))


# ---- PyTorch fixtures: functional ops ------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", cases("layer_norm"))
def test_layer_norm_matches_torch(case: str, dtype: str, device: str):
    ref = REF[case]
    x = make(ref["x"], device, dtype=dtype)
    weight = make(ref["weight"], device, dtype=dtype) if "weight" in ref else None
    bias = make(ref["bias"], device, dtype=dtype) if "bias" in ref else None
    y = F.layer_norm(x, tuple(int(n) for n in ref["normalized_shape"]), weight, bias)
    upstream(y, ref, device, dtype)
    expected = [(y, ref["y"]), (x.grad, ref["gx"])]
    if weight is not None:
        expected += [(weight.grad, ref["gweight"]), (bias.grad, ref["gbias"])]
    check_all(expected, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", cases("gelu"))
def test_gelu_matches_torch(case: str, dtype: str, device: str):
    ref = REF[case]
    x = make(ref["x"], device, dtype=dtype)
    y = F.gelu(x, approximate=str(ref["approximate"]))
    upstream(y, ref, device, dtype)
    check_all([(y, ref["y"]), (x.grad, ref["gx"])], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", cases("sdpa"))
def test_scaled_dot_product_attention_matches_torch(case: str, dtype: str, device: str):
    ref = REF[case]
    q, k, v = (make(ref[name], device, dtype=dtype) for name in "qkv")
    mask = None
    if "mask" in ref:
        mask_dtype = bool if ref["mask"].dtype == bool else dtype
        mask = tinydl.tensor(ref["mask"], dtype=mask_dtype, device=device)
    y = F.scaled_dot_product_attention(q, k, v, mask, causal=bool(ref["causal"]))
    upstream(y, ref, device, dtype)
    check_all([(y, ref["y"]), (q.grad, ref["gq"]), (k.grad, ref["gk"]), (v.grad, ref["gv"])],
              dtype)


# ---- PyTorch fixtures: layers with PyTorch's weights -----------------------------------------
def torch_fields(ref, kind: str, transpose: bool = True) -> dict[str, np.ndarray]:
    """The fixture's ``param:`` or ``grad:`` fields by parameter name, each 2-D weight
    transposed from PyTorch's (out, in) to the (in, out) layout of ``MultiHeadAttention``
    and ``Dense`` unless ``transpose=False`` (``MultiheadAttention`` stores PyTorch's)."""
    prefix = kind + ":"
    return {
        field[len(prefix):].replace("/", "."): values.T if transpose and values.ndim == 2
        else values
        for field, values in ref.items()
        if field.startswith(prefix)
    }


def load_torch_parameters(module: nn.Module, ref, dtype: str, device: str) -> None:
    module.double() if dtype == "float64" else module.float()  # first: loading casts
    transpose = not isinstance(module, nn.MultiheadAttention)
    module.load_state_dict(torch_fields(ref, "param", transpose))
    module.to(device)


def parameter_grads(module: nn.Module, ref) -> list:
    named = dict(module.named_parameters())
    fields = torch_fields(ref, "grad", not isinstance(module, nn.MultiheadAttention))
    return [(named[name].grad, values) for name, values in fields.items()]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", cases("mha"))
def test_multi_head_attention_matches_torch(case: str, dtype: str, device: str):
    ref = REF[case]
    embed_dim, heads = ref["query"].shape[-1], int(ref["heads"])
    layer = nn.MultiHeadAttention(embed_dim, heads)
    load_torch_parameters(layer, ref, dtype, device)
    query = make(ref["query"], device, dtype=dtype)
    if "key" in ref:  # cross-attention; PyTorch's padding mask (True = pad) turned around
        key = make(ref["key"], device, dtype=dtype)
        mask = tinydl.tensor(~ref["padding"][:, None, None, :], device=device)
        y, weights = layer(query, key, key, mask=mask, need_weights=True)
    else:
        y, weights = layer(query, causal=bool(ref["causal"]), need_weights=True)
    upstream(y, ref, device, dtype)
    expected = [(y, ref["y"]), (weights, ref["weights"]), (query.grad, ref["gquery"])]
    if "key" in ref:
        expected.append((key.grad, ref["gkey"]))
    check_all(expected + parameter_grads(layer, ref), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", cases("mha_alias"))
def test_pytorch_style_multihead_attention_matches_torch(case: str, dtype: str, device: str):
    """nn.MultiheadAttention takes PyTorch's arguments with PyTorch's conventions: (L, N, E)
    inputs, True = masked out, key_padding_mask, weights averaged over heads."""
    ref = REF[case]
    layer = nn.MultiheadAttention(ref["query"].shape[-1], int(ref["heads"]))
    load_torch_parameters(layer, ref, dtype, device)
    query = make(ref["query"], device, dtype=dtype)
    attn_mask = ref["attn_mask"]
    attn_mask = tinydl.tensor(attn_mask, dtype=bool if attn_mask.dtype == bool else dtype,
                              device=device)
    padding = tinydl.tensor(ref["padding"], device=device)
    y, weights = layer(query, query, query, key_padding_mask=padding, attn_mask=attn_mask)
    upstream(y, ref, device, dtype)
    check_all([(y, ref["y"]), (weights, ref["weights"]), (query.grad, ref["gquery"])]
              + parameter_grads(layer, ref), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", cases("block"))
def test_transformer_block_matches_torch_pre_norm_encoder_layer(case: str, dtype: str,
                                                                device: str):
    ref = REF[case]
    embed_dim = ref["x"].shape[-1]
    block = nn.TransformerBlock(embed_dim, int(ref["heads"]), int(ref["hidden"]))
    load_torch_parameters(block, ref, dtype, device)
    x = make(ref["x"], device, dtype=dtype)
    y = block(x, causal=bool(ref["causal"]))
    upstream(y, ref, device, dtype)
    check_all([(y, ref["y"]), (x.grad, ref["gx"])] + parameter_grads(block, ref), dtype)


# ---- gradient checks in float64 ----------------------------------------------------------------
def test_layer_norm_and_gelu_gradcheck(device, rng):
    x = make(rng.standard_normal((2, 3, 4)), device)
    weight, bias = make(rng.uniform(0.5, 1.5, (3, 4)), device), make(rng.standard_normal((3, 4)),
                                                                       device)
    assert tinydl.gradcheck(lambda a, w, b: F.layer_norm(a, (3, 4), w, b), [x, weight, bias])
    assert tinydl.gradcheck(lambda a: F.gelu(a), [x])
    assert tinydl.gradcheck(lambda a: F.gelu(a, approximate="tanh"), [x])


def attention_inputs(rng, device, length=4, source_length=5):
    q = make(rng.standard_normal((2, 2, length, 3)), device)
    k = make(rng.standard_normal((2, 2, source_length, 3)), device)
    v = make(rng.standard_normal((2, 2, source_length, 2)), device)
    return q, k, v


@pytest.mark.parametrize("kind", ["none", "causal", "bool", "float", "bool_and_causal"])
def test_attention_gradcheck(kind: str, device, rng):
    q, k, v = attention_inputs(rng, device, 4, 4)
    mask = None
    if kind.startswith("bool"):
        values = rng.uniform(size=(2, 1, 4, 4)) < 0.6
        values[..., 0] = True
        mask = tinydl.tensor(values, device=device)
    elif kind == "float":
        mask = make(rng.standard_normal((4, 4)), device, requires_grad=False)
    causal = "causal" in kind
    assert tinydl.gradcheck(
        lambda a, b, c: F.scaled_dot_product_attention(a, b, c, mask, causal=causal), [q, k, v]
    )


def test_attention_dropout_gradcheck_and_scaling(device, rng):
    """With the same seed the same weights drop; the kept ones are scaled by 1/(1 - p)."""
    q, k, v = attention_inputs(rng, device)

    def dropped(a, b, c):
        tinydl.random.manual_seed(3)
        return F.scaled_dot_product_attention(a, b, c, dropout_p=0.4)

    assert tinydl.gradcheck(dropped, [q, k, v])
    tinydl.random.manual_seed(3)
    _, weights = F.scaled_dot_product_attention(q, k, v, dropout_p=0.4, need_weights=True)
    _, plain = F.scaled_dot_product_attention(q, k, v, need_weights=True)
    w, p = weights.numpy(), plain.numpy()
    assert 0 < (w == 0).mean() < 0.8
    np.testing.assert_allclose(w[w != 0], p[w != 0] / 0.6)


def test_multi_head_attention_gradcheck_of_input_and_parameters(device, rng):
    tinydl.random.manual_seed(0)
    layer = nn.MultiHeadAttention(4, 2).double().to(device)
    x = make(rng.standard_normal((2, 3, 4)), device)
    params = list(layer.parameters())
    assert tinydl.gradcheck(lambda a, *_: layer(a, causal=True), [x, *params])


def test_transformer_block_gradcheck(device, rng):
    tinydl.random.manual_seed(0)
    block = nn.TransformerBlock(4, 2, dim_feedforward=6).double().to(device)
    x = make(rng.standard_normal((1, 3, 4)), device)
    # Every parameter on the CPU; the input alone on the (slow) fake device, whose job is
    # to catch host/device mixing, which the same code paths would show there.
    checked = [x, *block.parameters()] if device == "cpu" else [x]
    assert tinydl.gradcheck(lambda a, *_: block(a, causal=True), checked)


# ---- the fast Function against the plain version ---------------------------------------------
@pytest.mark.parametrize(
    ("causal", "dropout_p", "mask_kind"),
    [(False, 0.0, "bool"), (True, 0.0, "bool"), (True, 0.0, "float"), (False, 0.5, "bool"),
     (True, 0.0, "a row masked")],
)
def test_fast_attention_equals_the_plain_version(causal, dropout_p, mask_kind, device, rng):
    q, k, v = attention_inputs(rng, device, 4, 4)
    keep = rng.uniform(size=(4, 4)) < 0.7
    keep[:, 0] = mask_kind != "a row masked"  # every query keeps a key, or query 0 none
    if mask_kind == "float":
        mask = tinydl.tensor(np.where(keep, rng.standard_normal((4, 4)), -np.inf),
                             dtype="float64", device=device)
    else:
        mask = tinydl.tensor(keep, device=device)
    gy = make(rng.standard_normal((2, 2, 4, 2)), device, requires_grad=False)
    results = []
    for fast in (True, False):
        for t in (q, k, v):
            t.grad = None
        tinydl.manual_seed(0)  # the same dropout masks both ways
        with tinydl.fast_paths(fast):
            y, weights = F.scaled_dot_product_attention(
                q, k, v, mask, causal=causal, dropout_p=dropout_p, need_weights=True
            )
        y.backward(gy)
        results.append([y.numpy(), weights.numpy(), q.grad.numpy(), k.grad.numpy(),
                        v.grad.numpy()])
    for fast, plain in zip(*results, strict=True):
        assert np.isfinite(plain).all()
        np.testing.assert_allclose(fast, plain, rtol=1e-12, atol=1e-12)


# ---- masks -----------------------------------------------------------------------------------
def test_causal_mask_leaks_nothing_from_the_future(device, rng):
    """Changing the inputs after position t changes no output at or before t, and the
    gradient of the outputs up to t with respect to later inputs is exactly zero."""
    tinydl.random.manual_seed(0)
    blocks = [nn.TransformerBlock(8, 2).double().to(device) for _ in range(2)]
    position = nn.LearnedPositionalEmbedding(6, 8).double().to(device)

    def model(x):
        x = position(x)
        for block in blocks:
            x = block(x, causal=True)
        return x

    x = rng.standard_normal((2, 6, 8))
    changed = x.copy()
    changed[:, 4:] = rng.standard_normal((2, 2, 8)) * 10
    y = model(make(x, device, requires_grad=False)).numpy()
    y_changed = model(make(changed, device, requires_grad=False)).numpy()
    np.testing.assert_array_equal(y[:, :4], y_changed[:, :4])
    assert np.abs(y[:, 4:] - y_changed[:, 4:]).min() > 0
    inputs = make(x, device)
    model(inputs)[:, :4].sum().backward()
    assert np.all(inputs.grad.numpy()[:, 4:] == 0)
    assert np.all(inputs.grad.numpy()[:, :4] != 0)


def test_masked_keys_get_no_weight_and_no_gradient(device, rng):
    q, k, v = attention_inputs(rng, device, 3, 4)
    mask = tinydl.tensor(np.array([True, False, True, False]), device=device)
    y, weights = F.scaled_dot_product_attention(q, k, v, mask, need_weights=True)
    w = weights.numpy()
    assert np.all(w[..., [1, 3]] == 0)
    np.testing.assert_allclose(w.sum(axis=-1), 1)
    y.sum().backward()
    assert np.all(k.grad.numpy()[:, :, [1, 3]] == 0) and np.all(v.grad.numpy()[:, :, [1, 3]] == 0)
    assert np.all(k.grad.numpy()[:, :, [0, 2]] != 0)


def test_a_fully_masked_row_gives_zero_output_and_finite_gradients(device, rng):
    q, k, v = attention_inputs(rng, device, 3, 4)
    values = np.ones((3, 4), bool)
    values[1] = False  # query 1 may attend to nothing
    y = F.scaled_dot_product_attention(q, k, v, tinydl.tensor(values, device=device))
    y.sum().backward()
    assert np.all(y.numpy()[:, :, 1] == 0)
    for t in (q, k, v):
        assert np.isfinite(t.grad.numpy()).all()
    assert np.all(q.grad.numpy()[:, :, 1] == 0)
    layer = nn.MultiHeadAttention(4, 2).to(device)
    x = tinydl.tensor(rng.standard_normal((1, 3, 4)), device=device, requires_grad=True)
    out = layer(x, mask=tinydl.tensor(values[:, :3], device=device))
    out.sum().backward()
    assert np.isfinite(out.numpy()).all() and np.isfinite(x.grad.numpy()).all()


# ---- dtypes, modes and the position tables ----------------------------------------------------
def test_float32_stays_float32_through_every_layer(device, rng):
    block = nn.TransformerBlock(8, 2, activation=nn.GELU("tanh")).to(device)
    norm = nn.LayerNorm(8).to(device)
    positions = nn.SinusoidalPositionalEncoding(5, 8).to(device)
    x = tinydl.tensor(rng.standard_normal((2, 5, 8)), device=device, requires_grad=True)
    y = norm(block(positions(x), mask=tinydl.tensor(np.tri(5, dtype=bool), device=device)))
    y.sum().backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in block.parameters())


def test_attention_dropout_is_active_in_training_only(rng):
    layer = nn.MultiHeadAttention(8, 2, dropout=0.5)
    x = tinydl.tensor(rng.standard_normal((2, 5, 8)))
    _, trained = layer(x, need_weights=True)
    layer.eval()
    _, evaluated = layer(x, need_weights=True)
    assert (trained.numpy() == 0).mean() > 0.2
    assert (evaluated.numpy() > 0).all()
    np.testing.assert_allclose(evaluated.numpy().sum(axis=-1), 1, rtol=1e-6)


def test_sinusoidal_encoding_is_a_buffer_with_the_published_values():
    encoding = nn.SinusoidalPositionalEncoding(50, 6)
    assert list(encoding.parameters()) == [] and "pe" in encoding.state_dict()
    pe = encoding.pe.numpy()
    t, i = 7, 2  # feature pair i: sin at 2i, cos at 2i + 1
    np.testing.assert_allclose(pe[t, 2 * i], math.sin(t / 10000 ** (2 * i / 6)), rtol=1e-6)
    np.testing.assert_allclose(pe[t, 2 * i + 1], math.cos(t / 10000 ** (2 * i / 6)), rtol=1e-6)
    x = tinydl.tensor(np.zeros((1, 3, 6)))
    np.testing.assert_array_equal(encoding(x).numpy()[0], pe[:3])


def test_learned_positions_train_and_shorter_sequences_use_the_first_rows(rng):
    positions = nn.LearnedPositionalEmbedding(10, 4)
    assert [name for name, _ in positions.named_parameters()] == ["weight"]
    x = tinydl.tensor(rng.standard_normal((2, 3, 4)))
    positions(x).sum().backward()
    grad = positions.weight.grad.numpy()
    assert np.all(grad[:3] == 2) and np.all(grad[3:] == 0)


def test_layer_norm_module_defaults_match_the_functional(rng):
    norm = nn.LayerNorm(5)
    assert norm.weight.numpy().tolist() == [1] * 5 and norm.bias.numpy().tolist() == [0] * 5
    x = tinydl.tensor(rng.standard_normal((3, 5)))
    y = norm(x).numpy()
    np.testing.assert_allclose(y.mean(axis=1), 0, atol=1e-6)
    np.testing.assert_allclose(y.var(axis=1), 1, rtol=1e-4)
    assert nn.LayerNorm(5, elementwise_affine=False).weight is None
