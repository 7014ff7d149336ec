"""The checking machinery: load a learner's file, run their Function beside tinydl's own op,
and turn the first thing that is wrong into a :class:`Failure` that says, in plain words,
what is wrong, the likely cause and where.

A Function exercise (:func:`check_function`) is checked in four steps, each on the CPU:

1. forward values against tinydl's own op;
2. backward called directly (not through the engine, which would quietly sum broadcast
   gradients and cast dtypes): one gradient per input, each of its input's shape, and
   grad_output left untouched;
3. ``tinydl.gradcheck`` in float64 of the learner's Function, every input element against
   central differences; on failure the learner's gradient is compared with tinydl's to
   recognise the mistake (see :mod:`tinydl.exercises.diagnosis`);
4. float32 inputs give float32 outputs and gradients (no silent upcast).

Where a function has a kink (ReLU at 0, a max-pool window with tied maxima) a finite
difference straddles it and cannot judge, so :func:`check_at_kinks` compares backward
directly with tinydl's op, which picks PyTorch's value there, and says why when it differs.
A learner's code runs inside :func:`learner_code`, which turns whatever it raises (even an
``exit()``) into a Failure that shows the learner's line.

An optimiser exercise (:func:`check_optimizer`) runs the learner's optimiser and tinydl's
on the same gradients for a few steps and compares the parameters after each step.
"""

from __future__ import annotations

import contextlib
import importlib.machinery
import importlib.util
import re
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from tinydl.autograd import Function, Tensor
from tinydl.errors import GradcheckError
from tinydl.exercises.diagnosis import (
    Diagnose,
    Factor,
    Mismatch,
    Slope,
    close,
    shape_cause,
    value_cause,
    worst_index,
    wrong_only_where,
    wrong_slope,
)
from tinydl.gradcheck import gradcheck
from tinydl.optim import Optimizer

NOT_IMPLEMENTED = (
    "read the docstrings in the file, then replace each `raise NotImplementedError(...)` "
    "with your code"
)
EXIT_ADVICE = (
    "remove the exit() or sys.exit() call: the checker imports your file and calls your code, "
    "so the file must run to its end"
)
RECURSION_CAUSE = (
    "recursion too deep: each nested call takes one of the roughly 1,000 frames Python "
    "allows, and a recursive walk makes one nested call per function along the graph's "
    "longest path"
)
UPCAST_CAUSE = (
    "silent upcast: under NumPy 2, float32 combined with a NumPy float64 scalar or a 0-d "
    "float64 array gives float64, and so does a boolean array times a Python float. Keep "
    "constants as Python numbers and convert masks with .astype(x.dtype)"
)
SHAPE_WORDS = ("shape", "broadcast", "mismatch", "aligned", "matmul")
OPTIMIZER_STEPS = 4


class Failure(Exception):
    """One check failed: what is wrong (``problem``), the likely ``cause`` when a known mistake
    is recognised, ``advice`` on what to do next where the checker can say it without giving
    the answer away, and the learner's line (``location``) when their code raised."""

    def __init__(
        self,
        problem: str,
        cause: str | None = None,
        advice: str | None = None,
        location: str | None = None,
    ) -> None:
        super().__init__(problem)
        self.problem, self.cause, self.advice, self.location = problem, cause, advice, location


def load_module(path: Path) -> ModuleType:
    """Import the learner's file by its path (it need not be on sys.path, nor in a package)."""
    module_name = f"tinydl_exercise_{path.stem}"
    loader = _FreshSourceLoader(module_name, str(path))
    spec = importlib.util.spec_from_file_location(module_name, path, loader=loader)
    if spec is None or spec.loader is None:
        raise Failure(f"cannot load {path} as Python: is it a .py file?")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # some features (dataclasses) look their module up here
    try:
        with learner_code(path, f"loading {path.name}"):
            spec.loader.exec_module(module)
    finally:
        sys.modules.pop(module_name, None)
    return module


class _FreshSourceLoader(importlib.machinery.SourceFileLoader):
    """Compiles the file afresh on every load. The usual bytecode cache (__pycache__) knows a
    source file only by its size and its modification time in whole seconds, so it could run
    an old version of a file edited twice within a second."""

    def get_code(self, fullname: str) -> Any:
        return self.source_to_code(self.get_data(self.path), self.path)


