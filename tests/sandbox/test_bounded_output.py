"""Whatever a submission's code raises, prints or returns, its report has a bounded size and the grader stays
small: every text from the learner's process is bounded at the process boundary and cut in the middle,
saying how much was cut; a reply too large is refused before it is read.

One submission carries the attacks of fixtures/hostile/ that make huge texts, one task each (a 50 MB
exception message, 50 MB printed on every call, a returned list of a million numbers, a returned 50 MB
string, an object whose repr is 50 MB, a function and a class named a megabyte long); it is graded in a
process of its own, whose peak memory is compared with grading the right submission.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tracemalloc

import nbformat
import numpy as np
import pytest

from grader import catalog
from grader.api import grade
from grader.engine import REPORT_TEXT_CHARS
from grader.results import Status
from grader.sandbox import codec
from grader.sandbox.worker import OUTPUT_TAIL_BYTES, Worker
from grader.spec import Call
from tests.conftest import FIXTURES, ROOT, solution_file

pytestmark = pytest.mark.slow

ATTACKS = {
    "conv1d": "exercise1_raises_a_huge_message.py",
    "apply_filter": "exercise1_prints_a_flood_and_fails.py",
    "correlate2d": "exercise1_returns_a_huge_nested_list.py",
    "convolve2d": "exercise1_returns_a_huge_string.py",
    "filter_image": "exercise1_returns_an_object_with_a_huge_repr.py",
    "correlate_channels": "exercise1_names_a_function_a_megabyte_long.py",
    "gaussian_filter": "exercise1_returns_a_class_with_a_huge_name.py",
}
REPORT_BYTES = 1024 * 1024  # any report of exercise 1 (nine tasks), in every format; about 30 KB in fact
GRADER_MEMORY_MB = 64  # the grader's peak above grading the right submission; about 4 MB in fact

_GRADE = """
import json, resource, sys
from grader.api import grade
from grader.report import render
from grader.report.github import exercises_markdown

result = grade(1, sys.argv[1], examples=20, timeout=10, lang="en")
sizes = {fmt: len(render(result, fmt, lang="en").encode()) for fmt in ("json", "junit", "gradescope", "text")}
sizes["github"] = len(exercises_markdown(result.to_dict()).encode())
print(json.dumps({
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "sizes": sizes,
    "report": result.to_dict(),
    "output": {task.name: task.output for task in result.tasks},
}))
"""


def _graded_elsewhere(path) -> dict:
    """Grade exercise 1 in a fresh process: its report sizes, its peak memory, the report itself."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _GRADE, str(path)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _with_every_attack(folder):
    """The reference in a namespace of its own, then each attack replacing its task."""
    tasks = [t.name for t in catalog.find("1").tasks]
    parts = [
        f"_namespace = {{}}\nexec({solution_file(1).read_text()!r}, _namespace)",
        *(f"{name} = _namespace[{name!r}]" for name in tasks),
        *((FIXTURES / "hostile" / name).read_text() for name in ATTACKS.values()),
    ]
    path = folder / solution_file(1).name
    path.write_text("\n\n".join(parts), encoding="utf-8")
    return path


def _texts(task: dict):
    yield task["message"]
    example = task["counterexample"] or {}
    for key in ("call", "expected", "actual", "difference"):
        if example.get(key):
            yield example[key]
    yield from (example.get("inputs") or {}).values()


def test_a_submission_flooding_every_channel_gets_a_bounded_report_and_the_grader_stays_small(tmp_path):
    right = _graded_elsewhere(solution_file(1))
    hostile = _graded_elsewhere(_with_every_attack(tmp_path))

    assert max(hostile["sizes"].values()) < REPORT_BYTES, hostile["sizes"]
    assert hostile["peak_mb"] - right["peak_mb"] < GRADER_MEMORY_MB, (hostile["peak_mb"], right["peak_mb"])
    tasks = {task["name"]: task for task in hostile["report"]["tasks"]}
    for name, task in tasks.items():
        if name in ATTACKS:
            assert task["status"] in (Status.ERROR, Status.FAILED), task["message"]
        else:
            assert task["status"] == Status.PASSED, task["message"]
        assert all(len(text) <= REPORT_TEXT_CHARS for text in _texts(task)), name
    assert len(hostile["output"]["apply_filter"]) <= OUTPUT_TAIL_BYTES + len("...\n")
    huge_message = tasks["conv1d"]["message"]
    assert "ValueError: my conv1d is not finished xxx" in huge_message and "(cut: 52,4" in huge_message
    assert 'in conv1d: raise ValueError("my conv1d is not finished "' in huge_message  # its last frame, kept
    assert "(cut: 1,04" in tasks["correlate_channels"]["message"]  # the helper's name, in its traceback
    assert tasks["correlate2d"]["counterexample"]["actual"].startswith("<list: [[0.0, 0.0, 0.0")
    assert "(cut: 52,4" in tasks["convolve2d"]["counterexample"]["actual"]
    assert "(cut: 52,4" in tasks["filter_image"]["counterexample"]["actual"]
    named = tasks["gaussian_filter"]["message"]
    assert "GaussianKernelKKK" in named and "(cut: 1,04" in named


def test_a_worker_flooding_its_reply_pipe_never_fills_the_graders_memory():
    # The first call sleeps while a thread of it floods the reply pipe; the second call's request is too large
    # for the request pipe, so the grader reads replies early while it waits to write it. It keeps at most
    # one largest reply's worth of them, then waits out the call's time limit.
    big = np.zeros(2 * 1024 * 1024)  # a 16 MB request
    with Worker(FIXTURES / "hostile" / "exercise1_floods_the_reply_pipe.py", ()) as worker:
        assert worker.start(30).kind == "loaded"
        worker.ask_call("conv1d", Call((np.zeros(3), np.ones(2))), 30)
        tracemalloc.start()
        try:
            stuck = worker.answer(worker.ask_call("conv1d", Call((big, np.ones(2))), 3))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert stuck.kind == "timeout"
    assert peak < codec.MAX_MESSAGE_BYTES + 64 * 1024 * 1024, f"{peak:,} bytes"


def test_a_notebook_cell_that_raises_a_huge_message_is_noted_in_a_few_lines(tmp_path):
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("import numpy as np"),
            nbformat.v4.new_code_cell("SCALE = float('my scale ' + 'x' * (50 * 1024 * 1024))"),
            nbformat.v4.new_code_cell(solution_file(3).read_text()),
            nbformat.v4.new_code_cell("def flatten(x):\n    return x.reshape(len(x), -1) * SCALE"),
        ]
    )
    path = tmp_path / "work.ipynb"
    nbformat.write(notebook, path)
    result = grade(3, submission=path, examples=5, lang="en")
    (note,) = [note for note in result.notes if "raised while loading" in note]
    assert "ValueError: could not convert string to float: 'my scale xxx" in note and "(cut: 52,4" in note
    assert len(note) <= REPORT_TEXT_CHARS
