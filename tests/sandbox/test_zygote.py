"""Learner processes forked by a zygote: as separate from each other and as confined as fresh interpreters, and
a zygote that outlives every child that hung, crashed or was killed.

The hostile submissions and the process boundary's tests run here again, every one of them through one kept
zygote: an attack that fails against a fresh interpreter fails against a forked process too, and no attack
breaks the zygote for the submission graded after it.
"""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest

from grader import catalog
from grader.api import grade
from grader.results import Status
from grader.sandbox import process, zygote
from grader.sandbox.worker import Worker
from grader.spec import Call
from tests.conftest import FIXTURES, solution_file
from tests.sandbox import test_hostile_submissions as hostile
from tests.sandbox import test_process_boundary as boundary

pytestmark = pytest.mark.skipif(not process.available(), reason="forking learners from a zygote needs Linux's pidfds")

LEAVES = FIXTURES / "hostile" / "exercise1_leaves_state_for_the_next_student.py"
LOOKS = FIXTURES / "hostile" / "exercise1_looks_for_the_last_students_state.py"


@pytest.fixture
def kept():
    with zygote.kept() as kept:
        yield kept


def _student(tmp_path, name: str, source: str):
    """A student's exercise 1: the reference's functions, then `source` (a hostile fixture) on top."""
    path = tmp_path / name / solution_file(1).name
    path.parent.mkdir()
    reference = solution_file(1).read_text()
    tasks = [t.name for t in catalog.find("1").tasks]
    provided = [f"_namespace = {{}}\nexec({reference!r}, _namespace)"]
    provided += [f"{t} = _reference_{t} = _namespace[{t!r}]" for t in tasks]
    path.write_text("\n".join(provided) + "\n\n" + source, encoding="utf-8")
    return path


def _conv1d(worker: Worker):
    return worker.call("conv1d", Call((np.arange(5.0), np.ones(2)), {}), 30)


def test_one_students_forked_process_cannot_see_what_the_one_before_left(tmp_path, kept):
    leaves = _student(tmp_path, "first", LEAVES.read_text())
    looks = _student(tmp_path, "second", LOOKS.read_text())
    with Worker(leaves, ()) as first:
        assert first.start(30).kind == "loaded"
        assert _conv1d(first).kind == "ok"
        with Worker(looks, ()) as second:  # while the first is still alive
            assert second.start(30).kind == "loaded"
            beside = _conv1d(second)
    after = grade(1, looks, examples=5)  # and after it ended
    assert kept.started == 1 and kept.forked == 3
    assert beside.kind == "ok", beside.message
    assert after.tasks[0].status is Status.PASSED, after.tasks[0].message


def test_the_looking_fixture_finds_what_the_leaving_one_left_in_the_same_process(tmp_path, kept):
    """The test above could not fail if the looking fixture never found anything: in one process it does."""
    both = (
        f"_leaves, _looks = dict(globals()), dict(globals())\n"
        f"exec({LEAVES.read_text()!r}, _leaves)\n"
        f"exec({LOOKS.read_text()!r}, _looks)\n"
    )
    path = _student(tmp_path, "both", both + "leave, look = _leaves['conv1d'], _looks['conv1d']\n")
    with Worker(path, ()) as worker:
        assert worker.start(30).kind == "loaded"
        args = Call((np.arange(5.0), np.ones(2)), {})
        assert worker.call("leave", args, 30).kind == "ok"
        looked = worker.call("look", args, 30)
    assert looked.kind == "raised"
    for trace in ("a global in numpy", "a module", "an environment variable", "numpy's random state", "a file in"):
        assert trace in looked.message


def test_forked_learners_draw_different_random_numbers(tmp_path, kept):
    path = tmp_path / "draws.py"
    path.write_text(
        "import random\nimport numpy as np\n\ndef draw():\n    return [random.random(), np.random.rand()]\n"
    )
    draws = []
    for _ in range(2):
        with Worker(path, ()) as worker:
            assert worker.start(30).kind == "loaded"
            draws.append(tuple(worker.call("draw", Call((), {}), 30).value))
    assert kept.forked == 2
    assert draws[0][0] != draws[1][0] and draws[0][1] != draws[1][1]


_DESCRIPTORS = (
    "import os\n\n"
    "def descriptors():\n"
    "    found = []\n"
    "    for fd in sorted(os.listdir('/proc/self/fd'), key=int):\n"
    "        try:\n"
    "            found.append(os.readlink(f'/proc/self/fd/{fd}').split(':')[0])\n"
    "        except OSError:\n"
    "            pass\n"
    "    return found\n"
)


