"""PyTorch's ``torch.nn.utils``: gradient clipping (``clip_grad_norm_``,
``clip_grad_value_``). ``tinydl.optim`` offers the same functions."""

from tinydl.nn.utils.clip_grad import clip_grad_norm_, clip_grad_value_

__all__ = ["clip_grad_norm_", "clip_grad_value_"]
