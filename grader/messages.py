"""The message catalogue: every word the grader says to a person, by code, in English and Chinese.

Checks record a code and facts; only reporters call `render`. Templates use str.format fields
filled from the facts, pre-formatted by `format_value` so arrays and floats read well.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

CATALOGUE: dict[str, tuple[str, str]] = {
    # statuses
    "status.passed": ("passed", "通过"),
    "status.failed": ("failed", "未通过"),
    "status.error": ("error", "错误"),
    "status.timeout": ("timeout", "超时"),
    "status.not_attempted": ("not attempted", "未作答"),
    # check kinds (a check's default name)
    "check.reference": ("matches the reference", "与参考实现一致"),
    "check.edge_cases": ("edge cases", "边界情况"),
    "check.stability": ("numerical stability", "数值稳定性"),
    "check.properties": ("properties", "数学性质"),
    "check.gradient": ("gradient check", "梯度检验"),
    "check.behaviour": ("behaviour", "行为检验"),
    "check.trajectory": ("optimizer trajectory", "优化轨迹"),
    # exercise-level outcomes
    "not_attempted": ("Not attempted: `{function}` is missing or raises NotImplementedError.",
                      "未作答：`{function}` 不存在，或者抛出了 NotImplementedError。"),
    "import_error": ("Your file could not be imported: {type}: {message} ({file}, line {line}). "
                     "No function in it can be graded until this is fixed.",
                     "无法导入你的文件：{type}: {message}（{file} 第 {line} 行）。修复之前，其中的函数都无法评分。"),
    "import_timeout": ("Importing your file took too long ({how}). Move slow code (training, "
                       "plotting) under `if __name__ == \"__main__\":`.",
                       "导入你的文件耗时过长（{how}）。请把耗时的代码（训练、画图）放到 "
                       "`if __name__ == \"__main__\":` 之下。"),
    "import_crashed": ("The process running your file died while importing it ({how}).",
                       "运行你的文件的进程在导入时崩溃了（{how}）。"),
    "timeout": ("Stopped after {seconds} s: the function is too slow or never returns "
                "(an infinite loop?). The other exercises were still graded.",
                "运行 {seconds} 秒后被终止：函数太慢或没有返回（死循环？）。其余练习照常评分。"),
    "crashed": ("The process running your code died ({how}); the other exercises were still graded.",
                "运行你的代码的进程崩溃了（{how}）；其余练习照常评分。"),
    "submission_missing": ("No submission at {path}.", "在 {path} 找不到提交的文件。"),
    "submission_empty": ("The submission at {path} holds no Python code.", "{path} 中没有任何 Python 代码。"),
    "submission_unreadable": ("Cannot read {path}: {reason}.", "无法读取 {path}：{reason}。"),
    # check failures
    "mismatch": ("{call} returned a wrong value{path}{at_index}: expected {expected_value}, "
                 "got {actual_value} (absolute error {abs_error}, relative error {rel_error}; "
                 "allowed {atol} + {rtol}·|expected|). {count} of {total} entries differ.",
                 "{call} 的返回值{path}不正确：{at_index}应为 {expected_value}，实际为 "
                 "{actual_value}（绝对误差 {abs_error}，相对误差 {rel_error}；允许 {atol} + "
                 "{rtol}·|期望值|）。共 {total} 个元素中有 {count} 个不一致。"),
    "nonfinite": ("{call} returned {actual_value}{at_index}{path}, where the answer is "
                  "{expected_value} ({count} such entries). Look for an overflow in exp or a "
                  "division by zero.",
                  "{call} {at_index}{path}返回了 {actual_value}，而正确答案是 "
                  "{expected_value}（共 {count} 处）。检查 exp 是否溢出、是否除以了零。"),
    "wrong_shape": ("{call} returned shape {actual_shape}{path}, expected {expected_shape}.",
                    "{call} 返回的形状{path}为 {actual_shape}，应为 {expected_shape}。"),
    "shape_hint_reduced": ("Did you sum or average over an axis you should have kept?",
                           "是否在不该求和（或求平均）的维度上做了归约？"),
    "shape_hint_extra_axis": ("Did broadcasting add an axis (e.g. a (n,) array against a (n, 1) one)?",
                              "是否因为广播多出了一个维度（例如 (n,) 与 (n, 1) 相运算）？"),
    "shape_hint_transposed": ("Are the axes swapped (a transpose)?", "是否把维度顺序弄反了（转置）？"),
    "wrong_type": ("{call} returned {actual_type}{path}, expected {expected_type}.",
                   "{call} 返回了 {actual_type}{path}，应为 {expected_type}。"),
    "wrong_length": ("{call} returned {actual_length} items{path}, expected {expected_length}.",
                     "{call} 返回了 {actual_length} 个元素{path}，应为 {expected_length} 个。"),
    "missing_key": ("{call} returned a dict without the key {key}{path} (expected keys: {keys}).",
                    "{call} 返回的字典{path}缺少键 {key}（应包含：{keys}）。"),
    "wrong_value": ("{call} returned {actual}{path}, expected {expected}.",
                    "{call} 返回了 {actual}{path}，应为 {expected}。"),
    "returned_none": ("{call} returned None{path}: is a `return` statement missing?",
                      "{call} 返回了 None{path}：是不是忘了写 `return`？"),
    "raised": ("{call} raised {type}: {message}{where}", "{call} 抛出了 {type}：{message}{where}"),
    "raised_where": (" (line {line} of {file})", "（{file} 第 {line} 行）"),
    "fp_warning": ("{call} gives the right values, but the computation raised a floating-point "
                   "warning ({warning}). Rewrite it in a form that cannot overflow.",
                   "{call} 的结果正确，但计算过程中出现了浮点警告（{warning}）。请改写为不会溢出的形式。"),
    "input_modified": ("{call} modified its argument `{arg}` in place. Work on a copy, or build a "
                       "new array.", "{call} 原地修改了参数 `{arg}`。请在副本上计算，或创建新数组。"),
    "property_range": ("{call} returned {actual_value} at index {index}, outside [{min}, {max}].",
                       "{call} 在下标 {index} 处返回 {actual_value}，超出了范围 [{min}, {max}]。"),
    "property_complement": ("f(−x) should equal 1 − f(x) for {call}, but at index {index} "
                            "1 − f(x) = {expected_value} while f(−x) = {actual_value}.",
                            "对 {call} 应有 f(−x) = 1 − f(x)，但在下标 {index} 处 1 − f(x) = "
                            "{expected_value}，而 f(−x) = {actual_value}。"),
    "property_odd": ("f(−x) should equal −f(x) for {call}, but at index {index} −f(x) = "
                     "{expected_value} while f(−x) = {actual_value}.",
                     "对 {call} 应有 f(−x) = −f(x)，但在下标 {index} 处 −f(x) = {expected_value}，"
                     "而 f(−x) = {actual_value}。"),
    "property_shift_invariant": ("Adding the same constant to every input must not change {call}; "
                                 "at index {index} it changed from {expected_value} to {actual_value}.",
                                 "给所有输入加上同一个常数不应改变 {call} 的结果；但在下标 {index} 处从 "
                                 "{expected_value} 变成了 {actual_value}。"),
    "property_monotonic": ("{call} is not increasing: at index {index}, f(x) = {value} but "
                           "f(x + {step}) = {value_after}.",
                           "{call} 不是单调递增的：在下标 {index} 处 f(x) = {value}，但 "
                           "f(x + {step}) = {value_after}。"),
    "property_sums_to_one": ("The rows of {call} must each sum to 1; row {index} sums to {sum}.",
                             "{call} 的每一行之和都应为 1；第 {index} 行之和为 {sum}。"),
    "gradient_mismatch": ("{call} differs from the numerical derivative of the reference's "
                          "`{forward}`: at index {index} the slope is {expected_value}, you "
                          "returned {actual_value}. Your own `{forward}` is {own_forward}.",
                          "{call} 与参考实现 `{forward}` 的数值导数不一致：在下标 {index} 处斜率为 "
                          "{expected_value}，你返回了 {actual_value}。你自己的 `{forward}`：{own_forward}。"),
    "gradient_right_for_wrong_forward": (
        "Your derivative is right for your own `{forward}`, but your `{forward}` is wrong: fix "
        "`{forward}` first. At index {index} the true slope is {expected_value}, you returned "
        "{actual_value}.",
        "你的导数对你自己写的 `{forward}` 是对的，但你的 `{forward}` 本身有错：请先修正 "
        "`{forward}`。在下标 {index} 处真实斜率为 {expected_value}，你返回了 {actual_value}。"),
    "own_forward.right": ("right", "正确"),
    "own_forward.wrong": ("wrong too", "也有错"),
    "own_forward.missing": ("not written yet", "尚未实现"),
    # report furniture
    "report.title": ("Self-check of {submission}", "自检：{submission}"),
    "report.score": ("Score: {score} / {max_score}", "得分：{score} / {max_score}"),
    "report.exercise": ("exercise", "练习"),
    "report.status": ("status", "状态"),
    "report.points": ("points", "得分"),
    "report.failed_check": ("✗ {exercise} · {check} ({points} pt)", "✗ {exercise} · {check}（{points} 分）"),
    "report.input": ("input", "输入"),
    "report.expected": ("expected", "期望"),
    "report.got": ("got", "实际"),
    "report.hint": ("Hint: {hint}", "提示：{hint}"),
    "report.failing_cases": ("{failing} of {total} test inputs fail; the smallest is shown.",
                             "{total} 个测试输入中有 {failing} 个未通过；下面显示最小的一个。"),
    "report.failing_fixed": ("{failing} of {total} test inputs fail; the first is shown.",
                             "{total} 个测试输入中有 {failing} 个未通过；下面显示第一个。"),
    "report.stdout": ("Your code printed:", "你的代码输出了："),
    "report.all_passed": ("All exercises passed. 🎉", "全部练习通过。🎉"),
    "report.sandbox": ("Sandbox layers: {layers}", "沙箱防护层：{layers}"),
}

LANGUAGES = ("en", "zh")


def text(code: str, lang: str = "en") -> str:
    en, zh = CATALOGUE[code]
    return zh if lang == "zh" else en


def format_value(value: Any) -> str:
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value)
        if array.ndim == 0:
            return format_value(array.item())
        shown = np.array2string(array, precision=6, separator=", ", threshold=24, edgeitems=3,
                                suppress_small=False, max_line_width=10_000)
        return " ".join(shown.split())  # one line, whatever the number of dimensions
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        return f"{value:.6g}"
    if isinstance(value, tuple):
        return "(" + ", ".join(format_value(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {format_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def format_call(function: str | None, case: dict[str, Any] | None) -> str:
    if not function:
        return ""
    if not case:
        return f"{function}(…)"
    args = ", ".join(f"{k}={format_value(v)}" for k, v in case.items())
    return f"{function}({args})"


class _Facts(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def render(code: str, facts: dict[str, Any], lang: str = "en") -> str:
    """The sentence for `code`, in `lang`, with `facts` filled in."""
    if code not in CATALOGUE:
        return code
    shown = _Facts({k: format_value(v) for k, v in facts.items()})
    if facts.get("path"):
        shown["path"] = f" at {facts['path']}" if lang != "zh" else f"（位置 {facts['path']}）"
    else:
        shown["path"] = ""
    index = facts.get("index")
    if index in ((), None):
        shown["at_index"] = ""
    else:
        shown["at_index"] = (f" at index {shown['index']}" if lang != "zh" else f"在下标 {shown['index']} 处")
    if "own_forward" in facts:
        shown["own_forward"] = text(f"own_forward.{facts['own_forward']}", lang)
    if code == "raised":
        shown["where"] = (text("raised_where", lang).format_map(shown)
                          if facts.get("line") and facts.get("file") else "")
    sentence = text(code, lang).format_map(shown)
    hint_code = facts.get("hint_code")
    if hint_code:
        sentence += " " + text(hint_code, lang)
    return sentence