def test_a_forked_learner_holds_the_same_descriptors_as_a_fresh_one(tmp_path, monkeypatch):
    """Only its pipes and stdin: no socket of the zygote's, nothing of another child's."""
    path = tmp_path / "descriptors.py"
    path.write_text(_DESCRIPTORS)
    kinds = {}
    for way in ("off", "on"):
        monkeypatch.setenv("GRADE_ZYGOTE", way)
        with zygote.kept() as kept, Worker(path, ()) as beside, Worker(path, ()) as worker:
            assert beside.start(30).kind == worker.start(30).kind == "loaded"
            kinds[way] = sorted(worker.call("descriptors", Call((), {}), 30).value)
            assert kept.forked == (2 if way == "on" else 0)
    assert "socket" not in kinds["on"]
    assert kinds["on"] == kinds["off"]


def _fresh_and_forked(tmp_path, monkeypatch, source: str, name: str) -> dict:
    """What the function `name` of `source` returns in a fresh interpreter ("off") and in a forked process
    ("on", the zygote's first child)."""
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    seen = {}
    for way in ("off", "on"):
        monkeypatch.setenv("GRADE_ZYGOTE", way)
        with zygote.kept() as kept, Worker(path, ()) as worker:
            assert worker.start(30).kind == "loaded"
            seen[way] = worker.call(name, Call((), {}), 30).value
            assert kept.forked == (1 if way == "on" else 0)
    return seen


_FILTERS = (
    "def filters():\n"
    "    with open('/proc/self/status') as status:\n"
    "        return [line.split()[1] for line in status if line.startswith(('Seccomp:', 'Seccomp_filters:'))]\n"
)


def test_a_forked_learner_runs_under_the_zygotes_system_call_filter_as_a_fresh_one_under_its_own(tmp_path, monkeypatch):
    """A filter is inherited and can never be removed: a forked learner has the zygote's, the same rules a fresh
    one loads for itself, and loads no second copy (a fresh one's process has one filter too)."""
    from grader.sandbox import syscalls

    try:
        syscalls.binding()
    except (ImportError, OSError):
        pytest.skip("no libseccomp here: no filter to inherit")
    seen = _fresh_and_forked(tmp_path, monkeypatch, _FILTERS, "filters")
    assert seen["on"] == seen["off"] == ["2", "1"]  # mode 2: a filter; exactly one


_SURROUNDINGS = (
    "import os, sys\n\n"
    "def surroundings():\n"
    "    here = os.getcwd()\n"
    "    path = [p.replace(here, 'HERE') for p in sys.path]\n"
    "    environment = {k: v.replace(here, 'HERE') for k, v in os.environ.items()}\n"
    "    return [path, sorted(environment.items()), os.path.basename(sys.argv[0]), os.getsid(0) == os.getpid()]\n"
)


def test_a_forked_learner_sees_the_path_environment_and_session_of_a_fresh_one(tmp_path, monkeypatch):
    """Its own folder first on sys.path (a module it writes there imports), the worker's environment, argv."""
    seen = _fresh_and_forked(tmp_path, monkeypatch, _SURROUNDINGS, "surroundings")
    assert seen["on"] == seen["off"]
    assert seen["on"][0][0] == "HERE"


def test_a_child_killed_on_timeout_leaves_the_zygote_serving_the_next(tmp_path, kept):
    path = tmp_path / "hangs.py"
    path.write_text("import time\n\ndef hang():\n    time.sleep(300)\n\ndef answer():\n    return 42\n")
    with Worker(path, ()) as worker:
        assert worker.start(30).kind == "loaded"
        zygote_pid = kept._process.pid
        assert worker.call("hang", Call((), {}), 0.5).kind == "timeout"
        assert not worker.alive
        assert worker.start(30).kind == "loaded"
        assert worker.call("answer", Call((), {}), 30).value == 42
    assert kept.alive and kept._process.pid == zygote_pid and kept.started == 1 and kept.forked == 2


def test_a_zygote_that_died_is_replaced_and_grading_goes_on(tmp_path, kept):
    path = solution_file(1)
    first = grade(1, path, examples=5)
    os.kill(kept._process.pid, signal.SIGKILL)
    kept._process.wait()
    again = grade(1, path, examples=5)
    assert kept.started == 2
    assert [t.status for t in again.tasks] == [t.status for t in first.tasks] == [Status.PASSED] * len(first.tasks)


