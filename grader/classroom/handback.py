"""What a marked class hands back, written beside the gradebook from the reports (and the kept code) alone, so
that `grade merge` writes the same files as one run of the whole class:

    feedback/<student>.html  the student's report as a page to return (`grader.report.html`), with heatmaps
    scores.csv               points per task (`exercise3.max_pool2d`) and total, for an LMS import
    similarity.html          pairs of students whose code is suspiciously alike (`classroom.similarity`)
"""

from __future__ import annotations

from pathlib import Path

from grader import catalog
from grader.classroom import similarity
from grader.classroom.gradebook import ClassResult, scores_csv
from grader.report.heatmaps import pictures_of
from grader.report.html import render_html
from grader.report.similarity import render_similarity

FEEDBACK, SCORES, SIMILARITY = "feedback", "scores.csv", "similarity.html"


def write_handback(
    out: Path, result: ClassResult, lang: str, write, comparison: similarity.Comparison | None = None
) -> None:
    """The feedback pages, the scores and the similarity report of `result` into `out` (`write(path, text)`
    writes a file whole or not at all); `comparison`: the class's code comparison when it was started earlier
    (a batch starts it before marking), else it is made now."""
    for report in result.reports:  # a wrong answer on an image drawn as heatmaps (about 0.3 s each, see README)
        page = render_html(report, lang, pictures=pictures_of(report, lang))
        write(out / FEEDBACK / f"{report['student']}.html", page)
    write(out / SCORES, scores_csv(result))
    failure = None
    try:
        if comparison is None:
            exercises = tuple(catalog.find(name) for name in result.exercises)
            comparison = similarity.Comparison(out, [r["student"] for r in result.reports], exercises)
        pairs = comparison.pairs()
    except Exception as exc:  # the marks and the feedback never depend on it: the page says what went wrong
        pairs, failure = [], f"{type(exc).__name__}: {exc}"
    page = render_similarity(
        pairs, lang, threshold=similarity.THRESHOLD, shared_tokens=similarity.SHARED_TOKENS, failure=failure
    )
    write(out / SIMILARITY, page)
