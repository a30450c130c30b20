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
    "test_batch_grade.py": frozenset({
        "test_a_lost_grader_process_costs_one_submission_and_is_regraded",
        "test_chinese_feedback_and_report",
        "test_ctrl_c_keeps_finished_results_and_a_rerun_completes_the_rest",
        "test_grade_honours_the_sandbox_options",
        "test_output_folder_defaults_next_to_the_submissions",
        "test_resume_skips_unchanged_and_regrades_changed_work",
        "test_student_output_never_becomes_markup",
        "test_the_whole_class_is_graded_whatever_single_students_do",
    }),
    "test_batch_report.py": frozenset({
        "test_the_page_is_self_contained",
        "test_the_report_renders_in_chromium_with_the_expected_figures",
    }),
    "test_catalogue_checks.py": frozenset({
        "test_a_batch_does_not_remember_reference_answers_to_one_students_inputs",
        "test_torch_optim_is_an_independent_oracle",
    }),
    "test_catalogue_correct.py": frozenset({
        "test_a_float32_torch_submission_gets_full_marks",
    }),
    "test_catalogue_mistakes.py": frozenset({
        "test_student_mistakes_get_their_hint_through_the_worker",
        "test_the_mistake_is_caught_with_its_own_hint",
    }),
    "test_ch3_grading.py": frozenset({
        "test_each_catalogued_mistake_is_caught_and_named",
        "test_torch_float32_submission_gets_full_marks",
    }),
    "test_ci_reports.py": frozenset({
        "test_base64_github_result_and_the_gate",
        "test_junit_validates_against_the_schema_and_parses",
    }),
    "test_ci_templates.py": frozenset({
        "test_each_shadow_takes_over_a_grader_that_is_not_isolated",
        "test_gradescope_autograder_runs_in_a_gradescope_layout",
        "test_nothing_in_a_repository_shadows_its_workflow",
        "test_student_repository_is_graded_by_its_own_workflow",
        "test_without_grader_spec_the_workflows_install_the_packs_student_build",
    }),
    "test_cli.py": frozenset({
        "test_same_submission_same_json_twice_and_under_ci",
    }),
    "test_feedback_explain.py": frozenset({
        "test_cli_explain_and_an_unknown_id",
    }),
    "test_feedback_jupyter.py": frozenset({
        "test_check_grades_the_source_in_the_worker_not_the_live_functions",
        "test_in_a_real_kernel",
    }),
    "test_feedback_messages.py": frozenset({
        "test_reference_mismatch_shows_expected_got_error_and_hint",
    }),
    "test_feedback_starter.py": frozenset({
        "test_cli_writes_refuses_to_overwrite_and_forces",
    }),
    "test_feedback_watch.py": frozenset({
        "test_watch_reports_only_what_changed",
    }),
    "test_github_classroom.py": frozenset({
        "test_instructor_only_checks_do_not_move_the_ratio",
        "test_the_reporter_prints_and_records_the_grade",
    }),
    "test_hostile.py": frozenset({
        "test_cpu_time_limit_ends_a_busy_loop_as_timeout",
        "test_crashes_cost_only_that_exercise",
        "test_ignored_signals_do_not_stop_the_wall_clock_kill",
        "test_nothing_outlives_its_worker_even_without_the_sandbox",
    }),
    "test_hostile_batch.py": frozenset({
        "test_a_feedback_file_that_cannot_be_written_costs_that_student_only",
        "test_a_rerun_reuses_every_grade_and_export_and_history_read_them",
        "test_a_step_raising_on_one_students_result_costs_that_student_only",
        "test_every_student_is_graded_whatever_the_others_produce",
        "test_every_task_comes_back_whatever_happens_to_its_grader_process",
    }),
    "test_hostile_files.py": frozenset({
        "test_a_file_not_in_its_declared_encoding_is_refused_in_both_languages",
        "test_deep_notebooks_and_sources_are_clear_errors_in_check",
        "test_the_hostile_class_is_graded_to_the_end_twice",
    }),
    "test_hostile_sizes.py": frozenset({
        "test_gradebook_growth_per_run_is_bounded_and_everyone_is_graded",
        "test_json_report_and_grader_memory_stay_bounded",
        "test_text_report_says_it_in_words_in_both_languages",
    }),
    "test_install.py": frozenset({EVERY_TEST}),
    "test_pack.py": frozenset({
        "test_pack_refuses_a_folder_that_is_not_a_pack_and_rebuilds_one",
        "test_the_pack_holds_no_reference_code",
    }),
    "test_pack_catalogue.py": frozenset({EVERY_TEST}),
    "test_pack_lookup_attack.py": frozenset({EVERY_TEST}),
    "test_plan_stability.py": frozenset({
        "test_pinned_torch_paths_equal_what_live_torch_computes",
    }),
    "test_private_inputs.py": frozenset({
        "test_a_submission_cannot_read_the_secret_or_the_private_inputs",
        "test_another_secret_regrades_everyone_instead_of_mixing_grades",
        "test_check_reports_private_inputs_by_fingerprint_and_seed_shows_public_ones",
        "test_grade_says_which_inputs_it_grades_on_in_both_languages",
        "test_moved_edge_cases_keep_what_each_case_is_about",
        "test_the_same_secret_draws_the_same_inputs_and_another_secret_others",
        "test_validate_checks_the_private_inputs_too",
    }),
    "test_reference_torch.py": frozenset({
        "test_gd_step",
    }),
    "test_runner.py": frozenset({
        "test_hanging_or_crashing_function_costs_only_its_exercise",
        "test_raising_function_fails_with_the_exception_and_line",
        "test_slow_import_times_out",
        "test_zygote_dies_with_a_grader_that_is_killed",
    }),
    "test_sandbox_layers.py": frozenset({
        "test_cpu_loop_dies_by_rlimit_cpu",
    }),
    "test_secret.py": frozenset({
        "test_a_broken_secret_stops_the_instructors_commands_with_a_clear_message",
        "test_secret_init_makes_it_pins_the_private_inputs_and_says_how_to_keep_it",
    }),
    "test_similarity.py": frozenset({
        "test_a_browser_shows_the_injected_script_as_text_and_runs_nothing",
        "test_a_handout_every_student_kept_is_discounted",
        "test_every_copy_pair_ranks_above_every_independent_pair_overall",
        "test_hostile_inputs_get_a_clear_result_and_nothing_crashes",
        "test_options_select_exercises_and_an_unknown_one_is_a_usage_error",
        "test_the_command_writes_a_ranked_report_in_both_languages",
    }),
    "test_stored_answers.py": frozenset({
        "test_stored_answers_grade_the_same",
    }),
    "test_suite_rules.py": frozenset({
        "test_collecting_the_suite_imports_no_torch_and_builds_no_session",
    }),
    "test_untrusted_text.py": frozenset({
        "test_a_submission_file_named_to_attack",
        "test_grade_prints_nothing_a_terminal_or_ci_log_would_act_on",
    }),
    "test_validate.py": frozenset({
        "test_the_whole_catalogue_validates",
        "test_validate_reports_what_does_not_hold",
    }),
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