def learner_attribute(module: ModuleType, name: str) -> Any:
    """``module.name``, or a Failure saying the stub's name must be kept."""
    try:
        return getattr(module, name)
    except AttributeError:
        raise Failure(
            f"{Path(module.__file__).name} defines no {name}",
            advice=f"keep the name {name} from the stub: the checker looks for it",
        ) from None


@contextlib.contextmanager
def learner_code(path: Path, what: str, shape_error_cause: str | None = None) -> Iterator[None]:
    """Run learner code, turning what it raises into a Failure that shows the learner's line.

    ``what`` names the code (e.g. "MatMul.backward"); ``shape_error_cause`` is the exercise's
    likely cause of a shape error (NumPy's ValueError about shapes or broadcasting).
    """
    try:
        yield
    except (Failure, GradcheckError):  # the checker's own verdicts, not crashes
        raise
    except NotImplementedError as err:
        frames = _learner_frames(err, path)
        where = f" ({path.name} line {frames[-1].lineno})" if frames else ""
        raise Failure(f"not implemented yet: {what}{where}", advice=NOT_IMPLEMENTED) from None
    except SystemExit as err:  # exit() or sys.exit(): the learner's file ends the checker too
        call = "exit()" if err.code is None else f"exit({err.code!r})"
        raise Failure(
            f"{what} called {call}, which would end the checker as well",
            advice=EXIT_ADVICE,
            location=_learner_line(err, path),
        ) from None
    except SyntaxError as err:
        raise Failure(
            f"{path.name} is not valid Python: {err.msg}",
            location=f"{path.name} line {err.lineno}: {(err.text or '').strip()}",
        ) from None
    except Exception as err:  # noqa: BLE001  (anything the learner's code raises is reported)
        cause = RECURSION_CAUSE if isinstance(err, RecursionError) else None
        if isinstance(err, ValueError) and any(word in str(err) for word in SHAPE_WORDS):
            cause = shape_error_cause or (
                "shape mismatch: the arrays in that line have shapes that do not fit together; "
                "print their .shape and compare with the shapes in the docstring"
            )
        raise Failure(
            f"{what} raised {type(err).__name__}: {err}",
            cause=cause,
            location=_learner_line(err, path),
        ) from None


def _learner_frames(err: BaseException, path: Path) -> list[traceback.FrameSummary]:
    return [f for f in traceback.extract_tb(err.__traceback__) if Path(f.filename) == path]


def _learner_line(err: BaseException, path: Path) -> str | None:
    """'matmul.py line 41, in backward: grad_a = grad_output @ self.b': the last frame of the
    traceback that lies in the learner's file."""
    frames = _learner_frames(err, path)
    if not frames:
        return None
    frame = frames[-1]
    # The line as the file reads now (linecache might hold an earlier version of the file).
    lines = path.read_text(encoding="utf-8").splitlines()
    line = lines[frame.lineno - 1].strip() if frame.lineno and frame.lineno <= len(lines) else ""
    return f"{path.name} line {frame.lineno}, in {frame.name}: {line}"


# ---- Function exercises -------------------------------------------------------------------


@dataclass(frozen=True)
class FunctionCheck:
    """One way of calling a learner's Function, with tinydl's own op as the reference.

    ``learner`` makes a fresh learner Function (its constants bound); ``reference`` computes
    the same thing from Tensors with tinydl's ops; ``inputs`` are the float64 input arrays by
    name, in argument order; ``label`` says which case this is in words. ``factors`` and
    ``diagnoses`` recognise this exercise's typical mistakes; ``shape_error_cause`` explains
    a NumPy shape error in the learner's code.
    """

    learner: Callable[[], Function]
    reference: Callable[..., Tensor]
    inputs: dict[str, np.ndarray]
    label: str
    factors: Sequence[Factor] = ()
    diagnoses: Sequence[Diagnose] = ()
    shape_error_cause: str | None = None


