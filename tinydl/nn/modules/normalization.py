"""``torch.nn.modules.normalization``'s classes: tinydl's, under PyTorch's module path."""

from tinydl.nn.layer_norm import LayerNorm

__all__ = ["LayerNorm"]
