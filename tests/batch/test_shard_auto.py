"""`grade batch --shard auto`: the share K/N from a Kubernetes Indexed Job (0-based index) or a Slurm job array
(the task's place in `--array`, whatever its first value and step); missing or inconsistent variables are a
clear usage error (exit 2) that names them."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from grader.classroom.roster import parse_shard, shard, shard_from_environment
from grader.cli import main
from grader.errors import GraderError

SLURM_ARRAYS = {  # --array: (task ids, Slurm's MIN, MAX, STEP)
    "0-3": ([0, 1, 2, 3], 0, 3, 1),
    "1-4": ([1, 2, 3, 4], 1, 4, 1),
    "1-7:2": ([1, 3, 5, 7], 1, 7, 2),
    "10-12": ([10, 11, 12], 10, 12, 1),
}


def slurm(task: int, count: int, first: int, last: int, step: int) -> dict[str, str]:
    return {
        "SLURM_ARRAY_TASK_ID": str(task),
        "SLURM_ARRAY_TASK_COUNT": str(count),
        "SLURM_ARRAY_TASK_MIN": str(first),
        "SLURM_ARRAY_TASK_MAX": str(last),
        "SLURM_ARRAY_TASK_STEP": str(step),
    }


def test_a_kubernetes_index_counts_from_0_and_a_shard_from_1():
    shares = [shard_from_environment({"JOB_COMPLETION_INDEX": str(i), "JOB_COMPLETIONS": "4"}) for i in range(4)]
    assert shares == [(1, 4), (2, 4), (3, 4), (4, 4)]


@pytest.mark.parametrize("array", SLURM_ARRAYS)
def test_a_slurm_task_is_its_place_in_the_array_whatever_the_first_id_and_step(array):
    ids, first, last, step = SLURM_ARRAYS[array]
    shares = [shard_from_environment(slurm(task, len(ids), first, last, step)) for task in ids]
    assert shares == [(k, len(ids)) for k in range(1, len(ids) + 1)]


def test_the_shards_of_an_array_cover_the_class_once():
    roster = tuple(range(11))
    ids, first, last, step = SLURM_ARRAYS["1-7:2"]
    marked = [s for task in ids for s in shard(roster, *shard_from_environment(slurm(task, 4, first, last, step)))]
    assert sorted(marked) == list(roster)


@pytest.mark.parametrize(
    ("environ", "says"),
    [
        ({}, "neither is set"),
        ({"JOB_COMPLETION_INDEX": "0"}, "JOB_COMPLETIONS is not set"),
        ({"JOB_COMPLETIONS": "4"}, "JOB_COMPLETION_INDEX is not set"),
        ({"JOB_COMPLETION_INDEX": "4", "JOB_COMPLETIONS": "4"}, "between 0 and JOB_COMPLETIONS - 1 (3)"),
        ({"JOB_COMPLETION_INDEX": "one", "JOB_COMPLETIONS": "4"}, "'one' is not a whole number"),
        ({"SLURM_ARRAY_TASK_ID": "2"}, "SLURM_ARRAY_TASK_COUNT is not set"),
        (slurm(4, 4, 0, 3, 1), "not one evenly spaced range"),  # an id past the array's end
        (slurm(5, 3, 0, 5, 1), "not one evenly spaced range"),  # --array=0,1,5: three tasks, not 0-2
        (slurm(2, 4, 1, 7, 2), "not one evenly spaced range"),  # an id between the steps
        ({"JOB_COMPLETION_INDEX": "0", "JOB_COMPLETIONS": "2", "SLURM_ARRAY_TASK_ID": "0"}, "both Kubernetes"),
    ],
)
def test_missing_or_inconsistent_variables_are_refused_with_what_is_wrong(environ, says):
    with pytest.raises(GraderError) as raised:
        shard_from_environment(environ)
    assert says in str(raised.value)


def test_auto_goes_through_the_same_door_as_k_over_n():
    assert parse_shard("auto", {"JOB_COMPLETION_INDEX": "1", "JOB_COMPLETIONS": "3"}) == parse_shard("2/3")


def test_the_command_line_says_why_and_exits_2_when_no_engine_set_the_variables(tmp_path, monkeypatch):
    for name in ("JOB_COMPLETION_INDEX", "JOB_COMPLETIONS", *slurm(0, 1, 0, 0, 1)):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "class").mkdir()
    args = ["batch", str(tmp_path / "class"), "--out", str(tmp_path / "out"), "--shard", "auto"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "Error: --shard auto reads JOB_COMPLETION_INDEX and JOB_COMPLETIONS" in result.output
    assert not (tmp_path / "out").exists()  # nothing marked


def test_the_command_line_names_the_shard_it_took(tmp_path, monkeypatch):
    monkeypatch.setenv("JOB_COMPLETION_INDEX", "2")
    monkeypatch.setenv("JOB_COMPLETIONS", "3")
    (tmp_path / "class").mkdir()
    args = ["batch", str(tmp_path / "class"), "--out", str(tmp_path / "out"), "--shard", "auto", "--lang", "en"]
    result = CliRunner().invoke(main, args)
    assert "--shard auto: marking shard 3/3" in result.stderr
    assert result.exit_code in (0, 1)  # an empty class: marked, nobody to pass
