"""``LayerNormalization`` and ``MultiHeadAttention`` with Keras's signatures, on tinydl's
``nn.LayerNorm``, ``nn.Dense`` and ``ops.attention.scaled_dot_product_attention``."""

from __future__ import annotations

import math
from typing import Any

from tinydl import backend, check, nn
from tinydl.autograd import Tensor
from tinydl.keras import initializers
from tinydl.keras._args import known_sizes, last_axis_only, missing_names, refuse
from tinydl.keras.layer import KerasWeight, Layer, assign, relayout
from tinydl.ops.attention import scaled_dot_product_attention

# What Keras adds to the scores of a masked pair before the softmax (float32 and float64).
MASKED_SCORE = -1e9


class LayerNormalization(Layer):
    """``LayerNormalization(epsilon=1e-3)``: each sample's features (the last axis)
    standardised, then scaled by ``gamma`` and shifted by ``beta``: tinydl's
    ``nn.LayerNorm`` (``center=False`` drops beta, ``scale=False`` both)."""

    arguments = ("epsilon", "center", "scale")
    supports_masking = True

    def __init__(self, axis: int = -1, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, rms_scaling: bool = False, **kwargs: Any) -> None:
        where = "layers.LayerNormalization()"
        last_axis_only(where, axis, "the features")
        if rms_scaling:
            raise ValueError(f"{where}: rms_scaling=True is not offered")
        if center and not scale:
            raise ValueError(f"{where}: center=True with scale=False is not offered (tinydl's "
                             f"LayerNorm has a shift only beside a scale)")
        super().__init__(**kwargs)
        self.epsilon = check.number(where, "epsilon", epsilon, "> 0")
        self.center, self.scale = bool(center), bool(scale)

    def make_parts(self, shape, channels_first):
        known_sizes(f"layers.LayerNormalization {self.name!r} (its last axis)", shape[-1:])
        self.engine = nn.LayerNorm(shape[-1], eps=self.epsilon, elementwise_affine=self.scale,
                                   bias=self.center)
        return [*relayout(shape, channels_first, False), self.engine], shape, False

    def weight_layouts(self) -> list[KerasWeight]:
        return [KerasWeight.transposed(t) for t in (self.engine.weight, self.engine.bias)
                if t is not None]


