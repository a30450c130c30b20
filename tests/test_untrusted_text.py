"""Student text is data in every place it goes (issue 11, "Injection into what people read").

A submission prints, raises, returns dict keys and is named with strings built to attack each
sink: CI workflow commands, terminal escapes and CR, a Markdown fence and a forged score heading,
raw HTML, spreadsheet formulas, lone surrogates, NUL, form feed, U+2028 and a bidi override. The
real commands (`grader check` in every format under GitHub Actions, `grader grade`, `grader
export`) must produce documents that parse, lines that start no workflow command but the
grader's own, fences that hold, no element or attribute the student wrote, no formula cell, no
ESC byte, and still show the student's text to the teacher. The same is checked on a result
object with the strings injected directly (defence in depth: the sinks do not count on the
worker→grader ingress having cleaned anything), and each rule of `grader/report/untrusted.py`
on its own, for any text Hypothesis draws.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support import ROOT

#: every attack at once, one per line, as a student would print or raise it
ATTACKS = [
    "::error::forged",
    "::add-mask::x",
    "::stop-commands::tok",
    "  ::warning file=x.py::indented",
    "::set-output name=score::160",
    "##[error]legacy ##vso[task.setvariable variable=x]1",
    "\x1b[2J\x1b[1A\r✓ All exercises passed. 🎉",
    "   ```",
    "# Score: 160 / 160",
    "~~~",
    "<img src=x onerror=alert(1)><script>alert(2)</script>",
    "[click](javascript:alert(3)) ![x](http://tracker/x.png)",
    '=HYPERLINK("http://x","y")',
    "+1",
    "@SUM(1)",
    "-2+3",
    "NUL \x00 form feed \x0c line sep \u2028 bidi \u202etxet\u202c C1 \x9b31m",
]
SURROGATE = "lone \ud800 surrogate"
PAYLOAD = "\n".join(ATTACKS + [SURROGATE])
#: what a teacher must still be able to read, whatever the sink did to make it inert
VISIBLE = ["::error::forged", "::add-mask::x", "# Score: 160 / 160", "onerror=alert(1)",
           "<script>alert(2)</script>", '=HYPERLINK("http://x","y")', "@SUM(1)", "-2+3",
           "✓ All exercises passed"]

EVIL = f'''
import sys
import numpy as np

PAYLOAD = {PAYLOAD!r}
print(PAYLOAD)
print(PAYLOAD, file=sys.stderr)


def sigmoid(x):
    raise ValueError(PAYLOAD)


def relu(x):
    return {{PAYLOAD: 1.0}}
'''

#: whitespace the GitHub runner's TrimStart() removes before looking for `::` (.NET's
#: char.IsWhiteSpace); Python's str.isspace() holds all of them
DOTNET_SPACE = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
#: a line that is one of the grader's own annotations: `::error|warning props::message`
OWN_ANNOTATION = re.compile(r"::(error|warning) (file=[^,:]*,(line=\d+,)?)?title=[^,:]*::[^\r\n]*")
#: characters no output may hold raw: what a terminal acts on, bidi controls, separators
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
                    "\ud800-\udfff]")


def grader(*args: str, env: dict | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, cwd=cwd,
                          env={**os.environ, **(env or {})}, timeout=300)


def decoded(data: bytes) -> str:
    """Output bytes as text: strictly UTF-8 (a report that is not is already a failure)."""
    return data.decode("utf-8")


def workflow_commands(output: str) -> list[str]:
    """The lines a GitHub runner would take as commands: `::name …::` after leading white
    space (ActionCommand.TryParseV2) or `##[` anywhere in the line (the older TryParse)."""
    found = []
    for line in re.split(r"\r\n|\r|\n", output):
        stripped = line.lstrip(DOTNET_SPACE)
        if (stripped.startswith("::") and "::" in stripped[2:]) or "##[" in line:
            found.append(line)
    return found


def assert_ci_log_safe(output: str, submission: str | None = None) -> None:
    for line in workflow_commands(output):
        assert OWN_ANNOTATION.fullmatch(line), f"a line of the log starts a workflow command: {line!r}"
        if submission is not None and "file=" in line:
            file = line.split("file=")[1].split(",")[0]
            assert unescape_property(file) == os.path.normpath(submission)
    assert "##vso[" not in output


def unescape_property(value: str) -> str:
    for code, char in (("%3A", ":"), ("%2C", ","), ("%0D", "\r"), ("%0A", "\n"), ("%25", "%")):
        value = value.replace(code, char)
    return value


def assert_no_raw_controls(output: str) -> None:
    unsafe = UNSAFE.findall(output)
    assert not unsafe, f"raw control characters in the output: {sorted(set(unsafe))!r}"


def assert_terminal_safe(output: str) -> None:
    """No character a terminal acts on, no surrogate, and no line of the student's that looks
    like one of the grader's (the submission passes nothing, so "All exercises passed" and a
    full score can only be forged)."""
    assert_no_raw_controls(output)
    for line in output.split("\n"):
        stripped = line.strip()
        assert not stripped.startswith(("✓ All exercises passed", "All exercises passed",
                                        "# Score", "Score: 160")), f"a forged line: {line!r}"


def assert_visible(text: str, unescaped: bool = True) -> None:
    """The student's text is still there to read (zero-width breaks aside)."""
    plain = text.replace("\u200b", "")
    for piece in VISIBLE:
        assert piece in plain, f"{piece!r} is not shown"
    assert "\\x1b[2J" in plain and "\\u202e" in plain


