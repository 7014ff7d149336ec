"""``torch.nn.modules.sparse``'s classes: tinydl's, under PyTorch's module path."""

from tinydl.nn.embedding import Embedding

__all__ = ["Embedding"]
