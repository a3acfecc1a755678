"""How fast grading is, against the floor of what the same checks cost without a grader around them.

    python benchmarks/speed.py [--repeats 3] [--exercises 1,2,3,4,5,6] [--students 10] [--json FILE]

For each exercise, graded with the solutions, as whole cold processes (a fresh `python` each time), run in
turn so that a noisy minute touches every column:

- `grade exerciseN`, first run: nothing kept from an earlier run (an empty GRADE_CACHE_DIR), so every call
  is drawn by hypothesis; and again: the drawn calls kept from an earlier run, as a learner's second and
  later checks find them;
- the floor: the same properties (the catalog's strategies, example counts, seed, corner cases, comparators)
  run by plain pytest and hypothesis in one process, learner function called directly, no isolation: what a
  hand-written test file costs;
- their ratios, and for exercise 6 (Keras) the ratio to `python -c "import tensorflow"`.

Then the sandbox's overhead per example (`sandbox_overhead.py`) and, with --students N > 0, the marking
throughput of a generated class at --jobs 1 and 2 (`class_throughput.py`). Medians and spreads are printed;
compare ratios between machines, not seconds. Targets (issue 8, on the 2-core CI machine): exercises 1-5
under 2 s and at most 1.5 times the floor, exercise 6 at most 2 times `import tensorflow`, the sandbox under
2 ms per example.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import class_throughput
import sandbox_overhead

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = 100
SEED = 0

FLOOR_TEMPLATE = '''\
"""exercise{number} by plain pytest: the grader's properties, the solutions called in this process."""

import copy
import importlib

from hypothesis import HealthCheck, Phase, given, seed, settings

from grader import catalog, drawing

EXERCISE = catalog.find("exercise{number}")
LEARNER = importlib.import_module("solutions." + EXERCISE.module_name)


def _property(task):
    reference, function = EXERCISE.reference(task), getattr(LEARNER, task.name)

    def check(call):
        expected = reference(*copy.deepcopy(call.args), **copy.deepcopy(call.kwargs))
        actual = function(*call.args, **call.kwargs)
        assert task.compare(call, expected, actual, reference) is None

    @seed({seed})
    @settings(
        max_examples=min({examples}, task.max_examples or {examples}),
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.generate, Phase.shrink),
    )
    @given(drawing.built(task))
    def generated(call):
        check(call)

    def test():
        generated()
        for call in task.examples:
            check(call)

    return test


for _task in EXERCISE.tasks:
    globals()["test_" + _task.name] = _property(_task)
