"""``einsum``: products and sums of tensors written as subscripts, PyTorch's
``torch.einsum("bij,bjk->bik", a, b)`` (a batched matrix product).

Each operand's axes get one letter each; a letter shared by two operands multiplies them
along that axis; a letter missing from the output (after ``->``) is summed over. Without
``->`` the output holds the letters that occur once, in alphabetical order. ``...``
stands for the axes no letter names, broadcast as in PyTorch. A letter repeated inside
one operand (a diagonal, ``"ii->i"``) is not offered: a clear error says so.
"""

from __future__ import annotations

import string
from collections import Counter
from typing import Any

from tinydl import backend
from tinydl.autograd.function import Function
from tinydl.autograd.tensor import Tensor

_ELLIPSIS = "..."


class Einsum(Function):
    """y = einsum(inputs → output, x₀, x₁, …): for each output position, the sum over every
    summed letter of the product of the operands' elements.

    dL/dxₖ = einsum(output, the other operands → xₖ's letters)(dL/dy): each element of xₖ
    was multiplied by the same partners that now multiply the gradient. Along a letter
    that only xₖ has (summed in xₖ alone), every element met the same output, so the
    gradient is the same along it (broadcast).
    """

    def __init__(self, inputs: list[str], output: str) -> None:
        self.subscripts, self.output = inputs, output

    def forward(self, *arrays):
        self.arrays = arrays
        return backend.array_module(arrays[0]).einsum(
            ",".join(self.subscripts) + "->" + self.output, *arrays
        )

    def backward(self, gy):
        xp = backend.array_module(gy)
        grads = []
        for k, letters in enumerate(self.subscripts):
            if not self.needs_grad[k]:
                grads.append(None)
                continue
            others = [(s, a) for j, (s, a) in enumerate(zip(self.subscripts, self.arrays,
                                                             strict=True)) if j != k]
            present = set(self.output).union(*(s for s, _ in others))
            kept = "".join(c for c in letters if c in present)
            spec = ",".join([self.output, *(s for s, _ in others)]) + "->" + kept
            g = xp.einsum(spec, gy, *(a for _, a in others))
            sizes = dict(zip(kept, g.shape, strict=True))
            g = g.reshape([sizes.get(c, 1) for c in letters])  # 1 where only x_k had the letter
            shape = [sizes.get(c, n) for c, n in zip(letters, self.arrays[k].shape, strict=True)]
            grads.append(xp.broadcast_to(g, shape))  # size-1 axes are summed back afterwards
        return tuple(grads)


def einsum(equation: str, *operands: Any) -> Tensor:
    """``einsum("ij,jk->ik", a, b)`` is ``a @ b``; the operands may also come as one list,
    ``einsum(equation, [a, b])``. All operands need one dtype (no silent upcast)."""
    if not isinstance(equation, str):
        raise TypeError(
            f"einsum() takes the equation first, a string such as 'ij,jk->ik', got "
            f"{type(equation).__name__} (PyTorch's sublist form is not offered)"
        )
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands or not all(isinstance(x, Tensor) for x in operands):
        raise TypeError(f"einsum() needs Tensors after the equation, got "
                        f"{[type(x).__name__ for x in operands]}")
    if len({x.dtype for x in operands}) > 1:
        raise TypeError(f"einsum() needs operands of one dtype, got "
                        f"{', '.join(str(x.dtype) for x in operands)}: cast them first")
    inputs, output = _subscripts(equation, [x.shape for x in operands])
    return Einsum(inputs, output)(*operands)


def _subscripts(equation: str, shapes: list[tuple[int, ...]]) -> tuple[list[str], str]:
    """Each operand's letters and the output's, with ``...`` spelled as letters of its own
    and the implicit output made explicit; every mistake refused with what it was."""
    spec = equation.replace(" ", "")
    left, arrow, right = spec.partition("->")
    terms = left.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"einsum({equation!r}) has subscripts for {len(terms)} operand(s), "
                         f"got {len(shapes)}")
    for term in [*terms, right]:
        letters = term.replace(_ELLIPSIS, "", 1)
        if not all(c in string.ascii_letters for c in letters):
            raise ValueError(f"einsum({equation!r}): subscripts are letters, with at most one "
                             f"'...' per operand, got {term!r}")
    spare = [c for c in reversed(string.ascii_letters) if c not in spec]
    extra = max((len(s) - len(t) + 3 for t, s in zip(terms, shapes, strict=True)
                 if _ELLIPSIS in t), default=0)
    broadcast = "".join(reversed(spare[:extra]))  # the letters '...' stands for
    inputs = []
    for number, (term, shape) in enumerate(zip(terms, shapes, strict=True)):
        named = len(term) - (3 if _ELLIPSIS in term else 0)
        if named > len(shape) or (_ELLIPSIS not in term and named != len(shape)):
            raise ValueError(f"einsum({equation!r}): operand {number} has {len(shape)} "
                             f"dimension(s), but its subscripts {term!r} name {named}")
        filled = term.replace(_ELLIPSIS, broadcast[extra - (len(shape) - named):])
        repeated = [c for c, n in Counter(filled).items() if n > 1]
        if repeated:
            raise ValueError(f"einsum({equation!r}): operand {number} repeats {repeated[0]!r} "
                             f"(a diagonal), which tinydl does not offer")
        inputs.append(filled)
    _check_sizes(equation, inputs, shapes)
    if arrow:
        output = right.replace(_ELLIPSIS, broadcast)
        unknown = [c for c in output if c not in "".join(inputs)]
        if unknown or len(set(output)) != len(output):
            raise ValueError(f"einsum({equation!r}): the output's letters must each come once "
                             f"and appear among the operands'")
    else:
        counts = Counter(c for term in terms for c in term.replace(_ELLIPSIS, ""))
        output = broadcast + "".join(sorted(c for c, n in counts.items() if n == 1))
    return inputs, output


def _check_sizes(equation: str, inputs: list[str], shapes: list[tuple[int, ...]]) -> None:
    """A letter has one size in every operand (or 1, which broadcasts)."""
    seen: dict[str, tuple[int, int]] = {}
    for number, (letters, shape) in enumerate(zip(inputs, shapes, strict=True)):
        for letter, size in zip(letters, shape, strict=True):
            first = seen.setdefault(letter, (size, number))
            if size != first[0] and 1 not in (size, first[0]):
                shown = repr(letter) if letter in equation else "an axis of '...'"
                raise ValueError(f"einsum({equation!r}): {shown} has size {first[0]} in "
                                 f"operand {first[1]} and {size} in operand {number}")
            if first[0] == 1:
                seen[letter] = (size, number)
