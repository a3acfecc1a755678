"""`grade gradescope-kit`: the zip Gradescope's autograder specification asks for, and its `run_autograder` run
as Gradescope runs it (the zip unpacked into `source/`, the script copied beside it, the upload in
`submission/`), in a temporary root named by AUTOGRADER_ROOT, with the grader this checkout runs. Its
`results.json` is checked against our transcription of Gradescope's published format."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import nbformat
import pytest
from click.testing import CliRunner

from grader import catalog
from grader.classroom import kit
from grader.cli import main
from tests.conftest import FIXTURES, ROOT, SOLUTIONS

GRADESCOPE = json.loads((ROOT / "tests" / "report" / "schemas" / "gradescope_results.schema.json").read_text())
POOLING = catalog.find("exercise3")
REFERENCE = (SOLUTIONS / "exercise3_pooling.py").read_text(encoding="utf-8")
GLOBAL_MAX_WRONG_AXES = (FIXTURES / "mutants" / "exercise3_global_max_wrong_axes.py").read_text(encoding="utf-8")
BASH = shutil.which("bash") or "/bin/bash"
EXERCISE3_TESTS = [f"exercise3 {task.name}" for task in POOLING.tasks]


def build(out: Path, *options: str) -> Path:
    result = CliRunner().invoke(main, ["gradescope-kit", "--exercises", "exercise3", "--out", str(out), *options])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def kit_zip(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("kit") / "autograder.zip", "--lang", "en")


@pytest.fixture(scope="module")
def hidden_kit_zip(tmp_path_factory) -> Path:
    return build(
        tmp_path_factory.mktemp("kit") / "autograder.zip", "--lang", "en", "--visibility", "hidden", "--memory", "512"
    )


def autograder_root(kit_zip: Path, root: Path) -> Path:
    """The tree Gradescope makes: the zip's files in source/, run_autograder copied to the root, submission/."""
    with zipfile.ZipFile(kit_zip) as archive:
        archive.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    return root


def run_autograder(root: Path, path: str | None = None) -> dict:
    """run_autograder as Gradescope starts it (from the root, as a program), with this checkout's grader."""
    env = {
        **os.environ,
        "AUTOGRADER_ROOT": str(root),
        "PATH": path or f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": "" if path else str(ROOT),
    }
    done = subprocess.run(
        [BASH, str(root / "run_autograder")], cwd=root, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    jsonschema.validate(results, GRADESCOPE)
    return results


def notebook(*cells: str) -> str:
    return nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells]))


