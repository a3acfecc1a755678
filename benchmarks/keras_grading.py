"""What grading exercise 6 (Keras) costs, against what importing TensorFlow costs on the same machine.

    python benchmarks/keras_grading.py [--repeats N] [--json FILE]

Runs, alternately and cold (a fresh process each time), `python -c "import tensorflow"` and
`grade exercise6 --submission solutions --format json`, and prints the medians, the spreads and their ratio.
The ratios are what to compare between machines: these machines are noisy. The target is a ratio of about 2:
grading pays for TensorFlow about once (the worker and the grader import it at the same time), not once per
task or example.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = {
    "import tensorflow": [sys.executable, "-c", "import tensorflow"],
    "grade exercise6": [sys.executable, "-m", "grader", "exercise6", "--submission", "solutions", "--format", "json"],
}


def _seconds(command: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0,):
        raise SystemExit(f"{' '.join(command[1:])} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    options = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(options.repeats):  # alternating, so that a noisy minute touches both
        for name, command in COMMANDS.items():
            times[name].append(_seconds(command))
    medians = {name: statistics.median(values) for name, values in times.items()}
    ratio = medians["grade exercise6"] / medians["import tensorflow"]
    print(f"{'what':<20} {'median s':>9} {'min s':>7} {'max s':>7}")
    for name, values in times.items():
        print(f"{name:<20} {medians[name]:>9.2f} {min(values):>7.2f} {max(values):>7.2f}")
    print(f"ratio grade/import: {ratio:.2f} (target: about 2)")
    if options.json is not None:
        options.json.write_text(json.dumps({"seconds": times, "medians": medians, "ratio": ratio}, indent=2))


if __name__ == "__main__":
    main()
