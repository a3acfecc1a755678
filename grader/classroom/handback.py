"""What a marked class hands back, written beside the gradebook from the reports (and the kept code) alone, so
that `grade merge` writes the same files as one run of the whole class:

    feedback/<student>.html  the student's report as a page to return (`grader.report.html`)
    scores.csv               points per task (`exercise3.max_pool2d`) and total, for an LMS import
    similarity.html          pairs of students whose code is suspiciously alike (`classroom.similarity`)
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from grader import catalog
from grader.classroom import similarity
from grader.classroom.gradebook import ClassResult, scores_csv
from grader.report.html import render_html
from grader.report.similarity import render_similarity

FEEDBACK, SCORES, SIMILARITY = "feedback", "scores.csv", "similarity.html"


def write_handback(out: Path, result: ClassResult, lang: str, write) -> None:
    """The feedback pages, the scores and the similarity report of `result` into `out` (`write(path, text)`
    writes a file whole or not at all)."""
    for report in result.reports:
        write(out / FEEDBACK / f"{report['student']}.html", render_html(report, lang))
    write(out / SCORES, scores_csv(result))
    exercises = tuple(catalog.find(name) for name in result.exercises)
    failure = None
    try:
        pairs = similarity.similar_pairs(out, [r["student"] for r in result.reports], exercises)
    except Exception as exc:  # the marks and the feedback never depend on it: the page says what went wrong
        pairs, failure = [], _why(exc)
    page = render_similarity(
        pairs, lang, threshold=similarity.THRESHOLD, shared_tokens=similarity.SHARED_TOKENS, failure=failure
    )
    write(out / SIMILARITY, page)


def _why(exc: Exception) -> str:
    if isinstance(exc, subprocess.CalledProcessError):
        lines = (exc.stderr or "").strip().splitlines()
        return lines[-1] if lines else f"exit status {exc.returncode}"
    return f"{type(exc).__name__}: {exc}"
