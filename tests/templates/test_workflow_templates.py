"""The workflow templates we ship are valid YAML, and every `grade` command in them is one the grader accepts
(same subcommands and options), so an instructor who copies them does not find out on their first run."""

from __future__ import annotations

import glob
import re
import shlex
from pathlib import Path

import click
import pytest
import yaml

from grader.cli import main
from tests.conftest import ROOT

TEMPLATES = sorted((ROOT / "templates" / "github").glob("*.yml"))


def _workflow(path: Path) -> dict:
    data = yaml.safe_load(path.read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def _grade_commands(workflow: dict, shard: str) -> list[list[str]]:
    commands = []
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            for line in step.get("run", "").splitlines():
                line = line.split("||")[0].strip()
                if line.startswith("grade "):
                    line = re.sub(r"\$\{\{ matrix.shard \}\}", shard, line)
                    line = re.sub(r"\$\{\{ env.SHARDS \}\}", str(workflow["env"].get("SHARDS", "")), line)
                    commands.append(shlex.split(line)[1:])
    return commands


def test_there_are_the_two_templates_the_readme_documents():
    assert [p.name for p in TEMPLATES] == ["mark-class.yml", "student-repository.yml"]
    readme = (ROOT / "README.md").read_text()
    assert all(f"templates/github/{p.name}" in readme for p in TEMPLATES)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_every_grade_command_in_a_template_parses(path, tmp_path, monkeypatch):
    workflow = _workflow(path)
    assert workflow["on"] and workflow["jobs"]
    monkeypatch.chdir(tmp_path)  # the folders the workflows have by then: the checkout and the artifacts
    for folder in ("submissions", "exercises", *(f"shards/shard-{k}" for k in range(1, 5))):
        (tmp_path / folder).mkdir(parents=True)
    commands = _grade_commands(workflow, shard="1")
    assert commands
    for args in commands:
        args = [match for arg in args for match in (sorted(glob.glob(arg)) if "*" in arg else [arg])]
        context = main.make_context("grade", list(args), resilient_parsing=False)
        name, command, rest = main.resolve_command(context, list(args))
        with command.make_context(name, rest, parent=context):
            pass


def test_the_matrix_has_as_many_shards_as_the_command_divides_into():
    workflow = _workflow(ROOT / "templates" / "github" / "mark-class.yml")
    shards = workflow["jobs"]["mark"]["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, int(workflow["env"]["SHARDS"]) + 1))
    assert workflow["jobs"]["merge"]["needs"] == "mark"


def test_a_wrong_command_would_be_caught():
    with pytest.raises(click.UsageError):
        args = ["batch", "submissions", "--out", "x", "--shards", "1/4"]
        context = main.make_context("grade", list(args))
        name, command, rest = main.resolve_command(context, list(args))
        command.make_context(name, rest, parent=context)
