"""Every exercise the grader knows, in order, and how learners may name them."""

from __future__ import annotations

import importlib

from grader.errors import UnknownExercise
from grader.spec import Exercise

_MODULES = (
    "exercise1_convolution",
    "exercise2_padding_stride",
    "exercise3_pooling",
    "exercise4_output_shapes",
    "exercise5_parameters",
    "exercise6_keras_models",
)


def exercises() -> tuple[Exercise, ...]:
    return tuple(importlib.import_module(f"grader.catalog.{m}").EXERCISE for m in _MODULES)


def _names(exercise: Exercise) -> set[str]:
    return {
        exercise.name,
        str(exercise.number),
        exercise.slug,
        exercise.module_name,
        f"ex{exercise.number}",
        *exercise.aliases,
    }


def find(name: str) -> Exercise:
    """`exercise3`, `3`, `pooling`, `ex3` and `exercise3_pooling` all name exercise 3."""
    wanted = name.strip().lower().removesuffix(".py")
    for exercise in exercises():
        if wanted in {n.lower() for n in _names(exercise)}:
            return exercise
    known = ", ".join(f"{e.name} ({e.slug})" for e in exercises())
    raise UnknownExercise(f"unknown exercise {name!r}; the exercises are: {known}")
