"""Exercise: the backward pass of batch normalisation (training mode).

For x (N, C), each feature (column) c is standardised over the N samples of the batch, then
scaled and shifted by learned γ (C,) and β (C,):

    μ = (1/N) Σₙ xₙ,     σ² = (1/N) Σₙ (xₙ − μ)²,     σ̂ = √(σ² + ε)
    x̂ = (x − μ) / σ̂,    y = γ · x̂ + β                (all per column)

Task: write ``backward``. It receives g = dL/dy (N, C) and returns (dL/dx, dL/dγ, dL/dβ), of
shapes (N, C), (C,) and (C,). Derive all three. Careful with dL/dx: μ and σ̂ are computed
from the whole column, so moving one xₙ moves them too.

The forward pass keeps ``self.x_hat`` (N, C), ``self.inv_std`` (1/σ̂, shape (C,)) and
``self.gamma`` (C,).

Stuck? The next of three hints:   tinydl exercises hint batch_norm
Check your work:   tinydl exercises check batch_norm
"""

from tinydl import Function, backend


class BatchNorm(Function):
    """y = γ · (x − μ)/√(σ² + ε) + β, with μ, σ² the batch statistics of each column of x."""

    def __init__(self, eps: float = 1e-5) -> None:
        self.eps = eps

    def forward(self, x, gamma, beta):
        """Return y; keep ``self.x_hat``, ``self.inv_std`` and ``self.gamma``."""
        # given: start (at --level full you write this)
        xp = backend.array_module(x)
        mean = x.mean(axis=0)
        centered = x - mean
        variance = (centered * centered).mean(axis=0)  # the biased variance, divided by N
        self.inv_std = 1 / xp.sqrt(variance + self.eps)
        self.x_hat = centered * self.inv_std
        self.gamma = gamma
        return gamma * self.x_hat + beta
        # given: end

    def backward(self, grad_output):
        """Return (dL/dx, dL/dgamma, dL/dbeta), of shapes (N, C), (C,) and (C,)."""
        raise NotImplementedError("write BatchNorm.backward: return (dL/dx, dL/dgamma, dL/dbeta)")
