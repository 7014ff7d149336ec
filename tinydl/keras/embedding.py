"""``Embedding``: Keras's lookup table on tinydl's ``nn.Embedding``."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from tinydl import check, nn
from tinydl.autograd import Tensor
from tinydl.keras import initializers
from tinydl.keras._args import missing_names
from tinydl.keras.layer import KerasWeight, Layer, assign


class Embedding(Layer):
    """``Embedding(input_dim, output_dim, mask_zero=False)``: token ids (any shape) to
    vectors, ``ids.shape + (output_dim,)``, by tinydl's ``nn.Embedding``, whose table
    (input_dim, output_dim) is Keras's ``embeddings`` as it is. Keras's initialiser
    ("uniform": U(-0.05, 0.05)). Float ids are cast to integers, as Keras casts them.

    With ``mask_zero=True`` id 0 is padding: the output carries a mask, False where the id
    is 0, which the layers after it (an LSTM, say) honour.
    """

    arguments = ("input_dim", "output_dim", "embeddings_initializer", "mask_zero")

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer: Any = "uniform",
                 mask_zero: bool = False, weights: Any = None, input_length: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        where = "layers.Embedding()"
        self.input_dim = check.positive_int(where, "input_dim", input_dim)
        self.output_dim = check.positive_int(where, "output_dim", output_dim)
        initializers.get(embeddings_initializer)  # refuse an unknown one now
        self.embeddings_initializer = embeddings_initializer
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        if input_length is not None:  # Keras 2's argument, which Keras 3 ignores with a warning
            warnings.warn("layers.Embedding(): input_length is ignored (as in Keras 3): the "
                          "length comes from the inputs", UserWarning, stacklevel=2)
        if weights is not None:
            self.build(None)
            self.set_weights(weights if isinstance(weights, list) else [weights])

    def build(self, input_shape: Any = None) -> None:
        self.engine = nn.Embedding(self.input_dim, self.output_dim)
        self.parts = [self.engine]
        table = initializers.get(self.embeddings_initializer)((self.input_dim, self.output_dim))
        assign([(self.engine.weight, table)])
        self.built = True

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (*input_shape, self.output_dim)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return Tensor(inputs.array != 0) if self.mask_zero else None

    def call(self, inputs: Tensor) -> Tensor:
        ids = inputs if inputs.dtype.kind in "iu" else inputs.astype(np.int64)
        return self.engine(ids)

    def weight_layouts(self) -> list[KerasWeight]:
        return [KerasWeight.transposed(self.engine.weight)]


__all__ = ["Embedding"]
__getattr__ = missing_names("embedding", __all__)
