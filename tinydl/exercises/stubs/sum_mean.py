"""Exercise: the backward passes of sum and mean.

    Sum:   y = Σ x over ``axis``         Mean:   y = (1/n) Σ x over ``axis``

``axis`` is None (reduce everything, y is a single number) or one axis. ``keepdims=True``
keeps the reduced axis with size 1, as in NumPy. ``n`` is the number of values averaged into
each output: x.size for axis=None, else x.shape[axis].

Task: write both ``backward`` passes. Each receives g = dL/dy, of y's shape, and returns
dL/dx, of x's shape. Example: x (3, 4), axis=1, keepdims=False gives y and g of shape (3,),
and dL/dx must come out as (3, 4). Find out which element of y each x element feeds, and
with what weight.

The forward passes keep x's shape as ``self.x_shape``. ``xp = backend.array_module(g)`` is
the array module (NumPy on the CPU).

Stuck? The next of three hints:   tinydl exercises hint sum_mean
Check your work:   tinydl exercises check sum_mean
"""

from tinydl import Function, backend  # backend: for your backward


class Sum(Function):
    """y = x.sum(axis, keepdims)."""

    def __init__(self, axis: int | None = None, keepdims: bool = False) -> None:
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        """Return x summed over ``self.axis``; keep x's shape as ``self.x_shape``."""
        # given: start (at --level full you write this)
        self.x_shape = x.shape
        return x.sum(axis=self.axis, keepdims=self.keepdims)
        # given: end

    def backward(self, grad_output):
        """Return dL/dx, of shape x_shape."""
        raise NotImplementedError("write Sum.backward: return dL/dx, of shape self.x_shape")


class Mean(Function):
    """y = x.mean(axis, keepdims)."""

    def __init__(self, axis: int | None = None, keepdims: bool = False) -> None:
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        """Return the mean of x over ``self.axis``; keep x's shape as ``self.x_shape``."""
        # given: start (at --level full you write this)
        self.x_shape = x.shape
        return x.mean(axis=self.axis, keepdims=self.keepdims)
        # given: end

    def backward(self, grad_output):
        """Return dL/dx, of shape x_shape."""
        raise NotImplementedError("write Mean.backward: return dL/dx, of shape self.x_shape")
