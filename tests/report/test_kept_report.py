"""`grade report`: a report kept as JSON written again as JUnit, Gradescope or JSON gives the bytes the grading
command gives in that format, with the grading's exit code, and without grading again; a file that is not a
report is a usage error (exit 2)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.sandbox.worker import Worker
from tests.conftest import ROOT, solution_file

STRIDE_ONE = (ROOT / "solutions/mistakes/exercise3_pooling/pool_stride_one.py").read_text()
OPTIONS = ["--examples", "5", "--lang", "ko"]


def _grade(folder, fmt, output):
    return CliRunner().invoke(
        main, ["3", "--submission", str(folder), "--format", fmt, "--output", str(output), *OPTIONS]
    )


@pytest.fixture(params=["right", "wrong"])
def graded(request, tmp_path):
    """(folder, kept JSON report, exit code, which) for a right and a wrong exercise 3."""
    text = solution_file(3).read_text() + ("\n\n" + STRIDE_ONE if request.param == "wrong" else "")
    (tmp_path / solution_file(3).name).write_text(text, encoding="utf-8")
    result = _grade(tmp_path, "json", tmp_path / "kept.json")
    return tmp_path, tmp_path / "kept.json", result.exit_code, request.param


@pytest.mark.parametrize("fmt", ["junit", "gradescope", "json"])
def test_a_kept_report_rendered_again_is_the_bytes_grading_gives(graded, fmt, monkeypatch):
    folder, kept, exit_code, _ = graded
    _grade(folder, fmt, folder / f"direct.{fmt}")

    def never(*args, **kwargs):
        raise AssertionError("grade report graded again")

    monkeypatch.setattr(Worker, "__init__", never)
    again = CliRunner().invoke(
        main, ["report", str(kept), "--format", fmt, "--output", str(folder / "again"), "--lang", "ko"]
    )
    assert again.exit_code == exit_code
    assert (folder / "again").read_bytes() == (folder / f"direct.{fmt}").read_bytes()


def test_the_exit_code_is_the_gradings(graded):
    _, kept, exit_code, which = graded
    assert exit_code == {"right": 0, "wrong": 1}[which]
    assert CliRunner().invoke(main, ["report", str(kept)]).exit_code == exit_code


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (None, "cannot read the report"),
        ("{not json", "is not JSON"),
        ('{"score": 1}', "is not a report of the grader"),
        ('{"exercises": [{"exercise": "exercise3", "tasks": [{"name": "x"}]}]}', "is not a report of the grader"),
    ],
)
def test_a_file_that_is_not_a_report_is_a_usage_error(tmp_path, content, says):
    path = tmp_path / "kept.json"
    if content is not None:
        path.write_text(content)
    result = CliRunner().invoke(main, ["report", str(path), "--lang", "en"])
    assert result.exit_code == 2 and says in result.output


def test_the_text_report_is_not_offered_since_the_json_does_not_keep_its_pictures(tmp_path):
    result = CliRunner().invoke(main, ["report", str(tmp_path / "kept.json"), "--format", "text"])
    assert result.exit_code == 2 and "'text' is not one of" in result.output
