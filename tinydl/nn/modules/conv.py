"""``torch.nn.modules.conv``'s classes: tinydl's, under PyTorch's module path."""

from tinydl.nn.conv import Conv2d
from tinydl.nn.conv_transpose import ConvTranspose2d

__all__ = ["Conv2d", "ConvTranspose2d"]
