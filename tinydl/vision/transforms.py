"""torchvision's ``transforms``, with its semantics: ``Compose``, ``ToTensor``, ``Normalize``,
``Resize``, ``CenterCrop``, ``RandomCrop``, ``RandomHorizontalFlip``, ``Grayscale``, ``Lambda``.

Two kinds of image, as in torchvision. A NumPy array stands where torchvision has a PIL
image: ``(H, W)`` or ``(H, W, C)``, usually uint8, what a dataset gives without a
transform (a PIL image is read as its array). A Tensor is ``(..., C, H, W)``, what
``ToTensor`` makes. The transforms of the picture (resize, crops, flip, grey) take
either kind and give back the same kind; ``Normalize`` needs a float Tensor.

Batches: each transform here but ``Lambda`` can also run on a whole batch at once,
``apply_batch(images)``, given what a call takes stacked on a new first axis (a NumPy
array ``(N, H, W[, C])`` of PIL-like images, or a Tensor ``(N, C, H, W)``) and giving the
same kind back. The datasets of :mod:`tinydl.vision.datasets` use that path when every
transform in the chain has it (``is_batchable``), so a DataLoader gathers a batch with a
few array operations instead of one Python call per image. Random transforms then draw one
choice per image, all at once. Calling a transform on one sample is the reference the batch
path is tested against.

Randomness comes from tinydl's generator (:func:`tinydl.manual_seed` makes it repeatable),
as torchvision's comes from ``torch.manual_seed``.

``apply_batch`` may overwrite the array it is given and return it: the datasets hand it
a fresh copy of the batch (their indexing copies), and working in place spares a
batch-sized allocation per step, which was measured to cost more than the arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import Enum
from typing import Any

import numpy as np

from tinydl import backend, check
from tinydl.autograd.default_dtype import get_default_dtype
from tinydl.autograd.tensor import Tensor
from tinydl.data import images as ops
from tinydl.data.transforms import Normalize
from tinydl.random import generator

__all__ = [
    "CenterCrop",
    "Compose",
    "Grayscale",
    "InterpolationMode",
    "Lambda",
    "Normalize",
    "RandomCrop",
    "RandomHorizontalFlip",
    "Resize",
    "ToTensor",
    "is_batchable",
]


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
            check.function("Compose", f"transforms[{position}]", transform)
        self.transforms = list(transforms)

    @property
    def batchable(self) -> bool:
        return all(is_batchable(transform) for transform in self.transforms)

    def __call__(self, sample: Any) -> Any:
        for transform in self.transforms:
            sample = transform(sample)
        return sample

    def apply_batch(self, batch: Any) -> Any:
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
        return Tensor(self.apply_batch(image[None]).array[0])

    def apply_batch(self, images: np.ndarray) -> Tensor:
        """``(N, H, W)`` or ``(N, H, W, C)`` images as an ``(N, C, H, W)`` Tensor, scaled as
        above."""
        if isinstance(images, Tensor):
            raise TypeError("ToTensor needs images as a NumPy array, got Tensor")
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
            return Tensor(converted)
        return Tensor(images.copy())

    def __repr__(self) -> str:
        return "ToTensor()"


class Lambda:
    """Apply a function of your own to each sample, as a transform: ``Lambda(lambda x: x * 2)``.

    It runs sample by sample: a chain with a ``Lambda`` takes the dataset's per-item path.
    """

    batchable = False

    def __init__(self, lambd: Callable[[Any], Any]) -> None:
        self.lambd = check.function("Lambda", "lambd", lambd)

    def __call__(self, image: Any) -> Any:
        return self.lambd(image)

    def __repr__(self) -> str:
        return "Lambda()"


# ---- transforms of the picture -------------------------------------------------------------


class ImageTransform:
    """Base of the transforms of the picture itself (resize, crops, flip, grey).

    A subclass writes :meth:`transform_planes` once, for ``(N, C, H, W)`` arrays; this
    class turns PIL-like arrays and Tensors, single or stacked, into that layout and the
    result back into the caller's kind. ``choices`` is how many independent random
    choices to draw: one per image on a batch, one in all on a single image (torchvision
    draws once per call, even for a Tensor with several leading dimensions).
    """

    batchable = True

    def __call__(self, image: Any) -> Any:
        planes, restore, pil_like = _as_planes(image, type(self).__name__, stacked=False)
        return restore(self.transform_planes(planes, 1, pil_like))

    def apply_batch(self, images: Any) -> Any:
        planes, restore, pil_like = _as_planes(images, type(self).__name__, stacked=True)
        return restore(self.transform_planes(planes, len(planes), pil_like))

    def transform_planes(self, images: Any, choices: int, pil_like: bool) -> Any:
        """``(N, C, H, W)`` images transformed (``pil_like``: they came as PIL-like arrays)."""
        raise NotImplementedError


def _as_planes(image: Any, who: str, stacked: bool) -> tuple[Any, Callable[[Any], Any], bool]:
    """``image`` as ``(N, C, H, W)``, a function turning a result back into its kind, and
    whether it is PIL-like (a NumPy array or PIL image rather than a Tensor)."""
    if isinstance(image, Tensor):
        array, batch_axes = image.array, 1 if stacked else 0
        if array.ndim < 2 + batch_axes or (stacked and array.ndim > 4):
            expected = "(N, C, H, W) or (N, H, W)" if stacked else "(..., C, H, W) or (H, W)"
            raise ValueError(f"{who} needs a Tensor image {expected}, got shape {array.shape}")
        has_channels = array.ndim >= 3 + batch_axes
        channels = array.shape[-3] if has_channels else 1
        planes = array.reshape(len(array) if stacked else -1, channels, *array.shape[-2:])
        keep = array.shape[:-3] if has_channels else array.shape[:-2]

        def restore_tensor(out: Any) -> Tensor:
            grey_without_axis = not has_channels and out.shape[1] == 1
            return Tensor(out.reshape(*keep, *out.shape[2 if grey_without_axis else 1 :]))

        return planes, restore_tensor, False
    if not (backend.is_array(image) or hasattr(image, "__array_interface__")):
        raise TypeError(
            f"{who} needs an image: a NumPy array (H, W) or (H, W, C) or a PIL image (as "
            f"a dataset gives before ToTensor), or a Tensor (..., C, H, W); got "
            f"{type(image).__name__}"
        )
    array = image if backend.is_array(image) else np.asarray(image)
    lead = 1 if stacked else 0
    if array.ndim not in (2 + lead, 3 + lead):
        expected = "(N, H, W) or (N, H, W, C)" if stacked else "(H, W) or (H, W, C)"
        raise ValueError(f"{who} needs a NumPy image {expected}, got shape {array.shape}")
    batch = array if stacked else array[None]
    channels_last = batch.ndim == 4
    planes = batch.transpose(0, 3, 1, 2) if channels_last else batch[:, None]

    def restore_pil_like(out: Any) -> Any:
        # One channel is PIL's "L" image, (H, W), unless the caller's image was (H, W, 1).
        if out.shape[1] == 1 and not (channels_last and planes.shape[1] == 1):
            out = out[:, 0]
        else:
            out = out.transpose(0, 2, 3, 1)
        return out if stacked else out[0]

    return planes, restore_pil_like, True


class InterpolationMode(Enum):
    """torchvision's interpolation names; tinydl's ``Resize`` offers ``BILINEAR``."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


