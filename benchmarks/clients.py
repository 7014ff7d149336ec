"""The corpus of learner programs on tinydl and on the real framework, side by side.

    python benchmarks/clients.py [--programs pytorch/vae.py,...] [--smoke] [--corpus DIR]
                                 [--tinydl CHECKOUT] [--no-record] [--readable]

Every program of tests/clients/ runs twice, each time in a fresh folder: as it is (on
tinydl), and rebuilt for its framework by putting back the original of every line that
names tinydl (the ``# was:`` comment holds it). Nothing else changes, so both runs read the
same data and take the same steps; each starts from its own framework's random initial
values, so read the ratio as "close" or "far", not as a measurement. PyTorch programs run
with the venv's torch; Keras programs with Keras 3 on its torch backend
(``KERAS_BACKEND=torch``). Both sides get one BLAS/OpenMP thread unless the caller sets
OPENBLAS_NUM_THREADS / OMP_NUM_THREADS; tinydl runs its fast paths unless ``--readable``
is given (benchmarks/fast_mode.py).

The longer run ("×3" in the table's run column): unless ``--smoke`` is given, each program
of ``LONGER`` is first made three times as long as its smoke run in tests/test_clients.py,
in both copies alike, by the listed substitutions of its own constants (training-set size,
epochs, iterations, and the print interval with them, so both sides print the same number
of losses). Programs left out of ``LONGER`` run at their smoke size: those the framework
cannot run here (torchvision is not installable beside the venv's CPU torch; Keras's
datasets download their files) and the regression example, which stops at a loss
threshold.

``--corpus DIR`` also runs the programs of a local folder of public transcriptions laid
out like tests/clients/ (``_*.py`` helpers beside the programs; a transcription's
``# was:`` lines also mark ``(added)`` and ``(removed)`` lines: only the lines naming
tinydl are put back, so both sides keep the offline data and the shorter runs). Those run
at their transcribed size; no code of theirs is written anywhere but into the temporary
run folders. Where TensorFlow is not installed, a transcription's ``tensorflow.keras``
imports are read as Keras 3's ``keras``.

``--tinydl CHECKOUT`` runs the programs on another checkout's tinydl (another branch, or
main after a merge); the results name the commit the programs ran on.

The losses are read with the program's ``# loss:`` pattern. Keras prints its own losses in
a progress bar rather than tinydl.keras's lines: where the pattern finds nothing there, the
loss at the end of each epoch is read from the bar. The table gives the first and last
loss of each side, how many were printed, and the ratio tinydl / framework of the mean of
the last three printed (after the same steps on both sides). It is appended to
benchmarks/results/clients.md with the machine and the command.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import fast_mode

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CLIENTS = ROOT / "tests" / "clients"
sys.path.insert(0, str(ROOT / "tests"))
from results_log import append_run  # noqa: E402  (sibling scripts, not a package)
from test_clients import header, losses, programs  # noqa: E402

WAS = re.compile(r"^(\s*)(.*?)\s*# was: ?(.*)$")
TINYDL = ROOT  # the checkout whose tinydl the programs run on (--tinydl)
TIMEOUT_S = 900
TAIL = 3  # the ratio compares the mean of this many last losses


def option(name: str, smoke: int, longer: int) -> tuple[str, str]:
    """The substitution of an integer argparse option's default."""
    return f"'{name}', type=int, default={smoke}", f"'{name}', type=int, default={longer}"


