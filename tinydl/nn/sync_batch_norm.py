"""``SyncBatchNorm``: batch norm over the whole batch of every rank (PyTorch's name).

Under ``DistributedDataParallel`` a plain ``BatchNorm`` normalises each rank's share of
the batch with that share's own mean and variance, so N ranks with batch B do not train
like one process with batch N·B, and each rank's running statistics describe its own
share (DistributedDataParallel then copies rank 0's to the others before each forward).
``SyncBatchNorm`` takes the statistics over every rank's share (two small all-reduces per
layer and forward, one per backward), and the equivalence holds again.
"""

from __future__ import annotations

from typing import Any

from tinydl import distributed as dist
from tinydl.autograd import Tensor
from tinydl.autograd.tensor_checks import floating
from tinydl.nn.module import Module
from tinydl.nn.normalization import _BatchNorm
from tinydl.ops.normalization import batch_norm
from tinydl.ops.sync_batch_norm import SyncBatchNormTrain


class SyncBatchNorm(_BatchNorm):
    """``SyncBatchNorm(num_features, eps=1e-5, momentum=0.1, affine=True,
    process_group=None)``: batch norm of (N, C) or (N, C, H, W) inputs whose training statistics are
    those of every rank's batch together. In evaluation, or without a process group of
    several ranks, it is plain batch norm."""

    layout = "(N, C) or (N, C, H, W)"

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1,
                 affine: bool = True, track_running_stats: bool = True,
                 process_group: Any = None) -> None:
        super().__init__(num_features, eps, momentum, affine)
        self.process_group = process_group

    def forward(self, x: Tensor) -> Tensor:
        floating("SyncBatchNorm", "input", x, self.layout)
        if not (self.training and dist.is_initialized() and dist.get_world_size() > 1):
            return batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                              self.training, self.momentum, self.eps)
        xp = x.device.xp
        gamma = self.weight if self.weight is not None else Tensor(xp.ones(x.shape[1], x.dtype))
        beta = self.bias if self.bias is not None else Tensor(xp.zeros(x.shape[1], x.dtype))
        return SyncBatchNormTrain(float(self.eps), float(self.momentum), self.running_mean.array,
                                  self.running_var.array)(x, gamma, beta)

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group: Any = None) -> Module:
        """``module`` with every BatchNorm layer inside it replaced by a SyncBatchNorm that
        keeps its parameters and running statistics (the module itself if it is one)."""
        if isinstance(module, _BatchNorm) and not isinstance(module, SyncBatchNorm):
            synced = cls(module.num_features, module.eps, module.momentum,
                         module.weight is not None, process_group=process_group)
            synced.weight, synced.bias = module.weight, module.bias
            synced.running_mean, synced.running_var = module.running_mean, module.running_var
            synced.training = module.training
            return synced
        for name, child in list(module.named_children()):
            converted = cls.convert_sync_batchnorm(child, process_group)
            if converted is not child:
                _replace_child(module, name, converted)
        return module


def _replace_child(parent: Module, name: str, child: Module) -> None:
    """Put ``child`` where ``parent`` holds the child called ``name`` ("attr" or "attr.i" for
    an entry of a list attribute; a bare number for Sequential's layers)."""
    attribute, _, index = name.rpartition(".")
    if not attribute and name.isdigit() and isinstance(getattr(parent, "layers", None), list):
        attribute, index = "layers", name
    if attribute:
        getattr(parent, attribute)[int(index)] = child
    else:
        setattr(parent, name, child)
