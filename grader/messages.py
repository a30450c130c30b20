"""The message catalogue: every word the grader says to a person, by code, in English and Chinese.

Checks record a code and facts; only reporters call `render`. Templates use str.format fields
filled from the facts, pre-formatted by `format_value` so arrays and floats read well.

The English is written here (`CATALOGUE`: code → English template) and is the msgid of the
gettext catalogs; the code is the msgctxt. The other languages live in
`locale/<lang>/LC_MESSAGES/grader.po`, compiled to the `grader.mo` beside it, which `text` reads
with the standard library's gettext, once per process. After adding or changing a message here:
`python -m grader.i18n update`, translate in the .po, `python -m grader.i18n compile`
(see grader/i18n.py and docs/feedback.md).
"""

from __future__ import annotations

import functools
import gettext
import math
import os
import re
from collections.abc import Callable, Mapping

import numpy as np

from .result import Summary

#: the gettext domain of the grader's messages, and the folder of its compiled catalogs
DOMAIN = "grader"
LOCALE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "locale")

CATALOGUE: dict[str, str] = {
    # statuses
    "status.passed": "passed",
    "status.failed": "failed",
    "status.error": "error",
    "status.timeout": "timeout",
    "status.not_attempted": "not attempted",
    "status.instructor": "graded by your instructor",
    # check kinds (a check's default name)
    "check.reference": "matches the reference",
    "check.edge_cases": "edge cases",
    "check.stability": "numerical stability",
    "check.properties": "properties",
    "check.gradient": "gradient check",
    "check.behaviour": "behaviour",
    "check.trajectory": "optimizer trajectory",
    "check.split": "a partition into batches",
    "check.seeding": "seeded shuffling",
    # exercise-level outcomes
    "not_attempted": "Not attempted: `{function}` is missing or raises NotImplementedError.",
    "not_attempted.misnamed": "Not attempted: there is no `{function}`, but your file defines "
                              "`{defined}` (line {line}). The grader looks for the exact name: "
                              "rename it to `{function}` to have it graded.",
    "import_error": "Your file could not be imported: {type}: {message} ({file}, line {line}). "
                    "No function in it can be graded until this is fixed.",
    "import_error.too_deep": "Your file could not be imported: its code is nested too deeply for "
                             "Python to compile ({file}). A chain of operators tens of thousands "
                             "long (`1 + 1 + … + 1`) does this: build such values with a loop or "
                             "an array instead.",
    "import_timeout": "Importing your file took too long ({how}). Move slow code (training, "
                      "plotting) under `if __name__ == \"__main__\":`.",
    "import_crashed": "The process running your file died while importing it ({how}).",
    "timeout": "Stopped after {seconds} s: the function is too slow or never returns "
               "(an infinite loop?). The other exercises were still graded.",
    "crashed": "The process running your code died ({how}); the other exercises were still graded.",
    "cpu_limit": "Stopped: your code used up its CPU time ({how}). Look for a loop that never ends.",
    "memory_limit": "{call} ran out of memory: it asked for more than the grader allows (memory "
                    "limit exceeded). Are you building a huge array by mistake?",
    "too_large": "{call} returned a value too large to check: {reason}.",
    "too_large.array": "an array of {size} entries, more than the {limit} allowed",
    "too_large.items": "a list, tuple or dict of {size} items, more than the {limit} allowed",
    "too_large.depth": "lists, tuples or dicts nested more than {limit} levels deep",
    "too_large.reply_entries": "it and the other answers of the same round of calls hold more "
                               "than the {limit} array entries the grader accepts at once",
    "too_large.reply_data": "it and the other answers of the same round of calls take more "
                            "than the {limit} bytes of numbers, lists and text the grader "
                            "accepts at once",
    "too_large.value": "it is over the grader's limits",
    "bad_reply": "The process running your code sent a reply the grader refuses ({how}); it was "
                 "stopped, and the other exercises were still graded.",
    "judge_recursion": "Checking what `{function}` returned went past the grader's recursion "
                       "limit: is it nested far deeper (lists in lists in …) than the answer? "
                       "This could not be graded.",
    "internal_error": "An internal error of the grader, not of your code, stopped this check "
                      "({type}: {message}). Your answer was not judged: please tell your instructor.",
    "judge_memory": "Checking what `{function}` returned needed more memory than the grader has: "
                    "is it far larger than the answer? This could not be graded.",
    "sandbox_hint": "The grader's sandbox lets your code write only in its own temporary folder, "
                    "with no network and no new processes.",
    "submission_missing": "No submission at {path}.",
    "submission_empty": "The submission at {path} holds no Python code.",
    "submission_unreadable": "Cannot read {path}: {reason}.",
    # check failures
    "mismatch": "{call} returned a wrong value{path}{at_index}: expected {expected_value}, "
                "got {actual_value}. They differ by {abs_error}{relative}, more than the "
                "{allowed} allowed here ({atol} + {rtol}·|expected|).{differing}",
    "mismatch.relative": " (relative error {rel_error})",
    "mismatch.differing": " {count} of the {total} entries differ.",
    "nonfinite": "{call} returned {actual_value}{path}{at_index}, where the answer is "
                 "{expected_value}{differing}. NaN and inf usually come from np.exp of a large "
                 "number (it overflows to inf above about 709), from inf / inf or 0 / 0, or "
                 "from the log of 0.",
    # the answer is ±inf (or NaN) and the value returned is finite: not an overflow of the student's
    "nonfinite.expected": "{call} returned {actual_value}{path}{at_index}, where the answer is "
                          "{expected_value}{differing}. Here the answer itself is infinite (the "
                          "log of 0 is −inf): a clip, or an ε added before a log or a division, "
                          "makes it finite.",
    "nonfinite.differing": " ({count} entries are NaN or ±inf where they should not be)",
    "wrong_shape": "{call} returned an array of shape {actual_shape}{path}, but the answer has "
                   "shape {expected_shape}.",
    "shape.scalar": "() (a single number)",
    # where in a returned value a fact is: "{call} returned a wrong value{path}{at_index}"
    "place.in_result": " in result{path}",
    "place.at_index": " at index {index}",
    # a sentence and its hint
    "message.with_hint": "{sentence} {hint}",
    "shape_hint_reduced": "Did you sum, average or take the maximum over an axis that should "
                          "stay (or over all of them)? Pass `axis=`, and `keepdims=True` to keep "
                          "the axis.",
    "shape_hint_extra_axis": "Did broadcasting add an axis? A (n,) array combined with a (n, 1) "
                             "one gives (n, n): reshape one of them, or use keepdims consistently.",
    "shape_hint_transposed": "Are two axes swapped? Check the order of a matrix product "
                             "(X @ W, not W @ X) and any missing or extra `.T`.",
    "wrong_type": "{call} returned {actual_type}{path}, expected {expected_type}.",
    "wrong_length": "{call} returned {actual_length} items{path}, expected {expected_length}.",
    "missing_key": "{call} returned a dict without the key {key}{path} (expected keys: {keys}).",
    "wrong_value": "{call} returned {actual}{path}, expected {expected}.",
    "returned_none": "{call} returned None{path}: is a `return` statement missing?",
    "raised": "{call} raised {type}: {message}{where}",
    "raised_where": " (line {line} of {file})",
    "hint.np_max_not_maximum": "np.max(0, x) is the largest entry of the array 0 along the axis "
                               "x, not an entrywise maximum: use np.maximum(0, x), which compares "
                               "0 with each entry of x.",
    "fp_warning": "{call} gives the right values, but the computation raised a floating-point "
                  "warning ({warning}). Rewrite it in a form that cannot overflow.",
    "input_modified": "{call} modified its argument `{arg}` in place. Work on a copy, or build a "
                      "new array.",
    "property_range": "{call} returned {actual_value}{at_index}, outside [{min}, {max}].",
    "property_complement": "f(−x) should equal 1 − f(x) for {call}, but{at_index} "
                           "1 − f(x) = {expected_value} while f(−x) = {actual_value}.",
    "property_odd": "f(−x) should equal −f(x) for {call}, but{at_index} −f(x) = "
                    "{expected_value} while f(−x) = {actual_value}.",
    "property_shift_invariant": "Adding the same constant to every input must not change {call}; "
                                "it changed{at_index} from {expected_value} to {actual_value}.",
    "property_monotonic": "{call} is not increasing{at_index}: f(x) = {value} but "
                          "f(x + {step}) = {value_after}.",
    "property_sums_to_one": "The rows of {call} must each sum to 1; row {index} sums to {sum}.",
    "gradient_mismatch": "{call} is not the derivative of `{forward}`{at_index}: the true slope "
                         "there is {expected_value} (central differences (f(x + h) − f(x − h)) / 2h "
                         "of the correct `{forward}`), you returned {actual_value}. Your own "
                         "`{forward}` is {own_forward}.",
    "gradient_right_for_wrong_forward": (
        "{call}: your derivative is right for your own `{forward}`, but your `{forward}` is "
        "wrong: fix `{forward}` first. The true slope{at_index} is {expected_value}, you returned "
        "{actual_value}."
    ),
    "gradient_parts_mismatch": (
        "{call} returned a wrong gradient for {wrong_parts} (right: {right_parts}). Central "
        "differences of `{loss}` give the slope {expected_value}{path}{at_index}; you returned "
        "{actual_value}. Your own `{forward}` is {own_forward}."
    ),
    # trajectories (optimizers)
    "trajectory_mismatch": (
        "{call} is step {step} of {steps} of a run that starts from a zero state: its inputs are "
        "the parameter and state after the steps before. On these inputs your returned "
        "`{output}`{at_index} is {actual_value}, the reference's is {expected_value} (absolute "
        "error {abs_error}; allowed {atol} + {rtol}·|expected|)."
    ),
    "trajectory_oracle_mismatch": (
        "{call} is step {step} of {steps} of a run that starts from a zero state: its inputs are "
        "the parameter and state after the steps before. torch.optim.{optimizer}, run from the "
        "same start on the same gradients, has `{output}`{at_index} = {expected_value}; you "
        "returned {actual_value}."
    ),
    # behaviour: truth tables
    "gates_wrong_type": (
        "{call} must return a dict with the keys 'AND', 'OR', 'NAND', 'NOR', each a pair (w, b); "
        "it returned {actual_type}."
    ),
    "gates_missing_key": (
        "{call} returned a dict without the gate '{key}' (the keys are 'AND', 'OR', 'NAND', 'NOR')."
    ),
    "gate_wrong_shape": (
        "In {call}, '{gate}' must be a pair (w, b) with w of shape (2,) and b a number; it is {actual}."
    ),
    "gate_truth_table": (
        "With your weights for {gate} (w = {w}, b = {b}), step(w·x + b) on the inputs (0,0), "
        "(0,1), (1,0), (1,1) gives {actual_table}; the truth table of {gate} is {expected_table}."
    ),
    "gate_margin": (
        "{gate}: the truth table is right, but at x = {x} the pre-activation w·x + b is {value}, "
        "closer to 0 than {margin}: the slightest change of a weight flips the output. Keep every "
        "w·x + b at least {margin} away from 0."
    ),
    "xor_shapes": (
        "{call} must return (W1, b1, W2, b2) with shapes (2, h), (h,), (h, 1), (1,) and h ≥ 2; "
        "the shapes are {shapes}."
    ),
    "xor_truth_table": (
        "step(step(X @ W1 + b1) @ W2 + b2) with your weights gives {actual_table} on the rows "
        "(0,0), (0,1), (1,0), (1,1); XOR is {expected_table}."
    ),
    "xor_margin": (
        "Your network computes XOR, but in layer {layer} a pre-activation at x = {x} is {value}, "
        "closer to 0 than {margin}. Keep every pre-activation at least {margin} away from 0."
    ),
    # behaviour: mini-batches
    "minibatches_wrong_type": (
        "{call} must return a list of 1-d integer index arrays, one per batch; it returned "
        "something else (shown below)."
    ),
    "minibatches_not_integer": (
        "{call} returned batches that are not integer arrays: indices must be integers "
        "(e.g. from rng.permutation(n))."
    ),
    "minibatches_not_partition": (
        "{call}: together the batches must hold each index 0, …, n − 1 exactly once (n = {n}); "
        "{missing_count} are missing (e.g. {missing}) and {repeated_count} repeated or out of "
        "range (e.g. {repeated})."
    ),
    "minibatches_sizes": (
        "{call} returned batches of sizes {actual_sizes}, expected {expected_sizes}: every batch "
        "holds batch_size indices except the last, which holds the rest."
    ),
    "minibatches_in_order": (
        "{call} returns the indices in their original order 0, 1, 2, …: shuffle them first, with "
        "np.random.default_rng(seed)."
    ),
    "minibatches_not_reproducible": (
        "Calling {call} twice gave two different splits: the same seed must give the same split. "
        "Create the generator from the seed: np.random.default_rng(seed)."
    ),
    "minibatches_seed_ignored": (
        "{call} and the same call with seed = {other_seed} give the same order: the split must "
        "depend on the seed."
    ),
    "minibatches_global_generator": (
        "{call} shuffles exactly as np.random.seed(seed) followed by np.random.permutation(n): "
        "NumPy's global generator, which this reseeds for every other piece of code too. The "
        "exercise asks for rng = np.random.default_rng(seed)."
    ),
    # behaviour: training
    "train_xor_failed": (
        "{call}: mlp_forward with the weights it returns, thresholded at 0.5, gives {outputs} on "
        "the rows (0,0), (0,1), (1,0), (1,1): not XOR. Your training classified XOR for {wins} "
        "of {total} seeds; at least {needed} are needed."
    ),
    "train_xor_shapes": (
        "{call} must return (W1, b1, W2, b2) of shapes (2, h), (h,), (h, 1), (1,); the shapes "
        "are {shapes}."
    ),
    # more properties
    "property_values_in": "{call} may only return the values {values};{at_index} it "
                          "returned {actual_value}.",
    "property_shift_equivariant": (
        "Adding a constant c to `{arg}` must add c to every output of {call};{at_index} "
        "the result is {actual_value} instead of {expected_value}."
    ),
    "property_still_without_gradient": (
        "With {zeroed} set to 0, {call} must return the parameter unchanged;{at_index} it "
        "returned {actual_value} instead of {expected_value}."
    ),
    "own_forward.right": "right, so the mistake is in the derivative itself",
    "own_forward.wrong": "wrong too: fix it first, then compare the derivative with its formula",
    "own_forward.missing": "not written yet (the derivative was checked against the correct one)",
    # grader validate (for instructors)
    "validate.exercise": (
        "{mark} ch{chapter} {id}: reference {score}/{max_score}; mistakes caught {caught}/{listed}, "
        "own hint shown {hinted}/{listed}; checks failing for zeros {zero_failing}/{checks} ({seconds} s)"
    ),
    "validate.diagnosis": (
        "diagnosis: {explained}/{listed} mistakes explained (own hint or symptom); perturbations "
        "of the reference explained {perturbed_explained}/{perturbed} (not explained: {unexplained})"
    ),
    "validate.diagnosis_summary": (
        "Diagnosis coverage: {explained}/{listed} listed mistakes get their own hint or a symptom; "
        "{perturbed_explained}/{perturbed} perturbations of the references (sign, factor, axis, "
        "region) get a hint or a symptom."
    ),
    "validate.reference_fails": "the reference fails check '{check}': {message}",
    "validate.mistake_missed": "mistake {mistake} passes every check: no check catches it",
    "validate.mistake_wrong_hint": (
        "mistake {mistake} is caught, but the hint shown is not its own (diagnosed as: {diagnosed})"
    ),
    "validate.zeros_pass": "check '{check}' passes for a function that returns zeros: it cannot fail",
    "validate.bad_signature": "signature `{signature}` is not `name(arguments)` with the exercise's id",
    "validate.args_order": "the args are declared as {args}, the signature lists {params}",
    "validate.reference_signature": "signature {signature} differs from the reference's {reference_signature}",
    "validate.keyword_not_declared": (
        "`{arg}` has a default ({default}) in the signature: declare it with keyword: true and default: {default}"
    ),
    "validate.keyword_default": "`{arg}`: the spec's default {spec_default} differs from the signature's {default}",
    "validate.keyword_not_drawn": (
        "`{arg}` is never drawn with a value other than its default {default}: an ignored `{arg}` would pass"
    ),
    "validate.keyword_never_omitted": (
        "`{arg}` is passed in every edge case: omit it in at least one, so that its default is used"
    ),
    "validate.summary": (
        "Mutation score: {caught}/{listed} listed mistakes caught ({percent}); own hint shown for "
        "{hinted}/{listed}. {count} exercises in {seconds} s."
    ),
    "validate.edge_public": (
        "on the private inputs every edge case keeps the spec's values, so a student pack answers "
        "the check {check} there too: give it a case with a nonzero value to move"
    ),
    "validate.public": "On the public inputs (seed {seed}), which a student pack holds:",
    "validate.private": "On the private inputs of the course secret {fingerprint}:",
    "validate.ok": "All {count} exercises hold.",
    "validate.problems": "{problems} problem(s) found.",
    # report furniture
    "report.title": "Self-check of {submission}",
    "report.score": "Score: {score} / {max_score}",
    "report.exercise": "exercise",
    "report.status": "status",
    "report.points": "points",
    "report.failed_check": "✗ {exercise} · {check} ({points} pt)",
    "report.input": "input",
    "report.expected": "expected",
    "report.got": "got",
    "report.index": "index",
    "report.hint": "Hint: {hint}",
    # a catalogued mistake that explains the shown input but not every failing one
    "report.hint_likely": "Looks like a known mistake (it explains some of the failing inputs, "
                          "not all of them): {hint}",
    # what the wrong values show (grader/judge/symptoms.py), when no catalogued mistake explains them
    "report.symptom": "What your values show: {symptom}",
    "report.other_way": "It also fails another way, on {count} input(s); the smallest: {message}",
    "report.symptom_compound": "And on top of that mistake: {symptom}",
    "symptom.part": " in `{name}`",
    "symptom.sign": "on all {count} failing inputs, your values{part} are the expected ones with "
                    "the sign flipped (expected {expected}, got {actual}). Check the sign of each "
                    "term.",
    "symptom.factor": "on all {count} failing inputs, your values{part} are the expected ones "
                      "times {factor} (expected {expected}, got {actual}): look for a factor "
                      "{factor} too many, or one missing in the other direction.",
    "symptom.factor_constant": "on all {count} failing inputs, your values are the expected ones "
                               "times the same constant, about {factor} (expected {expected}, "
                               "got {actual}): a constant factor is wrong.",
    "symptom.step_factor": "on all {count} failing inputs, your update (the new `{arg}` minus "
                           "the old) is the right update times {factor}: check the step's "
                           "factor and its sign.",
    "symptom.argument_scaled": "on all {count} failing inputs, your values are what the right "
                               "computation gives with `{arg}` times {factor}: check how "
                               "`{arg}` enters the formula.",
    "symptom.input_negated": "on all {count} failing inputs, your values are the right "
                             "function of −`{arg}`: a sign is lost on the input.",
    "symptom.transposed": "on all {count} failing inputs, your result is the expected one "
                          "transposed (shape {shape}): check the order of a product and any "
                          "missing or extra `.T`.",
    "symptom.other_axis": "on all {count} failing inputs, your result is what the right "
                          "computation gives along the other axis: work along the last axis "
                          "(`axis=-1`, with `keepdims=True`).",
    "symptom.forward": "on all {count} failing inputs, you return the value of `{forward}` "
                       "itself, not its derivative.",
    "symptom.other_derivative": "on all {count} failing inputs, your values are those of "
                                "`{other}`: the derivative of another function.",
    "symptom.per_sample_sum": "on all {count} failing inputs, you return one value per sample "
                              "(shape {shape}) and their sum is the answer: add them up into "
                              "one number.",
    "symptom.per_sample_mean": "on all {count} failing inputs, you return one value per sample "
                               "(shape {shape}) and their mean is the answer: reduce them to "
                               "one number.",
    "symptom.counter": "on all {count} failing inputs, your step is the right step with "
                       "`{arg}` moved by {shift}: the bias correction is one step off.",
    "symptom.fixed_value": "on all {count} failing inputs, your values are what the right "
                           "computation gives with `{arg}` = {value}, whatever `{arg}` is "
                           "passed: use the argument, not a fixed value.",
    "symptom.ignored_argument": "on all {count} failing inputs, your values are what the right "
                                "computation gives with `{arg}` at its default {value}: the "
                                "argument passed is ignored.",
    "symptom.last_batch": "your batches are right up to the last full one and only the end is "
                          "wrong: after {full} full batches of {batch_size} comes one last batch "
                          "with the {rest} indices left, no more, no fewer.",
    "symptom.first_step": "your step is right except at the first step, while the state "
                          "({state}) is still zero: all {count} failing inputs start from a zero "
                          "state (e.g. expected {expected}, got {actual}). Look at what your code "
                          "does when the state is zero: the same update as every other step is "
                          "right there.",
    "symptom.region": "your values are right except where {region}: all {entries} wrong "
                      "entries are there (e.g. expected {expected}, got {actual}).",
    "symptom.region.zero": "`{arg}` = 0",
    "symptom.region.large": "|`{arg}`| ≥ {bound} (a large input)",
    "symptom.region.negative": "`{arg}` < 0",
    "symptom.region.positive": "`{arg}` > 0",
    "symptom.region.nonpositive": "`{arg}` ≤ 0",
    "symptom.region.nonnegative": "`{arg}` ≥ 0",
    "report.failing_cases": "{failing} of {total} test inputs fail; the smallest is shown.",
    "report.failing_fixed": "{failing} of {total} test inputs fail; the first is shown.",
    "report.stdout": "Your code printed:",
    "report.all_passed": "All exercises passed. 🎉",
    # CI reporters, gates, student packs and CI templates (grader/report/, grader/pack/, grader/ci/)
    "report.required": "required: {required}",
    "report.also_failed": "Also failed: {checks}.",
    "report.test_part": "{test} ({part}/{parts})",
    "report.classroom_coarse": (
        "The points of these exercises are too fine to show as at most {limit} tests of equal "
        "weight, so this log has one test per check and its \"Total points\" is not your "
        "score. Your score is {score} / {max_score}, as recorded."
    ),
    "report.below_required": "Score {score} / {max_score} is below the required {required}.",
    "not_in_pack": "This check needs the reference's answer for `{function}` on an input the "
                   "student pack did not record; your instructor's grading run checks it.",
    "pack.written": "Wrote the student pack to {path}: {exercises} exercises, {checks} checks, "
                    "{points} points. No reference code is in it.",
    "pack.left_out": "Left out of the pack: {exercise} · {check} ({reason}).",
    "pack.reason.hidden": "hidden",
    "pack.reason.needs_code": "it runs trusted code of the exercise set, which a pack does not "
                              "ship",
    "pack.reason.differs": "its verdict from recorded answers differs from the reference's",
    "pack.not_empty": "{path} exists and is not a student pack: choose an empty or new folder.",
    "pack.seed_fixed": "The inputs of a student pack are fixed (seed {seed}); --seed cannot "
                       "change them.",
    "graded_by_instructor": "Graded by your instructor ({points} pt), not by this self-check: "
                            "{reason}.",
    "pack.reason.own_forward": "here it would be judged with your own {function}, which does "
                               "not give the reference's answers yet",
    "pack.wheel": "Wrote the student build of the grader, without the exercise set, to {path}: "
                  "the files of `grader ci` install it.",
    # the course secret and its private inputs (grader/secret.py, grader/commands/secret.py)
    "secret.created": "Created the course secret in {folder} (fingerprint {fingerprint}): the "
                      "instructor's grades (grader grade, grader check, the Gradescope "
                      "autograder) now use private inputs made from it, which no student pack "
                      "holds.",
    "secret.found": "Course secret: {source} (fingerprint {fingerprint}).",
    "secret.from_env": "Course secret: $GRADER_SECRET (fingerprint {fingerprint}); its private "
                       "inputs are drawn into the cache on this machine.",
    "secret.pinned": "The private inputs of {count} exercises are pinned in {folder}.",
    "secret.still_public": "Note: {exercise}: edge case {index} keeps the spec's inputs (no moved "
                           "copy tells the same mistakes apart).",
    "secret.keep_out": "Keep {folder} out of the student template repository and never share "
                       "it (a .gitignore of \"*\" inside makes git ignore it). To grade elsewhere "
                       "(a TA's machine), copy the whole folder to the same place there, or "
                       "point $GRADER_PRIVATE_DIR at it.",
    "secret.none": "No course secret for {root} yet (it would be {folder}): `grader secret init` "
                   "makes one.",
    "secret.not_here": "{root} has no reference/ (a student pack?): private inputs are made "
                       "where the instructor's exercise set is.",
    "pack.secret": "This pack holds the public inputs only; the instructor's grades use the "
                   "private inputs of the course secret in {folder} (fingerprint {fingerprint}).",
    "grade.public_inputs": "Grading on the public inputs: there is no course secret ({folder}), "
                           "so the student pack holds the answers on these very inputs. Run "
                           "`grader secret init` (`grader pack` makes one too) to grade on "
                           "private inputs.",
    "grade.private_inputs": "Grading on private inputs (course secret {fingerprint}).",
    "ci.no_wheel": "Note: {path} holds no student build of the grader; make the pack again with "
                   "`grader pack`, or pass --grader-spec.",
    "ci.bad_fail_under": "expected points (30) or a percentage of the maximum (80%), got {value!r}",
    "ci.written": "Wrote {path}.",
    "ci.bad_os": "`--os` names {value}: the systems it can add are {known}.",
    "ci.exists": "{path} exists: add --force to overwrite it.",
    "ci.no_pack": "Note: {path} holds no student pack yet; create it with `grader pack {path}`.",
    "ci.bad_value": "{option} may not contain spaces, quotes, `$` or backslashes: {value!r}.",
    "ci.autograder_failed": "The autograder could not grade this submission (exit code {status}). "
                            "Please tell your instructor.",
    "doctor.title": "Sandbox layers on {platform}, Python {python}, running as {user}:",
    "doctor.all": "All layers are available: student code runs fully sandboxed.",
    "doctor.missing": "Missing here: {missing}. Grading still works with the other layers; "
                      "--strict-sandbox refuses to grade on this machine.",
    "doctor.worker.fork": "Worker: `fork` (each submission's worker is forked from a warm Python; "
                          "`GRADER_WORKER=portable` chooses the other).",
    "doctor.worker.portable": "Worker: `portable` (a fresh Python for each submission, no fork; the "
                              "time limit kills its whole process tree).",
    "worker.unknown": "`GRADER_WORKER` is {value}: this system cannot run that worker. Use "
                      "`portable`, or `fork` where the system has fork (Linux), or leave it unset.",
    "sandbox.refused": "Refusing to grade with --strict-sandbox: missing sandbox layers: {missing}. "
                       "Run `grader doctor` for details.",
    "report.sandbox": "Sandbox layers: {layers}",
    # a value too large to keep whole, as the report shows it (grader.result.Summary)
    "summary.array": "a {dtype} array of shape {shape} ({size} entries), starting {head}",
    "summary.list": "a list of {size} items, starting {head}",
    "summary.tuple": "a tuple of {size} items, starting {head}",
    "summary.dict": "a dict of {size} keys, starting {head}",
    "summary.worst_difference": "; where it differs most: {entries}",
    "summary.worst_magnitude": "; its largest entries: {entries}",
    "summary.nonfinite": "; {nan} NaN, {posinf} +inf, {neginf} −inf",
    # --- feedback: config, starter files (init), explain, watch, Jupyter ---
    "config.ignored": "grader: ignored: {problem}",
    "unknown_exercise": "unknown exercise: {ids} (see `grader list`)",
    # assignments (exercises/assignments.yaml, grader/spec/assignments.py)
    "assignment.unknown": "unknown assignment: {id} (known: {known}; see `grader list --assignments`)",
    "assignment.no_zone": "{value} has no time zone: write `2026-10-09 23:59 Asia/Shanghai` or an offset, "
                          "`2026-10-09T23:59:00+08:00`",
    "assignment.unknown_zone": "{value}: unknown time zone {zone} (an IANA name such as `Asia/Shanghai`)",
    "assignment.bad_time": "{value} is not a date and time (write `2026-10-09 23:59 Asia/Shanghai`)",
    "assignment.percent_range": "{value} is not a percentage from 0 to 100",
    "assignment.negative": "{value} is negative",
    "assignment.unknown_exercise": "unknown exercise {id} (see `grader list`)",
    "assignment.unknown_chapter": "no exercise is in chapter {chapter} (chapters: {known})",
    "assignment.empty": "the assignment holds no exercise: list them under `exercises` or `chapters`",
    "assignment.last_day_before_due": "the last day {last_day} is before the due date {due}",
    "assignment.bad_id": "{id} is not an assignment id (letters, digits, `_` and `-`, at most 64)",
    "assignment.duplicate": "assignment {id} is declared twice",
    "assignment.with_exercises": "`--assignment` chooses the exercises: leave out `-e` and `--chapter`",
    "assignments.none": "This exercise set declares no assignments (add `{file}` beside its specs).",
    "assignments.line": "{id}  {title}: {count} exercises, {points} points, due {due}",
    "assignments.late": "late: −{penalty} % per started {unit}",
    "assignments.grace": "{minutes} min of grace",
    "assignments.cap": "at most −{cap} %",
    "assignments.closes": "nothing counts after {last_day}",
    "assignments.no_penalty": "late work counts in full",
    "assignments.separator": "; ",
    "unit.day": "day",
    "unit.hour": "hour",
    "check.scope_assignment": "Scored assignment {id} ({title}): {count} exercise(s), {points} points.",
    # --- an exercise set's author: a spec or a layout that cannot work (grader.spec), said at
    # load time after "file: key.path: "
    "spec.not_a_package": "{folder} is not a Python package: add an empty `__init__.py` to it",
    "spec.import_failed": "cannot import this module of the exercise set: {error}",
    "spec.no_reference_module": "the reference module {module} does not exist: write it, or name "
                                "one of the modules of reference/",
    "spec.unknown_property": "unknown property {name} (known properties: {known})",
    "spec.min_above_max": "min ({min}) is greater than max ({max}): no value lies between them; "
                          "swap them",
    "spec.unknown_forward": "a gradient check's `of:` names {name}, which {module} does not "
                            "define: name the forward function of this derivative there",
    "spec.edge_value.array": "{value} cannot be converted for an argument of type {type}: write a "
                             "number or a list of numbers (nested lists with rows of one length)",
    "spec.edge_value.float": "{value} cannot be converted for an argument of type float: write a "
                             "number",
    "spec.edge_value.int": "{value} cannot be converted for an argument of type int: write an "
                           "integer",
    "spec.edge_value.ints": "{value} cannot be converted for an argument of type ints: write a "
                            "list of integers",
    "spec.edge_value.choice": "{value} is not one of the values of this choice argument: {values}",
    "init.header": (
        "Chapter 10 (artificial neural networks): exercises, written by `grader init`.\n\n"
        "Every function below raises NotImplementedError until you write it: the grader reports it "
        "as \"not attempted\", not as an error. Replace each `raise` with your code, then check:"
    ),
    "init.cmd_all": "every exercise",
    "init.cmd_one": "one exercise",
    "init.cmd_watch": "again at every save",
    "init.cmd_explain": "contract, conventions, a worked example",
    "init.chapter": "Chapter {chapter}: {title}",
    "init.exercise": "{title} (`{id}`, chapter {chapter}, {points} points)",
    "init.notes": "Conventions and the slides:",
    "init.args": "Arguments:",
    "init.check_one": "Check: grader check {file} -e {id}    Explain: grader explain {id}",
    "init.todo": "replace this line with your code",
    "init.notebook_intro": (
        "# Chapter 10 (artificial neural networks): exercises\n\n"
        "Written by `grader init`. Each code cell defines one function that raises "
        "`NotImplementedError` until you write it: the grader reports it as *not attempted*, not "
        "as an error. Run the first code cell (the imports), write a function, and check it with "
        "the last cell, or from a terminal: `grader check {file}`."
    ),
    "init.selfcheck_title": "Check your work",
    "init.selfcheck_text": (
        "Run the cell below after defining your functions. Only the source of your functions "
        "(and of the imports, helper functions and constants they use) is sent to the grader's "
        "sandbox; nothing else of this notebook runs there. `grader.check()` checks every "
        "exercise function defined here; `grader.check(sigmoid, softmax)` only those. With "
        "`%load_ext grader`, `%grade sigmoid softmax` does the same."
    ),
    "init.selfcheck_comment": "check every exercise function defined in this notebook",
    "init.scope_comment": "grader check scores only the exercises on the next line; delete it to "
                          "check every exercise.",
    "check.scope_starter": "Scored the {count} exercise(s) ({points} points) that {file} was started "
                           "with, as its line \"# grader: exercises = …\" lists them; -e ID or "
                           "--chapter N checks others, and without that line every exercise is checked.",
    "check.scope_chosen": "Scored the exercises chosen with -e/--chapter ({count}, {points} points), "
                          "not the {started} that {file} was started with.",
    "init.wrote": "Wrote {file}: {count} exercises ({points} points). Next: grader check {file}",
    "init.exists": "{file} already exists: pass --force to overwrite it, or choose another name.",
    "init.suffix": "{file}: a starter is a .py or an .ipynb file.",
    "init.no_chapter": "No exercises in chapter {chapter} (chapters: {chapters}).",
    "arg.array_any": "an array of any shape (0-d included), values in [{min}, {max}]",
    "arg.array": "an array of shape {shape}, values in [{min}, {max}]",
    "arg.float": "a float in [{min}, {max}]",
    "arg.int": "an integer in [{min}, {max}]",
    "arg.ints": "a list of {shape} integers in [{min}, {max}]",
    "arg.choice": "one of {values}",
    "arg.one_hot": "one-hot rows of shape {shape} (a single 1 per row)",
    "arg.simplex": "probabilities of shape {shape}, each row sums to 1",
    "arg.binary": "0/1 labels of shape {shape}",
    "arg.other": "a value of kind {type}",
    "arg.default": "; default {default}",
    "explain.heading": "{id} · {title} (chapter {chapter}, {points} points)",
    "explain.signature": "Function to write",
    "explain.description": "What to compute",
    "explain.notes": "Conventions and where the slides differ",
    "explain.args": "Arguments (as the grader draws them)",
    "explain.checks": "Checks and their points",
    "explain.points": "{points} pt",
    "explain.hidden": "hidden: its details are shown only when it fails",
    "explain.mistakes": "Known mistakes: the hint you get when the grader recognises one",
    "explain.example": "Worked example, computed by the reference implementation",
    "explain.example_row": "{call} returns {value}",
    "explain.next": "Check your own: grader check YOUR_FILE -e {id}",
    "explain.unknown": "No exercise {id}: `grader list` shows them all.",
    "explain.check.reference": (
        "your outputs are compared with the reference's on {examples} drawn inputs, entry by "
        "entry, within {atol} + {rtol}·|expected|; a failing input is shrunk to a small one."
    ),
    "explain.check.edge_cases": (
        "{count} fixed inputs chosen by hand (kinks such as 0, huge magnitudes such as ±1000) must "
        "give the reference's values, with no NaN or inf where the answer is finite."
    ),
    "explain.check.stability": (
        "the same fixed inputs, now also without floating-point warnings (overflow, invalid "
        "value, division by zero)."
    ),
    "explain.check.properties": "these mathematical properties hold on every drawn input:",
    "explain.check.gradient": (
        "your derivative is compared with central differences (f(x + h) − f(x − h)) / 2h of "
        "`{of}` with respect to {wrt}, on {count} inputs away from kinks; when it is wrong, the "
        "report says whether your own `{of}` is at fault."
    ),
    "explain.check.behaviour": (
        "graded by what your result does (a truth table, a partition, a trained network), "
        "not by equality with one particular answer."
    ),
    "explain.check.trajectory": (
        "{steps} steps of your update are chained from a zero state, each fed your previous "
        "outputs, and compared with the reference's path{oracle}."
    ),
    "explain.check.oracle": " and with torch.optim.{optimizer}",
    "explain.check.other": "a check of kind {kind}.",
    "explain.property.range": "every value lies in [{min}, {max}]",
    "explain.property.complement": "f(−x) = {total} − f(x)",
    "explain.property.odd": "f(−x) = −f(x): an odd function",
    "explain.property.monotonic": "increasing: a larger x never gives a smaller f(x)",
    "explain.property.shape_preserved": "the result has the shape of the input",
    "explain.property.input_unchanged": "the input arrays are not modified in place",
    "explain.property.sums_to_one": "each row (the last axis) sums to 1",
    "explain.property.shift_invariant": (
        "adding the same constant ({shift}) to every entry changes nothing"
    ),
    "explain.property.shift_equivariant": "adding a constant c to `{arg}` adds c to every output",
    "explain.property.values_in": "every value is one of {values}",
    "explain.property.still_without_gradient": (
        "with a zero gradient (and a zero state) the parameter does not move"
    ),
    "watch.start": "Watching {path}: every save checks it again (Ctrl+C to stop).",
    "watch.rerun": "{time} · {changed} saved · checked again in {seconds} s",
    "watch.now_passing": "✓ now passes: {exercise} · {check} (+{points} pt)",
    "watch.now_failing": "✗ now fails: {exercise} · {check} (−{points} pt)",
    "watch.still_failing_differently": "✗ still fails, differently: {exercise} · {check}",
    "watch.exercise": "{exercise}: {before} → {after}",
    "watch.score": "Score: {before} → {after} / {max_score} ({delta})",
    "watch.no_change": "Nothing changed: score {score} / {max_score}.",
    "watch.still_failing": "Still failing: {checks}",
    "watch.broken": "The file cannot be graded as it is now; the comparison waits for a version "
                    "that imports.",
    "watch.text_only": "--watch shows text only: it cannot be combined with --format json.",
    "watch.stopped": "Stopped watching.",
    # --- grader resident (grader/commands/resident.py) ---
    "resident.none": "No resident grader is running ({setting}: {state}).",
    "resident.setting": "now {value}; a check at a terminal starts one, 1 always, 0 never",
    "resident.unsupported": "this system has none: every check starts afresh",
    "resident.line": "Resident grader {pid}: {served} checks served, {sessions} sessions warm, up {minutes} min.",
    "resident.stopped": "Stopped {count} resident grader(s).",
    # --- Click's own usage errors, by their exact English (grader/commands/click_words.py) ---
    "click.usage": "Usage:",
    "click.try_help": "Try '{command} {option}' for help.",
    "click.error": "Error: {message}",
    "click.aborted": "Aborted!",
    "click.invalid_value": "Invalid value: {message}",
    "click.invalid_value_for": "Invalid value for {param_hint}: {message}",
    "click.missing_argument": "Missing argument",
    "click.missing_option": "Missing option",
    "click.missing_parameter": "Missing parameter",
    "click.missing_kind": "Missing {param_type}",
    "click.missing_command": "Missing command.",
    "click.no_such_option": "No such option {name!r}.",
    "click.no_such_command": "No such command {name!r}.",
    "click.did_you_mean": "Did you mean {possibility}?",
    "click.did_you_mean_one_of": "(Did you mean one of: {possibilities}?)",
    "click.extra_argument": "Got unexpected extra argument ({args})",
    "click.extra_arguments": "Got unexpected extra arguments ({args})",
    "click.requires_argument": "Option {name!r} requires an argument.",
    "click.requires_arguments": "Option {name!r} requires {nargs} arguments.",
    "click.takes_no_value": "Option {name!r} does not take a value.",
    "click.not_a_number": "{value!r} is not a valid {number_type}.",
    "click.not_in_range": "{value} is not in the range {range}.",
    "click.not_the_choice": "{value!r} is not {choice}.",
    "click.not_one_of": "{value!r} is not one of {choices}.",
    "click.does_not_exist": "{name} {filename!r} does not exist.",
    "click.is_a_directory": "{name} {filename!r} is a directory.",
    "click.is_a_file": "{name} {filename!r} is a file.",
    "click.not_readable": "{name} {filename!r} is not readable.",
    "click.not_writable": "{name} {filename!r} is not writable.",
    "click.file": "file",
    "click.directory": "directory",
    "click.path": "path",
    # --- the types a wrong_type message names (grader/judge/compare.py) ---
    "type.number_or_array": "a number or an array",
    "type.dict": "a dict",
    "type.list_of": "a list of {count}",
    "type.tuple_of": "a tuple of {count}",
    "type.array_of_shape": "array of shape {shape}",
    # --- how a worker ended (the {how} of "crashed" and others) ---
    "exit.signal": "killed by signal {signal}",
    "exit.code": "exited with code {code}",
    # --- a problem of the whole submission, said once at the top of a report ---
    "report.tiny_values": "Numbers like 1.2e-38 (the smallest normal float32 number, about "
                          "0.000…0012 with 37 zeros) are deliberately tiny gradients: the update "
                          "must stay finite and correct with them.",
    "report.output_omitted": "… {count} more lines …",
    "report.line_cut": " … ({count} more characters)",
    "report.file_problem": "Your submission",
    "report.not_graded_all": "None of the {count} exercises could be graded because of this.",
    "report.not_graded_some": "Not graded because of this: {exercises}.",
    # --- usage errors of the options and arguments (grader/commands/options.py) ---
    "usage.not_finite": "{value} is not a finite number of seconds.",
    "usage.not_submission": "{path} is not a submission: grader checks .py files, .ipynb "
                            "notebooks and folders of them.",
    "usage.not_folder": "{path} is not a folder: grader grade takes a folder holding one "
                        "submission per student (alice.py, bob.ipynb, carol/).",
    "jupyter.title": "Self-check in the notebook: {functions}",
    "jupyter.not_exercise": "`{name}` is not the name of an exercise, so it was not checked "
                            "(`grader list` shows the names).",
    "jupyter.nothing": "No exercise function to check: define a function named after an exercise "
                       "(e.g. `def sigmoid(x): ...`), run its cell, then grader.check(sigmoid).",
    "jupyter.no_source": "The source of `{name}` cannot be read ({reason}): define it with `def` "
                         "in a cell or in a .py file.",
    "jupyter.skipped_global": "`{name}`, used by your code, was not sent to the sandbox ({kind}): "
                              "compute it inside the function, or set it to plain numbers.",
    "jupyter.footer": "Checked in the grader's sandbox: only the source of your functions (and "
                      "the imports, helpers and constants they use) ran there.",
    "jupyter.magic_usage": "Usage: %grade [--lang zh|en] [NAME ...]",
    # --- batch grading, notebooks, feedback files, class report (grader grade) ---
    "status.missing": "missing",
    "missing": "No submission was found for this student.",
    "submission_ambiguous": "Several entries for one student ({entries}): keep only one.",
    "unreadable.os_error": "it cannot be opened ({detail})",
    "unreadable.link": "it is a symbolic link, and the grader never follows links: submit the "
                       "file itself",
    "unreadable.fifo": "it is a named pipe (FIFO), not a file: submit your .py or .ipynb file",
    "unreadable.device": "it is a device, not a file: submit your .py or .ipynb file",
    "unreadable.socket": "it is a socket, not a file: submit your .py or .ipynb file",
    "unreadable.not_regular": "it is not a regular file: submit your .py or .ipynb file",
    "unreadable.too_large": "it is {size}, more than the {limit} one file may have (a notebook's "
                            "outputs count: clear them before submitting)",
    "unreadable.submission_too_large": "its files add up to {size}, more than the {limit} a whole "
                                       "submission may have",
    "unreadable.too_many_files": "it holds {count} .py/.ipynb files, more than the {limit} a "
                                 "submission may have",
    "unreadable.too_many_entries": "it holds more than {limit} entries: a submission folder "
                                   "should hold your .py/.ipynb files",
    "unreadable.binary": "it is a binary file, not Python source or a notebook",
    "unreadable.not_utf8": "it is not UTF-8 text (byte {byte}); save it with UTF-8 encoding",
    "unreadable.not_utf8_source": "it is not UTF-8 text (line {line}, byte {byte}) and declares "
                                  "no other encoding: save it with UTF-8 encoding (most editors: "
                                  "Save with Encoding → UTF-8), or declare its encoding on its "
                                  "first line, e.g. `# -*- coding: gbk -*-`",
    "unreadable.not_declared_encoding": "it is not valid {encoding} text (byte {byte}), the "
                                        "encoding its first lines declare; save it with UTF-8 "
                                        "encoding and delete the `coding` line",
    "unreadable.bad_declaration": "its first lines declare an encoding Python cannot read source "
                                  "code in ({encoding}); save it with UTF-8 encoding and delete "
                                  "the `coding` line",
    "unreadable.not_json": "it is not a Jupyter notebook: not valid JSON ({detail})",
    "unreadable.not_notebook": "it is JSON, but not a Jupyter notebook",
    "unreadable.too_deep": "its JSON is nested more than {limit} levels deep, which no Jupyter "
                           "notebook is",
    "unreadable.lone_surrogate": "cell {cell} holds `{character}`, half of a UTF-16 character pair "
                                 "on its own, which is not text: no editor writes one; delete it "
                                 "and save the notebook again",
    "notebook.where": "{file}, cell {cell}",
    "notebook.dropped": "{count} top-level statement(s) of {file} were not run when grading: a "
                        "notebook is graded from its imports, definitions and simple assignments "
                        "only, so that training or plotting at the top level cannot slow it down. "
                        "Not run: {listed}{more}. If a function needs a value computed there, "
                        "compute it inside the function.",
    "notebook.item": "cell {cell} line {line} `{code}`",
    "notebook.more": " and {more} more",
    "notebook.syntax_error": "Cell {cell} of {file} is not valid Python ({message}, line {line}) "
                             "and was skipped: what it defines was not graded.",
    "notebook.too_deep": "Cell {cell} of {file} is nested too deeply for Python to read and was "
                         "skipped: what it defines was not graded.",
    "feedback.title": "Feedback for {student}",
    "feedback.submission": "Submission: {submission}",
    "feedback.graded": "Graded by grader {version} (specs {digest}, seed {seed}).",
    "feedback.graded_private": "Graded by grader {version} (specs {digest}, private inputs "
                               "{fingerprint}).",
    "feedback.notes": "Notes",
    "feedback.details": "What to fix",
    "feedback.exercise_failed": "{exercise}: {message}",
    "feedback.stdout": "What your code printed",
    "cluster.no_extra": "`--cluster` needs Dask distributed, the `cluster` extra: "
                        "`pip install \"grader[cluster]\"` (in a checkout: `pip install \".[cluster]\"`).",
    "cluster.bad_address": "`--cluster {address}` is neither a scheduler address (`tcp://host:8786`), "
                           "a scheduler file (`.json`), nor `local:N` with N at least 1.",
    "cluster.unreachable": "No Dask scheduler answered at {address} within {seconds} s ({reason}). "
                           "Start one with `dask scheduler`, or check the address and the firewall.",
    "cluster.no_workers": "The Dask scheduler at {address} has had no worker for {seconds} s: start "
                          "some with `dask worker {address} --nthreads 1`.",
    "cluster.setup_failed": "A Dask worker could not open the grader: {reason}",
    "cluster.other_grader": "The Dask worker {worker} has grader {theirs}, this client {ours}: install "
                            "the same version on every worker (a grade must not depend on the machine).",
    "cluster.other_exercises": "The Dask worker {worker} has another exercise set (digest {theirs}, this "
                               "client {ours}): install the same set on every worker, or give an "
                               "`--exercises` folder every worker has.",
    "cluster.worker": "Dask worker {worker} on {host}: every sandbox layer ({available}).",
    "cluster.worker_missing": "Dask worker {worker} on {host}: sandbox layers {available}; MISSING: "
                              "{missing} (run `grader doctor` there).",
    "batch.plan": "Grading {todo} of {total} submissions with {jobs} process(es) into {out}; "
                  "{skipped} unchanged since the last run (use --force to regrade them).",
    "batch.line": "[{done}/{total}] {student}: {score}/{max_score} {status} ({seconds} s)",
    "batch.progress": "{done}/{total} · {rate}/min · ETA {eta} · failures {failures}",
    "batch.done": "Graded {graded} submission(s) in {seconds} s ({rate} per minute); {failures} "
                  "did not pass everything.",
    "batch.interrupted": "Interrupted: {graded} submission(s) graded and saved, {left} left. "
                         "Run the same command again to grade the rest.",
    "batch.changed_title": "Scores changed since the last grading:",
    "batch.changed": "  {student}: {before} → {after} ({delta})",
    "batch.not_on_roster": "Not on the roster (graded anyway): {students}",
    "batch.missing": "On the roster, no submission (scored 0): {students}",
    "batch.ignored": "Ignored (not a .py, .ipynb or folder): {entries}",
    "batch.out_not_folder": "cannot create the output folder there: {blocker} is a "
                            "file, not a folder. Choose another folder with -o.",
    "batch.out_not_writable": "cannot write in the output folder (no permission). "
                              "Choose another folder with -o.",
    "batch.outputs": "Gradebook: {gradebook}\nFeedback: {feedback}\nClass report: {report}",
    "batch.no_plots": "matplotlib is not installed: the class report has tables but no plots "
                      "(pip install \"grader[batch]\").",
    "batch.worker_died": "The grading process handling this submission died ({how}).",
    "batch.gradebook_failed": "An internal error of the grader: this submission's result could not "
                              "be stored in the gradebook ({reason}). It is graded again on the next "
                              "run.",
    "batch.feedback_failed": "An internal error of the grader: this submission was graded "
                             "({score}/{max_score}) but its feedback could not be written "
                             "({reason}). It is graded again on the next run.",
    "batch.ambiguous": "Several entries for one student ({entries}): each was graded and the best "
                       "is kept, {kept} ({scores}). Keep only one.",
    "batch.ambiguous_line": "Several entries, the best kept: {student}: {kept} ({scores})",
    "batch.internal_line": "Internal error, graded again on the next run: {student}: {reason}",
    "batch.unwritten_line": "Feedback not written for {student}: {reason}",
    "batch.unreadable_grade": "the stored result cannot be read back (grade again with --force)",
    "batch.no_gradebook": "No gradebook in {out} (run `grader grade` first).",
    "batch.no_student": "No student {student} in the gradebook.",
    "batch.roster_error": "Cannot read the roster {path}: {problem}",
    "batch.unknown_student": "No student {students} in this class (its students: {known}).",
    "batch.merged": "Graded again in this run: {exercises}. The other exercises ({kept}) keep "
                    "their results from {graded_at}.",
    "roster.unreadable": "{problem}",
    "roster.encoding": "it is neither UTF-8, UTF-16 nor GBK text; save it again as \"CSV UTF-8\"",
    "roster.csv": "it is not valid CSV ({problem})",
    "roster.empty": "no students in it",
    "roster.no_id": "no column holds the student ids (columns found: {columns}). Name the id "
                    "column in a header row: {accepted}",
    "roster.ambiguous_id": "several columns could hold the student ids ({columns}); keep one, or "
                           "name it id in the header row",
    "roster.unsure_header": "the first row ({row}) is neither a header with known column names "
                            "nor a student who submitted: name the columns id, name, email",
    "roster.duplicates": "these ids are listed more than once: {ids}",
    "history.title": "Runs for {student}:",
    "history.col.run": "run",
    "history.col.when": "started",
    "history.col.action": "in this run",
    "history.col.score": "score",
    "history.col.status": "grade",
    "history.col.hash": "submission (hash)",
    "history.col.digest": "specs (digest)",
    "action.graded": "graded",
    "action.unchanged": "unchanged",
    "action.pending": "not reached",
    # lateness, extensions, corrections and comments (issue 15: grader/batch/lateness.py, overrides.py)
    "late.on_time": "submitted on time ({when})",
    "late.grace": "submitted {hours} h late ({when}), within the grace period: no penalty",
    "late.late": "submitted {hours} h late ({when}): −{percent} %",
    "late.capped": "submitted {hours} h late ({when}): −{percent} %, the most this assignment takes",
    "late.closed": "submitted {hours} h late ({when}), after the last day ({last_day}): the work counts nothing",
    "late.unknown": "no submission time is known: no late penalty",
    "late.flagged": "the LMS marked this submission late, but its download does not say when: no "
                    "late penalty was applied; check the time in the LMS and correct the score by "
                    "hand if the policy takes points (`grader override`)",
    "late.extension": "Extension: due {due} instead of {was}.",
    "time.lms": "time from the LMS",
    "time.git": "time of the last commit",
    "time.file": "time of the file (no LMS record, no commit): check it",
    "batch.file_times": "Submission times taken from the files' modification times (no LMS record, no git "
                        "history; check them): {students}",
    "batch.extensions_unknown": "Extensions for students who are not in the class (not used): {students}",
    "batch.lateness": "Late: {students}",
    "extensions.error": "cannot use the extensions {path}: {problem}",
    "extensions.columns": "it needs the columns student, assignment, and due or days (found: {columns})",
    "extensions.row": "line {line}: {problem}",
    "extensions.both": "give a new due date or extra days, not both",
    "extensions.neither": "no new due date and no extra days",
    "extensions.days": "{value} is not a number of days (more than 0)",
    "extensions.duplicate": "student {student} has two extensions for {assignment}",
    "feedback.course": "Final score",
    "feedback.final": "Final score: {score} / {max_score}",
    "feedback.raw": "Score of the checks: {score} / {max_score}",
    "feedback.override": "{exercise}: {points} / {max_score}, set by your instructor (the checks gave {was}): {reason}",
    "feedback.corrected": "corrected",
    "feedback.comment": "Your instructor ({when}): {comment}",
    "override.unknown_exercise": "No exercise {exercise} in {student}'s grade (exercises: {known}).",
    "override.range": "{points} is out of range: {exercise} is worth 0 to {max_score} points.",
    "override.need_points": "Give the points (`grader override OUT STUDENT EXERCISE POINTS --reason TEXT`) "
                            "or `--remove`, not both.",
    "override.need_reason": "Say why with `--reason TEXT`: it is kept with the correction.",
    "override.nothing_to_remove": "{student} has no correction of {exercise} to remove.",
    "override.done": "{student} · {exercise}: {points} / {max_score} (the checks gave {was}). "
                     "Outputs in {out} written again.",
    "override.removed": "{student} · {exercise}: correction removed ({was} again). Outputs in {out} written again.",
    "comment.done": "Comment kept for {student}. Outputs in {out} written again.",
    "comment.empty": "The comment is empty.",
    "history.corrections": "Corrections and comments of {student}:",
    "history.col.at": "when",
    "history.col.what": "what",
    "history.col.reason": "why",
    "history.set": "{exercise} → {points}",
    "history.removed": "{exercise}: correction removed",
    "history.comment": "comment",
    "class.course": "Lateness and corrections",
    "class.no_course": "No late submission, no correction.",
    "class.submitted_at": "submitted",
    "class.time_source": "time from",
    "class.hours_late": "hours late",
    "class.penalty": "penalty",
    "class.raw": "checks",
    "class.final": "final",
    "class.corrected": "corrected",
    "class.comment": "comment",
    "class.time.lms": "LMS",
    "class.lms_late": "late, says the LMS (time unknown: check)",
    "class.time.git": "last commit",
    "class.time.file": "file time (check)",
    "class.time.none": "–",
    "class.title": "Class report: {name}",
    "class.generated": "{students} students · graded by grader {version} · specs {digest}",
    "class.summary": "Summary",
    "class.students": "students",
    "class.submitted": "submitted",
    "class.missing": "missing",
    "class.not_on_roster": "not on the roster",
    "class.mean": "mean score",
    "class.median": "median score",
    "class.full_marks": "full marks",
    "class.histogram": "Score distribution",
    "class.histogram_axis": "score (% of the maximum)",
    "class.count_axis": "students",
    "class.pass_rate": "Pass rate per exercise",
    "class.pass_rate_axis": "passed (% of students who submitted)",
    "class.exercise": "exercise",
    "class.passed": "passed",
    "class.failed": "failed",
    "class.not_attempted": "not attempted",
    "class.errors": "error / timeout",
    "class.mean_points": "mean points",
    "class.mistakes": "Most common diagnosed mistakes",
    "class.mistake": "mistake",
    "class.students_count": "students",
    "class.no_mistakes": "No catalogued mistake was recognised.",
    "class.problems": "Timeouts, errors and sandbox violations",
    "class.no_problems": "None.",
    "class.student": "student",
    "class.kind": "kind",
    "class.what": "what happened",
    "class.kind.timeout": "timeout",
    "class.kind.error": "error",
    "class.kind.sandbox": "sandbox violation",
    "class.kind.unreadable": "unreadable submission",
    "class.kind.ambiguous": "several entries",
    "class.slowest": "Slowest submissions",
    "class.seconds": "seconds",
    "class.score": "score",
    "class.all_students": "All students",
    "class.status": "status",
    "class.pass_rate_short": "pass rate",
    "class.all_exercises": "all",
    # the LMS in and out (grader collect, grader export --format canvas|moodle; grader/lms/)
    "lms.collect.done": "Collected {count} submission(s) from {archive} into {out}.",
    "lms.collect.unmatched_title": "Not collected ({count}), also listed in {manifest}:",
    "lms.collect.unmatched": "  {entry}: {reason}",
    "lms.collect.canvas_times": "Canvas's archive holds no submission times (its entries carry the "
                                "time the zip was made): each submission's late marker is kept, "
                                "and lateness uses other times (docs/lms.md).",
    "lms.collect.same_times": "Every collected entry carries the same time ({time}): probably when "
                              "the zip was made, not when the students submitted. Check before "
                              "lateness uses it (`--no-zip-times` leaves the times out).",
    "lms.collect.bad_zone": "unknown time zone {zone}: give an IANA name such as `Asia/Shanghai` "
                            "or `UTC`.",
    "lms.collect.out_not_folder": "{out} is not a folder.",
    "lms.collect.out_not_empty": "{out} is not empty: collect into a new folder, or add `--force` "
                                 "to update an earlier collect there (docs/lms.md).",
    "lms.collect.other_source": "{out} holds a collect from {source}: collect this archive into "
                                "another folder.",
    "lms.collect.outside": "the entry {file} would be written outside the class folder: refused, "
                           "nothing was collected.",
    "lms.archive.missing": "no archive at {file}.",
    "lms.archive.not_zip": "{file} is not a zip archive, or it is corrupt (download it again from "
                           "the LMS).",
    "lms.archive.unreadable": "cannot read the archive {file}: {problem}",
    "lms.archive.too_many_entries": "the archive holds {count} entries, more than the {limit} "
                                    "allowed: refused, nothing was collected.",
    "lms.archive.entry_too_large": "the archive's entry {entry} would unpack to {size} bytes, more "
                                   "than the {limit} allowed for one file: refused, nothing was "
                                   "collected.",
    "lms.archive.bomb": "the archive's entry {entry} is compressed {ratio} times over: a zip bomb, "
                        "refused, nothing was collected.",
    "lms.archive.too_large": "the archive would unpack to more than {limit} bytes: refused, "
                             "nothing was collected.",
    "lms.archive.corrupt_entry": "the archive's entry {entry} is corrupt (download the archive "
                                 "again): nothing was collected.",
    "lms.entry.hidden_characters": "its name holds control or invisible characters",
    "lms.entry.absolute": "an absolute path, which would be written outside the class folder",
    "lms.entry.traversal": "a path with `..`, which would be written outside the class folder",
    "lms.entry.name_too_long": "a name longer than a file system allows",
    "lms.entry.symlink": "a symbolic link",
    "lms.entry.special": "a special file (a device, a FIFO or a socket)",
    "lms.entry.encrypted": "an encrypted entry",
    "lms.entry.os_metadata": "a file the operating system added (`__MACOSX`, `.DS_Store`)",
    "lms.entry.not_lms": "not named as this LMS names a submission's files",
    "lms.entry.other_attempt": "another attempt of the same file (`--attempt first` or "
                               "`--attempt last` chooses the one kept)",
    "lms.entry.duplicate": "a second file at the same path in one submission",
    "lms.unmatched.not_on_roster": "its student is not on the roster",
    "lms.unmatched.ambiguous": "it matches several students of the roster",
    "lms.unmatched.unsafe_id": "its student's id cannot be a folder name",
    "lms.unmatched.same_student": "another submission in the archive is already this student's",
    "lms.unmatched.shared_name": "several submissions in the archive match this student by name "
                                 "alone: none is taken",
    "lms.manifest_json": "the collect manifest `.grader-collect.json` is not valid JSON.",
    "lms.manifest_field": "the collect manifest `.grader-collect.json` is not valid: its field "
                          "`{field}` is missing or wrong. Collect again, or remove the file.",
    "lms.manifest_version": "the collect manifest `.grader-collect.json` has version {version}; "
                            "this grader reads version 1.",
    "lms.manifest_not_file": "the collect manifest `.grader-collect.json` is not a regular file.",
    "lms.manifest_too_large": "the collect manifest `.grader-collect.json` is larger than {limit} "
                              "bytes.",
    "lms.manifest_unreadable": "cannot read the collect manifest `.grader-collect.json`: {problem}",
    "lms.export.manifest_error": "Cannot use the class folder {folder}: {problem}",
    "batch.nothing": "Nothing to grade: all {skipped} submission(s) are unchanged since the last "
                     "run (use --force to regrade them).",
    "class.state.graded": "graded",
    "class.state.error": "error",
    "class.state.missing": "missing",
    "class.state.internal_error": "grader error (regraded next run)",
    "class.state.pending": "not graded yet",
    # similarity across a class (grader similarity, grader/similarity/)
    "similarity.title": "Similarity report: {name}",
    "similarity.generated": "{students} submissions · grader {version}",
    "similarity.evidence": "This report is evidence for a person to read, not a verdict: it never "
                           "changes a grade. Two solutions can be alike for innocent reasons (a "
                           "standard answer, allowed collaboration): read the side-by-side view "
                           "before deciding anything.",
    "similarity.summary": "Summary",
    "similarity.card.students": "submissions",
    "similarity.card.compared": "compared",
    "similarity.card.not_compared": "not compared",
    "similarity.card.candidates": "pairs sharing code",
    "similarity.card.flagged": "pairs flagged",
    "similarity.how_to_read": "How to read this report",
    "similarity.read.score": "A score is the share of fingerprints (short stretches of normalised "
                             "code) that two versions of a function have in common: 100% is the "
                             "same code once names, comments, docstrings, whitespace, the order of "
                             "the functions and the usual rewrites are set aside. The overall score "
                             "weighs each judged function by its length.",
    "similarity.read.flag": "A pair is flagged when its overall score reaches {threshold}, or when "
                            "one exercise function reaches {unit_threshold}.",
    "similarity.read.view": "Each pair opens a side-by-side view where matching regions have the "
                            "same colour on both sides.",
    "similarity.read.discount": "Not evidence, so left out: the starter file, the signatures and "
                                "docstrings, and fragments that a large share of the class has in "
                                "common (a standard one-line answer).",
    "similarity.read.limits": "Functions shorter than {min_tokens} normalised tokens (about three "
                              "lines) are not judged, and code rewritten by hand (other steps, "
                              "another algorithm) is not recognised as copied.",
    "similarity.ranked": "Pairs ranked by overall similarity",
    "similarity.flagged": "flagged",
    "similarity.view": "view",
    "similarity.rank": "#",
    "similarity.student_a": "student",
    "similarity.student_b": "student",
    "similarity.overall": "overall",
    "similarity.strongest": "most similar functions",
    "similarity.nothing_judged": "nothing long enough to judge",
    "similarity.no_pairs": "No two submissions share code beyond what is discounted.",
    "similarity.more_flagged": "{count} more flagged pairs are not listed: the thresholds are too "
                               "low for this class (raise --threshold or --unit-threshold).",
    "similarity.per_exercise": "Most similar pairs per exercise",
    "similarity.score": "score",
    "similarity.matched": "fingerprints matched",
    "similarity.coverage": "share of each side matched",
    "similarity.units": "Exercises across the class",
    "similarity.exercise": "exercise",
    "similarity.writers": "submissions with it",
    "similarity.judged": "long enough to judge",
    "similarity.too_short": "shorter than {min_tokens} tokens",
    "similarity.common": "fingerprints common in the class",
    "similarity.cap": "common above (submissions)",
    "similarity.other_code": "other code (helpers, top-level statements)",
    "similarity.not_compared": "Not compared",
    "similarity.student": "student",
    "similarity.reason": "why",
    "similarity.none": "None.",
    "similarity.notes": "Parts left out",
    "similarity.note": "what",
    "similarity.ignored": "Ignored entries (not a .py, .ipynb or folder):",
    "similarity.method": "Method and what was discounted",
    "similarity.method_text": "Each function is parsed and normalised (names erased, imports "
                              "resolved, comments, docstrings, prints and annotations dropped, "
                              "`a += b` read as `a = a + b`, simple loops as comprehensions, the "
                              "operands of + and * in a fixed order), then cut into k-grams of {k} "
                              "tokens; winnowing with a window of {window} keeps fingerprints such "
                              "that every match of {guarantee} tokens or more is found. A function is "
                              "judged when it has at least {min_tokens} tokens and {min_prints} "
                              "fingerprints left once the base and the common fingerprints are "
                              "discounted; a fingerprint is common when more than {share} of the "
                              "submissions with that function have it (and at least {common_min}). "
                              "The base holds {base} fingerprints, from:",
    "similarity.no_base": "No base material was discounted (--no-starter).",
    "similarity.base_starter": "the `grader init` starter of {count} exercise(s), in {languages}, as "
                               "a .py file and as a notebook",
    "similarity.base_file": "the handout file {file}",
    "similarity.cut": "… only the first {count} lines are shown",
    "similarity.back": "← all pairs",
    "similarity.state": "state",
    "similarity.state.judged": "judged",
    "similarity.state.short": "too short to judge",
    "similarity.state.shared": "only base or common code",
    "similarity.side": "{kept} of {total} fingerprints kept ({base} base, {common} common; {tokens} "
                       "tokens)",
    "similarity.no_matches": "No matching region.",
    "similarity.legend.matched": "matching region (one colour per region, the same on both sides)",
    "similarity.legend.discounted": "only base or common code: not evidence",
    "similarity.region": "region {number}: lines {a_first}–{a_last} ↔ {b_first}–{b_last}",
    "similarity.other_method": "fingerprinted by another version of the grader: fingerprint it again",
    "similarity.syntax_error": "{file}, line {line}: not valid Python ({message}); that block was "
                               "not compared",
    "similarity.too_complex": "{file}, line {line}: too deeply nested to compare ({message})",
    "similarity.truncated": "{unit}: only the first {limit} tokens were compared",
    "similarity.cli.summary": "Compared {compared} of {students} submissions in {folder}: "
                              "{candidates} pair(s) share code, {flagged} flagged.",
    "similarity.cli.pair": "  {rank}. {a} ↔ {b}: {score} overall ({strongest})",
    "similarity.cli.more": "  … and {count} more flagged pair(s) in the report.",
    "similarity.cli.none_flagged": "No pair reaches the thresholds.",
    "similarity.cli.not_compared": "Not compared: {students}",
    "similarity.cli.report": "Report: {path}",
    "similarity.cli.evidence": "This is evidence for a person to read: it never changes a grade.",
    # similarity stored in the gradebook and the class report's section (grader/similarity/stored.py,
    # grader/batch/similarity_section.py)
    "similarity.not_stored": "no fingerprints stored in the gradebook for this submission (graded "
                             "with `--no-similarity`, or by another version of the grader): run "
                             "`grader grade` again",
    "similarity.unreadable_record": "its fingerprints stored in the gradebook cannot be read back "
                                    "({reason}): run `grader grade` again, which fingerprints it anew",
    "similarity.unreadable_source": "the submission cannot be read as text ({reason})",
    "similarity.cli.gradebook": "Using the fingerprints stored in {gradebook} for the {students} "
                                "submissions of its latest run: no submission is read again.",
    "similarity.cli.no_gradebook": "No gradebook in {out} (run `grader grade` first).",
    "similarity.cli.no_class": "Give a submissions folder `CLASS`, or `--gradebook OUT`.",
    "class.similarity": "Similar code across the class",
    "class.similarity.summary": "Compared {compared} of {students} submissions: {candidates} pair(s) "
                                "share code once the base is discounted, {flagged} flagged "
                                "({computed} fingerprinted in this run, {reused} unchanged ones "
                                "taken from the gradebook).",
    "class.similarity.full": "The whole similarity report.",
    "class.similarity.not_compared": "Not compared (see the whole report for why):",
    "batch.similarity": "Similarity: {flagged} pair(s) flagged among {compared} submissions "
                        "compared ({computed} fingerprinted, {reused} reused): {report}. Evidence "
                        "for a person to read; it never changes a grade.",
    "batch.similarity_failed": "The similarity section was not made ({reason}); the grades, the "
                               "CSV and the rest of the report are not affected.",
    "batch.similarity_interrupted": "interrupted",
    "batch.similarity_repaired": "Stored fingerprints that could not be read back were computed "
                                 "again: {students}",
}

