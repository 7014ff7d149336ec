"""PyTorch's ``nn.Transformer`` and its parts, with PyTorch's signatures, defaults,
parameter names and layout, so PyTorch programs and their state dicts run unchanged:

- ``TransformerEncoderLayer``: self-attention, then a two-layer MLP, each in a residual
  connection with a LayerNorm, after it (``norm_first=False``, the post-norm design of
  "Attention Is All You Need") or before it (``norm_first=True``, pre-norm);
- ``TransformerDecoderLayer``: the same with cross-attention to the encoder's output
  ("memory") between the two;
- ``TransformerEncoder`` / ``TransformerDecoder``: ``num_layers`` copies of a layer, then
  an optional final norm;
- ``Transformer``: an encoder and a decoder.

They are built from tinydl's own :class:`~tinydl.nn.MultiheadAttention`,
:class:`~tinydl.nn.Linear`, :class:`~tinydl.nn.LayerNorm` and
:class:`~tinydl.nn.Dropout`: nothing new to differentiate. Masks follow PyTorch's
``nn.MultiheadAttention``: a boolean mask is True where attention is **not** allowed, a
float mask is added to the scores (``generate_square_subsequent_mask`` makes the causal
one); ``is_causal`` is a hint that the mask given is causal, never a replacement for it.
Inputs are (S, N, E) unless ``batch_first=True``, which makes them (N, S, E); unbatched
(S, E) inputs work too. :class:`~tinydl.nn.TransformerBlock` is tinydl's own pre-norm
block with tinydl's conventions.

Differences from PyTorch: no fused "fast path" and no nested tensors
(``enable_nested_tensor`` is accepted and changes nothing; the results are the same);
a query whose every key is masked gets zero attention where PyTorch gives NaN.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np

from tinydl import backend, check
from tinydl.autograd import Tensor
from tinydl.autograd.default_dtype import get_default_dtype
from tinydl.autograd.tensor_checks import tensor
from tinydl.nn import init
from tinydl.nn.activation import by_name
from tinydl.nn.attention import MultiheadAttention
from tinydl.nn.layer_norm import LayerNorm
from tinydl.nn.linear import Linear
from tinydl.nn.module import Module
from tinydl.nn.module_containers import ModuleList
from tinydl.nn.normalization import Dropout
from tinydl.ops.activations import gelu, relu

Activation = str | Callable[[Tensor], Tensor]


def _placed(module: Module, device: Any, dtype: Any) -> None:
    """PyTorch's factory keywords ``device=`` and ``dtype=``, applied once the module is
    built."""
    if dtype is not None:
        module._cast(check.float_dtype(type(module).__name__, "dtype", dtype))
    if device is not None:
        module.to(device)


def _check_sequence(x: Any, d_model: int, argument: str, caller: str) -> None:
    """A (S, N, E), (N, S, E) or unbatched (S, E) float Tensor with E = d_model."""
    tensor(caller, argument, x)
    if x.ndim not in (2, 3) or x.shape[-1] != d_model:
        raise ValueError(
            f"{caller} expects {argument} of shape (S, N, E), (N, S, E) with batch_first=True, "
            f"or unbatched (S, E), with E = d_model = {d_model}; got shape {x.shape}"
        )


class _TransformerLayer(Module):
    """What the encoder and decoder layers share: their attentions (``attentions`` names
    them), the MLP ``linear1`` → activation → ``dropout`` → ``linear2``, and one LayerNorm
    and one Dropout per residual connection (``norm1``, ``dropout1``, …), assigned in
    PyTorch's order so that ``state_dict()`` lists PyTorch's names in PyTorch's order."""

    attentions: tuple[str, ...] = ()

    def __init__(
        self, d_model: int, nhead: int, dim_feedforward: int = 2048, dropout: float = 0.1,
        activation: Activation = "relu", layer_norm_eps: float = 1e-5,
        batch_first: bool = False, norm_first: bool = False, bias: bool = True,
        device: Any = None, dtype: Any = None,
    ) -> None:
        name = type(self).__name__
        self.d_model = check.positive_int(name, "d_model", d_model)
        for attention in self.attentions:
            setattr(self, attention, MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                                   batch_first=batch_first))
        self.linear1 = Linear(d_model, check.positive_int(name, "dim_feedforward", dim_feedforward),
                              bias=bias)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias)
        self.norm_first = check.flag(name, "norm_first", norm_first)
        blocks = range(1, len(self.attentions) + 2)  # one per attention, one for the MLP
        for i in blocks:
            setattr(self, f"norm{i}", LayerNorm(d_model, eps=layer_norm_eps, bias=bias))
        for i in blocks:
            setattr(self, f"dropout{i}", Dropout(dropout))
        self.activation = by_name(name, activation, {"relu": relu, "gelu": gelu})
        _placed(self, device, dtype)

    def _residual(self, x: Tensor, block: int, sublayer: Callable[[Tensor], Tensor]) -> Tensor:
        """Residual connection ``block`` (1, 2, …) around ``sublayer``, whose output passes
        through ``dropout{block}``: pre-norm x + sub(norm(x)) or post-norm norm(x + sub(x))."""
        norm, dropout = getattr(self, f"norm{block}"), getattr(self, f"dropout{block}")
        if self.norm_first:
            return x + dropout(sublayer(norm(x)))
        return norm(x + dropout(sublayer(x)))

    def _feed_forward(self, x: Tensor) -> Tensor:
        return self.linear2(self.dropout(self.activation(self.linear1(x))))


