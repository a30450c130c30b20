"""Every message and every exercise text exists in English and Chinese, and the two agree.

Written against the public surface only (`messages.codes()`, `messages.text(code, lang)`,
`messages.render`, the loaded exercise set), so it keeps working when the catalogue moves to
gettext catalogs: whatever stores the strings, these functions must still answer.
"""

from __future__ import annotations

import ast
import dataclasses
import re
import string
import typing
from pathlib import Path

import pytest

from grader import messages
from grader import result as model
from grader.spec import Text, load_exercise_set
from grader.spec import schema

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
#: an English word: two letters or more outside {placeholders}, `code` and 'quoted' names
WORD = re.compile(r"[A-Za-z]{2,}")
#: numbers that must survive translation (not "2-d", which Chinese writes 二维)
NUMBER = re.compile(r"(?<![\w.])[-−]?\d+(?:\.\d+)?(?:e[-+−]?\d+)?(?![\w]|-d)")
PACKAGE = Path(messages.__file__).resolve().parent

CODES = messages.codes()
EXERCISE_SET = load_exercise_set()


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def prose(en: str) -> str:
    """The words a translator translates: no placeholders, code spans, quoted names or paths."""
    en = re.sub(r"\{[^{}]*\}", " ", en)
    en = re.sub(r"`[^`]*`", " ", en)
    en = re.sub(r"'[^']*'", " ", en)
    return re.sub(r"\S*[/\\.@=(][^\s]*", " ", en)  # paths, options, calls, formulas


def numbers(s: str) -> set[str]:
    return {n.replace("−", "-") for n in NUMBER.findall(s)}


def assert_translated(where: str, en: str, zh: str) -> None:
    assert en.strip(), f"{where}: the English text is empty"
    assert zh.strip(), f"{where}: the Chinese text is empty"
    if WORD.search(prose(en)):
        assert CJK.search(zh), f"{where}: the Chinese text has no Chinese in it: {zh!r}"
        assert zh != en, f"{where}: the Chinese text is the English one"
    missing = numbers(en) - numbers(zh)
    assert not missing, f"{where}: the numbers {sorted(missing)} of the English text are not in the Chinese one"


# ----------------------------------------------------------------------------- the catalogue


def test_the_catalogue_lists_its_codes():
    assert len(CODES) == len(set(CODES)) > 100


@pytest.mark.parametrize("code", CODES)
def test_every_message_has_both_languages_with_the_same_placeholders(code):
    en, zh = messages.text(code, "en"), messages.text(code, "zh")
    assert_translated(code, en, zh)
    assert placeholders(en) == placeholders(zh), f"{code}: placeholders differ: {en!r} / {zh!r}"


@pytest.mark.parametrize("code", CODES)
def test_every_message_renders_without_its_facts(code):
    """A missing fact shows as "?", never as an exception in the middle of a report."""
    for lang in messages.LANGUAGES:
        assert isinstance(messages.render(code, {}, lang), str)


def _imports_catalogue_functions(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("messages"):
            names |= {a.asname or a.name for a in node.names if a.name in ("text", "render")}
    return names


def used_codes() -> dict[str, str]:
    """Message codes written literally in the grader's source, with where they are used."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = _imports_catalogue_functions(tree) | {"Failure", "Difference", "StarterError"}
        if path.name == "messages.py":
            calls |= {"text", "render"}
        for node in ast.walk(tree):
            candidates: list[ast.AST] = []
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if name in calls and node.args:
                    candidates.append(node.args[0])
                candidates += [k.value for k in node.keywords if k.arg in ("code", "hint_code", "reason_code")]
            elif isinstance(node, ast.Dict):
                candidates += [v for k, v in zip(node.keys, node.values, strict=True)
                               if isinstance(k, ast.Constant) and k.value in ("code", "hint_code", "reason_code")]
            for c in candidates:
                if isinstance(c, ast.Constant) and isinstance(c.value, str) and c.value:
                    found.setdefault(c.value, f"{path.relative_to(PACKAGE.parent)}:{c.lineno}")
    return found


def test_every_code_the_grader_uses_is_in_the_catalogue():
    used = used_codes()
    assert len(used) > 50
    missing = {code: where for code, where in used.items() if code not in CODES}
    assert not missing, f"message codes used but not in the catalogue: {missing}"


def test_every_status_check_kind_and_property_has_words():
    statuses = [model.PASSED, model.FAILED, model.ERROR, model.TIMEOUT, model.NOT_ATTEMPTED]
    kinds = typing.get_args(schema.CheckKind)
    needed = [f"status.{s}" for s in statuses] + [f"check.{k}" for k in kinds]
    needed += [f"explain.check.{k}" for k in kinds]
    properties = {p.name for ex in EXERCISE_SET.exercises.values() for c in ex.checks for p in c.properties}
    needed += [f"explain.property.{p}" for p in sorted(properties)]
    needed += [f"own_forward.{w}" for w in ("right", "wrong", "missing")]
    assert not [code for code in needed if code not in CODES]


# ------------------------------------------------------------------------ the exercise texts


def texts(value, where: str):
    """Every Text inside a spec object, with its key path."""
    if isinstance(value, Text):
        yield where, value
    elif dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            yield from texts(getattr(value, f.name), f"{where}.{f.name}")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from texts(item, f"{where}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from texts(item, f"{where}.{key}")


EXERCISE_TEXTS = [(where, t) for ex in EXERCISE_SET.exercises.values() for where, t in texts(ex, ex.id)]


def test_the_exercise_texts_are_found():
    fields = {where.split(".", 1)[1].split("[")[0] for where, _ in EXERCISE_TEXTS}
    assert {"title", "description", "mistakes"} <= fields
    assert len(EXERCISE_TEXTS) >= 3 * len(EXERCISE_SET.exercises)


@pytest.mark.parametrize("where,value", EXERCISE_TEXTS, ids=[w for w, _ in EXERCISE_TEXTS])
def test_every_exercise_text_has_both_languages(where, value):
    assert_translated(where, value.en, value.zh)


def test_every_chapter_title_has_both_languages():
    from grader.starter import chapter_titles

    titles = chapter_titles(EXERCISE_SET)
    assert set(titles) == {ex.chapter for ex in EXERCISE_SET.exercises.values()}
    for chapter, title in titles.items():
        assert_translated(f"chapter {chapter}", title["en"], title["zh"])


# ---------------------------------------------------------------------------- the test itself


@pytest.mark.parametrize("en,zh", [
    ("Score: {score}", ""),                        # no Chinese at all
    ("Score: {score}", "Score: {score}"),          # copied, not translated
    ("values in [0, 1e3]", "数值在 [0, 1000] 内"),  # a number changed
])
def test_the_check_catches_an_untranslated_text(en, zh):
    with pytest.raises(AssertionError):
        assert_translated("example", en, zh)


def test_the_check_accepts_code_and_formulas_kept_as_they_are():
    assert_translated("example", "{call} returned {actual}", "{call} 返回了 {actual}")
    assert_translated("example", "`np.exp(x)`", "`np.exp(x)`")
    assert_translated("example", "a 2-d array of 3 rows", "3 行的二维数组")
