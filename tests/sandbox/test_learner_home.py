"""The learner's home: empty of the instructor's files, but with matplotlib's font list, so that importing
TensorFlow (Keras imports pyplot) or plotting in a notebook does not search every font again on each check."""

from __future__ import annotations

import os
import sys

import pytest

from grader.sandbox import early, home
from grader.sandbox.worker import Worker
from grader.spec import Call

LIST = "fontlist-v390.json"
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG cache folder is Linux's")


@pytest.fixture
def user_lists(tmp_path, monkeypatch):
    """The grader's user's matplotlib cache folder (MPLCONFIGDIR), holding a font list and some other files."""
    folder = tmp_path / "mplconfig"
    folder.mkdir()
    (folder / LIST).write_text('{"_version": "390", "ttflist": []}')
    monkeypatch.setenv("MPLCONFIGDIR", str(folder))
    return folder


def _home(tmp_path):
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


def test_the_users_font_lists_are_copied_where_matplotlib_looks_in_the_learners_home(tmp_path, user_lists):
    (user_lists / "fontlist-v330.json").write_text("{}")
    learner = _home(tmp_path)
    home.furnish(str(learner))
    copied = learner / ".cache" / "matplotlib"
    assert sorted(os.listdir(copied)) == ["fontlist-v330.json", LIST]
    assert (copied / LIST).read_text() == (user_lists / LIST).read_text()


def test_only_plain_font_lists_are_copied(tmp_path, user_lists, monkeypatch):
    (user_lists / "matplotlibrc").write_text("backend: agg\n")  # configuration stays the instructor's
    (user_lists / "tex.cache").mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("token")
    (user_lists / "fontlist-v1.json").symlink_to(secret)  # a link is never followed
    (user_lists / "fontlist-v2.json").mkdir()
    (user_lists / "fontlist-v3.json").write_text("x" * 100)
    monkeypatch.setattr(home, "_LIST_BYTES", 99)  # larger than a font list can be
    learner = _home(tmp_path)
    home.furnish(str(learner))
    assert os.listdir(learner / ".cache" / "matplotlib") == [LIST]


def test_without_a_list_the_home_stays_empty(tmp_path, monkeypatch):
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "missing"))
    learner = _home(tmp_path)
    home.furnish(str(learner))
    assert os.listdir(learner) == []


def test_the_xdg_cache_folder_is_where_the_users_list_is_found_without_mplconfigdir(tmp_path, monkeypatch):
    cache = tmp_path / "xdg" / "matplotlib"
    cache.mkdir(parents=True)
    (cache / LIST).write_text("{}")
    monkeypatch.delenv("MPLCONFIGDIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    learner = _home(tmp_path)
    home.furnish(str(learner))
    assert os.listdir(learner / ".cache" / "matplotlib") == [LIST]


@pytest.mark.parametrize("started", ["now", "early"])
def test_a_learners_process_finds_the_list_in_its_own_home(tmp_path, user_lists, started):
    """As matplotlib there would: HOME is the scratch folder, with no MPLCONFIGDIR or XDG_CACHE_HOME; also in
    the process a one-shot check started before it knew the exercise (its home furnished when it is taken)."""
    if started == "early":
        early.start(["exercise1"])
        assert len(early._waiting) == 1
    path = tmp_path / "looks.py"
    path.write_text(
        "import os\n\n"
        "def found():\n"
        "    assert 'MPLCONFIGDIR' not in os.environ and 'XDG_CACHE_HOME' not in os.environ\n"
        f"    with open(os.path.expanduser('~/.cache/matplotlib/{LIST}')) as file:\n"
        "        return file.read()\n"
    )
    with Worker(path, ()) as worker:
        assert worker.start(30).kind == "loaded"
        reply = worker.call("found", Call((), {}), 30)
    assert not early._waiting  # the worker took it
    assert reply.kind == "ok" and reply.value == (user_lists / LIST).read_text()


def test_what_one_learner_writes_in_its_font_list_never_reaches_the_next(tmp_path, user_lists):
    path = tmp_path / "rewrites.py"
    path.write_text(
        "import os\n\n"
        f"LIST = os.path.expanduser('~/.cache/matplotlib/{LIST}')\n\n"
        "def rewrite():\n"
        "    with open(LIST, 'w') as file:\n"
        "        file.write('poisoned')\n\n"
        "def read():\n"
        "    with open(LIST) as file:\n"
        "        return file.read()\n"
    )
    replies = []
    for _ in range(2):
        with Worker(path, ()) as worker:
            assert worker.start(30).kind == "loaded"
            replies.append(worker.call("read", Call((), {}), 30).value)
            worker.call("rewrite", Call((), {}), 30)
    assert replies == [(user_lists / LIST).read_text()] * 2
    assert (user_lists / LIST).read_text() != "poisoned"