class Elements(HTMLParser):
    """Every element and attribute of an HTML document, and its text with the open elements."""

    VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "source", "wbr"}

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.texts: list[tuple[str, tuple[str, ...]]] = []
        self.headings: list[str] = []  # the text of each h1…h6
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)
        if re.fullmatch("h[1-6]", tag):
            self.headings.append("")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        self.texts.append((data, tuple(self.stack)))
        if any(re.fullmatch("h[1-6]", tag) for tag in self.stack):
            self.headings[-1] += data

    @property
    def tags(self) -> set[str]:
        return {tag for tag, _ in self.elements}

    @property
    def text(self) -> str:
        return "".join(data for data, _ in self.texts)

    def inside(self, tag: str) -> str:
        return "".join(data for data, stack in self.texts if tag in stack)

    def outside(self, *tags: str) -> str:
        return "".join(data for data, stack in self.texts if not set(tags) & set(stack))


def assert_no_injected_markup(page: Elements, allowed: set[str] | None = None) -> None:
    forbidden = {"script", "img", "iframe", "object", "embed", "link", "form", "input", "base"}
    assert not page.tags & forbidden, f"injected elements: {page.tags & forbidden}"
    if allowed is not None:
        assert page.tags <= allowed, f"unexpected elements: {page.tags - allowed}"
    for tag, attrs in page.elements:
        assert not any(name.startswith("on") for name in attrs), f"an event handler on <{tag}>: {attrs}"
        href = attrs.get("href") or attrs.get("src") or ""
        assert not href.lower().lstrip().startswith(("javascript:", "data:", "http")), href


#: what a Markdown renderer may produce from the grader's feedback and summary
MARKDOWN_TAGS = {"p", "h1", "h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "pre",
                 "code", "em", "strong", "blockquote", "ul", "li", "hr"}


def rendered_markdown(document: str) -> list[Elements]:
    """The document as two renderers show it: CommonMark with GFM tables (markdown-it-py, as
    GitHub does) and Python-Markdown with fenced code; raw HTML is enabled in both."""
    import markdown
    from markdown_it import MarkdownIt

    commonmark = MarkdownIt("commonmark").enable("table").render(document)
    python_markdown = markdown.markdown(document, extensions=["fenced_code", "tables"])
    return [Elements(commonmark), Elements(python_markdown)]


def assert_markdown_safe(document: str, footer: str | None = None) -> None:
    """No injected element or attribute, no forged heading, the student's text shown as text,
    and every fence closed where the grader closed it (its footer is still outside them)."""
    for page in rendered_markdown(document):
        assert_no_injected_markup(page, MARKDOWN_TAGS)
        forged = [h for h in page.headings if h.strip().startswith(("Score", "# Score", "得分"))]
        assert not forged, f"a forged heading: {forged}"
        assert "# Score: 160 / 160" in page.inside("code")
        assert "<script>alert(2)</script>" in page.text  # shown, as text
        if footer is not None:
            assert footer in page.outside("pre", "code"), "a fence swallowed the rest"


# ------------------------------------------------------------------------- the real commands


@pytest.fixture(scope="module")
def evil(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("evil")
    path = folder / "homework.py"
    path.write_text(EVIL, encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "gradescope", "github"])
