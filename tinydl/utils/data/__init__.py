"""``torch.utils.data``'s names for tinydl's own data classes (the same objects, not copies):
``DataLoader``, ``Dataset``, ``TensorDataset``, ``Subset`` and the samplers, also under
PyTorch's module paths (``from torch.utils.data.dataloader import DataLoader``)."""

from tinydl.data import DataLoader, Dataset, Subset, TensorDataset
from tinydl.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)
from tinydl.utils.data import dataloader, dataset, sampler

__all__ = [
    "BatchSampler", "DataLoader", "Dataset", "RandomSampler", "Sampler", "SequentialSampler",
    "Subset", "SubsetRandomSampler", "TensorDataset", "WeightedRandomSampler", "dataloader",
    "dataset", "sampler",
]