# program (relative to tests/clients/) -> substitutions made in both copies for the longer run
LONGER: dict[str, list[tuple[str, str]]] = {
    "pytorch/char_rnn_classification.py": [("print_every = 1500, 100", "print_every = 4500, 300")],
    "pytorch/char_rnn_generation.py": [("print_every = 1500, 100", "print_every = 4500, 300")],
    "pytorch/dynamic_net.py": [("range(3000)", "range(9000)"), ("% 250 == 249", "% 750 == 749")],
    "pytorch/mingpt_adder.py": [("max_iters=100)", "max_iters=300)"), ("% 10 == 0", "% 30 == 0")],
    "pytorch/mnist_convnet.py": [option("--train-size", 640, 1920),
                                 option("--log-interval", 2, 6)],
    "pytorch/mnist_rnn.py": [option("--train-size", 2560, 7680), option("--log-interval", 5, 15)],
    "pytorch/nanogpt.py": [("max_iters = 40", "max_iters = 120"),
                           ("log_interval = 2", "log_interval = 6"),
                           ("eval_interval = 20", "eval_interval = 60")],
    "pytorch/time_sequence_prediction.py": [option("--steps", 2, 6)],
    "pytorch/vae.py": [option("--train-size", 1280, 3840), option("--log-interval", 2, 6)],
    "pytorch/word_language_model.py": [option("--epochs", 1, 3)],
    **{f"pytorch/polynomial_{name}.py": [("range(1500)", "range(4500)"),
                                         ("% 100 == 99", "% 300 == 299")]
       for name in ("autograd", "custom_function", "module", "nn", "optim", "tensor")},
    "keras3/addition_rnn.py": [("range(1, 4)", "range(1, 10)")],
    "keras3/bidirectional_lstm_imdb.py": [("epochs=3", "epochs=9")],
    "keras3/demo_functional.py": [("epochs=5", "epochs=15")],
    "keras3/demo_subclass.py": [("epochs=6", "epochs=18")],
    "keras3/lstm_seq2seq.py": [("epochs=6", "epochs=18")],
    "keras3/lstm_text_generation.py": [("for epoch in range(3)", "for epoch in range(9)")],
    "keras3/mnist_convnet.py": [("epochs=3", "epochs=9")],
    "keras3/text_classification_with_transformer.py": [("epochs=3", "epochs=9")],
}


def for_framework(text: str) -> str:
    """``text`` with each line that names tinydl replaced by its original (``# was:``)."""
    lines = []
    for line in text.split("\n"):
        match = WAS.match(line)
        if match is None or "tinydl" not in match.group(2):
            lines.append(line)
            continue
        indent, _, original = match.groups()
        if original != "(added)":
            lines.append(indent + original.removeprefix("(removed) "))
    return "\n".join(lines)


# Keras 3's spelling of TensorFlow's Keras imports, for running without TensorFlow
KERAS_3_IMPORTS = [
    (re.compile(r"^(\s*)from tensorflow import keras\b", re.MULTILINE), r"\1import keras"),
    (re.compile(r"^(\s*)from tensorflow\.keras\b", re.MULTILINE), r"\1from keras"),
    (re.compile(r"^(\s*)import tensorflow\.keras as", re.MULTILINE), r"\1import keras as"),
]


def without_tensorflow(original: str) -> str:
    """``original`` with its ``tensorflow.keras`` imports spelt as Keras 3's ``keras``."""
    for pattern, replacement in KERAS_3_IMPORTS:
        original = pattern.sub(replacement, original)
    return original


def framework_of(original: str) -> str:
    return "keras" if re.search(r"^\s*(import keras|from keras|from tensorflow)", original,
                                re.MULTILINE) else "torch"


def missing_requirement(originals: list[str], framework: str) -> str | None:
    """Why the framework side cannot run here, or None."""
    code = "\n".join(line.split("#")[0] for text in originals for line in text.splitlines())
    if framework == "keras":
        if importlib.util.find_spec("keras") is None:
            return "keras not installed"
        program = "\n".join(line.split("#")[0] for line in originals[0].splitlines())
        for dataset in sorted(set(re.findall(r"\bdatasets(?:\.|\s+import\s+)(\w+)", program))):
            if not (Path.home() / ".keras" / "datasets" / f"{dataset}.npz").exists():
                return f"keras.datasets.{dataset} downloads its data (no network here)"
        return None
    if importlib.util.find_spec("torch") is None:
        return "torch not installed"
    if (re.search(r"^\s*(import|from) torchvision", code, re.MULTILINE)
            and importlib.util.find_spec("torchvision") is None):
        return "torchvision not installed"
    return None


def copy_program(program: Path, folder: Path, rebuild: bool, longer: list[tuple[str, str]]
                 ) -> list[str]:
    """Write ``program`` and the helpers beside it (``_*.py``) into ``folder``; return the
    texts written, the program's first."""
    texts = []
    for source in [program, *sorted(program.parent.glob("_*.py"))]:
        text = source.read_text()
        if rebuild:
            text = for_framework(text)
            if importlib.util.find_spec("tensorflow") is None:
                text = without_tensorflow(text)
        if source == program:
            for old, new in longer:
                if old not in text:
                    raise ValueError(f"{program}: {old!r} not found for the longer run")
                text = text.replace(old, new)
        (folder / source.name).write_text(text)
        texts.append(text)
    return texts


