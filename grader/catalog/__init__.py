"""Every exercise the grader knows, in order, and how learners may name them."""

from __future__ import annotations

import importlib

# Light to import: a one-shot run reads a name (`module_named`) before it starts the learner's process, first
# thing. `typing.TYPE_CHECKING` without importing typing; messages and errors imported when one is raised.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from grader.spec import Exercise

_MODULES = (
    "exercise1_convolution",
    "exercise2_padding_stride",
    "exercise3_pooling",
    "exercise4_output_shapes",
    "exercise5_parameters",
    "exercise6_keras_models",
    "exercise7_fast_and_backward",
)


def exercises() -> tuple[Exercise, ...]:
    return tuple(_load(m) for m in _MODULES)


def _spellings(number: int | str, slug: str) -> set[str]:
    return {f"exercise{number}", str(number), slug, f"exercise{number}_{slug}", f"ex{number}"}


def _names(exercise: Exercise) -> set[str]:
    return _spellings(exercise.number, exercise.slug) | set(exercise.aliases)


def _load(module: str) -> Exercise:
    return importlib.import_module(f"grader.catalog.{module}").EXERCISE


def module_named(name: str) -> str | None:
    """The declaration's module that `name` names by its number or slug (`exercise3`, `3`, `pooling`, `ex3`,
    `exercise3_pooling`), without importing it; None for any other name (an alias, or no exercise)."""
    wanted = name.strip().lower().removesuffix(".py")
    for module in _MODULES:
        if wanted in _spellings(*module.removeprefix("exercise").split("_", 1)):
            return module
    return None


def find(name: str) -> Exercise:
    """`exercise3`, `3`, `pooling`, `ex3` and `exercise3_pooling` all name exercise 3.

    Only the named exercise's module is imported when the name says which it is (a learner's check should
    not pay for exercise 6's Keras declarations); other aliases need every declaration."""
    module = module_named(name)
    if module is not None:
        return _load(module)
    wanted = name.strip().lower().removesuffix(".py")
    for exercise in exercises():
        if wanted in {n.lower() for n in _names(exercise)}:
            return exercise
    from grader.errors import UnknownExercise
    from grader.i18n import _

    known = ", ".join(f"{e.name} ({e.slug})" for e in exercises())
    raise UnknownExercise(_("unknown exercise {name}; the exercises are: {known}").format(name=repr(name), known=known))
