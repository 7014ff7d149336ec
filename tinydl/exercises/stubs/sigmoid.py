"""Exercise: the sigmoid, forward and backward.

    y = σ(x) = 1 / (1 + e⁻ˣ)          (element-wise; squashes any number into (0, 1))

Task: write ``forward`` (return y, and keep what backward will need) and ``backward``.
``backward`` receives g = dL/dy, the gradient of the loss with respect to the output (one
number per element of y), and returns dL/dx: how the loss moves when each element of x
moves. Derive dy/dx yourself; it can be written neatly with the output y that forward kept,
which saves computing e⁻ˣ again.

Shapes: x, y, g and dL/dx all have the same shape (any shape).

Arrays here are NumPy arrays on the CPU; ``xp = backend.array_module(x)`` gives the module
(NumPy, or CuPy on a GPU), so write ``xp.exp(x)``, not ``math.exp(x)``.

Stuck? The next of three hints:   tinydl exercises hint sigmoid
Check your work:   tinydl exercises check sigmoid
"""

from tinydl import Function, backend  # backend: for your forward


class Sigmoid(Function):
    """y = σ(x), element-wise."""

    def forward(self, x):
        """Return y = 1 / (1 + e⁻ˣ), and keep y as ``self.y`` for backward."""
        raise NotImplementedError("write Sigmoid.forward: return 1 / (1 + e^-x), kept as self.y")

    def backward(self, grad_output):
        """Return dL/dx, of x's shape, from grad_output and what forward kept."""
        raise NotImplementedError("write Sigmoid.backward: return dL/dx from grad_output and y")
