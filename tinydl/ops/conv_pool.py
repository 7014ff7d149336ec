"""A convolution, its ReLU and its max-pooling: the ``Conv2D → [ReLU] → MaxPool2D → [ReLU]``
block every MNIST CNN is made of, plainly (:func:`conv2d_max_pool`, three ops one after
another) and as one Function, :class:`Conv2DMaxPoolFast`, the CPU's fast path for it
(``Sequential.forward_fast`` runs it while the fast paths are on).

Run one after another, the three layers pass a large array through memory several times:
the convolution's output is reordered to (N, C, H, W), and max-pooling then reads its
2×2 windows as four strided views, which NumPy walks twelve floats at a time. In a
training step of the fast MNIST CNN (batch 256), pooling took 48 ms of 140, more than
the convolutions. Fused, the block lays out im2col's columns *by window position*: all
the top-left pixels of the 2×2 windows first, then all the top-right ones, and so on.
The GEMM then writes its output as four contiguous planes, and pooling becomes three
element-wise maxima of long contiguous arrays: measured 5x faster on the first block.

Two more choices keep every copy one long contiguous run:

- **Phases.** Reading the columns in window order means taking every second input pixel.
  So the padded input is first split into its *phases*,
  ``phase[ru, rv][a, b] = x[PH·a + ru, PW·b + rv]`` (for a 2×2 pool: even rows and even
  columns, even rows and odd columns, ...). Output pixel (PH·a + pi, PW·b + pj) of
  kernel position (i, j) reads input row PH·a + pi + i, which is row a + (pi + i) // PH
  of phase (pi + i) % PH, and the same for columns: for each (i, j, pi, pj), the
  columns are one shifted window of one phase.
- **Batch last.** Inside the block, arrays are stored (C, H, W, N): the images of the
  batch side by side in memory. A shifted window of a phase is then a run of W·N floats
  per row (1,280 for the fast CNN's second block), where (N, C, H, W) storage gives runs
  of W (5). The block's output is a (N, C, H, W) *view* of (C, H, W, N) memory; NumPy's
  element-wise ops keep that layout, and the next block reads it without a transpose.

What it bought: the fast MNIST CNN's training step (batch 256, 24 channels, 2 threads,
``python benchmarks/fast_step.py``) went from 156.5 ms to 66.0 ms, 2.06x to 0.96x
PyTorch's time, with malloc keeping freed memory (commit 1a7e7ca;
benchmarks/results/README.md, "Issue 13").

The tests check the Function against :func:`conv2d_max_pool`, values and gradients.
Max-pooling commutes with adding a per-channel bias and with ReLU (both are monotonic),
so the bias is added and the ReLU applied to the pooled output, a quarter of the size.
"""

from __future__ import annotations

from typing import Any

from tinydl import backend
from tinydl.autograd.function import Function
from tinydl.autograd.tensor import Tensor
from tinydl.ops.activations import relu
from tinydl.ops.conv import Pair, conv2d, pad_batch_last, times_transposed_fast
from tinydl.ops.pooling import max_pool2d, running_max


def conv2d_max_pool(
    x: Tensor, weight: Tensor, bias: Tensor | None, padding: Pair, pool: Pair, apply_relu: bool
) -> Tensor:
    """The block as the ops it is made of: a stride-1 convolution, a ReLU if
    ``apply_relu``, and max-pooling over non-overlapping ``pool`` windows."""
    y = conv2d(x, weight, bias, padding=padding)
    if apply_relu:
        y = relu(y)
    return max_pool2d(y, pool)


class Conv2DMaxPoolFast(Function):
    """y = [relu](maxpool(W ⋆ X) + b), stride-1 convolution, non-overlapping PH×PW pooling.

    With ``Z = W ⋆ X`` (before the bias) and ``k*`` the first position of each window where
    Z is largest (PyTorch's tie rule), ``y = [relu](Z[k*] + b)``. With ``g = dL/dy``, masked
    by ``y > 0`` when there is a ReLU:

        dL/dZ = g at each window's position k*, 0 at the others
        dL/dW = dL/dZ · colsᵀ,   dL/dX = col2im(Wᵀ · dL/dZ)    (as for a convolution)
        dL/db = Σ g              over the batch and all pooled pixels
    """

    def __init__(self, padding: Pair, pool: Pair, relu: bool) -> None:
        self.padding, self.pool, self.relu = padding, pool, relu

    def forward(self, x, weight, bias=None):
        xp = backend.array_module(x)
        self.weight = weight
        out_channels = weight.shape[0]
        self.layout = _Layout(x.shape, weight.shape[2:], self.padding, self.pool)
        self.cols = self.layout.im2col(x)
        # (O, PH·PW, A·B·N): one contiguous plane per position in the pooling window.
        z = (weight.reshape(out_channels, -1) @ self.cols).reshape(
            out_channels, self.pool[0] * self.pool[1], -1
        )
        # The maximum over the planes, and which plane held it (the first, on a tie).
        y, self.winner = running_max(z[:, k] for k in range(z.shape[1]))
        if bias is not None:
            y += bias[:, None]
        if self.relu:
            self.positive = y > 0
            xp.maximum(y, 0, out=y)
        # (O, A, B, N) memory shown as (N, O, A, B): a view, no copy.
        return y.reshape(out_channels, *self.layout.pooled, -1).transpose(3, 0, 1, 2)

    def backward(self, gy):
        xp = backend.array_module(gy)
        weight, out_channels = self.weight, self.weight.shape[0]
        # (N, O, A, B) -> (O, A·B·N), the planes' layout (a free view if gy came from a block).
        g = xp.ascontiguousarray(gy.transpose(1, 2, 3, 0), dtype=weight.dtype)
        g = g.reshape(out_channels, -1)
        if self.relu:
            g = g * self.positive
        planes = self.pool[0] * self.pool[1]
        gz = xp.empty((out_channels, planes, g.shape[1]), dtype=g.dtype)
        for k in range(planes):
            xp.multiply(g, self.winner == k, out=gz[:, k])
        gz = gz.reshape(out_channels, -1)
        gx = gw = None
        if self.needs_grad[0]:
            gx = self.layout.col2im(weight.reshape(out_channels, -1).T @ gz)
        if self.needs_grad[1]:
            gw = times_transposed_fast(gz, self.cols).reshape(weight.shape)
        if len(self.needs_grad) == 2:  # called without a bias
            return gx, gw
        return gx, gw, g.sum(axis=1) if self.needs_grad[2] else None


