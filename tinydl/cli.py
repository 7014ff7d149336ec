"""The ``tinydl`` command: train the seed MNIST models, evaluate a checkpoint, print a summary.

    tinydl train mnist-cnn --epochs 5 --data ../shared/data --out runs/cnn
    tinydl evaluate runs/cnn/model.npz --data ../shared/data
    tinydl summary mnist-linear-cnn
    tinydl visualize runs/cnn/model.npz --out runs/cnn/pictures
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext, redirect_stdout
from pathlib import Path
from typing import Any

import numpy as np

from tinydl import backend, data, distributed, nn, plots, random, zoo
from tinydl.autograd import tensor
from tinydl.backend.fast_path_switch import (
    ENVIRONMENT_VARIABLE,
    environment_choice,
    fast_paths,
    fast_paths_enabled,
)
from tinydl.data.atomic import atomic_write
from tinydl.errors import TinyDLError
from tinydl.exercises import cli as exercises_cli
from tinydl.train import evaluate, fit, load_checkpoint, predict
from tinydl.train.checkpoint import check_output_folder, checkpoint_example, read_extra
from tinydl.train.folder_lock import FolderLock, describe, folder_lock
from tinydl.utils.data.distributed import DistributedSampler
from tinydl.viz import cli as viz_cli


def _positive(kind: type) -> Callable[[str], int | float]:
    """An argparse type: a number of ``kind`` above zero (``--epochs 0`` is an error)."""

    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not value > 0:  # "not >" also refuses nan
            raise argparse.ArgumentTypeError(f"expected a positive {kind.__name__}, got {text!r}")
        return value

    return parse


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tinydl",
        description="Train and inspect the tinydl MNIST models; gradient-checking exercises.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    names = ", ".join(zoo.RECIPES)

    train = commands.add_parser(
        "train", help="train an example model on MNIST",
        description=f"Train one of the example models on MNIST. Examples: {names}.",
    )
    train.add_argument("example", help="which model: " + names)
    train.add_argument(
        "--epochs", type=_positive(int),
        help="passes over the training set (default: the example's)",
    )
    train.add_argument(
        "--batch-size", type=_positive(int), help="samples per step (default: the example's)"
    )
    train.add_argument("--lr", type=_positive(float), help="learning rate (default: the example's)")
    train.add_argument(
        "--device", default=None, help="cpu or cuda[:N] (default: $TINYDL_DEVICE or cpu)"
    )
    train.add_argument(
        "--data", default=None, help="folder holding mnist/ (default: $TINYDL_DATA, then the cache)"
    )
    train.add_argument(
        "--out", default=None, help="folder for the checkpoint and plots (default: runs/EXAMPLE)"
    )
    train.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    train.add_argument(
        "--limit", type=_positive(int), help="train on the first N images only (quick runs)"
    )
    train.add_argument(
        "--resume", action="store_true", help="continue from OUT/model.npz if it exists"
    )
    train.add_argument(
        "--no-progress", action="store_true", help="no progress bar, only per-epoch lines"
    )
    train.add_argument(
        "--distributed", action="store_true",
        help="data-parallel training on the ranks mpiexec started (mpiexec -n 2 tinydl train "
        "... --distributed): each rank takes batch-size/N samples of every step; rank 0 "
        "prints and saves",
    )
    train.add_argument(
        "--readable", action="store_true",
        help="run the plain version of every op, the code a learner reads (no fused blocks, "
        "no batch-last layout, textbook Adam); default: the fast paths, unless "
        f"{ENVIRONMENT_VARIABLE}=0",
    )

    evaluate_ = commands.add_parser(
        "evaluate", help="evaluate a checkpoint on the MNIST test set",
        description=(
            "Accuracy, per-class precision/recall/F1 and the confusion matrix of a checkpoint."
        ),
    )
    evaluate_.add_argument("checkpoint", help="a model.npz written by 'tinydl train'")
    evaluate_.add_argument("--data", default=None, help="folder holding mnist/")
    evaluate_.add_argument("--device", default=None, help="cpu or cuda[:N]")

    summary = commands.add_parser(
        "summary", help="print an example model's layers and parameters"
    )
    summary.add_argument("example", help="which model: " + names)
    viz_cli.add_parser(commands)
    exercises_cli.add_parser(commands)
    return parser


def _check_data_folder(folder: str | None) -> None:
    """An explicit ``--data`` must exist (else the loader would look elsewhere and download)."""
    if folder is not None and not Path(folder).is_dir():
        raise data.DataError(
            f"--data {folder}: no such folder (it should hold mnist/ or its files)"
        )


def train(args: argparse.Namespace) -> None:
    recipe = zoo.recipe(args.example)
    _check_data_folder(args.data)
    device = backend.device(args.device) if args.device else backend.get_default_device()
    out = Path(args.out or Path("runs") / recipe.name)
    check_output_folder(out, "--out")
    # One run per folder: a second one would mix its files with this one's (the ranks of a
    # --distributed run are one run: rank 0 holds the lock and writes).
    speaks = not distributed.is_initialized() or distributed.get_rank() == 0
    locked = folder_lock(out, "--out", f"tinydl train {recipe.name}") if speaks else nullcontext()
    with locked as lock:
        if lock is not None:
            _say_what_the_lock_found(out, lock)
        epochs = args.epochs or recipe.epochs  # the parser lets only positive numbers through
        saved = _epochs_saved(out / "model.npz", recipe.name) if args.resume else 0
        if saved >= epochs:
            print(f"{out / 'model.npz'} already holds {saved} epoch{'s' * (saved != 1)}, and "
                  f"--epochs {epochs} asks for no more: nothing to train; the checkpoint, "
                  f"results.json and the plots are left as they are")
            return
        _train_into(out, args, recipe, device, epochs)


def _say_what_the_lock_found(out: Path, lock: FolderLock) -> None:
    if lock.taken_over_from is not None:
        print(f"tinydl: {out} was locked by {describe(lock.taken_over_from)}, which ended "
              f"without unlocking it; this run takes the folder over", file=sys.stderr)
    if lock.removed_parts:
        names = ", ".join(part.name for part in lock.removed_parts)
        print(f"tinydl: removed {names} from {out}: temporary files of writes that were killed",
              file=sys.stderr)


def _epochs_saved(checkpoint: Path, example: str) -> int:
    """How many epochs the checkpoint that ``--resume`` continues holds (0 if none is there)."""
    if not checkpoint.exists():
        return 0
    extra = read_extra(checkpoint)
    if "example" in extra and extra["example"] != example:
        raise TinyDLError(f"--resume: {checkpoint} is a checkpoint of {extra['example']}, not "
                          f"of {example}; give another --out, or resume {extra['example']}")
    if "example" not in extra or "epoch" not in extra:
        raise TinyDLError(f"--resume: {checkpoint} was not written by tinydl train (it does not "
                          f"say which example and epoch it holds); give another --out")
    return extra["epoch"] + 1


def _train_into(
    out: Path, args: argparse.Namespace, recipe: Any, device: Any, epochs: int
) -> None:
    """Train ``recipe`` as ``args`` say and write the checkpoint, plots and results to ``out``."""
    batch_size = args.batch_size or recipe.batch_size
    lr = args.lr or recipe.lr
    (train_images, train_labels), (test_images, test_labels) = data.load_mnist(
        args.data, progress=not args.no_progress
    )
    if args.limit is not None:
        train_images, train_labels = train_images[: args.limit], train_labels[: args.limit]
    x_train, y_train = zoo.prepare(recipe, train_images, train_labels)
    x_test, y_test = zoo.prepare(recipe, test_images, test_labels)

    random.manual_seed(args.seed)
    model = recipe.build().to(device)
    optimizer = recipe.optimizer(model.parameters(), lr)
    train_loader = _train_loader(args, recipe, x_train, y_train, batch_size, device)
    trained = model
    if args.distributed:
        trained = nn.parallel.DistributedDataParallel(model)
    scheduler = (
        recipe.scheduler(optimizer, epochs, len(train_loader)) if recipe.scheduler else None
    )
    test_loader = data.DataLoader(x_test, y_test, 1000, device=device)

    print(f"{recipe.name}: {recipe.summary}")
    nn.summary(model, recipe.image_shape)
    print(
        f"{len(x_train)} training images, batch {batch_size}, lr {lr}, {epochs} epochs on {device}"
        f", {'fast paths' if fast_paths_enabled() else 'the plain versions of the ops'}"
    )
    started = time.perf_counter()
    history = fit(
        trained, optimizer, nn.CrossEntropyLoss(label_smoothing=recipe.label_smoothing),
        train_loader, epochs,
        validation_data=test_loader, validation_name="test", scheduler=scheduler,
        checkpoint_path=out / "model.npz", resume=args.resume, progress=not args.no_progress,
        extra={"example": recipe.name},
    )
    elapsed = time.perf_counter() - started
    if distributed.is_initialized() and distributed.get_rank() != 0:
        return  # rank 0 evaluates, draws and writes the results
    # the training batches alone: no data loading from disk, no test-set evaluations
    training_seconds = sum(history["train_seconds"])

    report = evaluate(model, test_loader)
    probabilities = predict(model, test_loader, probabilities=True)
    first_logits = predict(model, [tensor(x_test[:1], device=device)])[0]
    print("logits of the first test image:", np.array2string(first_logits, precision=2))
    print(f"predicted digit {first_logits.argmax()}, true digit {test_labels[0]}")
    try:
        plots.sample_grid(
            test_images[:32], test_labels[:32], out / "samples.png", title="MNIST test digits"
        )
        plots.training_curves(history, out / "curves.png")
        plots.confusion_matrix_plot(report["confusion_matrix"], out / "confusion_matrix.png")
        plots.most_confident_mistakes(
            test_images, test_labels, probabilities, out / "mistakes.png"
        )
    except ImportError as err:
        print(f"no plots: {err}")
    results = {
        "example": recipe.name, "test_accuracy": report["accuracy"], "epochs": len(history["loss"]),
        "seconds_per_epoch": history["seconds"], "training_seconds": training_seconds,
        "total_seconds": elapsed, "device": str(device), "fast_paths": fast_paths_enabled(),
        "ranks": distributed.get_world_size() if distributed.is_initialized() else 1,
        "peak_memory_mb": _peak_memory_mb(),
        "history": history,
    }
    with atomic_write(out / "results.json", "tinydl train") as file:
        file.write(json.dumps(results, indent=2).encode())
    print(f"training time {training_seconds:.1f}s (the training batches alone)")
    print(f"test accuracy {report['accuracy']:.4f}; checkpoint, plots and results.json in {out}/")


def _train_loader(
    args: argparse.Namespace, recipe: Any, x: np.ndarray, y: np.ndarray, batch_size: int,
    device: Any,
) -> data.DataLoader:
    """The training batches; with ``--distributed``, this rank's share of each step's
    ``batch_size`` samples, over a DistributedSampler (one order for every rank)."""
    transform = recipe.transform()
    if not args.distributed:
        return data.DataLoader(x, y, batch_size, shuffle=True, seed=args.seed,
                               transform=transform, device=device)
    ranks = distributed.get_world_size()
    if batch_size % ranks:
        raise ValueError(f"--distributed: the batch size {batch_size} does not divide "
                         f"among {ranks} ranks; give --batch-size a multiple of {ranks}")
    dataset = data.TensorDataset(x, y)
    sampler = DistributedSampler(dataset, seed=args.seed)
    return data.DataLoader(dataset, batch_size=batch_size // ranks, sampler=sampler,
                           seed=args.seed + distributed.get_rank(), transform=transform,
                           device=device)


def _peak_memory_mb() -> float | None:
    """This process's peak resident memory (Linux and macOS), or None where unknown."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes vs KiB


