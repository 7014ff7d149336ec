"""Downloads against a local HTTP server on 127.0.0.1 (never the real network): mirrors,
fallback, checksums, truncated transfers, and that a failed download leaves nothing behind."""

from __future__ import annotations

import gzip
import hashlib
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

# The file generators live beside this file (pytest puts tests/ on sys.path).
from test_data_datasets import (
    assert_cifar,
    assert_dataset,
    make_cifar_archive,
    make_cifar_batches,
    make_idx_dataset,
    mnist_table,
)

from tinydl.data import (
    CIFAR10,
    FASHION_MNIST,
    MNIST,
    DataError,
    DownloadError,
    download,
    load_cifar10,
    load_idx_dataset,
    load_mnist,
)
from tinydl.data.datasets import IDX_FILES


class _Handler(BaseHTTPRequestHandler):
    """Serves ``server.routes[path] = (body, declared Content-Length)``; 404 otherwise."""

    def do_GET(self) -> None:  # noqa: N802  (http.server's name)
        self.server.requests.append(self.path)
        if self.path not in self.server.routes:
            self.send_error(404)
            return
        body, length = self.server.routes[self.path]
        self.send_response(200)
        self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.write(body)  # fewer bytes than announced when a test truncates

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("no_proxy", "*")  # a proxy from the environment must not see localhost
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.routes, httpd.requests = {}, []
    httpd.url = f"http://127.0.0.1:{httpd.server_port}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def serve(server, path: str, body: bytes, length: int | None = None) -> None:
    server.routes[path] = (body, len(body) if length is None else length)


def closed_port_url() -> str:
    """A localhost URL nothing listens on: connecting is refused at once, like being offline."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """The user cache folder, redirected into tmp_path; no $TINYDL_DATA."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("TINYDL_DATA", raising=False)
    return tmp_path / "cache" / "tinydl"


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_download_verifies_before_the_file_takes_its_name(server, tmp_path):
    serve(server, "/a.bin", b"payload")
    seen = []

    def verify(path, url):
        seen.append((path.read_bytes(), path.name, url, (tmp_path / "out" / "a.bin").exists()))

    path = download([server.url + "/a.bin"], tmp_path / "out" / "a.bin", verify, progress=False)
    assert path == tmp_path / "out" / "a.bin" and path.read_bytes() == b"payload"
    [(content, name, url, final_exists)] = seen
    assert content == b"payload" and name != "a.bin" and url == server.url + "/a.bin"
    assert not final_exists
    assert files_under(tmp_path / "out") == ["a.bin"]


def test_falls_back_to_the_next_mirror(server, tmp_path):
    serve(server, "/second/a.bin", b"payload")
    urls = [closed_port_url() + "a.bin", server.url + "/first/a.bin", server.url + "/second/a.bin"]
    path = download(urls, tmp_path / "a.bin", progress=False)
    assert path.read_bytes() == b"payload"
    assert server.requests == ["/first/a.bin", "/second/a.bin"]


def test_a_rejected_file_tries_the_next_mirror_and_all_failures_are_listed(server, tmp_path):
    serve(server, "/one/a.bin", b"bad")
    serve(server, "/two/a.bin", b"bad")

    def verify(path, url):
        raise DataError(f"{url}: rejected")

    urls = [server.url + "/one/a.bin", server.url + "/two/a.bin", server.url + "/three/a.bin"]
    with pytest.raises(DownloadError) as caught:
        download(urls, tmp_path / "a.bin", verify, progress=False)
    assert str(caught.value) == (
        "could not download a.bin:\n"
        f"  {urls[0]}: {urls[0]}: rejected\n"
        f"  {urls[1]}: {urls[1]}: rejected\n"
        f"  {urls[2]}: HTTP Error 404: Not Found"
    )
    assert [url for url, _ in caught.value.failures] == urls
    assert files_under(tmp_path) == []


def test_a_short_transfer_is_refused_and_leaves_nothing(server, tmp_path):
    serve(server, "/a.bin", b"only part", length=100)
    with pytest.raises(
        DownloadError,
        match=re.escape(
            "the transfer stopped early: expected 100 bytes (Content-Length), received 9"
        ),
    ):
        download([server.url + "/a.bin"], tmp_path / "a.bin", progress=False)
    assert files_under(tmp_path) == []


# ---- datasets through the local mirror -----------------------------------------------------


@pytest.fixture
def mirror(server, tmp_path):
    """A generated MNIST-style dataset served at <server>/mnist/ and its table (digests, mirror)."""
    arrays = make_idx_dataset(tmp_path / "served")
    for stem in IDX_FILES:
        serve(server, f"/mnist/{stem}.gz", (tmp_path / "served" / f"{stem}.gz").read_bytes())
    return arrays, mnist_table(arrays, tmp_path, [server.url + "/mnist/"])


def test_load_mnist_downloads_into_the_cache_once(server, mirror, cache, monkeypatch, capsys):
    arrays, table = mirror
    monkeypatch.setitem(MNIST, "mirrors", table["mirrors"])
    monkeypatch.setitem(MNIST, "sha256", table["sha256"])
    assert_dataset(load_mnist(), arrays)
    assert files_under(cache) == [f"mnist/{stem}.gz" for stem in sorted(IDX_FILES)]
    assert "train-images-idx3-ubyte.gz" in capsys.readouterr().err  # the progress bar
    assert len(server.requests) == 4
    assert_dataset(load_mnist(), arrays)  # from the cache now
    assert len(server.requests) == 4