LANGUAGES = ("en", "zh")


def codes() -> list[str]:
    """Every message code of the catalogue (what the translation test walks)."""
    return list(CATALOGUE)


@functools.lru_cache(maxsize=None)
def translation(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of `lang`, read once per process (without one: the English)."""
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def text(code: str, lang: str = "en") -> str:
    """The template of `code` in `lang`: the English of CATALOGUE, or its translation."""
    english = CATALOGUE[code]
    if lang == "en" or lang not in LANGUAGES:
        return english
    return translation(lang).pgettext(code, english)


#: below this a number is shown with two digits (1.2e-38, float32's smallest normal number): the
#: optimizer checks feed such deliberately tiny gradients, and their digits say nothing
TINY = 1e-30
_TINY_IN_TEXT = re.compile(r"-?\d(?:\.\d+)?e-(?:3\d|[4-9]\d|\d{3})")
#: a tiny number as format_value shows it
TINY_SHOWN = re.compile(r"\b\d(?:\.\d)?e-(?:3\d|[4-9]\d|\d{3})\b")


def tiny_note(shown: str, lang: str) -> str:
    """A sentence on the tiny numbers in a shown value or call ("" when there is none)."""
    return text("report.tiny_values", lang) if TINY_SHOWN.search(shown) else ""


def format_value(value: object, lang: str = "en") -> str:
    """A value as the report shows it: arrays as NumPy prints them, on one line; a summary of a
    value too large to keep (grader.result.Summary) in words of `lang`."""
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value)
        if array.ndim == 0:
            return format_value(array.item())
        shown = np.array2string(array, precision=6, separator=", ", threshold=24, edgeitems=3,
                                suppress_small=False, max_line_width=10_000)
        shown = " ".join(shown.split())  # one line, whatever the number of dimensions
        shown = _TINY_IN_TEXT.sub(lambda m: f"{float(m.group()):.2g}", shown)
        return re.sub(r"\s+([,\]])", r"\1", re.sub(r"\[\s+", "[", shown))  # [ 1. , -1. ] → [1., -1.]
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        if 0 < abs(value) < TINY:  # 1.2e-38, not 1.17549e-38: its size is what matters
            return f"{value:.2g}"
        return f"{value:.6g}"
    if isinstance(value, tuple):
        return "(" + ", ".join(format_value(v, lang) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(format_value(v, lang) for v in value) + "]"
    if isinstance(value, dict):
        summary = Summary.of(value)
        if summary is not None:
            return format_summary(summary, lang)
        return "{" + ", ".join(f"{k!r}: {format_value(v, lang)}" for k, v in value.items()) + "}"
    return str(value)


def format_summary(summary: Summary, lang: str = "en") -> str:
    """One line for a summarised value: what it is, how it starts, its worst entries."""
    if summary.kind == "dict":
        items = [f"{pair[0]!r}: {format_value(pair[1], lang)}" if isinstance(pair, (list, tuple))
                 and len(pair) == 2 else format_value(pair, lang) for pair in summary.head]
    else:
        items = [format_value(v, lang) for v in summary.head]
    if summary.size > len(summary.head):
        items.append("…")
    brackets = {"dict": "{}", "tuple": "()"}.get(summary.kind, "[]")
    facts = {"dtype": summary.dtype, "shape": format_value(summary.shape), "size": summary.size,
             "head": brackets[0] + ", ".join(items) + brackets[1]}
    line = text(f"summary.{summary.kind}", lang).format(**facts)
    if summary.worst:
        shown = ", ".join("[" + ", ".join(map(str, w.index)) + "] " + format_value(w.value, lang)
                          for w in summary.worst)
        line += text(f"summary.worst_{summary.ranked_by}", lang).format(entries=shown)
    if summary.nan or summary.posinf or summary.neginf:
        line += text("summary.nonfinite", lang).format(nan=summary.nan, posinf=summary.posinf,
                                                       neginf=summary.neginf)
    return line


def format_call(function: str | None, case: object, lang: str = "en") -> str:
    """`softmax(x=[1., 2.])`: a call as the student can paste it (`case`: the arguments by name)."""
    if not function:
        return ""
    if case is None:
        return f"{function}(…)"
    if not isinstance(case, dict) or Summary.of(case) is not None:
        return f"{function}({format_value(case, lang)})"
    args = ", ".join(f"{k}={v!r}" if isinstance(v, str) else f"{k}={format_value(v, lang)}"
                     for k, v in case.items())  # a call the student can paste and run
    return f"{function}({args})"


class _Facts(dict[str, str]):
    """The facts of a sentence, formatted; a fact the sentence needs but was not given shows as
    "?" (a report never stops on a missing fact)."""

    def __missing__(self, key: str) -> str:
        return "?"


#: the facts of a message, as a check records them (grader.result.Facts)
_Raw = Mapping[str, object]


_SEQUENCE_OF = re.compile(r"a (list|tuple) of (\d+)")
_ARRAY_OF_SHAPE = re.compile(r"array of shape (\(.*\))")


def _type_words(words: str, lang: str) -> str:
    """A type as grader.judge.compare words it ("a number or an array", "a tuple of 3", "array
    of shape (2, 3)"), in `lang`; a Python type name (str, NoneType) stays as it is: it is code."""
    if words == "a number or an array":
        return text("type.number_or_array", lang)
    if words == "a dict":
        return text("type.dict", lang)
    match = _SEQUENCE_OF.fullmatch(words)
    if match:
        return text(f"type.{match.group(1)}_of", lang).format(count=match.group(2))
    match = _ARRAY_OF_SHAPE.fullmatch(words)
    if match:
        return text("type.array_of_shape", lang).format(shape=match.group(1))
    return words


def _how_it_ended(how: Mapping[str, object], english: str, lang: str) -> str:
    """A worker's end (its exit code or signal) in `lang`; else the English description."""
    if type(how.get("signal")) is int:
        return text("exit.signal", lang).format(signal=how["signal"])
    if type(how.get("exit_code")) is int:
        return text("exit.code", lang).format(code=how["exit_code"])
    return english


def render(code: str, facts: Mapping[str, object], lang: str = "en") -> str:
    """The sentence for `code`, in `lang`, with `facts` filled in."""
    if code not in CATALOGUE:
        return code
    code = _variant(code, facts)
    shown = _Facts({k: format_value(v, lang) for k, v in facts.items()})
    for fill in _FILLERS:
        fill(code, facts, shown, lang)
    return _with_hint(text(code, lang).format_map(shown), facts, lang)


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


def _variant(code: str, facts: _Raw) -> str:
    """The more precise code some facts call for."""
    if code == "import_error" and facts.get("type") == "NestedTooDeeply":  # grader.run.worker
        return "import_error.too_deep"
    if code == "nonfinite" and _finite(facts.get("actual_value")) \
            and not _finite(facts.get("expected_value")):  # the answer is the infinite one
        return "nonfinite.expected"
    return code


def _fill_place(code: str, facts: _Raw, shown: _Facts, lang: str) -> None:
    """`{path}`: where inside the returned value ("in result[0]"); a file for the codes of a
    submission or a batch, left as it is."""
    if code.startswith(("submission_", "batch.")):
        return
    path = facts.get("path")
    shown["path"] = text("place.in_result", lang).format(path=path) if path else ""


def _fill_reason(code: str, facts: _Raw, shown: _Facts, lang: str) -> None:
    """`{reason}`: the sentence of a reason given as a code of its own."""
    reason = facts.get("reason_code")
    if isinstance(reason, str) and reason in CATALOGUE:
        shown["reason"] = text(reason, lang).format_map(shown)


def _fill_words(code: str, facts: _Raw, shown: _Facts, lang: str) -> None:
    """`{expected_type}`/`{actual_type}` and `{how}`: the judge's English words for a type and a
    worker's end (its exit code or signal), in `lang`."""
    for key in ("expected_type", "actual_type"):
        words = facts.get(key)
        if isinstance(words, str):
            shown[key] = _type_words(words, lang)
    how = facts.get("exit")
    if isinstance(how, dict):  # grader.engine
        shown["how"] = _how_it_ended(how, shown["how"], lang)


def _fill_notebook(code: str, facts: _Raw, shown: _Facts, lang: str) -> None:
    """`{file}` as a notebook's cell; the statements of a notebook that were not run."""
    if facts.get("cell") is not None and facts.get("file") and not code.startswith("notebook."):
        shown["file"] = text("notebook.where", lang).format_map(shown)
    if code == "notebook.dropped":
        listed = facts.get("listed")
        shown["listed"] = "; ".join(text("notebook.item", lang).format_map(_Facts(item))
                                    for item in (listed if isinstance(listed, list) else [])
                                    if isinstance(item, dict))
        shown["more"] = text("notebook.more", lang).format_map(shown) if facts.get("more") else ""


def _fill_index(code: str, facts: _Raw, shown: _Facts, lang: str) -> None:
    """`{index}` in NumPy's notation ([2], [0, 1]; a row number for a row's sum) and
    `{at_index}`, the phrase that places it."""
    index = facts.get("index")
    if isinstance(index, (tuple, list)) and index:
        shown["index"] = ", ".join(str(i) for i in index)
        if code != "property_sums_to_one":  # "row 0", "第 0 行"
            shown["index"] = "[" + shown["index"] + "]"
    at = "" if index in ((), None) else text("place.at_index", lang).format(index=shown["index"])
    shown["at_index"] = at


def _fill_shapes(code: str, facts: _Raw, shown: _Facts, lang: str) -> None:
    """A shape () in words: a single number."""
    for key in ("expected_shape", "actual_shape"):
        if facts.get(key) == ():
            shown[key] = text("shape.scalar", lang)


def _fill_mismatch(code: str, facts: _Raw, shown: _Facts, lang: str) -> None:
    """A wrong number: the error allowed, the relative error, how many entries differ."""
    if code != "mismatch":
        return
    expected, total = facts.get("expected_value"), facts.get("total")
    atol, rtol = facts.get("atol"), facts.get("rtol") or 0
    if isinstance(expected, (int, float)) and isinstance(atol, (int, float)) and isinstance(rtol, (int, float)):
        shown["allowed"] = format_value(float(atol) + float(rtol) * abs(float(expected)))
    relative = facts.get("rel_error")
    shown["relative"] = (text("mismatch.relative", lang).format_map(shown)
                         if isinstance(relative, float) and math.isfinite(relative) else "")
    shown["differing"] = _count_phrase("mismatch.differing", total, shown, lang)


def _fill_nonfinite(code: str, facts: _Raw, shown: _Facts, lang: str) -> None:
    """NaN or inf where a number was expected: how many entries are."""
    if code in ("nonfinite", "nonfinite.expected"):
        shown["differing"] = _count_phrase("nonfinite.differing", facts.get("count"), shown, lang)


def _count_phrase(phrase: str, count: object, shown: _Facts, lang: str) -> str:
    """The phrase `phrase` when more than one entry is concerned, else nothing."""
    many = isinstance(count, int) and count > 1
    return text(phrase, lang).format_map(shown) if many else ""


def _fill_own_forward(code: str, facts: _Raw, shown: _Facts, lang: str) -> None:
    """A gradient check: what the student's own forward function was."""
    if "own_forward" in facts:
        shown["own_forward"] = text(f"own_forward.{facts['own_forward']}", lang)


def _fill_raised(code: str, facts: _Raw, shown: _Facts, lang: str) -> None:
    """An exception: the line of the student's file it was raised at."""
    if code == "raised":
        shown["where"] = (text("raised_where", lang).format_map(shown)
                          if facts.get("line") and facts.get("file") else "")


#: each fills the facts one kind of value or one family of messages needs, in this order
#: (`{reason}` is built from the place; `{file}`, `{index}`, from the facts as given)
_FILLERS: tuple[Callable[[str, _Raw, _Facts, str], None], ...] = (
    _fill_place, _fill_reason, _fill_words, _fill_notebook, _fill_index, _fill_shapes, _fill_mismatch,
    _fill_nonfinite, _fill_own_forward, _fill_raised)


def _with_hint(sentence: str, facts: _Raw, lang: str) -> str:
    """The sentence followed by the hint the facts name, if any."""
    hint_code = facts.get("hint_code")
    if not isinstance(hint_code, str) or not hint_code:
        return sentence
    return text("message.with_hint", lang).format(sentence=sentence, hint=text(hint_code, lang))
