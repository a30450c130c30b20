"""Grading in CI: where reports go (-o, --fail-under, GitHub Actions' extras) and CI templates.

`output` is used by `grader check`; `commands` holds `grader pack` and `grader ci`; `templates`
renders the workflow files and builds the Gradescope autograder zip from `grader/templates/`.
"""
