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
        "test_feedback_translations.py", "test_lateness.py", "test_layout.py", "test_round_trips.py",
        "test_similarity.py", "test_similarity_stored.py",
        "test_spec.py", "test_suite_rules.py", "test_untrusted_text.py",
    ),
    # one stage of grading with its real neighbours: the sandbox, the worker and zygote, plans,
    # private inputs, stored answers, the judge, one reporter
    "stages": (
        "test_ci_reports.py", "test_failed_check.py", "test_feedback_explain.py", "test_feedback_starter.py",
        "test_hostile_sizes.py", "test_hostile_unprivileged.py", "test_input_unchanged.py",
        "test_notebook.py", "test_plan_stability.py", "test_portable_worker.py", "test_private_inputs.py",
        "test_runner.py",
        "test_sandbox_layers.py", "test_secret.py", "test_stored_answers.py", "test_zygote_gc.py",
        "test_cluster_shipping.py", "test_run_memos.py",
    ),
    # the real command (CliRunner on grader.cli, `python -m grader`, an installed wheel, a CI job)
    "end_to_end": (
        "test_batch_grade.py", "test_batch_report.py", "test_ch3_grading.py", "test_ci_templates.py",
        "test_assignments.py", "test_authoring_errors.py", "test_cluster.py", "test_console.py", "test_course.py",
        "test_course_edges.py", "test_judge_internal_error.py", "test_semester.py", "test_student_edges.py",
        "test_similarity_grade.py", "test_grades_unchanged.py", "test_resident.py",
        "test_cli.py", "test_feedback_jupyter.py", "test_feedback_watch.py", "test_github_classroom.py",
        "test_hostile.py", "test_hostile_batch.py", "test_hostile_files.py", "test_install.py",
        "test_pack.py", "test_pack_lookup_attack.py", "test_student_wheel.py", "test_lms.py",
    ),
    # the shipped exercise set itself: reference against torch, every mistake caught, validation
    "catalogue": (
        "test_catalogue_checks.py", "test_catalogue_correct.py", "test_catalogue_mistakes.py",
        "test_diagnosis.py", "test_mistakes_differ.py", "test_pack_catalogue.py", "test_reference_torch.py",
        "test_validate.py",
    ),
}

#: the whole file
EVERY_TEST = "*"

