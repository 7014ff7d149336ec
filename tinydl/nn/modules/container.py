"""``torch.nn.modules.container``'s classes: tinydl's, under PyTorch's module path."""

from tinydl.nn.container import Sequential
from tinydl.nn.module_containers import ModuleDict, ModuleList, ParameterDict, ParameterList

__all__ = ["ModuleDict", "ModuleList", "ParameterDict", "ParameterList", "Sequential"]
