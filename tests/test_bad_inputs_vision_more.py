"""Bad input for the torchvision pieces of issue 21: tinydl.data.png, tinydl.vision.utils
(make_grid, save_image), the transforms Resize, CenterCrop, RandomCrop,
RandomHorizontalFlip, Grayscale, Lambda, the DataLoader form of the one Normalize, and
datasets.ImageFolder. Format: see tests/bad_input_table.py."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import numpy as np
import pytest
from bad_input_table import Case, check, params

import tinydl
from tinydl.data import DataError, Normalize
from tinydl.data.png import decode_png, encode_png, read_png, write_png
from tinydl.vision import datasets, utils
from tinydl.vision import transforms as T

IMAGES = tinydl.tensor(np.zeros((2, 3, 4, 4), np.float32))
PICTURE = np.zeros((4, 5, 3), np.uint8)
RNG = np.random.default_rng(0)
_FOLDERS = tempfile.TemporaryDirectory()  # removed when the test session ends


def folder(name: str, files: dict[str, bytes]) -> Path:
    """A fresh folder ``name`` holding ``files`` (relative path: content)."""
    root = Path(_FOLDERS.name) / name
    for relative, content in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(content)
    root.mkdir(parents=True, exist_ok=True)
    return root


PNG = encode_png(np.zeros((2, 2), np.uint8))

CASES = [
    # ---- PNG files ----
    Case("read_png-missing", lambda: read_png("/no/such/file.png"),
         DataError, ("read_png(): no file at", "/no/such/file.png")),
    Case("decode_png-not-png", lambda: decode_png(b"hello world", "x.png"),
         DataError, ("x.png: not a PNG file", "signature")),
    Case("decode_png-damaged-header", lambda: decode_png(PNG[:25] + b"\x03" + PNG[26:]),
         DataError, ("CRC check",)),
    Case("encode_png-float", lambda: encode_png(np.zeros((2, 2), np.float32)),
         DataError, ("uint8 image", "float32")),
    Case("encode_png-shape", lambda: encode_png(np.zeros((2, 2, 5), np.uint8)),
         DataError, ("(H, W) or (H, W, C)", "(2, 2, 5)")),
    Case("encode_png-list", lambda: encode_png([[0, 1]]), DataError, ("NumPy array", "list")),
    Case("write_png-4d", lambda: write_png(io.BytesIO(), np.zeros((1, 2, 2, 3), np.uint8)),
         DataError, ("got shape (1, 2, 2, 3)",)),
    # ---- make_grid / save_image ----
    Case("make_grid-array", lambda: utils.make_grid(np.zeros((2, 3, 4, 4))),
         TypeError, ("a Tensor or a list of Tensors", "ndarray", "tinydl.tensor(array)")),
    Case("make_grid-shapes", lambda: utils.make_grid([IMAGES[0], IMAGES[0, :, :2]]),
         ValueError, ("images of one shape", "(3, 2, 4)", "(3, 4, 4)")),
    Case("make_grid-5d", lambda: utils.make_grid(tinydl.zeros(1, 1, 1, 2, 2)),
         ValueError, ("(B, C, H, W)", "(1, 1, 1, 2, 2)")),
    Case("make_grid-nrow", lambda: utils.make_grid(IMAGES, nrow=0),
         ValueError, ("nrow must be a positive integer", "0")),
    Case("make_grid-padding", lambda: utils.make_grid(IMAGES, padding=-1),
         ValueError, ("padding must be an integer >= 0", "-1")),
    Case("make_grid-value-range-list", lambda: utils.make_grid(IMAGES, normalize=True,
                                                               value_range=[0, 1]),
         TypeError, ("value_range must be a tuple (min, max)", "[0, 1]")),
    Case("make_grid-normalize", lambda: utils.make_grid(IMAGES, normalize="yes"),
         TypeError, ("normalize must be True or False", "'yes'")),
    Case("make_grid-pad-value", lambda: utils.make_grid(IMAGES, pad_value="white"),
         TypeError, ("pad_value must be a finite number", "'white'")),
    Case("save_image-jpg", lambda: utils.save_image(IMAGES, "out.jpg"),
         ValueError, ("PNG only", "'out.jpg'")),
    Case("save_image-format", lambda: utils.save_image(IMAGES, io.BytesIO(), format="jpeg"),
         ValueError, ("PNG only", "format='jpeg'")),
    Case("save_image-file-without-format", lambda: utils.save_image(IMAGES, io.BytesIO()),
         ValueError, ("needs format='png'",)),
    Case("save_image-uint8", lambda: utils.save_image(tinydl.zeros(3, 2, 2, dtype="uint8"),
                                                       io.BytesIO(), format="png"),
         TypeError, ("float images with values in [0, 1]", "uint8")),
    Case("save_image-nan", lambda: utils.save_image(tinydl.full((3, 2, 2), float("nan")),
                                                     io.BytesIO(), format="png"),
         ValueError, ("NaN or infinite",)),
    Case("save_image-2-channels", lambda: utils.save_image(tinydl.zeros(2, 2, 2),
                                                            io.BytesIO(), format="png"),
         ValueError, ("1, 3 or 4 channels", "got 2")),
    # ---- Resize ----
    Case("Resize-string", lambda: T.Resize("big"), TypeError, ("size must be an int", "'big'")),
    Case("Resize-zero", lambda: T.Resize(0), ValueError, ("positive int", "0")),
    Case("Resize-three", lambda: T.Resize((1, 2, 3)), ValueError, ("(h, w)", "(1, 2, 3)")),
    Case("Resize-nearest", lambda: T.Resize(8, interpolation=T.InterpolationMode.NEAREST),
         ValueError, ("BILINEAR only", "NEAREST")),
    Case("Resize-max-size-pair", lambda: T.Resize((8, 8), max_size=10),
         ValueError, ("max_size applies when size is one number", "(8, 8)")),
    Case("Resize-max-size-small", lambda: T.Resize(8, max_size=8),
         ValueError, ("max_size must be an int larger than size=8", "8")),
    Case("Resize-antialias", lambda: T.Resize(8, antialias="yes"),
         TypeError, ("antialias must be True or False", "'yes'")),
    Case("Resize-list-image", lambda: T.Resize(8)([[1, 2]]),
         TypeError, ("Resize needs an image", "got list")),
    Case("Resize-1d-array", lambda: T.Resize(8)(np.zeros(5, np.uint8)),
         ValueError, ("(H, W) or (H, W, C)", "(5,)")),
    Case("Resize-1d-tensor", lambda: T.Resize(8)(tinydl.zeros(5)),
         ValueError, ("Tensor image (..., C, H, W) or (H, W)", "(5,)")),
    Case("Resize-batch-5d", lambda: T.Resize(8).apply_batch(tinydl.zeros(1, 1, 1, 2, 2)),
         ValueError, ("(N, C, H, W) or (N, H, W)", "(1, 1, 1, 2, 2)")),
    # ---- crops ----
    Case("CenterCrop-negative", lambda: T.CenterCrop(-1), ValueError, ("positive int", "-1")),
    Case("CenterCrop-float", lambda: T.CenterCrop(2.5), TypeError, ("sequence (h, w)", "2.5")),
    Case("RandomCrop-padding-3", lambda: T.RandomCrop(4, padding=(1, 2, 3)),
         ValueError, ("padding must be an int >= 0 or a sequence of 1, 2 or 4", "(1, 2, 3)")),
    Case("RandomCrop-padding-negative", lambda: T.RandomCrop(4, padding=-1),
         ValueError, ("padding must be an int >= 0", "-1")),
    Case("RandomCrop-mode", lambda: T.RandomCrop(4, padding=1, padding_mode="wrap"),
         ValueError, ("'constant', 'edge', 'reflect' or 'symmetric'", "'wrap'")),
    Case("RandomCrop-fill", lambda: T.RandomCrop(4, fill="red"),
         TypeError, ("fill must be a number or one per channel", "'red'")),
    Case("RandomCrop-pad-if-needed", lambda: T.RandomCrop(4, pad_if_needed=1),
         TypeError, ("pad_if_needed must be True or False", "1")),
    Case("RandomCrop-too-big", lambda: T.RandomCrop(10)(PICTURE),
         ValueError, ("crop size (10, 10) is larger than the image size (4, 5)",
                      "pad_if_needed=True")),
    Case("RandomCrop-fill-channels", lambda: T.RandomCrop(4, padding=1, fill=(1, 2))(PICTURE),
         ValueError, ("fill has 2 values", "3 channels")),
    # ---- flip, grey, Lambda, ToTensor's batch, Normalize's loader form ----
    Case("RandomHorizontalFlip-p", lambda: T.RandomHorizontalFlip(1.5),
         ValueError, ("p must be a probability in [0, 1]", "1.5")),
    Case("RandomHorizontalFlip-string", lambda: T.RandomHorizontalFlip("half"),
         ValueError, ("probability", "'half'")),
    Case("Grayscale-2", lambda: T.Grayscale(2), ValueError, ("1 or 3", "2")),
    Case("Grayscale-rgba-tensor", lambda: T.Grayscale()(tinydl.zeros(4, 2, 2)),
         ValueError, ("1 or 3 channels", "got 4")),
    Case("Lambda-not-callable", lambda: T.Lambda(3), TypeError, ("callable", "int")),
    Case("ToTensor-batch-tensor", lambda: T.ToTensor().apply_batch(IMAGES),
         TypeError, ("NumPy array", "Tensor")),
    Case("Normalize-loader-uint8",
         lambda: Normalize(0.5, 0.5)(np.zeros((2, 4, 4), np.uint8), RNG),
         TypeError, ("float images", "uint8", "ToFloat()")),
    Case("Normalize-loader-channels",
         lambda: Normalize((0.5, 0.5, 0.5), (1, 1, 1))(np.zeros((2, 4, 4), np.float32), RNG),
         ValueError, ("3 values of mean/std", "1 channels")),
    # ---- ImageFolder ----
    Case("ImageFolder-root-int", lambda: datasets.ImageFolder(3),
         TypeError, ("root must be a folder path", "int")),
    Case("ImageFolder-missing", lambda: datasets.ImageFolder("/no/such/folder"),
         FileNotFoundError, ("no folder at /no/such/folder",)),
    Case("ImageFolder-transform", lambda: datasets.ImageFolder(".", transform="resize"),
         TypeError, ("transform must be callable", "str")),
    Case("ImageFolder-loader", lambda: datasets.ImageFolder(".", loader=3),
         TypeError, ("loader must be callable", "int")),
    Case("ImageFolder-allow-empty", lambda: datasets.ImageFolder(".", allow_empty="yes"),
         TypeError, ("allow_empty must be True or False", "'yes'")),
    Case("ImageFolder-no-classes", lambda: datasets.ImageFolder(folder("flat", {"a.png": PNG})),
         FileNotFoundError, ("found no class folder", "one subfolder per class")),
    Case("ImageFolder-empty-class",
         lambda: datasets.ImageFolder(folder("empty", {"cat/a.png": PNG, "dog/notes.txt": b""})),
         FileNotFoundError, ("no image for the classes dog", ".png", "allow_empty=True")),
    Case("ImageFolder-jpeg",
         lambda: datasets.ImageFolder(folder("jpeg", {"cat/a.png": PNG, "dog/b.jpg": b""})),
         DataError, ("reads PNG files only", "1 of the 2 images", "b.jpg", "loader=")),
]


@pytest.mark.parametrize("case", params(CASES))
def test_bad_input(case: Case) -> None:
    check(case)
