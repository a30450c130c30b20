"""Grading in CI: `templates` renders the workflow files and builds the Gradescope autograder
zip from `grader/templates/`. The commands are grader/commands/ci.py (and pack.py); where a
report goes (-o, --fail-under, GitHub Actions' extras) is grader/commands/output.py.
"""
