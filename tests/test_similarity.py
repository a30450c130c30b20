"""Similarity across a class (issue 16): copies are found, even disguised; independent work is not.

The class is generated (tests/similarity_class.py): 40 independent students in NumPy, loop and
PyTorch styles, and 10 disguised copies of 5 of them, each disguise of the issue alone or
combined; plus students who handed in the `grader init` starter untouched or with only the
one-line standard answer. The command under test is the real one, `grader similarity`.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

import similarity_class as generated
from grader.similarity.analyse import analyse_class, base_material, rank_records
from grader.similarity.record import FingerprintRecord, Method, RecordError, fingerprint
from grader.similarity.rewrite import rewrite
from grader.similarity.score import JUDGED, Options
from grader.similarity.tokens import Names, unit_tokens
from grader.similarity.units import OTHER, split_units
from grader.similarity.winnow import fingerprints, kgram_hashes, winnow
from grader.spec import load_exercise_set
from grader.starter import write_starter

ROOT = Path(__file__).resolve().parent.parent
EXERCISE_SET = load_exercise_set()
EVERYTHING = Options(top=100_000, top_per_unit=100_000, max_listed=100_000)
STARTER_ONLY = ["starter_en", "starter_zh"]
ONE_LINER = "relu_only"


def grader(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout, env={**os.environ, "PYTHONWARNINGS": "ignore"})


@pytest.fixture(scope="module")
def generated_class(tmp_path_factory):
    folder = tmp_path_factory.mktemp("similarity") / "week4"
    key = generated.generate(folder)
    write_starter(folder / "starter_en.py", EXERCISE_SET, "en", ids=tuple(generated.EXERCISES))
    write_starter(folder / "starter_zh.ipynb", EXERCISE_SET, "zh", ids=tuple(generated.EXERCISES))
    write_starter(folder / f"{ONE_LINER}.py", EXERCISE_SET, "en", ids=tuple(generated.EXERCISES))
    text = (folder / f"{ONE_LINER}.py").read_text(encoding="utf-8")
    start = text.index("def relu(x):")
    end = text.index("raise NotImplementedError", start)
    end = text.index("\n", end)
    (folder / f"{ONE_LINER}.py").write_text(text[:start] + "def relu(x):\n    return np.maximum(0, x)" + text[end:],
                                            encoding="utf-8")
    return key


@pytest.fixture(scope="module")
def analysis(generated_class):
    return analyse_class(generated_class.folder, EXERCISE_SET, options=EVERYTHING)


def _pairs(analysis):
    return {frozenset((p.a, p.b)): p for p in analysis.comparison.ranking.pairs}


# ------------------------------------------------------------------------------ ranking quality

def test_every_copy_pair_ranks_above_every_independent_pair_overall(generated_class, analysis):
    pairs = _pairs(analysis)
    copies = generated_class.copy_pairs()
    assert len(copies) == 15                       # 5 originals, 2 copies each: 3 pairs per group
    assert copies <= set(pairs)
    lowest_copy = min(pairs[c].score for c in copies)
    highest_independent = max(p.score for k, p in pairs.items() if k not in copies)
    assert lowest_copy > highest_independent, (lowest_copy, highest_independent)
    ranked = [frozenset((p.a, p.b)) for p in analysis.comparison.ranking.pairs]
    assert set(ranked[:len(copies)]) == copies


def test_per_exercise_every_copy_pair_ranks_above_every_independent_pair(generated_class, analysis):
    copies = generated_class.copy_pairs()
    per_unit = analysis.comparison.ranking.per_unit
    for exercise in generated.JUDGED:
        scores = {frozenset((p.a, p.b)): next(u for u in p.units if u.unit == exercise) for p in per_unit[exercise]}
        copy_scores = [scores[c].score for c in copies if c in scores]
        independent = [s.score for k, s in scores.items() if k not in copies]
        # a copy's exercise is judged unless both sides are too short (a one-line torch answer)
        assert len(copy_scores) >= 12, exercise
        assert min(copy_scores) > max(independent, default=0.0), exercise
    summaries = {u.unit: u for u in analysis.comparison.ranking.units}
    for short in ("relu", "sigmoid_grad"):                   # below the minimum length: never judged
        assert summaries[short].judged == 0 and summaries[short].short == summaries[short].writers
        assert not per_unit.get(short)


def test_only_the_copy_pairs_are_flagged(generated_class, analysis):
    flagged = {frozenset((p.a, p.b)) for p in analysis.comparison.ranking.pairs if p.flagged}
    assert flagged == generated_class.copy_pairs()
    assert analysis.comparison.ranking.flagged == len(flagged)


@pytest.mark.parametrize("disguise", generated.DISGUISES)
def test_each_disguise_alone_or_combined_keeps_a_copy_near_its_original(generated_class, analysis, disguise):
    pairs = _pairs(analysis)
    with_it = [(original, copy) for original, copy, used in generated_class.copies if disguise in used]
    assert with_it
    for original, copy in with_it:
        pair = pairs[frozenset((original, copy))]
        assert pair.score >= 0.95, (disguise, original, copy, pair.score)
        assert all(u.score >= 0.95 for u in pair.units if u.state == JUDGED and u.unit != OTHER)


def test_starter_only_and_one_line_answers_are_not_flagged(analysis):
    pairs = analysis.comparison.ranking.pairs
    for student in STARTER_ONLY + [ONE_LINER]:
        assert not [p for p in pairs if student in (p.a, p.b) and p.flagged]
        record = next(r for r in analysis.comparison.compared if r.student == student)
        index = analysis.comparison.index
        row = index.students.index(student)
        judged = (index.tokens[row] >= EVERYTHING.min_tokens) & (index.kept[row] >= EVERYTHING.min_prints)
        assert not judged.any(), (student, record.units.keys())
    # the starter's pairs share nothing that counts: no pair between them at all
    assert not [p for p in pairs if {p.a, p.b} <= set(STARTER_ONLY + [ONE_LINER])]


# ------------------------------------------------------------------------------- normalisation

def _tokens(source: str, exercises=frozenset({"f"})) -> dict[str, list[str]]:
    split = split_units([{"name": "m", "filename": "m.py", "source": source}], exercises)
    names = Names(split.aliases, split.helpers, exercises)
    out = {}
    for name, unit in split.units.items():
        groups = [rewrite(ast.Module(body=stmt.body if name != OTHER else [stmt], type_ignores=[])).body
                  for _, stmt in unit.statements]
        out[name] = unit_tokens(groups, names)[0]
    return out


SAME = [
    ("renamed", "def f(x):\n    total = x * 2\n    return total + 1\n",
     "def f(x):\n    acc_ = x * 2\n    return acc_ + 1\n"),
    ("augmented", "def f(x):\n    s = x\n    s += 3 * x\n    return s\n",
     "def f(x):\n    s = x\n    s = s + 3 * x\n    return s\n"),
    ("loop as comprehension", "def f(xs):\n    out = []\n    for v in xs:\n        if v > 0:\n            out.append(v * 2)\n    return out\n",
     "def f(xs):\n    return [v * 2 for v in xs if 0 < v]\n"),
    ("loop as sum", "def f(xs):\n    t = 0.0\n    for a in xs:\n        for b in a:\n            t += b * b\n    return t\n",
     "def f(xs):\n    return sum(b * b for a in xs for b in a)\n"),
    ("comments, docstring, print, annotations",
     "def f(x):\n    y = x ** 2\n    return y - 1\n",
     "def f(x: float) -> float:\n    '''Square minus one.'''\n    # square it\n    y: float = x ** 2  # here\n    print('debug', y)\n    pass\n    return y - 1\n"),
    ("import alias", "import numpy as np\ndef f(x):\n    return np.exp(x) / np.sum(np.exp(x))\n",
     "import numpy\nfrom numpy import exp\ndef f(x):\n    return exp(x) / numpy.sum(numpy.exp(x))\n"),
    ("keyword order and operand order", "import numpy as np\ndef f(x, w):\n    return np.sum(x * w + 1, axis=0, keepdims=True)\n",
     "import numpy as np\ndef f(x, w):\n    return np.sum(1 + w * x, keepdims=True, axis=0)\n"),
    ("whitespace", "def f(x):\n    return (x+1)*(x-1)\n", "def f( x ):\n\treturn (\n\t\tx + 1\n\t) * ( x - 1 )\n"),
    ("helper renamed", "def helper(a):\n    return a + 1\ndef f(x):\n    return helper(x) * 2\n",
     "def _h2(q):\n    return q + 1\ndef f(x):\n    return _h2(x) * 2\n"),
]


@pytest.mark.parametrize("what,first,second", SAME, ids=[s[0] for s in SAME])
def test_disguises_normalise_to_the_same_tokens(what, first, second):
    assert _tokens(first) == _tokens(second)


DIFFERENT = [
    ("subtraction is not commutative", "def f(x):\n    return x - 1\n", "def f(x):\n    return 1 - x\n"),
    ("another function", "import numpy as np\ndef f(x):\n    return np.max(x)\n",
     "import numpy as np\ndef f(x):\n    return np.min(x)\n"),
    ("another constant", "def f(x):\n    return x * 0.5\n", "def f(x):\n    return x * 2.0\n"),
    ("another axis keyword", "import numpy as np\ndef f(x):\n    return np.sum(x, axis=0)\n",
     "import numpy as np\ndef f(x):\n    return np.sum(x, out=0)\n"),
]


@pytest.mark.parametrize("what,first,second", DIFFERENT, ids=[s[0] for s in DIFFERENT])
def test_different_code_stays_different(what, first, second):
    assert _tokens(first) != _tokens(second)


def test_a_builtin_the_student_assigns_is_a_variable():
    assert "b:max" in _tokens("def f(x):\n    return max(x)\n")["f"]
    assert "b:max" not in _tokens("def f(x):\n    max = x + 1\n    return max * 2\n")["f"]


# -------------------------------------------------------------------------------- winnowing

def test_winnowing_finds_every_match_of_the_guaranteed_length():
    rng = np.random.default_rng(3)
    k, window = 5, 4
    for trial in range(200):
        shared = [f"t{v}" for v in rng.integers(0, 40, size=window + k - 1)]
        a = [f"a{v}" for v in rng.integers(0, 40, size=int(rng.integers(0, 30)))] + shared
        b = shared + [f"b{v}" for v in rng.integers(0, 40, size=int(rng.integers(0, 30)))]
        a += [f"a{v}" for v in rng.integers(0, 40, size=int(rng.integers(0, 30)))]
        assert set(fingerprints(a, k, window)[0]) & set(fingerprints(b, k, window)[0]), trial


def test_winnowing_selects_one_minimum_per_window():
    hashes = kgram_hashes([f"t{i}" for i in range(60)], 5)
    chosen = winnow(hashes, 4)
    assert (np.diff(chosen) > 0).all()
    for start in range(len(hashes) - 3):  # every window holds a selected position: its minimum
        inside = [p for p in chosen if start <= p < start + 4]
        assert inside and hashes[start:start + 4].min() in hashes[inside]


def test_fingerprints_are_the_same_in_every_process():
    code = ("import sys; sys.path.insert(0, %r)\n"
            "from grader.similarity.winnow import fingerprints\n"
            "print(list(fingerprints(['Call', 'm:numpy.exp', 'V', 'Return', 'Div', 'V', 'V'], 3, 2)[0]))") % str(ROOT)
    seen = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")}
    assert len(seen) == 1 and seen.pop().startswith("[")


# ---------------------------------------------------------------------------- stored records

def test_records_round_trip_as_json_and_codec_and_rank_the_same(generated_class, analysis):
    from grader import codec

    records = analysis.comparison.compared + analysis.comparison.skipped
    as_json = [FingerprintRecord.from_tree(json.loads(json.dumps(r.to_tree()))) for r in records]
    as_codec = [FingerprintRecord.from_tree(codec.decode(codec.encode(r.to_tree()))) for r in records]
    base = base_material(EXERCISE_SET, (), True, [], Method())
    for restored in (as_json, as_codec):
        again = rank_records(restored, base, EVERYTHING)
        assert [(p.a, p.b, round(p.score, 9)) for p in again.ranking.pairs] == \
               [(p.a, p.b, round(p.score, 9)) for p in analysis.comparison.ranking.pairs]


def test_a_record_of_another_method_is_skipped_and_a_broken_one_refused(analysis):
    records = list(analysis.comparison.compared)
    old = records[0]
    records[0] = FingerprintRecord(old.student, Method(k=7), old.units, old.modules)
    result = rank_records(records, analysis.comparison.base, EVERYTHING)
    assert [r.student for r in result.skipped] == [old.student]
    assert old.student not in {s for p in result.ranking.pairs for s in (p.a, p.b)}
    tree = old.to_tree()
    for broken in ({**tree, "version": 99}, {**tree, "units": [{"name": "f", "tokens": "many"}]},
                   {**tree, "units": [{**tree["units"][0], "spans": [[1, 2, 3]] * 999}]}, [], None):
        with pytest.raises(RecordError):
            FingerprintRecord.from_tree(broken)


# --------------------------------------------------------------------------- the real command

class _StrictHTML(HTMLParser):
    """Well-nested tags, no script, no event handler, nothing fetched from elsewhere."""

    VOID = {"meta", "br", "hr", "img", "link", "input", "col", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.doctype = False
        self.text: list[str] = []

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl.lower() == "doctype html"

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.problems.append("a script element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"an event handler {name}")
            if name in ("href", "src") and value and ("//" in value or value.startswith(("javascript:", "data:"))):
                self.problems.append(f"an external reference {value}")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def check_page(path: Path) -> str:
    parser = _StrictHTML()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    assert parser.doctype, path
    assert not parser.problems, (path, parser.problems[:5])
    assert not parser.stack, (path, parser.stack)
    page = path.read_text(encoding="utf-8")
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    return "".join(parser.text)


def test_the_command_writes_a_ranked_report_in_both_languages(generated_class, tmp_path):
    out = tmp_path / "report"
    proc = grader("similarity", str(generated_class.folder), "-o", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "15 flagged" in proc.stdout and "never changes a grade" in proc.stdout
    data = json.loads((out / "similarity.json").read_text(encoding="utf-8"))
    flagged = {frozenset((p["a"], p["b"])) for p in data["pairs"] if p["flagged"]}
    assert flagged == generated_class.copy_pairs()
    index_text = check_page(out / "index.html")
    assert "c000" in index_text and "Pairs ranked by overall similarity" in index_text
    pages = sorted((out / "pairs").glob("*.html"))
    assert len(pages) >= 15
    for page in pages:
        check_page(page)
    first = (out / "pairs" / "0001.html").read_text(encoding="utf-8")
    assert 'class="m0"' in first                        # matching regions highlighted

    zh = grader("--lang", "zh", "similarity", str(generated_class.folder), "-o", str(tmp_path / "zh"))
    assert zh.returncode == 0, zh.stderr
    assert "已比较" in zh.stdout and "从不改变任何成绩" in zh.stdout
    assert "按总体相似度排序的配对" in (tmp_path / "zh" / "index.html").read_text(encoding="utf-8")


def test_options_select_exercises_and_an_unknown_one_is_a_usage_error(generated_class, tmp_path):
    proc = grader("similarity", str(generated_class.folder), "-o", str(tmp_path / "o"), "-e", "softmax",
                  "--threshold", "0.99", "--unit-threshold", "0.99")
    assert proc.returncode == 0, proc.stderr
    data = json.loads((tmp_path / "o" / "similarity.json").read_text(encoding="utf-8"))
    assert {u["unit"] for u in data["units"]} == {"softmax"}
    assert all(u["unit"] == "softmax" for p in data["pairs"] for u in p["units"])
    bad = grader("similarity", str(generated_class.folder), "-e", "no_such_exercise")
    assert bad.returncode == 2 and "no_such_exercise" in bad.stderr
    for not_a_class in ("/dev/null", str(generated_class.folder / "s0000.py"), str(tmp_path / "missing")):
        proc = grader("similarity", not_a_class, "-o", str(tmp_path / "x"))
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr


def test_a_handout_every_student_kept_is_discounted(tmp_path):
    handout = ("import numpy as np\n\n"
               "def numerical_gradient(f, x, h=1e-6):\n"
               "    grad = np.zeros_like(x)\n"
               "    for i in range(x.size):\n"
               "        old = x.flat[i]\n"
               "        x.flat[i] = old + h\n"
               "        up = f(x)\n"
               "        x.flat[i] = old - h\n"
               "        down = f(x)\n"
               "        x.flat[i] = old\n"
               "        grad.flat[i] = (up - down) / (2 * h)\n"
               "    return grad\n")
    answers = ["    return np.exp(-np.logaddexp(0, -np.asarray(x, dtype=float)))\n",
               "    x = np.asarray(x, dtype=float)\n    e = np.exp(-np.abs(x))\n    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))\n",
               "    out = []\n    for v in np.ravel(x):\n        out.append(0.5 * (1 + np.tanh(v / 2)))\n    return np.array(out).reshape(np.shape(x))\n"]
    folder = tmp_path / "class"
    folder.mkdir()
    for name, answer in zip(("ann", "ben", "cat"), answers, strict=True):
        (folder / f"{name}.py").write_text(handout + "\n\ndef sigmoid(x):\n" + answer, encoding="utf-8")
    (tmp_path / "handout.py").write_text(handout, encoding="utf-8")
    without = grader("similarity", str(folder), "-o", str(tmp_path / "without"))
    with_it = grader("similarity", str(folder), "-o", str(tmp_path / "with"), "--starter", str(tmp_path / "handout.py"))
    assert without.returncode == with_it.returncode == 0, without.stderr + with_it.stderr
    flagged = lambda out: [p for p in json.loads((out / "similarity.json").read_text())["pairs"] if p["flagged"]]  # noqa: E731
    assert len(flagged(tmp_path / "without")) == 3       # the shared helper alone makes them alike
    assert flagged(tmp_path / "with") == []
    assert "handout.py" in (tmp_path / "with" / "index.html").read_text(encoding="utf-8")


def test_a_fragment_most_of_the_class_has_is_not_evidence(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    standard = ("import numpy as np\ndef softmax(z):\n    z = np.asarray(z, dtype=float)\n"
                "    e = np.exp(z - np.max(z, axis=-1, keepdims=True))\n"
                "    return e / np.sum(e, axis=-1, keepdims=True)\n")
    for k in range(12):
        (folder / f"s{k:02d}.py").write_text(standard, encoding="utf-8")
    result = analyse_class(folder, EXERCISE_SET, options=EVERYTHING)
    assert result.comparison.ranking.flagged == 0
    softmax = next(u for u in result.comparison.ranking.units if u.unit == "softmax")
    assert softmax.writers == 12 and softmax.judged == 0 and softmax.common > 0
    assert result.comparison.ranking.candidates == 0     # the index lists no pair for common keys


HOSTILE_NAME = "<img src=x onerror=alert(1)>"
INJECTION = 'note = "</pre></div><script>alert(document.cookie)</script>"  # <script>alert(2)</script>'


BIDI_NAME = "eve\u202egnp"


@pytest.fixture(scope="module")
def hostile_report(generated_class, tmp_path_factory):
    """The generated class plus every kind of hostile entry, through the real command."""
    root = tmp_path_factory.mktemp("hostile")
    folder = root / "hostile"
    shutil.copytree(generated_class.folder, folder)
    original = (folder / "s0000.py").read_text(encoding="utf-8")
    # a copy with an injection in a string and a comment, under a hostile name
    lines = original.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("def softmax"))
    body = lines[at + 1]
    lines.insert(at + 1, body[:len(body) - len(body.lstrip())] + INJECTION)
    (folder / f"{HOSTILE_NAME}.py").write_text("\n".join(lines), encoding="utf-8")
    # a copy of s0001 with a syntax error in one function: the rest is still compared
    broken = (folder / "s0001.py").read_text(encoding="utf-8").replace("def relu(x):", "def relu(x) oops:")
    (folder / "broken_copy.py").write_text(broken, encoding="utf-8")
    (folder / f"{BIDI_NAME}.py").write_bytes(b"\x00\x01\x02import numpy\x00")           # binary
    (folder / "latin1.py").write_bytes("# caf\xe9\ndef relu(x):\n    return x\n".encode("latin-1"))
    (folder / "huge.py").write_text("x = 1\n" * 400_000, encoding="utf-8")               # > 2 MiB
    (folder / "nested.py").write_text("def softmax(z):\n    return " + "1 + " * 30_000 + "1\n", encoding="utf-8")
    many = "".join(f"def helper_{k}(a, b):\n    c = a * {k} + b\n    return c - {k}\n\n" for k in range(3_000))
    (folder / "many.py").write_text(many, encoding="utf-8")                               # more tokens than a unit keeps
    (folder / "empty.py").write_text("", encoding="utf-8")
    (folder / "truncated.ipynb").write_text('{"cells": [{"cell_type": "code", "source": "def relu(x', encoding="utf-8")
    (folder / "dup.py").write_text("def relu(x):\n    return x\n", encoding="utf-8")
    (folder / "dup").mkdir()
    (folder / "dup" / "a.py").write_text("def relu(x):\n    return x\n", encoding="utf-8")
    (folder / "README.txt").write_text("not a submission", encoding="utf-8")
    out = root / "out"
    return out, grader("similarity", str(folder), "-o", str(out), timeout=600)


def test_hostile_inputs_get_a_clear_result_and_nothing_crashes(hostile_report):
    out, proc = hostile_report
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    # no bidi override on the terminal: the file name's label shows it as an escape (grader.submission.names)
    assert "\u202e" not in proc.stdout and "eve\\u202egnp" in proc.stdout
    data = json.loads((out / "similarity.json").read_text(encoding="utf-8"))
    reasons = {item["student"]: item for item in data["not_compared"]}
    from grader.submission.names import label

    assert reasons[label(BIDI_NAME)]["facts"]["reason_code"] == "unreadable.binary"
    assert reasons["latin1"]["facts"]["reason_code"] == "unreadable.not_utf8_source"
    assert reasons["huge"]["facts"]["reason_code"] == "unreadable.too_large"
    assert reasons["empty"]["code"] == "submission_empty"
    assert reasons["truncated"]["facts"]["reason_code"] == "unreadable.not_json"
    assert reasons["dup"]["code"] == "submission_ambiguous"
    notes = {(n["student"], n["code"]) for n in data["notes"]}
    assert ("broken_copy", "similarity.syntax_error") in notes
    assert ("nested", "similarity.too_complex") in notes
    assert ("many", "similarity.truncated") in notes
    flagged = {frozenset((p["a"], p["b"])) for p in data["pairs"] if p["flagged"]}
    assert frozenset((HOSTILE_NAME, "s0000")) in flagged   # the injected copy is still a copy
    assert frozenset(("broken_copy", "s0001")) in flagged  # a syntax error elsewhere hides nothing


def test_the_hostile_report_is_valid_html_that_shows_code_as_text(hostile_report):
    out, _ = hostile_report
    index = (out / "index.html").read_text(encoding="utf-8")
    check_page(out / "index.html")
    assert HOSTILE_NAME not in index and "&lt;img src=x onerror=alert(1)&gt;" in index
    assert "\u202e" not in index and "eve\\u202egnp" in index and "README.txt" in index
    injected = []
    for page in (out / "pairs").glob("*.html"):
        text = check_page(page)
        html = page.read_text(encoding="utf-8")
        assert "<script" not in html and HOSTILE_NAME not in html
        if "alert(document.cookie)" in text:
            injected.append(page)
            assert "&lt;/pre&gt;&lt;/div&gt;&lt;script&gt;" in html
    assert injected                                        # the injected line is shown, as text


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_a_browser_shows_the_injected_script_as_text_and_runs_nothing(hostile_report, tmp_path):
    out, _ = hostile_report
    page = next(p for p in (out / "pairs").glob("*.html") if "alert(document.cookie)" in p.read_text(encoding="utf-8"))
    proc = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           "--disable-background-networking", "--disable-dev-shm-usage",
                           f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
                          capture_output=True, text=True, timeout=120)
    dom = proc.stdout
    assert "alert(document.cookie)" in dom, proc.stderr[-2000:]
    assert "<script" not in dom                             # parsed as text, so no element exists
    assert "&lt;script&gt;alert(document.cookie)&lt;/script&gt;" in dom


def test_fingerprinting_a_hostile_module_directly_never_raises():
    sources = ["def f(:\n", "\0", "x = (" * 300 + ")" * 300, "def relu(x):\n    return " + "-" * 50_000 + "x\n",
               "class A:\n    def relu(self):\n        return 1\n", "@decorator\ndef relu(x):\n    return x\nelse:\n"]
    for source in sources:
        record = fingerprint("s", [{"name": "m", "filename": "m.py", "source": source}], frozenset({"relu"}))
        assert isinstance(record.to_tree(), dict)