def _attention(layer: MultiheadAttention, memory: Tensor | None, mask: Any, padding: Any,
               is_causal: bool | None) -> Callable[[Tensor], Tensor]:
    """x ↦ attention from x to ``memory`` (to x itself when memory is None), as a
    sublayer of a residual connection."""

    def attend(x: Tensor) -> Tensor:
        source = x if memory is None else memory
        out, _ = layer(x, source, source, attn_mask=mask, key_padding_mask=padding,
                       need_weights=False, is_causal=bool(is_causal))
        return out

    return attend


class TransformerEncoderLayer(_TransformerLayer):
    """``TransformerEncoderLayer(d_model, nhead, dim_feedforward=2048, dropout=0.1,
    activation="relu", layer_norm_eps=1e-5, batch_first=False, norm_first=False,
    bias=True, device=None, dtype=None)``:

        post-norm:  x = norm1(x + SA(x));        x = norm2(x + FF(x))
        pre-norm:   x = x + SA(norm1(x));        x = x + FF(norm2(x))

    with SA(x) = dropout1(self_attn(x, x, x)) and
    FF(x) = dropout2(linear2(dropout(activation(linear1(x))))).
    ``forward(src, src_mask=None, src_key_padding_mask=None, is_causal=False)``.
    """

    attentions = ("self_attn",)

    def forward(
        self, src: Tensor, src_mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None, is_causal: bool = False,
    ) -> Tensor:
        _check_sequence(src, self.d_model, "src", type(self).__name__)
        self_attention = _attention(self.self_attn, None, src_mask, src_key_padding_mask,
                                    is_causal)
        x = self._residual(src, 1, self_attention)
        return self._residual(x, 2, self._feed_forward)


