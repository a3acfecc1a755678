"""Which classic mistake (오개념) a learner's wrong answers match: the wrong versions declared on each task.

A wrong version is its exercise's reference solution with a mistake file's lines appended (see
`spec.Misconception`); it runs here, in the grader, never in the learner's process. A misconception is named
only when the learner's answers agree with its wrong version on the failing input and on every other input
tried (`matching`, on the failing call and then on more), so a learner whose answers are wrong in another
way gets no diagnosis rather than a wrong one.
"""

from __future__ import annotations

import copy
import functools
import types
from pathlib import Path

from grader import references
from grader.compare import agrees
from grader.i18n import label, translate
from grader.spec import Call, Exercise, Misconception, Task


def mistake_file(exercise: Exercise, misconception: Misconception) -> Path:
    """`<references>/mistakes/<exercise module>/<name>.py`, next to the reference solution (`references`)."""
    return references.mistakes_folder(exercise.module_name) / f"{misconception.name}.py"


@functools.cache
def _wrong_module(reference_file: str, mistake: str) -> types.ModuleType:
    source = Path(reference_file).read_text(encoding="utf-8") + "\n\n" + Path(mistake).read_text(encoding="utf-8")
    module = types.ModuleType(f"_mistake_{Path(mistake).stem}")
    module.__file__ = mistake
    exec(compile(source, mistake, "exec"), module.__dict__)  # our own files: the reference and a mistake of it
    return module


def wrong_version(exercise: Exercise, task: Task, misconception: Misconception):
    """The task's function as someone with this misconception writes it."""
    reference = exercise.reference_module().__file__
    return getattr(_wrong_module(reference, str(mistake_file(exercise, misconception))), task.name)


RAISES = object()  # the answer of a function that raised: a wrong version that raises there agrees with it


def _agrees(exercise: Exercise, task: Task, misconception: Misconception, call: Call, answer) -> bool:
    wrong = wrong_version(exercise, task, misconception)
    try:
        value = wrong(*copy.deepcopy(call.args), **copy.deepcopy(call.kwargs))
    except Exception:  # the mistake cannot run on this input, as the learner's code could not
        return answer is RAISES
    return answer is not RAISES and agrees(task.compare(call, value, answer, wrong))


def matching(exercise: Exercise, task: Task, found, call: Call, answer) -> list[Misconception]:
    """Those of `found` (in order) whose wrong version gives the learner's answer to `call` (`RAISES` when
    the learner's function raised there: some mistakes, such as a 'valid' window past the edge, do)."""
    return [m for m in found if _agrees(exercise, task, m, call, answer)]


def explain(misconception: Misconception) -> str:
    """The diagnosis as the report shows it, in the current language: what the mistake is, and where the
    concept is explained."""
    more = f" ({label('see', where=misconception.concept)})" if misconception.concept else ""
    return translate(misconception.message) + more
