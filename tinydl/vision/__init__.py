"""Layer 8, a front: torchvision's ``datasets`` and ``transforms`` over tinydl's data layer.

``from tinydl.vision import datasets, transforms`` stands where PyTorch code has
``from torchvision import datasets, transforms``.
"""

from tinydl.vision import datasets, transforms

__all__ = ["datasets", "transforms"]