'''


# The same file without pytest: the properties called one after another in a bare interpreter.
BARE = "import runpy; [t() for n, t in runpy.run_path({!r}).items() if n.startswith('test_')]"


def _seconds(command: list[str], cwd: Path, env: dict[str, str] | None = None, ok=(0,)) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return elapsed


def _grade(number: int) -> list[str]:
    return [sys.executable, "-m", "grader", f"exercise{number}", "--submission", "solutions", "--format", "json"]


def _env(cache: Path) -> dict[str, str]:
    return {**os.environ, "GRADE_CACHE_DIR": str(cache)}


def measure_exercises(numbers: list[int], repeats: int, scratch: Path) -> dict[str, dict[str, list[float]]]:
    """Seconds per run: for each exercise, `first`, `again` and `floor` (exercise 6: `first`, `again`)."""
    warm = scratch / "warm-cache"
    floors = {}
    for number in numbers:
        if number != 6:
            floors[number] = scratch / f"floor{number}" / f"test_exercise{number}_floor.py"
            floors[number].parent.mkdir()
            floors[number].write_text(FLOOR_TEMPLATE.format(number=number, seed=SEED, examples=EXAMPLES))
        _seconds(_grade(number), ROOT, _env(warm))  # fills the warm cache (untimed)
    times: dict[str, dict[str, list[float]]] = {f"exercise{n}": {} for n in numbers}
    times["import tensorflow"] = {"first": []}
    for run in range(repeats):
        for number in numbers:
            row = times[f"exercise{number}"]
            empty = scratch / f"empty-{number}-{run}"
            row.setdefault("first", []).append(_seconds(_grade(number), ROOT, _env(empty)))
            row.setdefault("again", []).append(_seconds(_grade(number), ROOT, _env(warm)))
            if number in floors:
                folder, name = floors[number].parent, floors[number].name
                floor = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", name]
                row.setdefault("floor", []).append(_seconds(floor, folder))
                row.setdefault("python", []).append(_seconds([sys.executable, "-c", BARE.format(name)], folder))
        if 6 in numbers:
            times["import tensorflow"]["first"].append(_seconds([sys.executable, "-c", "import tensorflow"], ROOT))
    if 6 not in numbers:
        del times["import tensorflow"]
    return times


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _cell(values: list[float] | None) -> str:
    if not values:
        return f"{'':>17}"
    return f"{_median(values):6.2f} ({min(values):.2f}-{max(values):.2f})"


def report(times: dict, sandbox_ms: float, classes: dict | None) -> dict:
    """Print the tables; return the figures with their ratios and targets."""
    figures: dict = {"seconds": times, "ratios": {}, "targets": {}}
    tf = _median(times["import tensorflow"]["first"]) if "import tensorflow" in times else None
    columns = ("first", "again", "floor", "python")
    print("seconds, median (min-max) of cold processes")
    print(f"{'':<18}" + "".join(f"{c:>18}" for c in ("first run", "again", "floor: pytest", "bare python")))
    for name, row in times.items():
        print(f"{name:<18}" + "".join(f"{_cell(row.get(c)):>18}" for c in columns))
    print(f"\n{'ratios':<18}{'first/floor':>14}{'again/floor':>14}{'first/import tf':>17}  targets")
    for name, row in times.items():
        if name == "import tensorflow":
            continue
        ratios, targets = {}, {}
        if "floor" in row:
            floor = _median(row["floor"])
            ratios = {"first/floor": _median(row["first"]) / floor, "again/floor": _median(row["again"]) / floor}
            targets = {
                "first under 2 s": _median(row["first"]) < 2.0,
                "again under 2 s": _median(row["again"]) < 2.0,
                "at most 1.5x floor": max(ratios.values()) <= 1.5,
            }
        elif tf is not None:
            ratios = {"first/import tf": _median(row["first"]) / tf}
            targets = {"at most 2x import tensorflow": ratios["first/import tf"] <= 2.0}
        figures["ratios"][name], figures["targets"][name] = ratios, targets
        cells = [ratios.get(k) for k in ("first/floor", "again/floor", "first/import tf")]
        shown = "".join(f"{'' if v is None else f'{v:.2f}':>{w}}" for v, w in zip(cells, (14, 14, 17), strict=True))
        met = ", ".join(f"{k} {'met' if v else 'NOT MET'}" for k, v in targets.items())
        print(f"{name:<18}{shown}  {met}")
    figures["sandbox_ms_per_example"] = sandbox_ms
    figures["targets"]["sandbox"] = {"under 2 ms per example": sandbox_ms < 2.0}
    print(f"\nsandbox overhead per example: {sandbox_ms:.3f} ms (target: under 2 ms)")
    if classes:
        figures["class"] = classes
        print(f"\nclass marking ({classes['students']} students, exercises 1-5, {EXAMPLES} examples, cold):")
        for jobs, seconds in classes["seconds"].items():
            rate = 60 * classes["students"] / seconds
            print(f"  --jobs {jobs}: {seconds:6.1f} s, {rate:5.1f} students/min")
    return figures


def measure_class(students: int, scratch: Path) -> dict:
    submissions = scratch / "class"
    class_throughput.write_class(submissions, students, [1, 2, 3, 4, 5])
    options = argparse.Namespace(exercises="1,2,3,4,5", examples=EXAMPLES, timeout=3.0)
    seconds = {}
    for jobs in (1, 2):
        os.environ["GRADE_CACHE_DIR"] = str(scratch / f"class-cache-{jobs}")  # every setting draws afresh
        seconds[jobs] = class_throughput.mark(submissions, scratch / f"marked-{jobs}", jobs, options)
    return {"students": students, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--exercises", default="1,2,3,4,5,6")
    parser.add_argument("--students", type=int, default=10, help="class size for the batch figures (0: skip)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    options = parser.parse_args()
    numbers = [int(n) for n in options.exercises.split(",")]
    with tempfile.TemporaryDirectory(prefix="grade-speed-") as folder:
        scratch = Path(folder)
        times = measure_exercises(numbers, options.repeats, scratch)
        rows = sandbox_overhead.measure(15)
        sandbox_ms = 1000 * (_median(rows["call, 1x6x6x2 array"]) - _median(rows["in-process call, 1x6x6x2"]))
        classes = measure_class(options.students, scratch) if options.students > 0 else None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"{cores} cores, {options.repeats} runs each, {EXAMPLES} examples per task, seed {SEED}\n")
    figures = report(times, sandbox_ms, classes)
    if options.json is not None:
        options.json.write_text(json.dumps(figures, indent=2, default=str))


if __name__ == "__main__":
    main()
