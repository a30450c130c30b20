"""`grader init`: starter files a student fills in, as a .py module or a Jupyter notebook.

Every selected exercise becomes a function with the spec's signature, a docstring in the chosen
language (the contract, the conventions and where the slides differ, the arguments) and a body
that raises NotImplementedError, so a fresh starter checks as "not attempted" everywhere.
Everything comes from the exercise set: a new exercise or a new language needs no code here.

A starter for some of the exercises (`--chapter`, `-e`) records them in a marker line,
`# grader: exercises = sigmoid, softmax` (`SCOPE_MARKER`); `grader check` reads it back
(`starter_scope`) and scores only those, so a chapter-3 starter is scored out of chapter 3's points.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from pathlib import Path

from .messages import format_value, text
from .spec import Exercise, ExerciseSet, SpecError
from .spec.schema import ArgSpec

SUFFIXES = (".py", ".ipynb")
#: the start of the line that records a partial starter's exercises, read by `grader check`
SCOPE_MARKER = "# grader: exercises ="
#: the marker as found in a file's bytes (a notebook's too, where the line is a JSON string)
_SCOPE_LINE = re.compile(rb"#[ \t]*grader:[ \t]*exercises[ \t]*=[ \t]*([A-Za-z0-9_][A-Za-z0-9_, \t]*)")
WIDTH = 92  # display columns of a docstring line (a CJK character counts 2)
#: punctuation that never starts a line (it stays at the end of the previous one)
NO_LINE_START = frozenset("。，、；：？！）》」』】,.;:)?!")


class StarterError(Exception):
    """A request that cannot be served; `code` and `facts` are a message."""

    def __init__(self, code: str, **facts: object) -> None:
        super().__init__(code)
        self.code = code
        self.facts = facts


# ------------------------------------------------------------------------------- shared wording


def chapter_titles(exercise_set: ExerciseSet) -> dict[int, dict[str, str]]:
    """Each chapter's title ({"en": …, "zh": …}) from its YAML header."""
    import yaml

    if exercise_set.digest in _TITLES:
        return _TITLES[exercise_set.digest]
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    titles: dict[int, dict[str, str]] = {}
    for path in exercise_set.files:
        try:
            header = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}
        except (OSError, yaml.YAMLError):
            continue
        title = header.get("title") if isinstance(header, dict) else None
        if isinstance(header, dict) and isinstance(header.get("chapter"), int) and isinstance(title, dict):
            titles[header["chapter"]] = {"en": str(title.get("en", "")), "zh": str(title.get("zh", ""))}
    _TITLES[exercise_set.digest] = titles
    return titles


_TITLES: dict[str, dict[int, dict[str, str]]] = {}


def points(value: float) -> str:
    return f"{value:g}"


def _bound(value: float | None, low: bool) -> str:
    if value is None:
        return "−∞" if low else "+∞"
    return format_value(value)


def shape_text(shape: object) -> str:
    if isinstance(shape, list):
        return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
    return str(shape)


def describe_arg(arg: ArgSpec, lang: str) -> str:
    """One argument as the grader draws it, in words: type, shape, range, default."""
    facts = {"min": _bound(arg.min, True), "max": _bound(arg.max, False),
             "shape": shape_text(arg.shape), "type": arg.type,
             "values": ", ".join(repr(v) if isinstance(v, str) else format_value(v)
                                 for v in arg.values or [])}
    if arg.type == "array" and arg.shape in ("any", None):
        code = "arg.array_any"
    elif arg.type == "ints":
        facts["shape"] = str(arg.shape[0]) if isinstance(arg.shape, list) and arg.shape else "n"
        code = "arg.ints"
    elif f"arg.{arg.type}" in _codes():
        code = f"arg.{arg.type}"
    else:
        code = "arg.other"
    described = text(code, lang).format(**facts)
    if arg.default is not None:
        described += text("arg.default", lang).format(default=format_value(arg.default))
    return described


def _codes() -> set[str]:
    from .messages import codes

    return set(codes())


def display_width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def wrap(paragraph: str, width: int = WIDTH) -> list[str]:
    """Greedy wrapping by display width: breaks between words, or between CJK characters."""
    tokens: list[str] = []
    word = ""
    for ch in paragraph:
        wide = unicodedata.east_asian_width(ch) in "WF"
        if ch == " ":
            tokens.append(word + " ")
            word = ""
        elif wide:
            if word:
                tokens.append(word)
            tokens.append(ch)
            word = ""
        else:
            word += ch
    if word:
        tokens.append(word)
    lines, line = [], ""
    for token in tokens:
        if line and display_width(line + token.rstrip()) > width and token[0] not in NO_LINE_START:
            lines.append(line.rstrip())
            line = token.lstrip() if token.strip() else ""
        else:
            line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


