"""What the sandbox costs: starting a confined worker, one call across the boundary, and ending it, and what
each layer of the confinement adds to a worker's start.

    python benchmarks/sandbox_overhead.py [--repeats N] [--json FILE]

Prints a table of medians and spreads (these machines are noisy) and, for scale, the same function called in
this process. A worker serves a whole exercise, so "start + load" and "close" are paid once per exercise (and
again after a task that hung or crashed); "call" is paid once per example. The layers are timed in fresh
processes, one after the other as a worker applies them: resource limits, Landlock (hiding the references only,
or the banned packages too, as a worker of a by-hand exercise does), and the seccomp filter. With a zygote
(Linux), "zygote: start + first load" is a worker's start when its zygote starts too (one-shot grading), and
"zygote: start + load (forked)" every later worker's (a marker's class, `grade watch`, a notebook's checks).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from grader.sandbox import process, zygote
from grader.sandbox.worker import Worker, banned_folders, hidden_folders
from grader.spec import BY_HAND_BANNED, Call

SUBMISSION = "import numpy as np\n\ndef double(x):\n    return x * 2\n"


def _seconds(function, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


_LAYERS = """
import json, sys, tempfile, time
from grader.sandbox import confinement, syscalls
variant, hidden = sys.argv[1], json.loads(sys.argv[2])
rules = confinement.Confinement(tempfile.mkdtemp(), sys.executable, tuple(hidden), 2 << 30, 64 << 20)
times = {}
def timed(name, step):
    start = time.perf_counter()
    step()
    times[name] = time.perf_counter() - start
timed("resource limits", lambda: confinement._limit_resources(rules))
timed(f"Landlock, {variant} hidden", lambda: confinement._landlock(rules))
timed("seccomp filter", syscalls.restrict)
print(json.dumps(times))
"""


def layer_costs(repeats: int) -> dict[str, list[float]]:
    """Each layer as a worker applies it, in a fresh process (Landlock once hiding the references only, once
    the banned packages too)."""
    variants = {
        "references": list(hidden_folders()),
        "references and banned packages": list(hidden_folders() + banned_folders(BY_HAND_BANNED)),
    }
    rows: dict[str, list[float]] = {}
    for _ in range(repeats):
        for variant, hidden in variants.items():
            command = [sys.executable, "-c", _LAYERS, variant, json.dumps(hidden)]
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            for name, seconds in json.loads(done.stdout).items():
                rows.setdefault(f"layer: {name}", []).append(seconds)
    return rows


def measure(repeats: int) -> dict[str, list[float]]:
    folder = Path(tempfile.mkdtemp())
    path = folder / "submission.py"
    path.write_text(SUBMISSION)
    small = Call((np.ones((1, 6, 6, 2), np.float32),), {})
    large = Call((np.ones((16, 32, 32, 16), np.float32),), {})  # 1 MiB
    rows: dict[str, list[float]] = {"start + load": [], "close": []}

    for _ in range(repeats):
        worker = Worker(path, ("tensorflow",))
        rows["start + load"] += _seconds(lambda w=worker: w.start(30), 1)
        rows["close"] += _seconds(worker.close, 1)
    if process.available():
        rows |= {"zygote: start + first load": [], "zygote: start + load (forked)": [], "zygote: close (forked)": []}
        for _ in range(repeats):
            with zygote.kept():
                worker = Worker(path, ("tensorflow",))
                rows["zygote: start + first load"] += _seconds(lambda w=worker: w.start(30), 1)
                worker.close()
                worker = Worker(path, ("tensorflow",))
                rows["zygote: start + load (forked)"] += _seconds(lambda w=worker: w.start(30), 1)
                rows["zygote: close (forked)"] += _seconds(worker.close, 1)

    with Worker(path, ("tensorflow",)) as worker:
        worker.start(30)
        for name, call in (("call, 1x6x6x2 array", small), ("call, 16x32x32x16 array (1 MiB)", large)):
            worker.call("double", call, 30)  # warm
            hundred = _seconds(lambda c=call: [worker.call("double", c, 30) for _ in range(100)], repeats)
            rows[name] = [t / 100 for t in hundred]
    hundred = _seconds(lambda: [small.args[0] * 2 for _ in range(100)], repeats)
    rows["in-process call, 1x6x6x2"] = [t / 100 for t in hundred]
    return rows | layer_costs(repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--json", type=Path, default=None)
    options = parser.parse_args()
    rows = measure(options.repeats)
    print(f"{'what':40} {'median':>12} {'min':>12} {'max':>12}")
    for name, times in rows.items():
        cells = [f"{1000 * t:10.3f} ms" for t in (statistics.median(times), min(times), max(times))]
        print(f"{name:40} {cells[0]:>12} {cells[1]:>12} {cells[2]:>12}")
    overhead = statistics.median(rows["call, 1x6x6x2 array"]) - statistics.median(rows["in-process call, 1x6x6x2"])
    print(f"\nsandbox overhead per example (small array): {1000 * overhead:.3f} ms")
    if options.json:
        options.json.write_text(json.dumps({k: statistics.median(v) for k, v in rows.items()}, indent=2))


if __name__ == "__main__":
    main()
