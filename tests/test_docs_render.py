"""The docs' maths renders with no network: the site is built, pages are opened in headless
Chromium from the files alone (file:// URLs, so nothing can be fetched from a CDN), and every
formula must have been typeset by the KaTeX copy that ships in docs/javascripts/katex/.

Chromium is Debian's ``chromium`` package, which .ci/run installs; where it is missing the
tests skip and say so. The screenshot of the softmax page is kept as a test artefact, in
out/test-artifacts/.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import test_docs

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "out" / "test-artifacts"
PAGES = ["backprop", "ops/conv", "ops/activations"]  # the activations page holds softmax
SHOWN = "ops/activations"  # the page whose screenshot is kept
BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def browser() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    pytest.skip(
        "no headless browser: install Debian's chromium package (apt-get install chromium; "
        ".ci/run does this when it runs as root) to check that the docs' maths is typeset"
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    browser()  # skip before the build when there is nothing to open the pages with
    site_dir = tmp_path_factory.mktemp("site")
    test_docs.test_site_builds_without_warnings(site_dir)  # the strict build, into site_dir
    return site_dir


def chromium(site_dir: Path, page: str, screenshot: Path) -> str:
    """Open the built ``page`` in headless Chromium, once the scripts have run save a
    screenshot to ``screenshot`` and return the page's DOM as HTML."""
    result = subprocess.run(
        [
            browser(),
            "--headless",
            "--no-sandbox",  # CI runs as root
            "--disable-gpu",
            f"--user-data-dir={site_dir.parent / (site_dir.name + '-profile')}",
            "--virtual-time-budget=5000",  # let the scripts run to the end
            "--hide-scrollbars",
            "--window-size=1000,1100",
            f"--screenshot={screenshot}",
            "--dump-dom",
            (site_dir / page / "index.html").as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def visible_text(dom: str) -> str:
    """The text a reader sees: no scripts, styles, code, nor KaTeX's hidden MathML copy of
    the source (its <annotation>)."""
    hidden = r"<(script|style|pre|code|annotation)\b[^>]*>.*?</\1>"
    dom = re.sub(hidden, " ", dom, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", dom))


@pytest.mark.parametrize("page", PAGES)
def test_every_formula_is_typeset_offline(site: Path, page: str) -> None:
    built = (site / page / "index.html").read_text(encoding="utf-8")
    formulas = len(re.findall(r'class="arithmatex"', built))
    assert formulas >= 3, f"{page} has {formulas} formulas: is arithmatex still on?"
    assert "\\(" in visible_text(built)  # before the browser: raw TeX (the test can fail)
    assert not re.search(r'src="https?://', built), "a script is fetched from the network"

    shot = site.parent / f"{page.replace('/', '-')}.png"
    dom = chromium(site, page, shot)
    assert len(re.findall(r'class="katex"', dom)) == formulas  # one rendering per formula
    assert "katex-error" not in dom  # no formula that KaTeX could not read
    text = visible_text(dom)
    for delimiter in ("\\(", "\\)", "\\[", "\\]"):
        assert delimiter not in text, f"raw TeX left on {page}: {delimiter!r}"
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    if page == SHOWN:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, ARTIFACTS / "docs-maths-softmax.png")
