"""Embedding: a trainable lookup table from token ids to vectors."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinydl import check
from tinydl.autograd import Tensor
from tinydl.nn.linear import new_parameter
from tinydl.nn.module import Module
from tinydl.ops.embedding import embedding
from tinydl.random import generator


class Embedding(Module):
    """``Embedding(num_embeddings, embedding_dim, padding_idx=None)``, as in PyTorch.

    ``weight`` has shape (num_embeddings, embedding_dim), initialised N(0, 1) like
    PyTorch's; calling the layer on integer ids of any shape gives
    ``ids.shape + (embedding_dim,)``. Ids repeated in a batch add up their gradients.
    The row ``padding_idx`` starts at zero and never receives a gradient, so padding
    tokens map to a zero vector that training leaves alone.
    """

    def __init__(
        self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None
    ) -> None:
        self.num_embeddings = check.positive_int("Embedding", "num_embeddings", num_embeddings)
        self.embedding_dim = check.positive_int("Embedding", "embedding_dim", embedding_dim)
        self.padding_idx = None if padding_idx is None else check.int_between(
            "Embedding", "padding_idx", padding_idx, -num_embeddings, num_embeddings - 1
        ) % num_embeddings
        values = generator().standard_normal((num_embeddings, embedding_dim)).astype(np.float32)
        if self.padding_idx is not None:
            values[self.padding_idx] = 0
        self.weight = new_parameter(values)

    def forward(self, ids: Any) -> Tensor:
        return embedding(ids, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        padding = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.num_embeddings}, {self.embedding_dim}{padding}"
