"""``torch.nn.modules.batchnorm``'s classes: tinydl's, under PyTorch's module path."""

from tinydl.nn.normalization import BatchNorm1d, BatchNorm2d

__all__ = ["BatchNorm1d", "BatchNorm2d"]
