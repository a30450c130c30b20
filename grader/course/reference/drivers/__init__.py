"""Trusted helpers that drive checks: behaviour drivers, scalar objectives, gradient rules.

Named in the specs (`driver:`, `objective:`, `trajectory.gradient:`) and looked up here first,
then in the reference. They run in the grader's process and never import the student's code:
they are data in, data out.

- A behaviour driver is `driver(student, cases, params)`. `student(cases, function=None,
  fresh=False)` calls the student's function (or another of theirs) in the worker, one batch per
  call, each case a dict of arguments by name, and returns one outcome per case (`.value` or
  `.error`), or None when the function is missing; `fresh=True` calls again even when the same
  inputs were already answered. `cases` are the plan's drawn and edge cases, `params` the spec's.
  It returns a list of failures, or `(failures, number_of_tests)`. A failure is a dict
  {"code", "facts", "case", "function", "expected", "actual"}: `code` is a message code of
  grader/messages.py, `facts` fill its template; `facts["symptom"]` says what went wrong in a
  word, and a catalogued mistake is diagnosed when the driver, run on it, shows the same code and
  symptom.
- An objective is `objective(case, output) -> float`: the scalar whose gradient an exercise
  computes, from the forward's output (softmax probabilities → cross-entropy).
- A gradient rule is `gradient(param, step, start) -> grad`: the gradient an optimizer is fed at
  step `step` (1-based) of a trajectory begun at the case `start`.
"""