def test_check_in_every_format_under_github_actions(fmt, evil, tmp_path):
    summary = tmp_path / "summary.md"
    proc = grader("check", str(evil), "-e", "sigmoid", "-e", "relu", "--format", fmt,
                  env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary),
                       "GITHUB_WORKSPACE": str(tmp_path)})
    stdout, stderr = decoded(proc.stdout), decoded(proc.stderr)
    assert proc.returncode == 1, stderr
    assert "Traceback" not in stderr
    assert b"\x1b" not in proc.stdout + proc.stderr
    assert_ci_log_safe(stdout + "\n" + stderr, str(evil))
    assert len(workflow_commands(stdout + "\n" + stderr)) == 2  # sigmoid's and relu's, one line each

    if fmt == "text":
        assert_terminal_safe(stdout)
        assert_visible(stdout)
    elif fmt == "junit":
        import junitparser
        import xmlschema

        xmlschema.XMLSchema(str(ROOT / "tests" / "data" / "schemas" / "junit.xsd")).validate(stdout)
        suite = list(junitparser.JUnitXml.fromstring(stdout))[0]
        out = ElementTree.fromstring(proc.stdout).find("testsuite/system-out").text
        assert_no_raw_controls(out)  # the element is the student's output: its lines are theirs
        assert_visible(out)
        assert suite.failures >= 5  # sigmoid's four checks and relu's reference
    else:
        data = json.loads(stdout)
        texts = json.dumps(data, ensure_ascii=False)
        assert not re.search("[\ud800-\udfff]", texts)
        if fmt == "json":  # data as the student produced it, only made valid
            printed = data["stdout"]
            assert all(attack in printed for attack in ATTACKS)
            message = data["exercises"][0]["checks"][0]["message"]
            assert "::error::forged" in message and "\x1b[2J" in message
        else:  # human-read text inside JSON: made inert like a terminal's
            for text in _strings(data):
                assert_terminal_safe(text)
            assert "\\x1b[2J" in texts
    markdown = summary.read_text(encoding="utf-8")
    assert_markdown_safe(markdown)
    assert "\x1b" not in markdown


def _strings(data):
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


def test_a_submission_file_named_to_attack(tmp_path):
    """A file name with a workflow command, ESC, HTML and the annotation separators in it."""
    name = "::error::x\x1b[2J\r<img src=x onerror=alert(1)>,a:b %0A=1+1.py"
    path = tmp_path / name
    path.write_text((ROOT / "submissions" / "buggy.py").read_text(encoding="utf-8"), encoding="utf-8")
    summary = tmp_path / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    for fmt in ("text", "junit", "github"):
        proc = grader("check", str(path), "-e", "relu_grad", "--format", fmt, env=env)
        output = decoded(proc.stdout) + "\n" + decoded(proc.stderr)
        assert proc.returncode == 1 and "Traceback" not in output
        assert b"\x1b" not in proc.stdout + proc.stderr and b"\r" not in proc.stdout + proc.stderr
        assert_ci_log_safe(output)
        [annotation] = workflow_commands(output)
        file = unescape_property(annotation.split("file=")[1].split(",line=")[0])
        assert file == str(path).replace("\x1b", "\\x1b").replace("\r", "\\r")  # shown, one property
        if fmt == "text":
            assert_terminal_safe(decoded(proc.stdout))
            assert "::error::x\\x1b[2J\\r<img src=x onerror=alert(1)>" in decoded(proc.stdout)
        if fmt == "junit":
            suite = ElementTree.fromstring(proc.stdout).find("testsuite")
            assert suite.get("name").endswith("::error::x\\x1b[2J\\r<img src=x onerror=alert(1)>,a:b %0A=1+1.py")
    for page in rendered_markdown(summary.read_text(encoding="utf-8")):
        assert_no_injected_markup(page, MARKDOWN_TAGS)
        assert "<img src=x onerror=alert(1)>" in page.inside("h3")  # the title, as text


def test_a_terminal_that_cannot_encode_the_report_gets_question_marks(evil):
    proc = grader("check", str(evil), "-e", "sigmoid", env={"PYTHONIOENCODING": "gbk"})
    assert proc.returncode == 1 and b"Traceback" not in proc.stderr
    shown = proc.stdout.decode("gbk")
    assert "Self-check of" in shown and "?" in shown
    assert_terminal_safe(shown)


