"""PyTorch's ``torch.backends`` switches, which programs set on their first lines
(``torch.backends.cudnn.benchmark = True``, ``torch.backends.cuda.matmul.allow_tf32 =
True``) and probe (``torch.backends.mps.is_available()``). tinydl calls neither cuDNN nor
Apple's MPS: the switches are plain settings a program may read and write, and change
nothing; the probes answer truthfully."""

from tinydl.backends import cuda, cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]
