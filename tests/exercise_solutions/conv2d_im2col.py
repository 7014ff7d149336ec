"""The worked solution of the stub tinydl/exercises/stubs/conv2d_im2col.py."""

from tinydl import backend
from tinydl.exercises.stubs import conv2d_im2col as stub


def col2im(cols, x_shape: tuple[int, int, int, int], kernel_size: int, stride: int, padding: int):
    xp = backend.array_module(cols)
    n, c, h, w = x_shape
    k, s, p = kernel_size, stride, padding
    oh, ow = stub.output_size(h, k, s, p), stub.output_size(w, k, s, p)
    cols = cols.reshape(c, k, k, n, oh, ow)
    padded = xp.zeros((n, c, h + 2 * p, w + 2 * p), dtype=cols.dtype)
    for i in range(k):
        for j in range(k):
            window_pixels = padded[:, :, i : i + s * oh : s, j : j + s * ow : s]
            window_pixels += cols[:, i, j].transpose(1, 0, 2, 3)
    return padded[:, :, p : p + h, p : p + w]


class Conv2D(stub.Conv2D):
    def backward(self, grad_output):
        out_channels, _, k, _ = self.weight.shape
        g = grad_output.transpose(1, 0, 2, 3).reshape(out_channels, -1)
        w = self.weight.reshape(out_channels, -1)
        grad_x = col2im(w.T @ g, self.x_shape, k, self.stride, self.padding)
        grad_w = (g @ self.cols.T).reshape(self.weight.shape)
        return grad_x, grad_w, g.sum(axis=1)