#: a class in which every name a student chose is an attack (where the file system allows it:
#: no `/` in a name, so the roster brings `=cmd|' /C calc'!A0` as a student who sent nothing)
HOSTILE_STUDENTS = ["=HYPERLINK(\"x.example\",\"y\")", "@SUM(1)", "-2+3", "+1", "\tTAB",
                    "\x1b[2J\r✓ all passed", "::error::student", "<img src=x onerror=alert(1)>"]
ROSTER_ONLY = "=cmd|' /C calc'!A0"
BATCH_PAYLOAD = PAYLOAD.replace(SURROGATE, "")  # see test_untrusted_result_object for surrogates


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile-class")
    subs = root / "subs"
    subs.mkdir()
    evil = EVIL.replace(repr(PAYLOAD), repr(BATCH_PAYLOAD))
    for i, student in enumerate(HOSTILE_STUDENTS):
        if i % 2:
            (subs / f"{student}.py").write_text(evil, encoding="utf-8")
        else:
            (subs / student).mkdir()
            (subs / student / "homework.py").write_text(evil, encoding="utf-8")
    (subs / "ann.py").write_text("import numpy as np\n\ndef relu(x):\n    return np.maximum(x, 0.0)\n\n"
                                 "def sigmoid(x):\n    return 0.5 * (1 + np.tanh(0.5 * np.asarray(x, float)))\n",
                                 encoding="utf-8")
    roster = root / "roster.csv"
    with roster.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name"])
        writer.writerow(["ann", "=HYPERLINK(\"http://evil\",\"Ann\")"])
        writer.writerow([ROSTER_ONLY, "@SUM(A1:A9)"])
    out = root / "out"
    proc = grader("grade", str(subs), "-o", str(out), "-e", "sigmoid", "-e", "relu", "-j", "2",
                  "--roster", str(roster), env={"GITHUB_ACTIONS": "true"})
    return out, proc


def test_grade_prints_nothing_a_terminal_or_ci_log_would_act_on(graded):
    out, proc = graded
    stdout, stderr = decoded(proc.stdout), decoded(proc.stderr)
    assert proc.returncode == 0, stderr
    assert_terminal_safe(stdout + stderr)
    assert_ci_log_safe(stdout + stderr)
    assert not workflow_commands(stdout + stderr)
    assert "\\x1b[2J\\r✓ all passed" in stdout  # the student's folder, shown


def test_no_file_of_the_batch_holds_a_raw_control_character(graded):
    out, _ = graded
    files = [p for p in out.rglob("*") if p.is_file() and p.suffix != ".sqlite"]
    assert len(files) >= 2 * (len(HOSTILE_STUDENTS) + 2) + 2
    for path in files:
        content = path.read_text(encoding="utf-8")  # strict: valid UTF-8
        unsafe = UNSAFE.findall(content.replace("\n", ""))
        assert not unsafe, f"{path.name}: {sorted(set(unsafe))!r}"


