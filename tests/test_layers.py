"""The import graph keeps tinydl's floors: each module imports only modules of its own layer
or of the layers above it (smaller numbers), so that a learner can read the engine from
the bottom up and stop at any floor. The one exception is documented where it happens:
``tinydl/autograd/tensor.py`` imports ``tinydl.ops`` at its end, because ``Tensor``'s
operators (``a + b``, ``a @ b``) are ops' Functions, and ops build on ``Tensor``; its
methods (``tensor_methods.py``) reach the same ``tinydl.ops`` when they are called.

The layers are DESIGN.md's and the README's; modules they do not name are placed here:

- 0, ``tinydl.minimal``: tinydl in one file, which imports no other tinydl module;
- 1, ``tinydl.errors``, ``tinydl.random``, ``tinydl.dtypes``, ``tinydl.check`` and
  ``tinydl.not_offered`` sit with the backend: leaves every layer uses (the error base
  class, the host random generator, dtype names, the argument checks, the messages for
  PyTorch names tinydl does not offer);
- 2, ``tinydl.gradcheck`` sits with autograd: it needs only ``Tensor`` and ``backward()``;
  so does ``tinydl.distributed`` (PyTorch's ``torch.distributed``), which moves Tensors'
  arrays between processes, so that ``nn``'s DistributedDataParallel and SyncBatchNorm
  and ``data``'s DistributedSampler can stand on it;
- 7, ``tinydl.zoo`` (the seed models and their recipes), ``tinydl.plots`` and
  ``tinydl.viz`` (drawing graphs, filters and histograms) sit with the training tools;
- 8, the package itself (``tinydl/__init__.py``, PyTorch's top-level names) is a front,
  beside ``tinydl.keras``, ``tinydl.vision``, ``tinydl.utils`` and PyTorch's device and
  precision namespaces ``tinydl.cuda``, ``tinydl.accelerator``, ``tinydl.backends``,
  ``tinydl.amp``;
- 9, the commands: ``tinydl.cli``, ``tinydl.viz.cli`` and ``tinydl.exercises`` (whose stubs
  import ``tinydl`` as a learner's program does) stand on everything.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "tinydl"

# Longest matching prefix wins.
LAYERS = {
    "tinydl.minimal": 0,
    "tinydl.backend": 1,
    "tinydl.errors": 1,
    "tinydl.random": 1,
    "tinydl.dtypes": 1,
    "tinydl.check": 1,
    "tinydl.not_offered": 1,
    "tinydl.kernels": 1,
    "tinydl.autograd": 2,
    "tinydl.gradcheck": 2,
    "tinydl.distributed": 2,
    "tinydl.ops": 3,
    "tinydl.nn": 4,
    "tinydl.optim": 5,
    "tinydl.data": 6,
    "tinydl.train": 7,
    "tinydl.zoo": 7,
    "tinydl.plots": 7,
    "tinydl.viz": 7,
    "tinydl": 8,
    "tinydl.keras": 8,
    "tinydl.vision": 8,
    "tinydl.utils": 8,
    "tinydl.cuda": 8,
    "tinydl.accelerator": 8,
    "tinydl.backends": 8,
    "tinydl.amp": 8,
    "tinydl.cli": 9,
    "tinydl.viz.cli": 9,
    "tinydl.exercises": 9,
}
# (importer, imported): the upward imports that are allowed, each with its reason.
DOCUMENTED = {
    ("tinydl.autograd.tensor", "tinydl.ops"): "Tensor's operators are ops' Functions",
    ("tinydl.autograd.tensor_methods", "tinydl"): (
        "Tensor's methods reach tinydl.ops at call time: ops cannot be imported before Tensor"
    ),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def layer(module: str) -> int:
    prefix = module
    while prefix not in LAYERS:
        prefix = prefix.rpartition(".")[0]
    return LAYERS[prefix]


def imported_modules(module: str, path: Path) -> set[str]:
    """The tinydl modules ``path`` imports, at the top or inside a function: ``from a import
    b`` names ``a.b`` when that is a module, else ``a``."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the importer's package, level - 1 packages up
                package = module.split(".")
                if path.name != "__init__.py":
                    package = package[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, base] if base else package)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in MODULES else base)
    return {name for name in found if name == "tinydl" or name.startswith("tinydl.")}


