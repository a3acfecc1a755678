"""`python -m grader` works like the `grade` command."""

from grader.cli import run

run()
