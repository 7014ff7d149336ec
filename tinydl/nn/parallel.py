"""PyTorch's ``torch.nn.parallel`` names, so programs that wrap their model run unchanged.

``DataParallel`` runs the model on the one device its parameters are on. PyTorch's
copies the model to several GPUs, splits each batch between them and gathers the
outputs; the results are the same as one device computing the whole batch (the
gradients of the pieces add up to the batch's), so a pass-through is faithful, only
not faster. It is also what PyTorch does on a machine without GPUs.

``DistributedDataParallel`` (several processes, one model each, their gradients averaged)
lives in :mod:`tinydl.nn.distributed_data_parallel`; it is named here too, PyTorch's path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tinydl import check
from tinydl.nn.distributed_data_parallel import DistributedDataParallel
from tinydl.nn.module import Module


class DataParallel(Module):
    """``DataParallel(module, device_ids=None, output_device=None, dim=0)``: calls
    ``module`` on the whole batch on the module's own device. The wrapped model is
    ``.module``, so the state dict's names start with ``module.`` as in PyTorch
    (``model.module.state_dict()`` gives the bare names)."""

    def __init__(
        self, module: Module, device_ids: Sequence[Any] | None = None,
        output_device: Any = None, dim: int = 0,
    ) -> None:
        self.module = check.instance("DataParallel", "module", module, Module, "a Module")
        self.device_ids = list(device_ids) if device_ids is not None else []
        self.output_device = output_device
        self.dim = dim

    def forward(self, *inputs: Any, **options: Any) -> Any:
        return self.module(*inputs, **options)


__all__ = ["DataParallel", "DistributedDataParallel"]
