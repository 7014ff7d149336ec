"""Exercise: one step of SGD with momentum.

Plain gradient descent moves each parameter θ against its gradient g: θ ← θ − lr·g.
Momentum moves along a velocity b instead, a running sum of all past gradients in which
each older gradient counts μ times less than the next newer one:

    b_t = g_t + μ·g_{t−1} + μ²·g_{t−2} + ... + μ^{t−1}·g_1        (step t)
    θ ← θ − lr·b_t                                                   (every step)

which smooths the zig-zag of noisy gradients. This is PyTorch's rule
(``torch.optim.SGD(momentum=μ)``) and tinydl's (``tinydl.optim.SGD``); the checker runs
yours beside tinydl's on the same gradients for a few steps and compares the parameters
after each.

Task: write ``update``, without keeping the list of all past gradients: derive how b_t
follows from b_{t−1} and the new gradient. It receives one parameter's array ``param``, its
gradient ``grad`` and a dict ``state`` that belongs to that parameter and survives from step
to step (empty on the first step): keep the velocity there, e.g. ``state["velocity"]``.

Two rules of the optimiser (see tinydl/optim/optimizer.py):
- update ``param`` IN PLACE (``param -= ...``): ``param = param - ...`` only rebinds the local
  name and the model never changes;
- never modify ``grad`` (the backward pass may share one gradient array between several
  parameters): copy it before changing it in place (``grad.copy()``).

Stuck? The next of three hints:   tinydl exercises hint sgd_momentum
Check your work:   tinydl exercises check sgd_momentum
"""

from tinydl.optim import Optimizer


class SGDMomentum(Optimizer):
    """SGD with momentum μ: θ ← θ − lr·b, b the μ-discounted sum of all gradients so far."""

    def __init__(self, params, lr: float, momentum: float = 0.9) -> None:
        super().__init__(params, lr=lr, momentum=momentum)  # now self.lr, self.momentum

    def update(self, param, grad, state) -> None:
        """Update ``param`` in place from ``grad``, keeping the velocity in ``state``."""
        raise NotImplementedError("write SGDMomentum.update: one momentum step, param in place")
