"""Marking throughput: a generated class of mixed submissions marked by `grade batch` at --jobs 1 and 2.

    python benchmarks/class_throughput.py [--students 50] [--exercises 1,2,3,4,5] [--examples 100]
                                          [--timeout 3] [--jobs 1,2] [--zygote on] [--class mixed]
                                          [--json FILE]

The class (written to a temporary folder) holds, in turn: correct submissions (the references and the
correct-in-another-way fixtures), wrong ones (a reference with one classic mistake from solutions/mistakes
or tests/fixtures/mutants),
hostile ones (an endless loop, an exit at import, memory without end, a flood of output) and empty folders.
Each --jobs setting marks the same class cold, into a fresh folder, as a whole `grade batch` process; the
script prints seconds, students per minute and the speed-up of each setting over the first, measured in
the same run (these machines are noisy: compare ratios, not seconds). It also checks that every setting wrote
the same gradebook. `--zygote off,on` marks the class at each --jobs setting with the markers' workers started
as fresh interpreters and forked by a zygote (GRADE_ZYGOTE); `--class correct` makes every student correct.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
MISTAKES = SOLUTIONS / "mistakes"
FIXTURES = ROOT / "tests" / "fixtures"

HOSTILE = {
    "loops_for_ever": (1, "\n\ndef conv1d(x, w, b=0.0):\n    while True:\n        pass\n"),
    "exits_at_import": (2, "\nimport os\nos._exit(3)\n"),
    "eats_memory": (
        3,
        "\n\ndef max_pool2d(x, pool_size=2, strides=None, padding='valid'):\n"
        "    hoard = []\n    while True:\n        hoard.append(bytearray(64 * 2**20))\n",
    ),
    "floods_output": (
        1,
        "\n\n_right = correlate2d\n\ndef correlate2d(image, kernel):\n"
        "    print('x' * 100000)\n    return _right(image, kernel)\n",
    ),
}


def _solution(number: int) -> Path:
    return next(SOLUTIONS.glob(f"exercise{number}_*.py"))


def write_class(folder: Path, size: int, numbers: list[int], *, mix: str = "mixed") -> dict[str, int]:
    """`size` students, 40% correct, 30% wrong, 20% hostile, 10% empty (`mix="correct"`: all correct); returns
    how many of each."""
    correct = [p for p in sorted((FIXTURES / "correct").glob("exercise*.py")) if _number(p) in numbers]
    mistakes = [*sorted((FIXTURES / "mutants").glob("exercise*.py")), *sorted(MISTAKES.glob("exercise*/[!_]*.py"))]
    mutants = [p for p in mistakes if _number(p) in numbers]
    hostile = [(name, n, code) for name, (n, code) in HOSTILE.items() if n in numbers]
    kinds = ["correct"] if mix == "correct" else ["correct"] * 4 + ["wrong"] * 3 + ["hostile"] * 2 + ["empty"]
    counts: dict[str, int] = {}
    for i in range(size):
        kind = kinds[i % len(kinds)]
        counts[kind] = counts.get(kind, 0) + 1
        student = folder / f"student{i:03d}_{kind}"
        student.mkdir(parents=True)
        if kind == "empty":
            continue
        files = {n: _solution(n).read_text() for n in numbers}
        if kind == "correct" and correct:
            other = correct[i % len(correct)]
            files[_number(other)] = other.read_text()
        elif kind == "wrong" and mutants:
            mutant = mutants[i % len(mutants)]
            files[_number(mutant)] += "\n\n" + mutant.read_text()
        elif kind == "hostile" and hostile:
            _, n, code = hostile[i % len(hostile)]
            files[n] = code + files[n] if "import os" in code else files[n] + code
        for n, text in files.items():
            # Each student's file is their own bytes, as in a real class: nothing may mark a student by
            # another's identical file (the same code: every byte of it is graded again).
            (student / _solution(n).name).write_text(f"{text}\n# {student.name}\n", encoding="utf-8")
    return counts


def _number(path: Path) -> int:
    """The exercise of a fixture (exercise3_*.py) or of a declared mistake (exercise3_pooling/<name>.py)."""
    named = path if path.name.startswith("exercise") else path.parent
    return int(named.name.removeprefix("exercise").split("_")[0])


def mark(submissions: Path, out: Path, jobs: int, options: argparse.Namespace, zygote: str = "") -> float:
    command = [sys.executable, "-m", "grader", "batch", str(submissions), "--out", str(out)]
    command += ["--exercises", options.exercises, "--jobs", str(jobs), "--examples", str(options.examples)]
    command += ["--timeout", str(options.timeout), "--format", "json"]
    start = time.perf_counter()
    environment = dict(os.environ, GRADE_ZYGOTE=zygote) if zygote else None
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False, env=environment)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"grade batch failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--exercises", default="1,2,3,4,5", help="as grade batch takes them (all: with Keras)")
    parser.add_argument("--examples", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=3.0)
    parser.add_argument("--jobs", default="1,2", help="the settings to compare, the first is the baseline")
    parser.add_argument("--zygote", default="", help="off, on or both (off,on); by default as grade batch does")
    parser.add_argument("--class", dest="mix", choices=("mixed", "correct"), default="mixed")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    options = parser.parse_args()
    numbers = list(range(1, 7)) if options.exercises == "all" else [int(n) for n in options.exercises.split(",")]
    settings = [(int(j), z) for z in options.zygote.split(",") for j in options.jobs.split(",")]
    with tempfile.TemporaryDirectory(prefix="class-throughput-") as scratch:
        submissions = Path(scratch) / "submissions"
        counts = write_class(submissions, options.students, numbers, mix=options.mix)
        seconds, gradebooks = {}, set()
        for j, z in settings:
            out = Path(scratch) / f"out-{j}-{z or 'default'}"
            seconds[j, z] = mark(submissions, out, j, options, z)
            gradebooks.add((out / "gradebook.csv").read_text())
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"class: {options.students} students {counts}; exercises {options.exercises}; "
        f"{options.examples} examples; timeout {options.timeout:g} s; {cores} cores"
    )
    print(f"{'jobs':>4} {'zygote':>7} {'seconds':>8} {'students/min':>13} {'speed-up':>9}")
    base = seconds[settings[0]]
    for j, z in settings:
        rate = 60 * options.students / seconds[j, z]
        print(f"{j:>4} {z or 'default':>7} {seconds[j, z]:>8.1f} {rate:>13.1f} {base / seconds[j, z]:>9.2f}")
    print("same gradebook at every setting:", "yes" if len(gradebooks) == 1 else "NO")
    if options.json is not None:
        named = {f"jobs {j}" + (f", zygote {z}" if z else ""): t for (j, z), t in seconds.items()}
        figures = {"counts": counts, "seconds": named, "speedup": {k: base / t for k, t in named.items()}}
        options.json.write_text(json.dumps(figures, indent=2))
    if len(gradebooks) != 1:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
