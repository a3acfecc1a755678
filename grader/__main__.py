"""`python -m grader` works like the `grade` command (the console script `grade` comes here too)."""

import sys


def main() -> None:
    import os

    # The grader's own arrays are small: one BLAS thread (numpy reads this as it is imported), which also leaves
    # no thread to fork when a batch forks its markers. Learner code has its own environment (`sandbox.process`).
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    from grader.sandbox import early

    argv = sys.argv[1:]
    early.start(argv)  # the learner's interpreter starts on another core while the grader imports itself
    from grader.cli import run

    try:
        run()
    except SystemExit as done:
        if not early.one_exercise(argv):
            raise
        _exit_now(done.code)
    if early.one_exercise(argv):
        _exit_now(0)


def _exit_now(code) -> None:
    """End a one-shot grading without tearing the interpreter down (numpy's modules and every object freed one
    by one: ~20 ms of a 0.4 s run). What an exit must do is done: the atexit handlers (the worker started early,
    the timings), the streams flushed; the report was written and every file closed by then. Only when no other
    thread runs, else the ordinary exit that waits for it."""
    import atexit
    import os
    import threading

    if threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()
    status = code if isinstance(code, int) else 0 if code is None else 1
    if not isinstance(code, int | None):
        print(code, file=sys.stderr)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed or broken pipe: as the ordinary exit, the status stands
            status = status or 120
    os._exit(status)


if __name__ == "__main__":  # not again in a spawned helper process (the feedback pages' drawers import __main__)
    main()
