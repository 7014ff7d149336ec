"""``torch.utils.data``'s names for tinydl's own data classes (the same objects, not copies):
``DataLoader``, ``Dataset``, ``TensorDataset``, ``Subset`` and the samplers, also under
PyTorch's module paths (``from torch.utils.data.dataloader import DataLoader``)."""

from tinydl.data import DataLoader, Dataset, Subset, TensorDataset
from tinydl.utils.data import dataloader, dataset, sampler
from tinydl.utils.data.sampler import *  # noqa: F403  (RandomSampler, BatchSampler, ...)

__all__ = [
    "DataLoader", "Dataset", "Subset", "TensorDataset", "dataloader", "dataset", "sampler",
    *sampler.__all__,
]
