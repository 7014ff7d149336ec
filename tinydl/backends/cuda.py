"""``torch.backends.cuda``: ``matmul.allow_tf32`` and its kin are accepted settings that
change nothing (CuPy computes float32 products in float32 unless its own ``CUPY_TF32``
environment variable says otherwise); ``is_built()`` says whether CuPy is installed."""

import importlib.util


class _MatmulSettings:
    """``torch.backends.cuda.matmul``: settings PyTorch's cuBLAS calls read."""

    allow_tf32 = False
    allow_fp16_reduced_precision_reduction = True
    allow_bf16_reduced_precision_reduction = True


matmul = _MatmulSettings()


def is_built() -> bool:
    """Whether tinydl can reach CUDA at all: CuPy is installed (a GPU may still be absent;
    ``tinydl.cuda.is_available()`` says whether one is usable)."""
    return importlib.util.find_spec("cupy") is not None
