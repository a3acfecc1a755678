"""The Kubernetes and Slurm templates: they parse, every `grade` command in them uses only options the grader
has, the counts agree (an Indexed Job's completions and the JOB_COMPLETIONS it passes on; a job array and its
merge), and run as their engine runs them (each shard with the variables it sets) they mark a small class
whose merged gradebook is the one a single `grade batch` gives, byte for byte."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from grader.cli import main
from tests.conftest import FIXTURES, ROOT, solution_file
from tests.templates.conftest import check_grade_command, grade_lines, grade_shim, grade_texts

KUBERNETES = ROOT / "templates" / "kubernetes"
SLURM = ROOT / "templates" / "slurm"
STRIDE_ONE = (ROOT / "solutions/mistakes/exercise3_pooling/pool_stride_one.py").read_text()
SMALL = {"EXERCISES": "exercise3", "GRADE_EXAMPLES": "5", "GRADE_SEED": "3"}  # a small class, quickly


def _documents(folder: Path) -> list[dict]:
    return [doc for path in sorted(folder.glob("*.yaml")) for doc in yaml.safe_load_all(path.read_text()) if doc]


def _jobs() -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in _documents(KUBERNETES) if doc["kind"] == "Job"}


def _container(job: dict) -> dict:
    (container,) = job["spec"]["template"]["spec"]["containers"]
    return container


def _env(container: dict) -> dict[str, str]:
    return {item["name"]: item["value"] for item in container.get("env", []) if "value" in item}


def _script(container: dict) -> str:
    assert container["command"] == ["bash", "-eo", "pipefail", "-c"]
    (script,) = container["args"]
    return script


def _sbatch(path: Path) -> dict[str, str]:
    """The #SBATCH options of a batch script, as --name: value."""
    options = {}
    for line in path.read_text().splitlines():
        if line.startswith("#SBATCH "):
            name, _, value = line.removeprefix("#SBATCH ").partition("=")
            options[name] = value
    return options


def _array_ids(spec: str) -> list[int]:
    """The task ids of `--array=A-B[:S]` (the template's form) as Slurm makes them."""
    match = re.fullmatch(r"(\d+)-(\d+)(?::(\d+))?", spec)
    assert match, f"--array={spec}"
    first, last, step = int(match[1]), int(match[2]), int(match[3] or 1)
    return list(range(first, last + 1, step))


def _slurm_environment(spec: str, task: int, cpus: str) -> dict[str, str]:
    ids = _array_ids(spec)
    step = ids[1] - ids[0] if len(ids) > 1 else 1
    return {
        "SLURM_ARRAY_TASK_ID": str(task),
        "SLURM_ARRAY_TASK_COUNT": str(len(ids)),
        "SLURM_ARRAY_TASK_MIN": str(ids[0]),
        "SLURM_ARRAY_TASK_MAX": str(ids[-1]),
        "SLURM_ARRAY_TASK_STEP": str(step),
        "SLURM_CPUS_PER_TASK": cpus,
    }


def _scripts() -> list[tuple[str, str]]:
    scripts = [(f"kubernetes/{name}", _script(_container(job))) for name, job in _jobs().items()]
    return scripts + [(f"slurm/{path.name}", path.read_text()) for path in sorted(SLURM.glob("*.sbatch"))]


def _every_grade_command() -> list[tuple[str, list[str]]]:
    return [(where, args) for where, script in _scripts() for args in grade_lines(script)]


def test_the_templates_the_readme_documents_are_there():
    readme = (ROOT / "README.md").read_text()
    for path in [*KUBERNETES.glob("*.yaml"), *SLURM.glob("*")]:
        assert f"templates/{path.parent.name}/{path.name}" in readme


