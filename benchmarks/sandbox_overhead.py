"""What the sandbox costs: starting a confined worker, one call across the boundary, and ending it.

    python benchmarks/sandbox_overhead.py [--repeats N] [--json FILE]

Prints a table of medians and spreads (these machines are noisy) and, for scale, the same function called in
this process. A worker serves a whole exercise, so "start + load" and "close" are paid once per exercise (and
again after a task that hung or crashed); "call" is paid once per example.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from grader.sandbox.worker import Worker
from grader.spec import Call

SUBMISSION = "import numpy as np\n\ndef double(x):\n    return x * 2\n"


def _seconds(function, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


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

    with Worker(path, ("tensorflow",)) as worker:
        worker.start(30)
        for name, call in (("call, 1x6x6x2 array", small), ("call, 16x32x32x16 array (1 MiB)", large)):
            worker.call("double", call, 30)  # warm
            hundred = _seconds(lambda c=call: [worker.call("double", c, 30) for _ in range(100)], repeats)
            rows[name] = [t / 100 for t in hundred]
    hundred = _seconds(lambda: [small.args[0] * 2 for _ in range(100)], repeats)
    rows["in-process call, 1x6x6x2"] = [t / 100 for t in hundred]
    return rows


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
