"""The PNG file format, read and written with ``zlib`` alone: 8-bit grey, grey+alpha, RGB, RGBA.

A PNG file is an 8-byte signature, then chunks: a 4-byte big-endian length, a 4-byte type
(``IHDR``, ``IDAT``, ``IEND``, ...), the data, and a CRC-32 of type and data. ``IHDR``
gives width, height, bit depth, colour type and interlacing. The pixels are the ``IDAT``
chunks' data joined and inflated: one row after another, each row one *filter type* byte
and then the row's bytes, filtered. A filter replaces each byte by its difference from a
prediction made from bytes already decoded (the pixel to the left, the one above, or
both), which makes smooth images compress well; decoding adds the prediction back.

This reader knows what learners' images need: bit depth 8, colour types 0 (grey),
4 (grey + alpha), 2 (RGB) and 6 (RGBA), no interlacing. It refuses anything else
(palette images, 16-bit or 1/2/4-bit samples, Adam7 interlacing) with a
:class:`~tinydl.data.DataError` that says what the file is and what would read it.
The writer writes the same four kinds, every row with filter type 0 (none), so the
file is exactly the pixels through zlib.
"""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from tinydl.data.atomic import atomic_write
from tinydl.data.errors import DataError

SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Colour type -> channels per pixel. Type 3 (palette) is the one kind left out.
CHANNELS = {0: 1, 4: 2, 2: 3, 6: 4}
COLOUR_TYPES = {channels: colour for colour, channels in CHANNELS.items()}
_NAMES = {0: "greyscale", 2: "RGB", 3: "palette", 4: "greyscale + alpha", 6: "RGBA"}


# ---- reading -------------------------------------------------------------------------------


def decode_png(content: bytes, source: str | os.PathLike = "PNG data") -> np.ndarray:
    """The pixels of PNG bytes as uint8: ``(H, W)`` for grey, ``(H, W, C)`` otherwise.

    ``C`` is 2 (grey + alpha), 3 (RGB) or 4 (RGBA). ``source`` names the data in errors.
    """
    if not content.startswith(SIGNATURE):
        raise DataError(
            f"{source}: not a PNG file: expected the 8-byte PNG signature, found "
            f"{content[:8]!r}"
        )
    header, compressed = _read_chunks(content, source)
    width, height, bit_depth, colour, compression, filtering, interlace = header
    if width == 0 or height == 0:
        raise DataError(f"{source}: IHDR declares a {width}x{height} image: PNG needs both > 0")
    if colour not in CHANNELS or bit_depth != 8 or interlace != 0:
        kind = f"a {bit_depth}-bit {_NAMES.get(colour, f'colour type {colour}')} PNG"
        if interlace:
            kind += " with Adam7 interlacing"
        raise DataError(
            f"{source}: {kind}; tinydl reads 8-bit greyscale, greyscale + alpha, RGB and "
            f"RGBA PNGs without interlacing. Re-save the image as one of those (with PIL: "
            f"Image.open(path).convert('RGB').save(path)), or pass a loader that reads it"
        )
    if compression != 0 or filtering != 0:
        raise DataError(
            f"{source}: unknown compression method {compression} or filter method "
            f"{filtering} in IHDR: PNG defines only method 0 for both"
        )
    try:
        raw = zlib.decompress(compressed)
    except zlib.error as err:
        raise DataError(f"{source}: the image data is corrupt ({err})") from None
    channels = CHANNELS[colour]
    row_bytes = width * channels
    if len(raw) != height * (1 + row_bytes):
        raise DataError(
            f"{source}: the image data holds {len(raw)} bytes, but {height} rows of "
            f"{width} pixels with {channels} channels need {height * (1 + row_bytes)} "
            f"(truncated or damaged file)"
        )
    rows = np.frombuffer(raw, np.uint8).reshape(height, 1 + row_bytes)
    pixels = unfilter(rows[:, 0], rows[:, 1:], channels, source)
    pixels = pixels.reshape(height, width, channels)
    return pixels[:, :, 0] if channels == 1 else pixels


def _read_chunks(content: bytes, source: Any) -> tuple[tuple[int, ...], bytes]:
    """IHDR's seven fields and the joined IDAT data, every chunk's CRC checked."""
    header: tuple[int, ...] | None = None
    data = []
    position = len(SIGNATURE)
    while True:
        if position + 8 > len(content):
            raise DataError(f"{source}: the file ends before its IEND chunk (truncated)")
        length, kind = struct.unpack(">I4s", content[position : position + 8])
        body = content[position + 8 : position + 8 + length]
        crc = content[position + 8 + length : position + 12 + length]
        if len(crc) != 4:
            raise DataError(f"{source}: the {kind!r} chunk is cut short (truncated file)")
        if zlib.crc32(kind + body) != struct.unpack(">I", crc)[0]:
            raise DataError(f"{source}: the {kind!r} chunk fails its CRC check (damaged file)")
        position += 12 + length
        if kind == b"IHDR":
            if len(body) != 13:
                raise DataError(f"{source}: IHDR holds {len(body)} bytes, PNG defines 13")
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            data.append(body)
        elif kind == b"IEND":
            break
        elif kind[0:1].isupper() and kind != b"PLTE":
            # An upper-case first letter marks a chunk a reader may not skip.
            raise DataError(f"{source}: unknown critical chunk {kind!r}")
    if header is None or not data:
        raise DataError(f"{source}: a PNG needs an IHDR and at least one IDAT chunk")
    return header, b"".join(data)