def evaluate_checkpoint(args: argparse.Namespace) -> None:
    checkpoint = Path(args.checkpoint)
    _check_data_folder(args.data)
    example = checkpoint_example(checkpoint)
    recipe = zoo.recipe(example)
    device = backend.device(args.device) if args.device else backend.get_default_device()
    model = recipe.build()
    load_checkpoint(checkpoint, model)
    model.to(device)
    _, (test_images, test_labels) = data.load_mnist(args.data)
    x_test, y_test = zoo.prepare(recipe, test_images, test_labels)
    report = evaluate(model, data.DataLoader(x_test, y_test, 1000, device=device))
    print(f"{example} from {checkpoint}: test accuracy {report['accuracy']:.4f}")
    print("class  precision  recall  f1")
    for digit in range(len(report["f1"])):
        print(
            f"{digit:>5}  {report['precision'][digit]:9.4f}  {report['recall'][digit]:6.4f}  "
            f"{report['f1'][digit]:.4f}"
        )
    print("confusion matrix (rows: true digit, columns: predicted):")
    print(np.array2string(report["confusion_matrix"], max_line_width=200))


class Terminated(KeyboardInterrupt):
    """SIGTERM (sent by ``timeout``, ``docker stop``, cluster schedulers), raised where the
    program is, so it unwinds like Ctrl-C: temporary files are removed, checkpoints kept."""


