"""Exercise: 2-D convolution through im2col: write col2im and the backward pass.

A convolution layer (cross-correlation, as in every deep-learning library) of images
x (N, C, H, W) with filters W (O, C, K, K) and bias b (O,), stride S, zero padding P:

    y[n, o, a, b] = b[o] + Σ_{c, i, j} W[o, c, i, j] · xpad[n, c, S·a + i, S·b + j]
    y (N, O, OH, OW),   OH = (H + 2P − K) // S + 1   (likewise OW)

where xpad is x with P rows/columns of zeros added on each side: pixel (r, q) of x is pixel
(r + P, q + P) of xpad.

im2col turns this into ONE matrix product. It copies the C·K·K input values that each
output pixel sees into one column of ``cols`` (C·K·K, N·OH·OW); with W reshaped to
(O, C·K·K), the layer is ``W @ cols + b`` (then reshaped to (N, O, OH, OW)). At the
guided level both are written for you below.

Task: write ``col2im`` and ``Conv2D.backward``.

- ``backward`` receives G = dL/dy (N, O, OH, OW) and returns (dL/dx, dL/dW, dL/db), of
  shapes (N, C, H, W), (O, C, K, K) and (O,). Derive them from the matrix-product form of
  forward; the way back to x goes through cols.
- ``col2im(cols, x_shape, ...)`` is the reverse journey of im2col (its adjoint): it takes an
  array shaped like cols and returns one shaped like x, every value of a column going back
  to the pixel of x it was copied from. Think about the pixels that im2col copied into
  several columns, and about the padding.

The forward pass keeps ``self.cols``, ``self.weight`` and ``self.x_shape``.

Stuck? The next of three hints:   tinydl exercises hint conv2d_im2col
Check your work:   tinydl exercises check conv2d_im2col
"""

from tinydl import Function, backend


def output_size(size: int, kernel_size: int, stride: int, padding: int) -> int:
    """How many window positions fit: (size + 2·padding − kernel_size) // stride + 1."""
    return (size + 2 * padding - kernel_size) // stride + 1


def im2col(x, kernel_size: int, stride: int, padding: int):
    """Unfold x (N, C, H, W) into cols (C·K·K, N·OH·OW).

    Row (c, i, j) of cols, column (n, a, b) holds xpad[n, c, S·a + i, S·b + j]: the value
    that filter weight W[:, c, i, j] multiplies for output pixel (a, b) of image n.
    """
    # given: start (at --level full you write this)
    xp = backend.array_module(x)
    n, c, h, w = x.shape
    k, s, p = kernel_size, stride, padding
    oh, ow = output_size(h, k, s, p), output_size(w, k, s, p)
    padded = xp.zeros((n, c, h + 2 * p, w + 2 * p), dtype=x.dtype)
    padded[:, :, p : p + h, p : p + w] = x  # x sits p pixels in from every edge
    cols = xp.empty((c, k, k, n, oh, ow), dtype=x.dtype)
    for i in range(k):
        for j in range(k):
            # Kernel position (i, j) of every window at once: one strided view (N, C, OH, OW).
            window_pixels = padded[:, :, i : i + s * oh : s, j : j + s * ow : s]
            cols[:, i, j] = window_pixels.transpose(1, 0, 2, 3)  # as (C, N, OH, OW)
    return cols.reshape(c * k * k, n * oh * ow)
    # given: end


def col2im(cols, x_shape: tuple[int, int, int, int], kernel_size: int, stride: int, padding: int):
    """The adjoint of im2col: every value of cols (C·K·K, N·OH·OW) goes back to the pixel it
    came from; return an array of shape x_shape (N, C, H, W)."""
    raise NotImplementedError("write col2im: send each column value back to its pixel")


class Conv2D(Function):
    """y = conv(x, W) + b for x (N, C, H, W), W (O, C, K, K), b (O,)."""

    def __init__(self, stride: int = 1, padding: int = 0) -> None:
        self.stride, self.padding = stride, padding

    def forward(self, x, weight, bias):
        """Return y (N, O, OH, OW); keep ``self.cols``, ``self.weight`` and ``self.x_shape``."""
        # given: start (at --level full you write this)
        out_channels, _, k, _ = weight.shape
        n, _, h, w = x.shape
        oh = output_size(h, k, self.stride, self.padding)
        ow = output_size(w, k, self.stride, self.padding)
        self.x_shape, self.weight = x.shape, weight
        self.cols = im2col(x, k, self.stride, self.padding)  # (C·K·K, N·OH·OW)
        y = weight.reshape(out_channels, -1) @ self.cols + bias[:, None]  # (O, N·OH·OW)
        return y.reshape(out_channels, n, oh, ow).transpose(1, 0, 2, 3)  # (N, O, OH, OW)
        # given: end

    def backward(self, grad_output):
        """Return (dL/dx, dL/dW, dL/db). First rearrange grad_output (N, O, OH, OW) to
        (O, N·OH·OW), the layout of the forward product: .transpose(1, 0, 2, 3).reshape(O, -1)."""
        raise NotImplementedError("write Conv2D.backward: return (dL/dx, dL/dW, dL/db)")
