"""Reference solutions. The grader compares learners' functions with these; nothing here is shown to learners."""
