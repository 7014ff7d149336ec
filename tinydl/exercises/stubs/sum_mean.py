"""Exercise: the backward passes of sum and mean.

    Sum:   y = Σ x over ``axis``         Mean:   y = (1/n) Σ x over ``axis``

``axis`` is None (reduce everything, y is a single number) or one axis. ``keepdims=True``
keeps the reduced axis with size 1, as in NumPy. ``n`` is the number of values averaged into
each output: x.size for axis=None, else x.shape[axis].

Gradient. Each x element adds into exactly one output element, with weight 1 (sum) or 1/n
(mean), so it receives that output's gradient, times 1 or 1/n:

    Sum:   dL/dx = g copied back over the reduced axis        (shape of x)
    Mean:  dL/dx = g copied back over the reduced axis, / n

Example: x (3, 4), axis=1, keepdims=False: y and g are (3,); g[i] goes to all 4 of
x[i, 0..3]. To copy it back, first put the reduced axis back as size 1 (g of shape (3,)
becomes (3, 1): ``xp.expand_dims(g, axis)``; not needed when keepdims=True or axis=None),
then broadcast to x's shape (``xp.broadcast_to(g, x_shape)``).

The forward passes are written for you; each keeps x's shape as ``self.x_shape``.
``xp = backend.array_module(grad_output)`` is the array module (NumPy on the CPU).

Check your work:   tinydl exercises check sum_mean
"""

from tinydl import Function, backend  # backend: for your backward


class Sum(Function):
    """y = x.sum(axis, keepdims)."""

    def __init__(self, axis: int | None = None, keepdims: bool = False) -> None:
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.x_shape = x.shape
        return x.sum(axis=self.axis, keepdims=self.keepdims)

    def backward(self, grad_output):
        """Return dL/dx: grad_output copied back over the summed axis, of shape x_shape."""
        raise NotImplementedError("write Sum.backward: return dL/dx, of shape self.x_shape")


class Mean(Function):
    """y = x.mean(axis, keepdims)."""

    def __init__(self, axis: int | None = None, keepdims: bool = False) -> None:
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.x_shape = x.shape
        return x.mean(axis=self.axis, keepdims=self.keepdims)

    def backward(self, grad_output):
        """Return dL/dx: grad_output copied back over the averaged axis, divided by n."""
        raise NotImplementedError("write Mean.backward: return dL/dx, of shape self.x_shape")
