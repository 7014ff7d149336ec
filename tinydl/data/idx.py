"""The IDX file format of MNIST-style datasets: read (raw or gzip) and write.

An IDX file is a 4-byte magic number ``0x00 0x00 <type code> <number of
dimensions>``, then one big-endian 32-bit size per dimension, then the values
in C order, big-endian. The type code says what a value is (0x08 is unsigned
byte, the type of every MNIST file). The reader checks each part and that the
file is exactly as long as the header says, so a truncated download or a
mislabelled file fails loudly instead of yielding garbage images.
"""

from __future__ import annotations

import gzip
import math
import os
import zlib
from pathlib import Path

import numpy as np

from tinydl.data.atomic import atomic_write
from tinydl.data.errors import DataError

# IDX type code -> the (big-endian) dtype of the values it announces.
IDX_TYPES: dict[int, np.dtype] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_TYPE_NAMES = ", ".join(f"0x{code:02x} ({dtype.name})" for code, dtype in IDX_TYPES.items())
_GZIP_MAGIC = b"\x1f\x8b"


def decompress(blob: bytes, source: str | os.PathLike) -> bytes:
    """``blob`` gunzipped if it is gzip data (detected by its magic bytes), else unchanged.

    The content decides, not the file name, so an unpacked file that kept its
    ``.gz`` name still reads. A truncated or damaged gzip stream raises
    :class:`DataError` naming ``source``.
    """
    if not blob.startswith(_GZIP_MAGIC):
        return blob
    try:
        return gzip.decompress(blob)
    except (OSError, EOFError, zlib.error) as err:
        raise DataError(f"{source}: corrupt or truncated gzip data ({err})") from None


def parse_idx(content: bytes, source: str | os.PathLike) -> np.ndarray:
    """The array stored in uncompressed IDX bytes, in native byte order (a writable copy).

    ``source`` (a file name or URL) is only used in error messages.
    """
    if len(content) < 4:
        raise DataError(
            f"{source}: not an IDX file: expected a 4-byte magic number, "
            f"found only {len(content)} bytes"
        )
    if content[:2] != b"\x00\x00":
        raise DataError(
            f"{source}: not an IDX file: expected a magic number starting with two zero bytes "
            f"(0x0000 <type code> <number of dimensions>), found 0x{content[:4].hex()}"
        )
    type_code, ndim = content[2], content[3]
    if type_code not in IDX_TYPES:
        raise DataError(
            f"{source}: unknown IDX type code 0x{type_code:02x}: expected one of {_TYPE_NAMES}"
        )
    if ndim == 0:
        raise DataError(f"{source}: the IDX header declares 0 dimensions: expected at least 1")
    header_size = 4 + 4 * ndim
    if len(content) < header_size:
        raise DataError(
            f"{source}: truncated IDX header: {ndim} dimensions need {header_size} header "
            f"bytes, found {len(content)} bytes in the file"
        )
    shape = tuple(int(size) for size in np.frombuffer(content, ">u4", count=ndim, offset=4))
    dtype = IDX_TYPES[type_code]
    expected = header_size + math.prod(shape) * dtype.itemsize
    if len(content) != expected:
        raise DataError(
            f"{source}: IDX length mismatch: the header declares shape {shape} of {dtype.name}, "
            f"which needs {expected} bytes, but the file has {len(content)} bytes "
            f"(truncated, or wrong dimensions in the header)"
        )
    values = np.frombuffer(content, dtype, offset=header_size).reshape(shape)
    return values.astype(dtype.newbyteorder("="))  # a copy: native order, and writable


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file, gzip-compressed or not; every malformation raises :class:`DataError`."""
    if not Path(path).is_file():
        raise DataError(f"read_idx(): no file at {path}")
    return parse_idx(decompress(Path(path).read_bytes(), path), path)


def write_idx(path: str | os.PathLike, array: np.ndarray, compress: bool | None = None) -> None:
    """Write ``array`` as an IDX file, atomically (a temporary file, then ``os.replace``).

    ``compress`` defaults to whether ``path`` ends in ``.gz``. The gzip header
    carries no time stamp, so equal arrays give byte-identical files.
    """
    path = Path(path)
    array = np.asarray(array)
    codes = {dtype.newbyteorder("="): code for code, dtype in IDX_TYPES.items()}
    code = codes.get(array.dtype.newbyteorder("="))
    if code is None:
        names = ", ".join(dtype.name for dtype in IDX_TYPES.values())
        raise DataError(f"{path}: IDX cannot store dtype {array.dtype}: expected one of {names}")
    if not 1 <= array.ndim <= 255:
        raise DataError(f"{path}: IDX stores 1 to 255 dimensions, got {array.ndim}")
    if max(array.shape) >= 2**32:
        raise DataError(f"{path}: IDX dimensions must be below 2**32, got shape {array.shape}")
    header = bytes([0, 0, code, array.ndim]) + np.array(array.shape, ">u4").tobytes()
    content = header + array.astype(IDX_TYPES[code], copy=False).tobytes()
    if path.suffix == ".gz" if compress is None else compress:
        content = gzip.compress(content, mtime=0)
    with atomic_write(path, "write_idx()") as file:
        file.write(content)