def run(folder: Path, program: Path, framework: str) -> tuple[str, float, int]:
    """Run the copy of ``program`` in ``folder``; its output, seconds and exit code."""
    env = dict(os.environ, MPLBACKEND="Agg",
               PYTHONPATH=os.pathsep.join([str(TINYDL), str(CLIENTS)]))
    if TINYDL != ROOT:
        env["PYTHONDONTWRITEBYTECODE"] = "1"  # leave the other checkout as it is
    env.setdefault("TINYDL_DATA", str(ROOT.parent / "shared" / "data"))
    if framework == "keras":
        env["KERAS_BACKEND"] = "torch"
    workdir = folder / "work"
    workdir.mkdir()
    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, str(folder / program.name)], cwd=workdir,
                              env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
        output, code = done.stdout + done.stderr, done.returncode
    except subprocess.TimeoutExpired as expired:
        output, code = f"{expired.stdout or ''}\ntimed out after {TIMEOUT_S} s", -1
    return output, time.perf_counter() - started, code


def keras_epoch_losses(output: str) -> list[float]:
    """The training loss Keras's progress bar shows at the end of each epoch. The bar is
    redrawn after every batch ("k/N ... loss: x", its running mean), on the same line or,
    on a slow machine, on new lines: an epoch's bar is a run of updates whose k never
    falls, and its last update holds the epoch's loss. When the program validates, only
    bars that end with a ``val_loss`` are epochs of ``fit`` (the others are ``evaluate``'s).
    """
    output = re.sub(r"\x1b\[[0-9;]*m", "", output)
    bars: list[list[tuple[int, int, str]]] = []
    for update in re.split(r"[\r\n]", output):
        counter = re.search(r"(\d+)/(\d+) ", update)
        if counter is None or "loss:" not in update:
            continue
        k, n = int(counter.group(1)), int(counter.group(2))
        if not bars or n != bars[-1][-1][1] or k < bars[-1][-1][0]:
            bars.append([])
        bars[-1].append((k, n, update))
    ends = [bar[-1][2] for bar in bars]
    if any("val_loss" in end for end in ends):
        ends = [end for end in ends if "val_loss" in end]
    return [float(re.findall(r"(?<!val_)loss: ([-+0-9.eE]+|nan|inf)", end)[-1]) for end in ends]


def describe(values: list[float]) -> str:
    return f"{values[0]:.4g} → {values[-1]:.4g} ({len(values)})" if values else "none printed"


def tail_mean(values: list[float]) -> float:
    last = values[-TAIL:]
    return sum(last) / len(last)


def last_error(output: str) -> str:
    """The exception line of a failed run's output (its last line if none looks like one)."""
    output = re.sub(r"\x1b\[[0-9;]*m", "", output)
    lines = [line for line in output.strip().splitlines() if line.strip()]
    errors = [line for line in lines if re.match(r"[\w.]*(Error|Exception|Interrupt)\b", line)]
    line = (errors or lines or ["no output"])[-1].replace(str(TINYDL) + "/", "")
    return line[:120].replace("|", "\\|")


def side(output: str, code: int, pattern: str, framework: str) -> tuple[list[float], str]:
    """The losses one run printed, and its table cell."""
    if code != 0:
        return [], f"failed: {last_error(output)}"
    values = losses(output, pattern)
    if not values and framework == "keras":
        values = keras_epoch_losses(output)
    return values, describe(values)


