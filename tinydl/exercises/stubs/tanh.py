"""Exercise: the backward pass of tanh.

    y = tanh x = (eˣ − e⁻ˣ) / (eˣ + e⁻ˣ)          (element-wise; squashes into (−1, 1))

Task: write ``backward``. It receives g = dL/dy (one number per element of y) and returns
dL/dx. Derive dy/dx yourself; like the sigmoid's, it is neatest written with the output y,
which forward keeps as ``self.y``.

Shapes: x, y, g and dL/dx all have the same shape (any shape).

Stuck? The next of three hints:   tinydl exercises hint tanh
Check your work:   tinydl exercises check tanh
"""

from tinydl import Function, backend


class Tanh(Function):
    """y = tanh x, element-wise."""

    def forward(self, x):
        """Return y = tanh x, and keep y as ``self.y`` for backward."""
        # given: start (at --level full you write this)
        self.y = backend.array_module(x).tanh(x)
        return self.y
        # given: end

    def backward(self, grad_output):
        """Return dL/dx, of x's shape."""
        raise NotImplementedError("write Tanh.backward: return dL/dx from grad_output and self.y")
