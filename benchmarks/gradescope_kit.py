"""What a Gradescope container needs: memory and time per exercise, and what setup.sh installs.

    python benchmarks/gradescope_kit.py footprint [--exercises 1,2,...] [--cpus 0] [--repeats N] [--json FILE]
    python benchmarks/gradescope_kit.py install KIT.zip [KIT.zip ...] [--python PYTHON] [--json FILE]

`footprint` grades each exercise with the reference solutions (`grade exerciseN --submission solutions`, a
fresh process and an empty calls cache each time, as a fresh container is) and samples the resident memory of
the whole process tree (the grader, its workers, the learner's processes) every 10 ms: the peak of the sum is
what the container's memory limit must hold (shared pages are counted in each process, so it errs high). It
reports the wall time and the CPU time of the tree; `--cpus 0` pins everything to one CPU (`taskset`), and a
container of 0.5 vCPU needs at least twice the CPU time in wall time.

`install` runs each kit's setup.sh for real (pip, from the network or pip's cache) into a temporary
AUTOGRADER_ROOT and reports its time and the size of the virtual environment it made.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"


class TreeSampler(threading.Thread):
    """The peak of the summed RSS of a process and all its descendants, sampled every `interval` seconds."""

    def __init__(self, pid: int, interval: float = 0.01):
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self.largest = 0
        self.own_cpu = 0.0  # the root's own CPU seconds (not its children's), as last seen
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            total = 0
            try:
                processes = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                break
            try:
                times = self.root.cpu_times()
                self.own_cpu = times.user + times.system
            except psutil.Error:
                pass
            for process in processes:
                try:
                    rss = process.memory_info().rss
                except psutil.Error:
                    continue
                total += rss
                self.largest = max(self.largest, rss)
            self.peak = max(self.peak, total)
            time.sleep(self.interval)


def grade_once(number: int, cpus: str | None) -> dict:
    """One cold grading of exercise `number` with the references: peak tree RSS, wall and CPU seconds."""
    with tempfile.TemporaryDirectory(prefix="grade-footprint-") as cache:
        env = {**os.environ, "GRADE_CACHE_DIR": cache, "GRADE_STATE_DIR": cache}
        command = [sys.executable, "-m", "grader", f"exercise{number}", "--submission", str(SOLUTIONS)]
        command += ["--format", "json", "--output", str(Path(cache) / "report.json")]
        if cpus is not None:
            command = ["taskset", "-c", cpus, *command]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)  # every reaped descendant's CPU time adds up here
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        sampler = TreeSampler(process.pid)
        sampler.start()
        _, stderr = process.communicate()
        wall = time.perf_counter() - started
        sampler.done.set()
        sampler.join()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        report = json.loads((Path(cache) / "report.json").read_text()) if process.returncode in (0, 1) else {}
    return {
        "exercise": f"exercise{number}",
        "returncode": process.returncode,
        "score": f"{report.get('score', 0):g}/{report.get('max_score', 0):g}",
        "peak_tree_rss_mib": sampler.peak / 2**20,
        "largest_process_rss_mib": sampler.largest / 2**20,
        "cpu_seconds": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "grader_cpu_seconds": sampler.own_cpu,
        "wall_seconds": wall,
        "stderr": stderr.decode(errors="replace")[-500:] if process.returncode not in (0, 1) else "",
    }


def footprint(numbers: list[int], cpus: str | None, repeats: int) -> list[dict]:
    rows = []
    for number in numbers:
        runs = [grade_once(number, cpus) for _ in range(repeats)]
        row = {
            "exercise": runs[0]["exercise"],
            "score": runs[0]["score"],
            "peak_tree_rss_mib": max(r["peak_tree_rss_mib"] for r in runs),
            "largest_process_rss_mib": max(r["largest_process_rss_mib"] for r in runs),
            "cpu_seconds": statistics.median(r["cpu_seconds"] for r in runs),
            "wall_seconds": statistics.median(r["wall_seconds"] for r in runs),
            "runs": runs,
        }
        rows.append(row)
        print(
            f"{row['exercise']}  {row['score']:>7}  peak tree RSS {row['peak_tree_rss_mib']:7.0f} MiB  "
            f"(largest process {row['largest_process_rss_mib']:5.0f} MiB)  CPU {row['cpu_seconds']:5.1f} s  "
            f"wall {row['wall_seconds']:5.1f} s" + (f" on CPU {cpus}" if cpus is not None else ""),
            flush=True,
        )
    return rows


def folder_size(folder: Path) -> int:
    total = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            total += path.stat().st_size
    return total


def grade_with_kit(root: Path) -> dict:
    """run_autograder with only what setup.sh installed (no PYTHONPATH), on the references as the upload."""
    shutil.copytree(SOLUTIONS, root / "submission", ignore=shutil.ignore_patterns("__pycache__", "mistakes"))
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["AUTOGRADER_ROOT"] = str(root)
    started = time.perf_counter()
    subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, cwd=root, capture_output=True)
    seconds = time.perf_counter() - started
    results = json.loads((root / "results" / "results.json").read_text())
    maximum = sum(test["max_score"] for test in results["tests"])
    return {"score": f"{results['score']:g}/{maximum:g}", "grading_seconds": seconds}


def install(kits: list[Path], python: str) -> list[dict]:
    rows = []
    for kit in kits:
        with tempfile.TemporaryDirectory(prefix="grade-setup-") as folder:
            root = Path(folder)
            with zipfile.ZipFile(kit) as archive:
                archive.extractall(root / "source")
            env = {**os.environ, "AUTOGRADER_ROOT": str(root), "PYTHON": python, "PIP_NO_CACHE_DIR": "1"}
            started = time.perf_counter()
            done = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=env, capture_output=True, text=True)
            seconds = time.perf_counter() - started
            size = folder_size(root / "venv") if (root / "venv").exists() else 0
            requirements = (root / "source" / "requirements.txt").read_text().split()
            graded = grade_with_kit(root) if done.returncode == 0 else {}
            row = {
                "kit": kit.name,
                "returncode": done.returncode,
                "seconds": seconds,
                "venv_mib": size / 2**20,
                "tensorflow": any(r.startswith("tensorflow") for r in requirements),
                **graded,
                "stderr": done.stderr[-1000:] if done.returncode else "",
            }
            rows.append(row)
            print(
                f"{kit.name}: setup.sh exit {done.returncode}, {seconds:.0f} s, venv {row['venv_mib']:.0f} MiB"
                + (" (with TensorFlow)" if row["tensorflow"] else "")
                + (f"; the references graded {graded['score']} in {graded['grading_seconds']:.0f} s" if graded else ""),
                flush=True,
            )
            if done.returncode:
                print(done.stderr[-1000:], file=sys.stderr)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    foot = commands.add_parser("footprint")
    foot.add_argument("--exercises", default="1,2,3,4,5,6,7")
    foot.add_argument("--cpus", default=None, help="pin to these CPUs (taskset -c), such as 0")
    foot.add_argument("--repeats", type=int, default=1)
    foot.add_argument("--json", type=Path, default=None)
    setup = commands.add_parser("install")
    setup.add_argument("kits", nargs="+", type=Path)
    setup.add_argument("--python", default=shutil.which("python3") or "python3")
    setup.add_argument("--json", type=Path, default=None)
    arguments = parser.parse_args()
    if arguments.command == "footprint":
        numbers = [int(n) for n in arguments.exercises.split(",")]
        rows = footprint(numbers, arguments.cpus, arguments.repeats)
    else:
        rows = install(arguments.kits, arguments.python)
    if arguments.json:
        arguments.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
