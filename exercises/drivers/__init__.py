"""Public helpers that drive checks: behaviour drivers and gradient rules that hold no solution.

Named in the specs (`driver:`, `trajectory.gradient:`) and looked up here, then in
reference/drivers/, then in the reference. Unlike reference/drivers/, this folder is copied into
every student pack (`grader pack`), so a pack can run these checks too: a module here imports
nothing from the reference (nor from reference/drivers/), only the standard library, NumPy and
its siblings (`from ._common import ...`); `grader pack` refuses one that does. Put here what
tests properties (a truth table with a margin, a partition of range(n), a trained network's
classification of XOR), never an answer of an exercise.

- A behaviour driver is `driver(student, cases, params)`. `student(cases, function=None,
  fresh=False)` calls the student's function (or another of theirs) in the worker, one batch per
  call, each case a dict of arguments by name, and returns one outcome per case (`.value` or
  `.error`), or None when the function is missing; `fresh=True` calls again even when the same
  inputs were already answered. `student.trusted(name)` is a trusted function of the exercise
  set (the reference's `mlp_forward`) where the reference is present, else None (a student
  pack); `student.agrees(function)` says whether the student's own `function` gives the
  reference's answers on that exercise's inputs. `cases` are the plan's drawn and edge cases,
  `params` the spec's. It returns a list of failures, or `(failures, number_of_tests)`. A failure
  is a dict {"code", "facts", "case", "function", "expected", "actual"}: `code` is a message code
  of grader/messages.py, `facts` fill its template; `facts["symptom"]` says what went wrong in a
  word, and a catalogued mistake is diagnosed when the driver, run on it, shows the same code and
  symptom. A failure coded "graded_by_instructor" (facts: {"reason_code": a message code}) says
  the driver cannot judge here: the check is then graded by the instructor's run only.
- A gradient rule is `gradient(param, step, start) -> grad`: the gradient an optimizer is fed at
  step `step` (1-based) of a trajectory begun at the case `start`.
"""
