"""The docs as a reader's browser shows them, offline: the site is built, its pages are
opened from the files alone in headless Chromium, and

- every formula has been typeset by the KaTeX copy that ships in docs/javascripts/katex/;
- no table of contents (the page's, or the site's navigation) shows raw TeX;
- a displayed formula wider than its box scrolls inside it, at a desktop's width and at a
  narrow window's, instead of running off the page;
- the page asks for nothing off the machine: no font, script, style or picture from the
  network (each tab's own network events are recorded, tests/headless_browser.py).

Chromium is Debian's ``chromium`` package, which .ci/run installs; where it is missing the
tests skip and say so. The screenshot of the softmax page is kept as a test artefact, in
out/test-artifacts/.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from headless_browser import Browser, LoadedPage

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "out" / "test-artifacts"
MATHS_PAGES = ["backprop", "ops/conv", "ops/activations", "attention"]
SHOWN = "ops/activations"  # the page whose screenshot is kept (it holds softmax)
# Pages of every kind: the home page, maths, a notebook, the generated API reference.
NETWORK_PAGES = ["", "attention", "notebooks/01-your-first-network", "api/nn"]
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
OFF_THE_MACHINE = re.compile(r"^(https?|wss?|ftp):", re.I)

# What the page's scripts measure, once they have run: every displayed formula's box.
MEASURE_DISPLAYS = """JSON.stringify([...document.querySelectorAll('.katex-display')].map(d => {
  const box = d.getBoundingClientRect();
  return {scroll: d.scrollWidth, width: d.clientWidth, overflow: getComputedStyle(d).overflowX,
          right: box.right, page: document.documentElement.clientWidth};
}))"""


def browser_path() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    pytest.skip(
        "no headless browser: install Debian's chromium package (apt-get install chromium; "
        ".ci/run does this when it runs as root) to check that the docs render offline"
    )


@pytest.fixture(scope="module")
def site(docs_site: Path) -> Path:
    browser_path()  # skip before the build when there is nothing to open the pages with
    return docs_site


@pytest.fixture(scope="module")
def browser(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    with Browser(browser_path(), tmp_path_factory.mktemp("chromium-profile")) as opened:
        yield opened


def open_page(browser: Browser, site: Path, page: str, width: int = 1000) -> LoadedPage:
    return browser.open((site / page / "index.html").as_uri(), width=width)


def visible_text(dom: str) -> str:
    """The text a reader sees: no scripts, styles, code, nor KaTeX's hidden MathML copy of
    the source (its <annotation>)."""
    hidden = r"<(script|style|pre|code|annotation)\b[^>]*>.*?</\1>"
    dom = re.sub(hidden, " ", dom, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", dom))


def tables_of_contents(dom: str) -> list[str]:
    """The visible text of every navigation link (the site's and the page's contents)."""
    links = re.findall(r'<a [^>]*class="md-nav__link[^"]*"[^>]*>(.*?)</a>', dom, flags=re.S)
    return [" ".join(visible_text(link).split()) for link in links]


@pytest.mark.parametrize("page", MATHS_PAGES)
def test_every_formula_is_typeset_offline(browser: Browser, site: Path, page: str) -> None:
    built = (site / page / "index.html").read_text(encoding="utf-8")
    formulas = len(re.findall(r'class="arithmatex"', built))
    assert formulas >= 3, f"{page} has {formulas} formulas: is arithmatex still on?"
    assert "\\(" in visible_text(built)  # before the browser: raw TeX (the test can fail)
    assert not re.search(r'src="https?://', built), "a script is fetched from the network"

    loaded = open_page(browser, site, page)
    assert len(re.findall(r'class="katex"', loaded.dom)) >= formulas  # each one rendered
    assert "katex-error" not in loaded.dom  # no formula that KaTeX could not read
    text = visible_text(loaded.dom)
    for delimiter in ("\\(", "\\)", "\\[", "\\]"):
        assert delimiter not in text, f"raw TeX left on {page}: {delimiter!r}"
    assert loaded.screenshot[:8] == b"\x89PNG\r\n\x1a\n" and len(loaded.screenshot) > 20_000
    if page == SHOWN:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "docs-maths-softmax.png").write_bytes(loaded.screenshot)


def test_no_table_of_contents_shows_raw_tex(browser: Browser, site: Path) -> None:
    built = (site / "attention" / "index.html").read_text(encoding="utf-8")
    # The headings "Why divide by √d" and "Why the mask is −∞" reach the contents as TeX...
    assert any("\\(\\sqrt d\\)" in entry for entry in tables_of_contents(built))
    loaded = open_page(browser, site, "attention")
    entries = tables_of_contents(loaded.dom)
    assert sum("Why divide by" in entry for entry in entries) >= 1
    raw = [entry for entry in entries if re.search(r"\\[(\[]|\\[a-z]+", entry)]
    assert raw == [], f"raw TeX in the contents: {raw}"
    # ... and the browser shows them typeset, in both contents of the page.
    contents = re.findall(r'class="md-nav__link[^"]*"[^>]*>.*?</a>', loaded.dom, flags=re.S)
    typeset = [link for link in contents if "Why divide by" in link and 'class="katex"' in link]
    assert len(typeset) == 2
    # Every page: no TeX delimiter left in any contents entry.
    for page in sorted(site.rglob("index.html")):
        for entry in tables_of_contents(page.read_text(encoding="utf-8")):
            if "\\(" in entry:
                assert page.parent.name == "attention", f"{page}: {entry}"


@pytest.mark.parametrize("width", [1280, 700])
def test_wide_formulas_scroll_inside_their_box(browser: Browser, site: Path, width: int) -> None:
    checked = 0
    for page in MATHS_PAGES:
        loaded = browser.open(
            (site / page / "index.html").as_uri(), width=width, evaluate=MEASURE_DISPLAYS
        )
        for display in json.loads(loaded.evaluated):
            checked += 1
            assert display["right"] <= display["page"] + 1, (page, display)  # on the page
            if display["scroll"] > display["width"]:  # wider than its box: it must scroll
                assert display["overflow"] in ("auto", "scroll"), (page, display)
    assert checked > 10


@pytest.mark.parametrize("page", NETWORK_PAGES)
def test_pages_ask_for_nothing_off_the_machine(browser: Browser, site: Path, page: str) -> None:
    loaded = open_page(browser, site, page)
    assert loaded.requests, "no request recorded: is the network log working?"
    assert any(url.startswith("file:") for url in loaded.requests)  # its own files
    off = [url for url in loaded.requests if OFF_THE_MACHINE.match(url)]
    assert off == [], f"{page or 'home'} asked the network for {off}"
