"""Exercise: the mean squared error loss, forward and backward.

    L = (1/n) Σᵢ (xᵢ − tᵢ)²          x: predictions, t: targets, both of the same shape;
                                     n = x.size, the number of elements; L is one number.

Task: write ``forward`` (return L; keep what backward needs, e.g. x − t as ``self.diff``)
and ``backward``. Backward receives g, the gradient of the final loss with respect to L (a
single number: usually 1, but L may be scaled or added to other losses, so always use it),
and returns (dL/dx, dL/dt), each of x's shape. Derive both.

Stuck? The next of three hints:   tinydl exercises hint mse
Check your work:   tinydl exercises check mse
"""

from tinydl import Function


class MSELoss(Function):
    """L = mean((x − t)²) over all elements."""

    def forward(self, x, target):
        """Return the mean of (x − target)², and keep x − target for backward."""
        raise NotImplementedError("write MSELoss.forward: return mean((x - target)^2)")

    def backward(self, grad_output):
        """Return (dL/dx, dL/dtarget), each of x's shape."""
        raise NotImplementedError("write MSELoss.backward: return (dL/dx, dL/dtarget)")
