"""Solution of the exercise: the backward pass of 2-D max-pooling.

For images x (N, C, H, W), each output pixel is the maximum of a K×K window of one channel;
windows start every S pixels (the stride):

    y[n, c, a, b] = max over i, j < K of x[n, c, S·a + i, S·b + j]
    y has shape (N, C, OH, OW),  OH = (H − K) // S + 1,  OW = (W − K) // S + 1

Gradient. Only the winning pixel of a window influences its output (nudging a loser does not
change the maximum), with slope 1. So each window sends its gradient g[n, c, a, b] to the
pixel that won, and every other pixel gets 0 from that window. When windows overlap
(S < K), one pixel can win several windows: it receives the SUM of their gradients, so add
(+=) into the result instead of assigning.

The forward pass is written for you. It loops over the K·K positions (i, j) inside the
window, each one a strided view of x covering all windows at once:

    x[:, :, i : i + S·OH : S, j : j + S·OW : S]      (N, C, OH, OW): pixel (i, j) of every window

and keeps ``self.argmax`` (N, C, OH, OW), the position k = i·K + j of each window's winner,
and ``self.x_shape``. The same strided view, on a zero array of x's shape, is where backward
can send the gradients for position k: the windows whose argmax is k.

Check your work:   tinydl exercises check max_pool
"""

from tinydl import Function, backend


class MaxPool2D(Function):
    """y = the maximum of each K×K window of x (N, C, H, W), windows every S pixels."""

    def __init__(self, kernel_size: int, stride: int) -> None:
        self.kernel_size, self.stride = kernel_size, stride

    def forward(self, x):
        xp = backend.array_module(x)
        k, s = self.kernel_size, self.stride
        n, c, h, w = x.shape
        oh, ow = (h - k) // s + 1, (w - k) // s + 1
        self.x_shape = x.shape
        y = xp.full((n, c, oh, ow), -xp.inf, dtype=x.dtype)
        self.argmax = xp.zeros((n, c, oh, ow), dtype=xp.int64)
        for i in range(k):
            for j in range(k):
                candidate = x[:, :, i : i + s * oh : s, j : j + s * ow : s]
                better = candidate > y  # strict: on a tie the earlier position keeps the win
                y = xp.where(better, candidate, y)
                self.argmax = xp.where(better, i * k + j, self.argmax)
        return y

    def backward(self, grad_output):
        """Return dL/dx, of shape self.x_shape: each window's gradient on its winning pixel."""
        xp = backend.array_module(grad_output)
        k, s = self.kernel_size, self.stride
        oh, ow = grad_output.shape[2:]
        grad = xp.zeros(self.x_shape, dtype=grad_output.dtype)
        for i in range(k):
            for j in range(k):
                won = self.argmax == i * k + j
                grad[:, :, i : i + s * oh : s, j : j + s * ow : s] += won * grad_output
        return grad
