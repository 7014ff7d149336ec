"""Dropout: randomly zero units during training so the network cannot rely on any one of
them (a cheap ensemble of thinned networks)."""

from __future__ import annotations

import warnings

import numpy as np

from tinydl import backend, check, random
from tinydl.autograd.function import Function
from tinydl.autograd.tensor import Tensor
from tinydl.autograd.tensor_checks import floating


class Dropout(Function):
    """Inverted dropout: y = x · m / (1 − p), where each mᵢ is 1 with probability 1 − p
    (the unit is kept) and 0 with probability p. Dividing the kept units by 1 − p keeps
    E[y] = x, so evaluation uses the network unchanged.

    dy/dx = m / (1 − p): the gradient flows through the kept units only, scaled alike.

    With ``mask_shape`` (e.g. (N, C, 1, 1) for channel dropout) one mᵢ is drawn per entry
    of that shape and broadcast over the rest: whole feature maps are kept or dropped.
    """

    def __init__(self, p: float, mask_shape: tuple[int, ...] | None = None) -> None:
        self.p, self.mask_shape = p, mask_shape

    def forward(self, x):
        # Uniforms drawn on the host generator (seeded, identical on every device) in
        # float32 whatever x's dtype: the same seed then gives the same mask in float32 and
        # float64. Only the boolean mask travels to the device.
        shape = x.shape if self.mask_shape is None else self.mask_shape
        keep = random.generator().random(shape, dtype=np.float32) >= self.p
        keep = backend.to_device(keep, backend.device_of(x))
        # bool → x.dtype before scaling: bool * Python float would be float64.
        self.scaled_mask = keep.astype(x.dtype) * (1.0 / (1.0 - self.p))
        return x * self.scaled_mask

    def backward(self, gy):
        return gy * self.scaled_mask


def dropout(x: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Zero each element of ``x`` with probability ``p`` and scale the rest by 1/(1 − p)
    while ``training``; return ``x`` itself otherwise or when ``p`` is 0.

    ``p`` may be anything in [0, 1]. ``p = 1`` drops every unit and returns zeros (with a
    zero gradient), as PyTorch does, rather than dividing by 1 − p = 0. Masks come from
    ``tinydl.random`` so ``tinydl.random.manual_seed`` makes them repeatable.
    """
    p = check.probability("dropout()", "p", p)
    floating("dropout()", "x", x)
    if not training or p == 0:
        return x
    if p == 1:
        return x * 0.0
    return Dropout(p)(x)


def dropout2d(x: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Channel dropout (PyTorch's ``F.dropout2d``): zero each whole feature map ``x[n, c]``
    of an (N, C, H, W) batch with probability ``p``, scaling the kept ones by 1/(1 − p),
    while ``training``. Neighbouring pixels of a map are strongly correlated, so dropping
    single pixels (``dropout``) hardly regularises a convolution; dropping maps does.

    Other ranks are handled as PyTorch 2 handles them, with its warnings: a 3-D input is
    taken as (N, C, L) (whole rows dropped), a 2-D (N, C) input drops single values (each
    "map" is one value) and 5-D or more drops x[n, c] whole; a 1-D input is refused.
    """
    p = check.probability("dropout2d()", "p", p)
    floating("dropout2d()", "x", x, "(N, C, ...)")
    if x.ndim == 3:
        warnings.warn(
            f"dropout2d() got a 3-D input of shape {x.shape} and, as PyTorch does, takes it "
            f"as (N, C, L), dropping whole rows x[n, c] (channel dropout of sequences); for "
            f"one unbatched (C, H, W) image, add the batch axis: x[None]", UserWarning,
            stacklevel=2,
        )
    elif x.ndim != 4:
        warnings.warn(
            f"dropout2d() got a {x.ndim}-D input of shape {x.shape}; it is meant for (N, C, H, W) "
            f"feature maps. As PyTorch does, it drops each x[n, c] whole (for 2-D input that is "
            f"one value: plain dropout, which says so better)", UserWarning, stacklevel=2,
        )
    if not training or p == 0:
        return x
    if p == 1:
        return x * 0.0
    return Dropout(p, mask_shape=(*x.shape[:2], *(1,) * (x.ndim - 2)))(x)
