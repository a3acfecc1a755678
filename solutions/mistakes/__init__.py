"""Classic wrong versions of the reference solutions, one file per mistake, per exercise.

Each file is lines appended to its exercise's reference solution that replace what the mistake changes; its
first line names the tasks the mistake loses (`# breaks: task, ...`). The grader runs them to name a
learner's misconception (`grader.diagnosis`); the tests grade each as a submission and check that it loses
exactly those tasks and is diagnosed as itself.
"""