class Resize(ImageTransform):
    """Resize to ``size``, bilinearly: ``(h, w)``, or an int for the shorter side (the other
    keeps the aspect ratio, rounded down, and at most ``max_size``).

    As in torchvision, a Tensor is antialiased when shrinking if ``antialias`` (the
    default; ``False`` gives plain bilinear interpolation, ``interpolate(...,
    align_corners=False)``), and a PIL-like NumPy image always is, because PIL always
    is. Integer images are computed in float32 and rounded back, as torchvision does with
    a uint8 Tensor; PIL computes 8-bit images in fixed point, rounding after each axis, so
    a PIL-like image's pixels may differ from PIL's by 1 grey level.
    """

    def __init__(
        self,
        size: int | Sequence[int],
        interpolation: InterpolationMode = InterpolationMode.BILINEAR,
        max_size: int | None = None,
        antialias: bool | None = True,
    ) -> None:
        self.size = _size_argument(size, "Resize", allow_one=True)
        if interpolation is not InterpolationMode.BILINEAR:
            raise ValueError(
                f"Resize: tinydl offers interpolation=InterpolationMode.BILINEAR only, got "
                f"{interpolation!r}"
            )
        if max_size is not None:
            if len(self.size) != 1:
                raise ValueError(
                    f"Resize: max_size applies when size is one number (the shorter side), "
                    f"but size is {size!r}"
                )
            if not check.is_int(max_size) or max_size <= self.size[0]:
                raise ValueError(
                    f"Resize: max_size must be an int larger than size={size!r}, got "
                    f"{max_size!r}"
                )
        if antialias is not None:
            check.flag("Resize", "antialias", antialias)
        self.interpolation, self.max_size = interpolation, max_size
        self.antialias = bool(antialias)  # torchvision reads None as False for tensors

    def output_size(self, height: int, width: int) -> tuple[int, int]:
        """The ``(height, width)`` an image of this size is resized to (torchvision's rule)."""
        if len(self.size) == 2:
            return self.size[0], self.size[1]
        short, long = sorted((height, width))
        new_short, new_long = self.size[0], int(self.size[0] * long / short)
        if self.max_size is not None and new_long > self.max_size:
            new_short, new_long = int(self.max_size * new_short / new_long), self.max_size
        return (new_short, new_long) if height <= width else (new_long, new_short)

    def transform_planes(self, images: Any, choices: int, pil_like: bool) -> Any:
        size = self.output_size(*images.shape[-2:])
        if size == images.shape[-2:]:
            return images
        return ops.resize(images, size, antialias=self.antialias or pil_like)

    def __repr__(self) -> str:
        size = self.size[0] if len(self.size) == 1 else tuple(self.size)
        return (
            f"Resize(size={size}, interpolation=bilinear, max_size={self.max_size}, "
            f"antialias={self.antialias})"
        )


