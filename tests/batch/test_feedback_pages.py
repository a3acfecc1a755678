"""The feedback pages of a class: drawn on every core when there are many heatmaps, the same bytes as drawn one
after another; a report whose heatmap is damaged still gets its page (without that picture), and the others
keep theirs."""

from __future__ import annotations

import json

from grader import heatmap_data
from grader.classroom import handback
from tests.report.test_heatmaps import _flipped_call, _result

_real_read = handback._pages_read


def _class(size: int) -> list[dict]:
    inputs, expected, yours = _flipped_call()
    heatmap = heatmap_data.heatmap("correlate2d(...)", inputs, expected, yours)
    saved = json.dumps(_result(heatmap).to_dict(full=True))
    return [{**json.loads(saved), "student": f"student{k:02d}"} for k in range(size)]


def test_many_pictures_are_drawn_on_every_core_into_the_same_pages_as_one_after_another(monkeypatch):
    reports = _class(handback.PICTURES_FOR_DRAWERS)
    monkeypatch.setattr(handback, "usable_cores", lambda: 2)
    read = []
    monkeypatch.setattr(handback, "_pages_read", lambda drawn, count: read.append(count) or _real_read(drawn, count))
    drawn_by_drawers = handback.feedback_pages(reports, "ko")
    assert read == [handback.PICTURES_FOR_DRAWERS // 2]  # the second half came from a drawer, not drawn here again
    monkeypatch.setattr(handback, "usable_cores", lambda: 1)
    drawn_here = handback.feedback_pages(reports, "ko")

    assert drawn_by_drawers == drawn_here
    assert all(page.count('<img src="data:image/png;base64,') == 1 for page in drawn_here)


def test_a_damaged_heatmap_costs_its_picture_not_the_page_nor_the_others():
    reports = _class(3)
    reports[1]["tasks"][0]["counterexample"]["heatmap"]["expected"]["values"] = ["not", "numbers"]

    pages = handback.feedback_pages(reports, "en")

    assert [page.count("data:image/png") for page in pages] == [1, 0, 1]
    assert all("correlate2d" in page and "2 of 4 values differ" in page for page in pages)
