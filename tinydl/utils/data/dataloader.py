"""``torch.utils.data.dataloader``: ``DataLoader`` under PyTorch's module path."""

from tinydl.data.loader import DataLoader

__all__ = ["DataLoader"]
