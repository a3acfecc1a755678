"""Learners in Jupyter: a notebook holding a correct exercise 3 gets full marks through `check` run in a real
Jupyter kernel and through `grade --submission work.ipynb`; magics, shell escapes, cells in other languages,
cells that fail and the grader's own calls are left out safely."""

from __future__ import annotations

import json

import nbformat
import pytest
from click.testing import CliRunner
from nbclient import NotebookClient

from grader.api import grade
from grader.cli import main
from grader.notebook import cells_as_module, python_cell
from grader.results import Status
from tests.conftest import ROOT, solution_file

MISTAKE = ROOT / "solutions" / "mistakes" / "exercise3_pooling" / "pool_stride_one.py"


def learners_notebook(solution: str) -> nbformat.NotebookNode:
    """What a learner's notebook looks like: prose, magics, a shell cell, a scratch cell that fails, the
    functions, a quick try of one, and the check."""
    cells = [
        nbformat.v4.new_markdown_cell("# 실습 3: 풀링 (pooling)"),
        nbformat.v4.new_code_cell("%time import numpy as np\n!echo ready"),
        nbformat.v4.new_code_cell("%%bash\necho a shell cell"),
        nbformat.v4.new_code_cell("max_pool2d(np.zeros((1, 2, 2, 1)))", metadata={"tags": ["raises-exception"]}),
        nbformat.v4.new_code_cell(solution),
        nbformat.v4.new_code_cell("max_pool2d(np.arange(16.0).reshape(1, 4, 4, 1))[0, :, :, 0]"),
        nbformat.v4.new_code_cell(
            'from grader import check\nresult = check("exercise3", examples=5, lang="ko")\n'
            "assert result.score == result.max_score, [(t.name, t.status) for t in result.tasks]"
        ),
    ]
    return nbformat.v4.new_notebook(cells=cells)


def _execute(notebook: nbformat.NotebookNode, folder) -> nbformat.NotebookNode:
    client = NotebookClient(notebook, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(folder)}})
    return client.execute()


def _text_of(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        parts.extend(str(v) for v in output.get("data", {}).values())
    return "\n".join(parts)


@pytest.mark.slow
def test_check_in_a_jupyter_kernel_gives_full_marks_and_shows_the_report_there(tmp_path):
    executed = _execute(learners_notebook(solution_file(3).read_text()), tmp_path)
    shown = _text_of(executed.cells[-1])
    assert "exercise3" in shown and "통과" in shown and "10/10" in shown
    assert "<img" not in shown  # nothing wrong, nothing drawn


@pytest.mark.slow
def test_check_in_a_kernel_grades_the_last_definitions_run(tmp_path):
    """The learner ran a wrong max_pool2d, then a fixed one: the kernel's (last) definition is graded."""
    notebook = learners_notebook(solution_file(3).read_text() + MISTAKE.read_text())
    notebook.cells.insert(-1, nbformat.v4.new_code_cell(solution_file(3).read_text()))
    executed = _execute(notebook, tmp_path)
    assert "10/10" in _text_of(executed.cells[-1])


@pytest.mark.slow
def test_check_names_what_is_wrong_inside_the_notebook(tmp_path):
    notebook = learners_notebook(solution_file(3).read_text() + MISTAKE.read_text())
    notebook.cells[-1] = nbformat.v4.new_code_cell(
        'from grader import check\nresult = check("exercise3", examples=5, lang="en")'
    )
    shown = _text_of(_execute(notebook, tmp_path).cells[-1])
    assert "max_pool2d" in shown and "failed" in shown and "moved one cell at a time" in shown
    assert 'Fix it and run again: check("exercise3")' in shown  # a notebook's closing line speaks notebook
    assert shown.count('<img src="data:image/png;base64,') == 2  # max_pool2d's and avg_pool2d's heatmaps


def test_the_same_notebook_file_gets_full_marks_through_submission(tmp_path):
    path = tmp_path / "work.ipynb"
    nbformat.write(learners_notebook(solution_file(3).read_text()), path)
    result = CliRunner().invoke(main, ["exercise3", "--submission", str(path), "--format", "json", "--examples", "5"])
    report = json.loads(result.stdout)
    assert result.exit_code == 0 and report["score"] == report["max_score"] == 10.0


def test_an_error_in_a_notebook_cell_points_at_the_cell(tmp_path):
    path = tmp_path / "work.ipynb"
    broken = solution_file(3).read_text() + "\n\ndef flatten(x):\n    return x.reshape(-1, undefined_name)\n"
    nbformat.write(learners_notebook(broken), path)
    task = next(t for t in grade(3, submission=path, examples=5).tasks if t.name == "flatten")
    assert task.status is Status.ERROR
    assert "NameError" in task.message and "work.ipynb [cell 5], line" in task.message
    assert "undefined_name" in task.message  # the cell's own line is shown


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("%matplotlib inline\nx = 1", "pass\nx = 1"),
        ("files = !ls\nnp.sum?\n", "pass\npass"),
        ("def f():\n    !echo hi\n    return 1 % 2", "def f():\n    pass\n    return 1 % 2"),
        ("y = (1\n % 2)", "y = (1\n % 2)"),  # an operator at the start of a line is not a magic
        ("%%time\nx = 1", "\nx = 1"),  # a cell magic whose body is Python keeps it
        ("%%bash\nls", None),  # another language: left out
        ("def broken(:\n    pass", None),  # does not parse: left out
        ("import grader\nfrom grader import check\ncheck('exercise3')\nx = 2", "pass\npass\npass\nx = 2"),
    ],
)
def test_a_cell_becomes_python_the_worker_can_run(cell, expected):
    assert python_cell(cell) == expected