class CenterCrop(ImageTransform):
    """The ``size`` (an int for a square, or ``(h, w)``) window at the centre of the image;
    an image smaller than that is first padded with zeros on all sides, as torchvision does."""

    def __init__(self, size: int | Sequence[int]) -> None:
        self.size = _size_argument(size, "CenterCrop")

    def transform_planes(self, images: Any, choices: int, pil_like: bool) -> Any:
        (height, width), (crop_height, crop_width) = images.shape[-2:], self.size
        if crop_height > height or crop_width > width:
            grow_y, grow_x = max(crop_height - height, 0), max(crop_width - width, 0)
            images = ops.pad(images, grow_x // 2, grow_y // 2, (grow_x + 1) // 2,
                             (grow_y + 1) // 2)
            height, width = images.shape[-2:]
        # Python's round, as torchvision: halves go to the even neighbour.
        top, left = round((height - crop_height) / 2), round((width - crop_width) / 2)
        return ops.crop(images, top, left, crop_height, crop_width)

    def __repr__(self) -> str:
        return f"CenterCrop(size={tuple(self.size)})"


class RandomCrop(ImageTransform):
    """A ``size`` window (an int for a square, or ``(h, w)``) at a random place.

    ``padding`` (an int for every side, ``(left/right, top/bottom)`` or ``(left, top,
    right, bottom)``) is added first, filled with ``fill`` (one value, or one per channel)
    or by ``padding_mode`` ``"edge"``, ``"reflect"`` or ``"symmetric"``. With
    ``pad_if_needed``, an image narrower or shorter than the window gets the shortfall
    added on both sides of that axis, as torchvision does.
    """

    def __init__(
        self,
        size: int | Sequence[int],
        padding: int | Sequence[int] | None = None,
        pad_if_needed: bool = False,
        fill: float | Sequence[float] = 0,
        padding_mode: str = "constant",
    ) -> None:
        self.size = _size_argument(size, "RandomCrop")
        self.padding = padding
        self.borders = _padding_argument(padding)
        check.flag("RandomCrop", "pad_if_needed", pad_if_needed)
        check.one_of("RandomCrop", "padding_mode", padding_mode,
                     ("constant", "edge", "reflect", "symmetric"))
        fills = np.asarray(fill, dtype=object).reshape(-1)
        if fills.size == 0 or not all(map(check.is_number, fills)):
            raise TypeError(f"RandomCrop: fill must be a number or one per channel, got {fill!r}")
        self.pad_if_needed, self.fill, self.padding_mode = pad_if_needed, fill, padding_mode

    def transform_planes(self, images: Any, choices: int, pil_like: bool) -> Any:
        if self.borders != (0, 0, 0, 0):
            images = self._pad(images, *self.borders)
        (height, width), (crop_height, crop_width) = images.shape[-2:], self.size
        if self.pad_if_needed and width < crop_width:
            images = self._pad(images, crop_width - width, 0, crop_width - width, 0)
        if self.pad_if_needed and height < crop_height:
            images = self._pad(images, 0, crop_height - height, 0, crop_height - height)
        height, width = images.shape[-2:]
        if height < crop_height or width < crop_width:
            raise ValueError(
                f"RandomCrop: the crop size {tuple(self.size)} is larger than the image size "
                f"{(height, width)}: pass pad_if_needed=True or padding"
            )
        if (height, width) == (crop_height, crop_width):
            return images  # nothing to draw, as in torchvision
        # One (top, left) pair per choice, from uniform floats: a batch draws exactly the
        # numbers that one call per image would, in the same order.
        places = (height - crop_height + 1, width - crop_width + 1)
        tops, lefts = (generator().random((choices, 2)) * places).astype(np.int64).T
        return ops.crop(images, tops, lefts, crop_height, crop_width)

    def _pad(self, images: Any, left: int, top: int, right: int, bottom: int) -> Any:
        channels = np.size(self.fill)
        if channels > 1 and channels != images.shape[1]:
            raise ValueError(
                f"RandomCrop: fill has {channels} values, but the images have "
                f"{images.shape[1]} channels"
            )
        return ops.pad(images, left, top, right, bottom, self.fill, self.padding_mode)

    def __repr__(self) -> str:
        return f"RandomCrop(size={tuple(self.size)}, padding={self.padding})"


class RandomHorizontalFlip(ImageTransform):
    """Mirror the image left to right with probability ``p`` (each image of a batch on its
    own draw)."""

    def __init__(self, p: float = 0.5) -> None:
        self.p = check.probability("RandomHorizontalFlip", "p", p)

    def transform_planes(self, images: Any, choices: int, pil_like: bool) -> Any:
        xp = backend.array_module(images)
        flip = xp.asarray(generator().random(choices) < self.p)[:, None, None, None]
        return xp.where(flip, images[..., ::-1], images)

    def __repr__(self) -> str:
        return f"RandomHorizontalFlip(p={self.p})"


class Grayscale(ImageTransform):
    """The image in grey, with ``num_output_channels`` 1 or 3 (three equal channels).

    The luma of ITU-R 601-2, as torchvision computes it: for a Tensor ``0.2989 R + 0.587 G
    + 0.114 B``, cast back to the Tensor's dtype (truncated for integers); for a PIL-like
    uint8 image PIL's ``convert("L")``, ``0.299 R + 0.587 G + 0.114 B`` in its rounded
    fixed-point arithmetic. A Tensor must have 1 or 3 channels; a PIL-like image may also
    have an alpha channel, which is ignored, as PIL does.
    """

    def __init__(self, num_output_channels: int = 1) -> None:
        self.num_output_channels = check.one_of(
            "Grayscale", "num_output_channels", num_output_channels, (1, 3)
        )

    def transform_planes(self, images: Any, choices: int, pil_like: bool) -> Any:
        channels = images.shape[1]
        if not pil_like and channels not in (1, 3):
            raise ValueError(
                f"Grayscale needs a Tensor image with 1 or 3 channels, got {channels}"
            )
        if channels < 3:
            grey = images[:, :1].copy()  # grey, or PIL's grey + alpha: the grey channel
        elif pil_like and images.dtype == np.uint8:
            grey = ops.luma_8bit(images)
        else:
            weights = (0.299, 0.587, 0.114) if pil_like else (0.2989, 0.587, 0.114)
            grey = ops.luma(images, weights).astype(images.dtype)
        if self.num_output_channels == 3:
            return backend.array_module(grey).concatenate([grey] * 3, axis=1)
        return grey

    def __repr__(self) -> str:
        return f"Grayscale(num_output_channels={self.num_output_channels})"


# ---- argument checks -----------------------------------------------------------------------


def _size_argument(size: Any, who: str, allow_one: bool = False) -> list[int]:
    """``size`` as ``[h, w]`` (or ``[shorter side]`` where ``allow_one``): positive ints."""
    values = [size] if check.is_int(size) else size
    if not isinstance(values, Sequence) or isinstance(values, str) or not all(
        map(check.is_int, values)
    ):
        raise TypeError(f"{who}: size must be an int or a sequence (h, w) of ints, got {size!r}")
    if len(values) not in (1, 2) or min(values) <= 0:
        raise ValueError(
            f"{who}: size must be a positive int or a sequence (h, w) of positive ints, got "
            f"{size!r}"
        )
    if len(values) == 1 and not allow_one:
        return [int(values[0])] * 2
    return [int(value) for value in values]


def _padding_argument(padding: Any) -> tuple[int, int, int, int]:
    """torchvision's padding as ``(left, top, right, bottom)``."""
    values = [0] if padding is None else [padding] if check.is_int(padding) else padding
    if (
        not isinstance(values, Sequence)
        or len(values) not in (1, 2, 4)
        or not all(check.is_int(value) and value >= 0 for value in values)
    ):
        raise ValueError(
            f"RandomCrop: padding must be an int >= 0 or a sequence of 1, 2 or 4 of them "
            f"((left/right, top/bottom) or (left, top, right, bottom)), got {padding!r}"
        )
    if len(values) == 1:
        return (int(values[0]),) * 4
    if len(values) == 2:
        return int(values[0]), int(values[1]), int(values[0]), int(values[1])
    return tuple(int(value) for value in values)  # type: ignore[return-value]
