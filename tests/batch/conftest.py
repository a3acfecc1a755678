"""A small class of mixed submissions, written fresh for each test module that marks one."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import FIXTURES, ROOT, solution_file

EXERCISES = "exercise1,exercise3"  # one exercise with a hostile student, one with a misconception
OPTIONS = ("--examples", "8", "--timeout", "2", "--seed", "3")

BUSY_CONV1D = "\n\ndef conv1d(x, w, b=0.0):\n    while True:\n        pass\n"
STRIDE_ONE = (ROOT / "solutions/mistakes/exercise3_pooling/pool_stride_one.py").read_text()


def _notebook(code: str) -> str:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# 풀링"]},
        {"cell_type": "code", "metadata": {}, "source": ["%matplotlib inline\n"], "outputs": []},
        {"cell_type": "code", "metadata": {}, "source": code, "outputs": []},
    ]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def write_class(root: Path) -> Path:
    """Seven students, each right or wrong in a way the gradebook must show:

    ahn    both exercises right (the references)             graded      21/21
    baek   both right in other ways (loops)                  graded      21/21
    choi   exercise 3 with pooling stride 1                  graded      lose max/avg_pool2d
    do     exercise 1's conv1d loops for ever                incomplete  loses conv1d only; no exercise 3
    eun    an empty folder                                   empty       0
    fu.py  one file with exercise 1 right, nothing else      graded      11 (exercise 3's functions missing)
    gim    exercise 3 in a notebook, in a course-repo clone  incomplete  10
    """
    ex1, ex3 = solution_file(1), solution_file(3)
    for name, files in {
        "ahn": {ex1.name: ex1.read_text(), ex3.name: ex3.read_text()},
        "baek": {
            ex1.name: (FIXTURES / "correct" / "exercise1_loops.py").read_text(),
            ex3.name: (FIXTURES / "correct" / "exercise3_loops.py").read_text(),
        },
        "choi": {ex1.name: ex1.read_text(), ex3.name: ex3.read_text() + "\n\n" + STRIDE_ONE},
        "do": {ex1.name: ex1.read_text() + BUSY_CONV1D},
        "eun": {},
        "gim/exercises": {"exercise3.ipynb": _notebook(ex3.read_text())},
    }.items():
        folder = root / name
        folder.mkdir(parents=True)
        for file, text in files.items():
            (folder / file).write_text(text, encoding="utf-8")
    (root / "fu.py").write_text(ex1.read_text(), encoding="utf-8")
    (root / ".git").mkdir()  # not a student
    (root / "README.md").write_text("submissions of 2026-11")  # not a student either
    return root
