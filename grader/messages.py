"""The message catalogue: every word the grader says to a person, by code, in English and Chinese.

Checks record a code and facts; only reporters call `render`. Templates use str.format fields
filled from the facts, pre-formatted by `format_value` so arrays and floats read well.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

CATALOGUE: dict[str, tuple[str, str]] = {
    # statuses
    "status.passed": ("passed", "通过"),
    "status.failed": ("failed", "未通过"),
    "status.error": ("error", "错误"),
    "status.timeout": ("timeout", "超时"),
    "status.not_attempted": ("not attempted", "未作答"),
    "status.instructor": ("graded by your instructor", "由教师评分"),
    # check kinds (a check's default name)
    "check.reference": ("matches the reference", "与参考实现一致"),
    "check.edge_cases": ("edge cases", "边界情况"),
    "check.stability": ("numerical stability", "数值稳定性"),
    "check.properties": ("properties", "数学性质"),
    "check.gradient": ("gradient check", "梯度检验"),
    "check.behaviour": ("behaviour", "行为检验"),
    "check.trajectory": ("optimizer trajectory", "优化轨迹"),
    "check.split": ("a partition into batches", "批次划分"),
    "check.seeding": ("seeded shuffling", "由种子决定的打乱"),
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
    "cpu_limit": ("Stopped: your code used up its CPU time ({how}). Look for a loop that never ends.",
                  "已终止：你的代码用完了 CPU 时间（{how}）。检查是否有不会结束的循环。"),
    "memory_limit": ("{call} ran out of memory: it asked for more than the grader allows (memory "
                     "limit exceeded). Are you building a huge array by mistake?",
                     "{call} 内存不足：申请的内存超过了评分器允许的上限。是不是误建了一个巨大的数组？"),
    "too_large": ("{call} returned a value too large to check ({message}).",
                  "{call} 返回的值过大，无法检查（{message}）。"),
    "sandbox_hint": ("The grader's sandbox lets your code write only in its own temporary folder, "
                     "with no network and no new processes.",
                     "评分器的沙箱只允许你的代码写入它自己的临时目录，不能联网，也不能创建新进程。"),
    "submission_missing": ("No submission at {path}.", "在 {path} 找不到提交的文件。"),
    "submission_empty": ("The submission at {path} holds no Python code.", "{path} 中没有任何 Python 代码。"),
    "submission_unreadable": ("Cannot read {path}: {reason}.", "无法读取 {path}：{reason}。"),
    # check failures
    "mismatch": ("{call} returned a wrong value{path}{at_index}: expected {expected_value}, "
                 "got {actual_value}. They differ by {abs_error}{relative}, more than the "
                 "{allowed} allowed here ({atol} + {rtol}·|expected|).{differing}",
                 "{call} 的返回值{path}不正确：{at_index}应为 {expected_value}，实际为 "
                 "{actual_value}。两者相差 {abs_error}{relative}，超过了这里允许的 {allowed}"
                 "（{atol} + {rtol}·|期望值|）。{differing}"),
    "mismatch.relative": (" (relative error {rel_error})", "（相对误差 {rel_error}）"),
    "mismatch.differing": (" {count} of the {total} entries differ.",
                           "共 {total} 个元素中有 {count} 个不一致。"),
    "nonfinite": ("{call} returned {actual_value}{path}{at_index}, where the answer is "
                  "{expected_value}{differing}. NaN and inf usually come from np.exp of a large "
                  "number (it overflows to inf above about 709), from inf / inf or 0 / 0, or "
                  "from the log of 0.",
                  "{call} {path}{at_index}返回了 {actual_value}，而正确答案是 {expected_value}"
                  "{differing}。NaN 和 inf 通常来自对很大的数求 np.exp（超过约 709 就会溢出为 "
                  "inf）、inf / inf 或 0 / 0，或者对 0 取对数。"),
    "nonfinite.differing": (" ({count} entries are NaN or ±inf where they should not be)",
                            "（共有 {count} 个元素出现了不该有的 NaN 或 ±inf）"),
    "wrong_shape": ("{call} returned an array of shape {actual_shape}{path}, but the answer has "
                    "shape {expected_shape}.",
                    "{call} 返回的数组形状{path}为 {actual_shape}，但正确答案的形状是 {expected_shape}。"),
    "shape.scalar": ("() (a single number)", "()（单个数）"),
    "shape_hint_reduced": ("Did you sum, average or take the maximum over an axis that should "
                           "stay (or over all of them)? Pass `axis=`, and `keepdims=True` to keep "
                           "the axis.",
                           "是否在不该归约的维度（或全部维度）上求了和、平均或最大值？请指定 `axis=`，"
                           "需要保留该维度时加上 `keepdims=True`。"),
    "shape_hint_extra_axis": ("Did broadcasting add an axis? A (n,) array combined with a (n, 1) "
                              "one gives (n, n): reshape one of them, or use keepdims consistently.",
                              "是否因为广播多出了一个维度？(n,) 的数组与 (n, 1) 的数组相运算会得到 "
                              "(n, n)：请对其中一个做 reshape，或统一使用 keepdims。"),
    "shape_hint_transposed": ("Are two axes swapped? Check the order of a matrix product "
                              "(X @ W, not W @ X) and any missing or extra `.T`.",
                              "是否把两个维度弄反了？检查矩阵乘法的顺序（X @ W 而不是 W @ X），以及是否"
                              "多写或漏写了 `.T`。"),
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
    "property_range": ("{call} returned {actual_value}{at_index}, outside [{min}, {max}].",
                       "{call} {at_index}返回 {actual_value}，超出了范围 [{min}, {max}]。"),
    "property_complement": ("f(−x) should equal 1 − f(x) for {call}, but{at_index} "
                            "1 − f(x) = {expected_value} while f(−x) = {actual_value}.",
                            "对 {call} 应有 f(−x) = 1 − f(x)，但{at_index} 1 − f(x) = "
                            "{expected_value}，而 f(−x) = {actual_value}。"),
    "property_odd": ("f(−x) should equal −f(x) for {call}, but{at_index} −f(x) = "
                     "{expected_value} while f(−x) = {actual_value}.",
                     "对 {call} 应有 f(−x) = −f(x)，但{at_index} −f(x) = {expected_value}，"
                     "而 f(−x) = {actual_value}。"),
    "property_shift_invariant": ("Adding the same constant to every input must not change {call}; "
                                 "it changed{at_index} from {expected_value} to {actual_value}.",
                                 "给所有输入加上同一个常数不应改变 {call} 的结果；但{at_index}从 "
                                 "{expected_value} 变成了 {actual_value}。"),
    "property_monotonic": ("{call} is not increasing{at_index}: f(x) = {value} but "
                           "f(x + {step}) = {value_after}.",
                           "{call} 不是单调递增的：{at_index}f(x) = {value}，但 "
                           "f(x + {step}) = {value_after}。"),
    "property_sums_to_one": ("The rows of {call} must each sum to 1; row {index} sums to {sum}.",
                             "{call} 的每一行之和都应为 1；第 {index} 行之和为 {sum}。"),
    "gradient_mismatch": ("{call} is not the derivative of `{forward}`{at_index}: the true slope "
                          "there is {expected_value} (central differences (f(x + h) − f(x − h)) / 2h "
                          "of the correct `{forward}`), you returned {actual_value}. Your own "
                          "`{forward}` is {own_forward}.",
                          "{call} 不是 `{forward}` 的导数：{at_index}真实斜率为 {expected_value}"
                          "（对正确的 `{forward}` 做中心差分 (f(x + h) − f(x − h)) / 2h 得到），你返回了 "
                          "{actual_value}。你自己的 `{forward}`：{own_forward}。"),
    "gradient_right_for_wrong_forward": (
        "{call}: your derivative is right for your own `{forward}`, but your `{forward}` is "
        "wrong: fix `{forward}` first. The true slope{at_index} is {expected_value}, you returned "
        "{actual_value}.",
        "{call}：你的导数对你自己写的 `{forward}` 是对的，但你的 `{forward}` 本身有错：请先修正 "
        "`{forward}`。{at_index}真实斜率为 {expected_value}，你返回了 {actual_value}。"),
    "gradient_parts_mismatch": (
        "{call} returned a wrong gradient for {wrong_parts} (right: {right_parts}). Central "
        "differences of `{loss}` give the slope {expected_value}{path}{at_index}; you returned "
        "{actual_value}. Your own `{forward}` is {own_forward}.",
        "{call} 返回的梯度中 {wrong_parts} 不正确（正确的：{right_parts}）。对 `{loss}` 做中心差分，"
        "{path}{at_index}斜率为 {expected_value}，你返回了 {actual_value}。你自己的 `{forward}`：{own_forward}。"),
    # trajectories (optimizers)
    "trajectory_mismatch": (
        "{call} is step {step} of {steps} of a run that starts from a zero state: its inputs are "
        "the parameter and state after the steps before. On these inputs your returned "
        "`{output}`{at_index} is {actual_value}, the reference's is {expected_value} (absolute "
        "error {abs_error}; allowed {atol} + {rtol}·|expected|).",
        "{call} 是一次从零状态开始的运行中的第 {step} 步（共 {steps} 步），输入是前面各步之后的参数和状态。"
        "在这组输入上，你返回的 `{output}` {at_index}为 {actual_value}，参考实现返回 {expected_value}"
        "（绝对误差 {abs_error}；允许 {atol} + {rtol}·|期望值|）。"),
    "trajectory_oracle_mismatch": (
        "{call} is step {step} of {steps} of a run that starts from a zero state: its inputs are "
        "the parameter and state after the steps before. torch.optim.{optimizer}, run from the "
        "same start on the same gradients, has `{output}`{at_index} = {expected_value}; you "
        "returned {actual_value}.",
        "{call} 是一次从零状态开始的运行中的第 {step} 步（共 {steps} 步），输入是前面各步之后的参数和状态。"
        "从同一起点、用同样梯度运行的 torch.optim.{optimizer} 得到的 `{output}` {at_index}为 "
        "{expected_value}，你返回了 {actual_value}。"),
    # behaviour: truth tables
    "gates_wrong_type": (
        "{call} must return a dict with the keys 'AND', 'OR', 'NAND', 'NOR', each a pair (w, b); "
        "it returned {actual_type}.",
        "{call} 应返回以 'AND'、'OR'、'NAND'、'NOR' 为键的字典，每个值是一对 (w, b)；实际返回了 {actual_type}。"),
    "gates_missing_key": (
        "{call} returned a dict without the gate '{key}' (the keys are 'AND', 'OR', 'NAND', 'NOR').",
        "{call} 返回的字典缺少门 '{key}'（键应为 'AND'、'OR'、'NAND'、'NOR'）。"),
    "gate_wrong_shape": (
        "In {call}, '{gate}' must be a pair (w, b) with w of shape (2,) and b a number; it is {actual}.",
        "{call} 中的 '{gate}' 应是一对 (w, b)，其中 w 的形状为 (2,)，b 是一个数；实际为 {actual}。"),
    "gate_truth_table": (
        "With your weights for {gate} (w = {w}, b = {b}), step(w·x + b) on the inputs (0,0), "
        "(0,1), (1,0), (1,1) gives {actual_table}; the truth table of {gate} is {expected_table}.",
        "用你给 {gate} 的权重（w = {w}，b = {b}），step(w·x + b) 在输入 (0,0)、(0,1)、(1,0)、(1,1) "
        "上得到 {actual_table}；{gate} 的真值表是 {expected_table}。"),
    "gate_margin": (
        "{gate}: the truth table is right, but at x = {x} the pre-activation w·x + b is {value}, "
        "closer to 0 than {margin}: the slightest change of a weight flips the output. Keep every "
        "w·x + b at least {margin} away from 0.",
        "{gate}：真值表正确，但在 x = {x} 处 w·x + b = {value}，离 0 比 {margin} 还近："
        "权重稍有变化输出就会翻转。请让每个 w·x + b 与 0 的距离至少为 {margin}。"),
    "xor_shapes": (
        "{call} must return (W1, b1, W2, b2) with shapes (2, h), (h,), (h, 1), (1,) and h ≥ 2; "
        "the shapes are {shapes}.",
        "{call} 应返回 (W1, b1, W2, b2)，形状依次为 (2, h)、(h,)、(h, 1)、(1,)，且 h ≥ 2；实际形状为 {shapes}。"),
    "xor_truth_table": (
        "step(step(X @ W1 + b1) @ W2 + b2) with your weights gives {actual_table} on the rows "
        "(0,0), (0,1), (1,0), (1,1); XOR is {expected_table}.",
        "用你的权重，step(step(X @ W1 + b1) @ W2 + b2) 在 (0,0)、(0,1)、(1,0)、(1,1) 上得到 "
        "{actual_table}；XOR 应为 {expected_table}。"),
    "xor_margin": (
        "Your network computes XOR, but in layer {layer} a pre-activation at x = {x} is {value}, "
        "closer to 0 than {margin}. Keep every pre-activation at least {margin} away from 0.",
        "你的网络能算出 XOR，但第 {layer} 层在 x = {x} 处有一个激活前的值为 {value}，离 0 比 "
        "{margin} 还近。请让每个激活前的值与 0 的距离至少为 {margin}。"),
    # behaviour: mini-batches
    "minibatches_wrong_type": (
        "{call} must return a list of 1-d integer index arrays, one per batch; it returned "
        "something else (shown below).",
        "{call} 应返回一个列表，每个批次一个一维整数下标数组；实际返回的不是这样（见下）。"),
    "minibatches_not_integer": (
        "{call} returned batches that are not integer arrays: indices must be integers "
        "(e.g. from rng.permutation(n)).",
        "{call} 返回的批次不是整数数组：下标必须是整数（例如来自 rng.permutation(n)）。"),
    "minibatches_not_partition": (
        "{call}: together the batches must hold each index 0, …, n − 1 exactly once (n = {n}); "
        "{missing_count} are missing (e.g. {missing}) and {repeated_count} repeated or out of "
        "range (e.g. {repeated}).",
        "{call}：所有批次合起来应恰好包含 0, …, n − 1 中的每个下标各一次（n = {n}）；"
        "缺少 {missing_count} 个（例如 {missing}），重复或越界 {repeated_count} 个（例如 {repeated}）。"),
    "minibatches_sizes": (
        "{call} returned batches of sizes {actual_sizes}, expected {expected_sizes}: every batch "
        "holds batch_size indices except the last, which holds the rest.",
        "{call} 返回的批次大小为 {actual_sizes}，应为 {expected_sizes}：除最后一个批次装剩余的样本外，"
        "每个批次都有 batch_size 个下标。"),
    "minibatches_in_order": (
        "{call} returns the indices in their original order 0, 1, 2, …: shuffle them first, with "
        "np.random.default_rng(seed).",
        "{call} 按原始顺序 0, 1, 2, … 返回下标：请先用 np.random.default_rng(seed) 打乱。"),
    "minibatches_not_reproducible": (
        "Calling {call} twice gave two different splits: the same seed must give the same split. "
        "Create the generator from the seed: np.random.default_rng(seed).",
        "两次调用 {call} 得到了不同的划分：相同的 seed 必须得到相同的划分。请用 seed 创建生成器："
        "np.random.default_rng(seed)。"),
    "minibatches_seed_ignored": (
        "{call} and the same call with seed = {other_seed} give the same order: the split must "
        "depend on the seed.",
        "{call} 与 seed = {other_seed} 的同样调用得到了相同的顺序：划分必须取决于 seed。"),
    "minibatches_global_generator": (
        "{call} shuffles exactly as np.random.seed(seed) followed by np.random.permutation(n): "
        "NumPy's global generator, which this reseeds for every other piece of code too. The "
        "exercise asks for rng = np.random.default_rng(seed).",
        "{call} 的打乱顺序与 np.random.seed(seed) 后调用 np.random.permutation(n) 完全相同："
        "这用的是 NumPy 的全局生成器，而且会为其他所有代码重新设定种子。本题要求使用 "
        "rng = np.random.default_rng(seed)。"),
    # behaviour: training
    "train_xor_failed": (
        "{call}: mlp_forward with the weights it returns, thresholded at 0.5, gives {outputs} on "
        "the rows (0,0), (0,1), (1,0), (1,1): not XOR. Your training classified XOR for {wins} "
        "of {total} seeds; at least {needed} are needed.",
        "{call}：用它返回的权重计算 mlp_forward，以 0.5 为阈值，在 (0,0)、(0,1)、(1,0)、(1,1) 上得到 "
        "{outputs}：不是 XOR。你的训练只在 {total} 个种子中的 {wins} 个上学会了 XOR；至少需要 {needed} 个。"),
    "train_xor_shapes": (
        "{call} must return (W1, b1, W2, b2) of shapes (2, h), (h,), (h, 1), (1,); the shapes "
        "are {shapes}.",
        "{call} 应返回形状为 (2, h)、(h,)、(h, 1)、(1,) 的 (W1, b1, W2, b2)；实际形状为 {shapes}。"),
    # more properties
    "property_values_in": ("{call} may only return the values {values};{at_index} it "
                           "returned {actual_value}.",
                           "{call} 只能返回 {values} 中的值；但{at_index}返回了 {actual_value}。"),
    "property_shift_equivariant": (
        "Adding a constant c to `{arg}` must add c to every output of {call};{at_index} "
        "the result is {actual_value} instead of {expected_value}.",
        "给 `{arg}` 加上常数 c，{call} 的每个输出都应加上 c；但{at_index}结果为 "
        "{actual_value}，而不是 {expected_value}。"),
    "property_still_without_gradient": (
        "With {zeroed} set to 0, {call} must return the parameter unchanged;{at_index} it "
        "returned {actual_value} instead of {expected_value}.",
        "把 {zeroed} 设为 0 时，{call} 应原样返回参数；但{at_index}返回了 {actual_value}，"
        "而不是 {expected_value}。"),
    "own_forward.right": ("right, so the mistake is in the derivative itself",
                          "正确，所以错误出在导数本身"),
    "own_forward.wrong": ("wrong too: fix it first, then compare the derivative with its formula",
                          "也有错：请先修正它，再对照公式检查导数"),
    "own_forward.missing": ("not written yet (the derivative was checked against the correct one)",
                            "尚未实现（导数已与正确的函数对照检验）"),
    # grader validate (for instructors)
    "validate.exercise": (
        "{mark} ch{chapter} {id}: reference {score}/{max_score}; mistakes caught {caught}/{listed}, "
        "own hint shown {hinted}/{listed}; checks failing for zeros {zero_failing}/{checks} ({seconds} s)",
        "{mark} ch{chapter} {id}：参考实现 {score}/{max_score}；错误被发现 {caught}/{listed}，"
        "给出对应提示 {hinted}/{listed}；对全零函数不通过的检查 {zero_failing}/{checks}（{seconds} 秒）"),
    "validate.reference_fails": ("the reference fails check '{check}': {message}",
                                 "参考实现未通过检查 '{check}'：{message}"),
    "validate.mistake_missed": ("mistake {mistake} passes every check: no check catches it",
                                "错误实现 {mistake} 通过了所有检查：没有检查能发现它"),
    "validate.mistake_wrong_hint": (
        "mistake {mistake} is caught, but the hint shown is not its own (diagnosed as: {diagnosed})",
        "错误实现 {mistake} 被发现了，但给出的提示不是它自己的（诊断为：{diagnosed}）"),
    "validate.zeros_pass": ("check '{check}' passes for a function that returns zeros: it cannot fail",
                            "检查 '{check}' 对返回全零的函数也通过：它不可能失败"),
    "validate.bad_signature": ("signature `{signature}` is not `name(arguments)` with the exercise's id",
                               "signature `{signature}` 不是以练习 id 为名的 `name(参数)` 形式"),
    "validate.args_order": ("the args are declared as {args}, the signature lists {params}",
                            "args 的声明顺序为 {args}，而 signature 中为 {params}"),
    "validate.reference_signature": ("signature {signature} differs from the reference's {reference_signature}",
                                     "signature {signature} 与参考实现的 {reference_signature} 不一致"),
    "validate.keyword_not_declared": (
        "`{arg}` has a default ({default}) in the signature: declare it with keyword: true and default: {default}",
        "`{arg}` 在 signature 中有默认值（{default}）：请声明 keyword: true 和 default: {default}"),
    "validate.keyword_default": ("`{arg}`: the spec's default {spec_default} differs from the signature's {default}",
                                 "`{arg}`：spec 中的默认值 {spec_default} 与 signature 中的 {default} 不一致"),
    "validate.keyword_not_drawn": (
        "`{arg}` is never drawn with a value other than its default {default}: an ignored `{arg}` would pass",
        "`{arg}` 抽取的值从不异于默认值 {default}：忽略 `{arg}` 的实现也能通过"),
    "validate.keyword_never_omitted": (
        "`{arg}` is passed in every edge case: omit it in at least one, so that its default is used",
        "每个边界用例都传入了 `{arg}`：请至少在一个用例中省略它，以便用到默认值"),
    "validate.summary": (
        "Mutation score: {caught}/{listed} listed mistakes caught ({percent}); own hint shown for "
        "{hinted}/{listed}. {count} exercises in {seconds} s.",
        "变异得分：列出的 {listed} 个错误实现中发现了 {caught} 个（{percent}）；给出对应提示 "
        "{hinted}/{listed}。共 {count} 个练习，用时 {seconds} 秒。"),
    "validate.ok": ("All {count} exercises hold.", "全部 {count} 个练习均符合要求。"),
    "validate.problems": ("{problems} problem(s) found.", "发现 {problems} 个问题。"),
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
    "report.index": ("index", "下标"),
    "report.hint": ("Hint: {hint}", "提示：{hint}"),
    "report.failing_cases": ("{failing} of {total} test inputs fail; the smallest is shown.",
                             "{total} 个测试输入中有 {failing} 个未通过；下面显示最小的一个。"),
    "report.failing_fixed": ("{failing} of {total} test inputs fail; the first is shown.",
                             "{total} 个测试输入中有 {failing} 个未通过；下面显示第一个。"),
    "report.stdout": ("Your code printed:", "你的代码输出了："),
    "report.all_passed": ("All exercises passed. 🎉", "全部练习通过。🎉"),
    # CI reporters, gates, student packs and CI templates (grader/report/, grader/pack/, grader/ci/)
    "report.required": ("required: {required}", "要求：{required} 分"),
    "report.also_failed": ("Also failed: {checks}.", "以下检查同样未通过：{checks}。"),
    "report.below_required": ("Score {score} / {max_score} is below the required {required}.",
                              "得分 {score} / {max_score}，低于要求的 {required} 分。"),
    "not_in_pack": ("This check needs the reference's answer for `{function}` on an input the "
                    "student pack did not record; your instructor's grading run checks it.",
                    "此项检查需要参考实现 `{function}` 在某个输入上的结果，而学生包中没有记录；"
                    "教师评分时会检查此项。"),
    "pack.written": ("Wrote the student pack to {path}: {exercises} exercises, {checks} checks, "
                     "{points} points. No reference code is in it.",
                     "已将学生包写入 {path}：{exercises} 道练习，{checks} 项检查，共 {points} 分。"
                     "其中不含参考实现代码。"),
    "pack.left_out": ("Left out of the pack: {exercise} · {check} ({reason}).",
                      "未放入学生包：{exercise} · {check}（{reason}）。"),
    "pack.reason.hidden": ("hidden", "隐藏检查"),
    "pack.reason.needs_code": ("it runs trusted code of the exercise set, which a pack does not "
                               "ship", "它需要运行练习集中的受信任代码，而学生包不包含这些代码"),
    "pack.reason.differs": ("its verdict from recorded answers differs from the reference's",
                            "根据记录结果得出的判定与参考实现不一致"),
    "pack.not_empty": ("{path} exists and is not a student pack: choose an empty or new folder.",
                       "{path} 已存在且不是学生包：请选择一个空目录或新目录。"),
    "pack.seed_fixed": ("The inputs of a student pack are fixed (seed {seed}); --seed cannot "
                        "change them.", "学生包的测试输入是固定的（种子 {seed}），不能用 --seed 更改。"),
    "graded_by_instructor": ("Graded by your instructor ({points} pt), not by this self-check: "
                             "{reason}.",
                             "由教师评分（{points} 分），本次自检不评此项：{reason}。"),
    "pack.reason.own_forward": ("here it would be judged with your own {function}, which does "
                                "not give the reference's answers yet",
                                "在这里只能借助你自己的 {function} 来评判，而它还没有给出与参考实现一致的结果"),
    "pack.wheel": ("Wrote the student build of the grader, without the exercise set, to {path}: "
                   "the files of `grader ci` install it.",
                   "已将不含练习集的学生版评分器写入 {path}：`grader ci` 生成的文件会安装它。"),
    "ci.no_wheel": ("Note: {path} holds no student build of the grader; make the pack again with "
                    "`grader pack`, or pass --grader-spec.",
                    "注意：{path} 中没有学生版评分器；请用 `grader pack` 重新生成学生包，或者传入 --grader-spec。"),
    "ci.bad_fail_under": ("expected points (30) or a percentage of the maximum (80%), got {value!r}",
                          "应为分数（如 30）或占满分的百分比（如 80%），实际为 {value!r}"),
    "ci.written": ("Wrote {path}.", "已写入 {path}。"),
    "ci.exists": ("{path} exists: add --force to overwrite it.", "{path} 已存在：如需覆盖请加 --force。"),
    "ci.no_pack": ("Note: {path} holds no student pack yet; create it with `grader pack {path}`.",
                   "注意：{path} 中还没有学生包；请用 `grader pack {path}` 生成。"),
    "ci.bad_value": ("{option} may not contain spaces, quotes, `$` or backslashes: {value!r}.",
                     "{option} 不能包含空格、引号、`$` 或反斜杠：{value!r}。"),
    "ci.autograder_failed": ("The autograder could not grade this submission (exit code {status}). "
                             "Please tell your instructor.",
                             "自动评分程序无法为此提交评分（退出码 {status}）。请告知任课教师。"),
    "doctor.title": ("Sandbox layers on {platform}, Python {python}, running as {user}:",
                     "{platform} 上的沙箱防护层（Python {python}，以 {user} 身份运行）："),
    "doctor.all": ("All layers are available: student code runs fully sandboxed.",
                   "所有防护层均可用：学生代码在完整的沙箱中运行。"),
    "doctor.missing": ("Missing here: {missing}. Grading still works with the other layers; "
                       "--strict-sandbox refuses to grade on this machine.",
                       "本机缺少：{missing}。其余防护层照常生效；使用 --strict-sandbox 时将拒绝评分。"),
    "sandbox.refused": ("Refusing to grade with --strict-sandbox: missing sandbox layers: {missing}. "
                        "Run `grader doctor` for details.",
                        "已启用 --strict-sandbox，拒绝评分：缺少沙箱防护层：{missing}。详见 `grader doctor`。"),
    "report.sandbox": ("Sandbox layers: {layers}", "沙箱防护层：{layers}"),
    # --- feedback: config, starter files (init), explain, watch, Jupyter ---
    "config.ignored": ("grader: ignored: {problem}", "grader：已忽略：{problem}"),
    "unknown_exercise": ("unknown exercise: {ids} (see `grader list`)",
                         "没有这道练习：{ids}（`grader list` 列出了全部练习）"),
    "init.header": (
        "Chapter 10 (artificial neural networks): exercises, written by `grader init`.\n\n"
        "Every function below raises NotImplementedError until you write it: the grader reports it "
        "as \"not attempted\", not as an error. Replace each `raise` with your code, then check:",
        "第 10 章（人工神经网络）练习，由 `grader init` 生成。\n\n"
        "下面每个函数在你实现之前都会抛出 NotImplementedError：评分器把它记为“未作答”，而不是错误。"
        "把每个 `raise` 换成你的代码，然后检查："),
    "init.cmd_all": ("every exercise", "检查所有练习"),
    "init.cmd_one": ("one exercise", "只检查一道练习"),
    "init.cmd_watch": ("again at every save", "每次保存后自动重新检查"),
    "init.cmd_explain": ("contract, conventions, a worked example", "题目说明、约定与课件差异、示例"),
    "init.chapter": ("Chapter {chapter}: {title}", "第 {chapter} 章：{title}"),
    "init.exercise": ("{title} (`{id}`, chapter {chapter}, {points} points)",
                      "{title}（`{id}`，第 {chapter} 章，{points} 分）"),
    "init.notes": ("Conventions and the slides:", "约定与课件差异："),
    "init.args": ("Arguments:", "参数："),
    "init.check_one": ("Check: grader check {file} -e {id}    Explain: grader explain {id}",
                       "检查：grader check {file} -e {id}    详解：grader explain {id}"),
    "init.todo": ("replace this line with your code", "把这一行换成你的代码"),
    "init.notebook_intro": (
        "# Chapter 10 (artificial neural networks): exercises\n\n"
        "Written by `grader init`. Each code cell defines one function that raises "
        "`NotImplementedError` until you write it: the grader reports it as *not attempted*, not "
        "as an error. Run the first code cell (the imports), write a function, and check it with "
        "the last cell, or from a terminal: `grader check {file}`.",
        "# 第 10 章（人工神经网络）练习\n\n"
        "由 `grader init` 生成。每个代码单元格定义一个函数，在你实现之前它会抛出 "
        "`NotImplementedError`：评分器把它记为*未作答*，而不是错误。先运行第一个代码单元格（import），"
        "实现一个函数，再用最后一个单元格检查，或者在终端里运行：`grader check {file}`。"),
    "init.selfcheck_title": ("Check your work", "自检"),
    "init.selfcheck_text": (
        "Run the cell below after defining your functions. Only the source of your functions "
        "(and of the imports, helper functions and constants they use) is sent to the grader's "
        "sandbox; nothing else of this notebook runs there. `grader.check()` checks every "
        "exercise function defined here; `grader.check(sigmoid, softmax)` only those. With "
        "`%load_ext grader`, `%grade sigmoid softmax` does the same.",
        "定义好函数后运行下面的单元格。只有你的函数（以及它们用到的 import、辅助函数和常量）的源代码会被"
        "送进评分器的沙箱运行，笔记本里的其他内容都不会在那里运行。`grader.check()` 检查这里定义的所有"
        "练习函数；`grader.check(sigmoid, softmax)` 只检查这两个。执行 `%load_ext grader` 之后，"
        "`%grade sigmoid softmax` 的作用相同。"),
    "init.selfcheck_comment": ("check every exercise function defined in this notebook",
                               "检查本笔记本中定义的所有练习函数"),
    "init.wrote": ("Wrote {file}: {count} exercises ({points} points). Next: grader check {file}",
                   "已写入 {file}：{count} 道练习（共 {points} 分）。下一步：grader check {file}"),
    "init.exists": ("{file} already exists: pass --force to overwrite it, or choose another name.",
                    "{file} 已存在：如需覆盖请加 --force，或者换一个文件名。"),
    "init.suffix": ("{file}: a starter is a .py or an .ipynb file.",
                    "{file}：起始文件必须是 .py 或 .ipynb 文件。"),
    "init.no_chapter": ("No exercises in chapter {chapter} (chapters: {chapters}).",
                        "第 {chapter} 章没有练习（现有章节：{chapters}）。"),
    "arg.array_any": ("an array of any shape (0-d included), values in [{min}, {max}]",
                      "任意形状的数组（包括 0 维），数值在 [{min}, {max}] 内"),
    "arg.array": ("an array of shape {shape}, values in [{min}, {max}]",
                  "形状为 {shape} 的数组，数值在 [{min}, {max}] 内"),
    "arg.float": ("a float in [{min}, {max}]", "[{min}, {max}] 内的浮点数"),
    "arg.int": ("an integer in [{min}, {max}]", "[{min}, {max}] 内的整数"),
    "arg.ints": ("a list of {shape} integers in [{min}, {max}]",
                 "由 {shape} 个 [{min}, {max}] 内的整数组成的列表"),
    "arg.choice": ("one of {values}", "取值为 {values} 之一"),
    "arg.one_hot": ("one-hot rows of shape {shape} (a single 1 per row)",
                    "形状为 {shape} 的独热（one-hot）矩阵（每行恰有一个 1）"),
    "arg.simplex": ("probabilities of shape {shape}, each row sums to 1",
                    "形状为 {shape} 的概率，每行之和为 1"),
    "arg.binary": ("0/1 labels of shape {shape}", "形状为 {shape} 的 0/1 标签"),
    "arg.other": ("a value of kind {type}", "{type} 类型的值"),
    "arg.default": ("; default {default}", "；默认值 {default}"),
    "explain.heading": ("{id} · {title} (chapter {chapter}, {points} points)",
                        "{id} · {title}（第 {chapter} 章，{points} 分）"),
    "explain.signature": ("Function to write", "要实现的函数"),
    "explain.description": ("What to compute", "要计算什么"),
    "explain.notes": ("Conventions and where the slides differ", "约定与课件的差异"),
    "explain.args": ("Arguments (as the grader draws them)", "参数（评分器如何生成）"),
    "explain.checks": ("Checks and their points", "检查项与分值"),
    "explain.points": ("{points} pt", "{points} 分"),
    "explain.hidden": ("hidden: its details are shown only when it fails",
                       "隐藏检查：只有未通过时才显示细节"),
    "explain.mistakes": ("Known mistakes: the hint you get when the grader recognises one",
                         "常见错误：评分器识别出来时给出的提示"),
    "explain.example": ("Worked example, computed by the reference implementation",
                        "示例（由参考实现计算）"),
    "explain.example_row": ("{call} returns {value}", "{call} 返回 {value}"),
    "explain.next": ("Check your own: grader check YOUR_FILE -e {id}",
                     "检查你的实现：grader check 你的文件 -e {id}"),
    "explain.unknown": ("No exercise {id}: `grader list` shows them all.",
                        "没有名为 {id} 的练习：`grader list` 列出了全部练习。"),
    "explain.check.reference": (
        "your outputs are compared with the reference's on {examples} drawn inputs, entry by "
        "entry, within {atol} + {rtol}·|expected|; a failing input is shrunk to a small one.",
        "在 {examples} 个随机生成的输入上，逐元素将你的输出与参考实现比较，允许误差为 {atol} + "
        "{rtol}·|期望值|；未通过的输入会被缩小为一个简单的例子。"),
    "explain.check.edge_cases": (
        "{count} fixed inputs chosen by hand (kinks such as 0, huge magnitudes such as ±1000) must "
        "give the reference's values, with no NaN or inf where the answer is finite.",
        "{count} 个人工挑选的固定输入（如拐点 0、±1000 这样很大的数值）必须得到与参考实现相同的值，"
        "答案有限的地方不能出现 NaN 或 inf。"),
    "explain.check.stability": (
        "the same fixed inputs, now also without floating-point warnings (overflow, invalid "
        "value, division by zero).",
        "同样的固定输入，并且计算过程中不能出现浮点警告（溢出、无效值、除以零）。"),
    "explain.check.properties": ("these mathematical properties hold on every drawn input:",
                                 "在每个随机输入上都必须满足下列数学性质："),
    "explain.check.gradient": (
        "your derivative is compared with central differences (f(x + h) − f(x − h)) / 2h of "
        "`{of}` with respect to {wrt}, on {count} inputs away from kinks; when it is wrong, the "
        "report says whether your own `{of}` is at fault.",
        "在 {count} 个远离拐点的输入上，把你的导数与 `{of}` 关于 {wrt} 的中心差分 "
        "(f(x + h) − f(x − h)) / 2h 比较；若不一致，报告会指出是不是你自己的 `{of}` 出了错。"),
    "explain.check.behaviour": (
        "graded by what your result does (a truth table, a partition, a trained network), "
        "not by equality with one particular answer.",
        "按你的结果的行为评分（真值表、划分、训练出的网络），而不是要求与某一个特定答案相等。"),
    "explain.check.trajectory": (
        "{steps} steps of your update are chained from a zero state, each fed your previous "
        "outputs, and compared with the reference's path{oracle}.",
        "从零状态开始连续执行你的更新 {steps} 步，每一步都以你上一步的输出为输入，并与参考实现的轨迹"
        "比较{oracle}。"),
    "explain.check.oracle": (" and with torch.optim.{optimizer}", "，也与 torch.optim.{optimizer} 比较"),
    "explain.check.other": ("a check of kind {kind}.", "{kind} 类型的检查。"),
    "explain.property.range": ("every value lies in [{min}, {max}]", "每个值都在 [{min}, {max}] 内"),
    "explain.property.complement": ("f(−x) = {total} − f(x)", "f(−x) = {total} − f(x)（互补）"),
    "explain.property.odd": ("f(−x) = −f(x): an odd function", "f(−x) = −f(x)：奇函数"),
    "explain.property.monotonic": ("increasing: a larger x never gives a smaller f(x)",
                                   "单调递增：x 变大时 f(x) 不会变小"),
    "explain.property.shape_preserved": ("the result has the shape of the input",
                                         "结果的形状与输入相同"),
    "explain.property.input_unchanged": ("the input arrays are not modified in place",
                                         "不原地修改输入数组"),
    "explain.property.sums_to_one": ("each row (the last axis) sums to 1",
                                     "每一行（最后一个轴）之和为 1"),
    "explain.property.shift_invariant": (
        "adding the same constant ({shift}) to every entry changes nothing",
        "给每个元素加上同一个常数（{shift}）结果不变"),
    "explain.property.shift_equivariant": ("adding a constant c to `{arg}` adds c to every output",
                                           "给 `{arg}` 加上常数 c，每个输出也加上 c"),
    "explain.property.values_in": ("every value is one of {values}", "每个值都是 {values} 之一"),
    "explain.property.still_without_gradient": (
        "with a zero gradient (and a zero state) the parameter does not move",
        "梯度（和状态）为零时参数保持不变"),
    "watch.start": ("Watching {path}: every save checks it again (Ctrl+C to stop).",
                    "正在监视 {path}：每次保存都会重新检查（按 Ctrl+C 停止）。"),
    "watch.rerun": ("{time} · {changed} saved · checked again in {seconds} s",
                    "{time} · {changed} 已保存 · 重新检查用时 {seconds} 秒"),
    "watch.now_passing": ("✓ now passes: {exercise} · {check} (+{points} pt)",
                          "✓ 现在通过：{exercise} · {check}（+{points} 分）"),
    "watch.now_failing": ("✗ now fails: {exercise} · {check} (−{points} pt)",
                          "✗ 现在未通过：{exercise} · {check}（−{points} 分）"),
    "watch.still_failing_differently": ("✗ still fails, differently: {exercise} · {check}",
                                        "✗ 仍未通过，但情况变了：{exercise} · {check}"),
    "watch.exercise": ("{exercise}: {before} → {after}", "{exercise}：{before} → {after}"),
    "watch.score": ("Score: {before} → {after} / {max_score} ({delta})",
                    "得分：{before} → {after} / {max_score}（{delta}）"),
    "watch.no_change": ("Nothing changed: score {score} / {max_score}.",
                        "没有变化：得分 {score} / {max_score}。"),
    "watch.still_failing": ("Still failing: {checks}", "仍未通过：{checks}"),
    "watch.broken": ("The file cannot be graded as it is now; the comparison waits for a version "
                     "that imports.", "文件目前无法评分；等它能被正常导入后再比较变化。"),
    "watch.text_only": ("--watch shows text only: it cannot be combined with --format json.",
                        "--watch 只输出文本，不能与 --format json 同时使用。"),
    "watch.stopped": ("Stopped watching.", "已停止监视。"),
    "jupyter.title": ("Self-check in the notebook: {functions}", "笔记本内自检：{functions}"),
    "jupyter.not_exercise": ("`{name}` is not the name of an exercise, so it was not checked "
                             "(`grader list` shows the names).",
                             "`{name}` 不是任何练习的名字，因此没有检查（`grader list` 列出了所有名字）。"),
    "jupyter.nothing": ("No exercise function to check: define a function named after an exercise "
                        "(e.g. `def sigmoid(x): ...`), run its cell, then grader.check(sigmoid).",
                        "没有可检查的练习函数：请定义一个与练习同名的函数（例如 `def sigmoid(x): ...`），"
                        "运行该单元格，然后执行 grader.check(sigmoid)。"),
    "jupyter.no_source": ("The source of `{name}` cannot be read ({reason}): define it with `def` "
                          "in a cell or in a .py file.",
                          "无法读取 `{name}` 的源代码（{reason}）：请在单元格或 .py 文件中用 `def` 定义它。"),
    "jupyter.skipped_global": ("`{name}`, used by your code, was not sent to the sandbox ({kind}): "
                               "compute it inside the function, or set it to plain numbers.",
                               "你的代码用到的 `{name}` 没有被送进沙箱（{kind}）：请在函数内部计算它，"
                               "或者把它设为普通的数值。"),
    "jupyter.footer": ("Checked in the grader's sandbox: only the source of your functions (and "
                       "the imports, helpers and constants they use) ran there.",
                       "已在评分器的沙箱中检查：只有你的函数（及其用到的 import、辅助函数和常量）的源代码在那里运行。"),
    "jupyter.magic_usage": ("Usage: %grade [--lang zh|en] [NAME ...]",
                            "用法：%grade [--lang zh|en] [函数名 ...]"),
    # --- batch grading, notebooks, feedback files, class report (grader grade) ---
    "status.missing": ("missing", "未提交"),
    "missing": ("No submission was found for this student.", "没有找到该学生的提交。"),
    "submission_ambiguous": ("Several entries for one student ({entries}): keep only one.",
                             "同一个学生有多个提交（{entries}）：请只保留一个。"),
    "unreadable.os_error": ("it cannot be opened ({detail})", "无法打开该文件（{detail}）"),
    "unreadable.too_large": ("it is larger than {limit} KiB", "文件大于 {limit} KiB"),
    "unreadable.binary": ("it is a binary file, not Python source or a notebook",
                          "这是一个二进制文件，不是 Python 源码或笔记本"),
    "unreadable.not_utf8": ("it is not UTF-8 text (byte {byte}); save it with UTF-8 encoding",
                            "它不是 UTF-8 文本（第 {byte} 个字节）；请以 UTF-8 编码保存"),
    "unreadable.not_json": ("it is not a Jupyter notebook: not valid JSON ({detail})",
                            "它不是 Jupyter 笔记本：不是合法的 JSON（{detail}）"),
    "unreadable.not_notebook": ("it is JSON, but not a Jupyter notebook",
                                "它是 JSON，但不是 Jupyter 笔记本"),
    "notebook.where": ("{file}, cell {cell}", "{file} 第 {cell} 个单元格"),
    "notebook.dropped": ("{count} top-level statement(s) of {file} were not run when grading: a "
                         "notebook is graded from its imports, definitions and simple assignments "
                         "only, so that training or plotting at the top level cannot slow it down. "
                         "Not run: {listed}{more}. If a function needs a value computed there, "
                         "compute it inside the function.",
                         "评分时没有运行 {file} 中的 {count} 条顶层语句：笔记本只按其中的 import、"
                         "函数和类定义以及简单赋值评分，顶层的训练、画图不会拖慢评分。未运行：{listed}{more}。"
                         "如果某个函数需要在那里计算的值，请在函数内部计算。"),
    "notebook.item": ("cell {cell} line {line} `{code}`", "第 {cell} 个单元格第 {line} 行 `{code}`"),
    "notebook.more": (" and {more} more", "，以及另外 {more} 处"),
    "notebook.syntax_error": ("Cell {cell} of {file} is not valid Python ({message}, line {line}) "
                              "and was skipped: what it defines was not graded.",
                              "{file} 第 {cell} 个单元格不是合法的 Python（{message}，第 {line} 行），"
                              "已跳过：其中定义的内容没有评分。"),
    "feedback.title": ("Feedback for {student}", "{student} 的评分反馈"),
    "feedback.submission": ("Submission: {submission}", "提交：{submission}"),
    "feedback.graded": ("Graded by grader {version} (specs {digest}, seed {seed}).",
                        "评分器版本 {version}（题目规格 {digest}，随机种子 {seed}）。"),
    "feedback.notes": ("Notes", "说明"),
    "feedback.details": ("What to fix", "需要修改的地方"),
    "feedback.exercise_failed": ("{exercise}: {message}", "{exercise}：{message}"),
    "feedback.stdout": ("What your code printed", "你的代码输出"),
    "batch.plan": ("Grading {todo} of {total} submissions with {jobs} process(es) into {out}; "
                   "{skipped} unchanged since the last run (use --force to regrade them).",
                   "用 {jobs} 个进程评分 {total} 份提交中的 {todo} 份，输出到 {out}；"
                   "{skipped} 份自上次以来未改变（用 --force 重新评分）。"),
    "batch.line": ("[{done}/{total}] {student}: {score}/{max_score} {status} ({seconds} s)",
                   "[{done}/{total}] {student}：{score}/{max_score} {status}（{seconds} 秒）"),
    "batch.progress": ("{done}/{total} · {rate}/min · ETA {eta} · failures {failures}",
                       "{done}/{total} · 每分钟 {rate} 份 · 预计剩余 {eta} · 未全对 {failures}"),
    "batch.done": ("Graded {graded} submission(s) in {seconds} s ({rate} per minute); {failures} "
                   "did not pass everything.",
                   "用时 {seconds} 秒评完 {graded} 份提交（每分钟 {rate} 份）；{failures} 份未全部通过。"),
    "batch.interrupted": ("Interrupted: {graded} submission(s) graded and saved, {left} left. "
                          "Run the same command again to grade the rest.",
                          "已中断：{graded} 份已评分并保存，还剩 {left} 份。再次运行同一命令即可评完其余提交。"),
    "batch.changed_title": ("Scores changed since the last grading:", "与上次评分相比，以下得分有变化："),
    "batch.changed": ("  {student}: {before} → {after} ({delta})", "  {student}：{before} → {after}（{delta}）"),
    "batch.not_on_roster": ("Not on the roster (graded anyway): {students}",
                            "不在名单中（仍然评分）：{students}"),
    "batch.missing": ("On the roster, no submission (scored 0): {students}",
                      "在名单中但没有提交（记 0 分）：{students}"),
    "batch.ignored": ("Ignored (not a .py, .ipynb or folder): {entries}",
                      "已忽略（不是 .py、.ipynb 或文件夹）：{entries}"),
    "batch.outputs": ("Gradebook: {gradebook}\nFeedback: {feedback}\nClass report: {report}",
                      "成绩库：{gradebook}\n反馈：{feedback}\n班级报告：{report}"),
    "batch.no_plots": ("matplotlib is not installed: the class report has tables but no plots "
                       "(pip install \"grader[batch]\").",
                       "未安装 matplotlib：班级报告只有表格、没有图（pip install \"grader[batch]\"）。"),
    "batch.worker_died": ("The grading process handling this submission died ({how}).",
                          "处理该提交的评分进程意外退出（{how}）。"),
    "batch.no_gradebook": ("No gradebook in {out} (run `grader grade` first).",
                           "{out} 中没有成绩库（请先运行 `grader grade`）。"),
    "batch.no_student": ("No student {student} in the gradebook.", "成绩库中没有学生 {student}。"),
    "batch.roster_error": ("Cannot read the roster {path}: {problem}", "无法读取名单 {path}：{problem}"),
    "history.title": ("Runs for {student}:", "{student} 的评分记录："),
    "history.row": ("run {run}  {when}  {action}  {score}/{max_score}  {status}  submission {hash}  "
                    "specs {digest}", "第 {run} 次  {when}  {action}  {score}/{max_score}  {status}  "
                    "提交 {hash}  规格 {digest}"),
    "action.graded": ("graded", "已评分"),
    "action.unchanged": ("unchanged", "未改变"),
    "action.pending": ("not reached", "未评到"),
    "class.title": ("Class report: {name}", "班级报告：{name}"),
    "class.generated": ("{students} students · graded by grader {version} · specs {digest}",
                        "{students} 名学生 · 评分器版本 {version} · 题目规格 {digest}"),
    "class.summary": ("Summary", "概况"),
    "class.students": ("students", "学生"),
    "class.submitted": ("submitted", "已提交"),
    "class.missing": ("missing", "未提交"),
    "class.not_on_roster": ("not on the roster", "不在名单中"),
    "class.mean": ("mean score", "平均分"),
    "class.median": ("median score", "中位数"),
    "class.full_marks": ("full marks", "满分人数"),
    "class.histogram": ("Score distribution", "得分分布"),
    "class.histogram_axis": ("score (% of the maximum)", "得分（占满分的百分比）"),
    "class.count_axis": ("students", "学生人数"),
    "class.pass_rate": ("Pass rate per exercise", "各练习通过率"),
    "class.pass_rate_axis": ("passed (% of students who submitted)", "通过率（占已提交学生的百分比）"),
    "class.exercise": ("exercise", "练习"),
    "class.passed": ("passed", "通过"),
    "class.failed": ("failed", "未通过"),
    "class.not_attempted": ("not attempted", "未作答"),
    "class.errors": ("error / timeout", "错误 / 超时"),
    "class.mean_points": ("mean points", "平均得分"),
    "class.mistakes": ("Most common diagnosed mistakes", "最常见的已识别错误"),
    "class.mistake": ("mistake", "错误"),
    "class.students_count": ("students", "人数"),
    "class.no_mistakes": ("No catalogued mistake was recognised.", "没有识别出目录中的已知错误。"),
    "class.problems": ("Timeouts, errors and sandbox violations", "超时、错误与沙箱违规"),
    "class.no_problems": ("None.", "无。"),
    "class.student": ("student", "学生"),
    "class.kind": ("kind", "类别"),
    "class.what": ("what happened", "情况"),
    "class.kind.timeout": ("timeout", "超时"),
    "class.kind.error": ("error", "错误"),
    "class.kind.sandbox": ("sandbox violation", "沙箱违规"),
    "class.kind.unreadable": ("unreadable submission", "无法读取的提交"),
    "class.slowest": ("Slowest submissions", "最慢的提交"),
    "class.seconds": ("seconds", "秒"),
    "class.score": ("score", "得分"),
    "class.all_students": ("All students", "全部学生"),
    "class.status": ("status", "状态"),
    "class.pass_rate_short": ("pass rate", "通过率"),
    "class.all_exercises": ("all", "全部"),
    "batch.nothing": ("Nothing to grade: all {skipped} submission(s) are unchanged since the last "
                      "run (use --force to regrade them).",
                      "没有需要评分的提交：全部 {skipped} 份自上次以来未改变（用 --force 重新评分）。"),
    "class.state.graded": ("graded", "已评分"),
    "class.state.error": ("error", "错误"),
    "class.state.missing": ("missing", "未提交"),
    "class.state.internal_error": ("grader error (regraded next run)", "评分器出错（下次运行时重新评分）"),
    "class.state.pending": ("not graded yet", "尚未评分"),
}

LANGUAGES = ("en", "zh")


def codes() -> list[str]:
    """Every message code of the catalogue (what the translation test walks)."""
    return list(CATALOGUE)


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
        shown = " ".join(shown.split())  # one line, whatever the number of dimensions
        return re.sub(r"\s+([,\]])", r"\1", re.sub(r"\[\s+", "[", shown))  # [ 1. , -1. ] → [1., -1.]
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
    if case is None:
        return f"{function}(…)"
    args = ", ".join(f"{k}={v!r}" if isinstance(v, str) else f"{k}={format_value(v)}"
                     for k, v in case.items())  # a call the student can paste and run
    return f"{function}({args})"


class _Facts(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def render(code: str, facts: dict[str, Any], lang: str = "en") -> str:
    """The sentence for `code`, in `lang`, with `facts` filled in."""
    if code not in CATALOGUE:
        return code
    shown = _Facts({k: format_value(v) for k, v in facts.items()})
    if code.startswith("submission_") or code.startswith("batch."):
        pass  # here `path` is a file, not a place inside a returned value
    elif facts.get("path"):
        shown["path"] = f" in result{facts['path']}" if lang != "zh" else f"（result{facts['path']}）"
    else:
        shown["path"] = ""
    if facts.get("reason_code") in CATALOGUE:
        shown["reason"] = text(facts["reason_code"], lang).format_map(shown)
    if facts.get("cell") is not None and facts.get("file") and not code.startswith("notebook."):
        shown["file"] = text("notebook.where", lang).format_map(shown)
    if code == "notebook.dropped":
        shown["listed"] = "; ".join(text("notebook.item", lang).format_map(_Facts(item))
                                    for item in facts.get("listed", []))
        shown["more"] = text("notebook.more", lang).format_map(shown) if facts.get("more") else ""
    index = facts.get("index")
    if isinstance(index, (tuple, list)) and index:  # NumPy's own notation: [2] or [0, 1]
        shown["index"] = "[" + ", ".join(str(i) for i in index) + "]"
        if code == "property_sums_to_one":  # a row number: "row 0", "第 0 行"
            shown["index"] = ", ".join(str(i) for i in index)
    for key in ("expected_shape", "actual_shape"):
        if facts.get(key) == ():
            shown[key] = text("shape.scalar", lang)
    if code == "mismatch":
        expected, total = facts.get("expected_value"), facts.get("total")
        if isinstance(expected, (int, float)) and facts.get("atol") is not None:
            shown["allowed"] = format_value(float(facts["atol"]) + float(facts.get("rtol") or 0)
                                            * abs(float(expected)))
        relative = facts.get("rel_error")
        shown["relative"] = (text("mismatch.relative", lang).format_map(shown)
                             if isinstance(relative, float) and math.isfinite(relative) else "")
        shown["differing"] = (text("mismatch.differing", lang).format_map(shown)
                              if isinstance(total, int) and total > 1 else "")
    if code == "nonfinite":
        count = facts.get("count")
        shown["differing"] = (text("nonfinite.differing", lang).format_map(shown)
                              if isinstance(count, int) and count > 1 else "")
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
        sentence += ("" if lang == "zh" else " ") + text(hint_code, lang)
    return sentence
