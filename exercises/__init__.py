"""The exercise set installed with the grader, importable as `grader_exercises`.

Data, not code: one YAML spec per chapter (`*.yaml`), the public check drivers (`drivers/`,
which every student pack copies), and the pinned plans (`plans/`, re-pinned with
`python -m grader.plan`). pyproject.toml maps this folder to its import name, so a plain and an
editable install find it alike (grader/spec/loader.py); nothing ever imports this module.
"""
