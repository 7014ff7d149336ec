"""A convolution, its ReLU and its max-pooling: the ``Conv2D → [ReLU] → MaxPool2D → [ReLU]``
block every MNIST CNN is made of, plainly (:func:`conv2d_max_pool`, three ops one after
another) and as one Function, :class:`Conv2DMaxPoolFast`, the CPU's fast path for it
(``Sequential.forward_fast`` runs it while the fast paths are on).

Run one after another, the three layers pass a large array through memory several times:
the convolution's output is reordered to (N, C, H, W), and max-pooling then reads its
2×2 windows as four strided views, which NumPy walks twelve floats at a time. In a
training step of the fast MNIST CNN (batch 256), pooling took 48 ms of 140, more than
the convolutions. Fused, the block computes the convolution *by position in the pooling
window*: one GEMM writes all the windows' top-left pixels as one contiguous plane, all
their top-right pixels as the next, and so on, and pooling becomes three element-wise
maxima of long contiguous arrays: measured 5x faster on the first block.

Two more choices keep the copies few and long:

- **Window patches, where they pay.** Every pixel that any position of pooling window
  (a, b) reads lies in one (PH+KH−1)×(PW+KW−1) patch of the padded input, from row PH·a
  and column PW·b (6×6 for a 5×5 kernel and a 2×2 pool). The GEMM's right-hand side is
  then these patches, and its left-hand side the kernel placed at each of the PH·PW
  window positions inside a patch-sized frame of zeros (:class:`Conv2DMaxPoolFast` has
  the maths). The patches hold 36 floats per window and channel where im2col's columns,
  one per kernel tap and window position, hold 100: the copies and the GEMMs move 2.8x
  less memory (2.25x for a 3×3 kernel) for 1.44x (1.78x) the multiply-adds, which the
  frames' zeros cost. That pays while a block's GEMM waits on memory rather than on its
  multiply-adds, that is while an output pixel's O·C·KH·KW multiply-adds are few
  (:func:`by_patches`); the other blocks keep the columns, ordered by window position
  (:class:`_WindowColumns`), whose copies take every PH-th pixel from the input's
  *phases*, ``phase[ru, rv][a, b] = x[PH·a + ru, PW·b + rv]``, so that each is one run.
- **Batch last.** Inside the block, arrays are stored (C, H, W, N): the images of the
  batch side by side in memory. A patch's rows are then runs of N floats (256 for the
  fast CNN), where (N, C, H, W) storage gives runs of 1 (a patch takes every PH-th row
  and PW-th column). The block's output is a (N, C, H, W) *view* of (C, H, W, N) memory;
  NumPy's element-wise ops keep that layout, and the next block reads it without a
  transpose.

What it bought: the fast MNIST CNN's training step (batch 256, 24 channels, 2 threads,
``python benchmarks/fast_step.py``) went from 156.5 ms to 66.0 ms, 2.06x to 0.96x
PyTorch's time, with malloc keeping freed memory (commit 1a7e7ca;
benchmarks/results/README.md, "Issue 13"), with the columns ordered by window position;
what the window patches added: see :func:`by_patches`.

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
from tinydl.ops.conv import Pair, conv2d, pad_batch_last, phase_window
from tinydl.ops.linalg import times_transposed_fast
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
        dL/dW = Σ over all output pixels of dL/dZ · the input pixels it read
        dL/dX = each output pixel's dL/dZ · W, added back onto the pixels it read
        dL/db = Σ g              over the batch and all pooled pixels

    **By window patches.** Position (pi, pj) of window (a, b) is conv output pixel
    (PH·a + pi, PW·b + pj), and kernel tap (i, j) reads padded input pixel
    (PH·a + u, PW·b + v) with u = pi + i, v = pj + j. So with the window's patch
    ``P[c, u, v](a, b) = X[c, PH·a + u, PW·b + v]`` (u < U = PH+KH−1, v < V = PW+KW−1)
    and the framed kernel ``Ŵ[o, (pi, pj), c, u, v] = W[o, c, u − pi, v − pj]`` (0 where
    u − pi or v − pj falls outside the kernel):

        Z[o, (pi, pj)] = Σ_{c, u, v} Ŵ[o, (pi, pj), c, u, v] · P[c, u, v]

    one GEMM, (O·PH·PW, C·U·V) by (C·U·V, A·B·N), whose rows are the PH·PW planes of
    every channel. Its backward is a GEMM's: dL/dŴ = dL/dZ · Pᵀ, folded back onto the
    kernel (dL/dW[o, c, i, j] = Σ_{pi, pj} dL/dŴ[o, (pi, pj), c, pi + i, pj + j]), and
    dL/dP = Ŵᵀ · dL/dZ, each patch's gradient added back onto its pixels.

    Where :func:`by_patches` says the patches do not pay, the same GEMMs run on im2col's
    columns ordered by window position, with W as (O, C·KH·KW): Z's planes come out in the
    same order, and the backward is the same three lines.
    """

    def __init__(self, padding: Pair, pool: Pair, relu: bool) -> None:
        self.padding, self.pool, self.relu = padding, pool, relu

    def forward(self, x, weight, bias=None):
        xp = backend.array_module(x)
        out_channels, planes = weight.shape[0], self.pool[0] * self.pool[1]
        layout = _Patches if by_patches(weight.shape) else _WindowColumns
        self.layout = layout(x.shape, weight.shape[2:], self.padding, self.pool)
        self.cols, self.matrix = self.layout.columns(x), self.layout.matrix(weight)
        # (O, PH·PW, A·B·N): one contiguous plane per position in the pooling window.
        z = (self.matrix @ self.cols).reshape(out_channels, planes, -1)
        # The maximum over the planes, and which plane held it (the first, on a tie).
        y, self.winner = running_max(z[:, k] for k in range(planes))
        if bias is not None:
            y += bias[:, None]
        if self.relu:
            self.positive = y > 0
            xp.maximum(y, 0, out=y)
        # (O, A, B, N) memory shown as (N, O, A, B): a view, no copy.
        return y.reshape(out_channels, *self.layout.pooled, -1).transpose(3, 0, 1, 2)

    def backward(self, gy):
        xp = backend.array_module(gy)
        out_channels, planes = self.winner.shape[0], self.pool[0] * self.pool[1]
        # (N, O, A, B) -> (O, A·B·N), the planes' layout (a free view if gy came from a block).
        g = xp.ascontiguousarray(gy.transpose(1, 2, 3, 0), dtype=self.matrix.dtype)
        g = g.reshape(out_channels, -1)
        if self.relu:
            g = g * self.positive
        gz = xp.empty((out_channels, planes, g.shape[1]), dtype=g.dtype)
        for k in range(planes):
            xp.multiply(g, self.winner == k, out=gz[:, k])
        gz = gz.reshape(self.matrix.shape[0], -1)  # the planes as the GEMM wrote them
        gx = gw = None
        if self.needs_grad[0]:
            gx = self.layout.columns_back(self.matrix.T @ gz)
        if self.needs_grad[1]:
            gw = self.layout.matrix_back(times_transposed_fast(gz, self.cols))
        if len(self.needs_grad) == 2:  # called without a bias
            return gx, gw
        return gx, gw, g.sum(axis=1) if self.needs_grad[2] else None