#: the slow tests, by file and test function (every parametrized case of it), marked `slow` by
#: tests/conftest.py; `-m "not slow"` is the fast set. Measured one file at a time
#: (`--durations=0`): every test of more than about 2 s, a test that is the first to need a
#: shared, costly fixture (the catalogue's validation run: it counts that fixture's time), and,
#: so that the fast set stays well under a minute, every function whose cases take 0.6 s or
#: more together (most start `python -m grader` or a worker of their own).
SLOW: dict[str, frozenset[str]] = {
    "test_semester.py": frozenset({EVERY_TEST}),
    # a generated class of 40 graded by `grader grade -j 2`
    "test_run_memos.py": frozenset({"test_students_of_one_run_keep_their_own_answers"}),
    "test_grades_unchanged.py": frozenset({"test_every_student_is_graded_as_recorded"}),
    # each test starts resident graders and fresh `grader check` processes to compare with
    "test_resident.py": frozenset({EVERY_TEST}),
    # one class graded for an assignment, then corrected and regraded
    "test_course.py": frozenset({EVERY_TEST}),
    "test_assignments.py": frozenset({
        "test_check_scores_the_assignment",
        "test_pack_of_an_assignment_holds_only_it",  # builds a pack
        "test_the_starter_of_an_assignment_is_scored_out_of_its_total",
    }),
    "test_batch_grade.py": frozenset({
        "test_a_lost_grader_process_costs_one_submission_and_is_regraded",
        "test_chinese_feedback_and_report",
        "test_csv_matches_the_database",
        "test_ctrl_c_keeps_finished_results_and_a_rerun_completes_the_rest",
        "test_grade_honours_the_sandbox_options",
        "test_history_lists_the_runs_of_a_student",
        "test_output_folder_defaults_next_to_the_submissions",
        "test_resume_skips_unchanged_and_regrades_changed_work",
        "test_student_output_never_becomes_markup",
        "test_the_whole_class_is_graded_whatever_single_students_do",
        "test_usage_errors_exit_2",
    }),
    "test_batch_report.py": frozenset({
        "test_the_page_is_self_contained",
        "test_the_report_renders_in_chromium_with_the_expected_figures",
    }),
    "test_catalogue_checks.py": frozenset({
        "test_a_batch_does_not_remember_reference_answers_to_one_students_inputs",
        "test_torch_optim_is_an_independent_oracle",
        "test_train_xor_that_outlasts_its_time_limit_times_out",
    }),
    "test_catalogue_correct.py": frozenset({
        "test_a_float32_torch_submission_gets_full_marks",
        "test_the_example_submission_gets_full_marks_everywhere",
        "test_the_example_submission_gets_full_marks_on_private_inputs",
    }),
    "test_catalogue_mistakes.py": frozenset({
        "test_student_mistakes_get_their_hint_through_the_worker",
        "test_the_mistake_is_caught_with_its_own_hint",
        "test_the_private_inputs_leave_no_edge_check_to_the_pack",
    }),
    "test_ch3_grading.py": frozenset({
        "test_buggy_submission_fails_with_counterexamples",
        "test_correct_numpy_submission_written_differently_gets_full_marks",
        "test_each_catalogued_mistake_is_caught_and_named",
        "test_failing_input_is_shrunk_to_a_small_one",
        "test_torch_float32_submission_gets_full_marks",
    }),
    "test_ci_reports.py": frozenset({
        "test_base64_github_result_and_the_gate",
        "test_junit_validates_against_the_schema_and_parses",
        "test_output_file_summary_and_annotations_under_github_actions",
    }),
    "test_ci_templates.py": frozenset({
        "test_each_shadow_takes_over_a_grader_that_is_not_isolated",
        "test_github_workflow_parses_and_names_existing_commands",
        "test_gradescope_autograder_runs_in_a_gradescope_layout",
        "test_nothing_in_a_repository_shadows_its_workflow",
        "test_nothing_in_a_submission_shadows_the_autograder",
        "test_student_repository_is_graded_by_its_own_workflow",
        "test_unsafe_values_are_refused",
        "test_without_grader_spec_the_workflows_install_the_packs_student_build",
    }),
    "test_cli.py": frozenset({
        "test_check_buggy_submission_exits_1",
        "test_check_correct_submission_exits_0_and_prints_the_score",
        "test_chinese_output",
        "test_installed_console_script_works_outside_the_checkout",
        "test_json_output_is_pure_json_even_when_the_student_prints_json",
        "test_json_shape_is_the_documented_one",
        "test_language_defaults_from_the_locale",
        "test_same_submission_same_json_twice_and_under_ci",
        "test_usage_errors_exit_2",
    }),
    "test_lms.py": frozenset({
        "test_collect_grade_export_end_to_end",
    }),
    "test_feedback_config.py": frozenset({
        "test_the_cli_reads_the_config_file",
    }),
    "test_feedback_explain.py": frozenset({
        "test_cli_explain_and_an_unknown_id",
    }),
    "test_feedback_gettext.py": frozenset({
        "test_the_command_line",
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
        "test_notebook_starter_runs_and_checks_as_not_attempted",
        "test_python_starter_imports_documents_and_checks_as_not_attempted",
    }),
    "test_feedback_watch.py": frozenset({
        "test_watch_reports_only_what_changed",
    }),
    "test_github_classroom.py": frozenset({
        "test_every_score_out_of_whole_points",
        "test_fractional_points_are_tests_of_their_greatest_common_divisor",
        "test_instructor_only_checks_do_not_move_the_ratio",
        "test_the_job_fails_exactly_when_grader_check_exits_1",
        "test_the_reporter_prints_and_records_the_grade",
    }),
    "test_hostile.py": frozenset({
        "test_cpu_time_limit_ends_a_busy_loop_as_timeout",
        "test_crashes_cost_only_that_exercise",
        "test_fake_results_printed_or_written_gain_nothing_and_json_stays_pure",
        "test_ignored_signals_do_not_stop_the_wall_clock_kill",
        "test_no_network_connection_is_made",
        "test_no_new_processes",
        "test_nothing_outlives_its_worker_even_without_the_sandbox",
    }),
    "test_hostile_batch.py": frozenset({
        "test_a_feedback_file_that_cannot_be_written_costs_that_student_only",
        "test_a_rerun_reuses_every_grade_and_export_and_history_read_them",
        "test_a_step_raising_on_one_students_result_costs_that_student_only",
        "test_distinct_ids_get_distinct_safe_names_case_insensitively",
        "test_every_student_is_graded_whatever_the_others_produce",
        "test_every_task_comes_back_whatever_happens_to_its_grader_process",
    }),
    "test_hostile_files.py": frozenset({
        "test_a_declared_gbk_encoding_is_honoured_with_the_right_lines",
        "test_a_file_not_in_its_declared_encoding_is_refused_in_both_languages",
        "test_a_folder_whose_modules_import_each_other_grades",
        "test_a_gbk_named_file_checks_under_a_clean_label",
        "test_any_file_name_grades",
        "test_check_refuses_a_link_to_the_reference_in_both_languages",
        "test_check_refuses_links_and_fifos_inside_a_folder",
        "test_deep_notebooks_and_sources_are_clear_errors_in_check",
        "test_a_lone_surrogate_in_a_notebook_is_a_clear_error_in_check",
        "test_the_hostile_class_is_graded_to_the_end_twice",
    }),
    "test_hostile_sizes.py": frozenset({
        "test_forged_replies_are_refused_as_bad_reply",
        "test_gradebook_growth_per_run_is_bounded_and_everyone_is_graded",
        "test_json_report_and_grader_memory_stay_bounded",
        "test_no_lone_surrogate_from_the_worker_reaches_a_result",
        "test_text_report_says_it_in_words_in_both_languages",
    }),
    "test_hostile_unprivileged.py": frozenset({
        "test_attacks_fail_and_layers_are_active_as_an_unprivileged_user",
    }),
    "test_input_unchanged.py": frozenset({
        "test_input_unchanged_makes_no_second_call",
        "test_a_sigmoid_grad_that_overwrites_its_input_fails",
        "test_every_exercise_with_array_arguments_guards_them",
        "test_a_correct_function_is_not_blamed",
    }),
    "test_diagnosis.py": frozenset({  # the precision suite: ~50 wrong functions judged (~15 s)
        "test_every_form_fails", "test_every_hint_names_the_real_mistake",
        "test_a_catalogued_form_gets_its_own_hint", "test_most_failures_get_a_hint_or_a_symptom",
        "test_the_symptom_says_what_is_wrong", "test_a_compound_mistake_is_named_as_the_pair",
        "test_a_small_margin_is_not_called_a_zero_margin", "test_the_softmax_over_axis_1_is_named",
        "test_every_distinct_failure_is_reported_with_its_smallest_input",
        "test_a_correct_function_and_an_unrelated_wrong_one_get_no_symptom",
    }),
    "test_course_edges.py": frozenset({EVERY_TEST}),   # every test starts `python -m grader`
    "test_student_edges.py": frozenset({EVERY_TEST}),  # most start a worker to check a file
    "test_install.py": frozenset({EVERY_TEST}),
    "test_cluster.py": frozenset({EVERY_TEST}),  # Dask schedulers and workers, classes graded
    "test_mistakes_differ.py": frozenset({
        "test_mistake_differs_from_the_reference",
    }),
    "test_notebook.py": frozenset({
        "test_check_command_accepts_a_notebook_and_a_folder_with_one",
    }),
    "test_pack.py": frozenset({
        "test_a_buggy_submission_gets_the_same_failures",
        "test_a_correct_submission_gets_the_same_public_score",
        "test_check_from_a_pack_on_the_command_line",
        "test_grading_from_a_pack_never_draws_nor_imports_hypothesis",
        "test_pack_refuses_a_folder_that_is_not_a_pack_and_rebuilds_one",
        "test_the_pack_holds_no_reference_code",
    }),
    "test_pack_catalogue.py": frozenset({EVERY_TEST}),
    "test_pack_lookup_attack.py": frozenset({EVERY_TEST}),
    "test_plan_stability.py": frozenset({
        "test_a_local_module_full_of_constants_does_not_change_the_draw",
        "test_pinned_torch_paths_equal_what_live_torch_computes",
    }),
    "test_private_inputs.py": frozenset({
        "test_a_changed_edge_case_moves_again_and_the_draws_stay",
        "test_a_copy_of_the_private_folder_grades_on_the_same_inputs_without_drawing",
        "test_a_moved_case_that_loses_what_its_case_is_about_is_refused",
        "test_a_submission_cannot_read_the_secret_or_the_private_inputs",
        "test_another_secret_regrades_everyone_instead_of_mixing_grades",
        "test_check_reports_private_inputs_by_fingerprint_and_seed_shows_public_ones",
        "test_grade_says_which_inputs_it_grades_on_in_both_languages",
        "test_moved_edge_cases_keep_what_each_case_is_about",
        "test_nearly_every_edge_case_moves_and_every_exercise_with_one_to_move_has_one_moved",
        "test_private_inputs_share_no_drawn_case_with_the_public_ones",
        "test_the_same_secret_draws_the_same_inputs_and_another_secret_others",
        "test_validate_checks_the_private_inputs_too",
    }),
    # torch takes 2 s to import, and its 110 checks 10 s more: the fast set does without
    "test_reference_torch.py": frozenset({EVERY_TEST}),
    "test_console.py": frozenset({
        "test_grader_check_under_pythonioencoding_gbk_with_a_chinese_path_does_not_crash",
        "test_a_windows_looking_file_name_is_printed_and_stored_as_it_is",
    }),
    "test_portable_worker.py": frozenset({
        "test_shipped_submissions_grade_the_same_under_both_workers",
        "test_hostile_submissions_grade_the_same_under_both_workers",
        "test_a_child_that_outlives_its_worker_is_killed_with_it",
        "test_no_worker_or_pipe_is_left_after_a_session",
        "test_a_well_formed_forged_reply_on_the_pipes_gains_nothing",
    }),
    "test_runner.py": frozenset({
        "test_base_exceptions_are_caught_as_failures",
        "test_hanging_or_crashing_function_costs_only_its_exercise",
        "test_raising_function_fails_with_the_exception_and_line",
        "test_slow_import_times_out",
        "test_student_code_never_runs_in_the_grader_process",
        "test_zygote_dies_with_a_grader_that_is_killed",
    }),
    "test_sandbox_layers.py": frozenset({
        "test_cpu_loop_dies_by_rlimit_cpu",
    }),
    "test_secret.py": frozenset({
        "test_a_broken_secret_stops_the_instructors_commands_with_a_clear_message",
        "test_secret_commands_refuse_a_student_pack",
        "test_secret_init_makes_it_pins_the_private_inputs_and_says_how_to_keep_it",
    }),
    "test_similarity.py": frozenset({
        "test_a_browser_shows_the_injected_script_as_text_and_runs_nothing",
        "test_a_handout_every_student_kept_is_discounted",
        "test_every_copy_pair_ranks_above_every_independent_pair_overall",
        "test_fingerprints_are_the_same_in_every_process",
        "test_hostile_inputs_get_a_clear_result_and_nothing_crashes",
        "test_options_select_exercises_and_an_unknown_one_is_a_usage_error",
        "test_records_round_trip_as_json_and_codec_and_rank_the_same",
        "test_the_command_writes_a_ranked_report_in_both_languages",
    }),
    "test_similarity_grade.py": frozenset({EVERY_TEST}),
    "test_similarity_stored.py": frozenset({
        "test_a_corrupt_stored_record_is_fingerprinted_again_or_said",
        "test_a_notebook_with_a_lone_surrogate_is_a_reason_not_a_crash",
        "test_an_unchanged_class_is_not_fingerprinted_again_and_a_changed_submission_is",
        "test_records_round_trip_through_the_gradebook_and_rank_the_same",
    }),
    "test_stored_answers.py": frozenset({
        "test_stored_answers_grade_the_same",
    }),
    "test_student_wheel.py": frozenset({
        "test_the_wheel_holds_no_exercise_set_nor_any_line_of_the_reference",
        "test_the_wheel_is_valid_and_reproducible",
    }),
    "test_suite_rules.py": frozenset({
        "test_collecting_the_suite_imports_no_torch_and_builds_no_session",
    }),
    "test_untrusted_text.py": frozenset({
        "test_a_markdown_block_is_one_fence_whose_content_is_the_text",
        "test_a_submission_file_named_to_attack",
        "test_a_terminal_that_cannot_encode_the_report_gets_question_marks",
        "test_check_in_every_format_under_github_actions",
        "test_export_to_the_terminal",
        "test_grade_prints_nothing_a_terminal_or_ci_log_would_act_on",
        "test_inline_markdown_stays_one_paragraph_of_text",
        "test_text_rules_leave_nothing_a_terminal_or_runner_acts_on",
        "test_xml_json_and_html_rules_give_valid_documents",
    }),
    "test_validate.py": frozenset({
        "test_cli_validate_exit_codes",
        "test_every_chapter_and_check_kind_is_covered",
        "test_the_whole_catalogue_validates",
        "test_validate_reports_what_does_not_hold",
    }),
}


