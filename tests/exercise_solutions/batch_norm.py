"""Solution of the exercise: the backward pass of batch normalisation (training mode).

For x (N, C), each feature (column) c is standardised over the N samples of the batch, then
scaled and shifted by learned γ (C,) and β (C,):

    μ = (1/N) Σₙ xₙ,     σ² = (1/N) Σₙ (xₙ − μ)²,     σ̂ = √(σ² + ε)
    x̂ = (x − μ) / σ̂,    y = γ · x̂ + β                (all per column)

Gradients, with g = dL/dy (N, C) and sums over the batch axis (axis 0):

    dL/dβ = Σₙ g                      (C,)
    dL/dγ = Σₙ g · x̂                  (C,)
    dL/dx = γ/σ̂ · (g − mean(g) − x̂ · mean(g · x̂))       (N, C); means over axis 0

Why the two extra terms: x̂ depends on x directly (the γ/σ̂ · g part), but also through μ
and σ̂, which every sample of the column changes. The path through μ subtracts the mean of
g; the path through σ̂ subtracts x̂ · mean(g · x̂). Forgetting them treats μ and σ̂ as
constants, the most common mistake. (Derive it: dμ/dxₙ = 1/N, dσ̂/dxₙ = x̂ₙ/N.)

The forward pass is written for you; it keeps ``self.x_hat`` (N, C), ``self.inv_std``
(1/σ̂, shape (C,)) and ``self.gamma`` (C,).

Check your work:   tinydl exercises check batch_norm
"""

from tinydl import Function, backend


class BatchNorm(Function):
    """y = γ · (x − μ)/√(σ² + ε) + β, with μ, σ² the batch statistics of each column of x."""

    def __init__(self, eps: float = 1e-5) -> None:
        self.eps = eps

    def forward(self, x, gamma, beta):
        xp = backend.array_module(x)
        mean = x.mean(axis=0)
        centered = x - mean
        variance = (centered * centered).mean(axis=0)  # the biased variance, divided by N
        self.inv_std = 1 / xp.sqrt(variance + self.eps)
        self.x_hat = centered * self.inv_std
        self.gamma = gamma
        return gamma * self.x_hat + beta

    def backward(self, grad_output):
        """Return (dL/dx, dL/dgamma, dL/dbeta), of shapes (N, C), (C,) and (C,)."""
        g = grad_output
        grad_beta = g.sum(axis=0)
        grad_gamma = (g * self.x_hat).sum(axis=0)
        n = len(g)
        grad_x = self.gamma * self.inv_std * (g - grad_beta / n - self.x_hat * (grad_gamma / n))
        return grad_x, grad_gamma, grad_beta