def test_grades_csv_has_no_formula_and_numbers_stay_numbers(graded):
    out, _ = graded
    raw = (out / "grades.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw), quoting=csv.QUOTE_NONNUMERIC))  # unquoted → float
    header, body = rows[0], rows[1:]
    assert len(body) == len(HOSTILE_STUDENTS) + 2
    numeric = {"sigmoid", "relu", "total", "max_score", "percent", "run", "raw_total", "late_penalty", "late_hours"}
    for row in body:
        for column, cell in zip(header, row, strict=True):
            if column in numeric:
                assert isinstance(cell, float), (column, cell)  # a number to a spreadsheet
            else:
                assert isinstance(cell, str)
                assert cell.lstrip()[:1] not in ("=", "+", "-", "@"), (column, cell)
                assert cell[:1] not in ("\t", "\r"), (column, cell)
    students = {row[0] for row in body}
    assert "'" + ROSTER_ONLY in students and "'@SUM(1)" in students and "'-2+3" in students
    # the file names' tab and ESC/CR, shown by name (grader.submission.names): no cell starts with a formula
    assert "\\tTAB" in students and "\\x1b[2J\\r✓ all passed" in students
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    assert by_id["ann"]["total"] == 9.0 and by_id["ann"]["name"] == "'=HYPERLINK(\"http://evil\",\"Ann\")"
    assert by_id["'" + ROSTER_ONLY]["name"] == "'@SUM(A1:A9)"
    assert by_id["'-2+3"]["relu"] == 1.0


def test_feedback_markdown_holds_its_fences_and_renders_no_html(graded):
    out, _ = graded
    documents = sorted((out / "feedback").glob("*.md"))
    assert len(documents) >= len(HOSTILE_STUDENTS)
    hostile = [d for d in documents if "onerror" in d.read_text(encoding="utf-8")]
    assert len(hostile) == len(HOSTILE_STUDENTS)
    for document in hostile:
        text = document.read_text(encoding="utf-8")
        assert_markdown_safe(text, footer="Graded by grader")
        assert "\\x1b[2J" in text and "::error::forged" in text.replace("\u200b", "")


def test_feedback_html_and_the_class_report_hold_no_injected_markup(graded):
    out, _ = graded
    allowed = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "table",
               "thead", "tbody", "tr", "th", "td", "code", "pre", "footer"}
    pages = [d for d in (out / "feedback").glob("*.html") if "onerror" in d.read_text(encoding="utf-8")]
    assert len(pages) == len(HOSTILE_STUDENTS)
    for path in pages:
        page = Elements(path.read_text(encoding="utf-8"))
        assert_no_injected_markup(page, allowed)
        assert "<script>alert(2)</script>" in page.inside("pre") and "# Score: 160 / 160" in page.inside("pre")
        assert "\\x1b[2J" in page.text
    report = Elements((out / "report.html").read_text(encoding="utf-8"))
    assert_no_injected_markup(report)
    assert {"svg", "a"} <= report.tags
    for student in HOSTILE_STUDENTS + [ROSTER_ONLY]:
        shown = student.replace("\x1b", "\\x1b").replace("\r", "\\r").replace("\t", "\\t")
        assert shown in report.text, student
    links = [attrs["href"] for tag, attrs in report.elements if tag == "a"]
    assert links and all(link.startswith(("feedback/", "similarity/")) for link in links)


def test_export_to_the_terminal(graded):
    out, _ = graded
    table = grader("export", str(out))
    assert table.returncode == 0
    assert_terminal_safe(decoded(table.stdout))
    data = grader("export", str(out), "--format", "json")
    assert data.returncode == 0 and b"\x1b" not in data.stdout
    students = {s["student"] for s in json.loads(data.stdout)["students"]}
    # the id is the file name's clean label (grader.submission.names), kept by JSON as it is
    assert "\\x1b[2J\\r✓ all passed" in students


# ------------------------------------------------------ a result with the strings put in directly


def poisoned_result():
    """A result whose every string a student could reach holds the payload, surrogates and all."""
    from grader.result import CheckResult, ExerciseResult, SubmissionResult

    raised = CheckResult(name="reference", kind="reference", status="failed", score=0.0, max_score=2.0,
                         code="raised", facts={"type": PAYLOAD, "message": PAYLOAD, "file": PAYLOAD, "line": 3},
                         counterexample={"function": "sigmoid", "input": {"x": 0.0}, "expected": 0.5,
                                         "actual": PAYLOAD})
    keys = CheckResult(name="edge_cases", kind="edge_cases", status="failed", score=0.0, max_score=1.0,
                       code="missing_key", facts={"key": PAYLOAD, "keys": PAYLOAD, "path": f"[{PAYLOAD!r}]"},
                       counterexample={"function": "sigmoid", "input": {"x": 1.0}, "expected": {"W": 1.0},
                                       "actual": {PAYLOAD: 1.0}})
    sigmoid = ExerciseResult(id="sigmoid", title={"en": "Sigmoid"}, chapter=3, status="failed", score=0.0,
                             max_score=3.0, checks=[raised, keys], location={"module": PAYLOAD, "line": 7})
    broken = ExerciseResult(id="relu", title={"en": "ReLU"}, chapter=3, status="error", score=0.0,
                            max_score=4.0, code="import_error",
                            facts={"type": PAYLOAD, "message": PAYLOAD, "file": PAYLOAD, "line": 2})
    return SubmissionResult(submission=f"/class/{PAYLOAD}/homework.py", exercises=[sigmoid, broken],
                            stdout=PAYLOAD, stderr=PAYLOAD,
                            notes=[{"code": "jupyter.not_exercise", "facts": {"name": PAYLOAD}}])