def test_a_cell_that_raises_does_not_stop_the_cells_after_it():
    namespace: dict = {}
    module = cells_as_module([("a [cell 1]", "x = 1"), ("a [cell 2]", "1 / 0"), ("a [cell 3]", "y = x + 1")])
    exec(compile(module, "notebook", "exec"), namespace)
    assert namespace["y"] == 2


def _saved(tmp_path, notebook: nbformat.NotebookNode):
    path = tmp_path / "work.ipynb"
    nbformat.write(notebook, path)
    return path


def test_a_notebooks_slow_training_cell_is_left_out_and_the_report_says_so(tmp_path):
    notebook = learners_notebook(solution_file(3).read_text())
    notebook.cells.insert(-1, nbformat.v4.new_code_cell("import time\ntime.sleep(60)  # training\nprint('trained')"))
    path = _saved(tmp_path, notebook)
    options = ["--submission", str(path), "--examples", "5", "--timeout", "5"]
    shown = CliRunner().invoke(main, ["exercise3", *options])
    assert shown.exit_code == 0 and "ℹ " in shown.stdout and "were left out (training, plots, prints)" in shown.stdout
    as_json = CliRunner().invoke(main, ["exercise3", *options, "--format", "json"])
    assert json.loads(as_json.stdout)["score"] == 10.0 and "notes" not in json.loads(as_json.stdout)
    assert "Note: " in as_json.stderr and "statements of the notebook were left out" in as_json.stderr


def test_a_value_only_a_loop_defines_is_named_in_the_report(tmp_path):
    notebook = learners_notebook(solution_file(3).read_text())
    notebook.cells.insert(-1, nbformat.v4.new_code_cell("for epoch in range(3):\n    SCALE = epoch"))
    notebook.cells.insert(-1, nbformat.v4.new_code_cell("def flatten(x):\n    return x.reshape(len(x), -1) * SCALE"))
    result = grade(3, submission=_saved(tmp_path, notebook), examples=5)
    assert any(note.startswith("your functions read SCALE, which no statement kept") for note in result.notes)


def test_a_slow_statement_the_functions_need_names_its_cell_when_loading_runs_out_of_time(tmp_path):
    notebook = learners_notebook(solution_file(3).read_text())
    notebook.cells.insert(-1, nbformat.v4.new_code_cell("import time\nDELAY = time.sleep(60)"))
    notebook.cells.insert(-1, nbformat.v4.new_code_cell("def flatten(x):\n    DELAY\n    return x.reshape(len(x), -1)"))
    result = grade(3, submission=_saved(tmp_path, notebook), examples=5, timeout=2)
    assert {t.status for t in result.tasks} == {Status.TIMEOUT}
    assert "work.ipynb [cell 7] was still running" in result.tasks[0].message


def test_a_statement_the_functions_need_that_raises_is_named_with_its_cell(tmp_path):
    notebook = learners_notebook(solution_file(3).read_text())
    notebook.cells.insert(-1, nbformat.v4.new_code_cell("OFFSET = 1 / 0"))
    notebook.cells.insert(-1, nbformat.v4.new_code_cell("def flatten(x):\n    return x.reshape(len(x), -1) + OFFSET"))
    result = grade(3, submission=_saved(tmp_path, notebook), examples=5)
    flatten = next(t for t in result.tasks if t.name == "flatten")
    assert flatten.status is Status.ERROR and "NameError" in flatten.message
    raised = [note for note in result.notes if note.startswith("work.ipynb [cell 7] raised while loading")]
    assert len(raised) == 1 and "ZeroDivisionError: division by zero" in raised[0] and "OFFSET = 1 / 0" in raised[0]
    assert "_grader_run_cells" not in raised[0]  # the cell's own lines, not the runner's


