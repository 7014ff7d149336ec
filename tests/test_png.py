"""tinydl.data.png: round trips through tinydl's own writer and reader, every PNG filter type
(0-4) decoded, PNGs written by PIL and matplotlib read back pixel for pixel, PIL reading
tinydl's files, and the kinds of PNG the reader refuses."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest

from tinydl.data import DataError
from tinydl.data.png import SIGNATURE, decode_png, encode_png, paeth, read_png, write_png

SHAPES = [(1, 1), (5, 7), (5, 7, 1), (6, 4, 2), (3, 9, 3), (4, 4, 4)]


def picture(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def chunk(kind: bytes, body: bytes) -> bytes:
    """One PNG chunk: length, type, body, CRC-32 of type and body."""
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_of(header: tuple[int, ...], rows: bytes) -> bytes:
    """A PNG from IHDR's seven fields and the filtered rows (each with its type byte)."""
    return (
        SIGNATURE
        + chunk(b"IHDR", struct.pack(">IIBBBBB", *header))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("shape", SHAPES)
def test_round_trip(shape, tmp_path) -> None:
    image = picture(shape)
    expected = image[:, :, 0] if shape[-1:] == (1,) and len(shape) == 3 else image
    np.testing.assert_array_equal(decode_png(encode_png(image)), expected)
    write_png(tmp_path / "a.png", image)
    np.testing.assert_array_equal(read_png(tmp_path / "a.png"), expected)
    buffer = io.BytesIO()
    write_png(buffer, image)
    assert buffer.getvalue() == encode_png(image)


# ---- every filter type, written by a filterer of the test's own ----------------------------


def filtered_png(image: np.ndarray, kinds: list[int]) -> bytes:
    """PNG bytes of ``image`` whose row ``y`` is stored with filter type ``kinds[y]``,
    filtered here straight from the PNG specification (the encoder only writes type 0)."""
    pixels = image[:, :, None] if image.ndim == 2 else image
    height, width, bpp = pixels.shape
    rows = pixels.reshape(height, -1).astype(np.int64)
    out = []
    for y, kind in enumerate(kinds):
        x = rows[y]
        a = np.concatenate([np.zeros(bpp, np.int64), x[:-bpp]])  # left
        b = rows[y - 1] if y else np.zeros_like(x)  # above
        c = np.concatenate([np.zeros(bpp, np.int64), b[:-bpp]])  # upper left
        prediction = [
            np.zeros_like(x), a, b, (a + b) // 2,
            np.array([paeth(*abc) for abc in zip(*(a.tolist(), b.tolist(), c.tolist()),
                                                 strict=True)]),
        ][kind]
        out.append(bytes([kind]) + ((x - prediction) % 256).astype(np.uint8).tobytes())
    colour = {1: 0, 2: 4, 3: 2, 4: 6}[bpp]
    return png_of((width, height, 8, colour, 0, 0, 0), b"".join(out))


@pytest.mark.parametrize("shape", [(6, 5), (6, 5, 3), (6, 5, 4), (6, 5, 2)])
def test_every_filter_type_decodes(shape) -> None:
    image = picture(shape, seed=3)
    for kinds in ([0, 1, 2, 3, 4, 0], [4, 3, 2, 1, 4, 4], [3] * 6, [1] * 6, [2] * 6):
        np.testing.assert_array_equal(decode_png(filtered_png(image, kinds)), image)


def test_paeth_picks_the_nearest_of_left_above_upper_left() -> None:
    assert paeth(10, 20, 10) == 20  # estimate 20: above
    assert paeth(20, 10, 10) == 20  # estimate 20: left
    assert paeth(5, 9, 9) == 5  # estimate 5: left
    assert paeth(9, 5, 1) == 9  # estimate 13: left (4) beats above (8) and upper left (12)
    assert paeth(7, 7, 7) == 7  # a tie prefers left


def test_idat_split_over_several_chunks_and_ancillary_chunks_are_read() -> None:
    image = picture((4, 6, 3))
    content = encode_png(image)
    body_start = content.index(b"IDAT") + 4
    length = struct.unpack(">I", content[body_start - 8 : body_start - 4])[0]
    data = content[body_start : body_start + length]
    ihdr_end = len(SIGNATURE) + 25
    rebuilt = (
        content[:ihdr_end]
        + chunk(b"tEXt", b"Comment\x00made by a test")
        + chunk(b"IDAT", data[:5])
        + chunk(b"IDAT", data[5:])
        + chunk(b"IEND", b"")
    )
    np.testing.assert_array_equal(decode_png(rebuilt), image)


# ---- files made by other programs ----------------------------------------------------------


@pytest.mark.parametrize(("mode", "shape"), [("L", (9, 11)), ("LA", (9, 11, 2)),
                                             ("RGB", (9, 11, 3)), ("RGBA", (9, 11, 4))])
def test_pngs_written_by_pil_read_back_and_pil_reads_ours(mode, shape) -> None:
    image_module = pytest.importorskip("PIL.Image")
    # Smooth gradients, so that PIL's adaptive filtering uses more than filter type 0.
    ramp = np.add.outer(np.arange(shape[0]) * 7, np.arange(shape[1]) * 3)
    image = np.stack([ramp * (c + 1) for c in range(shape[2] if len(shape) == 3 else 1)], -1)
    image = (image % 256).astype(np.uint8).reshape(shape)
    buffer = io.BytesIO()
    image_module.fromarray(image, mode).save(buffer, format="png", optimize=True)
    np.testing.assert_array_equal(decode_png(buffer.getvalue()), image)
    ours = image_module.open(io.BytesIO(encode_png(image)))
    assert ours.mode == mode
    np.testing.assert_array_equal(np.asarray(ours), image)


def test_pngs_written_by_matplotlib(tmp_path) -> None:
    pyplot = pytest.importorskip("matplotlib.pyplot")
    values = np.random.default_rng(1).random((12, 15, 3))
    pyplot.imsave(tmp_path / "imsave.png", values)
    pixels = read_png(tmp_path / "imsave.png")
    assert pixels.shape == (12, 15, 4) and (pixels[:, :, 3] == 255).all()
    # matplotlib rounds to the nearest byte (within one step of 1/255)
    np.testing.assert_allclose(pixels[:, :, :3] / 255, values, atol=1 / 255 + 1e-9)
    figure = pyplot.figure(figsize=(1, 0.5), dpi=40)
    figure.patch.set_facecolor((1.0, 0.0, 0.0))
    figure.savefig(tmp_path / "figure.png", facecolor=figure.get_facecolor())
    pyplot.close(figure)
    drawn = read_png(tmp_path / "figure.png")
    assert drawn.shape == (20, 40, 4)
    assert (drawn.reshape(-1, 4) == [255, 0, 0, 255]).all()  # an empty red figure


# ---- refusals ------------------------------------------------------------------------------


def with_header(width: int, height: int, depth: int, colour: int, interlace: int = 0) -> bytes:
    content = bytearray(encode_png(picture((2, 2, 3))))
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, interlace)
    content[16:29] = header
    content[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + header))
    return bytes(content)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"GIF89a" + bytes(20), "not a PNG file"),
        (with_header(2, 2, 8, 3), "8-bit palette PNG"),
        (with_header(2, 2, 16, 2), "16-bit RGB PNG"),
        (with_header(2, 2, 4, 0), "4-bit greyscale PNG"),
        (with_header(2, 2, 8, 2, interlace=1), "Adam7 interlacing"),
        (with_header(0, 2, 8, 2), "0x2 image"),
        (encode_png(picture((3, 3)))[:-20], "truncated"),
    ],
)
def test_unsupported_or_damaged_pngs_are_refused(content, words) -> None:
    with pytest.raises(DataError, match=words):
        decode_png(content, "x.png")