class MultiHeadAttention(Layer):
    """``MultiHeadAttention(num_heads, key_dim, value_dim=None, dropout=0.0)``, called as
    ``attention(query, value, key=None, attention_mask=None, use_causal_mask=False)``.

    Each of the ``num_heads`` heads projects the query and key to ``key_dim`` features and
    the value to ``value_dim`` (tinydl ``nn.Dense`` layers whose kernels are Keras's
    (features, heads, key_dim) with the last two axes merged), attends with
    ``scaled_dot_product_attention`` (scores scaled by 1/√key_dim), and an output
    projection maps the joined heads back to the query's features (or ``output_shape``).

    Masks follow Keras: True means *may attend*. The query's and value's (and key's) Keras
    masks, ``attention_mask`` (N, T, S) and the causal mask combine with a logical and; a
    masked pair's score gets −1e9 before the softmax, as Keras adds, so a query row with
    nothing to attend to spreads its attention evenly, exactly as in Keras. The output
    carries the query's mask.
    """

    arguments = ("num_heads", "key_dim", "value_dim", "dropout", "use_bias", "output_shape",
                 "kernel_initializer", "bias_initializer")
    supports_masking = True

    def __init__(self, num_heads: int, key_dim: int, value_dim: int | None = None,
                 dropout: float = 0.0, use_bias: bool = True, output_shape: Any = None,
                 attention_axes: Any = None, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", **kwargs: Any) -> None:
        where = "layers.MultiHeadAttention()"
        unsupported = {name: kwargs.pop(name) for name, default in (
            ("sliding_window", None), ("flash_attention", None), ("use_gate", False),
            ("seed", None)) if kwargs.get(name, default) != default}
        if attention_axes is not None:
            unsupported["attention_axes"] = attention_axes
        refuse(where, unsupported, [*self.arguments, "name"])
        for name in ("sliding_window", "flash_attention", "use_gate", "seed"):
            kwargs.pop(name, None)
        super().__init__(**kwargs)
        self.num_heads = check.positive_int(where, "num_heads", num_heads)
        self.key_dim = check.positive_int(where, "key_dim", key_dim)
        self.value_dim = self.key_dim if value_dim is None else check.positive_int(
            where, "value_dim", value_dim)
        self.dropout = check.number(where, "dropout", dropout, "[0, 1)")
        self.use_bias = bool(use_bias)
        if isinstance(output_shape, (tuple, list)) and len(output_shape) == 1:
            output_shape = output_shape[0]
        self.output_shape_ = None if output_shape is None else check.positive_int(
            where, "output_shape", output_shape)
        for name, value in (("kernel_initializer", kernel_initializer),
                            ("bias_initializer", bias_initializer)):
            initializers.get(value)
            setattr(self, name, value)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["output_shape"] = self.output_shape_
        return config

    def build(self, query_shape: Any, value_shape: Any, key_shape: Any = None) -> None:
        key_shape = value_shape if key_shape is None else key_shape
        features = [query_shape[-1], key_shape[-1], value_shape[-1]]
        if None in features:
            raise ValueError(f"layers.MultiHeadAttention {self.name!r} needs the features of "
                             f"query, key and value known, got {features}")
        heads, out = self.num_heads, self.output_shape_ or query_shape[-1]
        query_in, key_in, value_in = features
        shapes = [(query_in, heads, self.key_dim), (key_in, heads, self.key_dim),
                  (value_in, heads, self.value_dim), (heads, self.value_dim, out)]
        self.query_dense = nn.Dense(query_in, heads * self.key_dim, bias=self.use_bias)
        self.key_dense = nn.Dense(key_in, heads * self.key_dim, bias=self.use_bias)
        self.value_dense = nn.Dense(value_in, heads * self.value_dim, bias=self.use_bias)
        self.output_dense = nn.Dense(heads * self.value_dim, out, bias=self.use_bias)
        self.parts = [self.query_dense, self.key_dense, self.value_dense, self.output_dense]
        self.kernel_shapes = shapes
        kernel_init = initializers.get(self.kernel_initializer)
        bias_init = initializers.get(self.bias_initializer)
        values = []
        for weight in self.weight_layouts():
            values.append((kernel_init if len(weight.shape) == 3 else bias_init)(weight.shape))
        self.built = True
        assign([pair for weight, value in zip(self.weight_layouts(), values, strict=True)
                for pair in weight.split(value, f"layer {self.name!r}")])

    def weight_layouts(self) -> list[KerasWeight]:
        weights = []
        for dense, shape in zip(self.parts, self.kernel_shapes, strict=True):
            weights.append(KerasWeight.reshaped(dense.weight, shape))
            if self.use_bias:
                bias_shape = shape[-1:] if dense is self.output_dense else shape[1:]
                weights.append(KerasWeight.reshaped(dense.bias, bias_shape))
        return weights

    def compute_output_shape(self, input_shape: Any) -> Any:
        out = self.output_shape_ or input_shape[-1]
        return (*input_shape[:-1], out)

    def _heads(self, x: Tensor, size: int) -> Tensor:
        """(N, L, heads·size) -> (N, heads, L, size)."""
        return x.reshape(x.shape[0], x.shape[1], self.num_heads, size).permute(0, 2, 1, 3)

    def call(self, query: Tensor, value: Tensor, key: Tensor | None = None,
             query_mask: Any = None, value_mask: Any = None, key_mask: Any = None,
             attention_mask: Any = None, return_attention_scores: bool = False,
             training: bool = False, use_causal_mask: bool = False) -> Any:
        key = value if key is None else key
        allowed = self._attention_mask(query, value, query_mask, value_mask, key_mask,
                                       attention_mask, use_causal_mask)
        scores_mask = None
        if allowed is not None:
            xp = backend.array_module(allowed)
            scores_mask = Tensor(xp.where(allowed, 0.0, MASKED_SCORE).astype(query.dtype)[:, None])
        if return_attention_scores and training and self.dropout:
            raise ValueError(
                f"layer {self.name!r}: return_attention_scores=True while training with dropout "
                f"is not offered (Keras returns the scores before dropout, tinydl's attention "
                f"after); call it with training=False"
            )
        result = scaled_dot_product_attention(
            self._heads(self.query_dense(query), self.key_dim),
            self._heads(self.key_dense(key), self.key_dim),
            self._heads(self.value_dense(value), self.value_dim),
            scores_mask, dropout_p=self.dropout if training else 0.0,
            scale=1 / math.sqrt(self.key_dim), need_weights=return_attention_scores,
        )
        joined, scores = result if return_attention_scores else (result, None)
        batch, length = query.shape[:2]
        output = self.output_dense(joined.permute(0, 2, 1, 3).reshape(
            batch, length, self.num_heads * self.value_dim))
        return (output, scores) if return_attention_scores else output

    @staticmethod
    def _attention_mask(query: Tensor, value: Tensor, query_mask: Any, value_mask: Any,
                        key_mask: Any, attention_mask: Any, causal: bool) -> Any:
        """Keras's combination of the masks, (N, T, S) booleans (True: may attend), or None."""
        xp = backend.array_module(query.array)

        def array(mask: Any) -> Any:
            return xp.asarray(mask.array if isinstance(mask, Tensor) else mask).astype(bool)

        combined = None
        pieces = []
        if query_mask is not None:
            pieces.append(array(query_mask)[:, :, None])
        for mask in (value_mask, key_mask):
            if mask is not None:
                pieces.append(array(mask)[:, None, :])
        if causal:
            pieces.append(xp.tril(xp.ones((query.shape[1], value.shape[1]), dtype=bool))[None])
        if attention_mask is not None:
            pieces.append(array(attention_mask))
        for piece in pieces:
            combined = piece if combined is None else combined & piece
        return combined


__all__ = ["LayerNormalization", "MultiHeadAttention"]
__getattr__ = missing_names("attention", __all__)