def check_function(module: ModuleType, check: FunctionCheck) -> None:
    """Check one case of a Function exercise (the four steps in the module docstring)."""
    title, run, grads, expected, grad_output = _forward_and_backward(module, check)
    names, arrays = list(check.inputs), list(check.inputs.values())
    # The right gradient for grad_output = 1 everywhere: what forgetting grad_output gives.
    local = reference_grads(check.reference, arrays, np.ones_like(grad_output))

    # 3. Gradient check of the learner's Function, in float64.
    tensors = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    try:
        with run("forward or backward (during the gradient check)"):
            gradcheck(lambda *inputs: check.learner()(*inputs), tensors)
    except GradcheckError as err:
        position = int(re.search(r"for input (\d+)", str(err)).group(1))
        name = names[position]
        mismatch = Mismatch(
            f"dL/d{name}",
            np.asarray(grads[position]),
            expected[position],
            local[position],
            grad_output,
        )
        raise Failure(
            f"dL/d{name} is wrong for {check.label}: {err}",
            cause=value_cause(mismatch, check.factors, check.diagnoses),
        ) from None

    # 4. float32 stays float32.
    with run("forward"):
        function = check.learner()
        output = np.asarray(function.forward(*[a.astype(np.float32) for a in arrays]))
    if output.dtype != np.float32:
        raise Failure(
            f"{title}.forward turns float32 inputs into a {output.dtype} output for "
            f"{check.label}",
            cause=UPCAST_CAUSE,
        )
    function.needs_grad = (True,) * len(arrays)
    with run("backward"):
        grads = function.backward(grad_output.astype(np.float32))
    grads = grads if isinstance(grads, tuple) else (grads,)
    for name, grad in zip(names, grads, strict=True):
        if np.asarray(grad).dtype != np.float32:
            raise Failure(
                f"{title}.backward returns a {np.asarray(grad).dtype} dL/d{name} for float32 "
                f"inputs for {check.label}",
                cause=UPCAST_CAUSE,
            )


def check_at_kinks(module: ModuleType, check: FunctionCheck, at_kink: np.ndarray, why: str) -> None:
    """Check one case whose input sits on the function's kinks: ReLU at 0, a max-pool window
    whose maximum is tied. There the derivative does not exist, a finite difference straddles
    the kink (its two sides have different slopes) and cannot judge the learner's gradient,
    so backward is compared directly with tinydl's own op, which picks PyTorch's value.

    ``at_kink`` marks the elements of the (single) input that sit on a kink; ``why`` says in
    words why a numeric gradient is unreliable there and which value the convention picks.
    """
    _, _, grads, expected, grad_output = _forward_and_backward(module, check)
    name = next(iter(check.inputs))
    learned = np.asarray(grads[0])
    if close(learned, expected[0]):
        return
    index = worst_index(learned, expected[0])
    mismatch = Mismatch(f"dL/d{name}", learned, expected[0], grad_output=grad_output)
    cause = value_cause(mismatch, check.factors, check.diagnoses)
    if wrong_only_where(at_kink, mismatch):
        cause = f"{cause}. {why}" if cause else why
    raise Failure(
        f"dL/d{name} is wrong for {check.label}, {int(at_kink.sum())} of whose elements sit on "
        f"a kink: worst at index {index}, yours {learned[index]:.6g}, expected "
        f"{expected[0][index] + 0.0:.6g} (tinydl's own op, which gives PyTorch's value)",
        cause=cause,
    )


def _forward_and_backward(
    module: ModuleType, check: FunctionCheck
) -> tuple[
    str,
    Callable[[str], contextlib.AbstractContextManager[None]],
    tuple[Any, ...],
    list[np.ndarray],
    np.ndarray,
]:
    """Steps 1 and 2 of a check: forward values against tinydl's op, then backward called
    directly. Returns the Function's name, a context that runs learner code, the learner's
    gradients, tinydl's, and the grad_output both were given."""
    path = Path(module.__file__)
    names, arrays = list(check.inputs), list(check.inputs.values())
    with learner_code(path, "creating the Function"):
        function = check.learner()
    title = type(function).__name__

    def run(what: str) -> contextlib.AbstractContextManager[None]:
        return learner_code(path, f"{title}.{what}", check.shape_error_cause)

    # 1. Forward values.
    with run("forward"):
        output = np.asarray(function.forward(*[a.copy() for a in arrays]))
    expected_output = check.reference(*[Tensor(a.copy()) for a in arrays]).numpy()
    _compare_forward(title, output, expected_output, check.label)

    # 2. Backward, called directly.
    grad_output = _grad_output(output.shape)
    given = grad_output.copy()
    function.needs_grad = (True,) * len(arrays)
    with run("backward"):
        grads = function.backward(given)
    if not np.array_equal(given, grad_output):
        raise Failure(
            f"{title}.backward changed grad_output in place for {check.label}",
            cause="grad_output modified in place: the engine may hand the same array to other "
            "functions too; compute new arrays instead of changing it with *= or +=",
        )
    grads = grads if isinstance(grads, tuple) else (grads,)
    _check_grads_fit(title, names, arrays, grads, output.shape, check.label)
    expected = reference_grads(check.reference, arrays, grad_output)
    return title, run, grads, expected, grad_output


