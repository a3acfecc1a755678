"""`--format json`: the schema of ../shared/interface.md."""

from __future__ import annotations

import json

from grader.results import ExerciseResult, RunResult


def render_json(result: ExerciseResult | RunResult) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n"
