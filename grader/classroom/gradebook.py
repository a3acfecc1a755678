"""A marked class as data: the students' reports, and what follows from them alone (the gradebook CSV, pass
rates, the score histogram). Nothing here grades or draws; the same reports always give the same bytes."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from grader import catalog
from grader.classroom.marking import ERROR


@dataclass(frozen=True)
class ClassResult:
    """Every student's report (`grade all --format json` plus `student`, `status`, `message`, `files` and the
    hashes), sorted by student, and the exercises they were marked on with each one's maximum."""

    exercises: tuple[str, ...]
    maxima: dict[str, float]
    settings_sha256: str
    reports: tuple[dict, ...]
    shard: tuple[int, int] | None = None
    reused: tuple[str, ...] = field(default=())  # students whose earlier report was kept (--resume)

    @property
    def max_score(self) -> float:
        return float(sum(self.maxima.values()))

    @property
    def passed(self) -> bool:
        """Every student marked, and every task of every student passed (exit code 0)."""
        return all(
            r["status"] != ERROR and all(t["status"] == "passed" for e in r["exercises"] for t in e["tasks"])
            for r in self.reports
        )


def _number(value: float) -> str:
    return f"{value:g}"


def points_row(result: ClassResult, report: dict) -> tuple[list[str], str]:
    """A student's points per exercise and total, as the gradebook shows them (blank where not marked)."""
    if report["status"] == ERROR:
        return ["" for _ in result.exercises], ""
    scores = {e["exercise"]: e["score"] for e in report["exercises"]}
    return [_number(scores.get(name, 0.0)) for name in result.exercises], _number(report["score"])


def _cell(text: str) -> str:
    """A name a spreadsheet would run as a formula (=, +, -, @) is quoted with an apostrophe."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def gradebook_csv(result: ClassResult) -> str:
    """student, points per exercise, total, max, status: one row per student, sorted by name."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", *result.exercises, "total", "max", "status"])
    for report in result.reports:
        points, total = points_row(result, report)
        writer.writerow([_cell(report["student"]), *points, total, _number(result.max_score), report["status"]])
    return buffer.getvalue()


def task_columns(result: ClassResult) -> list[tuple[str, str]]:
    """(exercise, task) for each task marked, in the catalogue's order: from the reports themselves (a merge
    needs nothing else), or from the catalogue for an exercise no marked student has (every one an error)."""
    columns = []
    for name in result.exercises:
        tasks = next((e["tasks"] for r in result.reports for e in r["exercises"] if e["exercise"] == name), None)
        names = [t.name for t in catalog.find(name).tasks] if tasks is None else [t["name"] for t in tasks]
        columns += [(name, task) for task in names]
    return columns


def scores_csv(result: ClassResult) -> str:
    """For an LMS import: student, points per task (`exercise3.max_pool2d`), total; one row per student, sorted
    by name, blank where a student was not marked. The same reports always give the same bytes."""
    columns = task_columns(result)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", *(f"{exercise}.{task}" for exercise, task in columns), "total"])
    for report in result.reports:
        if report["status"] == ERROR:
            writer.writerow([_cell(report["student"]), *("" for _ in columns), ""])
            continue
        points = {(e["exercise"], t["name"]): t.get("score", 0.0) for e in report["exercises"] for t in e["tasks"]}
        row = [_number(points.get(column, 0.0)) for column in columns]
        writer.writerow([_cell(report["student"]), *row, _number(report["score"])])
    return buffer.getvalue()


@dataclass(frozen=True)
class PassRate:
    exercise: str
    task: str
    passed: int
    marked: int

    @property
    def fraction(self) -> float:
        return self.passed / self.marked if self.marked else 0.0


def pass_rates(result: ClassResult) -> tuple[PassRate, ...]:
    """For each task, how many of the students marked on it passed it (students the grader failed on left out)."""
    counts: dict[tuple[str, str], list[int]] = {}
    for report in result.reports:
        for exercise in report["exercises"]:
            for task in exercise["tasks"]:
                count = counts.setdefault((exercise["exercise"], task["name"]), [0, 0])
                count[0] += task["status"] == "passed"
                count[1] += 1
    order = {name: i for i, name in enumerate(result.exercises)}
    keys = sorted(counts, key=lambda key: order.get(key[0], len(order)))
    return tuple(PassRate(exercise, task, *counts[exercise, task]) for exercise, task in keys)


def histogram(result: ClassResult, bins: int = 10) -> tuple[int, ...]:
    """How many marked students scored in each tenth of the maximum; full marks count in the last bin."""
    counts = [0] * bins
    for report in result.reports:
        if report["status"] == ERROR or not result.max_score:
            continue
        share = report["score"] / result.max_score
        counts[min(int(share * bins), bins - 1)] += 1
    return tuple(counts)
