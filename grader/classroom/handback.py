"""What a marked class hands back, written beside the gradebook from the reports (and the kept code) alone, so
that `grade merge` writes the same files as one run of the whole class:

    feedback/<student>.html  the student's report as a page to return (`grader.report.html`), with heatmaps
    scores.csv               points per task (`exercise3.max_pool2d`) and total, for an LMS import
    similarity.html          pairs of students whose code is suspiciously alike (`classroom.similarity`)
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from pathlib import Path

from grader import catalog
from grader.backends import usable_cores
from grader.classroom import similarity
from grader.classroom.gradebook import ClassResult, scores_csv
from grader.report.heatmaps import pictures_of
from grader.report.html import render_html
from grader.report.plain import exercises_of
from grader.report.similarity import render_similarity

FEEDBACK, SCORES, SIMILARITY = "feedback", "scores.csv", "similarity.html"


def write_handback(
    out: Path, result: ClassResult, lang: str, write, comparison: similarity.Comparison | None = None
) -> None:
    """The feedback pages, the scores and the similarity report of `result` into `out` (`write(path, text)`
    writes a file whole or not at all); `comparison`: the class's code comparison when it was started earlier
    (a batch starts it before marking), else it is made now."""
    for report, page in zip(result.reports, feedback_pages(result.reports, lang), strict=True):
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


# Pictures worth starting drawers for: each drawer imports matplotlib (about 0.5-1 s) before it draws (0.25-0.7 s
# a picture), so a handful are drawn here in the batch's own process.
PICTURES_FOR_DRAWERS = 8
_GRADER_HOME = Path(__file__).resolve().parent.parent.parent  # the folder holding this `grader` package


def feedback_pages(reports: list[dict], lang: str) -> list[str]:
    """Each report's feedback page, in order. Its heatmaps (a wrong answer on an image) are drawn on every core
    when there are many (a class of 20 with 5 pictures each: about 30 s on one core), by drawers: fresh
    `python -m grader.classroom.handback` processes, each given every n-th report (never a fork of the batch,
    with its threads and its pipes to the markers, nor a `multiprocessing` child, which would import the
    caller's main script again). The pages are the same bytes whichever process drew them, and a drawer that
    fails costs only time: its pages are drawn here."""
    pictures = sum(_heatmaps(report) for report in reports)
    drawers = min(usable_cores(), len(reports))
    if pictures < PICTURES_FOR_DRAWERS or drawers < 2:
        return [feedback_page(report, lang) for report in reports]
    shares = [reports[k::drawers] for k in range(drawers)]
    pages: list[list[str] | None] = [None] * drawers
    started = [None] + [_drawer(share, lang) for share in shares[1:]]  # the first share is drawn here meanwhile
    pages[0] = [feedback_page(report, lang) for report in shares[0]]
    for k, process in enumerate(started):
        if process is None:
            continue
        with process.stdout:
            drawn = process.stdout.read()
        if process.wait() == 0:
            with contextlib.suppress(ValueError):
                pages[k] = _pages_read(drawn, len(shares[k]))
    ordered = [None] * len(reports)
    for k, share in enumerate(shares):
        got = pages[k] if pages[k] is not None else [feedback_page(report, lang) for report in share]
        ordered[k::drawers] = got
    return ordered


def _drawer(share: list[dict], lang: str) -> subprocess.Popen | None:
    """A drawer started on `share` (None when no process could be started)."""
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "grader.classroom.handback", lang],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=_GRADER_HOME,  # `-m` looks in the current folder first: this grader, not a `grader/` found there
        )
    except OSError:
        return None
    with contextlib.suppress(OSError):  # a drawer that died at once: its share is drawn here
        process.stdin.write(json.dumps(share).encode("utf-8"))
    with contextlib.suppress(OSError):
        process.stdin.close()
    return process


def _pages_read(drawn: bytes, count: int) -> list[str]:
    pages = json.loads(drawn)
    if not isinstance(pages, list) or len(pages) != count or not all(isinstance(p, str) for p in pages):
        raise ValueError("a drawer's pages do not match its share")
    return pages


def feedback_page(report: dict, lang: str) -> str:
    """One student's page; heatmaps that cannot be drawn (a damaged report) cost their pictures, never the page."""
    try:
        pictures = pictures_of(report, lang)
    except Exception:
        pictures = {}
    return render_html(report, lang, pictures=pictures)


def _heatmaps(report: dict) -> int:
    return sum(
        1
        for exercise in exercises_of(report)
        for task in exercise.get("tasks", [])
        if isinstance(task, dict) and (task.get("counterexample") or {}).get("heatmap")
    )


if __name__ == "__main__":  # a drawer: the reports of its share on stdin (JSON), their pages on stdout (JSON)
    _shared = json.loads(sys.stdin.buffer.read())
    sys.stdout.buffer.write(json.dumps([feedback_page(report, sys.argv[1]) for report in _shared]).encode("utf-8"))