def test_a_zygote_that_cannot_fork_falls_back_to_a_fresh_interpreter_with_the_same_verdicts(monkeypatch, kept):
    def refuse(*args, **kwargs):
        raise zygote.ZygoteGone("refused for the test")

    forked = grade(1, FIXTURES / "mutants" / "exercise1_conv1d_off_by_one.py", examples=10)
    monkeypatch.setattr(zygote.Zygote, "spawn", refuse)
    fresh = grade(1, FIXTURES / "mutants" / "exercise1_conv1d_off_by_one.py", examples=10)
    assert kept.forked > 0
    assert [t.to_dict() for t in fresh.tasks] == [t.to_dict() for t in forked.tasks]


# Every hostile submission and process-boundary test again, through one zygote kept for the whole module.


@pytest.fixture(scope="module")
def module_zygote():
    with zygote.kept() as kept:
        yield kept


@pytest.mark.slow
@pytest.mark.parametrize("path", hostile.HOSTILE, ids=[p.stem for p in hostile.HOSTILE])
def test_a_hostile_task_through_the_zygote_gets_its_grade_and_changes_nothing_else(
    path, tmp_path, monkeypatch, module_zygote
):
    hostile.test_a_hostile_task_gets_its_grade_and_changes_nothing_else(path, tmp_path, monkeypatch)
    assert module_zygote.alive


@pytest.mark.slow
def test_killing_the_grader_ends_everything_its_zygotes_children_started(submission, monkeypatch):
    monkeypatch.setenv("GRADE_ZYGOTE", "on")
    boundary.test_killing_the_grader_still_ends_everything_the_learner_started(submission)


def test_a_zygote_plans_every_readable_folder_of_a_learners_layer_but_its_own(tmp_path, monkeypatch):
    """The walk around the hidden folders is made once in the zygote, and it is the walk a fresh worker makes."""

    from grader.sandbox import confinement
    from grader.sandbox.worker import banned_folders, hidden_folders
    from grader.spec import BY_HAND_BANNED

    hidden = hidden_folders() + banned_folders(BY_HAND_BANNED)
    rules = confinement.Confinement(str(tmp_path), str(solution_file(1)), hidden, 1 << 30, 1 << 20)
    monkeypatch.setattr(confinement, "_plans", {})
    confinement.prepare(rules)
    planned = dict(confinement._plans)
    resolved = tuple(os.path.realpath(h) for h in (*hidden, *confinement.root_secrets()))  # root's: /etc's
    own = {os.path.realpath("/proc/self"), os.path.realpath(os.getcwd())}
    roots = confinement._readable_roots(False)
    assert {root for root, _ in planned} == set(roots) - own and all(key == resolved for _, key in planned)
    confinement._plans.clear()
    assert all(confinement._plan(root, list(key)) == plan for (root, key), plan in planned.items())


def test_a_zygote_resolves_the_shared_folders_once_for_its_children_but_never_a_process_own(tmp_path, monkeypatch):
    """The folders every learner's layer names are resolved in the zygote before it forks, and its children
    read them from there; a process's own /proc entry and working folder are resolved by each process."""

    from grader.sandbox import confinement
    from grader.sandbox.worker import banned_folders, hidden_folders
    from grader.spec import BY_HAND_BANNED

    hidden = hidden_folders() + banned_folders(BY_HAND_BANNED)
    rules = confinement.Confinement(str(tmp_path), str(solution_file(1)), hidden, 1 << 30, 1 << 20)
    monkeypatch.setattr(confinement, "_plans", {})
    monkeypatch.setattr(confinement, "_resolved", {})
    monkeypatch.chdir(tmp_path)
    confinement.prepare(rules)
    kept = dict(confinement._resolved)
    assert set(hidden) <= set(kept) and all(kept[h] == os.path.realpath(h) for h in hidden)
    assert "/proc/self" not in kept and str(tmp_path) not in kept
    assert confinement._resolve("/proc/self") == f"/proc/{os.getpid()}"
    assert confinement._resolve("relative") == str(tmp_path.resolve() / "relative") and "relative" not in kept


_PEEKS = "def peek(path):\n    with open(path, 'rb') as f:\n        return len(f.read(16))\n"


@pytest.mark.skipif(hostile._landlock_abi() < 1, reason="hiding files needs Landlock")
def test_each_exercises_banned_packages_are_hidden_by_a_zygote_of_its_own(tmp_path, kept):
    """Exercises 1-5 may not read TensorFlow, exercise 6 may: their learners are forked by two zygotes, each
    hiding what its exercise bans in its own Landlock layer, so a learner's layer need not carve it again."""
    import importlib.util

    from grader.spec import BY_HAND_BANNED

    found = importlib.util.find_spec("tensorflow")
    banned = BY_HAND_BANNED  # tensorflow among them
    path = tmp_path / "peeks.py"
    path.write_text(_PEEKS)
    verdicts, started, forked = [], kept.started, kept.forked  # (a module's zygote may have served others)
    for ban in (banned, (), banned, ()):
        with Worker(path, ban) as worker:
            assert worker.start(30).kind == "loaded"
            reply = worker.call("peek", Call((found.origin,), {}), 30)
            verdicts.append((reply.kind, reply.message.split(":")[0]))
    assert verdicts == [("raised", "PermissionError"), ("ok", ""), ("raised", "PermissionError"), ("ok", "")]
    assert kept.started <= started + 1 and len(kept._others) >= 1 and kept.forked == forked + 4