def test_only_missing_files_are_downloaded(server, mirror, cache, tmp_path):
    arrays, table = mirror
    make_idx_dataset(tmp_path / "local")
    for stem in IDX_FILES[1:]:
        (tmp_path / "local" / f"{stem}.gz").unlink()
    assert_dataset(load_idx_dataset(table, root=tmp_path / "local", progress=False), arrays)
    assert server.requests == [f"/mnist/{stem}.gz" for stem in IDX_FILES[1:]]


def test_a_corrupt_download_is_rejected_and_nothing_is_cached(server, mirror, cache, tmp_path):
    arrays, table = mirror
    table["mirrors"] = [server.url + "/mnist/", server.url + "/other/"]
    body = gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x02\x07\x07")  # valid IDX, other content
    serve(server, "/mnist/train-labels-idx1-ubyte.gz", body)
    found = hashlib.sha256(gzip.decompress(body)).hexdigest()
    with pytest.raises(DataError) as caught:
        load_idx_dataset(table, progress=False)
    message = str(caught.value)
    url = server.url + "/mnist/train-labels-idx1-ubyte.gz"
    assert (
        f"Downloading failed: could not download train-labels-idx1-ubyte.gz:\n  {url}: {url}: "
        f"checksum mismatch: expected SHA-256 of its uncompressed content "
        f"{table['sha256']['train-labels-idx1-ubyte']}, found {found};"
    ) in message
    assert f"  {server.url}/other/train-labels-idx1-ubyte.gz: HTTP Error 404" in message
    # The one file downloaded before the failure is verified; nothing else is there.
    assert files_under(cache) == ["mnist/train-images-idx3-ubyte.gz"]


@pytest.mark.parametrize("defect", ["short-transfer", "truncated-gzip"])
def test_a_truncated_download_leaves_nothing(server, mirror, cache, defect):
    arrays, table = mirror
    path = "/mnist/train-images-idx3-ubyte.gz"
    body = server.routes[path][0]
    if defect == "short-transfer":
        serve(server, path, body[: len(body) // 2], length=len(body))
        reason = f"expected {len(body)} bytes (Content-Length), received {len(body) // 2}"
    else:
        serve(server, path, body[: len(body) // 2])
        reason = "corrupt or truncated gzip data"
    with pytest.raises(DataError, match=re.escape(reason)):
        load_idx_dataset(table, progress=False)
    assert files_under(cache) == []


def test_offline_error_says_where_it_looked_and_what_to_do(tmp_path, cache, monkeypatch):
    url = closed_port_url()
    monkeypatch.setitem(MNIST, "mirrors", [url])
    monkeypatch.setenv("TINYDL_DATA", str(tmp_path / "env"))
    with pytest.raises(DataError) as caught:
        load_mnist(root=tmp_path / "root", progress=False)
    message = str(caught.value)
    assert message.startswith(
        "MNIST not found. Looked for train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], "
        "t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz] in:\n"
        f"  {tmp_path / 'root' / 'mnist'}\n  {tmp_path / 'root'}\n"
        f"  {tmp_path / 'env' / 'mnist'}\n  {tmp_path / 'env'}\n"
        f"  {cache / 'mnist'}\n"
        "Downloading failed: could not download train-images-idx3-ubyte.gz:\n"
        f"  {url}train-images-idx3-ubyte.gz: "
    )
    assert "refused" in message.lower()
    assert message.endswith(
        "To use local copies, pass load_mnist(root='/path/to/folder') or set "
        "TINYDL_DATA=/path/to/folder; the files may sit in that folder or in its subfolder mnist/."
    )
    assert files_under(cache) == []


def test_fashion_mnist_download_is_checked_against_the_gz_digest(
    server, tmp_path, cache, monkeypatch
):
    arrays = make_idx_dataset(tmp_path / "served")
    digests = {}
    for stem in IDX_FILES:
        body = (tmp_path / "served" / f"{stem}.gz").read_bytes()
        serve(server, f"/f/{stem}.gz", body)
        digests[f"{stem}.gz"] = hashlib.sha256(body).hexdigest()
    monkeypatch.setitem(FASHION_MNIST, "mirrors", [server.url + "/f/"])
    with pytest.raises(DataError, match=re.escape("expected SHA-256 of the .gz file 3aede38d")):
        load_idx_dataset(FASHION_MNIST, progress=False)
    assert files_under(cache) == []
    monkeypatch.setitem(FASHION_MNIST, "sha256", digests)
    assert_dataset(load_idx_dataset(FASHION_MNIST, progress=False), arrays)
    assert files_under(cache) == [f"fashion-mnist/{stem}.gz" for stem in sorted(IDX_FILES)]


def test_cifar_archive_download(server, tmp_path, cache, monkeypatch):
    batches = make_cifar_batches(tmp_path / "batches")
    digest = make_cifar_archive(tmp_path / "archive.tar.gz", tmp_path / "batches")
    serve(server, "/c/cifar-10-python.tar.gz", (tmp_path / "archive.tar.gz").read_bytes())
    monkeypatch.setitem(CIFAR10, "mirrors", [server.url + "/c/"])
    with pytest.raises(DataError, match="checksum mismatch: expected SHA-256 of the archive"):
        load_cifar10(progress=False)
    assert files_under(cache) == []
    monkeypatch.setitem(CIFAR10, "sha256", {"cifar-10-python.tar.gz": digest})
    assert_cifar(load_cifar10(progress=False), batches)
    assert files_under(cache) == ["cifar10/cifar-10-python.tar.gz"]
    assert np.array_equal(load_cifar10(progress=False)[1][1], load_cifar10()[1][1])
    assert len(server.requests) == 2  # the rejected one and the good one; then the cache
