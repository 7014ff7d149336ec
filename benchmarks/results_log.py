"""One run's table, printed and appended to a log file in benchmarks/results/."""

from __future__ import annotations

import time
from pathlib import Path

from mnist_speed import machine

RESULTS = Path(__file__).resolve().parent / "results"


def append_run(file_name: str, title: str, setup: str, rows: list[str]) -> str:
    """Print a section headed by the time and this machine, holding ``setup`` (what ran and
    the command) and the Markdown table ``rows``; append it to ``results/file_name``
    (created with ``title`` as its heading)."""
    report = (
        f"\n## {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {machine()}\n\n"
        f"{setup}\n\n" + "\n".join(rows) + "\n"
    )
    print(report)
    path = RESULTS / file_name
    if not path.exists():
        path.write_text(f"# {title}\n")
    with path.open("a") as file:
        file.write(report)
    return report