def passing(result):
    """The same result with every check passed: what a student had before breaking it."""
    import dataclasses

    return dataclasses.replace(result, exercises=[
        dataclasses.replace(ex, status="passed", code="", score=ex.max_score,
                            checks=[dataclasses.replace(c, status="passed", code="", score=c.max_score)
                                    for c in ex.checks]) for ex in result.exercises])


def test_untrusted_result_object_in_every_reporter(monkeypatch):
    import click

    from grader.messages import text as message
    from grader.report import reporter
    from grader.report.feedback import render_html, render_markdown
    from grader.report.github import annotations, render_summary
    from grader.report.notebook_html import render_html as notebook_html
    from grader.watch import broken_lines, diff_lines

    monkeypatch.setattr(click, "style", lambda shown, **_: shown)  # any ESC left is the student's
    result = poisoned_result()
    text = reporter("text")(result, "en")
    assert_terminal_safe(text)
    assert_ci_log_safe(text)
    assert not workflow_commands(text)
    assert_visible(text)

    for fmt in ("json", "gradescope", "github"):
        document = reporter(fmt)(result, "en")
        document.encode("utf-8")  # strict: no surrogate left
        assert not UNSAFE.search(document.replace("\n", "")) and "##[" not in document
        data = json.loads(document)
        if fmt == "json":  # the same values, surrogates replaced
            assert data["stdout"] == PAYLOAD.replace("\ud800", "\ufffd")
            assert data["exercises"][0]["location"]["module"] == PAYLOAD.replace("\ud800", "\ufffd")

    junit = reporter("junit")(result, "zh")
    root = ElementTree.fromstring(junit.encode("utf-8"))
    assert_ci_log_safe(junit)
    assert_visible(root.find("testsuite/system-out").text)

    for lang in ("en", "zh"):
        lines = annotations(result, lang)
        assert len(lines) == 2 and all("\n" not in line for line in lines)
        assert_ci_log_safe("\n".join(lines))
        assert_markdown_safe(render_summary(result, lang))

        markdown = render_markdown(result, lang, student=PAYLOAD)
        assert_markdown_safe(markdown, footer=message("feedback.graded", lang).split("{")[0].strip())
        assert not UNSAFE.search(markdown.replace("\n", ""))
        page = Elements(render_html(result, lang, student=PAYLOAD))
        assert_no_injected_markup(page)
        assert_visible(page.text)
        notebook = Elements(notebook_html(result, lang, [PAYLOAD], ["sigmoid"]))
        assert_no_injected_markup(notebook, {"div", "span", "b", "table", "tr", "th", "td", "details",
                                             "summary", "pre"})
        assert "<script>alert(2)</script>" in notebook.text

    shown = "\n".join(diff_lines(passing(poisoned_result()), result, "en") + broken_lines(result, "en"))
    assert "sigmoid" in shown
    assert_terminal_safe(shown)
    assert not workflow_commands(shown)


def test_a_class_report_of_untrusted_names_and_problems():
    from grader.batch.class_report import ClassData, Problem, render_class_report

    data = ClassData(students=[{"student": PAYLOAD, "name": PAYLOAD, "on_roster": True, "score": 1.0,
                                "max": 4.0, "status": "graded", "seconds": 1.0}],
                     exercises=["relu"], problems=[Problem(PAYLOAD, "error", ["relu"], PAYLOAD)])
    page = render_class_report(data, "en", PAYLOAD)
    page.encode("utf-8")
    parsed = Elements(page)
    assert_no_injected_markup(parsed)
    assert_visible(parsed.inside("td"))


def test_batch_progress_lines_show_the_student_id_inertly(capsys):
    from grader.batch.progress import Progress

    progress = Progress(1, "en", live=False)
    progress.update(PAYLOAD, poisoned_result())
    printed = capsys.readouterr().out
    assert_terminal_safe(printed)
    assert not workflow_commands(printed)
    assert printed.count("\n") == 1 and "\\x1b[2J" in printed


def test_notebook_text_report_notes(monkeypatch):
    import click

    from grader.interactive import CheckReport

    monkeypatch.setattr(click, "style", lambda shown, **_: shown)
    report = CheckReport(poisoned_result(), "en", [{"code": "jupyter.not_exercise", "facts": {"name": PAYLOAD}}],
                         ["sigmoid"])
    assert_terminal_safe(report.text())


