"""``torch.nn.modules.pooling``'s classes: tinydl's, under PyTorch's module path."""

from tinydl.nn.conv import MaxPool2d

__all__ = ["MaxPool2d"]