class TransformerDecoderLayer(_TransformerLayer):
    """``TransformerDecoderLayer(d_model, nhead, dim_feedforward=2048, dropout=0.1,
    activation="relu", layer_norm_eps=1e-5, batch_first=False, norm_first=False,
    bias=True, device=None, dtype=None)``: self-attention over the target (``self_attn``),
    cross-attention from the target to ``memory`` (``multihead_attn``), then the MLP, each
    in a residual connection with norm1, norm2, norm3 after it (post-norm) or before it
    (pre-norm). ``forward(tgt, memory, tgt_mask=None, memory_mask=None,
    tgt_key_padding_mask=None, memory_key_padding_mask=None, tgt_is_causal=False,
    memory_is_causal=False)``.
    """

    attentions = ("self_attn", "multihead_attn")

    def forward(
        self, tgt: Tensor, memory: Tensor, tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None, tgt_key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None, tgt_is_causal: bool = False,
        memory_is_causal: bool = False,
    ) -> Tensor:
        name = type(self).__name__
        _check_sequence(tgt, self.d_model, "tgt", name)
        _check_sequence(memory, self.d_model, "memory", name)
        self_attention = _attention(self.self_attn, None, tgt_mask, tgt_key_padding_mask,
                                    tgt_is_causal)
        cross_attention = _attention(self.multihead_attn, memory, memory_mask,
                                     memory_key_padding_mask, memory_is_causal)
        x = self._residual(tgt, 1, self_attention)
        x = self._residual(x, 2, cross_attention)
        return self._residual(x, 3, self._feed_forward)


def _clones(layer: Module, num_layers: int, caller: str, name: str) -> ModuleList:
    """``num_layers`` independent copies of ``layer`` (the same starting weights, as in
    PyTorch, which recommends initialising them afterwards)."""
    check.instance(caller, name, layer, Module, "a layer Module to copy")
    count = check.positive_int(caller, "num_layers", num_layers)
    return ModuleList([copy.deepcopy(layer) for _ in range(count)])


def _check_norm(norm: Any, caller: str) -> Any:
    return check.instance(caller, "norm", norm, (Module, type(None)),
                          "a Module (e.g. nn.LayerNorm(d_model)) or None")


class TransformerEncoder(Module):
    """``TransformerEncoder(encoder_layer, num_layers, norm=None, enable_nested_tensor=True,
    mask_check=True)``: ``layers`` holds ``num_layers`` copies of ``encoder_layer``, run in
    turn, then ``norm`` if given. ``forward(src, mask=None, src_key_padding_mask=None,
    is_causal=None)``. ``enable_nested_tensor`` and ``mask_check`` select PyTorch's fast
    paths; they are accepted and change nothing."""

    def __init__(
        self, encoder_layer: Module, num_layers: int, norm: Module | None = None,
        enable_nested_tensor: bool = True, mask_check: bool = True,
    ) -> None:
        self.layers = _clones(encoder_layer, num_layers, type(self).__name__, "encoder_layer")
        self.num_layers = num_layers
        self.norm = _check_norm(norm, type(self).__name__)
        self.enable_nested_tensor = enable_nested_tensor
        self.mask_check = mask_check

    def forward(
        self, src: Tensor, mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None, is_causal: bool | None = None,
    ) -> Tensor:
        output = src
        for layer in self.layers:
            output = layer(output, src_mask=mask, src_key_padding_mask=src_key_padding_mask,
                           is_causal=bool(is_causal))
        return output if self.norm is None else self.norm(output)