def unfilter(kinds: np.ndarray, rows: np.ndarray, bpp: int, source: Any = "PNG data") -> np.ndarray:
    """The bytes of each row with its filter undone (``rows`` is ``(H, row_bytes)`` uint8).

    With ``a`` the decoded byte one pixel (``bpp`` bytes) to the left, ``b`` the decoded
    byte above and ``c`` the one above ``a`` (0 outside the image), each filter type
    stores ``x - prediction`` (mod 256) with prediction 0 (type 0, None), ``a`` (1, Sub),
    ``b`` (2, Up), ``(a + b) // 2`` (3, Average) or the Paeth predictor of ``a, b, c``
    (4). Types 0-2 undo with whole-row array operations; 3 and 4 depend on the byte just
    decoded to the left, so they run byte by byte.
    """
    decoded = np.zeros(rows.shape, np.uint8)
    above = np.zeros(rows.shape[1], np.uint8)
    for y, kind in enumerate(kinds):
        row = rows[y]
        if kind == 0:
            decoded[y] = row
        elif kind == 1:
            # x = filtered + left: a running sum along each channel, wrapping at 256.
            decoded[y] = np.cumsum(row.reshape(-1, bpp), axis=0, dtype=np.uint8).reshape(-1)
        elif kind == 2:
            decoded[y] = row + above  # uint8 arithmetic wraps modulo 256, as PNG's does
        elif kind in (3, 4):
            decoded[y] = _unfilter_sequential(int(kind), row.tolist(), above.tolist(), bpp)
        else:
            raise DataError(f"{source}: row {y} has filter type {kind}: PNG defines 0 to 4")
        above = decoded[y]
    return decoded


def _unfilter_sequential(kind: int, row: list[int], above: list[int], bpp: int) -> list[int]:
    """Undo filter 3 (Average) or 4 (Paeth) on one row, byte by byte (plain Python ints)."""
    out = [0] * len(row)
    for i, filtered in enumerate(row):
        a = out[i - bpp] if i >= bpp else 0
        b = above[i]
        if kind == 3:
            prediction = (a + b) // 2
        else:
            c = above[i - bpp] if i >= bpp else 0
            prediction = paeth(a, b, c)
        out[i] = (filtered + prediction) & 0xFF
    return out


def paeth(a: int, b: int, c: int) -> int:
    """Of left ``a``, above ``b`` and upper-left ``c``, the one closest to ``a + b - c``
    (ties prefer ``a``, then ``b``), as the PNG specification defines it."""
    estimate = a + b - c
    to_a, to_b, to_c = abs(estimate - a), abs(estimate - b), abs(estimate - c)
    if to_a <= to_b and to_a <= to_c:
        return a
    return b if to_b <= to_c else c


def read_png(path: str | os.PathLike) -> np.ndarray:
    """The pixels of a PNG file (see :func:`decode_png`); a missing file is a DataError."""
    if not Path(path).is_file():
        raise DataError(f"read_png(): no file at {path}")
    return decode_png(Path(path).read_bytes(), path)


# ---- writing -------------------------------------------------------------------------------


def encode_png(image: Any) -> bytes:
    """PNG bytes of a uint8 image: ``(H, W)`` grey, or ``(H, W, C)`` with C = 1, 2, 3 or 4."""
    if not isinstance(image, np.ndarray):
        raise DataError(
            f"encode_png() needs a host NumPy array, got {type(image).__name__}"
        )
    if image.dtype != np.uint8:
        raise DataError(
            f"encode_png() writes 8-bit pixels: it needs a uint8 image, got {image.dtype}"
        )
    pixels = image[:, :, None] if image.ndim == 2 else image
    if pixels.ndim != 3 or pixels.shape[2] not in COLOUR_TYPES or 0 in pixels.shape:
        raise DataError(
            f"encode_png() needs an image of shape (H, W) or (H, W, C) with C = 1, 2, 3 or "
            f"4 and H, W > 0, got shape {image.shape}"
        )
    height, width, channels = pixels.shape
    header = struct.pack(">IIBBBBB", width, height, 8, COLOUR_TYPES[channels], 0, 0, 0)
    # Every row starts with its filter type, 0 (None): the bytes as they are.
    rows = np.concatenate([np.zeros((height, 1), np.uint8), pixels.reshape(height, -1)], 1)
    return b"".join(
        [
            SIGNATURE,
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", zlib.compress(rows.tobytes())),
            _chunk(b"IEND", b""),
        ]
    )


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def write_png(file: str | os.PathLike | BinaryIO, image: Any) -> None:
    """Write ``image`` (see :func:`encode_png`) to a path, atomically, or to an open
    binary file object."""
    content = encode_png(image)
    if hasattr(file, "write"):
        file.write(content)
        return
    with atomic_write(file, "write_png()") as handle:
        handle.write(content)
