"""The references' observations of exercise 6 are kept, and keeping them never changes a grade.

A check whose observations are kept (in the cache folder, or shipped for the default seed) imports TensorFlow
only in the learner's worker; a kept file that is not whole, or was made with other code or versions, is
never used; and what is shipped is what the references give now.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from grader import catalog, observations
from grader.keras_observe import ModelRecipe, Probe
from grader.spec import Call
from tests.conftest import ROOT

EXERCISE = catalog.find("exercise6")
TASK = EXERCISE.task("transfer_model")
INCEPTION = TASK.examples[0]
PROBE = Probe(seed=INCEPTION.seed)
OBSERVATION = {"kind": "model", "layers": [{"class": "Dense", "config": {"units": 3}}], "outputs": np.ones((2, 3))}


def _observe_never():
    raise AssertionError("observed again: the kept observation was not used")


def _kept_book(seed: int = 5, examples: int = 7) -> observations.Book:
    """A run (with other settings than the shipped ones) whose observation of the InceptionV3 call is on disk."""
    book = observations.Book(EXERCISE, seed, examples)
    book.expected(TASK, INCEPTION, PROBE, lambda: OBSERVATION, in_sequence=True)
    book.finish(TASK)
    book.keep()
    observations.forget()
    return observations.Book(EXERCISE, seed, examples)


def test_an_observation_kept_on_disk_is_used_as_it_was_made(fresh):
    book = _kept_book()
    kept = book.expected(TASK, INCEPTION, PROBE, _observe_never, in_sequence=True)
    assert observations.same(kept, OBSERVATION)
    assert TASK.name in book.complete and not book.warm  # the other Keras tasks have nothing kept


def test_an_observation_made_once_serves_every_later_run_in_the_process(fresh, monkeypatch):
    """A batch marker or a notebook builds InceptionV3 for the reference once, not once per student."""
    monkeypatch.setenv("GRADE_CACHE_DIR", "")  # nothing on disk: only the process's memory can serve
    made = []
    for _student in range(3):
        book = observations.Book(EXERCISE, 5, 7)
        book.expected(TASK, INCEPTION, PROBE, lambda: made.append(1) or OBSERVATION, in_sequence=True)
    assert made == [1]


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[:-1], id="cut short"),
        pytest.param(lambda data: data[:-5] + bytes([data[-5] ^ 1]) + data[-4:], id="one bit changed"),
        pytest.param(lambda data: data.replace(b" 1 ", b" 2 ", 1), id="another count stated"),
        pytest.param(lambda data: b"", id="empty"),
    ],
)
def test_a_kept_file_that_is_not_whole_is_ignored(fresh, damage):
    _kept_book()
    (path,) = fresh.glob("observations-*")
    path.write_bytes(damage(path.read_bytes()))
    book = observations.Book(EXERCISE, 5, 7)
    assert book.entries == {} and book.complete == set()


def test_a_kept_file_moved_to_another_runs_name_is_ignored(fresh):
    _kept_book(seed=5)
    (kept,) = fresh.glob("observations-*")
    other = observations.Book(EXERCISE, 6, 7)
    shutil.copy(kept, fresh / f"observations-{other.key}")
    assert observations.Book(EXERCISE, 6, 7).entries == {}


def test_observations_made_with_other_versions_or_code_are_not_used(fresh, monkeypatch):
    _kept_book()
    real = observations.versions()
    monkeypatch.setattr(observations, "versions", lambda: {**real, "tensorflow": "0.0.1"})
    assert observations.Book(EXERCISE, 5, 7).entries == {}
    monkeypatch.setattr(observations, "versions", lambda: real)
    monkeypatch.setattr(observations, "deciding_digest", lambda exercise: "0" * 64)
    assert observations.Book(EXERCISE, 5, 7).entries == {}


def test_the_shipped_observations_are_not_used_with_another_tensorflow(fresh, monkeypatch):
    real = observations.versions()
    monkeypatch.setattr(observations, "versions", lambda: {**real, "tensorflow": "0.0.1"})
    book = observations.Book(EXERCISE, observations.DEFAULT_SEED, observations.DEFAULT_EXAMPLES)
    assert book.entries == {} and not book.warm


def test_observations_of_calls_after_a_wrong_answer_are_used_but_not_kept(fresh):
    """Shrinking a wrong answer tries hundreds of calls that no right answer meets: they would only fill the file."""
    book = observations.Book(EXERCISE, 5, 7)
    shrinking = Call((ModelRecipe((5, 5, 1), ({"class_name": "Flatten", "name": "f"},)), "f", 2), {}, 3)
    assert book.expected(TASK, shrinking, Probe(seed=3), lambda: OBSERVATION, in_sequence=False) is OBSERVATION
    book.keep()
    assert list(fresh.glob("observations-*")) == []


def test_an_observation_that_does_not_read_back_the_same_is_used_but_not_kept(fresh):
    odd = {"kind": "model", "strange": object()}
    book = observations.Book(EXERCISE, 5, 7)
    assert book.expected(TASK, INCEPTION, PROBE, lambda: odd, in_sequence=True) is odd
    assert book.added == {}


def test_the_same_call_probed_otherwise_is_another_observation():
    key = observations.call_key(EXERCISE, TASK, INCEPTION, PROBE)
    assert key != observations.call_key(EXERCISE, TASK, INCEPTION, Probe(seed=INCEPTION.seed + 1))
    assert key != observations.call_key(EXERCISE, TASK, INCEPTION, Probe(seed=INCEPTION.seed, labelled=True))
    assert key != observations.call_key(EXERCISE, EXERCISE.task("feature_map_model"), INCEPTION, PROBE)
    other_input = Call((ModelRecipe((74, 75, 3), application="InceptionV3"), "mixed7", 10), {}, INCEPTION.seed)
    assert key != observations.call_key(EXERCISE, TASK, other_input, PROBE)
    # the reference is observed on the CPU whatever the learner's devices: the same observation
    assert key == observations.call_key(EXERCISE, TASK, INCEPTION, Probe(seed=INCEPTION.seed, devices=("gpu",)))


# --------------------------------------------------------------------------------------------- with TensorFlow

_GRADE_AND_SAY_WHAT_WAS_IMPORTED = """
import json, sys
from grader.api import grade
result = grade(6, submission="solutions", seed=int(sys.argv[1]))
print(json.dumps({"score": result.score, "max": result.max_score,
                  "imported": sorted(m for m in ("tensorflow", "keras", "solutions.exercise6_keras_models")
                                     if m in sys.modules)}))
