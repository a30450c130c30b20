"""Instructor batch grading (`grader grade`, grader/commands/batch.py): the gradebook, feedback
files and the class report.

discover (who submitted what) → parallel (N grader processes, each with its zygote) →
gradebook (SQLite, written as each submission finishes) → feedback files, export, class report.

A course around it (issue 15): `submitted` (when each submission was made: the LMS's record, the
last commit, the file's date), `lateness` (what that costs under the assignment's late policy),
`extensions`, `overrides` (hand corrections and the final score), `coursebook` (their tables in
the gradebook), `rewrite` (the outputs again after a correction).
"""
