"""The Gradescope autograder: `grade gradescope-kit` builds its zip, and `python -m grader.classroom.kit` is what
the zip's `run_autograder` runs for each submission.

The zip (Gradescope's autograder specification) holds, at its root:

- `setup.sh`, run once as root when Gradescope builds the image: a virtual environment in the autograder's
  root, the pinned dependencies of `requirements.txt`, then the grader's wheel from the zip itself with
  `--no-deps`, so that TensorFlow (about 1.9 GB installed) comes only when exercise 6 is in the kit;
- `run_autograder`, run for each submission: it grades only the kit's exercises, finds the learner's work by
  the functions it defines (`grader.discovery`) whatever the file is called, and always leaves
  `results/results.json`: a failure of the grader itself becomes results that say so (score 0), and when the
  grader cannot even start, the kit's `fallback.json` is copied there;
- `kit.json` (the exercises, the tests' visibility, the language and seed), `requirements.txt`, `fallback.json`
  and the grader's wheel, built from the project's own `pyproject.toml` with its references: this zip stays
  with the instructor and Gradescope, never with students.

The root is `AUTOGRADER_ROOT` (default `/autograder`): `source/` holds the zip's files, `submission/` the
learner's upload, `results/` what Gradescope reads.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from grader import catalog
from grader.engine import DEFAULT_EXAMPLES
from grader.errors import GraderError, SubmissionNotFound
from grader.i18n import LANGUAGES, _, language
from grader.report.gradescope import VISIBILITIES, results_json
from grader.results import ExerciseResult, RunResult, Status, TaskResult
from grader.sandbox.worker import DEFAULT_MEMORY_MB
from grader.spec import Exercise

CONFIG = "kit.json"
FALLBACK = "fallback.json"
REQUIREMENTS = "requirements.txt"
KERAS_EXERCISE = "exercise6"
# Where building the wheel looks, and what a copy of the source tree leaves out (never shipped anyway).
_NOT_SOURCE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".*_cache",
    ".hypothesis",
    ".grade",
    "reports",
)


@dataclass(frozen=True)
class KitSettings:
    """What a kit grades and how: the exercises (by name), each test's visibility, the reports' language, the
    seed (a kit may keep the marking seed: the zip is never given to students), examples per task and the MiB a
    learner's code may use (the container must hold it on top of the grader's own, see README)."""

    exercises: tuple[str, ...]
    visibility: str = "visible"
    lang: str = "ko"
    seed: int = 0
    examples: int = DEFAULT_EXAMPLES
    memory_mb: int = DEFAULT_MEMORY_MB

    def __post_init__(self):
        if not self.exercises:
            raise GraderError(_("a Gradescope kit needs at least one exercise"))
        for name in self.exercises:
            catalog.find(name)  # an unknown name fails here, with the catalogue's message
        if self.visibility not in VISIBILITIES:
            raise GraderError(
                _("visibility {value} is not one of {choices}").format(
                    value=repr(self.visibility), choices=", ".join(VISIBILITIES)
                )
            )
        if self.lang not in LANGUAGES:
            raise GraderError(_("language {value} is not ko or en").format(value=repr(self.lang)))

    @property
    def chosen(self) -> tuple[Exercise, ...]:
        return tuple(catalog.find(name) for name in self.exercises)

    @property
    def needs_tensorflow(self) -> bool:
        return KERAS_EXERCISE in self.exercises

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def load(cls, path: Path) -> KitSettings:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(**{**data, "exercises": tuple(data["exercises"])})


# ---------------------------------------------------------------------------------------------------------------
# Building the kit (the instructor's machine)


def source_tree() -> Path:
    """The project folder the grader is imported from (its `pyproject.toml`), which the wheel is built from."""
    tree = Path(__file__).resolve().parents[2]
    if not (tree / "pyproject.toml").is_file():
        raise GraderError(
            _(
                "the grader at {path} is not a source tree (no pyproject.toml): build the kit from a clone of the "
                "course repository (pip install -e .)"
            ).format(path=tree)
        )
    return tree


def build_wheel(tree: Path, folder: Path) -> Path:
    """The grader's wheel, built by pip from a copy of `tree` (the checkout itself is left as it was), with
    whatever its `pyproject.toml` ships."""
    copy = folder / "tree"
    shutil.copytree(tree, copy, ignore=_NOT_SOURCE, symlinks=True)
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(folder)]
    done = subprocess.run([*command, str(copy)], capture_output=True, text=True, check=False)
    wheels = sorted(folder.glob("*.whl"))
    if done.returncode != 0 or len(wheels) != 1:
        raise GraderError(
            _("building the grader's wheel failed: {error}").format(error=(done.stderr or done.stdout).strip()[-2000:])
        )
    return wheels[0]


def _requires(wheel: Path) -> list[str]:
    """The wheel's own `Requires-Dist` lines (its METADATA)."""
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        text = archive.read(name).decode("utf-8")
    return [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Requires-Dist:")]


# What the autograder never uses: pictures (matplotlib and its fonts and image libraries, about 97 MB installed)
# are drawn only for pages, notebooks and `grade show`; Gradescope shows results.json's text.
NOT_ON_GRADESCOPE = frozenset({"matplotlib"})


def requirements(wheel: Path, with_tensorflow: bool) -> list[str]:
    """What `setup.sh` installs before the wheel: the wheel's dependencies except the optional extras, what the
    autograder never uses (`NOT_ON_GRADESCOPE`) and TensorFlow unless the kit grades exercise 6, each pinned to
    the version this grader runs with, so that Gradescope draws and judges exactly as the instructor's machine
    does."""
    try:
        from packaging.requirements import Requirement
    except ImportError:  # packaging comes with most environments, and always inside pip
        from pip._vendor.packaging.requirements import Requirement

    lines = []
    for text in _requires(wheel):
        requirement = Requirement(text)
        if requirement.marker is not None and "extra" in str(requirement.marker):
            continue
        if requirement.name.lower() == "tensorflow" and not with_tensorflow:
            continue
        if requirement.name.lower() in NOT_ON_GRADESCOPE:
            continue
        try:
            spec = f"{requirement.name}=={metadata.version(requirement.name)}"
        except metadata.PackageNotFoundError:  # not installed here (another platform's dependency): as declared
            spec = f"{requirement.name}{requirement.specifier}"
        lines.append(spec + (f"; {requirement.marker}" if requirement.marker else ""))
    return lines


SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (made by `grade gradescope-kit`).
# It installs the grader from this zip's own files into a virtual environment in the autograder's root:
# the pinned dependencies ({requirements}), then the grader's wheel without pulling anything else.
set -euo pipefail
here="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)"
root="${{AUTOGRADER_ROOT:-/autograder}}"
python="${{PYTHON:-python3}}"
# What the image lacks: Python's venv and pip, and libseccomp (the sandbox's system-call filter).
missing=()
"$python" -c "import venv, ensurepip" 2>/dev/null || missing+=(python3 python3-venv python3-pip)
ldconfig -p 2>/dev/null | grep -q "libseccomp.so.2" || missing+=(libseccomp2)
if [ "${{#missing[@]}}" -gt 0 ]; then
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${{missing[@]}}"
fi
"$python" -m venv "$root/venv"
"$root/venv/bin/python" -m pip install -q --upgrade pip
"$root/venv/bin/python" -m pip install -q -r "$here/{requirements}"
"$root/venv/bin/python" -m pip install -q --no-deps "$here/{wheel}"
"$root/venv/bin/python" -c "import grader.classroom.kit"  # the image is not built if the grader cannot start
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for each submission (made by `grade gradescope-kit`): it grades the kit's exercises
# with the grader setup.sh installed and always leaves results/results.json.
root="${AUTOGRADER_ROOT:-/autograder}"
results="$root/results/results.json"
mkdir -p "$root/results"
rm -f "$results"
python="$root/venv/bin/python"
[ -x "$python" ] || python="$(command -v python3 || echo python3)"
AUTOGRADER_ROOT="$root" "$python" -m grader.classroom.kit
status=$?
if [ ! -s "$results" ]; then
    echo "run_autograder: the grader wrote no results (exit status $status); the kit's fallback stands in" >&2
    cp "$root/source/fallback.json" "$results" 2>/dev/null ||
        printf '{"score": 0, "output": "The autograder failed: see its stdout.", "tests": []}\\n' >"$results"
fi
exit 0
"""


@dataclass(frozen=True)
class Kit:
    """A built kit: the zip, and what it installs."""

    path: Path
    wheel: str
    requirements: tuple[str, ...]


def _add(archive: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
    archive.writestr(info, data)


def build_kit(out: Path, settings: KitSettings, tree: Path | None = None) -> Kit:
    """Write the autograder zip `out` for `settings`, with a wheel built from `tree` (the grader's own)."""
    with tempfile.TemporaryDirectory(prefix="grade-kit-") as folder:
        wheel = build_wheel(tree or source_tree(), Path(folder))
        needed = requirements(wheel, settings.needs_tensorflow)
        with language(settings.lang):
            fallback = failure_results(settings, _("the grader could not start; the instructor can read why"))
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        with zipfile.ZipFile(partial, "w") as archive:
            _add(archive, "setup.sh", SETUP_SH.format(requirements=REQUIREMENTS, wheel=wheel.name).encode(), True)
            _add(archive, "run_autograder", RUN_AUTOGRADER.encode(), True)
            _add(archive, CONFIG, settings.to_json().encode())
            header = (
                f"# Pinned by grade gradescope-kit from Python {platform.python_version()} on {sys.platform}: the\n"
                "# image's python3 must be able to install these versions (numpy 2.3 and later need Python 3.11+).\n"
            )
            _add(archive, REQUIREMENTS, (header + "\n".join(needed) + "\n").encode())
            _add(archive, FALLBACK, (json.dumps(fallback, ensure_ascii=False, indent=2) + "\n").encode())
            _add(archive, wheel.name, wheel.read_bytes())
        partial.replace(out)
    return Kit(out, wheel.name, tuple(needed))


# ---------------------------------------------------------------------------------------------------------------
# Grading one submission (Gradescope's container)


def _unmarked(exercise: Exercise, settings: KitSettings, status: Status, message: str) -> ExerciseResult:
    tasks = tuple(TaskResult(t.name, status, 0.0, float(t.points), 0, message) for t in exercise.tasks)
    return ExerciseResult(exercise.name, exercise.title, settings.seed, ("cpu",), tasks)


def failure_results(settings: KitSettings, message: str) -> dict:
    """Results that say the grading failed: every task of the kit at 0, the message shown to the student."""
    run = RunResult(tuple(_unmarked(e, settings, Status.ERROR, message) for e in settings.chosen))
    data = results_json(run.to_dict(), settings.lang, settings.visibility, notes=(message,))
    data["visibility"] = "visible"  # a score of 0 tells nothing about the grading: the student can upload again
    return data


def grade_submission(submission: Path, settings: KitSettings) -> dict:
    """Gradescope's results for the learner's upload under `submission`: exactly the kit's exercises."""
    from grader.api import grade_handed, make_options
    from grader.submission import read_submission

    options = make_options(
        lang=settings.lang, seed=settings.seed, examples=settings.examples, memory_mb=settings.memory_mb
    )
    notes, results, found = [], [], 0
    for exercise in settings.chosen:
        try:
            handed = read_submission((exercise,), submission)[exercise.name]
        except SubmissionNotFound as exc:  # two files equally good, or a file that is not a plain file
            notes.append(str(exc))
            results.append(_unmarked(exercise, settings, Status.MISSING, str(exc)))
            continue
        if handed is None:
            names = ", ".join(task.name for task in exercise.tasks)
            notes.append(
                _("{exercise}: no file of your submission defines its functions ({names})").format(
                    exercise=exercise.name, names=names
                )
            )
            results.append(grade_handed(exercise, None, options))
            continue
        found += 1
        shown = handed.path.relative_to(submission).as_posix() if handed.path.is_relative_to(submission) else ""
        notes.append(_("{exercise}: graded {file}").format(exercise=exercise.name, file=shown or handed.path.name))
        try:
            results.append(grade_handed(exercise, handed, options))
            for warning in results[-1].warnings:  # a weaker sandbox in this container: for the instructor only
                print(f"Warning: {exercise.name}: {warning}", flush=True)
        except SubmissionNotFound as exc:  # a notebook that is not one
            notes.append(str(exc))
            results.append(_unmarked(exercise, settings, Status.ERROR, str(exc)))
    data = results_json(RunResult(tuple(results)).to_dict(), settings.lang, settings.visibility, tuple(notes))
    if not found:
        data["visibility"] = "visible"  # nothing was graded: saying so reveals nothing, and the student can fix it
    return data


def run_autograder(root: Path) -> dict:
    """Grade `root/submission` as `root/source/kit.json` says and write `root/results/results.json`, whatever
    happens: a failure of the grader itself becomes results with score 0 that say so (the traceback goes to
    stdout, which Gradescope shows the instructor only)."""
    started = time.monotonic()
    settings = None
    try:
        settings = KitSettings.load(root / "source" / CONFIG)
        with language(settings.lang):
            data = grade_submission(root / "submission", settings)
    except Exception as exc:
        traceback.print_exc(file=sys.stdout)
        lang = settings.lang if settings is not None else "ko"
        with language(lang):
            message = _("the autograder itself failed ({error}); your work was not graded, please tell the instructor")
            message = message.format(error=f"{type(exc).__name__}: {exc}")
            if settings is not None:
                data = failure_results(settings, message)
            else:
                data = {"score": 0.0, "output": message, "visibility": "visible", "tests": []}
    data["execution_time"] = round(time.monotonic() - started, 1)
    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    partial = results.with_name("results.json.partial")
    partial.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    partial.replace(results)
    return data


def main() -> None:
    root = Path(os.environ.get("AUTOGRADER_ROOT") or "/autograder")
    data = run_autograder(root)
    with contextlib.suppress(OSError):
        print(f"score {data.get('score', 0):g}; results in {root / 'results' / 'results.json'}")


if __name__ == "__main__":
    main()
