"""Trusted helpers that use the reference: objectives of gradient checks (and any driver that
needs the reference's functions). Never copied into a student pack.

Named in the specs (`objective:`, `driver:`, `trajectory.gradient:`) and looked up in the set's
public drivers/ first (see ../../drivers/__init__.py for the interfaces), then here, then in the
reference. They run in the grader's process and never import the student's code: data in, data
out.

- An objective is `objective(case, output) -> float`: the scalar whose gradient an exercise
  computes, from the forward's output (softmax probabilities → cross-entropy). A student pack
  does not ship it: it holds the objective's values on the forward's outputs the check needs
  (the reference's, on the plan's moved inputs), recorded by `grader pack`.
- A behaviour driver here (one that imports the reference) cannot go in a pack: a pack's report
  shows its check as graded by the instructor.
"""
