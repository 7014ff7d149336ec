"""``torch.nn.modules.dropout``'s classes: tinydl's, under PyTorch's module path."""

from tinydl.nn.normalization import Dropout, Dropout2d

__all__ = ["Dropout", "Dropout2d"]
