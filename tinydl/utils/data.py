"""``torch.utils.data``'s names for tinydl's own data classes (the same objects, not copies):
``DataLoader``, ``Dataset``, ``TensorDataset`` and ``Subset``."""

from tinydl.data import DataLoader, Dataset, Subset, TensorDataset

__all__ = ["DataLoader", "Dataset", "Subset", "TensorDataset"]