_STOPPING = (signal.SIGINT, signal.SIGTERM)


def _interrupt(signum: int, frame: object) -> None:
    """The first SIGINT or SIGTERM stops the command; later ones are ignored, so that a
    repeated Ctrl-C cannot break the clean-up (temporary files) into a traceback."""
    for kind in _STOPPING:
        signal.signal(kind, signal.SIG_IGN)
    raise Terminated if signum == signal.SIGTERM else KeyboardInterrupt


def _interrupted(args: argparse.Namespace, error: KeyboardInterrupt) -> int:
    """Say in one line that the run was interrupted and what it left; the exit status."""
    kind = signal.SIGTERM if isinstance(error, Terminated) else signal.SIGINT
    left = ""
    if args.command == "train":
        checkpoint = Path(args.out or Path("runs") / args.example) / "model.npz"
        try:
            epoch = read_extra(checkpoint)["epoch"] + 1
            left = f"; the last complete checkpoint is {checkpoint} (epoch {epoch})"
        except (TinyDLError, KeyError):
            left = "; no checkpoint was written"
    print(f"tinydl: interrupted by {kind.name}{left}", file=sys.stderr)
    return 128 + kind


@contextmanager
def _ranks(args: argparse.Namespace) -> Iterator[None]:
    """With ``--distributed``: join the ranks mpiexec started (NCCL between GPUs, MPI
    otherwise); every rank but 0 trains silently."""
    if not args.distributed:
        yield
        return
    on_gpu = args.device is not None and backend.device(args.device).type == "cuda"
    distributed.init_process_group("nccl" if on_gpu else "mpi")
    if distributed.get_rank() == 0:
        yield
        return
    args.no_progress = True
    with open(os.devnull, "w") as silence, redirect_stdout(silence):
        yield


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """``argv`` (default: the command line) parsed; usage mistakes exit with status 2."""
    return _parser().parse_args(argv)