class TransformerDecoder(Module):
    """``TransformerDecoder(decoder_layer, num_layers, norm=None)``: ``layers`` holds
    ``num_layers`` copies of ``decoder_layer``, each attending to the same ``memory``,
    then ``norm`` if given. ``forward(tgt, memory, tgt_mask=None, memory_mask=None,
    tgt_key_padding_mask=None, memory_key_padding_mask=None, tgt_is_causal=None,
    memory_is_causal=False)``."""

    def __init__(self, decoder_layer: Module, num_layers: int, norm: Module | None = None) -> None:
        self.layers = _clones(decoder_layer, num_layers, type(self).__name__, "decoder_layer")
        self.num_layers = num_layers
        self.norm = _check_norm(norm, type(self).__name__)

    def forward(
        self, tgt: Tensor, memory: Tensor, tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None, tgt_key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None, tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor:
        output = tgt
        for layer in self.layers:
            output = layer(
                output, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                tgt_key_padding_mask=tgt_key_padding_mask,
                memory_key_padding_mask=memory_key_padding_mask,
                tgt_is_causal=bool(tgt_is_causal), memory_is_causal=memory_is_causal,
            )
        return output if self.norm is None else self.norm(output)


class Transformer(Module):
    """PyTorch's ``nn.Transformer(d_model=512, nhead=8, num_encoder_layers=6,
    num_decoder_layers=6, dim_feedforward=2048, dropout=0.1, activation="relu",
    custom_encoder=None, custom_decoder=None, layer_norm_eps=1e-5, batch_first=False,
    norm_first=False, bias=True, device=None, dtype=None)``: an ``encoder`` and a
    ``decoder``, each ending in a LayerNorm, every weight matrix drawn Xavier-uniform.

    ``forward(src, tgt, src_mask=None, tgt_mask=None, memory_mask=None,
    src_key_padding_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None,
    src_is_causal=None, tgt_is_causal=None, memory_is_causal=False)`` encodes ``src`` and
    decodes ``tgt`` against it; the output has ``tgt``'s shape.
    """

    def __init__(
        self, d_model: int = 512, nhead: int = 8, num_encoder_layers: int = 6,
        num_decoder_layers: int = 6, dim_feedforward: int = 2048, dropout: float = 0.1,
        activation: Activation = "relu", custom_encoder: Module | None = None,
        custom_decoder: Module | None = None, layer_norm_eps: float = 1e-5,
        batch_first: bool = False, norm_first: bool = False, bias: bool = True,
        device: Any = None, dtype: Any = None,
    ) -> None:
        layer_options = {
            "dim_feedforward": dim_feedforward, "dropout": dropout, "activation": activation,
            "layer_norm_eps": layer_norm_eps, "batch_first": batch_first,
            "norm_first": norm_first, "bias": bias,
        }
        self.encoder = custom_encoder if custom_encoder is not None else TransformerEncoder(
            TransformerEncoderLayer(d_model, nhead, **layer_options), num_encoder_layers,
            LayerNorm(d_model, eps=layer_norm_eps, bias=bias),
        )
        self.decoder = custom_decoder if custom_decoder is not None else TransformerDecoder(
            TransformerDecoderLayer(d_model, nhead, **layer_options), num_decoder_layers,
            LayerNorm(d_model, eps=layer_norm_eps, bias=bias),
        )
        for parameter in self.parameters():  # PyTorch's _reset_parameters
            if parameter.ndim > 1:
                init.xavier_uniform_(parameter)
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first
        _placed(self, device, dtype)

    def forward(
        self, src: Tensor, tgt: Tensor, src_mask: Tensor | None = None,
        tgt_mask: Tensor | None = None, memory_mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None, tgt_key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None, src_is_causal: bool | None = None,
        tgt_is_causal: bool | None = None, memory_is_causal: bool = False,
    ) -> Tensor:
        name = type(self).__name__
        _check_sequence(src, self.d_model, "src", name)
        _check_sequence(tgt, self.d_model, "tgt", name)
        batch_axis = 0 if self.batch_first else 1
        if src.ndim == 3 and (tgt.ndim != 3 or src.shape[batch_axis] != tgt.shape[batch_axis]):
            raise ValueError(
                f"{name}: src and tgt need the same batch size (axis {batch_axis} with "
                f"batch_first={self.batch_first}), got src {src.shape} and tgt {tgt.shape}"
            )
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask,
                              is_causal=src_is_causal)
        return self.decoder(
            tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
            tgt_key_padding_mask=tgt_key_padding_mask,
            memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=tgt_is_causal,
            memory_is_causal=memory_is_causal,
        )

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device: Any = None, dtype: Any = None) -> Tensor:
        """The causal mask for a sequence of ``sz`` positions: a float (sz, sz) Tensor, −inf
        above the diagonal (position i may not attend to j > i) and 0 elsewhere."""
        size = check.positive_int("generate_square_subsequent_mask()", "sz", sz)
        chosen = get_default_dtype() if dtype is None else check.float_dtype(
            "generate_square_subsequent_mask()", "dtype", dtype)
        mask = np.triu(np.full((size, size), -np.inf), k=1).astype(chosen)
        return Tensor(backend.to_device(mask, device or backend.get_default_device()))
