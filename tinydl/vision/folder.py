"""torchvision's ``ImageFolder``: a dataset made from a folder of image files, one
subfolder per class::

    root/cat/1.png
    root/cat/2.png
    root/dog/nested/3.png

The class names are the subfolders' names, sorted (``classes``); a class's index is its
place in that order (``class_to_idx``). ``samples`` lists ``(path, class_index)`` class by
class, and within a class in sorted path order, walking nested folders too; ``targets`` is
the class indices alone. All of it is ordered exactly as torchvision orders it, so the
same folder gives the same indices in both.

``dataset[i]`` loads sample ``i`` with ``loader(path)``: by default tinydl's own PNG reader
(:mod:`tinydl.data.png`), which gives an RGB uint8 array ``(H, W, 3)`` (grey repeated,
alpha dropped), as torchvision's default loader gives an RGB PIL image.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from tinydl import check
from tinydl.data.dataset import Dataset
from tinydl.data.errors import DataError
from tinydl.data.png import read_png

# torchvision's list: the files ImageFolder counts as images.
IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def has_file_allowed_extension(filename: str, extensions: tuple[str, ...]) -> bool:
    """Whether ``filename`` ends with one of ``extensions``, in any letter case."""
    return filename.lower().endswith(extensions)


def default_loader(path: str | os.PathLike) -> np.ndarray:
    """A PNG file as an RGB image: uint8 ``(H, W, 3)`` (PIL's ``convert("RGB")``)."""
    pixels = read_png(path)
    if pixels.ndim == 2 or pixels.shape[2] == 2:  # grey, or grey + alpha
        grey = pixels if pixels.ndim == 2 else pixels[:, :, 0]
        return np.repeat(grey[:, :, None], 3, axis=2)
    return np.ascontiguousarray(pixels[:, :, :3])


class ImageFolder(Dataset):
    """Images in ``root/<class name>/...``, labelled by their folder (torchvision's).

    ``transform`` gets the image as ``loader`` gives it (by default an RGB uint8 NumPy
    array, where torchvision gives a PIL image) and ``target_transform`` the class
    index. ``is_valid_file(path)`` decides which files are samples (by default: names
    ending in one of ``IMG_EXTENSIONS``). A class folder without any sample is an error
    unless ``allow_empty``. The default loader reads PNG only: other image files are
    refused when the dataset is built, not in the middle of an epoch.
    """

    def __init__(
        self,
        root: str | os.PathLike,
        transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[Any], Any] | None = None,
        loader: Callable[[str], Any] = default_loader,
        is_valid_file: Callable[[str], bool] | None = None,
        allow_empty: bool = False,
    ) -> None:
        check.instance("ImageFolder", "root", root, (str, os.PathLike), "a folder path")
        for name, value in (("transform", transform), ("target_transform", target_transform),
                            ("loader", loader), ("is_valid_file", is_valid_file)):
            if value is not None:
                check.function("ImageFolder", name, value)
        check.flag("ImageFolder", "allow_empty", allow_empty)
        self.root = os.path.expanduser(root)
        self.transform, self.target_transform, self.loader = transform, target_transform, loader
        self.extensions = IMG_EXTENSIONS if is_valid_file is None else None
        self.classes, self.class_to_idx = self.find_classes(self.root)
        self.samples = self._find_samples(is_valid_file, allow_empty)
        if loader is default_loader:
            _check_all_png(self.samples, self.root)
        self.imgs = self.samples  # torchvision's older name
        self.targets = [target for _, target in self.samples]

    @staticmethod
    def find_classes(directory: str | os.PathLike) -> tuple[list[str], dict[str, int]]:
        """The sorted subfolder names of ``directory`` and each one's index."""
        if not Path(directory).is_dir():
            raise FileNotFoundError(f"ImageFolder: no folder at {directory}")
        classes = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
        if not classes:
            raise FileNotFoundError(
                f"ImageFolder found no class folder in {directory}: it expects one subfolder "
                f"per class, holding that class's images (root/cat/1.png, root/dog/2.png)"
            )
        return classes, {name: index for index, name in enumerate(classes)}

    def _find_samples(
        self, is_valid_file: Callable[[str], bool] | None, allow_empty: bool
    ) -> list[tuple[str, int]]:
        """``(path, class index)`` class by class, each class's files in sorted order."""
        if is_valid_file is None:
            def is_valid_file(path: str) -> bool:
                return has_file_allowed_extension(path, IMG_EXTENSIONS)

        samples = []
        empty = []
        for name in self.classes:
            found = [
                os.path.join(folder, file)
                for folder, _, files in sorted(os.walk(os.path.join(self.root, name),
                                                       followlinks=True))
                for file in sorted(files)
                if is_valid_file(os.path.join(folder, file))
            ]
            samples += [(path, self.class_to_idx[name]) for path in found]
            if not found:
                empty.append(name)
        if empty and not allow_empty:
            wanted = (
                f"a file ending in {', '.join(IMG_EXTENSIONS)}"
                if self.extensions is not None
                else "a file that is_valid_file accepts"
            )
            raise FileNotFoundError(
                f"ImageFolder found no image for the classes {', '.join(empty)} in "
                f"{self.root}: each class folder needs at least {wanted}, or pass "
                f"allow_empty=True"
            )
        return samples

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        path, target = self.samples[index]
        sample = self.loader(path)
        if self.transform is not None:
            sample = self.transform(sample)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return sample, target

    def __repr__(self) -> str:
        lines = [
            "Dataset ImageFolder",
            f"    Number of datapoints: {len(self)}",
            f"    Root location: {self.root}",
        ]
        if self.transform is not None:
            lines.append("    Transform: " + repr(self.transform).replace("\n", "\n    "))
        return "\n".join(lines)


def _check_all_png(samples: list[tuple[str, int]], root: str) -> None:
    others = [path for path, _ in samples if not path.lower().endswith(".png")]
    if others:
        raise DataError(
            f"ImageFolder: tinydl's default loader reads PNG files only, but {len(others)} of "
            f"the {len(samples)} images in {root} are not PNG (the first: {others[0]}). "
            f"Convert them to PNG, or pass loader= a function that reads one into an "
            f"(H, W, 3) uint8 array (with PIL: lambda path: "
            f"np.asarray(PIL.Image.open(path).convert('RGB')))"
        )
