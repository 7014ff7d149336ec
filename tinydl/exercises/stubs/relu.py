"""Exercise: ReLU, the rectified linear unit, forward and backward.

    y = max(x, 0)          (element-wise: negative values become 0, the others pass unchanged)

Task: write ``forward`` (return y, and keep what backward will need) and ``backward``.
``backward`` receives g = dL/dy and returns dL/dx, of x's shape. Derive dy/dx yourself.

At x = 0 the graph of ReLU has a corner (a kink), where the slope jumps: there is no
derivative there, so whatever backward returns at exactly 0 is a convention. The checker
asks for PyTorch's, 0, and checks your backward at a few exact zeros too.

Shapes: x, y, g and dL/dx all have the same shape (any shape).

Stuck? The next of three hints:   tinydl exercises hint relu
Check your work:   tinydl exercises check relu
"""

from tinydl import Function, backend  # backend: for your forward


class ReLU(Function):
    """y = max(x, 0), element-wise."""

    def forward(self, x):
        """Return y = max(x, 0), keeping what backward will need as attributes of self
        (backward receives only grad_output)."""
        raise NotImplementedError("write ReLU.forward: return max(x, 0)")

    def backward(self, grad_output):
        """Return dL/dx, of x's shape, from grad_output and what forward kept."""
        raise NotImplementedError("write ReLU.backward: return dL/dx from grad_output")
