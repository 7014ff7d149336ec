"""``torch.nn.modules.linear``'s classes: tinydl's, under PyTorch's module path."""

from tinydl.nn.linear import Linear

# PyTorch's subclass of Linear that only guards against dynamic quantisation, which
# tinydl does not do (MultiheadAttention's out_proj is one).
NonDynamicallyQuantizableLinear = Linear

__all__ = ["Linear", "NonDynamicallyQuantizableLinear"]
