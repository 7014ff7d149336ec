"""The Keras programs of examples/keras/: the tutorials' code with only the imports changed,
and each runs (on a subset: ``TINYDL_KERAS_LIMIT`` makes fit/evaluate/predict use the
first N samples; benchmarks/keras_examples.py runs them in full)."""

from __future__ import annotations

import difflib
import os
import re
import runpy
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples" / "keras"
STORED = HERE / "keras_seeds"
SEEDS = HERE.parents[1] / "shared" / "seeds"  # ../shared/seeds beside the checkout
MARKER = "# --- not in the tutorial's text"

# example -> (the stored tutorial program, the seed file it comes from)
PROGRAMS = {
    "seed_000_cnn_summary.py": ("seed_000.txt", "000_"),
    "seed_001_mlp.py": ("seed_001.txt", "001_"),
    "seed_002_mlp.py": ("seed_002_mlp.txt", "002_"),
    "seed_002_cnn.py": ("seed_002_cnn.txt", "002_"),
}


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def is_import(line: str) -> bool:
    words = line.split()
    return bool(words) and (words[0] == "import" or words[0] == "from" and "import" in words)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed tutorials are not beside this checkout")
@pytest.mark.parametrize("example", sorted(PROGRAMS))
def test_the_stored_programs_are_the_tutorials_text(example: str) -> None:
    stored, prefix = PROGRAMS[example]
    (seed_file,) = SEEDS.glob(prefix + "*.txt")
    seed = squeezed(seed_file.read_text())
    position = 0
    for line in (STORED / stored).read_text().split(MARKER)[0].splitlines():
        if not line.strip():
            continue
        found = seed.find(squeezed(line), position)
        assert found >= 0, f"{stored}: {line!r} is not in {seed_file.name} after the lines before"
        position = found + len(squeezed(line))


@pytest.mark.parametrize("example", sorted(PROGRAMS))
def test_examples_differ_from_the_tutorials_only_in_imports(example: str) -> None:
    tutorial = (STORED / PROGRAMS[example][0]).read_text().splitlines()
    ours = (EXAMPLES / example).read_text().splitlines()
    changed = [
        line
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=tutorial, b=ours).get_opcodes()
        if tag != "equal"
        for line in tutorial[i1:i2] + ours[j1:j2]
    ]
    assert changed, "the tutorial imports tensorflow; the example must import tinydl"
    assert all(map(is_import, changed)), [line for line in changed if not is_import(line)]
    assert not any("tensorflow" in line for line in ours)


def mnist_available() -> bool:
    root = Path(os.environ.get("TINYDL_DATA") or HERE.parents[1] / "shared" / "data")
    return (root / "mnist").is_dir() or (root / "train-images-idx3-ubyte").exists()


@pytest.mark.skipif(not mnist_available(), reason="the MNIST files are not here")
@pytest.mark.filterwarnings("ignore:TINYDL_KERAS_LIMIT", "ignore:.*non-interactive")
@pytest.mark.parametrize(
    ("example", "expected"),
    [
        ("seed_000_cnn_summary.py", r"Total params: 2,164,630(.|\n)*\n\d\n$"),
        ("seed_001_mlp.py", r"test_acc: 0\.\d+\n$"),
        ("seed_002_mlp.py", r"Test accuracy: 0\.\d+\n$"),
        ("seed_002_cnn.py", r"Test accuracy: 0\.\d+\n$"),
        ("kerasio_style_cnn.py", r"Test accuracy: 0\.\d+(.|\n)*predicted: \[(\d ){9}\d\]"),
    ],
)
def test_examples_run_on_a_subset(example: str, expected: str, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TINYDL_KERAS_LIMIT", "128")
    monkeypatch.setenv("TINYDL_DATA", str(Path(os.environ.get("TINYDL_DATA")
                                               or HERE.parents[1] / "shared" / "data")))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    runpy.run_path(str(EXAMPLES / example), run_name="__main__")
    assert re.search(expected, capsys.readouterr().out)
