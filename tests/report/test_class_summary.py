"""`grade batch`'s summary of a class on a terminal: every header whole at the usual widths and in a narrow
terminal (a cut `exerci…` leaves the instructor guessing which column is which)."""

from __future__ import annotations

import pytest

from grader import catalog
from grader.classroom.gradebook import ClassResult
from grader.report.class_summary import render_class


def _report(student: str, status: str, score: float) -> dict:
    exercises = [
        {
            "exercise": exercise.name,
            "score": score,
            "tasks": [
                {"name": task.name, "status": "passed", "score": 1.0, "max_score": 1.0} for task in exercise.tasks
            ],
        }
        for exercise in catalog.exercises()
    ]
    return {"student": student, "status": status, "score": score * len(exercises), "exercises": exercises}


SEVEN_EXERCISES = ClassResult(
    exercises=tuple(e.name for e in catalog.exercises()),
    maxima={e.name: 10.0 for e in catalog.exercises()},
    settings_sha256="-",
    reports=(_report("kim-minjun-2024123456", "graded", 9.5), _report("lee", "incomplete", 2.0)),
)


def _gradebook_table(text: str) -> list[str]:
    return text.split("pass rate per task")[0].splitlines()


@pytest.mark.parametrize("width", [130, 100, 80, 60])
def test_no_header_of_the_gradebook_is_cut_at_any_usual_width(width):
    lines = _gradebook_table(render_class(SEVEN_EXERCISES, color=False, width=width))
    table = "\n".join(lines)
    assert "…" not in table
    assert max(len(line.rstrip()) for line in lines) <= width
    for number in range(1, len(SEVEN_EXERCISES.exercises) + 1):
        assert f"exercise{number}" in table or f"ex{number} " in table
    for header in ("student", "total", "/70", "status", "incomplete", "lee"):
        assert header in table


def test_the_full_exercise_names_are_kept_where_they_fit_and_shortened_where_they_do_not():
    wide = "\n".join(_gradebook_table(render_class(SEVEN_EXERCISES, color=False, width=130)))
    assert "exercise7" in wide and "kim-minjun-2024123456" in wide
    narrow = "\n".join(_gradebook_table(render_class(SEVEN_EXERCISES, color=False, width=80)))
    assert "exercise7" not in narrow and "ex7" in narrow and "kim-minjun-2024123456" in narrow


@pytest.mark.parametrize("width", [100, 40])
def test_the_pass_rate_table_keeps_its_headers_and_exercise_names_whole(width):
    text = render_class(SEVEN_EXERCISES, color=False, width=width)
    rates = text.split("pass rate per task")[1].split("scores (%")[0]
    header = next(line for line in rates.splitlines() if "task" in line)
    assert "…" not in header and all(word in header for word in ("exercise", "task", "passed", "rate"))
    assert "exercise7 " in rates