def test_the_zip_holds_setup_and_run_autograder_at_its_root_as_programs(kit_zip):
    with zipfile.ZipFile(kit_zip) as archive:
        names = set(archive.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        settings = json.loads(archive.read("kit.json"))
        requirements = archive.read("requirements.txt").decode()
    assert {"setup.sh", "run_autograder", "kit.json", "requirements.txt", "fallback.json"} <= names
    assert all("/" not in name for name in names)  # files at the root, not in a folder (Gradescope looks there)
    assert modes["setup.sh"] & stat.S_IXUSR and modes["run_autograder"] & stat.S_IXUSR
    assert settings["exercises"] == ["exercise3"] and settings["visibility"] == "visible"
    assert "numpy==" in requirements and "hypothesis==" in requirements
    assert "tensorflow" not in requirements  # exercise 6 is not in the kit
    assert "matplotlib" not in requirements  # Gradescope shows no pictures: about 97 MB not installed


def test_the_wheel_is_built_from_the_projects_own_tree_with_the_references(kit_zip, tmp_path):
    with zipfile.ZipFile(kit_zip) as archive:
        (wheel,) = [name for name in archive.namelist() if name.endswith(".whl")]
        archive.extract(wheel, tmp_path)
    with zipfile.ZipFile(tmp_path / wheel) as shipped:
        contents = {name: shipped.read(name) for name in shipped.namelist()}
    assert (ROOT / "grader" / "classroom" / "kit.py").read_bytes() in contents.values()
    assert REFERENCE.encode() in contents.values()  # the references travel, under whatever name pyproject gives
    assert any(line.startswith("tensorflow==") for line in kit.requirements(tmp_path / wheel, with_tensorflow=True))
    assert not any("tensorflow" in line for line in kit.requirements(tmp_path / wheel, with_tensorflow=False))


def test_setup_sh_is_valid_bash_and_installs_only_the_zips_own_files(kit_zip, tmp_path):
    """setup.sh with a stand-in for python3 and apt-get that logs what it is asked: a virtual environment in
    the root, the zip's requirements, then the zip's wheel without dependencies."""
    root = autograder_root(kit_zip, tmp_path / "autograder")
    assert subprocess.run(["bash", "-n", str(root / "source" / "setup.sh")]).returncode == 0
    bin_folder, log = tmp_path / "bin", tmp_path / "log"
    bin_folder.mkdir()
    fake = bin_folder / "python3"
    fake.write_text(
        "#!/bin/sh\n"
        f'echo "python $*" >> {log}\n'
        'if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/python"; fi\n'
    )
    fake.chmod(0o755)
    apt = bin_folder / "apt-get"
    apt.write_text(f'#!/bin/sh\necho "apt-get $*" >> {log}\n')
    apt.chmod(0o755)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "PATH": f"{bin_folder}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    installs = [line for line in log.read_text().splitlines() if " install " in line and "pip" in line]
    source = root / "source"
    (wheel,) = source.glob("*.whl")
    assert f"python -m venv {root}/venv" in log.read_text()
    assert f"-r {source}/requirements.txt" in installs[-2]
    assert installs[-1].endswith(f"--no-deps {wheel}")


def test_a_colab_copy_with_the_right_functions_gets_exactly_exercise_3s_tests_at_full_marks(kit_zip, tmp_path):
    root = autograder_root(kit_zip, tmp_path / "autograder")
    (root / "submission" / "Copy of exercise3.ipynb").write_text(notebook("%matplotlib inline", REFERENCE))
    results = run_autograder(root)
    assert [test["name"] for test in results["tests"]] == EXERCISE3_TESTS
    assert results["score"] == POOLING.max_score == sum(test["max_score"] for test in results["tests"])
    assert {test["status"] for test in results["tests"]} == {"passed"}
    assert {test["visibility"] for test in results["tests"]} == {"visible"}
    assert "graded Copy of exercise3.ipynb" in results["output"] and "10/10" in results["output"]
    assert "seed" not in json.dumps(results)


def test_a_wrong_function_in_a_zips_nested_folder_loses_its_points(kit_zip, tmp_path):
    root = autograder_root(kit_zip, tmp_path / "autograder")
    (root / "submission" / "HW3_김민수").mkdir()
    (root / "submission" / "HW3_김민수" / "hw.py").write_text(REFERENCE + "\n\n" + GLOBAL_MAX_WRONG_AXES)
    results = run_autograder(root)
    statuses = {test["name"]: test["status"] for test in results["tests"]}
    assert statuses.pop("exercise3 global_max_pool2d") == "failed"
    assert set(statuses.values()) == {"passed"}
    assert results["score"] == POOLING.max_score - 1
    assert "graded HW3_김민수/hw.py" in results["output"]


def test_a_submission_with_nothing_recognisable_says_so_with_every_test_at_zero(kit_zip, tmp_path):
    root = autograder_root(kit_zip, tmp_path / "autograder")
    (root / "submission" / "notes.txt").write_text("max_pool2d is in my head")
    (root / "submission" / "Untitled.ipynb").write_text(notebook("print('hello')"))
    results = run_autograder(root)
    assert [test["name"] for test in results["tests"]] == EXERCISE3_TESTS
    assert results["score"] == 0 and {test["status"] for test in results["tests"]} == {"failed"}
    assert "no file of your submission defines its functions (max_pool2d," in results["output"]


def test_two_uploads_that_define_the_functions_equally_are_named_to_the_student_not_chosen_between(kit_zip, tmp_path):
    root = autograder_root(kit_zip, tmp_path / "autograder")
    (root / "submission" / "hw3.ipynb").write_text(notebook(REFERENCE))
    (root / "submission" / "hw3.py").write_text(REFERENCE)  # the same work, exported
    results = run_autograder(root)
    assert results["score"] == 0 and results["visibility"] == "visible"
    assert "2 files define its functions equally well (hw3.ipynb, hw3.py)" in results["output"]
    assert all("equally well" in test["output"] for test in results["tests"])


def test_the_visibility_asked_is_each_tests_and_the_score_is_not_told_beside_hidden_tests(hidden_kit_zip, tmp_path):
    root = autograder_root(hidden_kit_zip, tmp_path / "autograder")
    assert json.loads((root / "source" / "kit.json").read_text())["memory_mb"] == 512
    (root / "submission" / "hw.py").write_text(REFERENCE)
    results = run_autograder(root)
    assert {test["visibility"] for test in results["tests"]} == {"hidden"} and results["visibility"] == "hidden"
    assert results["score"] == 10 and "10/10" not in results["output"]
    (root / "submission" / "hw.py").unlink()
    nothing = run_autograder(root)  # nothing graded: the student may see that, and upload again
    assert nothing["visibility"] == "visible" and {test["visibility"] for test in nothing["tests"]} == {"hidden"}


def test_a_grader_that_fails_while_grading_still_writes_results_that_say_so(kit_zip, tmp_path, monkeypatch, capsys):
    root = autograder_root(kit_zip, tmp_path / "autograder")
    (root / "submission" / "hw.py").write_text(REFERENCE)

    def broken(*args, **kwargs):
        raise RuntimeError("the engine broke")

    monkeypatch.setattr("grader.api.grade_handed", broken)
    kit.run_autograder(root)
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    jsonschema.validate(results, GRADESCOPE)
    assert results["score"] == 0 and [test["name"] for test in results["tests"]] == EXERCISE3_TESTS
    assert "RuntimeError: the engine broke" in results["output"] and results["visibility"] == "visible"
    assert "Traceback" in capsys.readouterr().out  # for the instructor, in Gradescope's stdout


def test_a_grader_that_cannot_start_leaves_the_kits_fallback(kit_zip, tmp_path):
    root = autograder_root(kit_zip, tmp_path / "autograder")
    (root / "submission" / "hw.py").write_text(REFERENCE)
    tools = tmp_path / "bin"  # the shell's tools, and no python3 at all (nor a virtual environment)
    tools.mkdir()
    for tool in ("mkdir", "rm", "cp"):
        (tools / tool).symlink_to(shutil.which(tool))
    results = run_autograder(root, path=str(tools))
    assert results["score"] == 0 and [test["name"] for test in results["tests"]] == EXERCISE3_TESTS
    assert "could not start" in results["output"]


def test_an_unknown_exercise_is_a_usage_error_and_no_zip_is_written(tmp_path):
    result = CliRunner().invoke(main, ["gradescope-kit", "--exercises", "exercise9", "--out", str(tmp_path / "a.zip")])
    assert result.exit_code == 2 and "Error:" in result.output
    assert not (tmp_path / "a.zip").exists()


@pytest.mark.slow
def test_setup_sh_for_real_installs_a_grader_that_grades_without_tensorflow(kit_zip, tmp_path):
    """setup.sh as Gradescope runs it (pip from the network, about a minute), then run_autograder with nothing
    but what it installed: no TensorFlow, and the installed grader's sandbox whole (no warning)."""
    root = autograder_root(kit_zip, tmp_path / "autograder")
    python = getattr(sys, "_base_executable", sys.executable)  # a plain interpreter, as the image's python3
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    done = subprocess.run(
        [BASH, str(root / "source" / "setup.sh")],
        env={**env, "AUTOGRADER_ROOT": str(root), "PYTHON": python},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    venv = root / "venv" / "bin" / "python"
    assert subprocess.run([venv, "-c", "import tensorflow"], capture_output=True).returncode != 0
    (root / "submission" / "Copy of exercise3.ipynb").write_text(notebook(REFERENCE))
    graded = subprocess.run(
        [BASH, str(root / "run_autograder")],
        env={**env, "AUTOGRADER_ROOT": str(root)},
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    jsonschema.validate(results, GRADESCOPE)
    assert results["score"] == POOLING.max_score, results["output"]
    assert "Warning" not in graded.stdout, graded.stdout
