"""nn.Transformer, nn.TransformerEncoderLayer / DecoderLayer and their stacks have PyTorch's
signatures, parameter names, layout and results: outputs and gradients against what
PyTorch computed for the same weights (``reference/torch_nn.npz``, made by
``reference/make_torch_nn.py``; also directly where torch is installed), and float64
gradient checks."""

from __future__ import annotations

import numpy as np
import pytest
import torch_twins as tw
from conftest import make
from test_reference import load_cases

import tinydl
from tinydl import nn

REF = load_cases("torch_nn")
SETTINGS = tw.TRANSFORMER
D, HEADS, HIDDEN = SETTINGS["d_model"], SETTINGS["nhead"], SETTINGS["dim_feedforward"]
RTOL = {"float64": 1e-10, "float32": 1e-4}


def with_formula_weights(module: nn.Module, dtype: str, device: str) -> nn.Module:
    (module.double() if dtype == "float64" else module.float()).to(device)
    module.load_state_dict(tw.formula_parameters(module.named_parameters()))
    return module


def tensor(values: np.ndarray, dtype: str, device: str, requires_grad: bool = False):
    return tinydl.tensor(values, dtype=dtype if values.dtype != bool else None, device=device,
                         requires_grad=requires_grad)


def close(actual: tinydl.Tensor, expected: np.ndarray, dtype: str) -> None:
    assert actual.dtype == np.dtype(dtype) and actual.shape == expected.shape
    np.testing.assert_allclose(actual.numpy(), expected, rtol=RTOL[dtype], atol=RTOL[dtype])


