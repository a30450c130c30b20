"""Hostile sizes and shapes: whatever a submission returns or its worker sends, what the grader
holds, reports and stores stays bounded, every such value gets a clear message code, and the
other exercises and students are still graded (issue 11, items 3, 4 and 8).

The real commands are driven where it matters (`grader check` in json and text, `grader grade`
twice into one gradebook); forged worker replies are written on the worker's own socket from
inside a student's function, as a hostile student would.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from support import ROOT, by_id

#: ch3 exercises, each returning something hostile, beside relu_grad, an honest one
HOSTILE = '''
import numpy as np

# built once, at import: each call returns the same hostile value
NESTED = [0.0]
for _ in range(5000):
    NESTED = [NESTED]
MILLION_KEYS = {str(i): i for i in range(10**6)}
HUGE_TEXT = "x" * 10**8
DICT_OF_LISTS = {f"k{i}": [0.5] * 1000 for i in range(1000)}
DICT_OF_ARRAYS = {f"k{i}": np.full(1000, 0.5) for i in range(1000)}

def sigmoid(x):  # five million entries on one edge case; 300 of one wrong value on a (4, 3) input
    x = np.asarray(x, dtype=float)
    if x.shape == (2, 2):
        return np.zeros(5_000_000)
    if x.shape == (4, 3):  # so f(-x) and 1 - f(x), both of 300 entries, differ
        return np.full(300, 0.7)
    return 1 / (1 + np.exp(-x))

def tanh(x):  # lists nested 5000 deep
    return NESTED

def relu(x):  # a dict of a million keys
    return MILLION_KEYS

def leaky_relu(x, alpha=0.01):  # a string of 10^8 characters
    return HUGE_TEXT

def softmax(z):  # an exception message with a lone surrogate, and a huge one
    raise ValueError("bad \\ud800 value " + "y" * 10**6)

def sigmoid_grad(x):  # a dict of 1000 keys of 1000-element lists
    return DICT_OF_LISTS

def tanh_grad(x):  # a dict of 1000 keys of 1000-element arrays
    return DICT_OF_ARRAYS

def relu_grad(x):
    return (np.asarray(x, dtype=float) > 0).astype(float)
'''
EXERCISES = ("sigmoid", "tanh", "relu", "leaky_relu", "softmax", "sigmoid_grad", "tanh_grad",
             "relu_grad")
#: what a report may take and what the grader may hold, whatever the submission returns
MAX_REPORT_BYTES = 2 * 1024 * 1024
MAX_GRADER_PEAK_MB = 600
#: the growth of the gradebook per run and student
MAX_GRADEBOOK_GROWTH = 1024 * 1024

#: runs the grader's command line in this process, then writes its own peak RSS to argv[1]
PEAK = """
import sys
from grader.cli import cli
out, sys.argv = sys.argv[1], ["grader", *sys.argv[2:]]
try:
    cli(sys.argv[1:], prog_name="grader")
except SystemExit as exc:
    code = exc.code
finally:
    status = open("/proc/self/status").read()
    peak = int(next(l for l in status.splitlines() if l.startswith("VmHWM")).split()[1])
    open(out, "w").write(str(peak))
sys.exit(code)
"""


def selection(*ids: str) -> list[str]:
    return [a for i in ids for a in ("-e", i)]


def grader(*args: str, peak: Path | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", PEAK, str(peak)] if peak else [sys.executable, "-m", "grader"]
    return subprocess.run([*command, *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=600, env=dict(os.environ))


def strings(value) -> list[str]:
    """Every string inside a JSON document or a result (keys included)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*strings(k), *strings(v))]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in strings(v)]
    if hasattr(value, "__dataclass_fields__"):
        return strings(vars(value))
    return []


def has_surrogate(text: str) -> bool:
    return any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def codes(exercise: dict) -> set[str]:
    return {c["code"] for c in exercise["checks"] if c["status"] != "passed"}