#: module fixtures that take more than about 2 s to set up (a class graded, a pack built, a
#: wheel installed), by file: every test that uses one is `slow` too, or the first fast test to
#: ask for it would pay for it
SLOW_FIXTURES: dict[str, frozenset[str]] = {
    "test_batch_grade.py": frozenset({"graded_class"}),
    "test_batch_report.py": frozenset({"report"}),
    "test_github_classroom.py": frozenset({"graded", "instructor_pack"}),
    "test_hostile_batch.py": frozenset({"hostile_run"}),
    "test_hostile_files.py": frozenset({"hostile_class"}),
    "test_hostile_sizes.py": frozenset({"json_run"}),
    "test_pack.py": frozenset({"sets", "sessions"}),
    "test_similarity.py": frozenset({"analysis", "hostile_report"}),
    "test_similarity_stored.py": frozenset({"section", "stored_book"}),
    "test_untrusted_text.py": frozenset({"graded"}),
}


#: the files whose tests read tests/catalogue_support.py's caches of a process (the whole
#: catalogue's validation runs, the private inputs pinned: ~30 s each): under xdist they are one
#: work unit (work_unit), run by one worker, so that each is computed once, not once a worker;
#: tests/test_suite_rules.py fails when a file that imports one of them is not listed here
SHARED_CACHES: frozenset[str] = frozenset({
    "test_catalogue_correct.py", "test_catalogue_mistakes.py", "test_private_inputs.py", "test_validate.py",
})

