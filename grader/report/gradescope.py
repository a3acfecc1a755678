"""`--format gradescope`: the autograder's `results.json` as Gradescope's autograder specification defines it.

One test per task, numbered `exercise.task` (3.2 is exercise 3's second task), status passed or failed, the
verdict and the smallest failing call in `output`. The grading seed is left out: students read this.
`visibility` is each test's (visible, hidden, after_due_date or after_published: when students see it) and the
whole result's; the top-level `output` gives the score only where the tests are visible, so that it never
tells a student more than the tests do.
"""

from __future__ import annotations

import json

from grader.report.plain import clean, exercises_of, task_details

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")


def results_json(data: dict, lang: str = "en", visibility: str = "visible", notes: tuple[str, ...] = ()) -> dict:
    """Gradescope's results from a JSON report (`data`); `notes` open the top-level output (which file was
    graded)."""
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility={visibility!r} is not one of {', '.join(VISIBILITIES)}")
    tests = []
    for exercise in exercises_of(data):
        number = exercise["exercise"].removeprefix("exercise")
        for i, task in enumerate(exercise["tasks"], 1):
            tests.append(
                {
                    "name": f"{exercise['exercise']} {task['name']}",
                    "number": f"{number}.{i}",
                    "score": task["score"],
                    "max_score": task["max_score"],
                    "status": "passed" if task["status"] == "passed" else "failed",
                    "output": task_details(task, lang),
                    "output_format": "text",
                    "tags": [exercise["exercise"], task["status"]],
                    "visibility": visibility,
                }
            )
    score = sum(test["score"] for test in tests)
    maximum = sum(test["max_score"] for test in tests)
    lines = [clean(note) for note in notes]
    if visibility == "visible":
        lines.append(f"{score:g}/{maximum:g}")
    if data.get("message"):
        lines.append(clean(data["message"]))
    return {
        "score": score,
        "output": "\n".join(lines),
        "output_format": "text",
        "visibility": visibility,
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def render_gradescope(data: dict, lang: str = "en") -> str:
    return json.dumps(results_json(data, lang), ensure_ascii=False, indent=2) + "\n"
