"""A failure of each kind of check, put into words in both languages: the facts a student needs
(the call, the expected and the actual values, where they differ, the hint) must be on screen.

One submission with one typical mistake per exercise is graded once, through the real worker.
"""

from __future__ import annotations

import re
import textwrap

import click
import pytest

from grader.messages import format_call, format_value
from grader.report.text import check_lines, render_text

CJK = re.compile(r"[\u4e00-\u9fff]")

SOURCE = '''
import numpy as np

def sigmoid(x):                      # right values, but np.exp overflows: stability
    return 1 / (1 + np.exp(-x))

def sigmoid_grad(x):                 # the formula applied to the input: reference
    return x * (1 - x)

def tanh(x):                         # a wrong forward ...
    return np.tanh(2 * x)

def tanh_grad(x):                    # ... and the right derivative of that wrong forward: gradient
    return 2 * (1 - np.tanh(2 * x) ** 2)

def relu(x):                         # |x|: not monotonic: properties
    return np.abs(x)

def softmax(z):                      # no max shift: NaN on the edge cases
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)

def maxout(X, W, b):                 # summed over the units: a shape mismatch
    z = np.einsum("id,djp->ijp", X, W) + b
    return z.max(axis=-1).sum(axis=-1)

def count_parameters(layer_sizes):   # raises
    return layer_sizes[0] / 0

def logic_gates():                   # NAND and NOR swapped: behaviour
    return {"AND": (np.array([20.0, 20.0]), -30.0), "OR": (np.array([20.0, 20.0]), -10.0),
            "NAND": (np.array([-20.0, -20.0]), 10.0), "NOR": (np.array([-20.0, -20.0]), 30.0)}

def adam_step(param, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad     # the slide's sqrt(v_hat + eps): trajectory
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return param - lr * m_hat / np.sqrt(v_hat + eps), m, v
'''

EXERCISES = ("sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "softmax", "maxout",
             "count_parameters", "logic_gates", "adam_step")


@pytest.fixture(scope="module")
def graded(tmp_path_factory, session, zygote):
    from grader.engine import Options, grade
    path = tmp_path_factory.mktemp("feedback") / "student.py"
    path.write_text(textwrap.dedent(SOURCE), encoding="utf-8")
    return grade(session, path, zygote, Options(exercises=EXERCISES))


def failed(result, exercise: str, kind: str):
    ex = next(e for e in result.exercises if e.id == exercise)
    check = next((c for c in ex.checks if c.kind == kind and c.status != "passed"), None)
    assert check is not None, f"{exercise}: no failed {kind} check in {[(c.kind, c.status) for c in ex.checks]}"
    return ex, check


def block(ex, check, lang: str) -> str:
    return click.unstyle("\n".join(check_lines(ex, check, lang)))


def assert_facts(shown: str, check, lang: str, *, values: bool = True) -> None:
    example = check.counterexample
    assert format_call(example["function"], example["input"]) in shown
    if values:
        for key in ("expected", "actual"):
            if example.get(key) is not None and not isinstance(example[key], (dict, tuple, list)):
                value = example[key]
                shown_value = format_value(value.flat[0] if getattr(value, "size", 0) > 1 else value)
                assert shown_value in shown, f"{key} {shown_value!r} not in:\n{shown}"
    assert {"en": "input", "zh": "输入"}[lang] in shown
    if example.get("actual") is not None:
        assert {"en": "got", "zh": "实际"}[lang] in shown
    if lang == "zh":
        assert CJK.search(check_text_only(shown))
    if check.hint:
        assert check.hint[lang] in shown


def check_text_only(shown: str) -> str:
    return shown.split("\n", 2)[-1]


LANGS = pytest.mark.parametrize("lang", ["en", "zh"])


