"""Solution of the exercise: the backward pass of a matrix product.

    Y = A @ B,   A (N, K),  B (K, M),  Y (N, M),   Y[n, m] = Σₖ A[n, k] · B[k, m]

``backward`` receives G = dL/dY, of Y's shape (N, M), and returns dL/dA and dL/dB.
A[n, k] appears in row n of Y, multiplied by B[k, m] in Y[n, m] for every m, so

    dL/dA[n, k] = Σₘ G[n, m] · B[k, m]      that is   dL/dA = G @ Bᵀ    (N, M)(M, K) -> (N, K)
    dL/dB[k, m] = Σₙ A[n, k] · G[n, m]      that is   dL/dB = Aᵀ @ G    (K, N)(N, M) -> (K, M)

A gradient always has the shape of what it is the gradient of, so when in doubt, let the
shapes tell you where the transposes go. (``x.T`` transposes a 2-D array.)

The forward pass is written for you; it keeps A and B.

Check your work:   tinydl exercises check matmul
"""

from tinydl import Function


class MatMul(Function):
    """Y = A @ B for 2-D A (N, K) and B (K, M)."""

    def forward(self, a, b):
        self.a, self.b = a, b
        return a @ b

    def backward(self, grad_output):
        """Return (dL/dA, dL/dB), of shapes (N, K) and (K, M)."""
        grad_a = grad_output @ self.b.T
        grad_b = self.a.T @ grad_output
        return grad_a, grad_b
