"""Under GitHub Actions: failures become `::error` annotations on the learner's file at the function, and a
Markdown summary goes to $GITHUB_STEP_SUMMARY; outside it, nothing of the kind is printed."""

from __future__ import annotations

from click.testing import CliRunner

from grader.cli import main
from grader.report.github import ANNOTATION_LIMIT, annotations, beyond_annotations_markdown, exercises_markdown
from tests.conftest import FIXTURES, ROOT, solution_file

STRIDE_ONE = (ROOT / "solutions/mistakes/exercise3_pooling/pool_stride_one.py").read_text()


def _wrong_pooling(folder):
    path = folder / "exercise3_pooling.py"
    path.write_text(solution_file(3).read_text() + "\n\n" + STRIDE_ONE, encoding="utf-8")
    return path


def _line_of(path, name):
    lines = path.read_text().splitlines()
    return 1 + max(i for i, line in enumerate(lines) if line.startswith(f"def {name}("))


def test_a_failed_task_is_annotated_on_the_learners_file_at_its_function(tmp_path, monkeypatch):
    path = _wrong_pooling(tmp_path)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = CliRunner().invoke(main, ["3", "--submission", str(tmp_path), "--examples", "10"])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("::error ")]
    assert [line.split("title=")[1].split("::")[0] for line in errors] == [
        "exercise3.max_pool2d%3A failed",
        "exercise3.avg_pool2d%3A failed",
    ]
    assert errors[0].startswith(f"::error file=exercise3_pooling.py,line={_line_of(path, 'max_pool2d')},")
    markdown = summary.read_text()
    assert "| max_pool2d | ❌ failed | 0/3 |" in markdown and "<details><summary>max_pool2d" in markdown


def test_with_a_machine_readable_report_on_stdout_the_annotations_go_to_stderr(tmp_path, monkeypatch):
    _wrong_pooling(tmp_path)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    result = CliRunner().invoke(main, ["3", "--submission", str(tmp_path), "--examples", "10", "--format", "json"])
    assert result.stdout.startswith("{") and "::error" not in result.stdout
    assert result.stderr.count("::error ") == 2


def test_outside_github_actions_there_are_no_annotations(tmp_path, monkeypatch):
    _wrong_pooling(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    result = CliRunner().invoke(main, ["3", "--submission", str(tmp_path), "--examples", "10"])
    assert "::error" not in result.output


def test_messages_and_properties_are_escaped_as_workflow_commands_require(tmp_path):
    task = {"name": "conv1d", "status": "failed", "message": "100% wrong\nsecond line"}
    exercise = {"exercise": "exercise1", "tasks": [task]}
    (line,) = annotations([("kim, lee: ", exercise, tmp_path / "a,b:c.py")])
    assert line.endswith("::100%25 wrong%0Asecond line")
    assert "file=" in line and "a%2Cb%3Ac.py" in line and "title=kim%2C lee%3A exercise1.conv1d%3A failed" in line


def test_a_missing_file_is_one_annotation_and_a_class_is_capped_at_what_github_shows():
    tasks = [{"name": f"t{i}", "status": "missing", "message": "not found"} for i in range(9)]
    assert len(annotations([("", {"exercise": "exercise1", "tasks": tasks}, None)])) == 1
    many = [(f"s{i}/", {"exercise": "exercise1", "tasks": tasks[:1]}, FIXTURES / f"s{i}.py") for i in range(60)]
    lines = annotations(many)
    assert ANNOTATION_LIMIT == 10  # GitHub shows 10 error annotations a step and drops the rest without a word
    assert [line.split(" ", 1)[0] for line in lines] == ["::error"] * 10 + ["::notice::50"]
    assert (
        lines[-1]
        == "::notice::50 more tasks did not pass than GitHub shows as annotations: the run's summary lists them"
    )


def test_the_tasks_past_the_annotations_are_listed_in_the_summary_and_only_those():
    tasks = [{"name": f"t{i}", "status": "failed", "message": f"wrong {i}\nsecond line"} for i in range(13)]
    items = [
        ("", {"exercise": "exercise1", "tasks": tasks}, None),
        ("", {"exercise": "exercise2", "tasks": tasks}, FIXTURES / "x.py"),
    ]
    annotated = [line.split("title=")[1].split("%3A")[0] for line in annotations(items) if line.startswith("::error")]
    markdown = beyond_annotations_markdown(items, lang="en")
    rows = [line for line in markdown.splitlines() if line.startswith("| exercise")]
    assert annotated == ["exercise1.*", *(f"exercise2.t{i}" for i in range(9))]
    assert rows == [f"| exercise2.t{i} | failed | wrong {i} |" for i in range(9, 13)]
    assert markdown.startswith("### Not shown as annotations: 4 more tasks that did not pass")
    assert beyond_annotations_markdown(items[:1]) == ""


def test_the_markdown_summary_has_a_table_and_the_total():
    data = {
        "score": 1.0,
        "max_score": 2.0,
        "exercises": [
            {
                "exercise": "exercise1",
                "title": "합성곱",
                "score": 1.0,
                "max_score": 2.0,
                "tasks": [
                    {"name": "a|b", "status": "passed", "score": 1.0, "max_score": 1.0, "message": ""},
                    {"name": "c", "status": "failed", "score": 0.0, "max_score": 1.0, "message": "```x```"},
                ],
            }
        ],
    }
    markdown = exercises_markdown(data, "ko")
    assert "### exercise1 합성곱: 1/2" in markdown and "| c | ❌ 틀림 | 0/1 |" in markdown
    assert "**합계: 1/2**" in markdown and "```x```" not in markdown
