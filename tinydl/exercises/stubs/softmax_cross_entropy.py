"""Exercise: the backward pass of softmax cross-entropy, the classification loss.

For logits x (N, C) (N samples, C classes) and integer labels y (N,):

    pₙ = softmax(xₙ),   p_nc = e^{x_nc} / Σ_k e^{x_nk}        (each row sums to 1)
    L  = (1/N) Σₙ −log p_{n, yₙ}                             (the mean over the N samples)

The derivative of one sample's loss −log p_{n,yₙ} with respect to its logits is
strikingly simple, "predicted minus wanted probabilities":

    d(−log p_{n,yₙ}) / dx_nc = p_nc − [c = yₙ]      ([c = yₙ] is 1 for the label, else 0)

and the mean over the batch multiplies every sample's gradient by 1/N. With g the
(single-number) gradient that backward receives:

    dL/dx = (p − onehot(y)) · g / N          -> shape (N, C), like x

The forward pass is written for you (stably: the row maximum is subtracted before e^x so it
cannot overflow); it keeps the probabilities p as ``self.probs`` and the labels as
``self.labels``. Index one element per row with ``a[xp.arange(N), labels]``.

Check your work:   tinydl exercises check softmax_cross_entropy
"""

from tinydl import Function, backend


class SoftmaxCrossEntropy(Function):
    """L = mean over samples of −log softmax(x)[label], for logits x (N, C)."""

    def __init__(self, labels) -> None:
        self.labels = labels  # integer class labels (N,), each in [0, C)

    def forward(self, logits):
        xp = backend.array_module(logits)
        shifted = logits - logits.max(axis=1, keepdims=True)  # e^x never overflows
        log_probs = shifted - xp.log(xp.exp(shifted).sum(axis=1, keepdims=True))
        self.probs = xp.exp(log_probs)
        rows = xp.arange(len(self.labels))
        return -log_probs[rows, self.labels].mean()

    def backward(self, grad_output):
        """Return dL/dlogits = (probs − onehot(labels)) · grad_output / N, of shape (N, C)."""
        raise NotImplementedError("write SoftmaxCrossEntropy.backward: return dL/dlogits")
