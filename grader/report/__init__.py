"""Reporters: each renders results (never judges them) in one format."""

from __future__ import annotations

from grader.results import ExerciseResult, RunResult

FORMATS = ("text", "json", "junit", "gradescope")
SAVED_FORMATS = ("json", "junit", "gradescope")  # made from a kept JSON report alone (`grade report`)


_MODULES = {"json": "json_report", "junit": "junit", "gradescope": "gradescope", "text": "text"}


def preload(fmt: str) -> None:
    """Import what rendering `fmt` needs (the text report's rich: ~25 ms), at a moment the grader would only
    wait (`engine.while_learner_loads`)."""
    import importlib

    importlib.import_module(f"grader.report.{_MODULES.get(fmt, 'text')}")


def render(
    result: ExerciseResult | RunResult,
    fmt: str,
    *,
    lang: str = "en",
    color: bool = False,
    width=100,
    again: str = "grade {name}",
) -> str:
    """`result` in `fmt`; the text report's closing line names the command `again` ("{name}": the exercise)."""
    if fmt == "json":
        from grader.report.json_report import render_json

        return render_json(result)
    if fmt == "junit":
        from grader.report.junit import render_junit

        return render_junit([("", result.to_dict())], lang)
    if fmt == "gradescope":
        from grader.report.gradescope import render_gradescope

        return render_gradescope(result.to_dict(), lang)
    from grader.report.text import render_text

    return render_text(result, lang=lang, color=color, width=width, again=again)
