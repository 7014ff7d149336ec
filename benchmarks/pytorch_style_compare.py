"""Accuracy of the PyTorch-style MNIST script on tinydl and on PyTorch, same data, same flags.

    python benchmarks/pytorch_style_compare.py --train-subset 5000 --epochs 1 \\
        --torchvision-path /path/to/site-packages-with-torchvision

Runs examples/pytorch_style_mnist.py on tinydl and, with its import lines swapped for
PyTorch's (``torch_twin``: nothing else changes), on PyTorch + torchvision, on the first
``--train-subset`` training images and the whole test set, each with seeds 1..``--seeds``,
and reports each run's test accuracy and wall time. Both read the same MNIST files: the
IDX files of $TINYDL_DATA/mnist, unpacked into a temporary ``root/MNIST/raw`` (the layout
torchvision reads, and one tinydl's datasets read too).

torchvision is not a dependency of tinydl; point ``--torchvision-path`` at a folder holding
it. A torchvision wheel built for another torch version fails at import while registering
meta kernels for its detection operators (nms, roi_align), which the datasets and
transforms used here never call; that registration is then skipped.

Results are printed and appended to benchmarks/results/pytorch_style_mnist.md.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import fast_mode
from results_log import append_run

HERE = Path(__file__).resolve().parent
SCRIPT = HERE.parent / "examples" / "pytorch_style_mnist.py"
SYSTEMS = ("tinydl", "PyTorch")
# The tinydl script's import lines and what a PyTorch user writes in their place.
TORCH_IMPORTS = {
    "import tinydl as torch": "import torch",
    "import tinydl.nn.functional as F": "import torch.nn.functional as F",
    "from tinydl import nn, optim": "from torch import nn, optim",
    "from tinydl.optim.lr_scheduler import StepLR": "from torch.optim.lr_scheduler import StepLR",
    "from tinydl.vision import datasets, transforms": (
        "from torchvision import datasets, transforms"
    ),
}
# Runs the torch script, skipping torchvision's meta-kernel registration only if it fails.
TORCH_RUNNER = """
import runpy, sys
try:
    import torchvision  # noqa: F401
except RuntimeError:
    import torch.library
    torch.library.register_fake = lambda *args, **kwargs: (lambda function: function)
    for name in [m for m in sys.modules if m.startswith("torchvision")]:
        del sys.modules[name]
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""
ACCURACY = re.compile(r"Accuracy: (\d+)/(\d+) \(([\d.]+)%\)")


def unpack_mnist(root: Path) -> None:
    source = Path(os.environ.get("TINYDL_DATA", "")) / "mnist"
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for packed in sorted(source.glob("*-ubyte.gz")):
        (raw / packed.name.removesuffix(".gz")).write_bytes(gzip.decompress(packed.read_bytes()))


def torch_twin(source: str) -> str:
    """``source`` with each of its tinydl import lines replaced by PyTorch's."""
    return "\n".join(TORCH_IMPORTS.get(line, line) for line in source.split("\n"))


def run(
    system: str, flags: list[str], torchvision_path: str | None, cwd: Path
) -> tuple[float, float]:
    env = dict(os.environ)
    if system == "tinydl":
        command = [sys.executable, str(SCRIPT), *flags]
    else:
        twin = cwd / "pytorch_style_mnist_torch.py"
        twin.write_text(torch_twin(SCRIPT.read_text()))
        command = [sys.executable, "-c", TORCH_RUNNER, str(twin), *flags]
        if torchvision_path:
            paths = [torchvision_path, env.get("PYTHONPATH")]
            env["PYTHONPATH"] = os.pathsep.join(filter(None, paths))
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    found = ACCURACY.findall(done.stdout)
    if done.returncode != 0 or not found:
        raise SystemExit(f"{system} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return float(found[-1][2]), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train-subset", type=int, default=5000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--seeds", type=int, default=1, help="runs per system, seeds 1..N")
    parser.add_argument("--torchvision-path", default=None)
    fast_mode.add_option(parser)
    args = parser.parse_args()
    mode = fast_mode.set_mode(args.readable)  # the script inherits it (TINYDL_FAST_PATHS)
    rows = [
        "| system | seed | test accuracy (10,000 images) | wall s |",
        "| --- | --- | --- | --- |",
    ]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        unpack_mnist(root / "data")
        for seed in range(1, args.seeds + 1):
            for system in SYSTEMS:
                flags = ["--epochs", str(args.epochs), "--train-subset", str(args.train_subset),
                         "--data", "data", "--seed", str(seed), "--log-interval", "1000000"]
                accuracy, seconds = run(system, flags, args.torchvision_path, root)
                rows.append(f"| {system} | {seed} | {accuracy:.2f}% | {seconds:.0f} |")
                print(rows[-1], flush=True)
    setup = (
        f"First {args.train_subset:,} training images, {args.epochs} epoch(s), batch 64, "
        f"Adadelta lr 1.0, StepLR gamma 0.7; `python benchmarks/pytorch_style_compare.py "
        f"--train-subset {args.train_subset} --epochs {args.epochs} --seeds {args.seeds}"
        f"{' --readable' if args.readable else ''}`. tinydl: {mode}."
    )
    append_run("pytorch_style_mnist.md",
               "The PyTorch-style MNIST script on tinydl and on PyTorch", setup, rows)


if __name__ == "__main__":
    main()
