"""The documentation cannot rot: its code runs, its outputs match, and the site builds.

- Every ```python block of every docs/**/*.md page and of README.md runs, in page
  order, sharing one namespace per page, in a fresh working directory.
- A ```text title="Output" block directly after a python block must equal what that
  block printed.
- Illustrative code that cannot run is fenced ```{.python .no-run}; any other fence
  info string is refused, so a typo cannot silently turn a block into prose that
  never runs.
- Pages whose code loads MNIST run with $TINYDL_DATA pointing at the real files and
  are skipped, saying so, when those files are not on this machine.
- ``mkdocs build --strict`` succeeds: no warning (broken link, bad docstring, missing
  page) is allowed.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import load_script

import tinydl

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = [*sorted(DOCS.rglob("*.md")), ROOT / "README.md"]

RUN = "python"
OUTPUT = 'text title="Output"'
KNOWN_FENCES = {RUN, OUTPUT, "{.python .no-run}", "bash", "text"}
NEEDS_MNIST = "load_mnist("  # a page whose code contains this reads the MNIST files

FENCE = re.compile(r"^(?P<indent> *)```(?P<info>.*?)\s*$")


@dataclass
class Block:
    info: str
    code: str
    first_line: int  # 1-based line of the first code line
    last_line: int  # 1-based line of the closing fence
    expected_output: str | None = None


def read_blocks(page: Path) -> list[Block]:
    """The fenced blocks of ``page``, with each Output block attached to the python block
    right before it."""
    lines = page.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    number = 0
    while number < len(lines):
        opening = FENCE.match(lines[number])
        number += 1
        if opening is None:
            continue
        indent, info = opening["indent"], opening["info"]
        body, first = [], number + 1
        while number < len(lines) and lines[number].rstrip() != indent + "```":
            body.append(lines[number][len(indent) :])
            number += 1
        if number == len(lines):
            raise AssertionError(f"{page}:{first - 1}: the ``` fence is never closed")
        number += 1  # past the closing fence
        block = Block(info, "\n".join(body) + "\n", first, number)
        if info == OUTPUT:
            previous = blocks[-1] if blocks else None
            between = lines[previous.last_line : first - 2] if previous else []
            if previous is None or previous.info != RUN or any(s.strip() for s in between):
                raise AssertionError(
                    f"{page}:{first - 1}: an Output block must come straight after the "
                    f"```python block that prints it"
                )
            previous.expected_output = block.code
        blocks.append(block)
    return blocks


def mnist_folder() -> Path | None:
    """A folder holding mnist/: $TINYDL_DATA, else the shared data next to the repository."""
    candidates = [os.environ.get("TINYDL_DATA"), ROOT.parent / "shared" / "data"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "mnist").is_dir():
            return Path(candidate)
    return None


def normalised(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def page_id(page: Path) -> str:
    return str(page.relative_to(ROOT))


RUNNABLE_PAGES = [page for page in PAGES if any(b.info == RUN for b in read_blocks(page))]


def test_every_fence_is_known():
    unknown = [
        f"{page_id(page)}:{block.first_line - 1}: ```{block.info}"
        for page in PAGES
        for block in read_blocks(page)
        if block.info not in KNOWN_FENCES
    ]
    assert not unknown, (
        "fences the docs tests do not know (use ```python to run, ```{.python .no-run} for "
        "illustration, ```text or ```bash otherwise): " + "; ".join(unknown)
    )


def test_the_docs_have_runnable_code():
    # Guards the extractor itself: if it found nothing, every page test would pass vacuously.
    assert len(RUNNABLE_PAGES) >= 10
    assert any(b.expected_output for p in RUNNABLE_PAGES for b in read_blocks(p))


@pytest.mark.parametrize("page", RUNNABLE_PAGES, ids=page_id)
def test_page_code_runs(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    blocks = [block for block in read_blocks(page) if block.info == RUN]
    if any(NEEDS_MNIST in block.code for block in blocks):
        folder = mnist_folder()
        if folder is None:
            pytest.skip(
                f"{page_id(page)} loads MNIST, which is not on this machine: set TINYDL_DATA "
                f"to a folder holding mnist/"
            )
        monkeypatch.setenv("TINYDL_DATA", str(folder))
    monkeypatch.delenv("TINYDL_DEVICE", raising=False)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    try:
        for block in blocks:
            # Line numbers in tracebacks point into the page itself.
            code = compile("\n" * (block.first_line - 1) + block.code, str(page), "exec")
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                exec(code, namespace)
            if block.expected_output is not None:
                assert normalised(printed.getvalue()) == normalised(block.expected_output), (
                    f"{page_id(page)}:{block.first_line}: the Output block does not match "
                    f"what the code printed"
                )
    finally:
        tinydl.set_default_device(None)


def test_figure_script_draws_im2col(tmp_path: Path):
    pytest.importorskip("matplotlib", reason="the figure script needs matplotlib")
    import matplotlib.image

    module = load_script(DOCS / "figures" / "make_figures.py")
    (written,) = module.main(tmp_path)
    image = matplotlib.image.imread(written)
    assert image.shape[0] > 300 and image.shape[1] > 800
    assert image.std() > 0.1  # a drawing, not a blank canvas
    assert (DOCS / "figures" / written.name).is_file(), "commit the generated PNG in docs/"


def build_site(site_dir: Path) -> None:
    """``mkdocs build --strict`` into ``site_dir``: any warning (a broken link, a page left
    out of the navigation) fails it. The build runs the notebooks (mkdocs-jupyter), which
    read MNIST: without the files here, the tests that need the site skip."""
    missing = [
        package
        for package in ("mkdocs", "material", "mkdocstrings_handlers.python", "mkdocs_jupyter")
        if importlib.util.find_spec(package.split(".")[0]) is None
    ]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed: pip install -e '.[dev]' builds the docs")
    folder = mnist_folder()
    if folder is None:
        pytest.skip("the docs build runs the notebooks, which read MNIST: set $TINYDL_DATA")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "TINYDL_DATA": str(folder)},
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_site_builds_without_warnings(docs_site: Path):
    assert (docs_site / "index.html").is_file()
    # Each notebook is a page, shown with the outputs the build's run produced.
    for name in ("01-your-first-network", "02-backprop-by-hand", "03-inside-a-cnn"):
        page = (docs_site / "notebooks" / name / "index.html").read_text(encoding="utf-8")
        assert "jp-OutputArea-output" in page, f"{name} was shown without outputs"
    first = (docs_site / "notebooks" / "01-your-first-network" / "index.html").read_text()
    assert re.search(r"test accuracy: \d+\.\d\d%", first)
    assert first.count("data:image/png;base64,") >= 3  # the digits, confusion matrix, mistakes