def test_a_damaged_chunk_fails_its_crc() -> None:
    content = bytearray(encode_png(picture((3, 3))))
    content[-20] ^= 0xFF  # a byte inside the IDAT data
    with pytest.raises(DataError, match=r"x\.png: the b'IDAT' chunk fails its CRC check"):
        decode_png(bytes(content), "x.png")


def test_a_bad_filter_type_and_a_short_image_are_refused() -> None:
    image = picture((3, 3))
    rows = b"".join(bytes([7]) + image[y].tobytes() for y in range(3))
    with pytest.raises(DataError, match="row 0 has filter type 7: PNG defines 0 to 4"):
        decode_png(png_of((3, 3, 8, 0, 0, 0, 0), rows))
    with pytest.raises(DataError, match="holds 11 bytes, but 3 rows of 3 pixels"):
        decode_png(png_of((3, 3, 8, 0, 0, 0, 0), rows[:-1]))


def test_an_unknown_critical_chunk_is_refused_and_encode_checks_its_input() -> None:
    content = encode_png(picture((2, 2)))
    odd = content[:-12] + chunk(b"ABCD", b"") + content[-12:]
    with pytest.raises(DataError, match="unknown critical chunk b'ABCD'"):
        decode_png(odd)
    with pytest.raises(DataError, match="uint8 image, got float32"):
        encode_png(np.zeros((2, 2), np.float32))
    with pytest.raises(DataError, match=r"C = 1, 2, 3 or 4 and H, W > 0, got shape \(2, 2, 5\)"):
        encode_png(np.zeros((2, 2, 5), np.uint8))
    with pytest.raises(DataError, match="no file at"):
        read_png("/nonexistent/x.png")
