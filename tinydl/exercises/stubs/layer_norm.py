"""Exercise: the backward pass of layer normalisation.

Layer norm is what transformers use instead of batch norm: each sample (row) of x (N, D) is
standardised over its own D features, so it does not depend on the rest of the batch; then
it is scaled and shifted by learned γ (D,) and β (D,), one per feature:

    μₙ = (1/D) Σⱼ x_nj,     σₙ² = (1/D) Σⱼ (x_nj − μₙ)²,     σ̂ₙ = √(σₙ² + ε)
    x̂_nj = (x_nj − μₙ) / σ̂ₙ,     y_nj = γⱼ · x̂_nj + βⱼ

This is ``torch.nn.LayerNorm(D)`` on a 2-D input.

Task: write ``backward``. It receives g = dL/dy (N, D) and returns (dL/dx, dL/dγ, dL/dβ), of
shapes (N, D), (D,) and (D,). Derive all three. If you did batch_norm, compare: which axis
are the statistics taken over now, and is γ still constant along it?

The forward pass keeps ``self.x_hat`` (N, D), ``self.inv_std`` (1/σ̂, shape (N, 1)) and
``self.gamma`` (D,).

Stuck? The next of three hints:   tinydl exercises hint layer_norm
Check your work:   tinydl exercises check layer_norm
"""

from tinydl import Function, backend


class LayerNorm(Function):
    """y = γ · (x − μ)/√(σ² + ε) + β, with μ, σ² the statistics of each row of x."""

    def __init__(self, eps: float = 1e-5) -> None:
        self.eps = eps

    def forward(self, x, gamma, beta):
        """Return y; keep ``self.x_hat``, ``self.inv_std`` and ``self.gamma``."""
        # given: start (at --level full you write this)
        xp = backend.array_module(x)
        mean = x.mean(axis=-1, keepdims=True)  # (N, 1)
        centered = x - mean
        variance = (centered * centered).mean(axis=-1, keepdims=True)  # biased, divided by D
        self.inv_std = 1 / xp.sqrt(variance + self.eps)  # (N, 1)
        self.x_hat = centered * self.inv_std  # (N, D)
        self.gamma = gamma
        return gamma * self.x_hat + beta
        # given: end

    def backward(self, grad_output):
        """Return (dL/dx, dL/dgamma, dL/dbeta), of shapes (N, D), (D,) and (D,)."""
        raise NotImplementedError("write LayerNorm.backward: return (dL/dx, dL/dgamma, dL/dbeta)")
