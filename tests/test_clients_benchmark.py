"""benchmarks/clients.py: how it rebuilds a program for its framework, how it reads Keras's
progress bars, and that its longer-run substitutions still fit the programs."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import load_script

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "clients.py"
CLIENTS = ROOT / "tests" / "clients"


benchmark = load_script(SCRIPT, "clients_benchmark")


def test_the_rebuilt_program_imports_the_framework_and_nothing_of_tinydl() -> None:
    rebuilt = benchmark.for_framework((CLIENTS / "pytorch" / "vae.py").read_text())
    code = [line.split("#")[0] for line in rebuilt.splitlines()]
    assert not any("tinydl" in line for line in code)
    assert "import torch" in code
    assert "from torch.utils.data import DataLoader, TensorDataset" in code


def test_a_transcription_keeps_its_other_marked_lines() -> None:
    """Only lines naming tinydl go back: offline data and shorter runs stay on both sides;
    an added tinydl line goes, a removed line comes back."""
    text = "\n".join([
        "import tinydl as torch  # was: import torch",
        "import tinydl.onnx  # was: (added)",
        "# was: (removed) import tensorflow as tf",
        "epochs = 2  # was: epochs = 50",
        "    from tinydl import nn  # was: (removed) import torch.nn as nn",
    ])
    assert benchmark.for_framework(text).split("\n") == [
        "import torch",
        "# was: (removed) import tensorflow as tf",
        "epochs = 2  # was: epochs = 50",
        "    import torch.nn as nn",
    ]


BAR = "\x1b[1m{k}/{n}\x1b[0m ━━━━ 0s 3ms/step - accuracy: 0.5 - loss: {loss}{extra}"


def bar_output(epochs: list[list[float]], separator: str, validate: bool) -> str:
    """What Keras prints for ``fit``: per epoch, one bar update per batch, redrawn after
    ``separator``; the last update carries the validation loss when ``validate``."""
    lines = []
    for number, batches in enumerate(epochs, 1):
        lines.append(f"Epoch {number}/{len(epochs)}")
        updates = [BAR.format(k=k, n=len(batches), loss=loss, extra="")
                   for k, loss in enumerate(batches, 1)]
        if validate:
            updates.append(BAR.format(k=len(batches), n=len(batches), loss=batches[-1],
                                      extra=" - val_loss: 9.0"))
        lines.append(separator.join(updates))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("separator", ["\r", "\n"], ids=["one line", "one line a batch"])
@pytest.mark.parametrize("validate", [False, True], ids=["fit", "fit with validation"])
def test_keras_epoch_losses_are_the_last_update_of_each_bar(separator: str, validate: bool
                                                            ) -> None:
    output = bar_output([[2.5, 2.0, 1.5], [1.4, 1.25, 1.125]], separator, validate)
    if validate:  # evaluate's bar, after fit, has a loss but no val_loss
        output += BAR.format(k=2, n=2, loss=0.75, extra="") + "\n"
    assert benchmark.keras_epoch_losses(output) == [1.5, 1.125]


@pytest.mark.parametrize("name", sorted(benchmark.LONGER))
def test_each_longer_substitution_fits_its_program(name: str) -> None:
    text = (CLIENTS / name).read_text()
    for old, new in benchmark.LONGER[name]:
        assert text.count(old) == 1, f"{name}: {old!r} found {text.count(old)} times"
        assert old != new
