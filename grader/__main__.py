"""`python -m grader` works like the `grade` command (the console script `grade` comes here too)."""

import sys


def main() -> None:
    from grader.sandbox import early

    early.start(sys.argv[1:])  # the learner's interpreter starts on another core while the grader imports itself
    from grader.cli import run

    run()


if __name__ == "__main__":
    main()
