"""The student edition (`grade release --out DIR`): the stubs, the grader and recorded answers, no reference code.

A course hands students this folder (or the wheel `pip wheel DIR` makes of it) instead of the repository, whose
`solutions/` holds every answer. It holds:

- `exercises/`: the stubs of the chosen exercises, written from the declarations (`grader.stubs`);
- `grader/`: the grader's own package, copied as it is (it holds no reference code: `grader.references` finds
  the references outside it, and finds none in a release), with `grader/recorded/`: the recorded answers
  (`grader.answers`) for the public seed and the default example count;
- `README.md` for students (Korean first, then English) and a `pyproject.toml`, so `pip install DIR` works.

With no references and a manifest of recorded answers, `grade exercise3` judges by the recorded answers
(`grader.replay`). Marking with the full grader and a secret seed stays on the instructor's side, so looking
answers up in the release gains nothing there.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from grader import answers, backends, fingerprint, references
from grader.engine import DEFAULT_EXAMPLES
from grader.errors import GraderError
from grader.i18n import _
from grader.spec import Exercise
from grader.stubs import stub_source

PUBLIC_SEED = 0
_COPIED = ("*.py", "locale/*/LC_MESSAGES/*.po", "locale/*/LC_MESSAGES/*.mo", "showing/*.npy")
_PACKAGE_DATA = (
    '["locale/*/LC_MESSAGES/*.mo", "locale/*/LC_MESSAGES/*.po", "recorded/*.answers", "recorded/*.json", '
    '"showing/*.npy"]'
)  # showing/: `grade show`'s sample image


@dataclass(frozen=True)
class Release:
    """What `build` wrote: where, which exercises (and which tasks only the instructor marks), and its size."""

    folder: Path
    exercises: tuple[str, ...]
    instructor_only: dict[str, dict[str, str]]
    files: int
    size_bytes: int
    seconds: float


def build(out: Path, exercises: tuple[Exercise, ...], *, seed: int = PUBLIC_SEED) -> Release:
    """Write the student edition of `exercises` into `out` (a new or empty folder)."""
    if not references.available():
        raise GraderError(_("a student release is made from the instructor's grader, which has the references"))
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise GraderError(_("{folder} exists and is not empty: give a new folder").format(folder=out))
    started = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    package = out / "grader"
    _copy_package(fingerprint.PACKAGE, package)
    recorded_folder = package / "recorded"
    recorded_folder.mkdir()
    recorded: dict[str, list[str]] = {}
    instructor_only: dict[str, dict[str, str]] = {}
    if any(e.uses_tensorflow for e in exercises):  # the Keras references' signatures, for the stubs
        backends.import_tensorflow_for_references()
    (out / "exercises").mkdir()
    for exercise in exercises:
        (out / "exercises" / exercise.file_name).write_text(stub_source(exercise), encoding="utf-8")
        for task in exercise.tasks:
            if task.observe is not None:
                instructor_only.setdefault(exercise.name, {})[task.name] = answers.KERAS
                continue
            if task.speed is not None:
                instructor_only.setdefault(exercise.name, {})[task.name] = answers.SPEED
            answers.write(recorded_folder, exercise, task, answers.record(exercise, task, seed, DEFAULT_EXAMPLES))
            recorded.setdefault(exercise.name, []).append(task.name)
    answers.write_manifest(recorded_folder, seed, DEFAULT_EXAMPLES, recorded, instructor_only)
    (out / "pyproject.toml").write_text(_pyproject(), encoding="utf-8")
    (out / "README.md").write_text(_readme(exercises, instructor_only), encoding="utf-8")
    files = [p for p in out.rglob("*") if p.is_file()]
    return Release(
        folder=out,
        exercises=tuple(e.name for e in exercises),
        instructor_only=instructor_only,
        files=len(files),
        size_bytes=sum(p.stat().st_size for p in files),
        seconds=time.monotonic() - started,
    )


def _copy_package(source: Path, target: Path) -> None:
    """The grader's package files (Python sources and the translation catalogue), nothing built or recorded."""
    for pattern in _COPIED:
        for path in sorted(source.rglob(pattern)):
            relative = path.relative_to(source)
            if "__pycache__" in relative.parts or relative.parts[0] == "recorded":
                continue
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / relative)