def test_a_terminals_closing_line_repeats_the_submission_it_was_given(tmp_path):
    path = _saved(tmp_path, learners_notebook(solution_file(3).read_text() + MISTAKE.read_text()))
    shown = CliRunner().invoke(main, ["exercise3", "--submission", str(path), "--examples", "5"])
    assert shown.exit_code == 1
    assert f"Fix it and run again: grade exercise3 --submission {path}" in " ".join(shown.stdout.split())


TRAINING_SECONDS = 12.0  # longer than check()'s per-task timeout below: re-running it would time every task out

TRAINING = f"""
import time

import keras

x_train = np.random.default_rng(0).random((256, 8, 8, 1)).astype("float32")
y_train = (x_train.mean(axis=(1, 2, 3)) > 0.5).astype("float32")
model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(4, 3), keras.layers.MaxPooling2D(),
                          keras.layers.Flatten(), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
started = time.perf_counter()
while time.perf_counter() - started < {TRAINING_SECONDS}:
    history = model.fit(x_train, y_train, epochs=1, verbose=0)
print("trained for", round(time.perf_counter() - started, 1), "s")
"""

PLOT = """
%matplotlib inline
import matplotlib.pyplot as plt
plt.plot(history.history["loss"])
plt.title("loss")
plt.show()
"""


def course_notebook() -> nbformat.NotebookNode:
    """A course notebook as learners keep one on Colab: the language set once, the exercise's functions, a
    training cell that takes longer than the grader's per-task timeout, a plot, a
    print, then the check as the cell's last expression."""
    cells = [
        nbformat.v4.new_code_cell('import os\nos.environ["GRADE_LANG"] = "ko"\nimport numpy as np'),
        nbformat.v4.new_code_cell(solution_file(3).read_text()),
        nbformat.v4.new_code_cell(TRAINING),
        nbformat.v4.new_code_cell(PLOT),
        nbformat.v4.new_code_cell("print(max_pool2d(np.arange(16.0).reshape(1, 4, 4, 1))[0, :, :, 0])"),
        nbformat.v4.new_code_cell("import time\nfrom grader import check\nchecking = time.perf_counter()"),
        nbformat.v4.new_code_cell('check("exercise3", examples=20, timeout=5)'),
        nbformat.v4.new_code_cell(
            "seconds = time.perf_counter() - checking\nresult = _\n"
            'print(f"CHECKED {result.score:g}/{result.max_score:g} in {seconds:.1f} s")'
        ),
        nbformat.v4.new_code_cell("result"),  # shown again on purpose, in a later cell: the report
    ]
    return nbformat.v4.new_notebook(cells=cells)


@pytest.mark.slow
def test_a_course_notebook_with_a_long_training_cell_gets_full_marks_in_seconds(tmp_path):
    executed = _execute(course_notebook(), tmp_path)
    plotted = executed.cells[3]
    assert any("image/png" in o.get("data", {}) for o in plotted.outputs)  # the plot was drawn in the kernel
    checked = executed.cells[-3]
    shown = _text_of(checked)
    assert "10/10" in shown and "통과" in shown  # GRADE_LANG=ko, set in the notebook, without lang=
    assert "문장" in shown and "다시 실행하지 않았습니다" in shown  # the one line on the statements left out
    assert not [o for o in checked.outputs if o.output_type == "execute_result"]  # no repr under the report
    assert "ExerciseResult(" not in shown and "CheckResult(" not in shown
    assert "10/10" in _text_of(executed.cells[-1])
    summary = _text_of(executed.cells[-2])
    seconds = float(summary.split(" in ")[1].split()[0])
    print(summary.strip())  # the figure the issue asks for (pytest -s shows it)
    assert "CHECKED 10/10" in summary and seconds < TRAINING_SECONDS


def test_learner_code_that_calls_the_cell_hook_itself_changes_no_verdict(submission):
    """The worker tells the grader which cell runs through a hook the learner's code can reach; called during
    a call, a thousand times, with a forged label, it changes no verdict."""
    forged = (
        "HEARD = _grader_cell\n"
        + solution_file(3).read_text()
        + "\n\n_real_flatten = flatten\n\n\ndef flatten(x):\n"
        + "    for _ in range(1000):\n        HEARD('In [1] \\x1b[2J', ValueError('forged'))\n"
        + "    return _real_flatten(x)\n"
    )
    result = grade(3, submission=submission(3, forged), examples=5)
    assert result.score == result.max_score and result.notes == ()
