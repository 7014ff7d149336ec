"""torchvision's ``models``: the ResNets a learner program builds from scratch
(``torchvision.models.resnet18(weights=None)``), with torchvision's architecture and names."""

from tinydl.vision.models import resnet
from tinydl.vision.models.resnet import ResNet, resnet18, resnet34

__all__ = ["ResNet", "resnet", "resnet18", "resnet34"]
