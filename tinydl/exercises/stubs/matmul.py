"""Exercise: the backward pass of a matrix product.

    Y = A @ B,   A (N, K),  B (K, M),  Y (N, M),   Y[n, m] = Σₖ A[n, k] · B[k, m]

Task: write ``backward``. It receives G = dL/dY, of Y's shape (N, M), and returns dL/dA,
of A's shape (N, K), and dL/dB, of B's shape (K, M). Derive both: start from one element,
A[n, k], and find every element of Y it reaches.

The forward pass keeps A and B (``self.a``, ``self.b``). ``x.T`` transposes a 2-D array.

Stuck? The next of three hints:   tinydl exercises hint matmul
Check your work:   tinydl exercises check matmul
"""

from tinydl import Function


class MatMul(Function):
    """Y = A @ B for 2-D A (N, K) and B (K, M)."""

    def forward(self, a, b):
        """Return A @ B; keep A and B as ``self.a`` and ``self.b``."""
        # given: start (at --level full you write this)
        self.a, self.b = a, b
        return a @ b
        # given: end

    def backward(self, grad_output):
        """Return (dL/dA, dL/dB), of shapes (N, K) and (K, M)."""
        raise NotImplementedError("write MatMul.backward: return (dL/dA, dL/dB)")
