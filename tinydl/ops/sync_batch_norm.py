"""Synchronised batch normalisation: batch norm whose statistics are those of the whole
batch, every rank's share of it together, as one process with the whole batch would
compute them. The maths is :class:`~tinydl.ops.normalization.BatchNormTrain`'s; only the
sums run over every rank (an all-reduce each)."""

from __future__ import annotations

from tinydl import backend
from tinydl import distributed as dist
from tinydl.autograd.tensor import Tensor
from tinydl.ops.normalization import BatchNormTrain, _channel_axes


def _summed_over_ranks(array):
    """``array`` added up element-wise over every rank (one all-reduce)."""
    total = Tensor(array)
    dist.all_reduce(total)
    return total.array


class SyncBatchNormTrain(BatchNormTrain):
    """Training-mode batch norm of x (N, C, …) with the statistics of every rank's batch.
    With n = Σ over ranks of each rank's values per channel:

        μ = (Σ x) / n,   σ = √((Σ (x − μ)²) / n + ε),   x̂ = (x − μ) / σ,   y = γ·x̂ + β,

    the sums running over all ranks (two all-reduces; the second after μ is known, the
    same two passes one process makes). Backward, with g = dL/dy:

        dx = (1/n) · γ/σ · (n·g − Σg − x̂·Σ(g·x̂))   (sums over all ranks: x on this rank
                                                     moves μ and σ, which every rank uses),
        dγ = Σ g·x̂,   dβ = Σ g                       (sums over this rank only: they are
                                                     gradients of parameters, which
                                                     DistributedDataParallel averages).

    The running statistics are updated as in PyTorch, with the whole batch's mean and
    unbiased variance, so they are the same on every rank.
    """

    def forward(self, x, gamma, beta):
        xp = backend.array_module(x)
        self.axes, shape = _channel_axes(x)
        local_count = xp.full(1, x.size // x.shape[1], dtype=x.dtype)
        sums = _summed_over_ranks(xp.concatenate([x.sum(axis=self.axes), local_count]))
        self.n = float(sums[-1])  # one number read back: the global count
        mean = (sums[:-1] / self.n).reshape(shape)
        centered = x - mean
        var = (_summed_over_ranks((centered * centered).sum(axis=self.axes)) / self.n)
        self.inv_std = 1 / xp.sqrt(var.reshape(shape) + self.eps)
        self.x_hat = centered * self.inv_std
        self.gamma = gamma.reshape(shape)
        self.update_running_statistics(mean, var)
        return self.x_hat * self.gamma + beta.reshape(shape)

    def backward(self, gy):
        xp = backend.array_module(gy)
        sum_g = gy.sum(axis=self.axes)
        sum_g_x_hat = (gy * self.x_hat).sum(axis=self.axes)
        both = _summed_over_ranks(xp.concatenate([sum_g, sum_g_x_hat]))
        _, shape = _channel_axes(gy)
        all_g, all_g_x_hat = (part.reshape(shape) for part in xp.split(both, 2))
        n = self.n
        gx = (self.gamma * self.inv_std / n) * (n * gy - all_g - self.x_hat * all_g_x_hat)
        return gx, sum_g_x_hat, sum_g