# ------------------------------------------------------------------- each rule, for any text

ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=60) | \
    st.lists(st.sampled_from(ATTACKS + [SURROGATE, "`", "```", "    ", "\n", "\r\n", "\\", "|", "*",
                                        "_", "[", "](", "&lt;", "&#60;", "<", "!", "1."]), max_size=8).map("".join)


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_text_rules_leave_nothing_a_terminal_or_runner_acts_on(value):
    from grader.report.untrusted import text_block, text_line

    line = text_line(value)
    assert "\n" not in line and not UNSAFE.search(line)
    assert not workflow_commands(line) and not workflow_commands("  " + line)
    block = text_block(value)
    assert not UNSAFE.search(block.replace("\n", "")) and not workflow_commands(block)
    assert block.replace("\u200b", "").count("\n") == value.replace("\r\n", "\n").count("\n")


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_a_markdown_block_is_one_fence_whose_content_is_the_text(value):
    from markdown_it import MarkdownIt

    from grader.report.untrusted import markdown_block, visible

    tokens = MarkdownIt("commonmark").parse("intro\n\n" + markdown_block(value) + "\n\n# after\n")
    kinds = [t.type for t in tokens]
    assert kinds.count("fence") == 1 and kinds[-3:] == ["heading_open", "inline", "heading_close"]
    [fence] = [t for t in tokens if t.type == "fence"]
    assert fence.content == visible(value) + "\n"


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_inline_markdown_stays_one_paragraph_of_text(value):
    from markdown_it import MarkdownIt

    from grader.report.untrusted import markdown_inline

    shown = markdown_inline(value)
    assert "\n" not in shown
    tokens = MarkdownIt("commonmark").enable("table").parse(shown + "\n")
    assert [t.type for t in tokens] in ([], ["paragraph_open", "inline", "paragraph_close"])
    children = [c.type for t in tokens for c in (t.children or [])]
    assert not {"html_inline", "link_open", "image"} & set(children)
    table_row = MarkdownIt("commonmark").enable("table").parse(f"| a | b |\n|---|---|\n| {shown} | x |\n")
    assert sum(t.type == "td_open" for t in table_row) == 2  # `|` cannot add a cell
    import markdown

    assert Elements(markdown.markdown(shown)).tags <= {"p", "code"}  # and so for Python-Markdown


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_xml_json_and_html_rules_give_valid_documents(value):
    from grader.report.untrusted import html, json_dumps, scrub, xml

    element = ElementTree.Element("case", {"message": xml(value)})
    element.text = xml(value)
    ElementTree.fromstring(ElementTree.tostring(element, encoding="unicode").encode("utf-8"))
    document = json_dumps({value: [value]}, indent=2)
    assert json.loads(document.encode("utf-8")) == {scrub(value): [scrub(value)]}
    assert "##[" not in document and not UNSAFE.search(document.replace("\n", ""))
    page = Elements(f"<p title=\"{html(value)}\">{html(value)}</p>")
    assert page.tags == {"p"}


@settings(max_examples=300, deadline=None)
@given(st.one_of(ANY_TEXT, st.integers(), st.floats(allow_nan=False)))
def test_csv_cells_never_start_a_formula_and_numbers_stay(value):
    from grader.report.untrusted import csv_cell

    cell = csv_cell(value)
    if isinstance(value, (int, float)):
        assert cell == value
        return
    assert cell.lstrip()[:1] not in ("=", "+", "-", "@") and cell[:1] not in ("\t", "\r")
    assert "\n" not in cell and not UNSAFE.search(cell)


def test_the_grader_s_own_sentences_read_the_same_in_markdown():
    """Escaping is for the student's text: a catalogue sentence, code spans and all
    (`if __name__ == "__main__":`), renders to the same words as without it."""
    from markdown_it import MarkdownIt

    from grader.messages import CATALOGUE, text
    from grader.report.untrusted import markdown_inline

    parser = MarkdownIt("commonmark")

    def words(source: str) -> str:
        return "".join(child.content for token in parser.parseInline(source)
                       for child in token.children or [] if child.type in ("text", "code_inline"))

    for lang in ("en", "zh"):
        for code in CATALOGUE:
            if code.startswith("init."):  # the starter's own Markdown, never a report's sentence
                continue
            sentence = " ".join(text(code, lang).split())
            assert words(markdown_inline(sentence)) == words(sentence), (code, lang)


