"""How fast grading is, where the time goes, and how that compares with starting numpy or TensorFlow.

    python benchmarks/speed.py [--repeats 3] [--exercises 1,2,3,4,5,6,7] [--students 20] [--floor] [--json FILE]
                               [--before REV]

For each exercise, graded with the solutions, as whole cold processes (a fresh `python` each time), run in
turn so that a noisy minute touches every column:

- `grade exerciseN`, first run: an empty GRADE_CACHE_DIR, as a fresh clone, a new notebook or a CI job meets
  it (the shipped calls serve seed 0); and again: with the cache an earlier run filled;
- where its time goes, from the engine's own timers (`grader.timings`, on only when GRADE_TIMINGS names a
  file; never in a report): interpreter start (the process's start until the grader's package is entered),
  imports (until grading begins, and the references' TensorFlow), worker start (the learner's process started
  and the submission loaded), drawing (hypothesis drawing calls, and searching and shrinking after a wrong
  answer), judging (the references' answers and comparisons), waiting (for the worker's replies), and the
  rest (reporting, exit); exercise 7's speed bar on its own line;
- the ratios of first and again to `python -c "import numpy, hypothesis"` and, for exercise 6 (Keras), to
  `python -c "import tensorflow"`, against issue 20's targets;
- with --floor, the same properties run by plain pytest and hypothesis in one process, no isolation;
- with --before REV, the same commands on the grader of an earlier commit (a temporary git worktree), in the
  same rounds, so that before and after come from one run on one load.

Then the sandbox's overhead per example (`sandbox_overhead.py`) and, with --students N > 0, the marking
throughput of a class of N correct and of N mixed students (`class_throughput.py`) at --jobs 1 and 2.
Every figure is the median of --repeats cold processes, with its spread; the load average is printed before
and after. Compare ratios between machines, not seconds.
"""

from __future__ import annotations

import argparse
import contextlib
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


# The floor runs in a folder of its own, on this checkout's grader (not whichever one is installed).
FLOOR_ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))}

# The same file without pytest: the properties called one after another in a bare interpreter.
BARE = "import runpy; [t() for n, t in runpy.run_path({!r}).items() if n.startswith('test_')]"


def _seconds(command: list[str], cwd: Path, env: dict[str, str] | None = None, ok=(0,)) -> float:
    return _run(command, cwd, env, ok)[0]


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None, ok=(0,)) -> tuple[float, float]:
    """Seconds the command took, and the wall-clock time it was started at."""
    spawned = time.time()
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return elapsed, spawned


PHASES = ("interpreter start", "imports", "worker start", "drawing", "judging", "waiting", "rest")


def _phases(seconds: float, spawned: float, timings: Path) -> dict[str, float]:
    """Where a graded process's `seconds` went, from the file its `grader.timings` wrote."""
    figures = json.loads(timings.read_text())
    spent = figures["phases"]
    phases = {
        "interpreter start": figures["entered"] - spawned,
        "imports": figures.get("grading", figures["exited"]) - figures["entered"] + spent.get("imports", 0.0),
        "worker start": spent.get("worker start", 0.0),
        "drawing": spent.get("drawing", 0.0) + spent.get("searching", 0.0),
        "judging": spent.get("judging", 0.0),
        "waiting": spent.get("waiting", 0.0),
        "speed bar": spent.get("speed bar", 0.0),
    }
    phases["rest"] = seconds - sum(phases.values())
    return phases


def _grade(number: int) -> list[str]:
    return [sys.executable, "-m", "grader", f"exercise{number}", "--submission", "solutions", "--format", "json"]


def _env(cache: Path, timings: Path | None = None) -> dict[str, str]:
    env = {**os.environ, "GRADE_CACHE_DIR": str(cache)}
    if timings is not None:
        env["GRADE_TIMINGS"] = str(timings)
    return env


BASELINES = {"import numpy, hypothesis": "import numpy, hypothesis", "import tensorflow": "import tensorflow"}