# ------------------------------------------------------------------------------------ selection


def select(exercise_set: ExerciseSet, chapters: tuple[int, ...] = (), ids: tuple[str, ...] = ()) -> list[Exercise]:
    """Exercises of the listed chapters plus the listed ids, in catalogue order (all if none)."""
    known = sorted({ex.chapter for ex in exercise_set.exercises.values()})
    for chapter in chapters:
        if chapter not in known:
            raise StarterError("init.no_chapter", chapter=chapter, chapters=", ".join(map(str, known)))
    exercise_set.select(list(ids))  # raises SpecError for an unknown id
    if not chapters and not ids:
        return list(exercise_set.exercises.values())
    return [ex for ex in exercise_set.exercises.values() if ex.chapter in chapters or ex.id in ids]


def signature_line(ex: Exercise) -> str:
    """`def sigmoid(x):` from the spec's signature, or one built from its arguments."""
    candidate = f"def {ex.signature.strip()}:"
    try:
        tree = ast.parse(candidate + " pass")
        if isinstance(tree.body[0], ast.FunctionDef) and tree.body[0].name == ex.id:
            return candidate
    except SyntaxError:
        pass
    return f"def {ex.id}({', '.join(ex.args)}):"


# ------------------------------------------------------------------------------------ docstrings


def docstring_lines(ex: Exercise, lang: str, file: str) -> list[str]:
    """The docstring's lines (without quotes or indentation)."""
    lines = [text("init.exercise", lang).format(title=ex.title.get(lang), id=ex.id,
                                                  chapter=ex.chapter, points=points(ex.max_score)), ""]
    lines += wrap(ex.description.get(lang))
    if ex.notes is not None:
        lines += ["", text("init.notes", lang)]
        lines += ["    " + line for line in wrap(ex.notes.get(lang), WIDTH - 4)]
    if ex.args:
        lines += ["", text("init.args", lang)]
        for name, arg in ex.args.items():
            first, *rest = wrap(f"{name}: {describe_arg(arg, lang)}", WIDTH - 4)
            lines += ["    " + first] + ["        " + r for r in rest]
    lines += ["", text("init.check_one", lang).format(file=file, id=ex.id)]
    return lines


def _quoted(lines: list[str], indent: str) -> list[str]:
    body = "\n".join(lines)
    prefix = 'r"""' if "\\" in body else '"""'
    body = body.replace('"""', '\\"\\"\\"')
    out = [indent + prefix + lines[0].replace('"""', '\\"\\"\\"')]
    out += [(indent + line).rstrip() for line in body.split("\n")[1:]]
    out.append(indent + '"""')
    return out