def _compare_forward(title: str, output: np.ndarray, expected: np.ndarray, label: str) -> None:
    if output.shape != expected.shape:
        raise Failure(
            f"{title}.forward returns shape {output.shape} for {label}, expected {expected.shape}"
        )
    if not close(output, expected):
        index = worst_index(output, expected)
        raise Failure(
            f"{title}.forward gives wrong values for {label}: worst at index {index}, yours "
            f"{output[index]:.6g}, expected {expected[index]:.6g} (tinydl's own op)"
        )


def _check_grads_fit(
    title: str,
    names: list[str],
    arrays: list[np.ndarray],
    grads: tuple[Any, ...],
    output_shape: tuple[int, ...],
    label: str,
) -> None:
    """One array per input, each of its input's shape."""
    if len(grads) != len(names):
        wanted = ", ".join(f"dL/d{name}" for name in names)
        raise Failure(
            f"{title}.backward returned {len(grads)} gradient(s), but {title} has "
            f"{len(names)} input(s): return ({wanted})"
            if len(names) > 1
            else f"{title}.backward returned {len(grads)} gradients, but {title} has one input: "
            f"return dL/d{names[0]} alone"
        )
    for name, array, grad in zip(names, arrays, grads, strict=True):
        if grad is None or not hasattr(grad, "shape"):
            raise Failure(
                f"{title}.backward returned {type(grad).__name__} as dL/d{name} for {label}, "
                f"not an array"
            )
        if tuple(grad.shape) != array.shape:
            raise Failure(
                f"{title}.backward returned dL/d{name} of shape {tuple(grad.shape)} for {label}, "
                f"but {name} has shape {array.shape}: a gradient has the shape of what it is "
                f"the gradient of",
                cause=shape_cause(name, tuple(grad.shape), array.shape, output_shape),
            )


def reference_grads(
    reference: Callable[..., Tensor], arrays: list[np.ndarray], grad_output: np.ndarray
) -> list[np.ndarray]:
    """tinydl's own gradients of ``reference`` for this grad_output."""
    tensors = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    reference(*tensors).backward(Tensor(grad_output.copy()))
    return [
        np.zeros_like(a) if t.grad is None else t.grad.numpy()
        for t, a in zip(tensors, arrays, strict=True)
    ]


def _grad_output(shape: tuple[int, ...]) -> np.ndarray:
    """A fixed grad_output with every value in ±[0.3, 0.9]: never 1 (so a forgotten
    grad_output shows) and never near 0 (so every element matters)."""
    rng = np.random.default_rng(7)
    return np.asarray(rng.uniform(0.3, 0.9, shape) * rng.choice([-1.0, 1.0], shape))


def random_arrays(seed: int, *shapes: tuple[int, ...]) -> list[np.ndarray]:
    """Standard-normal float64 arrays of these shapes, the same every run."""
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape) for shape in shapes]


# ---- Optimiser exercises ------------------------------------------------------------------


@dataclass(frozen=True)
class OptimizerCheck:
    """A learner's optimiser beside tinydl's. ``learner`` and ``reference`` build one from a
    list of parameters; ``later_steps`` states the rule for steps after the first, for the
    message when only those go wrong; ``factors`` recognise a wrong first step."""

    learner: Callable[[list[Tensor]], Optimizer]
    reference: Callable[[list[Tensor]], Optimizer]
    later_steps: str
    factors: Sequence[Factor] = ()


