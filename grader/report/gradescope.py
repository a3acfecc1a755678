"""`--format gradescope`: the autograder's `results.json` as Gradescope's autograder specification defines it.

One test per task, numbered `exercise.task` (3.2 is exercise 3's second task), status passed or failed, the
verdict and the smallest failing call in `output`. The grading seed is left out: students read this.
"""

from __future__ import annotations

import json

from grader.report.plain import clean, exercises_of, task_details


def results_json(data: dict, lang: str = "en") -> dict:
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
                    "visibility": "visible",
                }
            )
    score = sum(test["score"] for test in tests)
    maximum = sum(test["max_score"] for test in tests)
    output = f"{score:g}/{maximum:g}"
    if data.get("message"):
        output += "\n" + clean(data["message"])
    return {"score": score, "output": output, "visibility": "visible", "stdout_visibility": "hidden", "tests": tests}


def render_gradescope(data: dict, lang: str = "en") -> str:
    return json.dumps(results_json(data, lang), ensure_ascii=False, indent=2) + "\n"
