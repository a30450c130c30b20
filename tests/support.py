"""Plain helpers of the tests, imported as a normal module (`from support import ROOT`).

Fixtures live in tests/conftest.py and are used as fixtures (an argument of the test), never
imported: pytest gives conftest.py its own module object, so `from conftest import …` may load
a second copy of it, with fixtures and caches of its own."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grader.result import ExerciseResult, SubmissionResult
    from grader.spec import ExerciseSet

#: the checkout: exercises/, reference/, submissions/ and tests/ are read from here
ROOT = Path(__file__).resolve().parent.parent


#: every test file in exactly one group (tests/README.md), applied as a marker of the same name
#: by tests/conftest.py; tests/test_suite_rules.py fails when a file is in none or in two
GROUPS: dict[str, tuple[str, ...]] = {
    # one module or function, on values made in the test: no worker, no command
    "unit": (
        "test_case_keys.py", "test_codec.py", "test_codec_types.py", "test_compare_fast_path.py",
        "test_feedback_config.py", "test_feedback_gettext.py", "test_feedback_messages.py",
        "test_feedback_translations.py", "test_layout.py", "test_round_trips.py", "test_similarity.py",
        "test_spec.py", "test_suite_rules.py", "test_untrusted_text.py",
    ),
    # one stage of grading with its real neighbours: the sandbox, the worker and zygote, plans,
    # private inputs, stored answers, the judge, one reporter
    "stages": (
        "test_ci_reports.py", "test_feedback_explain.py", "test_feedback_starter.py",
        "test_hostile_sizes.py", "test_hostile_unprivileged.py", "test_input_unchanged.py",
        "test_notebook.py", "test_plan_stability.py", "test_private_inputs.py", "test_runner.py",
        "test_sandbox_layers.py", "test_secret.py", "test_stored_answers.py", "test_zygote_gc.py",
    ),
    # the real command (CliRunner on grader.cli, `python -m grader`, an installed wheel, a CI job)
    "end_to_end": (
        "test_batch_grade.py", "test_batch_report.py", "test_ch3_grading.py", "test_ci_templates.py",
        "test_cli.py", "test_feedback_jupyter.py", "test_feedback_watch.py", "test_github_classroom.py",
        "test_hostile.py", "test_hostile_batch.py", "test_hostile_files.py", "test_install.py",
        "test_pack.py", "test_pack_lookup_attack.py", "test_student_wheel.py",
    ),
    # the shipped exercise set itself: reference against torch, every mistake caught, validation
    "catalogue": (
        "test_catalogue_checks.py", "test_catalogue_correct.py", "test_catalogue_mistakes.py",
        "test_mistakes_differ.py", "test_pack_catalogue.py", "test_reference_torch.py",
        "test_validate.py",
    ),
}

#: the whole file
EVERY_TEST = "*"

#: tests of more than about 2 s (measured one file at a time: `--durations=0`), by file and test
#: function (every parametrized case of it), marked `slow` by tests/conftest.py; `-m "not slow"`
#: is the fast set. A test that is the first to need a shared, costly fixture (the catalogue's
#: validation run) counts that fixture's time.
SLOW: dict[str, frozenset[str]] = {
    "test_install.py": frozenset({EVERY_TEST}),
    "test_suite_rules.py": frozenset({"test_collecting_the_suite_imports_no_torch_and_builds_no_session"}),
}


def by_id(result: SubmissionResult) -> dict[str, ExerciseResult]:
    """A submission's exercise results by exercise id, for assertions on one of them."""
    return {e.id: e for e in result.exercises}


@functools.lru_cache(maxsize=None)
def exercise_set() -> ExerciseSet:
    """The shipped exercise set as its YAML says (0.2 s, no plans, no reference run, no worker):
    what a parametrize list may read when pytest collects. A test that grades asks for the
    `session` fixture instead, built when the first such test runs."""
    from grader.spec import load_exercise_set

    return load_exercise_set()