def _requirements() -> list[str]:
    """The grader's own dependencies, as its installed metadata states them (no extras)."""
    from importlib import metadata

    try:
        required = metadata.requires("cnn-exercise-grader") or []
    except metadata.PackageNotFoundError:
        required = []
    return [r for r in required if "extra ==" not in r]


def _pyproject() -> str:
    dependencies = "".join(f"    {json.dumps(r)},\n" for r in _requirements())  # a TOML basic string
    return f"""[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "cnn-exercise-grader"
version = "0.1.0+student"
description = "The student edition of the CNN course's grader: checks your exercises against recorded answers"
readme = "README.md"
requires-python = ">=3.10"
dependencies = [
{dependencies}]

[project.scripts]
grade = "grader.cli:run"

[tool.setuptools.packages.find]
include = ["grader*"]

[tool.setuptools.package-data]
grader = {_PACKAGE_DATA}
"""


def _readme(exercises: tuple[Exercise, ...], instructor_only: dict[str, dict[str, str]]) -> str:
    listed = "\n".join(f"- `{e.file_name}`: {e.title}" for e in exercises)
    keras = [name for name, tasks in instructor_only.items() if answers.KERAS in tasks.values()]
    speed = [
        f"{name}.{task}"
        for name, tasks in instructor_only.items()
        for task, why in tasks.items()
        if why == answers.SPEED
    ]
    ko_limits, en_limits = [], []
    if keras:
        ko_limits.append(f"- {', '.join(keras)}: 케라스 모델 문제는 강사용 채점기에서만 채점합니다.")
        en_limits.append(f"- {', '.join(keras)}: the Keras model tasks are marked only by the instructor's grader.")
    if speed:
        ko_limits.append(f"- {', '.join(speed)}: 속도 기준 점수는 강사용 채점기에서만 측정합니다 (정답은 여기서 확인).")
        en_limits.append(f"- {', '.join(speed)}: the speed bar's points are measured only by the instructor's grader.")
    ko_limit_text = "\n".join(ko_limits) or "- 없음"
    en_limit_text = "\n".join(en_limits) or "- none"
    return f"""# CNN 실습 채점기 (학생용) / CNN exercises: the student edition

## 한국어

이 폴더에는 실습 문제의 빈 함수(`exercises/`)와 채점기가 들어 있습니다. 정답 코드는 들어 있지 않습니다.
채점기는 공개 시드(seed {PUBLIC_SEED})에서 미리 기록해 둔 입력과 정답 출력으로 여러분의 함수를 확인합니다.

설치와 채점:

```
pip install .
grade exercise3          # exercises/exercise3_*.py 를 채점합니다
grade all                # 모든 문제
grade hint exercise3 max_pool2d
```

문제 목록:

{listed}

알아 둘 점:

- 실패하면 기록된 입력 중 가장 작은 실패 예제(숫자의 개수가 가장 적고, 같으면 값의 크기 합이 가장 작은 것)를 보여 주고,
  흔한 실수(오개념)와 맞으면 그 진단을 함께 보여 줍니다.
- `--seed` 는 {PUBLIC_SEED} 만, `--examples` 는 {DEFAULT_EXAMPLES} 만 쓸 수 있습니다.
  최종 점수는 강사가 비공개 시드로 채점합니다.
- 이 배포본에서 채점하지 않는 것:
{ko_limit_text}

## English

This folder holds the exercises' stubs (`exercises/`) and the grader, without the reference solutions. The grader
checks your functions against inputs and reference outputs recorded for the public seed ({PUBLIC_SEED}).

```
pip install .
grade exercise3          # grades exercises/exercise3_*.py
grade all
```

- A failure shows the smallest recorded input that fails (fewest numbers, then the smallest sum of their
  magnitudes) and, when your answers match a classic mistake, its diagnosis.
- Only `--seed {PUBLIC_SEED}` and `--examples {DEFAULT_EXAMPLES}` are recorded. Your instructor marks with the full
  grader and a secret seed.
- Not marked by this edition:
{en_limit_text}
"""
