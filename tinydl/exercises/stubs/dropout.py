"""Exercise: inverted dropout, forward and backward.

During training, dropout zeroes each unit with probability p and scales the kept ones by
1/(1 − p), so that the expected output equals the input (and evaluation can use the network
unchanged):

    y = x · m / (1 − p),    m = keep mask: 1 where the unit is kept, 0 where dropped

Task: write ``forward`` (keep what backward needs) and ``backward``, which receives
g = dL/dy and returns dL/dx; x, y, m, g and dL/dx all have the same shape. Derive it: what
does the mask look like to the derivative, once drawn?

``keep_mask`` draws the mask for you from a generator seeded with ``seed``: the checker runs
your forward many times and needs the same units dropped each time.

Careful with dtypes: a boolean mask times a Python float is float64 in NumPy, which would
silently turn float32 activations into float64. Convert the mask to x's dtype first
(``keep.astype(x.dtype)``), or multiply x by it before dividing.

Stuck? The next of three hints:   tinydl exercises hint dropout
Check your work:   tinydl exercises check dropout
"""

import numpy as np

from tinydl import Function


def keep_mask(shape: tuple[int, ...], p: float, seed: int) -> np.ndarray:
    """A boolean array: True (kept) with probability 1 − p, False (dropped) with probability p.

    The same seed always gives the same mask (tinydl's own dropout draws exactly this mask
    after ``tinydl.manual_seed(seed)``).
    """
    return np.random.default_rng(seed).random(shape, dtype=np.float32) >= p


class Dropout(Function):
    """y = x · keep_mask / (1 − p), for 0 <= p < 1."""

    def __init__(self, p: float, seed: int = 0) -> None:
        self.p, self.seed = p, seed

    def forward(self, x):
        """Return x · mask / (1 − p) with mask = keep_mask(x.shape, self.p, self.seed);
        keep what backward needs."""
        raise NotImplementedError("write Dropout.forward: return x * mask / (1 - p)")

    def backward(self, grad_output):
        """Return dL/dx, of x's shape."""
        raise NotImplementedError("write Dropout.backward: return dL/dx")