@pytest.mark.parametrize(("where", "args"), _every_grade_command(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_grade_command_uses_only_options_the_grader_has(where, args):
    command = main.get_command(None, args[0])
    assert command is not None, f"{where}: grade {args[0]}"
    options = {opt for param in command.params for opt in param.opts if opt.startswith("--")}
    used = {arg for arg in args if arg.startswith("--")}
    assert used <= options, f"{where}: {sorted(used - options)}"


def test_every_grade_command_parses_with_its_variables_set(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the folders the commands name are made here
    for folder in ("submissions", "shards/shard-0", "shards/shard-1"):
        (tmp_path / folder).mkdir(parents=True)
    environment = {**os.environ, **SMALL, "JOB_COMPLETION_INDEX": "0", "SLURM_ARRAY_TASK_ID": "0"}
    commands = [(where, text) for where, script in _scripts() for text in grade_texts(script)]
    assert len(commands) == 4  # a mark and a merge for each engine
    for where, text in commands:
        words = subprocess.run(  # the words the shell gives grade, /work being this folder
            ["bash", "-c", f'set -- {text.replace("/work/", "")}; printf "%s\\0" "$@"'],
            cwd=tmp_path,
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\0")[:-1]
        assert check_grade_command(words), where


def test_the_indexed_job_passes_on_the_count_it_has_and_marks_into_one_folder_per_index():
    mark, merge = _jobs()["mark-class"], _jobs()["merge-class"]
    spec = mark["spec"]
    assert spec["completionMode"] == "Indexed" and 1 <= spec["parallelism"] <= spec["completions"]
    assert _env(_container(mark))["JOB_COMPLETIONS"] == str(spec["completions"])
    (batch,) = [args for args in grade_lines(_script(_container(mark))) if args[0] == "batch"]
    assert batch[batch.index("--shard") + 1] == "auto" and "--resume" in batch  # a retried pod resumes
    assert batch[batch.index("--out") + 1] == "/work/shards/shard-$JOB_COMPLETION_INDEX"
    (merging,) = grade_lines(_script(_container(merge)))
    assert merging[:2] == ["merge", "/work/shards/shard-*"]
    claims = {
        volume["persistentVolumeClaim"]["claimName"]
        for job in (mark, merge)
        for volume in job["spec"]["template"]["spec"]["volumes"]
    }
    (claim,) = claims
    volumes = [doc for doc in _documents(KUBERNETES) if doc["kind"] == "PersistentVolumeClaim"]
    assert [doc["metadata"]["name"] for doc in volumes] == [claim]
    assert volumes[0]["spec"]["accessModes"] == ["ReadWriteMany"]  # the shards run on several nodes at once


def test_the_merge_waits_for_every_task_of_the_array():
    lines = [
        line for line in (SLURM / "submit.sh").read_text().splitlines() if line.strip().startswith(("array=", "sbatch"))
    ]
    assert "sbatch --parsable mark-class.sbatch" in lines[0]
    assert lines[1].startswith('sbatch --dependency="afterany:') and lines[1].endswith("merge.sbatch")
    assert "--array" in _sbatch(SLURM / "mark-class.sbatch") and "--array" not in _sbatch(SLURM / "merge.sbatch")


# Running them on a small class.


def _write_class(root: Path) -> Path:
    """Five students on exercise 3, so that four shards are not all the same size."""
    right, loops = solution_file(3), FIXTURES / "correct" / "exercise3_loops.py"
    students = {
        "ahn": right.read_text(),
        "baek": loops.read_text(),
        "choi": right.read_text() + "\n\n" + STRIDE_ONE,
        "eun": None,
        "gim": loops.read_text() + "\n\n" + STRIDE_ONE,
    }
    for name, text in students.items():
        (root / name).mkdir(parents=True)
        if text is not None:
            (root / name / right.name).write_text(text, encoding="utf-8")
    return root


def _run(script: str, cwd: Path, environment: dict[str, str]) -> subprocess.CompletedProcess:
    done = subprocess.run(
        ["bash", "-eo", "pipefail", "-c", script], cwd=cwd, env=environment, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def _base_environment(tmp_path: Path) -> dict[str, str]:
    bin_folder = grade_shim(tmp_path / "bin", tmp_path / "grade-commands.log")
    path = os.pathsep.join((str(bin_folder), os.environ["PATH"]))
    return {**os.environ, "PATH": path, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", **SMALL}


@pytest.fixture(scope="module")
def whole_class(tmp_path_factory):
    """The class marked by one `grade batch`: its gradebook and reports are what the shards must merge into."""
    root = tmp_path_factory.mktemp("whole")
    submissions = _write_class(root / "submissions")
    args = ["batch", str(submissions), "--out", str(root / "out"), "--exercises", "exercise3", "--seed", "3"]
    result = CliRunner().invoke(main, [*args, "--examples", "5", "--format", "json"])
    assert result.exit_code == 1, result.output  # choi and gim lose pooling, eun has nothing
    return root / "out"


def _same_marks(out: Path, whole: Path) -> None:
    assert (out / "gradebook.csv").read_bytes() == (whole / "gradebook.csv").read_bytes()
    for report in sorted((whole / "reports").glob("*.json")):
        assert (out / "reports" / report.name).read_bytes() == report.read_bytes(), report.name


@pytest.mark.slow
def test_the_indexed_job_run_index_by_index_then_merged_gives_the_single_runs_gradebook(tmp_path, whole_class):
    work = tmp_path / "work"
    _write_class(work / "submissions")
    environment = _base_environment(tmp_path)
    mark, merge = _jobs()["mark-class"], _jobs()["merge-class"]

    def runnable(job) -> str:  # installing is left out (this checkout's grader is on PATH); /work is ours
        lines = [line for line in _script(_container(job)).splitlines() if "pip install" not in line]
        return "\n".join(lines).replace("/work", str(work))

    completions = mark["spec"]["completions"]
    for index in range(completions):
        container_env = {**_env(_container(mark)), **SMALL, "JOB_COMPLETION_INDEX": str(index)}
        _run(runnable(mark), tmp_path, {**environment, **container_env})
    assert sorted(p.name for p in (work / "shards").iterdir()) == [f"shard-{i}" for i in range(completions)]
    _run(runnable(merge), tmp_path, {**environment, **_env(_container(merge))})
    _same_marks(work / "gradebook", whole_class)


@pytest.mark.slow
@pytest.mark.parametrize("array", [None, "1-7:2"], ids=["as-shipped", "ids-from-1-by-2"])
def test_the_job_array_run_task_by_task_then_merged_gives_the_single_runs_gradebook(tmp_path, whole_class, array):
    course = tmp_path / "course"
    _write_class(course / "submissions")
    environment = _base_environment(tmp_path)
    activate = course / ".venv" / "bin" / "activate"  # the virtual environment the scripts source: ours
    activate.parent.mkdir(parents=True)
    activate.write_text(f'export PATH="{environment["PATH"]}"\n')
    options = _sbatch(SLURM / "mark-class.sbatch")
    spec = array or options["--array"]
    for task in _array_ids(spec):
        slurm = _slurm_environment(spec, task, options["--cpus-per-task"])
        _run((SLURM / "mark-class.sbatch").read_text(), course, {**environment, **slurm})
    _run((SLURM / "merge.sbatch").read_text(), course, environment)
    _same_marks(course / "gradebook", whole_class)
