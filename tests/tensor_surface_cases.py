"""Calls of PyTorch's Tensor- and function-level surface, shared by
``tests/reference/make_tensor_surface.py`` (run with PyTorch) and
``tests/test_torch_tensor_surface.py`` (run with tinydl): each case is one function of the
library module (``torch`` or ``tinydl``) and some float64 inputs, written once, so both
sides run the same line. That a line runs unchanged on both is half of what is tested.

Each case: ``(function(lib, *inputs) -> tensor or tuple of tensors, input shapes, kind)``;
``kind`` is how the inputs are drawn (``make_inputs``): ``normal``, ``distinct`` (shuffled
evenly spaced values: no ties, for sort, topk, min), ``positive`` (in [0.5, 2]: for pow)
or ``away`` (|x| >= 0.3: for abs).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

import numpy as np


def on(x: Any, lib: Any, values: Any) -> Any:
    """A constant (index, mask, exponent) on ``x``'s device, in either library."""
    return lib.tensor(values, device=x.device)


INDEX = [[0, 2], [1, 1], [3, 0]]
MASK = [[True, False, False, True], [False, False, True, False], [True, True, False, False]]

CASES: dict[str, tuple[Callable[..., Any], tuple[tuple[int, ...], ...], str]] = {
    # ---- transpose, permute and the axis-count changers ------------------------------------
    "transpose_2d_swaps": (lambda lib, x: x.transpose(0, 1), ((3, 4),), "normal"),
    "transpose_4d_middle": (lambda lib, x: x.transpose(1, 2), ((2, 3, 4, 5),), "normal"),
    "transpose_negative": (lambda lib, x: x.transpose(-1, 0), ((2, 3, 4),), "normal"),
    "transpose_function": (lambda lib, x: lib.transpose(x, 0, 2), ((2, 3, 4),), "normal"),
    "t": (lambda lib, x: x.t(), ((3, 4),), "normal"),
    "T_2d": (lambda lib, x: x.T, ((3, 4),), "normal"),
    "permute": (lambda lib, x: x.permute(2, 0, 1), ((2, 3, 4),), "normal"),
    "permute_function_tuple": (lambda lib, x: lib.permute(x, (1, 0, 2)), ((2, 3, 4),), "normal"),
    "squeeze_all": (lambda lib, x: x.squeeze(), ((1, 3, 1, 2),), "normal"),
    "squeeze_dim": (lambda lib, x: x.squeeze(2), ((1, 3, 1, 2),), "normal"),
    "squeeze_not_one_is_unchanged": (lambda lib, x: x.squeeze(1), ((1, 3, 1, 2),), "normal"),
    "squeeze_tuple": (lambda lib, x: lib.squeeze(x, (0, 2)), ((1, 3, 1, 2),), "normal"),
    "unsqueeze_front": (lambda lib, x: x.unsqueeze(0), ((3, 2),), "normal"),
    "unsqueeze_last": (lambda lib, x: lib.unsqueeze(x, -1), ((3, 2),), "normal"),
    "unsqueeze_middle": (lambda lib, x: x.unsqueeze(1), ((3, 2),), "normal"),
    # ---- pieces --------------------------------------------------------------------------
    "split_size": (lambda lib, x: x.split(2, dim=1), ((3, 5),), "normal"),
    "split_sections": (lambda lib, x: lib.split(x, [1, 3, 1], dim=1), ((3, 5),), "normal"),
    "split_qkv": (lambda lib, x: x.split(4, dim=2), ((2, 3, 12),), "normal"),
    "chunk_uneven": (lambda lib, x: x.chunk(3, dim=1), ((2, 5),), "normal"),
    "chunk_fewer": (lambda lib, x: lib.chunk(x, 4), ((6, 2),), "normal"),
    "narrow": (lambda lib, x: x.narrow(1, 1, 2), ((3, 5),), "normal"),
    "narrow_negative_start": (lambda lib, x: lib.narrow(x, 0, -2, 2), ((4, 2),), "normal"),
    # ---- copies and views ----------------------------------------------------------------
    "expand_new_axis": (lambda lib, x: x.expand(2, 3, 4), ((3, 1),), "normal"),
    "expand_keep": (lambda lib, x: x.expand(-1, 4), ((3, 1),), "normal"),
    "expand_as": (lambda lib, x, y: x.expand_as(y) * y, ((1, 4), (3, 4)), "normal"),
    "repeat": (lambda lib, x: x.repeat(2, 3), ((2, 3),), "normal"),
    "repeat_new_axis": (lambda lib, x: x.repeat(2, 1, 2), ((3, 2),), "normal"),
    "clone": (lambda lib, x: x.clone() * 2, ((3, 2),), "normal"),
    "contiguous": (lambda lib, x: x.transpose(0, 1).contiguous().view(-1), ((3, 2),), "normal"),
    # ---- picking -------------------------------------------------------------------------
    "gather_dim1": (lambda lib, x: x.gather(1, on(x, lib, INDEX)), ((3, 4),), "normal"),
    "gather_dim0": (
        lambda lib, x: lib.gather(x, 0, on(x, lib, [[2, 0, 1, 2], [0, 0, 2, 1]])), ((3, 4),),
        "normal",
    ),
    "gather_smaller_index": (
        lambda lib, x: x.gather(1, on(x, lib, [[1], [0]])), ((3, 4),), "normal",
    ),
    "topk": (lambda lib, x: x.topk(2), ((3, 5),), "distinct"),
    "topk_dim0_function": (lambda lib, x: lib.topk(x, 3, dim=0), ((4, 3),), "distinct"),
    "topk_smallest": (lambda lib, x: x.topk(2, dim=1, largest=False), ((3, 5),), "distinct"),
    "sort": (lambda lib, x: x.sort(dim=1), ((3, 4),), "distinct"),
    "sort_descending": (lambda lib, x: lib.sort(x, 0, descending=True), ((3, 4),), "distinct"),
    "argsort": (lambda lib, x: x.argsort(dim=-1), ((3, 4),), "distinct"),
    "masked_fill_inf": (
        lambda lib, x: x.masked_fill(on(x, lib, MASK), float("-inf")), ((3, 4),), "normal",
    ),
    "masked_fill_broadcast_mask": (
        lambda lib, x: lib.masked_fill(x, on(x, lib, [[True, False, True, False]]), 0.5),
        ((3, 4),), "normal",
    ),
    "causal_mask": (
        lambda lib, x: x.masked_fill(lib.tril(lib.ones(4, 4, device=x.device)) == 0, -1e9)
        .softmax(-1),
        ((2, 4, 4),), "normal",
    ),
    "tril": (lambda lib, x: lib.tril(x), ((4, 4),), "normal"),
    "tril_below": (lambda lib, x: x.tril(-1), ((2, 4, 5),), "normal"),
    "triu_above": (lambda lib, x: lib.triu(x, 1), ((3, 5),), "normal"),
    "where_scalar": (lambda lib, x: lib.where(x > 0, x, 0.0), ((3, 4),), "away"),
    # ---- element-wise --------------------------------------------------------------------
    "abs": (lambda lib, x: lib.abs(x), ((3, 4),), "away"),
    "abs_builtin": (lambda lib, x: abs(x), ((3, 4),), "away"),
    "sin_cos": (lambda lib, x: lib.sin(x) * x.cos(), ((3, 4),), "normal"),
    "clamp": (lambda lib, x: x.clamp(-0.5, 0.5), ((3, 4),), "distinct"),
    "clamp_min": (lambda lib, x: lib.clamp(x, min=0.1), ((3, 4),), "distinct"),
    "clip_max": (lambda lib, x: x.clip(max=0.2), ((3, 4),), "distinct"),
    "pow_tensor_exponent": (lambda lib, x, y: x.pow(y), ((3, 4), (3, 4)), "positive"),
    "pow_int_exponents": (
        lambda lib, x: x.unsqueeze(-1).pow(on(x, lib, [1, 2, 3])), ((4,),), "normal",
    ),
    "pow_function": (lambda lib, x: lib.pow(x, 3.0), ((3, 4),), "normal"),
    "rpow": (lambda lib, x: 2.0**x, ((3, 4),), "normal"),
    "minimum": (lambda lib, x, y: lib.minimum(x, y), ((3, 4), (3, 4)), "distinct"),
    "add_alpha": (lambda lib, x, y: lib.add(x, y, alpha=2), ((3, 4), (3, 4)), "normal"),
    "sub_alpha_method": (lambda lib, x, y: x.sub(y, alpha=0.5), ((3, 4), (3, 4)), "normal"),
    "mul_div_methods": (lambda lib, x, y: x.mul(y).div(3.0), ((3, 4), (3, 4)), "normal"),
    "floor_divide_mod_ints": (
        lambda lib, x: ((x * 10).long() // 3, (x * 10).long() % 3, (x * 10).long() // -4),
        ((3, 4),), "normal",
    ),
    "softmax_method": (lambda lib, x: x.softmax(-1), ((3, 4),), "normal"),
    "log_softmax_method": (lambda lib, x: x.log_softmax(dim=0), ((3, 4),), "normal"),
    # ---- reductions ----------------------------------------------------------------------
    "min_all": (lambda lib, x: x.min(), ((3, 4),), "distinct"),
    "min_dim": (lambda lib, x: x.min(1), ((3, 4),), "distinct"),
    "min_function_keepdim": (lambda lib, x: lib.min(x, dim=0, keepdim=True), ((3, 4),),
                             "distinct"),
    "argmin": (lambda lib, x: (x.argmin(), lib.argmin(x, dim=1)), ((3, 4),), "distinct"),
    "var_all": (lambda lib, x: x.var(), ((3, 4),), "normal"),
    "var_dim": (lambda lib, x: lib.var(x, 1, keepdim=True), ((3, 4),), "normal"),
    "var_correction_0": (lambda lib, x: x.var(1, correction=0), ((3, 4),), "normal"),
    "std_biased": (lambda lib, x: x.std(dim=0, unbiased=False), ((3, 4),), "normal"),
    "std_function": (lambda lib, x: lib.std(x), ((3, 4),), "normal"),
    "norm": (lambda lib, x: x.norm(), ((3, 4),), "normal"),
    "norm_dim": (lambda lib, x: lib.norm(x, dim=1), ((3, 4),), "normal"),
    "cumsum": (lambda lib, x: x.cumsum(1), ((3, 4),), "normal"),
    "cumsum_function": (lambda lib, x: lib.cumsum(x, dim=0), ((3, 4),), "normal"),
    "all_any": (
        lambda lib, x: ((x > 0).all(1), (x > 0).any(), lib.all(x > -5), lib.any(x > 5, dim=0)),
        ((3, 4),), "normal",
    ),
    # ---- products and joins --------------------------------------------------------------
    "mm": (lambda lib, x, y: lib.mm(x, y), ((3, 4), (4, 2)), "normal"),
    "bmm": (lambda lib, x, y: x.bmm(y), ((2, 3, 4), (2, 4, 2)), "normal"),
    "matmul_method": (lambda lib, x, y: x.matmul(y), ((3, 4), (4,)), "normal"),
    "cat": (lambda lib, x, y: lib.cat((x, y), dim=1), ((3, 2), (3, 4)), "normal"),
    "concat": (lambda lib, x, y: lib.concat([x, y]), ((2, 4), (3, 4)), "normal"),
    "stack_dim": (lambda lib, x, y: lib.stack([x, y], dim=1), ((3, 4), (3, 4)), "normal"),
}


def rng_for(case: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(case.encode()))


def make_inputs(case: str, cases: dict[str, Any] | None = None) -> list[np.ndarray]:
    """The float64 inputs of ``case`` (of ``cases``, by default this module's), the same on
    every run."""
    _, shapes, kind = (CASES if cases is None else cases)[case]
    rng = rng_for(case)
    inputs = []
    for shape in shapes:
        size = int(np.prod(shape))
        if kind == "distinct":
            values = rng.permutation(np.linspace(-2.0, 2.0, size)).reshape(shape)
        elif kind == "positive":
            values = rng.uniform(0.5, 2.0, shape)
        elif kind == "away":
            values = rng.choice([-1.0, 1.0], shape) * rng.uniform(0.3, 2.0, shape)
        else:
            values = rng.standard_normal(shape)
        inputs.append(values)
    return inputs


def as_outputs(result: Any) -> list[Any]:
    """A case's result as a list of tensors (a tuple's items, or the one tensor)."""
    return list(result) if isinstance(result, tuple) else [result]