def function_source(ex: Exercise, lang: str, file: str) -> str:
    lines = [signature_line(ex)]
    lines += _quoted(docstring_lines(ex, lang, file), "    ")
    lines.append(f"    raise NotImplementedError  # {text('init.todo', lang)}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------- .py


def scope_lines(scope: list[str] | None, lang: str) -> list[str]:
    """The marker of a partial starter, after a comment that says what it does; none for all."""
    if scope is None:
        return []
    return ["# " + line for line in wrap(text("init.scope_comment", lang), WIDTH - 2)] + [
        f"{SCOPE_MARKER} {', '.join(scope)}"]


def python_starter(exercises: list[Exercise], lang: str, file: str,
                   titles: dict[int, dict[str, str]], scope: list[str] | None = None) -> str:
    example = exercises[0].id if exercises else "sigmoid"
    header: list[str] = []
    for paragraph in text("init.header", lang).split("\n\n"):
        header += wrap(paragraph) + [""]
    commands = [(f"grader check {file}", "init.cmd_all"),
                (f"grader check {file} -e {example}", "init.cmd_one"),
                (f"grader check --watch {file}", "init.cmd_watch"),
                (f"grader explain {example}", "init.cmd_explain")]
    width = max(len(c) for c, _ in commands) + 2
    header += [f"    {c:<{width}}# {text(code, lang)}" for c, code in commands]
    parts = ['"""' + "\n".join(header).replace('"""', "'''") + '\n"""', "", *scope_lines(scope, lang),
             "import numpy as np", ""]
    chapter = None
    for ex in exercises:
        if ex.chapter != chapter:
            chapter = ex.chapter
            title = titles.get(chapter, {}).get(lang) or ""
            heading = text("init.chapter", lang).format(chapter=chapter, title=title).rstrip(" ：:")
            rule = "# " + "─" * 3 + " " + heading + " "
            parts += ["", rule + "─" * max(3, 96 - display_width(rule)), ""]
        parts += ["", function_source(ex, lang, file)]
    return "\n".join(parts).rstrip("\n") + "\n"


# ------------------------------------------------------------------------------------- .ipynb


def _markdown(ex: Exercise, lang: str) -> str:
    lines = ["### " + text("init.exercise", lang).format(title=ex.title.get(lang), id=ex.id,
                                                           chapter=ex.chapter, points=points(ex.max_score)),
             "", ex.description.get(lang)]
    if ex.notes is not None:
        lines += ["", f"**{text('init.notes', lang)}** {ex.notes.get(lang)}"]
    if ex.args:
        lines += ["", f"**{text('init.args', lang)}**", ""]
        lines += [f"- `{name}`: {describe_arg(arg, lang)}" for name, arg in ex.args.items()]
    return "\n".join(lines)


def notebook_starter(exercises: list[Exercise], lang: str, file: str,
                     titles: dict[int, dict[str, str]], scope: list[str] | None = None) -> str:
    import nbformat
    from nbformat import v4

    cells = [v4.new_markdown_cell(text("init.notebook_intro", lang).format(file=file)),
             v4.new_code_cell("\n".join([*scope_lines(scope, lang), "import numpy as np"]))]
    chapter = None
    for ex in exercises:
        if ex.chapter != chapter:
            chapter = ex.chapter
            title = titles.get(chapter, {}).get(lang) or ""
            cells.append(v4.new_markdown_cell(
                "## " + text("init.chapter", lang).format(chapter=chapter, title=title).rstrip(" ：:")))
        cells.append(v4.new_markdown_cell(_markdown(ex, lang)))
        cells.append(v4.new_code_cell(function_source(ex, lang, file).rstrip("\n")))
    cells.append(v4.new_markdown_cell("## " + text("init.selfcheck_title", lang) + "\n\n"
                                      + text("init.selfcheck_text", lang)))
    cells.append(v4.new_code_cell(  # the report in the starter's language, whatever the kernel's locale
        f"import grader\n\ngrader.check(lang={lang!r})  # {text('init.selfcheck_comment', lang)}"))
    notebook = v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    })
    for i, cell in enumerate(notebook.cells):  # stable ids: the same request writes the same file
        cell["id"] = f"cell-{i:03d}"
    nbformat.validate(notebook)
    return nbformat.writes(notebook) + "\n"


# ---------------------------------------------------------------------------------------- write


def starter_text(path: Path, exercises: list[Exercise], lang: str, exercise_set: ExerciseSet) -> str:
    titles = chapter_titles(exercise_set)
    partial = len(exercises) < len(exercise_set.exercises)
    scope = [ex.id for ex in exercises] if partial else None
    if path.suffix == ".ipynb":
        return notebook_starter(exercises, lang, path.name, titles, scope)
    return python_starter(exercises, lang, path.name, titles, scope)


def starter_scope(submission: Path, exercise_set: ExerciseSet) -> list[str] | None:
    """The exercises a partial starter's marker lists (every file of a folder), those this set
    knows, in catalogue order; None when there is no marker. The file is the student's: it is
    read by the submission's bounded reader, and only known ids are taken from it."""
    from .submission.files import Refused, read_sources

    try:
        files = read_sources(submission)
    except (OSError, Refused):
        return None  # grading says what is wrong with it
    listed = {word.decode() for f in files for match in _SCOPE_LINE.finditer(f.data)
              for word in re.split(rb"[,\s]+", match.group(1)) if word}
    known = [ex_id for ex_id in exercise_set.exercises if ex_id in listed]
    return known or None


def write_starter(path: Path, exercise_set: ExerciseSet, lang: str, chapters: tuple[int, ...] = (),
                  ids: tuple[str, ...] = (), force: bool = False) -> list[Exercise]:
    """Write the starter; StarterError or SpecError when the request cannot be served."""
    if path.suffix not in SUFFIXES:
        raise StarterError("init.suffix", file=str(path))
    if path.exists() and not force:
        raise StarterError("init.exists", file=str(path))
    exercises = select(exercise_set, chapters, ids)
    content = starter_text(path, exercises, lang, exercise_set)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return exercises


__all__ = ["StarterError", "SpecError", "write_starter", "select", "describe_arg", "chapter_titles",
           "starter_scope", "SCOPE_MARKER"]
