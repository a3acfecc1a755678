"""The process boundary: learner code runs in a worker process, and its accidents stay there.

(Deliberate attacks, one file each, are in test_hostile_submissions.py.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid

import numpy as np
import pytest

from grader.api import grade
from grader.results import Status
from grader.sandbox.worker import Worker
from grader.spec import Call
from tests.conftest import ROOT, marked_processes, solution_file

pytestmark = pytest.mark.slow


def test_learner_code_runs_in_another_process(submission):
    source = "import os\n\ndef laplacian_filter():\n    raise RuntimeError(f'pid {os.getpid()}')\n"
    task = grade(1, submission=submission(1, source)).tasks[-1]
    assert task.status is Status.ERROR
    assert f"pid {os.getpid()}" not in task.message and "pid " in task.message


def _with(number: int, extra: str) -> str:
    return solution_file(number).read_text() + "\n\n" + extra


def test_a_hang_is_a_timeout_and_the_other_tasks_are_still_graded(submission):
    source = _with(1, "def conv1d(x, w, b=0.0):\n    while True:\n        pass\n")
    # few examples, so that on a busy machine only the endless loop comes near the limit
    result = grade(1, submission=submission(1, source), timeout=1.5, examples=15)
    statuses = {t.name: t.status for t in result.tasks}
    assert statuses.pop("conv1d") is Status.TIMEOUT
    assert "time limit (1.5 s)" in result.tasks[0].message and result.tasks[0].counterexample is not None
    assert set(statuses.values()) == {Status.PASSED}


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("import os\n    os._exit(3)", "exit code 3"),
        ("import ctypes\n    ctypes.string_at(0)", "signal 11"),
    ],
    ids=["os._exit", "segfault"],
)
def test_a_crash_is_an_error_and_the_other_tasks_are_still_graded(submission, body, says):
    source = _with(1, f"def apply_filter(region, kernel):\n    {body}\n")
    result = grade(1, submission=submission(1, source))
    statuses = {t.name: t.status for t in result.tasks}
    crashed = result.tasks[1]
    assert crashed.status is Status.ERROR and says in crashed.message
    assert set(statuses.values()) - {Status.ERROR} == {Status.PASSED}
    assert sum(s is Status.ERROR for s in statuses.values()) == 1


def test_sys_exit_in_a_function_is_an_error_of_that_task(submission):
    source = _with(1, "import sys\n\ndef box_filter(size):\n    sys.exit(0)\n")
    result = grade(1, submission=submission(1, source))
    box = next(t for t in result.tasks if t.name == "box_filter")
    assert box.status is Status.ERROR and "SystemExit" in box.message
    assert sum(t.passed for t in result.tasks) == len(result.tasks) - 1


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("def conv1d(x, w:\n    pass\n", "SyntaxError"),
        ("raise RuntimeError('boom at import')\n", "RuntimeError: boom at import"),
        ("import sys\nsys.exit(1)\n", "SystemExit"),
    ],
    ids=["syntax-error", "raises-at-import", "exits-at-import"],
)
def test_a_file_that_does_not_load_makes_every_task_an_error(submission, source, says):
    result = grade(1, submission=submission(1, source))
    assert {t.status for t in result.tasks} == {Status.ERROR}
    assert all(says in t.message for t in result.tasks)


@pytest.mark.parametrize(
    "line",
    ["import scipy.signal", "import importlib\nimportlib.import_module('tensorflow')", "__import__('keras')"],
    ids=["import", "importlib", "__import__"],
)
def test_a_banned_import_at_load_time_is_forbidden_for_every_task(submission, line):
    source = f"try:\n    {line.replace(chr(10), chr(10) + '    ')}\nexcept ImportError:\n    pass\n"
    result = grade(1, submission=submission(1, _with(1, source)))
    assert {t.status for t in result.tasks} == {Status.FORBIDDEN}
    assert "this exercise is done by hand" in result.tasks[0].message


def test_a_banned_import_inside_a_function_is_forbidden_for_that_task(submission):
    source = _with(3, "def flatten(x):\n    import importlib\n    importlib.import_module('torch')\n")
    result = grade(3, submission=submission(3, source))
    flatten = result.tasks[-1]
    assert flatten.status is Status.FORBIDDEN and "'torch'" in flatten.message
    assert all(t.passed for t in result.tasks[:-1])


def test_importing_the_solutions_is_forbidden(submission):
    source = "from solutions.exercise1_convolution import *\n"
    result = grade(1, submission=submission(1, source))
    assert {t.status for t in result.tasks} == {Status.FORBIDDEN}
    assert "'solutions'" in result.tasks[0].message


def test_what_sits_beside_a_hidden_package_still_imports_and_reports_its_version(submission):
    """Banned packages and the references are unreadable, not unlisted: a learner's file importing plotting
    libraries and asking `importlib.metadata` for numpy's version loads and passes."""
    head = "import importlib.metadata\nimport matplotlib.pyplot as plt\nNUMPY = importlib.metadata.version('numpy')\n"
    result = grade(1, submission=submission(1, head + solution_file(1).read_text()))
    assert {t.status for t in result.tasks} == {Status.PASSED}, result.tasks[0].message


def _grade_in_a_process(path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "grader", "3", "--submission", str(path), *options],
        capture_output=True,
        text=True,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def test_what_the_learner_prints_never_reaches_the_report_stream(submission):
    source = _with(
        3,
        'print(\'{"score": 999}\')\nimport sys\nprint("noise", file=sys.stderr)\n'
        "def flatten(x):\n"
        '    print(\'{"exercise": "fake"}\')\n'
        '    sys.stdout.write("x" * 100_000_000)\n'
        "    return x.reshape(len(x), -1)\n",
    )
    run = _grade_in_a_process(submission(3, source), "--format", "json", "--examples", "3")
    report = json.loads(run.stdout)
    assert run.returncode == 0 and report["score"] == report["max_score"]
    assert len(run.stdout) + len(run.stderr) < 20_000