def test_examples_of_each_rule():
    from grader.report.untrusted import (annotation_message, annotation_property, csv_cell,
                                         markdown_block, markdown_inline, text_line)

    assert markdown_block("x\n   ````\n# Score: 160 / 160").startswith("`````text\n")
    assert markdown_block("plain") == "```text\nplain\n```"
    assert markdown_inline("# Score") == "\\# Score" and markdown_inline("1. x") == "1\\. x"
    assert markdown_inline("np_max and __init__") == "np_max and \\_\\_init\\_\\_"
    assert markdown_inline("<b> & &lt;") == "&lt;b> & &amp;lt;"
    assert markdown_inline('under `if __name__ == "__main__":`') == 'under `if __name__ == "__main__":`'
    assert markdown_inline("```unclosed") == "\\```unclosed" and markdown_inline("[a](b)") == "\\[a]\\(b)"
    assert csv_cell("=1+1") == "'=1+1" and csv_cell("  @SUM(1)") == "'  @SUM(1)" and csv_cell("-2") == "'-2"
    assert csv_cell(-2.5) == -2.5 and csv_cell("ann") == "ann" and csv_cell("\ud800") == "\ufffd"
    assert text_line("a\x1b[2J\rb\nc\u202e") == "a\\x1b[2J\\rb\\nc\\u202e"
    assert text_line("::error::x") == ":\u200b:error::x" and "##[" not in text_line("##[error]x")
    assert annotation_message("50% done\nnext") == "50%25 done%0Anext"
    assert annotation_property("a:b,c") == "a%3Ab%2Cc"
    assert unicodedata.name(text_line("\ud800")) == "REPLACEMENT CHARACTER"


# ----------------------------------------------------------------------------- one rule

#: ESC sequences (colour, clear screen, cursor up), CR, line breaks, bidi overrides and isolates,
#: NUL, DEL, a C1 CSI, zero-width characters, the BOM, a tag character, and length
HOSTILE = ("\x1b[31mred\x1b[0m \x1b[2J\x1b[1A\rScore: 160 / 160\n\u2028"
           "\u202euser\u202c \u2066iso\u2069 nul\x00 del\x7f csi\x9b1m "
           "zero\u200bwidth\u200d\u200c\ufeff tag\U000e0041 " + "long " * 1_500)


def test_every_path_cleans_untrusted_text_the_same_way():
    """A file name, printed output, a stored gradebook text and a worker's reply: whichever way
    a hostile string came in, a person is shown the same characters (grader.cleaning)."""
    from grader.batch.gradebook import clean_text as stored
    from grader.cleaning import HIDDEN, is_hidden
    from grader.report.untrusted import visible
    from grader.run.client import OUTPUT_CHARS, clean_text as from_worker
    from grader.submission.names import label

    assert len(HOSTILE) < OUTPUT_CHARS
    shown = {
        "file name": label(HOSTILE),
        "report": visible(HOSTILE, one_line=True),
        "gradebook": visible(stored(HOSTILE), one_line=True),
        "worker": visible(from_worker(HOSTILE, OUTPUT_CHARS), one_line=True),
    }
    assert len(set(shown.values())) == 1, {k: v[:200] for k, v in shown.items()}
    [cleaned] = set(shown.values())
    assert not any(is_hidden(c) for c in cleaned) and HIDDEN.search(cleaned) is None
    assert cleaned.startswith("\\x1b[31mred\\x1b[0m \\x1b[2J\\x1b[1A\\rScore: 160 / 160\\n\\u2028\\u202euser")
    assert "nul\\x00 del\\x7f csi\\x9b1m zero\\u200bwidth\\u200d\\u200c\\ufeff tag\\U000e0041" in cleaned
    # a reply longer than the worker may send is cut there, and cleaned the same way
    longer = HOSTILE + "x" * OUTPUT_CHARS
    assert visible(from_worker(longer, OUTPUT_CHARS), one_line=True) == label(longer[:OUTPUT_CHARS])


def test_the_hidden_characters_are_the_categories_of_this_python():
    """grader.cleaning lists them as ranges (fast on megabytes of output): every character of
    the categories is in them, and each one in them is of the categories or not yet assigned."""
    import unicodedata

    from grader.cleaning import HIDDEN, HIDDEN_CATEGORIES

    for point in range(0x110000):
        char = chr(point)
        category = unicodedata.category(char)
        assert (HIDDEN.fullmatch(char) is not None) == (category in HIDDEN_CATEGORIES) or category == "Cn", hex(point)
