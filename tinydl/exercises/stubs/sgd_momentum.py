"""Exercise: one step of SGD with momentum.

Plain gradient descent moves each parameter θ against its gradient g: θ ← θ − lr·g.
Momentum keeps a velocity b, a running sum of past gradients that decays by μ each step,
and moves along it, which smooths the zig-zag of noisy gradients:

    first step:   b ← g
    later steps:  b ← μ·b + g
    every step:   θ ← θ − lr·b

This is PyTorch's rule (``torch.optim.SGD(momentum=μ)``) and tinydl's
(``tinydl.optim.SGD``); the checker runs yours beside tinydl's on the same gradients for
a few steps and compares the parameters after each.

Write ``update``: it receives one parameter's array ``param``, its gradient ``grad`` and a
dict ``state`` that belongs to that parameter and survives from step to step (empty on the
first step): keep the velocity there, e.g. ``state["velocity"]``.

Two rules of the optimiser (see tinydl/optim/optimizer.py):
- update ``param`` IN PLACE (``param -= ...``): ``param = param - ...`` only rebinds the local
  name and the model never changes;
- never modify ``grad`` (the backward pass may share one gradient array between several
  parameters): copy it before changing it in place (``grad.copy()``).

Check your work:   tinydl exercises check sgd_momentum
"""

from tinydl.optim import Optimizer


class SGDMomentum(Optimizer):
    """SGD with momentum: b ← μ·b + g (b = g at first), θ ← θ − lr·b."""

    def __init__(self, params, lr: float, momentum: float = 0.9) -> None:
        super().__init__(params, lr=lr, momentum=momentum)  # now self.lr, self.momentum

    def update(self, param, grad, state) -> None:
        """Update ``param`` in place from ``grad``, keeping the velocity in ``state``."""
        raise NotImplementedError("write SGDMomentum.update: one momentum step, param in place")