def measure_exercises(
    numbers: list[int], repeats: int, scratch: Path, floor: bool = False, before: Path | None = None
) -> dict:
    """Seconds per run: for each exercise, `first` and `again` (with --floor, `floor` and `python`; with
    `before`, a checkout of an earlier grader, `before first` and `before again`), and the phases of each
    (`first phases`, `again phases`: name -> seconds per run); and the baselines' `first`."""
    warm = scratch / "warm-cache"
    before_warm = scratch / "before-warm-cache"
    floors = {}
    for number in numbers:
        if floor and number != 6:
            floors[number] = scratch / f"floor{number}" / f"test_exercise{number}_floor.py"
            floors[number].parent.mkdir()
            floors[number].write_text(FLOOR_TEMPLATE.format(number=number, seed=SEED, examples=EXAMPLES))
        _seconds(_grade(number), ROOT, _env(warm))  # fills the warm cache (untimed)
        if before is not None:
            _seconds(_grade(number), before, _before_env(before, before_warm), ok=(0, 1))
    times: dict[str, dict] = {f"exercise{n}": {} for n in numbers}
    baselines = [name for name in BASELINES if name != "import tensorflow" or 6 in numbers]
    times.update({name: {"first": []} for name in baselines})
    timings = scratch / "timings.json"
    for run in range(repeats):
        for name in baselines:
            times[name]["first"].append(_seconds([sys.executable, "-c", BASELINES[name]], ROOT))
        for number in numbers:
            row = times[f"exercise{number}"]
            for column, cache in (("first", scratch / f"empty-{number}-{run}"), ("again", warm)):
                seconds, spawned = _run(_grade(number), ROOT, _env(cache, timings))
                row.setdefault(column, []).append(seconds)
                for phase, spent in _phases(seconds, spawned, timings).items():
                    row.setdefault(f"{column} phases", {}).setdefault(phase, []).append(spent)
            if before is not None:
                for column, cache in (
                    ("before first", scratch / f"before-empty-{number}-{run}"),
                    ("before again", before_warm),
                ):
                    row.setdefault(column, []).append(
                        _seconds(_grade(number), before, _before_env(before, cache), ok=(0, 1))
                    )
            if number in floors:
                folder, name = floors[number].parent, floors[number].name
                command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", name]
                row.setdefault("floor", []).append(_seconds(command, folder, FLOOR_ENV))
                bare = [sys.executable, "-c", BARE.format(name)]
                row.setdefault("python", []).append(_seconds(bare, folder, FLOOR_ENV))
    return times


def _before_env(checkout: Path, cache: Path) -> dict[str, str]:
    """The environment of a run on an earlier checkout: its own grader first on the path, its own cache."""
    return {**_env(cache), "PYTHONPATH": str(checkout)}


@contextlib.contextmanager
def _checkout(revision: str | None):
    """A temporary git worktree of `revision` (None: nothing), removed afterwards."""
    if revision is None:
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="grade-before-"))
    subprocess.run(["git", "worktree", "add", "--detach", str(folder), revision], cwd=ROOT, check=True)
    try:
        yield folder
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(folder)], cwd=ROOT, check=False)


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _cell(values: list[float] | None) -> str:
    if not values:
        return f"{'':>17}"
    return f"{_median(values):6.2f} ({min(values):.2f}-{max(values):.2f})"


def _ratio_targets(name: str, row: dict, numpy_base: float, tf_base: float | None) -> tuple[dict, dict]:
    """Issue 20's targets: a numpy exercise first at most 2x and again 1.5x `import numpy, hypothesis`
    (exercise 7 without its speed bar); exercise 6 first at most 2x and again 1.5x `import tensorflow`."""
    bar = {c: _median(row[f"{c} phases"]["speed bar"]) for c in ("first", "again")}
    first, again = _median(row["first"]) - bar["first"], _median(row["again"]) - bar["again"]
    base, label = (tf_base, "import tf") if name == "exercise6" else (numpy_base, "import numpy+hyp")
    if base is None:
        return {}, {}
    ratios = {f"first/{label}": first / base, f"again/{label}": again / base}
    first_ratio, again_ratio = ratios.values()
    targets = {"first at most 2x": first_ratio <= 2.0, "again at most 1.5x": again_ratio <= 1.5}
    return ratios, targets


