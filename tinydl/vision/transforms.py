"""torchvision's ``transforms``: ``Compose``, ``ToTensor``, ``Normalize``, with its semantics.

A transform is called on one sample, as in torchvision: ``ToTensor()(image)`` turns a
uint8 ``(H, W)`` or ``(H, W, C)`` image into a float32 ``(C, H, W)`` Tensor in [0, 1].
Each transform here can also run on a whole batch at once, ``apply_batch(images)``, on a
host NumPy array with the samples stacked on a new first axis; the datasets of
:mod:`tinydl.vision.datasets` use that path when every transform in the chain has it
(``is_batchable``), so a DataLoader gathers a batch with a few array operations instead
of one Python call per image. Calling a transform on one sample is the reference the
batch path is tested against.

``apply_batch`` may overwrite the array it is given and return it: the datasets hand it
a fresh copy of the batch (their indexing copies), and working in place spares a
batch-sized allocation per step, which was measured to cost more than the arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tinydl import backend
from tinydl.autograd.default_dtype import get_default_dtype
from tinydl.autograd.tensor import Tensor


def is_batchable(transform: Any) -> bool:
    """Whether ``transform`` can run on a whole batch (it has ``apply_batch``)."""
    return bool(getattr(transform, "batchable", False))


class Compose:
    """Apply ``transforms`` one after the other: ``Compose([ToTensor(), Normalize(...)])``."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        if isinstance(transforms, (str, bytes)) or not isinstance(transforms, Sequence):
            raise TypeError(
                f"Compose needs a list of transforms, got {type(transforms).__name__}"
            )
        for position, transform in enumerate(transforms):
            if not callable(transform):
                raise TypeError(
                    f"Compose needs callable transforms, but item {position} is "
                    f"{type(transform).__name__}"
                )
        self.transforms = list(transforms)

    @property
    def batchable(self) -> bool:
        return all(is_batchable(transform) for transform in self.transforms)

    def __call__(self, sample: Any) -> Any:
        for transform in self.transforms:
            sample = transform(sample)
        return sample

    def apply_batch(self, batch: np.ndarray) -> np.ndarray:
        for transform in self.transforms:
            batch = transform.apply_batch(batch)
        return batch

    def __repr__(self) -> str:
        inner = "".join(f"\n    {transform!r}" for transform in self.transforms)
        return f"Compose({inner}\n)"


class ToTensor:
    """An image as a float32 ``(C, H, W)`` Tensor (on the host, like torchvision's).

    ``(H, W)`` images get one channel axis, ``(H, W, C)`` images are transposed to
    ``(C, H, W)``. uint8 pixels are scaled from 0-255 to [0, 1]; other dtypes keep their
    values. uint8 and float images come out in the default float dtype (float32 unless
    :func:`tinydl.set_default_dtype` says otherwise). PIL images work too, through NumPy.
    """

    batchable = True

    def __call__(self, pic: Any) -> Tensor:
        is_image = backend.is_array(pic) or hasattr(pic, "__array_interface__")  # PIL too
        if isinstance(pic, Tensor) or not is_image:
            raise TypeError(
                f"ToTensor needs an image as a NumPy array of shape (H, W) or (H, W, C), or a "
                f"PIL image, got {type(pic).__name__}"
            )
        image = backend.to_numpy(pic) if backend.is_array(pic) else np.asarray(pic)
        if image.ndim not in (2, 3):
            raise ValueError(
                f"ToTensor needs an image of shape (H, W) or (H, W, C), got shape {image.shape}"
            )
        return Tensor(self.apply_batch(image[None])[0])

    def apply_batch(self, images: np.ndarray) -> np.ndarray:
        """``(N, H, W)`` or ``(N, H, W, C)`` images as ``(N, C, H, W)``, scaled as above."""
        if images.ndim == 3:
            images = images[:, None]
        elif images.ndim == 4:
            images = np.ascontiguousarray(images.transpose(0, 3, 1, 2))
        else:
            raise ValueError(
                f"ToTensor needs images of shape (N, H, W) or (N, H, W, C), got shape "
                f"{images.shape}"
            )
        if images.dtype.kind == "f" or images.dtype == np.uint8:
            converted = images.astype(get_default_dtype())  # a new array: see the module doc
            if images.dtype == np.uint8:
                converted /= 255.0
            return converted
        return images.copy()

    def __repr__(self) -> str:
        return "ToTensor()"


class Normalize:
    """``(image - mean) / std`` per channel of a float ``(C, H, W)`` image (torchvision's).

    ``mean`` and ``std`` hold one value per channel, or one value for all channels. The
    image must be float already: put :class:`ToTensor` first.
    """

    batchable = True

    def __init__(self, mean: Sequence[float], std: Sequence[float], inplace: bool = False) -> None:
        self.mean, self.std = _channel_values(mean, "mean"), _channel_values(std, "std")
        if not (self.std != 0).all():
            raise ValueError(f"Normalize needs every std to be non-zero, got std={std!r}")
        self.inplace = inplace  # accepted for torchvision's signature; a new array is made

    def __call__(self, image: Any) -> Tensor:
        array = image.array if isinstance(image, Tensor) else image
        if not backend.is_array(array) or array.ndim < 3:
            found = (
                f"shape {tuple(array.shape)}" if backend.is_array(array) else type(image).__name__
            )
            raise TypeError(
                f"Normalize needs a float image tensor of shape (C, H, W) (put ToTensor() "
                f"first), got {found}"
            )
        batch = array.reshape(-1, *array.shape[-3:]).copy()  # the caller's image stays as it is
        return Tensor(self.apply_batch(batch).reshape(array.shape))

    def apply_batch(self, images: Any) -> Any:
        """``(N, C, H, W)`` float images, normalised channel by channel in place."""
        if images.dtype.kind != "f":
            raise TypeError(
                f"Normalize needs float images, got {images.dtype}: put ToTensor() before it"
            )
        images -= self._per_channel(self.mean, images)
        images /= self._per_channel(self.std, images)
        return images

    def _per_channel(self, values: np.ndarray, images: Any) -> Any:
        """One Python float, or an array in the images' dtype and on their device shaped
        ``(1, C, 1, 1)`` (no float64 value may upcast float32 images)."""
        if values.size == 1:
            return float(values[0])
        channels = images.shape[1]
        if values.size != channels:
            raise ValueError(
                f"Normalize has {values.size} values of mean/std, but the images have "
                f"{channels} channels: give one value per channel, or one for all"
            )
        shaped = values.astype(images.dtype).reshape(1, channels, 1, 1)
        return backend.array_module(images).asarray(shaped)

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean.tolist()}, std={self.std.tolist()})"


def _channel_values(values: Any, name: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        array = np.empty(0)
    if array.size == 0 or not np.isfinite(array).all():
        raise ValueError(
            f"Normalize needs {name} as a sequence of numbers, one per channel, got {values!r}"
        )
    return array
