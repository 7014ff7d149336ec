"""The corpus of tests/clients/: public learner programs with only their imports and data
changed (see tests/clients/README.md), each run for a few batches: it must finish, print
finite losses, and the losses must fall."""

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
FIELDS = ("source", "commit", "path", "licence", "loss", "exercises")
MARKED = re.compile(r"#\s*was:")


def programs() -> list[Path]:
    return sorted(p for p in CLIENTS.rglob("*.py") if not p.name.startswith("_"))


def header(program: Path) -> dict[str, str]:
    """The ``# field: value`` lines at the top of ``program``."""
    fields = {}
    for line in program.read_text().splitlines():
        match = re.match(r"#\s*(\w+):\s*(.*)", line)
        if not match:
            break
        fields[match.group(1)] = match.group(2).strip()
    return fields


def losses(output: str, pattern: str) -> list[float]:
    return [float(m.group(1)) for m in re.finditer(pattern, output)]


IDS = [str(p.relative_to(CLIENTS)) for p in programs()]


@pytest.mark.parametrize("program", programs(), ids=IDS)
def test_header_names_the_source(program: Path) -> None:
    fields = header(program)
    assert set(FIELDS) <= set(fields), f"missing {set(FIELDS) - set(fields)}"
    assert fields["source"].startswith("https://github.com/")
    assert re.fullmatch(r"[0-9a-f]{40}", fields["commit"])
    re.compile(fields["loss"])


@pytest.mark.parametrize("program", programs(), ids=IDS)
def test_only_marked_lines_name_tinydl(program: Path) -> None:
    unmarked = [
        f"{number}: {line}"
        for number, line in enumerate(program.read_text().splitlines(), 1)
        if "tinydl" in line and not MARKED.search(line) and not line.startswith("#")
    ]
    assert unmarked == []


@pytest.mark.parametrize("program", programs(), ids=IDS)
def test_program_trains(program: Path, tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    env.setdefault("TINYDL_DATA", str(ROOT.parent / "shared" / "data"))
    done = subprocess.run(
        [sys.executable, str(program)], cwd=tmp_path, env=env, capture_output=True,
        text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    values = losses(done.stdout, header(program)["loss"])
    assert len(values) >= 2, f"fewer than two losses printed:\n{done.stdout[-2000:]}"
    assert all(math.isfinite(v) for v in values), values
    half = len(values) // 2
    assert sum(values[-half:]) / half < sum(values[:half]) / half, values