def report(times: dict, sandbox_ms: float, classes: dict | None) -> dict:
    """Print the tables; return the figures with their ratios and targets."""
    figures: dict = {"seconds": times, "ratios": {}, "targets": {}}
    numpy_base = _median(times["import numpy, hypothesis"]["first"])
    tf_base = _median(times["import tensorflow"]["first"]) if "import tensorflow" in times else None
    exercises = [name for name in times if name.startswith("exercise")]
    columns = tuple(
        c
        for c in ("before first", "before again", "first", "again", "floor", "python")
        if any(c in row for row in times.values())
    )
    titles = {"first": "first run", "floor": "floor: pytest", "python": "bare python", "before first": "before: first"}
    print("seconds, median (min-max) of cold processes")
    print(f"{'':<26}" + "".join(f"{titles.get(c, c):>18}" for c in columns))
    for name, row in times.items():
        print(f"{name:<26}" + "".join(f"{_cell(row.get(c)):>18}" for c in columns))
    for column in ("first", "again"):
        print(f"\nwhere the time goes, {column} run (seconds, medians)")
        print(f"{'':<12}" + "".join(f"{p:>18}" for p in PHASES))
        for name in exercises:
            phases = times[name][f"{column} phases"]
            print(f"{name:<12}" + "".join(f"{_median(phases[p]):>18.3f}" for p in PHASES))
        for name in exercises:
            bar = times[name][f"{column} phases"]["speed bar"]
            if _median(bar) > 0:
                print(f"{name} speed bar: {_cell(bar)} s (counted apart from the phases and the ratios)")
    print(f"\n{'ratios (medians)':<18}{'first':>10}{'again':>10}  to          targets")
    for name in exercises:
        ratios, targets = _ratio_targets(name, times[name], numpy_base, tf_base)
        figures["ratios"][name], figures["targets"][name] = ratios, targets
        if not ratios:
            continue
        first, again = ratios.values()
        base = next(iter(ratios)).split("/", 1)[1]
        met = ", ".join(f"{k} {'met' if v else 'NOT MET'}" for k, v in targets.items())
        print(f"{name:<18}{first:>10.2f}{again:>10.2f}  {base:<18}{met}")
    figures["sandbox_ms_per_example"] = sandbox_ms
    print(f"\nsandbox overhead per example: {sandbox_ms:.3f} ms (target: under 2 ms)")
    if classes:
        figures["class"] = classes
        print(f"\nclass marking ({classes['students']} students, exercises 1-5, {EXAMPLES} examples, cold processes):")
        for mix, by_jobs in classes["seconds"].items():
            for jobs, seconds in by_jobs.items():
                rate = [60 * classes["students"] / s for s in seconds]
                print(f"  {mix:<8} --jobs {jobs}: {_cell(seconds)} s, {_median(rate):6.1f} students/min")
        # The target is judged on the correct class: a mixed one's hostile students spend their time limits
        # (an endless loop its --timeout, memory without end the seconds it takes to fill the limit), whatever
        # the grader does; its rate is printed beside it.
        rate = 60 * classes["students"] / _median(classes["seconds"]["correct"][2])
        figures["targets"]["class"] = {"at least 200 students/min at --jobs 2 (correct)": rate >= 200}
        print(f"  target: at least 200 students/min at --jobs 2 (the correct class): {'met' if rate >= 200 else 'no'}")
    return figures


def measure_class(students: int, repeats: int, scratch: Path) -> dict:
    """Seconds to mark a class of `students` correct and of `students` mixed ones, cold, at --jobs 1 and 2."""
    options = argparse.Namespace(exercises="1,2,3,4,5", examples=EXAMPLES, timeout=3.0)
    seconds: dict[str, dict[int, list[float]]] = {}
    for mix in ("correct", "mixed"):
        submissions = scratch / f"class-{mix}"
        class_throughput.write_class(submissions, students, [1, 2, 3, 4, 5], mix=mix)
        for run in range(repeats):
            for jobs in (1, 2):
                os.environ["GRADE_CACHE_DIR"] = str(scratch / f"class-cache-{mix}-{jobs}-{run}")  # an empty cache
                marked = scratch / f"marked-{mix}-{jobs}-{run}"
                seconds.setdefault(mix, {}).setdefault(jobs, []).append(
                    class_throughput.mark(submissions, marked, jobs, options)
                )
    return {"students": students, "seconds": seconds}


def _load() -> str:
    try:
        return Path("/proc/loadavg").read_text().strip()
    except OSError:
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--exercises", default="1,2,3,4,5,6,7")
    parser.add_argument("--students", type=int, default=20, help="class size for the batch figures (0: skip)")
    parser.add_argument("--floor", action="store_true", help="also time the properties under plain pytest")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--before", default=None, help="also time an earlier commit's grader (a git revision)")
    options = parser.parse_args()
    numbers = [int(n) for n in options.exercises.split(",")]
    load_before = _load()
    with tempfile.TemporaryDirectory(prefix="grade-speed-") as folder, _checkout(options.before) as before:
        scratch = Path(folder)
        times = measure_exercises(numbers, options.repeats, scratch, options.floor, before)
        rows = sandbox_overhead.measure(15)
        sandbox_ms = 1000 * (_median(rows["call, 1x6x6x2 array"]) - _median(rows["in-process call, 1x6x6x2"]))
        classes = measure_class(options.students, options.repeats, scratch) if options.students > 0 else None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"{cores} cores, {options.repeats} runs each, {EXAMPLES} examples per task, seed {SEED}")
    print(f"load average before: {load_before}; after: {_load()}\n")
    figures = report(times, sandbox_ms, classes)
    figures["load"] = {"before": load_before, "after": _load()}
    if options.json is not None:
        options.json.write_text(json.dumps(figures, indent=2, default=str))


if __name__ == "__main__":
    main()