def test_encoder_layer_names_and_shapes_are_pytorchs() -> None:
    layer = nn.TransformerEncoderLayer(D, HEADS, HIDDEN)
    assert [(name, value.shape) for name, value in layer.state_dict().items()] == [
        ("self_attn.in_proj_weight", (3 * D, D)), ("self_attn.in_proj_bias", (3 * D,)),
        ("self_attn.out_proj.weight", (D, D)), ("self_attn.out_proj.bias", (D,)),
        ("linear1.weight", (HIDDEN, D)), ("linear1.bias", (HIDDEN,)),
        ("linear2.weight", (D, HIDDEN)), ("linear2.bias", (D,)),
        ("norm1.weight", (D,)), ("norm1.bias", (D,)), ("norm2.weight", (D,)), ("norm2.bias", (D,)),
    ]  # fmt: skip
    assert layer.dropout.p == 0.1 and not layer.norm_first  # PyTorch's defaults
    assert nn.TransformerEncoderLayer(D, HEADS).linear1.out_features == 2048
    decoder = nn.TransformerDecoderLayer(D, HEADS, HIDDEN, bias=False)
    assert [name for name in decoder.state_dict()] == [
        "self_attn.in_proj_weight", "self_attn.out_proj.weight",
        "multihead_attn.in_proj_weight", "multihead_attn.out_proj.weight",
        "linear1.weight", "linear2.weight", "norm1.weight", "norm2.weight", "norm3.weight",
    ]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_post_norm_encoder_layer_matches_torch(device: str, dtype: str) -> None:
    ref = REF["encoder_layer"]
    layer = with_formula_weights(nn.TransformerEncoderLayer(D, HEADS, HIDDEN, dropout=0.0),
                                 dtype, device)
    src = tensor(tw.sequence("encoder.src", (5, 3, D)), dtype, device, requires_grad=True)
    mask = nn.Transformer.generate_square_subsequent_mask(5, device=device, dtype=dtype)
    y = layer(src, src_mask=mask, src_key_padding_mask=tensor(tw.padding_mask(3, 5), dtype,
                                                                device), is_causal=True)
    close(y, ref["y"], dtype)
    y.backward(tensor(ref["gy"], dtype, device))
    close(src.grad, ref["gsrc"], dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_pre_norm_batch_first_decoder_layer_matches_torch(device: str, dtype: str) -> None:
    ref = REF["decoder_layer"]
    layer = with_formula_weights(
        nn.TransformerDecoderLayer(D, HEADS, HIDDEN, dropout=0.0, activation="gelu",
                                   batch_first=True, norm_first=True), dtype, device)
    tgt = tensor(tw.sequence("decoder.tgt", (3, 4, D)), dtype, device, requires_grad=True)
    memory = tensor(tw.sequence("decoder.memory", (3, 5, D)), dtype, device, requires_grad=True)
    y = layer(tgt, memory,
              tgt_mask=nn.Transformer.generate_square_subsequent_mask(4, device=device,
                                                                       dtype=dtype),
              memory_key_padding_mask=tensor(tw.padding_mask(3, 5), dtype, device))
    close(y, ref["y"], dtype)
    y.backward(tensor(ref["gy"], dtype, device))
    close(tgt.grad, ref["gtgt"], dtype)
    close(memory.grad, ref["gmemory"], dtype)


def test_transformer_matches_torch(device: str) -> None:
    model = with_formula_weights(nn.Transformer(**SETTINGS), "float64", device).eval()
    assert len(model.encoder.layers) == 2 and isinstance(model.decoder.norm, nn.LayerNorm)
    src = tensor(tw.sequence("transformer.src", (5, 2, D)), "float64", device)
    tgt = tensor(tw.sequence("transformer.tgt", (4, 2, D)), "float64", device)
    y = model(src, tgt, tgt_mask=model.generate_square_subsequent_mask(4, device=device,
                                                                       dtype="float64"),
              src_key_padding_mask=tensor(tw.padding_mask(2, 5), "float64", device))
    close(y, REF["transformer"]["y"], "float64")


def test_transformer_copies_its_layers_and_draws_xavier_weights() -> None:
    tinydl.manual_seed(0)
    model = nn.Transformer(d_model=16, nhead=4, num_encoder_layers=3, num_decoder_layers=1,
                           dim_feedforward=64)
    layers = model.encoder.layers
    assert layers[0].linear1.weight is not layers[1].linear1.weight  # copies, not shared
    weight = layers[0].linear1.weight.numpy()  # (64, 16): Xavier's bound √(6 / 80)
    assert np.abs(weight).max() <= np.sqrt(6 / 80) and np.abs(weight).max() > 0.95 * np.sqrt(6 / 80)
    mask = nn.Transformer.generate_square_subsequent_mask(3)
    assert mask.dtype == np.float32
    assert mask.numpy().tolist() == [[0, -np.inf, -np.inf], [0, 0, -np.inf], [0, 0, 0]]


def test_encoder_stack_and_unbatched_input() -> None:
    layer = nn.TransformerEncoderLayer(D, HEADS, HIDDEN, dropout=0.0, batch_first=True)
    encoder = nn.TransformerEncoder(layer, num_layers=2, norm=nn.LayerNorm(D),
                                    enable_nested_tensor=False)
    x = tinydl.tensor(tw.sequence("stack.x", (5, D)), dtype="float32")  # unbatched (S, E)
    y = encoder(x)
    batched = encoder(x.reshape(1, 5, D))
    np.testing.assert_allclose(y.numpy(), batched.numpy()[0], rtol=1e-5, atol=1e-6)
    expected = x
    for copy in encoder.layers:
        expected = copy(expected)
    np.testing.assert_allclose(y.numpy(), encoder.norm(expected).numpy(), rtol=1e-6)


def test_outputs_before_t_do_not_change_with_inputs_after_t() -> None:
    layer = nn.TransformerEncoderLayer(D, HEADS, HIDDEN, dropout=0.0).eval()
    x = tw.sequence("causal.x", (6, 1, D))
    changed = x.copy()
    changed[4:] += 1.0
    mask = nn.Transformer.generate_square_subsequent_mask(6)
    a = layer(tinydl.tensor(x), src_mask=mask, is_causal=True).numpy()
    b = layer(tinydl.tensor(changed), src_mask=mask, is_causal=True).numpy()
    np.testing.assert_allclose(a[:4], b[:4], rtol=1e-6)
    assert not np.allclose(a[4:], b[4:])


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_and_decoder_layer_gradcheck(device: str, norm_first: bool) -> None:
    encoder = nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0, norm_first=norm_first,
                                         batch_first=True).double().to(device)
    decoder = nn.TransformerDecoderLayer(4, 2, 6, dropout=0.0, norm_first=norm_first,
                                         activation="gelu").double().to(device)
    rng = np.random.default_rng(3)
    src = make(rng.standard_normal((2, 3, 4)), device)
    mask = nn.Transformer.generate_square_subsequent_mask(3, device=device, dtype="float64")
    assert tinydl.gradcheck(lambda s: encoder(s, src_mask=mask), [src])
    tgt, memory = make(rng.standard_normal((3, 2, 4)), device), make(
        rng.standard_normal((4, 2, 4)), device)
    assert tinydl.gradcheck(lambda t, m: decoder(t, m, tgt_mask=mask), [tgt, memory])


@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")  # PyTorch's fast-path note
def test_transformer_matches_torch_directly(rng) -> None:
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = torch.nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=2,
                                  dim_feedforward=12, batch_first=True, norm_first=True).eval()
    ours = nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=2,
                          dim_feedforward=12, batch_first=True, norm_first=True).eval()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict(theirs.state_dict())
    src = rng.standard_normal((2, 5, 8)).astype(np.float32)
    tgt = rng.standard_normal((2, 3, 8)).astype(np.float32)
    padding = tw.padding_mask(2, 5)
    expected = theirs(torch.tensor(src), torch.tensor(tgt),
                      tgt_mask=theirs.generate_square_subsequent_mask(3),
                      src_key_padding_mask=torch.tensor(padding),
                      memory_key_padding_mask=torch.tensor(padding)).detach().numpy()
    y = ours(tinydl.tensor(src), tinydl.tensor(tgt),
             tgt_mask=ours.generate_square_subsequent_mask(3),
             src_key_padding_mask=tinydl.tensor(padding),
             memory_key_padding_mask=tinydl.tensor(padding))
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-4, atol=1e-5)
