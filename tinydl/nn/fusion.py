"""Sequential's one fast path: a ``Conv2D → [ReLU] → MaxPool2D → [ReLU]`` run of layers is
computed by one fused Function (see :mod:`tinydl.ops.conv_pool` for why that is faster).

The fused block computes the same function as the layers one after another, so nothing
about a model changes but its speed. It is used only where it applies as is: on the CPU,
for a stride-1 convolution that has seen its first batch (so its weights exist), followed
by a max-pooling with non-overlapping, unpadded windows; and never while an observer
watches each layer's output (``summary()``, ``viz.feature_maps()``) or inside
``with layer_by_layer():`` (where a drawn graph should show every op). Anything else, and
every bad input, goes through the layers one by one, with their own error messages.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from tinydl import backend
from tinydl.autograd.tensor import Tensor
from tinydl.nn import module
from tinydl.nn.activation import ReLU
from tinydl.nn.conv import Conv2D, MaxPool2D
from tinydl.nn.module import Module
from tinydl.ops.conv_pool import Conv2DMaxPool

_fusing = True


@contextmanager
def layer_by_layer() -> Iterator[None]:
    """Within this block, Sequential runs every layer on its own (no fused blocks), so that
    the graph of what it computes has one node per layer (``tinydl visualize`` draws it)."""
    global _fusing
    before, _fusing = _fusing, False
    try:
        yield
    finally:
        _fusing = before


def run_conv_pool_block(layers: Sequence[Module], start: int, x: Tensor) -> tuple[Tensor, int]:
    """``(output, count)``: the output of ``layers[start : start + count]`` applied to ``x``,
    by one fused Function; ``count`` is 0 (and the output ``x``) where no block starts."""
    conv, kinds = layers[start], [type(layer) for layer in layers[start + 1 : start + 4]]
    relu_before = bool(kinds) and kinds[0] is ReLU
    if not isinstance(conv, Conv2D) or kinds[relu_before : relu_before + 1] != [MaxPool2D]:
        return x, 0
    pool = layers[start + 1 + relu_before]
    relu_after = len(kinds) > 1 + relu_before and kinds[1 + relu_before] is ReLU
    if not _fits(conv, pool, x):
        return x, 0
    function = Conv2DMaxPool(conv.padding, pool.kernel_size, relu=relu_before or relu_after)
    inputs = (x, conv.weight) if conv.bias is None else (x, conv.weight, conv.bias)
    return function(*inputs), 2 + relu_before + relu_after


def _fits(conv: Conv2D, pool: MaxPool2D, x: Tensor) -> bool:
    if not _fusing or module._call_observers or conv.needs_build:
        return False
    if not isinstance(x, Tensor):
        return False
    if x.ndim != 4 or x.shape[1] != conv.in_channels or x.dtype != conv.weight.dtype:
        return False
    if backend.is_cuda(x.array) or conv.stride != (1, 1):
        return False
    if pool.stride != pool.kernel_size or pool.padding != (0, 0):
        return False
    conv_out = [x.shape[2 + d] + 2 * conv.padding[d] - conv.kernel_size[d] + 1 for d in (0, 1)]
    return all(size >= window for size, window in zip(conv_out, pool.kernel_size, strict=True))