class _Layout:
    """Where each column of the window-ordered im2col comes from (see the module's notes).

    The phases are stored ``(C, PH, PW, rows, cols, N)``, each ``rows × cols`` just large
    enough for every window the pooling keeps; conv output rows and columns that no
    window covers (the last of an odd-sized output) are never computed.
    """

    def __init__(self, x_shape: tuple[int, ...], kernel: Pair, padding: Pair, pool: Pair) -> None:
        h, w = x_shape[2:]
        (kh, kw), (ph, pw) = kernel, pool
        self.x_shape, self.kernel, self.padding, self.pool = x_shape, kernel, padding, pool
        self.padded = (h + 2 * padding[0], w + 2 * padding[1])
        self.pooled = ((self.padded[0] - kh + 1) // ph, (self.padded[1] - kw + 1) // pw)
        # How far (in phase rows and columns) the last kernel position reaches past a window.
        reach = ((ph - 1 + kh - 1) // ph, (pw - 1 + kw - 1) // pw)
        self.phase_size = (self.pooled[0] + reach[0], self.pooled[1] + reach[1])

    def windows(self):
        """(i, j, pi, pj, ru, rv, rows, cols) for each block of columns: kernel position
        (i, j) of window position (pi, pj) reads rows × cols of phase (ru, rv)."""
        (kh, kw), (ph, pw), (a, b) = self.kernel, self.pool, self.pooled
        for i in range(kh):
            for j in range(kw):
                for pi in range(ph):
                    for pj in range(pw):
                        (du, ru), (dv, rv) = divmod(pi + i, ph), divmod(pj + j, pw)
                        yield i, j, pi, pj, ru, rv, slice(du, du + a), slice(dv, dv + b)

    def phase_views(self, padded: Any, phases: Any):
        """Pairs (phase (ru, rv), the pixels of the (C, Hp, Wp, N) padded image it holds),
        to copy either way. Phase pixels past the padded image stay 0 (no kept window reads
        them)."""
        (ph, pw), (hp, wp), (rows, cols) = self.pool, self.padded, self.phase_size
        for ru in range(ph):
            for rv in range(pw):
                pixels = padded[:, ru:hp:ph, rv:wp:pw][:, :rows, :cols]
                yield phases[:, ru, rv, : pixels.shape[1], : pixels.shape[2]], pixels

    def im2col(self, x: Any) -> Any:
        """(C·KH·KW, PH·PW·A·B·N) columns of ``x`` (N, C, H, W), ordered by window position."""
        xp = backend.array_module(x)
        n, c = self.x_shape[:2]
        (kh, kw), (ph, pw), (a, b) = self.kernel, self.pool, self.pooled
        padded = pad_batch_last(x, self.padding)
        phases = xp.zeros((c, ph, pw, *self.phase_size, n), dtype=x.dtype)
        for phase, pixels in self.phase_views(padded, phases):
            phase[...] = pixels
        cols = xp.empty((c, kh, kw, ph, pw, a, b, n), dtype=x.dtype)
        for i, j, pi, pj, ru, rv, rows, columns in self.windows():
            cols[:, i, j, pi, pj] = phases[:, ru, rv, rows, columns]
        return cols.reshape(c * kh * kw, -1)

    def col2im(self, cols: Any) -> Any:
        """The adjoint of :meth:`im2col`: the (N, C, H, W) gradient (a view of (C, H, W, N)
        memory) from the columns' one."""
        xp = backend.array_module(cols)
        n, c, h, w = self.x_shape
        (kh, kw), (ph, pw), (a, b) = self.kernel, self.pool, self.pooled
        cols = cols.reshape(c, kh, kw, ph, pw, a, b, n)
        phases = xp.zeros((c, ph, pw, *self.phase_size, n), dtype=cols.dtype)
        for i, j, pi, pj, ru, rv, rows, columns in self.windows():
            phases[:, ru, rv, rows, columns] += cols[:, i, j, pi, pj]
        padded = xp.zeros((c, *self.padded, n), dtype=cols.dtype)
        for phase, pixels in self.phase_views(padded, phases):
            pixels[...] = phase
        (top, left) = self.padding
        return padded[:, top : top + h, left : left + w].transpose(3, 0, 1, 2)
