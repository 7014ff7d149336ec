"""Layer 8, a front: torchvision's ``datasets``, ``transforms`` and ``utils`` over tinydl's
data layer.

``from tinydl.vision import datasets, transforms, utils`` stands where PyTorch code has
``from torchvision import datasets, transforms, utils``.
"""

from tinydl.vision import datasets, transforms, utils

__all__ = ["datasets", "transforms", "utils"]
