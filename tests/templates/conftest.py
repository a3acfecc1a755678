"""Running a template the way its engine would, here: a GitHub Actions job's `run:` steps, and the `grade`
command lines of any template checked against the real click commands."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import click
import yaml

from grader.cli import main
from tests.conftest import ROOT

GITHUB_SHELL = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]  # what `run:` steps get on ubuntu runners
GRADING = {"all", "batch", "watch", *(f"exercise{n}" for n in range(1, 8))}


def workflow(path: Path) -> dict:
    data = yaml.safe_load(path.read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def check_grade_command(args: list[str]) -> click.Command:
    """Parse `grade ARGS` with the grader's own click objects (a wrong option raises click.UsageError); the
    command it names."""
    context = main.make_context("grade", list(args), resilient_parsing=False)
    name, command, rest = main.resolve_command(context, list(args))
    with command.make_context(name, rest, parent=context):
        pass
    return command


def grade_texts(script: str) -> list[str]:
    """The `grade ...` commands of a shell script as written, without `grade ` (what precedes `||` or `&&` on
    the lines that start with grade)."""
    lines = (line.split("||")[0].split("&&")[0].strip() for line in script.splitlines())
    return [line.removeprefix("grade ") for line in lines if line.startswith("grade ")]


def grade_lines(script: str) -> list[list[str]]:
    """The `grade ...` commands of a shell script, split as the shell splits them (variables left unexpanded)."""
    return [shlex.split(text) for text in grade_texts(script)]


@dataclass(frozen=True)
class StepRun:
    step: str
    exit_code: int
    stdout: str
    stderr: str


def grade_shim(folder: Path, log: Path) -> Path:
    """A `grade` on PATH that runs this checkout's grader and logs each command line to `log`."""
    folder.mkdir(parents=True, exist_ok=True)
    shim = folder / "grade"
    shim.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        f"with open({str(log)!r}, 'a') as log:\n"
        "    log.write(' '.join(sys.argv[1:]) + '\\n')\n"
        "from grader.cli import run\n"
        "run()\n"
    )
    shim.chmod(0o755)
    return folder


def run_job(workflow: dict, job: str, workspace: Path, skip=("install",), extra_env=None) -> list[StepRun]:
    """Run `job`'s `run:` steps in order as the runner does: each under `bash -eo pipefail` in `workspace`,
    with GITHUB_ACTIONS=true and a summary and output file of its own; a step runs while every one before it
    succeeded, or with `if: always()`. `uses:` steps are left out (the checkout is `workspace` itself), and so
    are the steps whose id is in `skip` (installing the grader: this checkout's is on PATH)."""
    runs, failed = [], False
    bin_folder = grade_shim(workspace.parent / "bin", workspace.parent / "grade-commands.log")
    environment = {
        **os.environ,
        **{key: str(value) for key, value in workflow.get("env", {}).items()},
        **{key: str(value) for key, value in workflow["jobs"][job].get("env", {}).items()},
        "PATH": os.pathsep.join((str(bin_folder), os.environ["PATH"])),
        "PYTHONPATH": str(ROOT),
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "NO_COLOR": "1",
        **(extra_env or {}),
    }
    for number, step in enumerate(workflow["jobs"][job]["steps"]):
        condition = step.get("if")
        assert condition in (None, "always()"), f"the harness knows no `if: {condition}`"
        if "run" not in step or step.get("id") in skip or (failed and condition != "always()"):
            continue
        name = step.get("id", step.get("name", str(number)))
        step_env = {
            **environment,
            **{key: str(value) for key, value in step.get("env", {}).items()},
            "GITHUB_STEP_SUMMARY": str(workspace.parent / f"summary-{number}-{name}.md"),
            "GITHUB_OUTPUT": str(workspace.parent / f"output-{number}-{name}.txt"),
        }
        done = subprocess.run(
            [*GITHUB_SHELL, "-c", step["run"]],
            cwd=workspace,
            env=step_env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        runs.append(StepRun(name, done.returncode, done.stdout, done.stderr))
        failed = failed or done.returncode != 0
    return runs


def summaries(workspace: Path) -> str:
    """Every step's summary, in the order the steps ran (as the run's page shows them)."""
    parts = sorted(workspace.parent.glob("summary-*.md"), key=lambda p: int(p.name.split("-")[1]))
    return "".join(path.read_text(encoding="utf-8") for path in parts)


def grading_commands(workspace: Path) -> list[str]:
    """The `grade` commands the job ran that graded (not `grade report`, which only renders)."""
    log = workspace.parent / "grade-commands.log"
    lines = log.read_text().splitlines() if log.exists() else []
    return [line for line in lines if line.split(" ", 1)[0] in GRADING]