def run(args: argparse.Namespace) -> int:
    """Run the parsed command and return its exit status. Errors propagate as exceptions;
    :func:`main` turns them into one line on stderr."""
    if args.command == "train":
        # Fast unless asked otherwise: --readable, or TINYDL_FAST_PATHS=0 in the environment.
        fast = not args.readable and environment_choice() is not False
        with fast_paths(fast), _ranks(args):
            train(args)
    elif args.command == "evaluate":
        evaluate_checkpoint(args)
    elif args.command == "visualize":
        viz_cli.visualize(args)
    elif args.command == "exercises":
        return exercises_cli.run(args)
    else:
        recipe = zoo.recipe(args.example)
        nn.summary(recipe.build(), recipe.image_shape)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    previous = {kind: _install(kind, _interrupt) for kind in _STOPPING}
    interrupted = False
    try:
        return run(args)
    except (TinyDLError, KeyError, ValueError, OSError) as err:
        message = err.args[0] if isinstance(err, KeyError) and err.args else err
        print(f"tinydl: error: {message}", file=sys.stderr)
        if isinstance(err, data.DatasetNotFoundError) and hasattr(args, "data"):
            print(
                f"tinydl: offline, or with the files elsewhere: tinydl {args.command} ... "
                "--data /path/to/folder (the folder holding mnist/ or the four files)",
                file=sys.stderr,
            )
        _end_every_rank(2)
        return 2
    except KeyboardInterrupt as err:
        interrupted = True
        return _interrupted(args, err)
    finally:
        # After an interruption the process is ending and the signals stay ignored (set by
        # _interrupt): a repeated Ctrl-C arriving now must not kill it with the wrong status.
        if not interrupted:
            for kind, handler in previous.items():
                _install(kind, handler)


def _end_every_rank(status: int) -> None:
    """On one rank of several, an error must end the others too, or they would wait for
    this one until their timeout."""
    if distributed.is_initialized() and distributed.get_world_size() > 1:
        sys.stderr.flush()
        distributed.abort(status)


def _install(kind: signal.Signals, handler: Any) -> Any:
    """Set ``handler`` for signal ``kind`` and return the previous one; outside the main
    thread (where Python cannot handle signals) nothing is set."""
    if handler is None or threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(kind, handler)


if __name__ == "__main__":
    sys.exit(main())
