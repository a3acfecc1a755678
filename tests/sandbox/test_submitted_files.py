"""The learner's files as the grader reads them (`grader.files`): what was checked is what is read, and what
was read is what the worker loads, whatever is swapped in meanwhile; the references are never reached by a
link. (The command line's and the batch's answers to each hostile file: tests/cli and tests/batch.)"""

from __future__ import annotations

import os
import threading

import pytest

from grader import catalog
from grader.api import grade_handed, make_options
from grader.files import SOURCE_LIMIT_BYTES, RefusedFile, read_checked
from grader.results import Status
from grader.submission import read_submission
from tests.conftest import EXERCISES, SOLUTIONS, solution_file

EXERCISE1 = solution_file(1).name


def _read_in_a_thread(path, within, seconds=10.0):
    """read_checked's answer (bytes or the RefusedFile); a read still blocked after `seconds` fails the test."""
    answer = []

    def read():
        try:
            answer.append(read_checked(path, within))
        except RefusedFile as exc:
            answer.append(exc)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        descriptor = os.open(path, os.O_WRONLY | os.O_NONBLOCK)  # a writer lets the blocked reader go
        os.close(descriptor)
        pytest.fail("reading the learner's file blocked")
    return answer[0]


def test_a_file_swapped_for_a_named_pipe_after_its_check_is_refused_without_waiting(tmp_path, monkeypatch):
    learner = tmp_path / EXERCISE1
    learner.write_text("def conv1d(x, w, b=0.0):\n    return x\n")
    real_stat = os.stat

    def swapping_stat(path, *args, **kwargs):
        info = real_stat(path, *args, **kwargs)
        if path == EXERCISE1 and learner.is_file():
            learner.unlink()
            os.mkfifo(learner)
        return info

    monkeypatch.setattr(os, "stat", swapping_stat)
    answer = _read_in_a_thread(learner, (tmp_path,))
    assert isinstance(answer, RefusedFile) and "named pipe" in str(answer)


def test_a_folder_swapped_for_a_link_out_of_the_submission_after_its_check_is_not_followed(tmp_path, monkeypatch):
    (tmp_path / "student" / "work").mkdir(parents=True)
    learner = tmp_path / "student" / "work" / EXERCISE1
    learner.write_text("def conv1d(x, w, b=0.0):\n    return x\n")
    real_realpath = os.path.realpath

    def swapping_realpath(path, *args, **kwargs):
        real = real_realpath(path, *args, **kwargs)
        if str(path) == str(learner):  # checked inside: now the folder becomes a link to the references
            (tmp_path / "student" / "work").rename(tmp_path / "moved")
            (tmp_path / "student" / "work").symlink_to(SOLUTIONS)
        return real

    monkeypatch.setattr(os.path, "realpath", swapping_realpath)
    with pytest.raises(RefusedFile, match="cannot be read"):
        read_checked(learner, (tmp_path / "student",))


def test_a_file_at_the_size_limit_is_read_and_one_byte_more_is_refused(tmp_path):
    learner = tmp_path / EXERCISE1
    learner.write_bytes(b"#" * SOURCE_LIMIT_BYTES)
    assert len(read_checked(learner)) == SOURCE_LIMIT_BYTES
    learner.write_bytes(b"#" * (SOURCE_LIMIT_BYTES + 1))
    with pytest.raises(RefusedFile, match="more than the 2 MiB"):
        read_checked(learner)


def test_the_worker_grades_the_bytes_that_were_read_not_what_the_file_holds_later(tmp_path):
    exercise = catalog.find("1")
    learner = tmp_path / EXERCISE1
    learner.write_bytes((EXERCISES / EXERCISE1).read_bytes())  # the untouched stubs
    handed = read_submission((exercise,), tmp_path)[exercise.name]
    learner.unlink()
    learner.symlink_to(solution_file(1))  # swapped for the reference once it was read
    result = grade_handed(exercise, handed, make_options(examples=3))
    assert {task.status for task in result.tasks} == {Status.NOT_IMPLEMENTED}
    assert result.source == str(learner)


def test_the_references_may_be_graded_by_name_but_never_through_a_link(tmp_path):
    exercise = catalog.find("1")
    assert read_submission((exercise,), SOLUTIONS)[exercise.name].data == solution_file(1).read_bytes()
    (tmp_path / "exercises").symlink_to(SOLUTIONS)  # a course-repository clone whose exercises/ is a link
    with pytest.raises(RefusedFile, match="reference solutions"):
        read_submission((exercise,), tmp_path / "exercises")