def test_a_learners_layer_carves_out_only_what_its_zygotes_layer_does_not_hide(tmp_path, monkeypatch):

    from grader.sandbox import confinement
    from grader.sandbox.worker import banned_folders, hidden_folders
    from grader.spec import BY_HAND_BANNED

    hidden = hidden_folders() + banned_folders(BY_HAND_BANNED)
    rules = confinement.Confinement(str(tmp_path), str(solution_file(1)), hidden, 1 << 30, 1 << 20)
    monkeypatch.setattr(confinement, "_plans", {})
    inherited = frozenset(os.path.realpath(h) for h in (*hidden, *confinement.root_secrets()))  # as `apply_common`
    monkeypatch.setattr(confinement, "_inherited_hidden", inherited)
    confinement.prepare(rules)
    plans = confinement._plans.items()
    assert all(key == () and parts == ((root, os.path.isdir(root)),) for (root, key), (parts, _) in plans)
    assert confinement._still_hidden((*hidden, str(tmp_path))) == [str(tmp_path.resolve())]


def test_zygotes_started_ahead_fork_the_workers_of_their_exercises(tmp_path, monkeypatch):
    """A marker starts the zygotes of its class's exercises before its first student (`warm_zygote`): each is
    started once, and the workers of each exercise fork from the one of its banned packages."""
    from grader.sandbox.worker import warm_zygote
    from grader.spec import BY_HAND_BANNED

    monkeypatch.setattr(zygote, "_kept", [])
    monkeypatch.delenv("GRADE_ZYGOTE", raising=False)
    path = tmp_path / "peeks.py"
    path.write_text(_PEEKS)
    with zygote.kept() as kept:
        for banned in (BY_HAND_BANNED, (), BY_HAND_BANNED):
            warm_zygote(banned)
        (other,) = kept._others.values()
        started = (kept._process.pid, other._process.pid)
        for ban in ((), BY_HAND_BANNED):
            with Worker(path, ban) as worker:
                assert worker.start(30).kind == "loaded"
        assert (kept._process.pid, other._process.pid) == started
        assert (kept.started, other.started, kept.forked, other.forked) == (1, 1, 2, 1)


@pytest.mark.skipif(hostile._landlock_abi() < 1, reason="hiding files needs Landlock")
def test_a_zygote_launched_before_its_confinement_is_known_confines_as_one_started_with_it(tmp_path, monkeypatch):
    """`grade batch` launches its markers' zygote first thing, before it knows the exercises; the confinement
    its first use sends is applied before anything is forked: a learner's process of exercises 1-5 still
    cannot read TensorFlow. Launched with another environment than its first use wants, it is started again."""
    import importlib.util
    import tempfile

    from grader.sandbox.process import environment
    from grader.sandbox.worker import warm_zygote
    from grader.spec import BY_HAND_BANNED

    monkeypatch.setattr(zygote, "_kept", [])
    monkeypatch.delenv("GRADE_ZYGOTE", raising=False)
    path = tmp_path / "peeks.py"
    path.write_text(_PEEKS)
    launched = zygote.Zygote()
    launched.launch(environment(tempfile.gettempdir(), False))
    pid = launched._process.pid
    assert launched._common is None
    with zygote.kept(launched) as kept:
        warm_zygote(BY_HAND_BANNED)  # what a marker does first: configures it
        with Worker(path, BY_HAND_BANNED) as worker:
            assert worker.start(30).kind == "loaded"
            reply = worker.call("peek", Call((importlib.util.find_spec("tensorflow").origin,), {}), 30)
    assert kept is launched and launched._process is None  # ended on leaving
    assert (reply.kind, reply.message.split(":")[0]) == ("raised", "PermissionError")
    assert (launched.started, launched.forked) == (1, 1)

    other = zygote.Zygote()
    other.launch({**environment(tempfile.gettempdir(), False), "PYTHONHASHSEED": "1"})
    first = other._process.pid
    with zygote.kept(other):
        warm_zygote(BY_HAND_BANNED)
        assert other._process.pid not in (first, pid) and other.started == 2
        with Worker(path, BY_HAND_BANNED) as worker:
            assert worker.start(30).kind == "loaded"
