"""Exercise: the backward pass of softmax cross-entropy, the classification loss.

For logits x (N, C) (N samples, C classes) and integer labels y (N,):

    pₙ = softmax(xₙ),   p_nc = e^{x_nc} / Σₖ e^{x_nk}        (each row sums to 1)
    L  = (1/N) Σₙ −log p_{n, yₙ}                             (the mean over the N samples)

Task: write ``backward``. It receives g, the (single-number) gradient of the final loss with
respect to L, and returns dL/dx, of shape (N, C). Derive it for one sample first: write
−log p_{n,yₙ} with the logits alone and differentiate. The result is surprisingly simple.

The forward pass (stable: the row maximum is subtracted before e^x, so it cannot overflow)
keeps the probabilities p as ``self.probs`` (N, C) and the labels as ``self.labels``.
Index one element per row with ``a[xp.arange(N), labels]``.

Stuck? The next of three hints:   tinydl exercises hint softmax_cross_entropy
Check your work:   tinydl exercises check softmax_cross_entropy
"""

from tinydl import Function, backend


class SoftmaxCrossEntropy(Function):
    """L = mean over samples of −log softmax(x)[label], for logits x (N, C)."""

    def __init__(self, labels) -> None:
        self.labels = labels  # integer class labels (N,), each in [0, C)

    def forward(self, logits):
        """Return L; keep the probabilities as ``self.probs``."""
        # given: start (at --level full you write this)
        xp = backend.array_module(logits)
        shifted = logits - logits.max(axis=1, keepdims=True)  # e^x never overflows
        log_probs = shifted - xp.log(xp.exp(shifted).sum(axis=1, keepdims=True))
        self.probs = xp.exp(log_probs)
        rows = xp.arange(len(self.labels))
        return -log_probs[rows, self.labels].mean()
        # given: end

    def backward(self, grad_output):
        """Return dL/dlogits, of shape (N, C)."""
        raise NotImplementedError("write SoftmaxCrossEntropy.backward: return dL/dlogits")
