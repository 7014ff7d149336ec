"""The reading map (docs/learning-path.md's tables, the README's summary) is measured, not
guessed: this test recounts the files with docs/reading_map.py and fails when a file grew or
shrank. Then run ``python docs/reading_map.py --write``, which puts today's tables into the
page and the summary into the README."""

from __future__ import annotations

from pathlib import Path

from conftest import load_script

SCRIPT = Path(__file__).resolve().parent.parent / "docs" / "reading_map.py"
reading_map = load_script(SCRIPT)


def test_the_docs_hold_the_reading_map_as_the_files_are_today() -> None:
    assert reading_map.stale_docs() == [], (
        "the files changed size: run python docs/reading_map.py --write"
    )


def test_code_lines_leave_out_blank_lines_comments_and_docstrings(tmp_path: Path) -> None:
    source = tmp_path / "example.py"
    source.write_text('"""Module\ndocstring."""\n\n# a comment\ndef f():\n    """Doc."""\n'
                      "    return 1  # kept: code\n")
    assert reading_map.line_counts(source) == (7, 2)


def test_every_file_on_the_map_exists_and_the_paths_start_with_the_one_file_engine() -> None:
    for name, steps in reading_map.MAPS.items():
        for file, _ in steps:
            assert (SCRIPT.parent.parent / file).is_file(), (name, file)
    assert reading_map.MAPS["Dense"][0][0] == reading_map.MAPS["Conv2D"][0][0] == (
        "tinydl/minimal.py"
    )
