"""Where PyTorch code looks for its data tools: ``tinydl.utils.data`` is ``torch.utils.data``."""

from tinydl.utils import data

__all__ = ["data"]
