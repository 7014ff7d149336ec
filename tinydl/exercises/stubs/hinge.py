"""Exercise: the backward pass of the multiclass hinge (SVM) loss.

For scores s (N, C) and integer labels y (N,), each wrong class j should score at least
``margin`` below the correct class yₙ; every class that does not is penalised:

    Lₙ = Σ_{j ≠ yₙ} max(0, s_nj − s_nyₙ + margin)          L = (1/N) Σₙ Lₙ

Call class j "violating" in row n when s_nj − s_nyₙ + margin > 0.

Task: write ``backward``. It receives g, the (single-number) gradient of the final loss with
respect to L, and returns dL/ds, of shape (N, C). Derive it: which terms of Lₙ contain s_nj,
which contain s_nyₙ, and how many of them are not zero?

The forward pass keeps ``self.violating``, a boolean (N, C) array that is True where class j
violates (always False at the correct class), and ``self.labels``. Index one element per
row with ``a[xp.arange(N), labels]``; ``mask.astype(grad_output.dtype)`` turns booleans into
0.0 and 1.0.

Stuck? The next of three hints:   tinydl exercises hint hinge
Check your work:   tinydl exercises check hinge
"""

from tinydl import Function, backend


class MulticlassHinge(Function):
    """L = mean over samples of Σ_{j≠y} max(0, s_j − s_y + margin), for scores s (N, C)."""

    def __init__(self, labels, margin: float = 1.0) -> None:
        self.labels = labels  # integer class labels (N,), each in [0, C)
        self.margin = margin

    def forward(self, scores):
        """Return L; keep the violating classes as ``self.violating``."""
        # given: start (at --level full you write this)
        xp = backend.array_module(scores)
        rows = xp.arange(len(self.labels))
        correct = scores[rows, self.labels][:, None]  # (N, 1): each row's correct-class score
        margins = xp.maximum(scores - correct + self.margin, 0)
        margins[rows, self.labels] = 0  # the correct class is not compared with itself
        self.violating = margins > 0
        return margins.sum(axis=1).mean()
        # given: end

    def backward(self, grad_output):
        """Return dL/dscores, of shape (N, C)."""
        raise NotImplementedError("write MulticlassHinge.backward: return dL/dscores")
