"""Exercise: the sigmoid, forward and backward.

    y = σ(x) = 1 / (1 + e⁻ˣ)          (element-wise; squashes any number into (0, 1))

Its derivative is neatest written with the output y itself:

    dy/dx = e⁻ˣ / (1 + e⁻ˣ)² = σ(x) · (1 − σ(x)) = y · (1 − y)

``backward`` receives g = dL/dy, the gradient of the loss with respect to the output (one
number per element of y), and returns dL/dx = g · dy/dx, element by element: the chain rule.

Shapes: x, y, g and dL/dx all have the same shape (any shape).

Arrays here are NumPy arrays on the CPU; ``xp = backend.array_module(x)`` gives the module
(NumPy, or CuPy on a GPU), so write ``xp.exp(x)``, not ``math.exp(x)``.

Check your work:   tinydl exercises check sigmoid
"""

from tinydl import Function, backend  # backend: for your forward


class Sigmoid(Function):
    """y = σ(x), element-wise."""

    def forward(self, x):
        """Return y = 1 / (1 + e⁻ˣ), and keep y as ``self.y`` for backward."""
        raise NotImplementedError("write Sigmoid.forward: return 1 / (1 + e^-x), kept as self.y")

    def backward(self, grad_output):
        """Return dL/dx = grad_output · y · (1 − y), using the ``self.y`` saved by forward."""
        raise NotImplementedError("write Sigmoid.backward: return dL/dx from grad_output and y")
