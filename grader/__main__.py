"""`python -m grader` works like the `grade` command."""

from grader.cli import run

if __name__ == "__main__":  # not again in a spawned helper process (the feedback pages' drawers import __main__)
    run()
