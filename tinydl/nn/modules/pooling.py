"""``torch.nn.modules.pooling``'s classes: tinydl's, under PyTorch's module path."""

from tinydl.nn.conv import AdaptiveAvgPool2d, MaxPool2d

__all__ = ["AdaptiveAvgPool2d", "MaxPool2d"]
