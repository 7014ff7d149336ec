"""``torch.utils.data``'s names for tinydl's own data classes (the same objects, not copies):
``DataLoader``, ``Dataset``, ``TensorDataset``, ``Subset`` and the samplers, also under
PyTorch's module paths (``from torch.utils.data.dataloader import DataLoader``,
``from torch.utils.data.distributed import DistributedSampler``)."""

from tinydl.data import DataLoader, Dataset, Subset, TensorDataset
from tinydl.utils.data import dataloader, dataset, distributed, sampler
from tinydl.utils.data.distributed import DistributedSampler
from tinydl.utils.data.sampler import *  # noqa: F403  (RandomSampler, BatchSampler, ...)

__all__ = [
    "DataLoader", "Dataset", "DistributedSampler", "Subset", "TensorDataset", "dataloader",
    "dataset", "distributed", "sampler",
    *sampler.__all__,
]
