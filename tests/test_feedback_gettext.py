"""The gettext catalogs of the grader's own messages agree with `messages.CATALOGUE`.

The English of every message is written in grader/messages.py; the Chinese lives in
grader/locale/zh/LC_MESSAGES/grader.po (msgctxt = the code, msgid = the English), compiled to the
grader.mo beside it, which the grader reads with the standard library. `python -m grader.i18n
update|compile` (Babel) keeps them in step; these tests fail when someone did not run it.
"""

from __future__ import annotations

import fnmatch
import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader import i18n, messages  # Babel: the `test` extra has it

PACKAGE = Path(messages.__file__).resolve().parent
PO = i18n.po_path("zh")
MO = i18n.mo_path("zh")
POT = i18n.pot_path()


@pytest.fixture(scope="module")
def po():
    return i18n.read(PO, "zh")


def entries(catalog):
    return {m.context: m for m in catalog if m.id}


def test_the_committed_mo_is_the_compiled_po():
    """Nobody edits the .po without compiling it, nor the .mo by itself."""
    assert MO.read_bytes() == i18n.compile_po(PO, "zh"), "run: python -m grader.i18n compile"


def test_every_message_has_a_checked_translation_with_its_placeholders(po):
    translated = entries(po)
    problems = []
    for code, english in messages.CATALOGUE.items():
        message = translated.get(code)
        if message is None:
            problems.append(f"{code}: not in the .po (run: python -m grader.i18n update)")
        elif message.id != english:
            problems.append(f"{code}: the .po has the English {message.id!r} (run: python -m grader.i18n update)")
        elif not message.string.strip():
            problems.append(f"{code}: untranslated")
        elif message.fuzzy:
            problems.append(f"{code}: fuzzy (check the translation, then delete its `#, fuzzy` line)")
        elif i18n.placeholders(message.string) != i18n.placeholders(english):
            problems.append(f"{code}: placeholders {sorted(i18n.placeholders(message.string))}, "
                            f"the English has {sorted(i18n.placeholders(english))}")
    assert not problems, "\n".join(problems)


def test_the_po_holds_no_entry_for_a_code_that_is_gone(po):
    assert not po.obsolete, f"obsolete (#~) entries: {sorted(m.context or m.id for m in po.obsolete.values())}"
    unknown = [m.context or m.id for m in po if m.id and m.context not in messages.CATALOGUE]
    assert not unknown, f"entries for codes no longer in CATALOGUE: {unknown}"
    # Babel would silently keep one of two entries with the same msgctxt and msgid
    assert PO.read_text(encoding="utf-8").count("\nmsgctxt ") == len(messages.CATALOGUE)


def test_the_po_is_a_proper_chinese_catalog(po):
    headers = dict(po.mime_headers)
    assert headers["Language"] == "zh"
    assert headers["Plural-Forms"] == "nplurals=1; plural=0;"
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert not po.fuzzy


def test_text_in_chinese_is_the_po_translation(po):
    translated = entries(po)
    differing = [code for code in messages.codes() if messages.text(code, "zh") != translated[code].string]
    assert not differing
    assert all(messages.text(code, "en") == english for code, english in messages.CATALOGUE.items())


def test_the_template_is_the_catalogue():
    """grader.pot is made from CATALOGUE, entry for entry, in its order (python -m grader.i18n update)."""
    pot = i18n.read(POT)
    assert [(m.context, m.id) for m in pot if m.id] == list(messages.CATALOGUE.items())
    assert not any(m.string for m in pot if m.id)


def test_update_on_the_committed_files_changes_nothing(tmp_path):
    shutil.copytree(messages.LOCALE_DIR, tmp_path, dirs_exist_ok=True)
    report = i18n.update(tmp_path)
    assert all("unchanged" in line for line in report if line.startswith(str(tmp_path))), report
    assert i18n.pot_path(tmp_path).read_bytes() == POT.read_bytes()
    assert i18n.po_path("zh", tmp_path).read_bytes() == PO.read_bytes()


def test_the_catalogs_are_package_data():
    try:
        import tomllib
    except ImportError:  # Python 3.10
        tomllib = pytest.importorskip("tomli")
    project = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = project["tool"]["setuptools"]["package-data"]["grader"]
    files = [p.relative_to(PACKAGE).as_posix() for p in Path(messages.LOCALE_DIR).rglob("*") if p.is_file()]
    assert {"locale/zh/LC_MESSAGES/grader.po", "locale/zh/LC_MESSAGES/grader.mo"} <= set(files)
    assert all(any(fnmatch.fnmatch(f, pattern) for pattern in patterns) for f in files)


