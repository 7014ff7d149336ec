"""``ReduceOp``: how ``all_reduce`` combines the ranks' values, element by element."""

from __future__ import annotations

import enum


class ReduceOp(enum.Enum):
    """PyTorch's reductions: ``SUM``, ``PRODUCT``, ``MIN``, ``MAX``, ``AVG`` (the sum over
    the world's size, for floating-point tensors), and the bitwise ``BAND``, ``BOR``,
    ``BXOR`` (for integer and bool tensors)."""

    SUM = "sum"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"
    AVG = "avg"
    BAND = "band"
    BOR = "bor"
    BXOR = "bxor"

    def __repr__(self) -> str:
        return f"ReduceOp.{self.name}"


BITWISE = (ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR)
