"""The notebooks in examples/notebooks/ run top to bottom, on small data.

Each notebook is executed in a fresh Jupyter kernel (nbclient, ipykernel) in a temporary
folder, with its cell tagged "parameters" replaced by smaller values, so the whole file stays
quick. Notebooks that read MNIST are skipped, saying so, where the MNIST files are not on
this machine (as in tests/test_docs.py). The stored notebooks carry no outputs: a learner
sees what their own run produces, never a stale result (the docs build runs them again
to show them with their outputs). Their pictures go to figures/ beside them, which git
ignores.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_docs import mnist_folder

nbformat = pytest.importorskip("nbformat", reason="nbformat comes with the dev extra")
nbclient = pytest.importorskip("nbclient", reason="nbclient comes with the dev extra")

NOTEBOOKS = Path(__file__).resolve().parents[1] / "examples" / "notebooks"
# The small runs: (parameters, what the outputs must show, the pictures written).
RUNS = {
    "01-your-first-network.ipynb": (
        "TRAIN_IMAGES = 320\nTEST_IMAGES = 100\nEPOCHS = 1",
        ["training images: (60000, 28, 28) uint8", "Total params: 2,164,630", "test accuracy: "],
        ["digits.png", "confusion.png", "mistakes.png"],
    ),
    "02-backprop-by-hand.ipynb": (
        None,
        ["x.grad = [ 3.   12.    0.75]", "gradient check failed", "gradient check passed: True"],
        [],
    ),
    "03-inside-a-cnn.ipynb": (
        "TRAIN_IMAGES = 256\nTEST_IMAGES = 100\nEPOCHS = 1",
        ["accuracy on 100 test digits: ", "layer 0: 32 maps of 26×26"],
        ["filters.png", "feature-maps.png"],
    ),
}


def test_every_notebook_is_tested_and_stored_without_outputs() -> None:
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(RUNS)
    for name in RUNS:
        notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
        nbformat.validate(notebook)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, name


def cell_text(output: dict) -> str:
    if output["output_type"] == "stream":
        return output["text"]
    return output.get("data", {}).get("text/plain", "")


@pytest.mark.parametrize("name", list(RUNS))
def test_the_notebook_runs_top_to_bottom(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parameters, expected, pictures = RUNS[name]
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    if "load_mnist(" in "\n".join(cell.source for cell in notebook.cells):
        folder = mnist_folder()
        if folder is None:
            pytest.skip(f"{name} reads MNIST, which is not on this machine (set $TINYDL_DATA)")
        monkeypatch.setenv("TINYDL_DATA", str(folder))  # the kernel inherits the environment
    # These small runs gain nothing from BLAS threads, which on a busy machine only spin.
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    if parameters is not None:
        (cell,) = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
        cell.source = parameters
    client = nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    )
    client.execute()
    outputs = [
        output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs
    ]
    assert not [o for o in outputs if o["output_type"] == "error"]
    text = "".join(cell_text(o) for o in outputs)
    for piece in expected:
        assert piece in text, f"{name} did not show {piece!r}"
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == len(pictures)
    for picture in pictures:  # in figures/, the folder .gitignore keeps out of the repository
        assert (tmp_path / "figures" / picture).stat().st_size > 1000
    assert sorted(p.name for p in tmp_path.iterdir()) == (["figures"] if pictures else [])


def test_the_pictures_folder_is_ignored_by_git() -> None:
    ignored = (NOTEBOOKS.parents[1] / ".gitignore").read_text().splitlines()
    assert "examples/notebooks/figures/" in ignored
