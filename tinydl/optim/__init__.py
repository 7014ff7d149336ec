"""Layer 5: optimisers that update parameters in place, on whichever device they live.

A training step, as in PyTorch::

    optimizer = Adam(model.parameters(), lr=1e-3)
    optimizer.zero_grad()          # forget the previous step's gradients
    loss.backward()                # fill each parameter's .grad
    clip_grad_norm_(model.parameters(), 1.0)   # optional
    optimizer.step()               # update the parameters from their gradients

Read :mod:`tinydl.optim.optimizer` first (the walk shared by all), then
:mod:`~tinydl.optim.sgd`; each rule is a short ``update`` with its equations
in comments.
"""

from tinydl.nn.utils.clip_grad import clip_grad_norm_, clip_grad_value_
from tinydl.optim import lr_scheduler
from tinydl.optim.adadelta import Adadelta
from tinydl.optim.adagrad import AdaGrad, Adagrad
from tinydl.optim.adam import Adam, AdamW
from tinydl.optim.lbfgs import LBFGS
from tinydl.optim.optimizer import Optimizer
from tinydl.optim.regularization import l1_penalty, l2_penalty
from tinydl.optim.rmsprop import RMSprop
from tinydl.optim.sgd import SGD, Momentum

__all__ = [
    "SGD", "AdaGrad", "Adadelta", "Adagrad", "Adam", "AdamW", "LBFGS", "Momentum", "Optimizer",
    "RMSprop",
    "clip_grad_norm_", "clip_grad_value_", "l1_penalty", "l2_penalty", "lr_scheduler",
]
