"""The corpus of tests/clients/: tinydl's own learner programs, each standing in for a
public PyTorch or Keras program (see tests/clients/README.md). Each runs for a few batches:
it must finish, print finite losses, and the losses must fall."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = ROOT / "tests" / "clients"
FIELDS = ("stands-for", "loss", "exercises")
MARKED = re.compile(r"^(?P<code>.*?)\s*# was: ?(?P<original>.*)$")
STANDS_FOR = re.compile(r"https://github\.com/[\w.-]+/[\w.-]+ [0-9a-f]{40} \S+\.py")
# The real framework's module a swapped import must name, by folder.
FRAMEWORK = {"pytorch": r"\b(torch|torchvision)\b", "keras3": r"\bkeras\b"}


def programs() -> list[Path]:
    return sorted(p for p in CLIENTS.rglob("*.py") if not p.name.startswith("_"))


def header(program: Path) -> dict[str, str]:
    """The ``# field: value`` lines at the top of ``program``."""
    fields = {}
    for line in program.read_text().splitlines():
        match = re.match(r"#\s*([\w-]+):\s*(.*)", line)
        if not match:
            break
        fields[match.group(1)] = match.group(2).strip()
    return fields


def losses(output: str, pattern: str) -> list[float]:
    return [float(m.group(1)) for m in re.finditer(pattern, output)]


def environment() -> dict[str, str]:
    """The environment a program runs in: this checkout's tinydl, the corpus's helpers."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(CLIENTS)]),
               MPLBACKEND="Agg")
    env.setdefault("TINYDL_DATA", str(ROOT.parent / "shared" / "data"))
    return env


IDS = [str(p.relative_to(CLIENTS)) for p in programs()]


def test_the_corpus_is_complete() -> None:
    """Issue 21: at least 25 programs, at least 8 of them Keras."""
    folders = [p.relative_to(CLIENTS).parts[0] for p in programs()]
    assert set(folders) == set(FRAMEWORK)
    assert len(folders) >= 25 and folders.count("keras3") >= 8


def test_the_docs_page_lists_every_program() -> None:
    """docs/corpus.md names each program and links the public program it stands for."""
    page = (ROOT / "docs" / "corpus.md").read_text()
    missing = []
    for program in programs():
        name = str(program.relative_to(CLIENTS))
        repository, commit, path = header(program)["stands-for"].split()
        if f"`{name}`" not in page or f"{repository}/blob/{commit}/{path}" not in page:
            missing.append(name)
    assert missing == []


@pytest.mark.parametrize("program", programs(), ids=IDS)
def test_header_names_the_public_program(program: Path) -> None:
    fields = header(program)
    assert set(FIELDS) <= set(fields), f"missing {set(FIELDS) - set(fields)}"
    assert STANDS_FOR.fullmatch(fields["stands-for"]), fields["stands-for"]
    assert re.compile(fields["loss"]).groups >= 1
    assert fields["exercises"]


@pytest.mark.parametrize("program", programs(), ids=IDS)
def test_only_marked_imports_name_tinydl(program: Path) -> None:
    """Every line naming tinydl is an import ending in ``# was: <the framework's import>``,
    so putting the originals back gives a program for the real framework."""
    framework = FRAMEWORK[program.relative_to(CLIENTS).parts[0]]
    wrong = []
    for number, line in enumerate(program.read_text().splitlines(), 1):
        if "tinydl" not in line or line.startswith("#"):
            continue
        marked = MARKED.match(line)
        if not (marked and re.match(r"\s*(import|from) ", marked["code"])
                and re.match(r"\s*(import|from) ", marked["original"])
                and re.search(framework, marked["original"])
                and "tinydl" not in marked["original"]):
            wrong.append(f"{number}: {line}")
    assert wrong == []


@pytest.mark.parametrize("program", programs(), ids=IDS)
def test_program_trains(program: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(program)], cwd=tmp_path, env=environment(), capture_output=True,
        text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    values = losses(done.stdout, header(program)["loss"])
    assert len(values) >= 2, f"fewer than two losses printed:\n{done.stdout[-2000:]}"
    assert all(math.isfinite(v) for v in values), values
    half = len(values) // 2
    assert sum(values[-half:]) / half < sum(values[:half]) / half, values
