"""Instructor batch grading (`grader grade`, grader/commands/batch.py): the gradebook, feedback
files and the class report.

discover (who submitted what) → parallel (N grader processes, each with its zygote) →
gradebook (SQLite, written as each submission finishes) → feedback files, export, class report.
"""