@LANGS
def test_reference_mismatch_shows_expected_got_error_and_hint(graded, lang):
    ex, check = failed(graded, "sigmoid_grad", "reference")
    assert check.code == "mismatch" and check.mistake == "sigmoid_grad_on_input"
    shown = block(ex, check, lang)
    assert_facts(shown, check, lang)
    facts = check.facts
    assert format_value(facts["abs_error"]) in shown
    assert {"en": "allowed here", "zh": "允许"}[lang] in shown
    assert {"en": "smallest", "zh": "最小"}[lang] in shown  # the input was shrunk


@LANGS
def test_edge_case_nan_is_located(graded, lang):
    ex, check = failed(graded, "softmax", "edge_cases")
    assert check.code == "nonfinite"
    shown = block(ex, check, lang)
    assert_facts(shown, check, lang)
    assert "nan" in shown and "[0]" in shown
    assert {"en": "overflows", "zh": "溢出"}[lang] in shown
    assert any("nan" in line and line.rstrip().endswith("✗") for line in shown.splitlines())


@LANGS
def test_stability_names_the_warning(graded, lang):
    ex, check = failed(graded, "sigmoid", "stability")
    assert check.code == "fp_warning" and check.mistake == "sigmoid_naive"
    shown = block(ex, check, lang)
    assert_facts(shown, check, lang)
    assert "overflow encountered in exp" in shown


@LANGS
def test_property_failure_says_which_property(graded, lang):
    ex, check = failed(graded, "relu", "properties")
    shown = block(ex, check, lang)
    assert_facts(shown, check, lang, values=False)
    assert {"en": "not increasing", "zh": "单调递增"}[lang] in shown
    assert check.hint and check.mistake == "relu_as_abs"


@LANGS
def test_gradient_blames_the_forward(graded, lang):
    ex, check = failed(graded, "tanh_grad", "gradient")
    assert check.code == "gradient_right_for_wrong_forward"
    shown = block(ex, check, lang)
    assert_facts(shown, check, lang)
    assert {"en": "your `tanh` is wrong", "zh": "你的 `tanh` 本身有错"}[lang] in shown


@LANGS
def test_shape_mismatch_is_explained(graded, lang):
    ex, check = failed(graded, "maxout", "reference")
    assert check.code == "wrong_shape"
    shown = block(ex, check, lang)
    assert_facts(shown, check, lang, values=False)
    assert format_value(check.facts["expected_shape"]) in shown
    assert format_value(check.facts["actual_shape"]) in shown
    assert {"en": "keepdims=True", "zh": "keepdims=True"}[lang] in shown
    assert {"en": "Did you sum", "zh": "是否在不该归约"}[lang] in shown


@LANGS
def test_an_exception_is_shown_with_its_line(graded, lang):
    ex, check = failed(graded, "count_parameters", "reference")
    assert check.code == "raised"
    shown = block(ex, check, lang)
    assert_facts(shown, check, lang, values=False)
    assert "ZeroDivisionError" in shown and "student.py" in shown
    assert {"en": "line ", "zh": "行"}[lang] in shown


@LANGS
def test_behaviour_failure_shows_the_truth_tables(graded, lang):
    ex, check = failed(graded, "logic_gates", "behaviour")
    shown = block(ex, check, lang)
    assert "logic_gates()" in shown
    assert "NAND" in shown or "NOR" in shown
    assert check.hint and check.hint[lang] in shown
    if lang == "zh":
        assert "真值表" in shown


@LANGS
def test_trajectory_failure_shows_the_step_and_the_hint(graded, lang):
    ex, check = failed(graded, "adam_step", "trajectory")
    shown = block(ex, check, lang)
    assert "adam_step(" in shown
    assert {"en": "step", "zh": "步"}[lang] in shown
    assert check.mistake == "adam_step_eps_inside_sqrt" and check.hint[lang] in shown


@LANGS
def test_the_whole_report_reads_in_one_language(graded, lang):
    shown = click.unstyle(render_text(graded, lang))
    other = {"en": "自检", "zh": "Self-check"}[lang]
    assert other not in shown
    assert {"en": "Score:", "zh": "得分："}[lang] in shown


