"""``torch.nn.modules.module``'s classes: tinydl's, under PyTorch's module path."""

from tinydl.nn.module import Module

__all__ = ["Module"]