@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "hostile.py"
    path.write_text(HOSTILE, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def json_run(hostile_file, tmp_path_factory):
    peak = tmp_path_factory.mktemp("peak") / "json"
    proc = grader("check", str(hostile_file), *selection(*EXERCISES), "--format", "json", peak=peak)
    return proc, int(peak.read_text()) // 1024


# --- grader check: the report is bounded, every value has its message code --------------------

def test_json_report_and_grader_memory_stay_bounded(json_run):
    proc, peak_mb = json_run
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert len(proc.stdout.encode()) <= MAX_REPORT_BYTES, len(proc.stdout)
    assert peak_mb <= MAX_GRADER_PEAK_MB, peak_mb
    report = json.loads(proc.stdout)
    assert report["schema_version"] == 2
    assert not any(has_surrogate(s) for s in strings(report))


def test_json_report_gives_each_hostile_value_its_code(json_run):
    exercises = {e["id"]: e for e in json.loads(json_run[0].stdout)["exercises"]}
    assert exercises["relu_grad"]["status"] == "passed"  # graded after all of them
    assert "wrong_shape" in codes(exercises["sigmoid"])
    for exercise, reason in (("tanh", "too_large.depth"), ("relu", "too_large.items"),
                             ("sigmoid_grad", "too_large.reply_data")):
        checks = [c for c in exercises[exercise]["checks"] if c["status"] != "passed"]
        assert checks and {c["code"] for c in checks} == {"too_large"}, exercise
        assert {c["facts"]["reason_code"] for c in checks} == {reason}, exercise
    relu = exercises["relu"]["checks"][0]
    assert relu["facts"]["size"] == 10**6 and relu["facts"]["limit"] == 1000
    assert relu["message"].endswith("a list, tuple or dict of 1000000 items, more than the 1000 "
                                    "allowed.")
    assert codes(exercises["leaky_relu"]) == {"wrong_type"}
    softmax = [c for c in exercises["softmax"]["checks"] if c["code"] == "raised"][0]
    assert softmax["facts"]["message"].startswith("bad \ufffd value yyy")
    assert len(softmax["facts"]["message"]) == 2000


def test_a_five_million_entry_answer_is_stored_as_its_summary(json_run):
    exercises = {e["id"]: e for e in json.loads(json_run[0].stdout)["exercises"]}
    edge = [c for c in exercises["sigmoid"]["checks"] if c["kind"] == "edge_cases"][0]
    assert edge["code"] == "wrong_shape" and edge["facts"]["actual_shape"] == [5_000_000]
    summary = edge["counterexample"]["actual"]["__summary__"]
    assert summary["kind"] == "array" and summary["shape"] == [5_000_000]
    assert summary["dtype"] == "float64" and summary["size"] == 5_000_000
    assert summary["head"] == [0.0] * 6 and summary["nan"] == 0
    assert edge["counterexample"]["expected"] == [[0.0, 0.5], [1.0, 0.9933071490757153]]
    assert edge["counterexample"]["input"]["x"] == [[-1000.0, 0.0], [1000.0, 5.0]]  # still pasteable
    tanh_grad = [c for c in exercises["tanh_grad"]["checks"] if c["code"] == "wrong_type"][0]
    dict_summary = tanh_grad["counterexample"]["actual"]["__summary__"]
    assert dict_summary["kind"] == "dict" and dict_summary["size"] == 1000
    assert dict_summary["head"][0][0] == "k0"
    assert dict_summary["head"][0][1]["__summary__"]["shape"] == [1000]


def test_values_of_one_shape_are_summarised_where_they_differ(json_run):
    exercises = {e["id"]: e for e in json.loads(json_run[0].stdout)["exercises"]}
    [complement] = [c for c in exercises["sigmoid"]["checks"] if c["code"] == "property_complement"]
    example = complement["counterexample"]
    expected, actual = example["expected"]["__summary__"], example["actual"]["__summary__"]
    assert expected["ranked_by"] == actual["ranked_by"] == "difference"
    assert expected["shape"] == actual["shape"] == [300]
    assert [w["index"] for w in expected["worst"]] == [w["index"] for w in actual["worst"]]
    assert expected["worst"][0]["index"] == complement["facts"]["index"]  # the message's entry
    assert all(w["differs"] for w in actual["worst"])
    assert {round(w["value"], 6) for w in expected["worst"]} == {0.3}
    assert {w["value"] for w in actual["worst"]} == {0.7}


def test_text_report_says_it_in_words_in_both_languages(hostile_file):
    for lang, words in (("en", "a float64 array of shape (5000000,) (5000000 entries), starting "
                                "[0, 0, 0, 0, 0, 0, …]"),
                        ("zh", "float64 数组，形状 (5000000,)（共 5000000 个元素），开头为 [0, 0, 0, 0, 0, 0, …]")):
        proc = grader("--lang", lang, "check", str(hostile_file), *selection(*EXERCISES))
        assert proc.returncode == 1, proc.stderr[-3000:]
        assert "Traceback" not in proc.stdout + proc.stderr
        assert words in proc.stdout
        assert len(proc.stdout) < 200_000
        if lang == "en":  # the entries where they differ most, side by side
            assert "      index  expected  got\n      [0]    0.3       0.7  ✗\n" in proc.stdout


# --- grader grade twice: the gradebook grows by a bounded amount, every student is graded -------

def test_gradebook_growth_per_run_is_bounded_and_everyone_is_graded(hostile_file, tmp_path):
    class_dir = tmp_path / "class"
    class_dir.mkdir()
    (class_dir / "mallory.py").write_text(hostile_file.read_text(), encoding="utf-8")
    (class_dir / "ada.py").write_text((ROOT / "submissions" / "correct.py").read_text(), encoding="utf-8")
    out = tmp_path / "graded"

    def book_size() -> int:
        return sum(p.stat().st_size for p in out.glob("gradebook.sqlite*"))

    sizes = []
    for _ in range(2):
        proc = grader("grade", str(class_dir), "-o", str(out), "-j", "1", "--force",
                      *selection(*EXERCISES))
        assert proc.returncode in (0, 1), proc.stderr[-3000:]
        assert "Traceback" not in proc.stderr
        sizes.append(book_size())
    assert sizes[1] - sizes[0] <= MAX_GRADEBOOK_GROWTH, sizes
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        latest = {student: (score, top) for student, score, top in db.execute(
            "SELECT student, score, max_score FROM grades WHERE id IN "
            "(SELECT MAX(id) FROM grades GROUP BY student)")}
    assert latest["ada"][0] == latest["ada"][1] > 0  # full marks: nobody was lost to mallory
    assert latest["mallory"][0] == 4.0  # relu_grad only
    assert (out / "feedback" / "mallory.md").is_file() and (out / "feedback" / "ada.md").is_file()
    assert "mallory" in (out / "grades.csv").read_text(encoding="utf-8-sig")


# --- forged worker replies: refused before they are expanded, as bad_reply ----------------------

def forging(raw: str) -> str:
    """A sigmoid that writes `raw` (an expression of bytes) on every socket it has (the fork
    worker's) and every pipe it can write (the portable worker's), then returns."""
    return textwrap.dedent(f'''
        import os, socket, stat, struct
        import numpy as np
        def relu(x):
            return np.maximum(np.asarray(x, dtype=float), 0.0)
        def sigmoid(x):
            raw = {raw}
            for fd in range(3, 16):
                try:
                    if stat.S_ISSOCK(os.fstat(fd).st_mode):
                        socket.socket(fileno=os.dup(fd)).sendall(raw)
                    elif stat.S_ISFIFO(os.fstat(fd).st_mode):
                        view = memoryview(raw)
                        while view:
                            view = view[os.write(fd, view):]
                except OSError:
                    pass
            return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))
    ''')


#: a protocol message holding the codec header `header` and a body of `body` zero bytes, as a
#: Python expression the student's code evaluates (the source stays small)
MESSAGE = "(lambda h, n: struct.pack('<Q', 8 + len(h) + n) + struct.pack('<Q', len(h)) + h + bytes(n))"


def message(header: str, body: int = 0) -> str:
    return f"{MESSAGE}({header}, {body})"


@pytest.mark.parametrize("raw,reason", [
    (message("b'[' * 5000 + b']' * 5000"), "nesting too deep"),
    ("struct.pack('<Q', 2**40)", "over the 67108864-byte cap"),
    (message(repr(json.dumps({"values": [{"__ndarray__": ["|b1", [9_000_000], 0, 9_000_000]}]})
                  .encode()), 9_000_000), "too many array elements"),
    (message("b'[' + b'0,' * 1_100_000 + b'0]'"), "more than 1000000 items"),
], ids=["nested-5000", "declared-2^40", "element-budget", "item-budget"])
def test_forged_replies_are_refused_as_bad_reply(grade_source, raw, reason):
    result = grade_source(forging(raw), "sigmoid", "relu")
    sigmoid = by_id(result)["sigmoid"]
    assert sigmoid.status == "error" and sigmoid.code == "bad_reply", sigmoid
    assert reason in sigmoid.facts["how"]
    assert by_id(result)["relu"].status == "passed"


# --- strings cleaned where they enter ---------------------------------------------------------

def test_no_lone_surrogate_from_the_worker_reaches_a_result(grade_source):
    result = grade_source('''
        import warnings
        import numpy as np
        def relu(x):
            return np.maximum(np.asarray(x, dtype=float), 0.0)
        def sigmoid(x):
            warnings.warn("w\\udfff")
            print("p\\ud800")
            raise ValueError("m\\ud800")
        def tanh(x):
            return {"k\\ud800": "v\\udbff"}
    ''', "sigmoid", "tanh", "relu")
    assert not [s for s in strings(result) if has_surrogate(s)]
    raised = by_id(result)["sigmoid"].checks[0]
    assert raised.code == "raised" and raised.facts["message"] == "m\ufffd"
    tanh = by_id(result)["tanh"].checks[0]
    assert tanh.counterexample["actual"] == {"k\ufffd": "v\ufffd"}
    assert by_id(result)["relu"].status == "passed"


def test_a_correct_string_answer_still_compares_equal():
    from grader.judge.compare import compare
    from grader.run.client import outcome
    from grader.run.values import to_data
    from grader.spec.schema import Tolerance

    answer = "é" * 5000  # longer than what crosses: both sides are cut the same way
    student = outcome({"value": to_data(answer)}).value
    assert compare(to_data(answer), student, Tolerance(rtol=0.0, atol=0.0)) is None


def test_a_forged_error_keeps_only_the_fields_the_grader_reads():
    from grader.run.client import clean_error, load_report, outcome

    forged = outcome({"value": [1, "a\ud800" * 10_000, {"k" * 500: None}],
                      "error": {"type": "X" * 10_000, "message": 7, "hint_code": "nope",
                                "reason_code": "nope", "line": "12", "file": ["x"]},
                      "warnings": ["w"] * 50 + [3], "seconds": float("nan"), "modified": [0, -1, 5000]})
    assert forged.value[1] == "a\ufffd" * 500 and list(forged.value[2]) == ["k" * 100]
    assert forged.error == {"type": "X" * 200, "message": "", "traceback": "", "file": None, "line": None,
                            "source": ""}
    assert forged.warnings == ["w"] * 10 and forged.seconds == 0.0 and forged.modified == [0]
    assert clean_error({"type": "TooLarge", "reason": "../../etc", "size": -1}) == {
        "type": "TooLarge", "message": "", "traceback": "", "file": None, "line": None,
        "source": "", "reason": "", "size": 0, "limit": 0}
    report = load_report({"functions": {"f\ud800": {"line": 10**12}, "g": 3}, "errors": ["x", {}],
                          "stdout": "o" * 10**6}, {"sandbox": {"seccomp": "yes", "landlock": True}})
    assert report.functions == {"f\ufffd": {"module": "", "line": None}, "g": {"module": "", "line": None}}
    assert len(report.errors) == 1 and report.sandbox == {"seccomp": False, "landlock": True}
    assert len(report.stdout) < 10_000


# --- the worker's budget: honest conversion stops early, with a clear TooLarge ------------------

def test_to_data_stops_at_the_reply_budget_before_copying_everything():
    from grader.run.values import MAX_REPLY_ELEMENTS, Budget, TooLarge, to_data

    with pytest.raises(TooLarge) as refused:  # 1000^3 numbers: refused after about 260 000
        to_data([[[0.5] * 1000] * 1000] * 1000)
    assert refused.value.reason == "reply_data"
    budget = Budget()
    to_data(np.zeros(5_000_000), budget)
    with pytest.raises(TooLarge) as refused:
        to_data(np.zeros(1_000_001), budget)
    assert refused.value.reason == "reply_entries" and refused.value.limit == MAX_REPLY_ELEMENTS
    assert to_data(np.zeros(1_000_000), budget).shape == (1_000_000,)  # a refused value cost nothing
    with pytest.raises(TooLarge) as refused:
        to_data(np.zeros(2), budget)
    assert refused.value.reason == "reply_entries"


def test_to_data_keeps_only_what_the_codec_carries():
    from grader import codec
    from grader.run.values import to_data

    big_endian = to_data(np.arange(3, dtype=">f8"))
    assert big_endian.dtype == np.float64 and big_endian.tolist() == [0.0, 1.0, 2.0]
    assert to_data(np.zeros(2, dtype=np.longdouble)) == {"__unsupported__": "array of dtype float128"}
    assert to_data(10**5000) == {"__unsupported__": "int of 16610 bits"}
    codec.encode([to_data(v) for v in (np.arange(3, dtype=">i4"), 2**200, "s" * 5000)])


def test_a_reply_past_its_budget_fails_its_calls_instead_of_dropping_their_warnings(grade_source):
    """Error texts and warnings are charged to the reply too: past the budget a call becomes a
    TooLarge error (failing), never a call that lost the warning a stability check looks for."""
    result = grade_source('''
        import numpy as np
        def sigmoid(x):
            x = np.asarray(x, dtype=float)
            if x.ndim == 0:
                raise ValueError("\\U0001F600" * 2000)  # 24 kB of JSON per call
            with np.errstate(over="warn"):
                return 1 / (1 + np.exp(-x))
        def relu(x):
            return np.maximum(np.asarray(x, dtype=float), 0.0)
    ''', "sigmoid", "relu", shrink=False)
    sigmoid = by_id(result)["sigmoid"]
    assert sigmoid.score == 0 or all(c.status == "failed" for c in sigmoid.checks if c.kind == "stability")
    assert by_id(result)["relu"].status == "passed"


# --- RecursionError and MemoryError while judging: that check, or that exercise, only -----------

@pytest.mark.parametrize("error,code", [(RecursionError, "judge_recursion"), (MemoryError, "judge_memory")])
def test_exhausting_the_grader_while_comparing_costs_that_check_only(grade_source, monkeypatch,
                                                                     error, code):
    from grader.judge import failures

    compare = failures.compare

    def exhausted(expected, actual, tol, path=""):
        if isinstance(actual, np.ndarray) and actual.size == 7:
            raise error()
        return compare(expected, actual, tol, path)

    monkeypatch.setattr(failures, "compare", exhausted)
    result = grade_source('''
        import numpy as np
        def sigmoid(x):
            return np.zeros(7)
        def relu(x):
            return np.maximum(np.asarray(x, dtype=float), 0.0)
    ''', "sigmoid", "relu")
    reference = [c for c in by_id(result)["sigmoid"].checks if c.kind == "reference"][0]
    assert reference.status == "error" and reference.code == code and reference.score == 0
    assert reference.facts == {"function": "sigmoid"}
    assert by_id(result)["relu"].status == "passed"


def test_exhausting_the_grader_outside_a_check_costs_that_exercise_only(grade_source, monkeypatch):
    import grader.judge as judge

    attempted = judge.attempted

    def deep(ctx):
        if ctx.exercise.id == "sigmoid":
            raise RecursionError()
        return attempted(ctx)

    monkeypatch.setattr(judge, "attempted", deep)
    result = grade_source('''
        import numpy as np
        def sigmoid(x):
            return np.zeros(7)
        def relu(x):
            return np.maximum(np.asarray(x, dtype=float), 0.0)
    ''', "sigmoid", "relu")
    assert by_id(result)["sigmoid"].status == "error" and by_id(result)["sigmoid"].code == "judge_recursion"
    assert by_id(result)["relu"].status == "passed"


def test_limit_messages_exist_in_both_languages():
    from grader.messages import render

    facts = {"function": "sigmoid", "call": "sigmoid(x=0)", "how": "nesting too deep",
             "reason_code": "too_large.depth", "limit": 8}
    for code in ("judge_recursion", "judge_memory", "bad_reply", "too_large"):
        english, chinese = render(code, facts, "en"), render(code, facts, "zh")
        assert english != chinese and "{" not in english + chinese
        words = chinese
        for fact in ("sigmoid(x=0)", "sigmoid", "nesting too deep"):  # the facts, not words
            words = words.replace(fact, "")
        assert not any("a" <= c.lower() <= "z" for c in words), words  # no English in the Chinese
    assert render("too_large", facts, "zh").endswith("列表、元组或字典嵌套超过了 8 层。")


def _columns(count, **fields):
    reply = {"values": [0.5] * count, "seconds": np.zeros(count)}
    reply.update(fields)
    return reply


@pytest.mark.parametrize("reply", [
    {"values": [0.5]},  # no times
    _columns(2),  # two answers to three calls
    {"values": [0.5] * 3, "seconds": np.zeros(2)},
    {"values": [0.5] * 3, "seconds": [0.0, 0.0, 0.0]},  # times must be one float64 array
    {"values": [0.5] * 3, "seconds": np.zeros(3, dtype=np.int64)},
    {"values": [0.5] * 3, "seconds": np.zeros((3, 1))},
    _columns(3, error=[[3, {"type": "X"}]]),  # past the last call
    _columns(3, error=[[-1, {"type": "X"}]]),
    _columns(3, warnings=[[True, ["w"]]]),  # a bool is not an index
    _columns(3, modified=[[0, [0], "extra"]]),
    _columns(3, args_after={"0": []}),
    _columns(3, error="everything"),
    {"results": [{"value": 0.5}] * 3},  # the old per-call records
], ids=["no-seconds", "short", "short-seconds", "seconds-list", "seconds-int", "seconds-2d",
        "index-past", "index-negative", "index-bool", "pair-of-three", "column-dict", "column-str",
        "records"])
def test_malformed_reply_columns_are_refused(reply):
    from grader.run.client import outcomes

    assert outcomes(reply, 3) is None


def test_forged_reply_columns_are_cleaned_as_records_are():
    from grader.run.client import outcome, outcomes

    forged = {"value": [1, "a\ud800" * 10_000, {"k" * 500: None}],
              "error": {"type": "X" * 10_000, "message": 7}, "warnings": ["w"] * 50 + [3],
              "seconds": float("nan"), "modified": [0, -1, 5000], "args_after": ["b\ud800"]}
    reply = {"values": [0.5, forged["value"]], "seconds": np.array([0.25, np.nan]),
             "error": [[1, forged["error"]]], "warnings": [[1, forged["warnings"]]],
             "modified": [[1, forged["modified"]]], "args_after": [[1, forged["args_after"]]]}
    plain, odd = outcomes(reply, 2)
    assert (plain.value, plain.error, plain.seconds, plain.warnings, plain.args_after) == (0.5, None, 0.25, [], None)
    assert repr(plain) == repr(outcome({"value": 0.5, "seconds": 0.25}))
    assert repr(odd) == repr(outcome(forged))


def test_the_workers_columns_read_back_as_its_records():
    from grader import codec
    from grader.run.client import outcome, outcomes
    from grader.run.worker import columns

    records = [{"seconds": 0.1, "value": np.arange(3.0), "warnings": []},
               {"seconds": 0.2, "error": {"type": "ValueError", "message": "no"}, "warnings": ["RuntimeWarning: x"]},
               {"seconds": 0.3, "value": (1, "s"), "warnings": [], "modified": [0], "args_after": [np.ones(2)]}]
    decoded = codec.decode(codec.encode(columns(records)))
    assert repr(outcomes(decoded, 3)) == repr([outcome(r) for r in records])
