"""Grader verdicts: a right submission never fails, a wrong one never passes.

Right in unusual ways: loops, vectorised im2col/as_strided/tensordot, lists for tuples, numpy ints, other
dtypes for counts, float64 accumulation. Wrong the ways learners are wrong: each mutant under
fixtures/mutants/ is a reference solution with one classic mistake appended, and its first line names the
tasks it must lose (a mistake in a helper the reference reuses loses every task built on it); a second line
`# says: ...` gives words each lost task's message must hold.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

from grader import catalog
from grader.api import grade
from grader.compare import unchanged
from grader.results import Status
from tests.conftest import EXERCISES, FIXTURES, ROOT, exercise_number, solution_file

pytestmark = pytest.mark.slow

NUMBERS = [e.number for e in catalog.exercises()]
CORRECT = sorted((FIXTURES / "correct").glob("exercise*.py"))
# The classic mistakes the grader diagnoses are written the same way, next to the references.
MISTAKES_FOLDER = ROOT / "solutions" / "mistakes"
MISTAKES = sorted(MISTAKES_FOLDER.glob("exercise*/*.py"))
MUTANTS = sorted((FIXTURES / "mutants").glob("exercise*.py")) + [m for m in MISTAKES if m.name != "__init__.py"]


def mutant_name(mutant: Path) -> str:
    """`exercise3_stride_one` for a fixture; `exercise7_padding_not_cropped` for a declared mistake."""
    return mutant.stem if mutant.name.startswith("exercise") else f"exercise{exercise_number(mutant)}_{mutant.stem}"


def declared_breaks(mutant: Path) -> set[str]:
    first = mutant.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# breaks:"), f"{mutant.name} must start with '# breaks: task, ...'"
    return {name.strip() for name in first.removeprefix("# breaks:").split(",")}


@pytest.mark.parametrize("number", NUMBERS)
def test_reference_solutions_score_full_marks(number):
    result = grade(number, submission=solution_file(number).parent)
    assert [t.status for t in result.tasks] == [Status.PASSED] * len(result.tasks)
    assert result.score == result.max_score > 0
    assert all(t.examples > 0 for t in result.tasks)


@pytest.mark.parametrize("number", NUMBERS)
def test_untouched_stubs_score_zero_as_not_implemented(number):
    result = grade(number, submission=EXERCISES)
    assert {t.status for t in result.tasks} == {Status.NOT_IMPLEMENTED}
    assert result.score == 0


@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.stem)
def test_correct_submissions_in_other_styles_score_full_marks(path):
    result = grade(exercise_number(path), submission=path)
    failures = {t.name: t.message for t in result.tasks if not t.passed}
    assert failures == {}


def declared_words(mutant: Path) -> str:
    lines = mutant.read_text(encoding="utf-8").splitlines()
    return lines[1].removeprefix("# says:").strip() if len(lines) > 1 and lines[1].startswith("# says:") else ""


@pytest.mark.parametrize("mutant", MUTANTS, ids=mutant_name)
def test_each_classic_mistake_loses_exactly_its_tasks(mutant, submission):
    number = exercise_number(mutant)
    reference = solution_file(number).read_text(encoding="utf-8")
    path = submission(number, reference + "\n\n" + mutant.read_text(encoding="utf-8"))
    result = grade(number, submission=path)
    lost = {t.name for t in result.tasks if not t.passed}
    assert lost == declared_breaks(mutant)
    for task in result.tasks:
        if not task.passed:
            assert task.status in (Status.FAILED, Status.ERROR), task.message  # a bad padding may also raise
            assert task.counterexample is not None and task.counterexample.call.startswith(task.name)
            assert declared_words(mutant) in task.message


def test_every_mutant_and_correct_fixture_names_a_known_exercise_and_task():
    for path in [*CORRECT, *MUTANTS]:
        exercise = catalog.find(str(exercise_number(path)))
        if path in MUTANTS:
            assert declared_breaks(path) <= {t.name for t in exercise.tasks}, path.name


def test_a_failure_shows_the_smallest_counterexample_with_expected_and_actual(submission):
    """Flipping the kernel shows up on a 1x2 image with a 1x2 kernel: the smallest case that can show it."""
    mutant = MISTAKES_FOLDER / "exercise1_convolution" / "kernel_flipped.py"
    path = submission(1, solution_file(1).read_text() + "\n" + mutant.read_text())
    task = grade(1, submission=path).tasks[2]
    assert task.name == "correlate2d" and task.status is Status.FAILED
    example = task.counterexample
    assert "shape=(1, 2)" in example.inputs["image"] and "shape=(1, 2)" in example.inputs["kernel"]
    assert example.expected.startswith("array shape=(1, 1)") and example.actual.startswith("array shape=(1, 1)")
    assert "values differ" in task.message and "index (0, 0)" in task.message
    assert "without flipping" in task.message  # the task's hint


def test_a_wrong_shape_is_said_in_words(submission):
    mutant = FIXTURES / "mutants" / "exercise1_conv1d_off_by_one.py"
    path = submission(1, solution_file(1).read_text() + "\n" + mutant.read_text())
    task = grade(1, submission=path).tasks[0]
    assert task.message.startswith("shape (0,), expected (1,)")


def test_modifying_an_argument_is_named(submission):
    mutant = FIXTURES / "mutants" / "exercise1_apply_filter_mutates_region.py"
    path = submission(1, solution_file(1).read_text() + "\n" + mutant.read_text())
    task = grade(1, submission=path).tasks[1]
    assert "changed its input region" in task.message


def test_a_function_that_raises_for_some_inputs_is_an_error_with_the_smallest_such_input(submission):
    source = (
        solution_file(3).read_text()
        + """

