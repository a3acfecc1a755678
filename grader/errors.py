"""The grader's own errors: each one means the command was wrong and nothing was graded (exit code 2)."""


class GraderError(Exception):
    """Base of every error the command line turns into "Error: ..." and exit code 2."""


class UnknownExercise(GraderError):
    """An exercise name that names no exercise."""


class SubmissionNotFound(GraderError):
    """A submission path that does not exist or holds nothing gradable."""


class DeclarationError(GraderError):
    """An exercise or task declared inconsistently (a bug in the grader's own catalogue)."""
