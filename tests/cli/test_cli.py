"""The command line: exit codes, the JSON report of ../shared/interface.md, names, options and bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from grader import catalog
from grader.backends import nvidia_present
from grader.cli import main
from tests.cli.conftest import run
from tests.conftest import EXERCISES, ROOT, SOLUTIONS

STATUSES = {"passed", "failed", "error", "not_implemented", "timeout", "forbidden", "missing"}
TASK_KEYS = {"name", "status", "score", "max_score", "examples", "message", "counterexample", "diagnosis"}
EXERCISE_KEYS = {"exercise", "title", "score", "max_score", "seed", "backends", "tasks"}


def check_exercise_schema(report: dict) -> None:
    assert set(report) == EXERCISE_KEYS
    assert isinstance(report["score"], float) and isinstance(report["max_score"], float)
    assert report["backends"] == ["cpu"]
    assert report["score"] == sum(t["score"] for t in report["tasks"])
    for task in report["tasks"]:
        assert TASK_KEYS <= set(task) <= TASK_KEYS | {"note"}
        assert task["status"] in STATUSES
        assert isinstance(task["examples"], int) and isinstance(task["message"], str)
        assert task["counterexample"] is None or {"call", "inputs", "expected", "actual"} <= set(task["counterexample"])


@pytest.mark.slow
@pytest.mark.parametrize("number", [e.number for e in catalog.exercises()])
def test_the_solutions_get_full_marks_and_exit_0(number):
    result = run(f"exercise{number}", "--submission", SOLUTIONS, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    check_exercise_schema(report)
    assert report["exercise"] == f"exercise{number}" and report["score"] == report["max_score"]
    assert {t["status"] for t in report["tasks"]} == {"passed"}


def test_the_untouched_stubs_exit_1_with_every_task_not_implemented():
    result = run("exercise1", "--submission", EXERCISES, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    check_exercise_schema(report)
    assert {t["status"] for t in report["tasks"]} == {"not_implemented"} and report["score"] == 0


@pytest.mark.parametrize("name", ["exercise3", "3", "pooling"])
def test_three_names_for_one_exercise(name):
    report = json.loads(run(name, "--submission", EXERCISES, "--format", "json").output)
    assert report["exercise"] == "exercise3"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["exercise99"], "unknown exercise 'exercise99'"),
        (["exercise1", "--submission", "/no/such/path"], "does not exist"),
        (["exercise1", "--format", "xml"], "Invalid value for '--format'"),
        (["exercise1", "--examples", "0"], "Invalid value for '--examples'"),
        (["exercise1", "--timeout", "-1"], "Invalid value for '--timeout'"),
        (["exercise1", "--submission", "pyproject.toml"], "neither a .py file, a notebook nor a folder"),
    ],
)
def test_a_wrong_command_exits_2_with_a_message_and_grades_nothing(args, says):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert says in result.output and "Traceback" not in result.output


def test_outside_a_project_without_submission_the_message_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["exercise1"])
    assert result.exit_code == 2 and "pass --submission PATH" in result.output


def test_a_broken_file_is_graded_as_errors_with_exit_1(tmp_path):
    (tmp_path / "exercise1_convolution.py").write_text("def conv1d(x, w:\n")
    result = run("1", "--submission", tmp_path, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert {t["status"] for t in report["tasks"]} == {"error"}
    assert "SyntaxError" in report["tasks"][0]["message"]


def test_a_folder_without_the_file_reports_every_task_missing(tmp_path):
    result = run("2", "--submission", tmp_path, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert {t["status"] for t in report["tasks"]} == {"missing"}
    assert "exercise2_padding_stride.py was not found" in report["tasks"][0]["message"]


@pytest.mark.slow
def test_grade_all_wraps_every_exercise_in_one_summary():
    result = run("all", "--submission", SOLUTIONS, "--format", "json", "--examples", "10")
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert set(report) == {"score", "max_score", "exercises"}
    assert [e["exercise"] for e in report["exercises"]] == [e.name for e in catalog.exercises()]
    for exercise in report["exercises"]:
        check_exercise_schema(exercise)
    assert report["score"] == report["max_score"] == sum(e["max_score"] for e in report["exercises"])


def test_grade_list_shows_every_task_and_its_points():
    result = run("list")
    assert result.exit_code == 0
    for name in ("exercise1", "correlate2d", "padding_amounts", "max_pool2d", "receptive_field", "model_params"):
        assert name in result.output


def test_output_writes_the_report_to_a_file(tmp_path):
    target = tmp_path / "reports" / "ex3.json"
    result = run("3", "--submission", EXERCISES, "--format", "json", "--output", target)
    assert result.exit_code == 1 and result.output == ""
    assert json.loads(target.read_text())["exercise"] == "exercise3"


def test_examples_sets_the_generated_examples_per_task_after_the_declared_corners():
    report = json.loads(run("3", "--submission", SOLUTIONS, "--format", "json", "--examples", "7").output)
    corners = {t.name: len(t.examples) for t in catalog.find("3").tasks}
    assert {t["name"]: t["examples"] for t in report["tasks"]} == {n: 7 + c for n, c in corners.items()}


def test_a_notebook_is_graded_from_its_code_cells(tmp_path):
    code = (SOLUTIONS / "exercise3_pooling.py").read_text()
    cells = [
        {"cell_type": "markdown", "source": ["# 풀링"]},
        {"cell_type": "code", "source": ["%matplotlib inline\n", "!pip list\n"]},
        {"cell_type": "code", "source": code},
    ]
    notebook = tmp_path / "exercise3.ipynb"
    notebook.write_text(json.dumps({"cells": cells, "nbformat": 4, "nbformat_minor": 5, "metadata": {}}))
    result = run("3", "--submission", notebook, "--format", "json", "--examples", "10")
    assert result.exit_code == 0, result.output


def _grade_in_subprocess(args, cwd):
    command = [sys.executable, "-m", "grader", *map(str, args)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=cwd, stdin=subprocess.DEVNULL, timeout=300)
    return done


@pytest.mark.slow
def test_the_same_seed_gives_the_same_report_from_any_process_and_folder(tmp_path):
    """Reproducible across processes, working folders and whatever else the process has imported."""
    mutant = (ROOT / "solutions/mistakes/exercise3_pooling/same_extra_cell_first.py").read_text()
    (tmp_path / "exercise3_pooling.py").write_text((SOLUTIONS / "exercise3_pooling.py").read_text() + mutant)
    args = ["3", "--submission", tmp_path / "exercise3_pooling.py", "--format", "json", "--seed", "5"]
    first = _grade_in_subprocess(args, cwd=ROOT)
    second = _grade_in_subprocess(args, cwd=tmp_path)
    in_process = run(*args)  # this process has imported pytest, TensorFlow maybe, and every test module
    assert first.returncode == 1
    assert first.stdout == second.stdout == in_process.output
    other_seed = _grade_in_subprocess([*args[:-1], "6"], cwd=ROOT)
    assert json.loads(other_seed.stdout)["seed"] == 6


@pytest.mark.slow
def test_grading_by_hand_exercises_never_imports_tensorflow():
    probe = (
        "import sys, json\n"
        "from grader.cli import main\n"
        "for number in range(1, 6):\n"
        "    try:\n"
        f"        main([str(number), '--submission', {str(SOLUTIONS)!r}, '--format', 'json', '--examples', '5'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print('TF-LOADED' if any(m.split('.')[0] in ('tensorflow', 'keras') for m in sys.modules) else 'NO-TF')\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.stdout.strip().endswith("NO-TF"), done.stdout[-500:] + done.stderr[-500:]


def test_the_console_script_turns_an_internal_error_into_a_message(monkeypatch, capsys):
    import grader.cli as cli

    def broken(*args, **kwargs):
        raise RuntimeError("bug in the grader")

    monkeypatch.setattr(cli, "main", broken)
    monkeypatch.delenv("GRADER_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        cli.run()
    assert exit_info.value.code == 2
    assert "internal error in the grader (RuntimeError: bug in the grader)" in capsys.readouterr().err


def test_a_weaker_sandbox_is_said_on_stderr_and_the_json_stays_clean(monkeypatch):
    from grader import api
    from grader.results import ExerciseResult, Status, TaskResult

    task = TaskResult("flatten", Status.PASSED, 1.0, 1.0, 1, "ok")
    warned = ExerciseResult("exercise3", "pooling", 0, ("cpu",), (task,), ("sandbox weaker on this platform: files",))
    monkeypatch.setattr(api, "grade", lambda *args, **kwargs: warned)
    result = CliRunner().invoke(main, ["exercise3", "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["score"] == 1.0
    assert "Warning: sandbox weaker on this platform: files" in result.stderr


def test_the_marking_seed_can_come_from_the_environment(monkeypatch):
    from grader import api
    from grader.results import ExerciseResult

    seen = {}

    def fake_grade(*args, **kwargs):
        seen.update(kwargs)
        return ExerciseResult("exercise3", "pooling", kwargs["seed"], ("cpu",), ())

    monkeypatch.setattr(api, "grade", fake_grade)
    monkeypatch.setenv("GRADE_SEED", "4711")
    CliRunner().invoke(main, ["exercise3", "--format", "json"], catch_exceptions=False)
    assert seen["seed"] == 4711


@pytest.mark.skipif(nvidia_present(), reason="this machine has a GPU")
@pytest.mark.parametrize("exercise", ["exercise6", "exercise3", "all"])
def test_backend_gpu_without_a_gpu_is_a_usage_error_and_grades_nothing(exercise):
    result = run(exercise, "--submission", SOLUTIONS, "--backend", "gpu", "--format", "json")
    assert result.exit_code == 2
    assert "--backend gpu: this machine has no NVIDIA GPU" in result.output
    assert "{" not in result.output  # no report


@pytest.mark.slow
@pytest.mark.tensorflow
@pytest.mark.parametrize("backend", ["auto", "cpu"])
def test_the_keras_exercise_reports_the_devices_it_graded_on(backend):
    result = run("exercise6", "--submission", SOLUTIONS, "--backend", backend, "--format", "json", "--examples", "1")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    check_exercise_schema(report)
    if backend == "cpu" or not nvidia_present():
        assert report["backends"] == ["cpu"]
    else:
        assert report["backends"] == ["cpu", "gpu"]
    assert report["score"] == report["max_score"] == 13


def test_by_hand_exercises_are_graded_on_the_cpu_whatever_the_backend():
    result = run("exercise4", "--submission", SOLUTIONS, "--backend", "auto", "--format", "json", "--examples", "3")
    assert json.loads(result.output)["backends"] == ["cpu"]
