"""Exercise: one step of the Adam optimiser.

Adam keeps, per parameter element, running means of the gradient g and of its square, both
starting at 0, and divides one by the square root of the other, so that every element takes
steps of about lr whatever the scale of its gradient. At step t = 1, 2, 3, ...:

    m ← β₁·m + (1 − β₁)·g                 (running mean of g)
    v ← β₂·v + (1 − β₂)·g²                (running mean of g², element-wise)
    θ ← θ − lr · m̂ / (√v̂ + ε)

where m̂ and v̂ are m and v with their bias corrected. The bias: m and v start at 0, so in
the first steps they are far too small (after step 1, m is only (1 − β₁)·g, a tenth of g
for β₁ = 0.9). The correction is the one number per step that makes m̂ = g and v̂ = g²
exactly, at every step t, when the gradient g never changes. Derive it.

This is PyTorch's rule (``torch.optim.Adam``) and tinydl's (``tinydl.optim.Adam``); the
checker runs yours beside tinydl's on the same gradients for a few steps and compares the
parameters after each.

Task: write ``update``: it receives one parameter's array ``param``, its gradient ``grad``
and a dict ``state`` that belongs to that parameter and survives from step to step (empty
on the first step): keep m, v and the step count t there. ``xp = backend.array_module(param)``
is the array module (``xp.zeros_like``, ``xp.sqrt``).

Two rules of the optimiser (see tinydl/optim/optimizer.py):
- update ``param`` IN PLACE (``param -= ...``): ``param = param - ...`` only rebinds the local
  name and the model never changes;
- never modify ``grad`` (the backward pass may share one gradient array between several
  parameters).

Stuck? The next of three hints:   tinydl exercises hint adam
Check your work:   tinydl exercises check adam
"""

from tinydl import backend  # backend: for your update
from tinydl.optim import Optimizer


class Adam(Optimizer):
    """Adam: θ ← θ − lr · m̂ / (√v̂ + ε), with bias-corrected running means m̂ of g, v̂ of g²."""

    def __init__(
        self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8
    ) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps)  # now self.lr, self.betas, self.eps

    def update(self, param, grad, state) -> None:
        """Update ``param`` in place from ``grad``, keeping m, v and t in ``state``."""
        raise NotImplementedError("write Adam.update: one Adam step, param in place")
