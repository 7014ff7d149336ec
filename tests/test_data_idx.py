"""The IDX reader and writer: round trips, the exact bytes, and one clear error per defect."""

from __future__ import annotations

import gzip
import re

import numpy as np
import pytest

from tinydl.data import DataError, read_idx, write_idx
from tinydl.data.atomic import atomic_write
from tinydl.data.idx import parse_idx
from tinydl.errors import TinyDLError


def idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    """IDX bytes built by hand from the format's definition (the reference for the writer)."""
    header = bytes([0, 0, type_code, array.ndim]) + np.array(array.shape, ">u4").tobytes()
    return header + array.tobytes()


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32", "float32", "float64"])
@pytest.mark.parametrize("name", ["values.idx", "values.idx.gz"])
def test_round_trip_keeps_values_dtype_and_shape(tmp_path, rng, dtype, name):
    array = (rng.standard_normal((3, 4, 5)) * 100).astype(dtype)
    write_idx(tmp_path / name, array)
    back = read_idx(tmp_path / name)
    assert back.dtype == np.dtype(dtype) and back.dtype.isnative
    np.testing.assert_array_equal(back, array)
    back[0, 0, 0] = 1  # a writable copy, not a view of the file's bytes


def test_writer_produces_the_idx_bytes_and_gzip_only_for_gz(tmp_path):
    array = np.arange(6, dtype=np.uint8).reshape(2, 3)
    write_idx(tmp_path / "plain", array)
    write_idx(tmp_path / "packed.gz", array)
    write_idx(tmp_path / "forced", array, compress=True)
    assert (tmp_path / "plain").read_bytes() == idx_bytes(array)
    assert gzip.decompress((tmp_path / "packed.gz").read_bytes()) == idx_bytes(array)
    assert gzip.decompress((tmp_path / "forced").read_bytes()) == idx_bytes(array)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["forced", "packed.gz", "plain"]


def test_big_endian_values_and_type_codes(tmp_path):
    array = np.array([1, -2, 70000], dtype=np.int32)
    (tmp_path / "ints").write_bytes(idx_bytes(array.astype(">i4"), 0x0C))
    np.testing.assert_array_equal(read_idx(tmp_path / "ints"), array)
    write_idx(tmp_path / "again", array)
    assert (tmp_path / "again").read_bytes() == idx_bytes(array.astype(">i4"), 0x0C)


def test_reader_detects_gzip_by_content_not_name(tmp_path):
    array = np.arange(4, dtype=np.uint8)
    (tmp_path / "unpacked.gz").write_bytes(idx_bytes(array))
    np.testing.assert_array_equal(read_idx(tmp_path / "unpacked.gz"), array)


def test_errors_are_tinydl_and_value_errors():
    assert issubclass(DataError, TinyDLError) and issubclass(DataError, ValueError)


GOOD = idx_bytes(np.zeros((2, 3, 4), np.uint8))  # header 16 bytes + 24 values


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x00", "not an IDX file: expected a 4-byte magic number, found only 2 bytes"),
        (
            b"\x01\x00" + GOOD[2:],
            "not an IDX file: expected a magic number starting with two zero bytes "
            "(0x0000 <type code> <number of dimensions>), found 0x01000803",
        ),
        (
            b"\x00\x00\x07" + GOOD[3:],
            "unknown IDX type code 0x07: expected one of 0x08 (uint8), 0x09 (int8), "
            "0x0b (int16), 0x0c (int32), 0x0d (float32), 0x0e (float64)",
        ),
        (b"\x00\x00\x08\x00", "the IDX header declares 0 dimensions: expected at least 1"),
        (
            GOOD[:10],
            "truncated IDX header: 3 dimensions need 16 header bytes, found 10 bytes in the file",
        ),
        (
            GOOD[:-1],
            "IDX length mismatch: the header declares shape (2, 3, 4) of uint8, which needs 40 "
            "bytes, but the file has 39 bytes (truncated, or wrong dimensions in the header)",
        ),
        (
            GOOD[:4] + np.array([2, 3, 5], ">u4").tobytes() + GOOD[16:],
            "IDX length mismatch: the header declares shape (2, 3, 5) of uint8, which needs 46 "
            "bytes, but the file has 40 bytes (truncated, or wrong dimensions in the header)",
        ),
        (
            GOOD + b"\x00",
            "IDX length mismatch: the header declares shape (2, 3, 4) of uint8, which needs 40 "
            "bytes, but the file has 41 bytes (truncated, or wrong dimensions in the header)",
        ),
    ],
    ids=[
        "too-short",
        "bad-magic",
        "bad-type-code",
        "zero-dims",
        "short-header",
        "truncated",
        "wrong-dims",
        "too-long",
    ],
)
def test_each_defect_has_its_message_naming_the_file(tmp_path, content, message):
    path = tmp_path / "broken-idx3-ubyte"
    path.write_bytes(content)
    with pytest.raises(DataError, match="^" + re.escape(f"{path}: {message}") + "$"):
        read_idx(path)


def test_truncated_gzip_is_a_data_error(tmp_path):
    path = tmp_path / "cut.gz"
    path.write_bytes(gzip.compress(GOOD)[:-12])
    with pytest.raises(DataError, match=re.escape(f"{path}: corrupt or truncated gzip data (")):
        read_idx(path)


def test_parse_names_the_source_it_is_given():
    with pytest.raises(DataError, match=r"^https://example\.org/x: not an IDX file"):
        parse_idx(b"PK\x03\x04", "https://example.org/x")


def test_writer_rejects_what_idx_cannot_store(tmp_path):
    path = tmp_path / "x"
    with pytest.raises(
        DataError,
        match=re.escape(
            f"{path}: IDX cannot store dtype int64: expected one of uint8, int8, int16, int32, "
            "float32, float64"
        ),
    ):
        write_idx(path, np.zeros(3, np.int64))
    with pytest.raises(
        DataError, match=re.escape(f"{path}: IDX stores 1 to 255 dimensions, got 0")
    ):
        write_idx(path, np.uint8(3))
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_replaces_only_on_success(tmp_path):
    path = tmp_path / "data"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="interrupted"), atomic_write(path, "a test") as file:
        file.write(b"half of the new")
        raise RuntimeError("interrupted")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["data"]  # no temporary file left
    with atomic_write(path, "a test") as file:
        file.write(b"new")
        assert path.read_bytes() == b"old"  # not visible before the block ends
    assert path.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["data"]
