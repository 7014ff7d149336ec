"""Layers that behave differently in training and evaluation: Dropout and BatchNorm.
The maths, with derivatives, is in tinydl.ops.dropout and tinydl.ops.normalization."""

from __future__ import annotations

import numpy as np

from tinydl import check
from tinydl.autograd import Tensor
from tinydl.autograd.tensor_checks import tensor
from tinydl.nn.linear import new_parameter, on_device
from tinydl.nn.module import Buffer, Module
from tinydl.ops.dropout import dropout, dropout2d
from tinydl.ops.normalization import batch_norm


class Dropout(Module):
    """Zero each value with probability ``p`` while training, scaling the survivors by
    1/(1-p) so the expected output is unchanged; the identity in eval mode."""

    def __init__(self, p: float = 0.5) -> None:
        self.p = check.probability(type(self).__name__, "p", p)

    def forward(self, x: Tensor) -> Tensor:
        return dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class Dropout2d(Dropout):
    """Channel dropout for (N, C, H, W) feature maps, as PyTorch's ``nn.Dropout2d``: while
    training, zero each whole map with probability ``p`` and scale the others by
    1/(1-p); the identity in eval mode. Other ranks warn and are handled as PyTorch
    handles them (see :func:`tinydl.ops.dropout.dropout2d`)."""

    def forward(self, x: Tensor) -> Tensor:
        return dropout2d(x, self.p, self.training)


class _BatchNorm(Module):
    """Normalise each channel by the batch's mean and variance while training (and keep
    running averages of both), by the running averages in eval mode; then scale by
    ``weight`` (γ) and shift by ``bias`` (β). PyTorch's defaults and momentum convention:
    running = (1 - momentum)·running + momentum·batch."""

    layout = ""  # the input's shape, "(N, C)" or "(N, C, H, W)"
    # PyTorch's running variance is the batches' unbiased one (and a batch must hold two
    # values per channel); the Keras front's layers set False: Keras's is the biased one.
    unbiased_running_var = True

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1,
                 affine: bool = True) -> None:
        self.num_features = check.positive_int(type(self).__name__, "num_features", num_features)
        self.eps, self.momentum = eps, momentum
        self.weight = new_parameter(np.ones(num_features, dtype=np.float32)) if affine else None
        self.bias = new_parameter(np.zeros(num_features, dtype=np.float32)) if affine else None
        self.running_mean = Buffer(on_device(np.zeros(num_features, dtype=np.float32)))
        self.running_var = Buffer(on_device(np.ones(num_features, dtype=np.float32)))

    def forward(self, x: Tensor) -> Tensor:
        tensor(type(self).__name__, "input", x, self.layout)
        return batch_norm(
            x, self.running_mean, self.running_var, self.weight, self.bias,
            self.training, self.momentum, self.eps, self.unbiased_running_var,
        )

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"


class BatchNorm1D(_BatchNorm):
    """Batch norm for (N, C) inputs (after a Dense layer)."""

    layout = "(N, C)"


class BatchNorm2D(_BatchNorm):
    """Batch norm for (N, C, H, W) inputs, one mean and variance per channel."""

    layout = "(N, C, H, W)"


# PyTorch's spellings, the same classes
BatchNorm1d = BatchNorm1D
BatchNorm2d = BatchNorm2D
