"""Writes the learners' stubs from the declarations: `python -m grader.stubs [--check]`.

Each stub function has the reference's signature, the task's docstring and `raise NotImplementedError`, so a
task's contract is written once (in `grader/catalog/`) and the stubs can never drift from it.
"""

from __future__ import annotations

import inspect
import sys
import textwrap
from pathlib import Path

from grader import backends, catalog
from grader.spec import Exercise

EXERCISES_FOLDER = Path(__file__).resolve().parent.parent / "exercises"


def _docstring(text: str, indent: str) -> str:
    body = textwrap.indent(text.strip("\n"), indent).lstrip()
    return f'{indent}"""{body}\n{indent}"""'


def stub_source(exercise: Exercise) -> str:
    parts = [_docstring(exercise.doc, ""), "", *exercise.stub_imports]
    for task in exercise.tasks:
        signature = str(inspect.signature(exercise.reference(task))).replace("'", '"')
        parts += ["", "", f"def {task.name}{signature}:", _docstring(task.doc, "    "), "    raise NotImplementedError"]
    return "\n".join(parts) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    if any(exercise.uses_tensorflow for exercise in catalog.exercises()):  # the Keras references import it
        backends.import_tensorflow_for_references()
    for exercise in catalog.exercises():
        path = EXERCISES_FOLDER / exercise.file_name
        source = stub_source(exercise)
        if path.exists() and path.read_text(encoding="utf-8") == source:
            continue
        stale.append(path.name)
        if not check:
            path.parent.mkdir(exist_ok=True)
            path.write_text(source, encoding="utf-8")
    verb = "out of date" if check else "written"
    print(f"{verb}: {', '.join(stale)}" if stale else "stubs are up to date")
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
