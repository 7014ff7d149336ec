"""Exercise: the backward pass of 2-D max-pooling.

For images x (N, C, H, W), each output pixel is the maximum of a K×K window of one channel;
windows start every S pixels (the stride), and may overlap when S < K:

    y[n, c, a, b] = max over i, j < K of x[n, c, S·a + i, S·b + j]
    y has shape (N, C, OH, OW),  OH = (H − K) // S + 1,  OW = (W − K) // S + 1

Task: write ``backward``. It receives g = dL/dy (N, C, OH, OW) and returns dL/dx, of x's
shape. Derive it: how does each window's output change when you nudge each of its pixels?

The forward pass loops over the K·K positions (i, j) inside the window, each one a strided
view of x covering all windows at once:

    x[:, :, i : i + S·OH : S, j : j + S·OW : S]      (N, C, OH, OW): pixel (i, j) of every window

and keeps ``self.argmax`` (N, C, OH, OW), the position k = i·K + j of each window's maximum,
and ``self.x_shape``.

Stuck? The next of three hints:   tinydl exercises hint max_pool
Check your work:   tinydl exercises check max_pool
"""

from tinydl import Function, backend


class MaxPool2D(Function):
    """y = the maximum of each K×K window of x (N, C, H, W), windows every S pixels."""

    def __init__(self, kernel_size: int, stride: int) -> None:
        self.kernel_size, self.stride = kernel_size, stride

    def forward(self, x):
        """Return y; keep ``self.argmax`` (k = i·K + j of each window's maximum; on a tie the
        first position) and ``self.x_shape``."""
        # given: start (at --level full you write this)
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
        # given: end

    def backward(self, grad_output):
        """Return dL/dx, of shape self.x_shape."""
        raise NotImplementedError("write MaxPool2D.backward: return dL/dx")
