"""``torch.utils.data.dataset``: the dataset classes under PyTorch's module path."""

from tinydl.data.dataset import Dataset, Subset, TensorDataset

__all__ = ["Dataset", "Subset", "TensorDataset"]
