"""The instructor's side: marking a class. The roster says who the students are and what each handed in, a
marker process marks one student at a time, the batch runs markers over a class (or one shard of it) and keeps
every report, and the gradebook turns the reports into the class's marks. Nothing here runs learner code
itself: each exercise is still graded in its own sandboxed worker."""
