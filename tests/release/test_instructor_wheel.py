"""The instructor's wheel carries the references under the grader's own name, never as a top-level `solutions`,
and the one resolver (`grader.references`) finds them in a regular install."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.release.conftest import ROOT, make_venv, pip_install


def test_every_package_of_the_grader_is_listed_for_the_wheel():
    tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python 3.11+")
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "grader").rglob("__init__.py")}
    assert found <= listed and "grader_references" in listed


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # Built from a copy: pip builds in the source tree (build/, *.egg-info), and under xdist two workers may
    # each build this module's wheel at once.
    source = tmp_path_factory.mktemp("source") / "grader"
    skipped = shutil.ignore_patterns(".venv", ".git", "build", "*.egg-info", "__pycache__", ".pytest_cache", "tests")
    shutil.copytree(ROOT, source, ignore=skipped)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
    )
    return next(out.glob("*.whl"))


@pytest.mark.slow
def test_the_instructors_wheel_has_no_top_level_solutions_package(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if n.split("/")[0] == "solutions"]
    assert "grader_references/exercise3_pooling.py" in names
    assert "grader_references/mistakes/exercise3_pooling/valid_ceil.py" in names


@pytest.mark.slow
def test_the_instructors_wheel_carries_the_sample_image_grade_show_draws_on(wheel):
    assert "grader/showing/sample_image.npy" in zipfile.ZipFile(wheel).namelist()


@pytest.mark.slow
def test_an_installed_instructors_grader_finds_its_references_under_its_own_name_and_grades(wheel, tmp_path):
    python = make_venv(tmp_path / "venv")
    pip_install(python, wheel)
    probe = (
        "from grader import references; print(references.package_name()); "
        "from grader.sandbox.worker import hidden_folders; print(hidden_folders())"
    )
    found = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, check=True, cwd=tmp_path)
    name, hidden = found.stdout.splitlines()
    assert name == "grader_references" and "grader_references" in hidden
    assert subprocess.run([str(python), "-c", "import solutions"], capture_output=True, cwd=tmp_path).returncode == 1
    wrong = tmp_path / "exercise3_pooling.py"
    mistake = ROOT / "solutions" / "mistakes" / "exercise3_pooling" / "valid_ceil.py"
    wrong.write_text((ROOT / "solutions" / "exercise3_pooling.py").read_text() + "\n\n" + mistake.read_text())
    graded = subprocess.run(
        [str(python), "-m", "grader", "3", "--submission", str(wrong), "--examples", "20", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert graded.returncode == 1 and "'valid' pooling" in graded.stdout
