"""`grade watch exercise3`: grades once, then again each time the learner saves the file."""

from __future__ import annotations

import os
import shutil
import threading

from click.testing import CliRunner

from grader import cli, watch
from tests.conftest import EXERCISES, ROOT, solution_file

MISTAKE = ROOT / "solutions" / "mistakes" / "exercise3_pooling" / "pool_stride_one.py"


def _save(path, text):
    path.write_text(text)
    stat = path.stat()  # coarse file-system clocks: make the save visible whatever the clock's grain
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_a_save_grades_again_and_the_last_grade_sets_the_exit_code(tmp_path, monkeypatch):
    shutil.copytree(EXERCISES, tmp_path / "exercises")
    mine = tmp_path / "exercises" / solution_file(3).name
    mine.write_text(solution_file(3).read_text() + MISTAKE.read_text())
    monkeypatch.chdir(tmp_path)
    seen = []
    remember = cli._remember

    def learner_fixes_it_after_the_first_report(result):
        remember(result)
        seen.append({t.name: t.status.value for t in result.tasks})
        if len(seen) == 1:
            _save(mine, solution_file(3).read_text())

    monkeypatch.setattr(cli, "_remember", learner_fixes_it_after_the_first_report)
    result = CliRunner().invoke(cli.main, ["watch", "exercise3", "--runs", "2", "--examples", "5", "--lang", "en"])
    assert [s["max_pool2d"] for s in seen] == ["failed", "passed"]
    assert result.exit_code == 0, result.output
    assert result.output.count("exercise3 — ") == 2
    assert "save it to grade again" in result.stderr


def test_waiting_ends_at_a_change_and_not_before(tmp_path):
    path = tmp_path / "exercise3_pooling.py"
    path.write_text("a")
    before = watch._stamp(path)
    stop = threading.Event()
    threading.Timer(2.0, stop.set).start()  # the test's own limit
    assert watch.wait_for_change(lambda: path, before, stop.is_set) is False  # nothing saved: stopped
    threading.Timer(0.5, _save, (path, "ab")).start()
    assert watch.wait_for_change(lambda: path, before, lambda: False) is True


def test_a_file_that_appears_counts_as_a_save(tmp_path):
    path = tmp_path / "exercise3_pooling.py"
    threading.Timer(0.5, path.write_text, ("def max_pool2d(): ...",)).start()
    assert watch.wait_for_change(lambda: path if path.exists() else None, None, lambda: False) is True
