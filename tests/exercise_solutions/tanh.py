"""Solution of the exercise: the backward pass of tanh.

    y = tanh x = (eˣ − e⁻ˣ) / (eˣ + e⁻ˣ)          (element-wise; squashes into (−1, 1))

Differentiating the quotient gives, in terms of the output y:

    dy/dx = 1 − tanh²x = 1 − y²

``backward`` receives g = dL/dy and returns dL/dx = g · (1 − y²), element by element.

Shapes: x, y, g and dL/dx all have the same shape (any shape).

The forward pass is written for you; it keeps y as ``self.y``.

Check your work:   tinydl exercises check tanh
"""

from tinydl import Function, backend


class Tanh(Function):
    """y = tanh x, element-wise."""

    def forward(self, x):
        self.y = backend.array_module(x).tanh(x)
        return self.y

    def backward(self, grad_output):
        """Return dL/dx = grad_output · (1 − y²)."""
        return grad_output * (1 - self.y * self.y)
