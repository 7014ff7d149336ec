"""Exercise: the backward pass of scaled dot-product attention.

Attention lets each of T queries gather information from S positions. With queries
Q (T, d), keys K (S, d) and values V (S, e):

    A = Q Kᵀ / √d                 (T, S): how well query t matches key s
    P = softmax(A), row by row    (T, S): each row sums to 1
    Y = P V                       (T, e): each output row is a weighted mean of V's rows

This is ``torch.nn.functional.scaled_dot_product_attention`` for one head, no batch, no mask.

Task: write ``backward``. It receives G = dL/dY (T, e) and returns (dL/dQ, dL/dK, dL/dV), of
shapes (T, d), (S, d) and (S, e). Derive them, going back through the three lines above.
Two are matrix products, which you know from matmul. The softmax is the new part: each
P[t, s] depends on every score A[t, ·] of its row, not on A[t, s] alone.

The forward pass (stable: the row maximum is subtracted before e^x) keeps ``self.q``,
``self.k``, ``self.v``, the probabilities ``self.p`` (T, S) and ``self.scale`` = 1/√d.

Stuck? The next of three hints:   tinydl exercises hint attention
Check your work:   tinydl exercises check attention
"""

import math

from tinydl import Function, backend


class Attention(Function):
    """Y = softmax(Q Kᵀ / √d) V, the softmax over each row."""

    def forward(self, q, k, v):
        """Return Y (T, e); keep the inputs, ``self.p`` and ``self.scale``."""
        # given: start (at --level full you write this)
        xp = backend.array_module(q)
        self.scale = 1 / math.sqrt(q.shape[1])
        scores = (q @ k.T) * self.scale  # (T, S)
        scores = scores - scores.max(axis=1, keepdims=True)  # a shift leaves softmax unchanged
        e = xp.exp(scores)
        self.p = e / e.sum(axis=1, keepdims=True)
        self.q, self.k, self.v = q, k, v
        return self.p @ v
        # given: end

    def backward(self, grad_output):
        """Return (dL/dQ, dL/dK, dL/dV), of shapes (T, d), (S, d) and (S, e)."""
        raise NotImplementedError("write Attention.backward: return (dL/dQ, dL/dK, dL/dV)")