def test_what_the_learner_prints_is_shown_short_and_without_terminal_escapes(submission):
    source = _with(
        3,
        "import numpy as np\n"
        "def flatten(x):\n"
        '    print("\\x1b[2J\\x1b[H all tasks passed " * 100_000)\n'
        "    return np.zeros(1)\n",
    )
    run = _grade_in_a_process(submission(3, source), "--examples", "3")
    assert run.returncode == 1
    assert "\x1b[2J" not in run.stdout and "\\x1b[2J" in run.stdout
    assert len(run.stdout) < 20_000


def test_reading_stdin_gives_eof(submission):
    source = _with(
        1,
        "import sys\n\ndef laplacian_filter():\n    assert sys.stdin.read() == ''\n"
        "    import numpy as np\n    return np.array([[0., 1, 0], [1, -4, 1], [0, 1, 0]])\n",
    )
    result = grade(1, submission=submission(1, source))
    assert result.tasks[-1].status is Status.PASSED


def test_killing_the_grader_still_ends_everything_the_learner_started(submission):
    """The guardian learns of the grader's death (PR_SET_PDEATHSIG) and ends the learner's whole tree."""
    marker = f"orphan-{uuid.uuid4().hex}"
    source = _with(
        1,
        "import subprocess, sys, time\n"
        "def conv1d(x, w, b=0.0):\n"
        f"    subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)  # {marker}'],"
        " start_new_session=True)\n"
        "    time.sleep(300)\n",
    )
    grader = subprocess.Popen(
        [sys.executable, "-m", "grader", "1", "--submission", str(submission(1, source))],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not marked_processes(marker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert marked_processes(marker), "the learner's child never started"
    finally:
        grader.kill()
        grader.wait()
    deadline = time.monotonic() + 10
    while marked_processes(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    survivors = marked_processes(marker)
    for process in survivors:
        process.kill()
    assert survivors == []


def test_a_call_after_the_worker_died_says_so_instead_of_failing(tmp_path):
    path = tmp_path / "dies.py"
    path.write_text("import os\n\ndef die():\n    os._exit(5)\n")
    with Worker(path, ()) as worker:
        assert worker.start(30).kind == "loaded"
        first = worker.call("die", Call((), {}), 30)
        again = worker.call("die", Call((), {}), 30)
    assert first.kind == again.kind == "crashed" and "exit code 5" in again.message


@pytest.mark.tensorflow
def test_a_tensorflow_worker_runs_confined_and_its_memory_limit_holds(tmp_path):
    """What exercise 6 needs: TensorFlow imports and runs under Landlock and RLIMIT_DATA (RLIMIT_AS would not)."""
    path = tmp_path / "keras_model.py"
    path.write_text(
        "import numpy as np\nimport keras\n\n"
        "def outputs(x):\n"
        "    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(4, 3), keras.layers.Flatten()])\n"
        "    return np.asarray(model(x))\n\n"
        "def eat():\n    return np.ones(3 * 2**30, np.uint8).sum()\n"
    )
    with Worker(path, (), memory_mb=1024) as worker:
        assert worker.start(120).kind == "loaded"
        ran = worker.call("outputs", Call((np.ones((2, 8, 8, 1), np.float32),), {}), 120)
        ate = worker.call("eat", Call((), {}), 120)
    assert ran.kind == "ok" and ran.value.shape == (2, 144)
    assert ate.kind == "memory" and "1024 MiB" in ate.message


def test_many_calls_on_their_way_at_once_never_deadlock(tmp_path):
    # Eight 1 MiB requests and replies outrun both pipes' buffers: the worker blocks writing replies that
    # the grader reads early, while it still writes requests.
    path = tmp_path / "double.py"
    path.write_text("def double(x):\n    return x * 2\n")
    big = np.arange(16 * 32 * 32 * 16, dtype=np.float64).reshape(16, 32, 32, 16)
    with Worker(path, ()) as worker:
        assert worker.start(30).kind == "loaded"
        pending = [worker.ask_call("double", Call((big + i,)), 30) for i in range(8)]
        replies = [worker.answer(p) for p in pending]
    assert [r.kind for r in replies] == ["ok"] * 8
    assert all(np.array_equal(r.value, (big + i) * 2) for i, r in enumerate(replies))


def test_calls_sent_before_the_worker_died_are_answered_with_why(tmp_path):
    path = tmp_path / "exits.py"
    path.write_text("import os\n\ndef ends(x):\n    os._exit(3)\n")
    with Worker(path, ()) as worker:
        assert worker.start(30).kind == "loaded"
        pending = [worker.ask_call("ends", Call((i,)), 30) for i in range(4)]
        replies = [worker.answer(p) for p in pending]
    assert {r.kind for r in replies} == {"crashed"}
    assert all("exit code 3" in r.message for r in replies), [r.message for r in replies]


def test_an_error_message_in_colour_comes_back_without_its_escape_codes(tmp_path):
    # Keras 3 writes parts of its exceptions in bold: `\x1b[1m...\x1b[0m` would show as text in the report
    path = tmp_path / "coloured.py"
    path.write_text(
        "BOLD, END = chr(27) + '[1m', chr(27) + '[0m'\n\n"
        "def fails(x):\n    raise ValueError(BOLD + 'Invalid dtype' + END)\n"
    )
    with Worker(path, ()) as worker:
        assert worker.start(30).kind == "loaded"
        reply = worker.call("fails", Call((1,)), 30)
    assert reply.kind == "raised"
    assert reply.message.startswith("ValueError: Invalid dtype\n") and "x1b" not in reply.message