# ------------------------------------------------------------------------------- at run time


def test_the_catalog_is_read_once_per_process():
    messages.translation.cache_clear()
    for code in messages.codes():
        messages.render(code, {}, "zh")
    info = messages.translation.cache_info()
    assert info.misses == 1 and info.hits >= len(messages.codes()) - 1
    assert isinstance(messages.translation("zh"), gettext.GNUTranslations)


def test_babel_is_not_needed_at_run_time():
    code = ("import sys, grader, grader.messages, grader.cli\n"
            "print(grader.messages.text('status.passed', 'zh'))\n"
            "assert not [m for m in sys.modules if m.split('.')[0] == 'babel'], 'babel imported'\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={"PYTHONIOENCODING": "utf-8", "PATH": ""})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "通过"


def test_a_language_without_a_catalog_reads_english():
    assert messages.text("status.passed", "fr") == "passed"


# ------------------------------------------------------------- the maintainer's commands


def test_update_keeps_translations_and_flags_what_changed(tmp_path):
    shutil.copytree(messages.LOCALE_DIR, tmp_path, dirs_exist_ok=True)
    catalogue = dict(messages.CATALOGUE)
    catalogue["status.passed"] = "passed, all of it"   # the English changed
    catalogue["status.brand_new"] = "brand new"        # a new code
    del catalogue["status.timeout"]                     # a code gone
    report = "\n".join(i18n.update(tmp_path, catalogue))
    assert "new: status.brand_new" in report
    assert "English changed, now fuzzy: status.passed" in report
    assert "removed (no longer in CATALOGUE): status.timeout" in report

    po_file = i18n.po_path("zh", tmp_path)
    po = entries(i18n.read(po_file, "zh"))
    assert po["status.passed"].fuzzy and po["status.passed"].string == "通过"
    assert po["status.brand_new"].string == "" and "status.timeout" not in po
    assert po["status.failed"].string == "未通过" and not po["status.failed"].fuzzy
    text = po_file.read_text(encoding="utf-8")
    assert '#| msgid "passed"\nmsgctxt "status.passed"\nmsgid "passed, all of it"' in text
    assert "#~" not in text
    assert [(m.context, m.id) for m in i18n.read(i18n.pot_path(tmp_path)) if m.id] == list(catalogue.items())

    # a second run changes nothing, and the old English stays beside the fuzzy translation
    before = po_file.read_bytes()
    assert "unchanged" in i18n.update(tmp_path, catalogue)[1]
    assert po_file.read_bytes() == before

    # compiled, the fuzzy and the untranslated entries are left out: those show in English
    assert "left out" in i18n.compile_all(tmp_path)[0]
    with open(i18n.mo_path("zh", tmp_path), "rb") as f:
        compiled = gettext.GNUTranslations(f)
    assert compiled.pgettext("status.passed", "passed, all of it") == "passed, all of it"
    assert compiled.pgettext("status.brand_new", "brand new") == "brand new"
    assert compiled.pgettext("status.failed", "failed") == "未通过"

    # the translator checks it: without `#, fuzzy` it is used, and the old English goes
    po_file.write_text(text.replace('#, fuzzy\n#| msgid "passed"\n', ""), encoding="utf-8")
    i18n.update(tmp_path, catalogue)
    assert "#|" not in po_file.read_text(encoding="utf-8")
    i18n.compile_all(tmp_path)
    with open(i18n.mo_path("zh", tmp_path), "rb") as f:
        assert gettext.GNUTranslations(f).pgettext("status.passed", "passed, all of it") == "通过"


def test_the_same_english_under_two_codes_translates_apart():
    """msgctxt is the code: "students" is 学生 in one place, 学生人数 in another."""
    assert messages.CATALOGUE["class.students"] == messages.CATALOGUE["class.count_axis"] == "students"
    assert messages.text("class.students", "zh") == "学生"
    assert messages.text("class.count_axis", "zh") == "学生人数"


def test_the_command_line(tmp_path):
    shutil.copytree(messages.LOCALE_DIR, tmp_path, dirs_exist_ok=True)
    for command in ("update", "compile"):
        out = subprocess.run([sys.executable, "-m", "grader.i18n", command, "--locale-dir", str(tmp_path)],
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        assert "unchanged" in out.stdout