def check_optimizer(module: ModuleType, check: OptimizerCheck) -> None:
    """Run both optimisers on the same parameters and gradients for a few steps; compare."""
    path = Path(module.__file__)
    rng = np.random.default_rng(3)
    shapes = [(3, 4), (4,)]
    start = [rng.standard_normal(shape) for shape in shapes]
    gradients = [[rng.standard_normal(shape) for shape in shapes] for _ in range(OPTIMIZER_STEPS)]
    mine = [Tensor(a.copy(), requires_grad=True) for a in start]
    theirs = [Tensor(a.copy(), requires_grad=True) for a in start]
    with learner_code(path, "creating the optimiser"):
        optimizer = check.learner(mine)
    reference = check.reference(theirs)
    title, reference_name = type(optimizer).__name__, type(reference).__name__
    for step, step_gradients in enumerate(gradients, start=1):
        before = [p.array.copy() for p in mine]
        for p, q, g in zip(mine, theirs, step_gradients, strict=True):
            p.grad, q.grad = Tensor(g.copy()), Tensor(g.copy())
        with learner_code(path, f"{title}.update (step {step})"):
            optimizer.step()
        reference.step()
        for position, (p, q, g) in enumerate(zip(mine, theirs, step_gradients, strict=True)):
            _compare_step(check, title, reference_name, step, position, p, q, g, before[position])


def _compare_step(
    check: OptimizerCheck,
    title: str,
    reference_name: str,
    step: int,
    position: int,
    mine: Tensor,
    theirs: Tensor,
    gradient: np.ndarray,
    before: np.ndarray,
) -> None:
    where = f"step {step}, parameter {position} (shape {before.shape})"
    if not np.array_equal(mine.grad.numpy(), gradient):
        raise Failure(
            f"{where}: {title}.update changed the gradient array",
            cause="grad modified in place: the backward pass may share one gradient array "
            "between several parameters, so update must leave grad as it is; copy it first "
            "(grad.copy()) if you need to change it",
        )
    if np.array_equal(mine.numpy(), before):
        raise Failure(
            f"{where}: the parameter did not change",
            cause="param not updated in place: `param = param - ...` only gives the local name "
            "param a new array, and the model's parameter never sees it; write `param -= ...`",
        )
    if close(mine.numpy(), theirs.numpy()):
        return
    index = worst_index(mine.numpy(), theirs.numpy())
    problem = (
        f"{where} differs from tinydl.optim.{reference_name}'s: worst at index {index}, yours "
        f"{mine.numpy()[index]:.6g}, expected {theirs.numpy()[index]:.6g}"
    )
    if step == 1:
        step_taken = Mismatch("your first step", mine.numpy() - before, theirs.numpy() - before)
        raise Failure(problem, cause=value_cause(step_taken, check.factors))
    # Would a fresh optimiser, knowing nothing of earlier steps, have taken this step?
    fresh = Tensor(before.copy(), requires_grad=True)
    fresh.grad = Tensor(gradient.copy())
    check.reference([fresh]).step()
    if close(mine.numpy(), fresh.numpy()):
        cause = (
            f"state not kept: step 1 was right, but this step is the one a fresh "
            f"{reference_name} would take, so what you keep in state is lost between steps; "
            f"store it in the state dict and update it there"
        )
    else:
        cause = f"step 1 was right but a later one is not, so check the rule: {check.later_steps}"
    raise Failure(problem, cause=cause)


def mistaken(
    reference: Callable[..., Tensor], inputs: dict[str, np.ndarray], cause: str
) -> Diagnose:
    """Recognise the mistake built into ``reference``: the learner's gradient equals the
    gradient that ``reference`` gives for the same inputs and grad_output."""
    names = list(inputs)

    def diagnose(mismatch: Mismatch) -> str | None:
        grads = reference_grads(reference, list(inputs.values()), mismatch.grad_output)
        position = names.index(mismatch.what.removeprefix("dL/d"))
        return cause if close(mismatch.learned, grads[position]) else None

    return diagnose


def check_elementwise(
    module: ModuleType,
    class_name: str,
    reference: Callable[..., Tensor],
    seed: int,
    slips: Sequence[tuple[Slope, str]] = (),
) -> None:
    """The check of an element-wise activation: the learner's ``class_name`` against
    tinydl's ``reference`` on x of shape (3, 4). ``slips`` are typical wrong slopes, each a
    function of x and y with the mistake in words (the input used where the output belongs,
    a square in the wrong place, ...)."""
    (x,) = random_arrays(seed, (3, 4))
    y = reference(Tensor(x)).numpy()
    function = learner_attribute(module, class_name)
    diagnoses = [wrong_slope(x, y, slope, mistake) for slope, mistake in slips]
    case = FunctionCheck(function, reference, {"x": x}, "x of shape (3, 4)", diagnoses=diagnoses)
    check_function(module, case)