#: the fixture scopes computed once per process and shared by the tests of a file
SHARED_SCOPES = frozenset({"module", "class", "package"})


def shared_fixtures(path: Path) -> set[str]:
    """The fixtures of a test file whose scope is module, class or package (from its source:
    what the xdist scheduler of tests/conftest.py can know before any worker has collected)."""
    import ast

    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for decorator in node.decorator_list:
            if isinstance(decorator, ast.Call) and ast.unparse(decorator.func) in ("pytest.fixture", "fixture"):
                scope = next((k.value for k in decorator.keywords if k.arg == "scope"), None)
                if isinstance(scope, ast.Constant) and scope.value in SHARED_SCOPES:
                    found.add(node.name)
    return found


@functools.lru_cache(maxsize=None)
def _file_unit(file: str) -> str | None:
    name = Path(file).name
    if name in SHARED_CACHES:
        return "catalogue_support"
    path = ROOT / file
    if path.is_file() and shared_fixtures(path):
        return file
    return None


def work_unit(nodeid: str) -> str:
    """The unit of work that the xdist scheduler of tests/conftest.py gives one worker: every
    test of a file with a module fixture (its value is built once, by that worker), one unit
    for the files of SHARED_CACHES, and any other test alone (to whichever worker is free)."""
    return _file_unit(nodeid.split("::", 1)[0]) or nodeid


#: `python -c INTERRUPTIBLE python-args…`: python-args in a Python that Ctrl-C reaches. A process
#: started with SIGINT ignored keeps it ignored (Python installs no KeyboardInterrupt then, as a
#: Unix program should, like a background job of a script); once a test run left it so for the
#: processes it started (seen on one xdist worker, cause unknown), and a Ctrl-C test then saw its
#: SIGINT lost. Resetting it before exec makes such a test test the grader, not its parent.
INTERRUPTIBLE = ("import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
                 "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])")


def interruptible(*python_args: str) -> list[str]:
    """The command line of `python PYTHON_ARGS…` with SIGINT's default action (INTERRUPTIBLE)."""
    import sys

    return [sys.executable, "-c", INTERRUPTIBLE, *python_args]


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