def test_a_small_array_is_shown_entry_by_entry():
    import numpy as np

    from grader.report.sidebyside import entries

    rows = entries(np.array([[0.5, 0.5]]), np.array([[1.0, 0.5]]),
                   {"index": (0, 0), "positions": [(0, 0)]})
    assert rows == [("[0, 0]", "0.5", "1", True), ("[0, 1]", "0.5", "0.5", False)]
    assert entries(np.zeros(100), np.ones(100), {}) is None  # too big: one line each
    assert entries(np.zeros(3), np.zeros(2), {}) is None      # shapes differ: said in words


def test_mismatch_wording_leaves_out_what_does_not_apply():
    from grader.messages import render

    facts = {"call": "relu_grad(x=0)", "expected_value": 0.0, "actual_value": 1.0, "abs_error": 1.0,
             "rel_error": float("inf"), "atol": 1e-6, "rtol": 1e-4, "count": 1, "total": 1, "index": ()}
    for lang in ("en", "zh"):
        said = render("mismatch", facts, lang)
        assert "inf" not in said           # no relative error against an expected 0
        assert "1 of" not in said and "共 1 个" not in said  # no count for a single number
        assert "index" not in said and "下标" not in said
        assert "1e-06" in said


def test_a_single_number_has_no_index_and_a_row_is_a_row():
    from grader.messages import render

    for lang in ("en", "zh"):
        said = render("property_monotonic", {"call": "relu(x=-1)", "index": (), "value": 1.0,
                                             "step": 0.5, "value_after": 0.5}, lang)
        assert "()" not in said.replace("relu(x=-1)", "") and "f(x + 0.5) = 0.5" in said
        row = render("property_sums_to_one", {"call": "softmax(z=[[0., 0.]])", "index": (0,), "sum": 2.0}, lang)
        assert {"en": "row 0 sums to 2", "zh": "第 0 行之和为 2"}[lang] in row


def test_a_place_in_the_value_and_a_hint_read_in_each_language():
    """Where in the returned value, at which index, and the hint: words of the catalogue."""
    from grader.messages import render

    facts = {"call": "f(x=1)", "expected_value": 1.0, "actual_value": 2.0, "abs_error": 1.0,
             "atol": 1e-6, "rtol": 0.0, "path": "[0]", "index": (1, 2), "hint_code": "sandbox_hint"}
    en, zh = render("mismatch", facts, "en"), render("mismatch", facts, "zh")
    assert "returned a wrong value in result[0] at index [1, 2]:" in en
    assert "（result[0] 处）" in zh and "在下标 [1, 2] 处" in zh
    assert not re.search(r"\b(in result|at index)\b", zh)
    assert en.endswith(" " + render("sandbox_hint", {}, "en"))
    assert zh.endswith("。" + render("sandbox_hint", {}, "zh"))  # no space before a Chinese hint


def test_the_words_of_a_message_are_in_the_catalogue_only():
    """messages.py builds sentences from CATALOGUE and the .po: no Chinese written in its code,
    no branch on a language's name."""
    import ast
    from pathlib import Path

    import grader.messages as messages

    tree = ast.parse(Path(messages.__file__).read_text(encoding="utf-8"))
    catalogue = next(n for n in tree.body if isinstance(n, ast.AnnAssign)
                     and getattr(n.target, "id", "") == "CATALOGUE")
    outside = [n for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
               and not (catalogue.lineno <= n.lineno <= (catalogue.end_lineno or 0))]
    assert [n.value for n in outside if CJK.search(n.value)] == []
    compared = [c for n in ast.walk(tree) if isinstance(n, ast.Compare) for c in n.comparators]
    assert [c.lineno for c in compared if isinstance(c, ast.Constant) and c.value == "zh"] == []
