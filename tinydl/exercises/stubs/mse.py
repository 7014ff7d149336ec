"""Exercise: the mean squared error loss, forward and backward.

    L = (1/n) Σᵢ (xᵢ − tᵢ)²          x: predictions, t: targets, both of the same shape;
                                     n = x.size, the number of elements; L is one number.

With d = x − t, each term dᵢ² has derivative 2dᵢ, and the mean divides by n:

    dL/dx = (2/n) · d · g          dL/dt = −(2/n) · d · g

where g = dL/dL_out is the (single-number) gradient that backward receives: usually 1, but
L may be scaled or added to other losses, so always multiply by it.

Write the forward pass (keep what backward needs, e.g. d as ``self.diff``) and the backward
pass, which returns both gradients.

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
