"""The student edition holds no reference or mistake code, and still grades: stubs 0, a right submission full
marks, a classic mistake its diagnosis on the smallest recorded call that fails."""

from __future__ import annotations

import inspect
import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from grader import answers, catalog, diagnosis
from grader.api import grade
from grader.compare import agrees
from grader.values import show_call
from tests.conftest import FIXTURES, ROOT, SOLUTIONS
from tests.release.conftest import grade_with

pytestmark = pytest.mark.slow


def _reference_lines() -> set[str]:
    """Lines of the references' and the mistakes' function bodies, distinctive enough to be found anywhere."""
    lines = set()
    for path in [*SOLUTIONS.glob("exercise*.py"), *SOLUTIONS.glob("mistakes/*/*.py")]:
        for line in path.read_text(encoding="utf-8").splitlines():
            text = line.strip()
            if len(text) > 30 and not text.startswith(("#", '"""', "def ", "from ", "import ")) and "=" in text:
                lines.add(text)
    public = "".join(
        p.read_text(encoding="utf-8") for p in [*ROOT.glob("exercises/*.py"), *ROOT.glob("grader/**/*.py")]
    )
    return {line for line in lines if line not in public}  # what the stubs and the hints already show is public


def _installed_grader(python: Path) -> Path:
    found = subprocess.run(
        [str(python), "-c", "import grader, os; print(os.path.dirname(grader.__file__))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=python.parent,  # never this checkout's folder, which imports its own grader
    )
    return Path(found.stdout.strip())


def test_the_release_and_its_installed_package_hold_no_reference_code(release, student_python):
    folder = release[0]
    installed = _installed_grader(student_python)
    assert installed.is_relative_to(student_python.parents[1])  # the installed copy, not this checkout
    mistake_names = {p.name for p in SOLUTIONS.glob("mistakes/*/*.py") if p.name != "__init__.py"}
    lines = _reference_lines()
    assert len(lines) > 100
    for tree in (folder, installed.parent):
        for path in tree.rglob("*"):
            if tree != folder and not path.is_relative_to(installed):
                continue  # the venv's other packages
            assert path.name not in {"solutions", "grader_references", "mistakes", *mistake_names}, path
            if path.suffix in (".py", ".md", ".toml", ".json"):
                text = path.read_text(encoding="utf-8")
                leaked = [line for line in lines if line in text]
                assert not leaked, f"{path}: {leaked[:3]}"


@pytest.mark.parametrize("module", ["solutions", "grader_references", "solutions.exercise3_pooling"])
def test_no_references_module_can_be_imported_where_the_release_is_installed(student_python, module, tmp_path):
    tried = subprocess.run(
        [str(student_python), "-c", f"import {module}"], capture_output=True, text=True, cwd=tmp_path
    )
    assert tried.returncode == 1 and "ModuleNotFoundError" in tried.stderr


def _report(python: Path, submission: Path, tmp_path: Path, *more) -> tuple[int, dict]:
    done = grade_with(python, "exercise3", "--submission", submission, "--format", "json", *more, cwd=tmp_path)
    return done.returncode, (json.loads(done.stdout) if done.stdout.strip() else {"stderr": done.stderr})


def test_the_stubs_score_nothing(release, student_python, tmp_path):
    code, report = _report(student_python, release[0] / "exercises", tmp_path)
    assert code == 1 and report["score"] == 0 and report["max_score"] == 10
    assert {t["status"] for t in report["tasks"]} == {"not_implemented"}


def test_a_right_submission_gets_full_marks(student_python, tmp_path):
    code, report = _report(student_python, FIXTURES / "correct" / "exercise3_loops.py", tmp_path)
    assert code == 0 and report["score"] == report["max_score"] == 10
    assert all(t["examples"] >= 100 for t in report["tasks"])


def _mistake(tmp_path: Path, module: str, name: str) -> Path:
    wrong = tmp_path / f"{module}.py"
    mistake = SOLUTIONS / "mistakes" / module / f"{name}.py"
    wrong.write_text((SOLUTIONS / f"{module}.py").read_text() + "\n\n" + mistake.read_text(), encoding="utf-8")
    return wrong


def _smallest_failing_recorded_call(exercise, task, mistake: str):
    """The oracle, from the full grader's side: of the recorded calls (drawn here, as the release drew them), the
    smallest on which the mistake's answer is not the reference's."""
    from grader import drawing

    calls = []
    drawing.calls(exercise, task, 100, 0, calls.append)
    calls += task.examples
    reference = exercise.reference(task)
    wrong = diagnosis.wrong_version(exercise, task, next(m for m in task.misconceptions if m.name == mistake))
    failing = []
    for call in calls:
        try:
            value = wrong(*call.args, **call.kwargs)
        except Exception:
            failing.append(call)
            continue
        if not agrees(task.compare(call, reference(*call.args, **call.kwargs), value, reference)):
            failing.append(call)
    return min(failing, key=answers.smallest), reference


@pytest.mark.parametrize(
    ("task_name", "mistake"), [("max_pool2d", "valid_ceil"), ("avg_pool2d", "average_counts_padding")]
)
def test_a_classic_mistake_gets_its_diagnosis_on_the_smallest_recorded_failing_call(
    student_python, tmp_path, task_name, mistake
):
    exercise = catalog.find("exercise3")
    task = exercise.task(task_name)
    code, report = _report(student_python, _mistake(tmp_path, exercise.module_name, mistake), tmp_path)
    wrong = tmp_path / f"{exercise.module_name}.py"
    full = grade(exercise, submission=wrong).to_dict()  # the instructor's grader, references and shrinking
    got = next(t for t in report["tasks"] if t["name"] == task_name)
    expected = next(t for t in full["tasks"] if t["name"] == task_name)
    assert code == 1 and got["status"] == expected["status"] == "failed"
    assert got["diagnosis"] == expected["diagnosis"] is not None
    smallest, reference = _smallest_failing_recorded_call(exercise, task, mistake)
    assert got["counterexample"]["call"] == show_call(task.name, smallest.bound(inspect.signature(reference)))


def test_another_seed_is_refused_with_a_clear_message(student_python, tmp_path):
    done = grade_with(
        student_python,
        "exercise3",
        "--seed",
        "7",
        "--submission",
        FIXTURES / "correct" / "exercise3_loops.py",
        cwd=tmp_path,
    )
    assert done.returncode == 2 and "--seed 7" in done.stderr and "seed 0" in done.stderr


def test_exercise6_is_left_to_the_instructor_with_a_reason(student_python, tmp_path):
    done = grade_with(
        student_python, "exercise6", "--submission", FIXTURES / "correct" / "exercise6_sequential.py", cwd=tmp_path
    )
    assert done.returncode == 2 and "instructor" in done.stderr and "Keras" in done.stderr


def test_exercise7s_speed_points_are_left_out_of_the_maximum_and_said_so(student_python, tmp_path):
    done = grade_with(
        student_python,
        "exercise7",
        "--submission",
        FIXTURES / "correct" / "exercise7_offsets.py",
        "--format",
        "json",
        cwd=tmp_path,
    )
    report = json.loads(done.stdout)
    task = catalog.find("exercise7")
    fast = next(t for t in task.tasks if t.speed is not None)
    got = next(t for t in report["tasks"] if t["name"] == fast.name)
    assert done.returncode == 0 and got["status"] == "passed"
    assert got["score"] == got["max_score"] == fast.points - fast.speed.points
    assert "instructor" in got["message"]
    assert report["max_score"] == task.max_score - fast.speed.points
    assert np.isclose(report["score"], report["max_score"])


def test_grade_show_in_the_installed_student_edition_draws_the_learners_result_alone(student_python, tmp_path):
    shown = grade_with(
        student_python,
        "show",
        "exercise3",
        "max_pool2d",
        "--submission",
        FIXTURES / "correct" / "exercise3_loops.py",
        "--lang",
        "en",
        cwd=tmp_path,
    )
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "no reference solutions: your result is shown alone" in shown.stdout
    assert (tmp_path / "show-exercise3-max_pool2d.png").read_bytes().startswith(b"\x89PNG")