"""


def _grade_in_a_process_of_its_own(cache: str, seed: int = 0) -> dict:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "GRADE_CACHE_DIR": cache}
    done = subprocess.run(
        [sys.executable, "-c", _GRADE_AND_SAY_WHAT_WAS_IMPORTED, str(seed)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.tensorflow
def test_a_check_with_kept_observations_imports_tensorflow_only_in_the_learners_worker(tmp_path):
    cache = str(tmp_path / "cache")  # seed 1: nothing shipped applies
    first = _grade_in_a_process_of_its_own(cache, seed=1)
    again = _grade_in_a_process_of_its_own(cache, seed=1)
    assert first["score"] == again["score"] == again["max"]
    assert "tensorflow" in first["imported"]  # nothing kept yet: the references were observed here
    assert again["imported"] == []


@pytest.mark.slow
@pytest.mark.tensorflow
def test_a_first_check_with_the_shipped_observations_imports_tensorflow_only_in_the_learners_worker():
    stated = observations.read_statement(observations.shipped_path(EXERCISE))
    here = observations.made_with(EXERCISE, observations.DEFAULT_SEED, observations.DEFAULT_EXAMPLES)
    if stated != here:
        pytest.skip(f"the shipped observations were made with {stated}, not {here}: they are not used here")
    result = _grade_in_a_process_of_its_own("")  # nothing on disk: only what is shipped
    assert result["score"] == result["max"]
    assert result["imported"] == []


@pytest.mark.slow
@pytest.mark.tensorflow
def test_the_shipped_observations_are_what_the_references_give_now():
    """If this fails, run `python -m grader.observations` and commit the result. With another TensorFlow, Keras
    or numpy than the shipped file was made with, it is not used, and nothing is checked."""
    ok, message = observations.check(EXERCISE)
    assert ok, message