# Blocks whose output pixels cost at most this many multiply-adds (O·C·KH·KW) are
# computed by window patches; see by_patches.
PATCHES_UP_TO = 8192


def by_patches(weight_shape: tuple[int, ...]) -> bool:
    """Whether the block with this (O, C, KH, KW) weight is computed by window patches:
    when its output pixels' O·C·KH·KW multiply-adds are few, its GEMMs wait on memory, and
    moving less of it pays for the frames' zeros. Measured (forward and backward of each
    block of issue 25's CNNs, float32, medians of 150 alternating calls, 2 threads): the
    fast CNN's 1→16 5×5 block (400, batch 256) 5.2 → 3.5-4.6 ms and its 16→32 3×3 block
    (4,608) 6.4 → 4.8-5.8 ms; the seed CNN's 1→32 3×3 block (288, batch 64) 1.6 → 1.2-1.6
    ms, but its 32→64 3×3 block (18,432) 3.3 → 4.1-4.8 ms, which keeps the columns."""
    out_channels, in_channels, kh, kw = weight_shape
    return out_channels * in_channels * kh * kw <= PATCHES_UP_TO


class _Layout:
    """A block's sizes, which both layouts of its GEMM read: the padded input and the
    pooled output (A, B). Conv output rows and columns that no pooling window covers (the
    last of an odd-sized output) are never computed."""

    def __init__(self, x_shape: tuple[int, ...], kernel: Pair, padding: Pair, pool: Pair) -> None:
        h, w = x_shape[2:]
        (kh, kw), (ph, pw) = kernel, pool
        self.x_shape, self.kernel, self.padding, self.pool = x_shape, kernel, padding, pool
        self.padded = (h + 2 * padding[0], w + 2 * padding[1])
        self.pooled = ((self.padded[0] - kh + 1) // ph, (self.padded[1] - kw + 1) // pw)

    def image_of(self, padded: Any) -> Any:
        """The (N, C, H, W) view of a padded (C, Hp, Wp, N) gradient's image pixels."""
        (h, w), (top, left) = self.x_shape[2:], self.padding
        return padded[:, top : top + h, left : left + w].transpose(3, 0, 1, 2)


class _Patches(_Layout):
    """The window patches of one block's input (see :class:`Conv2DMaxPoolFast`), stored
    (C, U, V, A, B, N), and the kernel framed to match."""

    def __init__(self, x_shape: tuple[int, ...], kernel: Pair, padding: Pair, pool: Pair) -> None:
        super().__init__(x_shape, kernel, padding, pool)
        self.frame = (pool[0] + kernel[0] - 1, pool[1] + kernel[1] - 1)  # (U, V)

    def offsets(self):
        """(u, v, rows, columns) for each pixel (u, v) of a patch: the padded input's
        rows and columns it takes, one per window."""
        (ph, pw), (a, b) = self.pool, self.pooled
        for u in range(self.frame[0]):
            for v in range(self.frame[1]):
                yield u, v, slice(u, u + ph * a, ph), slice(v, v + pw * b, pw)

    def columns(self, x: Any) -> Any:
        """(C·U·V, A·B·N): every window's patch of ``x`` (N, C, H, W), one per column."""
        xp = backend.array_module(x)
        padded = pad_batch_last(x, self.padding)
        c, n = self.x_shape[1], self.x_shape[0]
        patches = xp.empty((c, *self.frame, *self.pooled, n), dtype=x.dtype)
        for u, v, rows, columns in self.offsets():
            patches[:, u, v] = padded[:, rows, columns]
        return patches.reshape(c * self.frame[0] * self.frame[1], -1)

    def columns_back(self, grad_patches: Any) -> Any:
        """The adjoint of :meth:`columns`: the (N, C, H, W) gradient (a view of (C, H, W, N)
        memory), each patch pixel's gradient added onto the input pixel it came from."""
        xp = backend.array_module(grad_patches)
        n, c = self.x_shape[:2]
        grad_patches = grad_patches.reshape(c, *self.frame, *self.pooled, n)
        padded = xp.zeros((c, *self.padded, n), dtype=grad_patches.dtype)
        for u, v, rows, columns in self.offsets():
            padded[:, rows, columns] += grad_patches[:, u, v]
        return self.image_of(padded)

    def window_positions(self):
        """(pi, pj, rows, columns) for each window position: where the kernel sits in
        the frame when it computes that position."""
        (kh, kw), (ph, pw) = self.kernel, self.pool
        for pi in range(ph):
            for pj in range(pw):
                yield pi, pj, slice(pi, pi + kh), slice(pj, pj + kw)

    def matrix(self, weight: Any) -> Any:
        """Ŵ (O·PH·PW, C·U·V): the kernel placed at each window position of the frame."""
        xp = backend.array_module(weight)
        o, c = weight.shape[:2]
        framed = xp.zeros((o, *self.pool, c, *self.frame), dtype=weight.dtype)
        for pi, pj, rows, columns in self.window_positions():
            framed[:, pi, pj, :, rows, columns] = weight
        return framed.reshape(o * self.pool[0] * self.pool[1], -1)

    def matrix_back(self, grad_framed: Any) -> Any:
        """The adjoint of :meth:`matrix`: dL/dW (O, C, KH, KW) from dL/dŴ."""
        xp = backend.array_module(grad_framed)
        c = self.x_shape[1]
        grad_framed = grad_framed.reshape(-1, *self.pool, c, *self.frame)
        grad = xp.zeros((grad_framed.shape[0], c, *self.kernel), dtype=grad_framed.dtype)
        for pi, pj, rows, columns in self.window_positions():
            grad += grad_framed[:, pi, pj, :, rows, columns]
        return grad


class _WindowColumns(_Layout):
    """im2col's columns ordered by window position: one per kernel tap and window position.

    The phases are stored ``(C, PH, PW, rows, cols, N)``, each ``rows × cols`` just large
    enough for every window the pooling keeps.
    """

    def __init__(self, x_shape: tuple[int, ...], kernel: Pair, padding: Pair, pool: Pair) -> None:
        super().__init__(x_shape, kernel, padding, pool)
        (kh, kw), (ph, pw) = kernel, pool
        # How far (in phase rows and columns) the last kernel position reaches past a window.
        reach = ((ph - 1 + kh - 1) // ph, (pw - 1 + kw - 1) // pw)
        self.phase_size = (self.pooled[0] + reach[0], self.pooled[1] + reach[1])

    def windows(self):
        """(i, j, pi, pj, ru, rv, rows, cols) for each block of columns: kernel position
        (i, j) of window position (pi, pj) reads rows × cols of phase (ru, rv)."""
        (kh, kw), (ph, pw) = self.kernel, self.pool
        for i in range(kh):
            for j in range(kw):
                for pi in range(ph):
                    for pj in range(pw):  # tap (i, j) of position (pi, pj): offset (pi+i, pj+j)
                        ru, rv, rows, cols = phase_window((pi + i, pj + j), self.pooled, self.pool)
                        yield i, j, pi, pj, ru, rv, rows, cols

    def phase_views(self, padded: Any, phases: Any):
        """Pairs (phase (ru, rv), the pixels of the (C, Hp, Wp, N) padded image it holds),
        to copy either way. Phase pixels past the padded image stay 0 (no kept window reads
        them)."""
        (ph, pw), (hp, wp), (rows, cols) = self.pool, self.padded, self.phase_size
        for ru in range(ph):
            for rv in range(pw):
                pixels = padded[:, ru:hp:ph, rv:wp:pw][:, :rows, :cols]
                yield phases[:, ru, rv, : pixels.shape[1], : pixels.shape[2]], pixels

    def columns(self, x: Any) -> Any:
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

    def columns_back(self, cols: Any) -> Any:
        """The adjoint of :meth:`columns`: the (N, C, H, W) gradient (a view of (C, H, W, N)
        memory) from the columns' one."""
        xp = backend.array_module(cols)
        n, c = self.x_shape[:2]
        (kh, kw), (ph, pw), (a, b) = self.kernel, self.pool, self.pooled
        cols = cols.reshape(c, kh, kw, ph, pw, a, b, n)
        phases = xp.zeros((c, ph, pw, *self.phase_size, n), dtype=cols.dtype)
        for i, j, pi, pj, ru, rv, rows, columns in self.windows():
            phases[:, ru, rv, rows, columns] += cols[:, i, j, pi, pj]
        padded = xp.zeros((c, *self.padded, n), dtype=cols.dtype)
        for phase, pixels in self.phase_views(padded, phases):
            pixels[...] = phase
        return self.image_of(padded)

    def matrix(self, weight: Any) -> Any:
        """W as the GEMM's left-hand side, (O, C·KH·KW)."""
        return weight.reshape(weight.shape[0], -1)

    def matrix_back(self, grad_matrix: Any) -> Any:
        """dL/dW (O, C, KH, KW) from the left-hand side's gradient."""
        return grad_matrix.reshape(grad_matrix.shape[0], self.x_shape[1], *self.kernel)