def flatten(x):
    if x.shape[3] > 1:
        raise ValueError("only one channel handled")
    return x.reshape(x.shape[0], -1)
"""
    )
    task = grade(3, submission=submission(3, source)).tasks[-1]
    assert task.status is Status.ERROR
    assert "ValueError: only one channel handled" in task.message
    assert "line " in task.message  # where in their file
    assert task.counterexample.inputs["x"].startswith("array shape=(1, 1, 1, 2)")


def test_a_partly_written_file_grades_what_is_there(submission):
    source = "import numpy as np\n\ndef box_filter(size):\n    return np.full((size, size), 1.0 / size**2)\n"
    result = grade(1, submission=submission(1, source))
    statuses = {t.name: t.status for t in result.tasks}
    assert statuses["box_filter"] is Status.PASSED
    assert statuses["laplacian_filter"] is Status.MISSING
    assert result.score == 1


def test_a_right_answer_computed_randomly_is_not_mistaken_for_flaky(submission):
    """Tiny float noise within tolerance is not a failure, even when it differs between calls."""
    source = (
        solution_file(3).read_text()
        + """

def global_avg_pool2d(x):
    noise = np.random.default_rng().uniform(-1, 1) * np.finfo(x.dtype).eps
    return (x.mean(axis=(1, 2)) * (1 + noise)).astype(x.dtype)
"""
    )
    task = grade(3, submission=submission(3, source)).tasks[2]
    assert task.status is Status.PASSED, task.message


def test_float32_answers_need_not_match_bit_for_bit():
    """A float32 answer computed in another order differs in the last bits and still passes."""
    from grader.compare import ArraysClose
    from grader.spec import Call
    from solutions.exercise1_convolution import correlate2d

    image = np.array([[1e4, 1.0, -1e4, 3.0]], dtype=np.float32)
    kernel = np.array([[1.0, 1.0, 1.0]], dtype=np.float32)
    expected = correlate2d(image, kernel)
    other_order = np.array([[(image[0, 2] + image[0, 0]) + image[0, 1], (-1e4 + 3.0) + 1.0]], dtype=np.float32)
    assert ArraysClose()(Call((image, kernel)), expected, other_order, correlate2d) is None


def test_a_failure_of_the_grader_itself_on_one_task_never_loses_the_others(monkeypatch):
    from grader.engine import TaskRunner

    real_judge = TaskRunner._judge

    def broken_for_flatten(self, call, reply, expected=None):
        if self.task.name == "flatten":
            raise RuntimeError("comparator bug")
        return real_judge(self, call, reply) if expected is None else real_judge(self, call, reply, expected)

    monkeypatch.setattr(TaskRunner, "_judge", broken_for_flatten)
    result = grade(3, submission=solution_file(3).parent, examples=10)
    assert result.tasks[-1].status is Status.ERROR
    assert "the grader itself failed on this task (RuntimeError: comparator bug)" in result.tasks[-1].message
    assert all(t.passed for t in result.tasks[:-1])


def test_a_wrong_layer_chain_is_shown_as_a_table_with_the_first_difference_named(submission):
    mutant = MISTAKES_FOLDER / "exercise4_output_shapes" / "flatten_drops_channels.py"
    path = submission(4, solution_file(4).read_text() + "\n" + mutant.read_text())
    task = next(t for t in grade(4, submission=path).tasks if t.name == "model_output_shapes")
    first_line, *table = task.message.splitlines()
    assert first_line.startswith("layer ") and "Flatten()" in first_line and "expected (" in first_line
    assert table[0].split() == ["#", "layer", "expected", "yours"]
    assert any(row.startswith(">") and "Flatten()" in row for row in table)


def test_wrong_parameter_totals_show_what_each_layer_should_add(submission):
    mutant = MISTAKES_FOLDER / "exercise5_parameters" / "batchnorm_all_trainable.py"
    path = submission(5, solution_file(5).read_text() + "\n" + mutant.read_text())
    task = next(t for t in grade(5, submission=path).tasks if t.name == "model_params")
    assert task.message.startswith("expected {'total'")
    assert "what each layer should add" in task.message and "BatchNormalization()" in task.message


# Keras tasks compare what the learner's process observes of the object built (keras_observe), not raw return
# values, and most declare no corners: the grading run above is what holds their mutants.
CORNERED = [m for m in MUTANTS if not catalog.find(str(exercise_number(m))).uses_tensorflow]


@pytest.mark.parametrize("mutant", CORNERED, ids=mutant_name)
def test_the_declared_corners_alone_catch_each_classic_mistake(mutant):
    """Whatever the seed: for every task a mistake breaks, some declared corner shows the difference."""
    number = exercise_number(mutant)
    exercise = catalog.find(str(number))
    namespace: dict = {}
    source = solution_file(number).read_text() + "\n\n" + mutant.read_text()
    exec(compile(source, str(mutant), "exec"), namespace)
    for name in declared_breaks(mutant):
        task, reference = exercise.task(name), exercise.reference(exercise.task(name))
        assert task.examples, f"{name} declares no corner examples"
        problems = []
        for call in task.examples:
            args, kwargs = copy.deepcopy(call.args), copy.deepcopy(call.kwargs)
            try:
                actual = namespace[name](*args, **kwargs)
            except Exception as exc:
                problems.append(repr(exc))
                continue
            expected = reference(*copy.deepcopy(call.args), **copy.deepcopy(call.kwargs))
            problems.append(task.compare(call, expected, actual, reference))
            problems.append(not unchanged((call.args, call.kwargs), (args, kwargs)))
        assert any(problems), f"no corner of {name} shows {mutant.stem}"
