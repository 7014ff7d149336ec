"""Exercise: adding arrays of different shapes, and the gradient of each.

    y = a + b, with NumPy broadcasting.

Broadcasting lines the shapes up on the right. Where one operand lacks a leading axis, or has
size 1 on an axis where the other does not, its values are repeated along that axis. Examples:

    a (4, 3) + b (3,)       ->  y (4, 3),     y[i, j] = a[i, j] + b[j]
    a (2, 1, 3) + b (4, 1)  ->  y (2, 4, 3),  y[i, j, k] = a[i, 0, k] + b[j, 0]

Task: write ``backward``. It receives g = dL/dy, of y's shape, and returns (dL/da, dL/db),
each of ITS operand's shape: a gradient always has the shape of what it is the gradient of.
Work out what each b[j] contributes to the loss, through every element of y it reaches.

The checker calls your backward directly, so nothing tidies its result up afterwards.

The forward pass keeps both input shapes (``self.a_shape``, ``self.b_shape``).

Stuck? The next of three hints:   tinydl exercises hint broadcast_add
Check your work:   tinydl exercises check broadcast_add
"""

from tinydl import Function


class BroadcastAdd(Function):
    """y = a + b, broadcasting a and b against each other."""

    def forward(self, a, b):
        """Return a + b; keep both shapes as ``self.a_shape`` and ``self.b_shape``."""
        # given: start (at --level full you write this)
        self.a_shape, self.b_shape = a.shape, b.shape
        return a + b
        # given: end

    def backward(self, grad_output):
        """Return (dL/da, dL/db), of a's shape and of b's shape."""
        raise NotImplementedError(
            "write BroadcastAdd.backward: return (dL/da, dL/db) of a's and b's shapes"
        )
