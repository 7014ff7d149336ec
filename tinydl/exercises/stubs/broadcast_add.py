"""Exercise: adding arrays of different shapes, and summing the gradient back.

    y = a + b, with NumPy broadcasting.

Broadcasting lines the shapes up on the right. Where one operand lacks a leading axis, or has
size 1 on an axis where the other does not, its values are repeated along that axis. Example:

    a (4, 3) + b (3,)  ->  y (4, 3),  y[i, j] = a[i, j] + b[j]   (b is added to all 4 rows)

Gradient. Every ∂y/∂a and ∂y/∂b entry is 1, so "dL/da = dL/db = g" (g = dL/dy) is almost
right, except that g has y's shape. Each b[j] was used 4 times (in y[0, j], ..., y[3, j]),
and a value used several times receives the SUM of the gradients of all its uses:

    dL/db[j] = Σᵢ g[i, j]          -> shape (3,), b's shape

In general, for each operand: sum g over the leading axes it lacks, and over every axis
where it has size 1 but y does not (keeping that axis, with size 1), so the gradient ends
up with exactly the operand's shape. Do not average: a sum is what the chain rule gives.
More examples:

    a (2, 1, 3) + b (4, 1)  ->  y (2, 4, 3):  dL/da = g summed over axis 1 (kept, size 1),
                                               dL/db = g summed over axes 0 and 2 -> (4, 1)

tinydl's engine does this summing for every operation (``sum_to_shape`` in
tinydl/autograd/function.py). In this exercise you write it yourself, and the checker calls
your backward directly: it must return gradients of the inputs' own shapes. Useful:
``g.sum(axis=..., keepdims=True)`` and ``g.reshape(shape)``.

The forward pass is written for you; it keeps both input shapes.

Check your work:   tinydl exercises check broadcast_add
"""

from tinydl import Function


class BroadcastAdd(Function):
    """y = a + b, broadcasting a and b against each other."""

    def forward(self, a, b):
        self.a_shape, self.b_shape = a.shape, b.shape
        return a + b

    def backward(self, grad_output):
        """Return (dL/da, dL/db): grad_output summed back to a's shape and to b's shape."""
        raise NotImplementedError(
            "write BroadcastAdd.backward: return grad_output summed back to a's and b's shapes"
        )