def compare(name: str, program: Path, longer: list[tuple[str, str]]) -> str:
    """One table row: ``program`` run on tinydl and, rebuilt, on its framework."""
    pattern = header(program)["loss"]
    with tempfile.TemporaryDirectory() as temporary:
        ours, theirs = Path(temporary, "tinydl"), Path(temporary, "framework")
        ours.mkdir()
        theirs.mkdir()
        copy_program(program, ours, rebuild=False, longer=longer)
        originals = copy_program(program, theirs, rebuild=True, longer=longer)
        framework = framework_of(originals[0])
        output, our_seconds, code = run(ours, program, "tinydl")
        our_losses, our_cell = side(output, code, pattern, framework)
        reason = missing_requirement(originals, framework)
        if reason:
            their_cell, their_time, ratio = f"not run: {reason}", "–", "–"
        else:
            output, their_seconds, code = run(theirs, program, framework)
            their_time = f"{their_seconds:.1f}"
            their_losses, their_cell = side(output, code, pattern, framework)
            ratio = (f"{tail_mean(our_losses) / tail_mean(their_losses):.2f}"
                     if our_losses and their_losses and tail_mean(their_losses) else "–")
            if our_losses and their_losses and len(our_losses) != len(their_losses):
                ratio += " (counts differ)"
    steps = "×3" if longer else "smoke"
    return (f"| `{name}` | {framework} | {steps} | {our_cell} | {their_cell} "
            f"| {ratio} | {our_seconds:.1f} | {their_time} |")


TABLE_HEAD = ["| program | framework | run | tinydl: first → last loss (count) "
              "| framework: first → last loss (count) | tinydl / framework, last 3 "
              "| tinydl s | framework s |",
              "| --- | --- | --- | --- | --- | --- | --- | --- |"]


def corpus_programs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py")
                  if not p.name.startswith("_") and "# loss:" in p.read_text()[:4000])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", default="",
                        help="comma-separated, relative to tests/clients/ (or to --corpus)")
    parser.add_argument("--smoke", action="store_true", help="the smoke sizes, not LONGER's")
    parser.add_argument("--corpus", type=Path,
                        help="also run the programs of this folder of transcriptions")
    parser.add_argument("--tinydl", type=Path, default=ROOT,
                        help="the tinydl checkout to run the programs on (default: this one)")
    parser.add_argument("--no-record", action="store_true",
                        help="print the table; do not append it to the results file")
    fast_mode.add_option(parser)
    args = parser.parse_args()
    global TINYDL
    TINYDL = args.tinydl.resolve()
    mode = fast_mode.set_mode(args.readable)
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    chosen = {p.strip() for p in args.programs.split(",") if p.strip()}

    rows = ["### tests/clients/: tinydl's own programs", "", *TABLE_HEAD]
    for program in programs():
        name = str(program.relative_to(CLIENTS))
        if not chosen or name in chosen:
            rows.append(compare(name, program, [] if args.smoke else LONGER.get(name, [])))
            print(rows[-1], flush=True)
    if args.corpus:
        rows += ["", f"### {args.corpus}: public programs, transcribed (not in the repository)",
                 "", *TABLE_HEAD]
        for program in corpus_programs(args.corpus):
            name = str(program.relative_to(args.corpus))
            if not chosen or name in chosen:
                rows.append(compare(name, program, []))
                print(rows[-1], flush=True)

    command = "python benchmarks/clients.py" + (" --smoke" if args.smoke else "")
    command += f" --corpus {args.corpus}" if args.corpus else ""
    command += " --programs " + ",".join(sorted(chosen)) if chosen else ""
    command += f" --tinydl {args.tinydl}" if TINYDL != ROOT else ""
    setup = (f"`{command}`: each program on tinydl at {revision(TINYDL)} ({mode}) and rebuilt "
             f"for its framework "
             f"(torch {version('torch')}, keras {version('keras')} on the torch backend), "
             f"same data and steps; losses read with the program's `# loss:` pattern. "
             f"OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}, "
             f"OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}.")
    if args.no_record:
        print(setup, *rows, sep="\n")
    else:
        append_run("clients.md", "Learner programs: tinydl beside the real framework", setup, rows)


def revision(checkout: Path) -> str:
    """The commit of a checkout, with "+ changes" when its tracked files differ from it."""
    git = ["git", "-C", str(checkout)]
    commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or "an unknown commit"
    changed = subprocess.run([*git, "status", "--porcelain", "--untracked-files=no"],
                             capture_output=True, text=True).stdout.strip()
    return f"{commit} + changes" if changed else commit


def version(module: str) -> str:
    if importlib.util.find_spec(module) is None:
        return "not installed"
    found = subprocess.run([sys.executable, "-c", f"import {module}; print({module}.__version__)"],
                           capture_output=True, text=True,
                           env=dict(os.environ, KERAS_BACKEND="torch"))
    return found.stdout.strip() or "?"


if __name__ == "__main__":
    main()
