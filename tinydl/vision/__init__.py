"""Layer 8, a front: torchvision's ``datasets``, ``transforms``, ``utils`` and ``models`` over
tinydl's data layer and layers.

``from tinydl.vision import datasets, models, transforms, utils`` stands where PyTorch code
has ``from torchvision import datasets, models, transforms, utils``.
"""

from tinydl.vision import datasets, models, transforms, utils

__all__ = ["datasets", "models", "transforms", "utils"]