def upward_imports() -> list[str]:
    problems = []
    for module, path in MODULES.items():
        for target in sorted(imported_modules(module, path)):
            documented = any(
                module == importer and (target == imported or target.startswith(imported + "."))
                for importer, imported in DOCUMENTED
            )
            if layer(target) > layer(module) and not documented:
                problems.append(
                    f"{module} (layer {layer(module)}) imports {target} (layer {layer(target)})"
                )
    return problems


def test_no_module_imports_from_a_lower_layer() -> None:
    assert upward_imports() == []


def test_every_module_has_a_layer_and_the_documented_exception_still_exists() -> None:
    assert all(layer(module) in range(10) for module in MODULES)
    for importer, imported in DOCUMENTED:
        assert imported in imported_modules(importer, MODULES[importer]), (importer, imported)


def runs_on_import(module: str, target: str) -> set[str]:
    """What importing ``target`` from ``module`` runs: ``target``, and the ``__init__`` of
    each package on its way that ``module`` is not inside (the root ``tinydl`` aside, which
    every module shares)."""
    parts = target.split(".")
    packages = {".".join(parts[:i]) for i in range(2, len(parts))}
    outside = {p for p in packages if module != p and not module.startswith(p + ".")}
    return ({target} | outside) & set(MODULES) - {"tinydl"}


def import_cycles_between_packages() -> list[list[str]]:
    """Groups of modules that import one another (directly or around a loop) and lie in
    more than one package (``tinydl.X``): an import cycle that crosses a seam."""
    graph = {
        module: set().union(*(runs_on_import(module, t) for t in imported_modules(module, path)
                             if (module, t) not in DOCUMENTED))
        for module, path in MODULES.items()
    }

    def reachable(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for nxt in graph[todo.pop()] - seen:
                seen.add(nxt)
                todo.append(nxt)
        return seen

    reach = {module: reachable(module) for module in graph}
    cycles = {
        frozenset({m, *(o for o in reach[m] if m in reach[o])}) for m in graph if m in reach[m]
    }
    return sorted(sorted(c) for c in cycles if len({package_of(m) for m in c}) > 1)


def package_of(module: str) -> str:
    return ".".join(module.split(".")[:2])


def test_no_import_cycle_crosses_a_package_boundary() -> None:
    """(Inside autograd, tensor, function and checks import each other lazily, inside
    methods: one package's own affair.) Across packages a cycle means two modules each
    need the other first; train.generative and zoo did, until the question "which recipe
    wrote this checkpoint" moved from the zoo to train.checkpoint."""
    assert import_cycles_between_packages() == []


@pytest.mark.parametrize(("importer", "source", "expected"), [
    ("tinydl.nn.linear", "from tinydl.train import fit", "tinydl.nn.linear (layer 4) imports "
     "tinydl.train (layer 7)"),
    ("tinydl.ops.conv", "def f():\n    from tinydl.nn import conv", "tinydl.ops.conv (layer 3) "
     "imports tinydl.nn.conv (layer 4)"),
])
def test_the_check_finds_an_upward_import(tmp_path, monkeypatch, importer, source, expected):
    """The check would fail on a real upward import, at the top or inside a function."""
    fake = tmp_path / "fake.py"
    fake.write_text(source)
    monkeypatch.setitem(MODULES, importer, fake)
    assert expected in upward_imports()


def test_the_check_finds_the_cycle_that_was_mended(tmp_path, monkeypatch):
    """zoo importing train.checkpoint again would run train/__init__.py, which imports
    train.generative, which imports zoo."""
    fake = tmp_path / "zoo.py"
    fake.write_text("from tinydl.train.checkpoint import read_extra\n")
    monkeypatch.setitem(MODULES, "tinydl.zoo", fake)
    assert ["tinydl.train", "tinydl.train.generative", "tinydl.zoo"] in (
        import_cycles_between_packages()
    )
