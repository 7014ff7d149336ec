"""The catalogue is one module per exercise, named as its stub, in the learner's order."""

from __future__ import annotations

from importlib import resources

from tinydl.exercises import catalog


def test_each_exercise_module_is_named_as_its_exercise_and_its_stub() -> None:
    stubs = resources.files("tinydl.exercises.stubs")
    for module in catalog.ORDER:
        name = module.__name__.rpartition(".")[2]
        assert module.EXERCISE.name == name
        assert stubs.joinpath(module.EXERCISE.filename).is_file()
        assert f"stubs/{name}.py" in module.__doc__
    assert list(catalog.EXERCISES) == [module.EXERCISE.name for module in catalog.ORDER]
