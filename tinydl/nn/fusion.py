"""Sequential's fast path: a ``Conv2D → [ReLU] → MaxPool2D → [ReLU]`` run of layers is
computed by one fused Function, :class:`tinydl.ops.conv_pool.Conv2DMaxPoolFast` (its
module says why that is faster). :meth:`Sequential.forward_fast` asks here, layer by
layer, whether a block starts; :meth:`Sequential.forward`, the plain version, runs every
layer on its own and is what runs unless the fast paths are on
(``tinydl.set_fast_paths(True)``; see tinydl/backend/fast_path_switch.py).

What it bought: on the fast MNIST CNN's training step (batch 256, 24 channels, 2 threads,
``python benchmarks/fast_step.py``), 156.5 ms -> 66.0 ms, 2.06x -> 0.96x PyTorch's time,
together with malloc keeping freed memory (commit 1a7e7ca; benchmarks/results/README.md,
"Issue 13").

The fused block computes the same function as the layers one after another, so nothing
about a model changes but its speed. It is used only where it applies as is: on the CPU,
for a stride-1 convolution that has seen its first batch (so its weights exist), followed
by a max-pooling with non-overlapping, unpadded windows. Anything else, and every bad
input, goes through the layers one by one, with their own error messages. Observers of
each layer's output (``summary()``, ``viz.feature_maps()``) run with the fast paths off.
"""

from __future__ import annotations

from collections.abc import Sequence

from tinydl import backend
from tinydl.autograd.tensor import Tensor
from tinydl.nn.activation import ReLU
from tinydl.nn.conv import Conv2D, MaxPool2D
from tinydl.nn.module import Module
from tinydl.ops.conv_pool import Conv2DMaxPoolFast


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
    function = Conv2DMaxPoolFast(conv.padding, pool.kernel_size, relu=relu_before or relu_after)
    inputs = (x, conv.weight) if conv.bias is None else (x, conv.weight, conv.bias)
    return function(*inputs), 2 + relu_before + relu_after


def _fits(conv: Conv2D, pool: MaxPool2D, x: Tensor) -> bool:
    if conv.needs_build or not isinstance(x, Tensor):
        return False
    if x.ndim != 4 or x.shape[1] != conv.in_channels or x.dtype != conv.weight.dtype:
        return False
    if backend.is_cuda(x.array) or conv.stride != (1, 1):
        return False
    if pool.stride != pool.kernel_size or pool.padding != (0, 0):
        return False
    conv_out = [x.shape[2 + d] + 2 * conv.padding[d] - conv.kernel_size[d] + 1 for d in (0, 1)]
    return all(size >= window for size, window in zip(conv_out, pool.kernel_size, strict=True))
