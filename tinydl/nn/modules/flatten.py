"""``torch.nn.modules.flatten``'s classes: tinydl's, under PyTorch's module path."""

from tinydl.nn.linear import Flatten

__all__ = ["Flatten"]
