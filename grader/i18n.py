"""The translations of the grader's own messages, for maintainers: gettext catalogs, via Babel.

    python -m grader.i18n update     # CATALOGUE → grader/locale/grader.pot, merged into each .po
    python -m grader.i18n compile    # each .po → its .mo, the file the grader reads at run time

Every message is written once, in English, in `grader/messages.py` (`CATALOGUE`: code →
English str.format template). In the catalogs the English is the msgid and the code the msgctxt,
so that two codes with the same English ("students", "passed") can be translated differently.
Babel's extractor cannot take a msgctxt from a dict key, so the template is built from
`CATALOGUE` itself rather than by `pybabel extract`; this module is that small Babel-based step.

`update` writes the template `grader/locale/grader.pot` and merges it into
`grader/locale/<lang>/LC_MESSAGES/grader.po`, matching entries by code: a translation whose
English is unchanged is kept; one whose English changed is kept but marked fuzzy, with the old
English as `#| msgid` (a fuzzy translation is not used: the student sees the English until a
translator checks it and deletes the `#, fuzzy` line); a new code gets an empty msgstr; a code
gone from `CATALOGUE` is dropped. Then it lists what is untranslated or fuzzy. `compile` writes
each .po's .mo. Both leave a file untouched when its content would not change, and name this
command, not Babel's version, in the Generated-By header, so that the files depend on the
messages only.

Babel is needed for these commands only (`pip install -e ".[i18n]"`; the `test` extra has it
too): the grader itself reads the .mo with the standard library's gettext (`messages.text`).
"""

from __future__ import annotations

import argparse
import datetime
import io
import string
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

try:
    from babel.messages.catalog import Catalog, Message
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import denormalize, read_po, write_po
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError("grader.i18n needs Babel: pip install -e \".[i18n]\"") from error

from .version import __version__
from .messages import CATALOGUE, DOMAIN, LANGUAGES, LOCALE_DIR

#: the languages that have a catalog (English is the msgids themselves)
CATALOG_LANGUAGES = tuple(lang for lang in LANGUAGES if lang != "en")
PROJECT = "grader"
GENERATED_BY = "python -m grader.i18n (Babel)"
#: the line width of the .pot and .po files
WIDTH = 76
#: the first lines of the template and of each language's catalog (without the capitalised words
#: Babel substitutes in a header comment: PROJECT, VERSION, YEAR, ORGANIZATION)
POT_HEADER = """\
# The messages of the grader, in English: the template of its translations.
# Made from CATALOGUE in grader/messages.py by
# `python -m grader.i18n update`: do not edit by hand.
# msgctxt: the message code; msgid: its English str.format template."""
PO_HEADERS = {
    "zh": """\
# The messages of the grader, in Chinese.
# msgctxt: the message code; msgid: its English, from CATALOGUE in
# grader/messages.py. After changing CATALOGUE: `python -m grader.i18n
# update`, translate here (keep every {placeholder}; once a fuzzy
# translation is checked, delete its `#, fuzzy` line), then
# `python -m grader.i18n compile`.""",
}
#: who the header names as translators and as the address for problems with the English
FIRST_TRANSLATOR = "the grader's maintainers"


class _Catalog(Catalog):
    """Babel's catalog, whose Generated-By header names this command rather than Babel's version."""

    @property
    def mime_headers(self) -> list[tuple[str, str]]:
        return [(name, f"{GENERATED_BY}\n" if name == "Generated-By" else value)
                for name, value in Catalog.mime_headers.fget(self)]  # type: ignore[attr-defined]  # Babel's stubs: an overload

    @mime_headers.setter
    def mime_headers(self, headers: Iterable[tuple[str, str]]) -> None:
        Catalog.mime_headers.fset(self, headers)  # type: ignore[attr-defined]  # Babel's stubs: an overload


def pot_path(localedir: Path | str = LOCALE_DIR) -> Path:
    return Path(localedir) / f"{DOMAIN}.pot"


def po_path(lang: str, localedir: Path | str = LOCALE_DIR) -> Path:
    return Path(localedir) / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str, localedir: Path | str = LOCALE_DIR) -> Path:
    return po_path(lang, localedir).with_suffix(".mo")


def placeholders(template: str) -> set[str]:
    """The str.format fields of a template: `{call}`, `{value!r}` → {"call", "value"}."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def read(path: Path | str, lang: str | None = None) -> Catalog:
    """A .po or .pot file, as Babel reads it."""
    with open(path, "rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


def template(catalogue: Mapping[str, str] | None = None,
             creation_date: datetime.datetime | None = None) -> Catalog:
    """The .pot of `catalogue` (default: `messages.CATALOGUE`), in its order."""
    catalogue = CATALOGUE if catalogue is None else catalogue
    pot = _Catalog(domain=DOMAIN, project=PROJECT, version=__version__, header_comment=POT_HEADER,
                   msgid_bugs_address=FIRST_TRANSLATOR, creation_date=creation_date or _now(), charset="utf-8")
    for code, english in catalogue.items():
        message = pot.add(english, context=code,
                          flags=["python-brace-format"] if placeholders(english) else [])
        # Babel flags a text with a % in it ("(% of the maximum)", "%grade") as python-format;
        # these templates are str.format ones
        message.flags.discard("python-format")
    return pot


def render_po(catalog: Catalog) -> bytes:
    """The bytes of a .po or .pot file for `catalog` (no source locations: the code says where)."""
    buf = io.BytesIO()
    write_po(buf, catalog, width=WIDTH, no_location=True, include_previous=True)
    return buf.getvalue()


def compile_po(path: Path | str, lang: str | None = None) -> bytes:
    """The .mo of a .po file: its non-fuzzy, non-empty translations and its header."""
    parsed = read(path, lang)
    catalog = _Catalog(locale=parsed.locale, domain=DOMAIN, header_comment=parsed.header_comment)
    catalog.mime_headers = parsed.mime_headers
    catalog.fuzzy = parsed.fuzzy
    for message in parsed:
        if message.id:
            catalog[message.id] = message
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


@dataclass
class Merged:
    """What `update` did to one language's catalog, and what it still lacks."""

    path: Path
    total: int = 0
    written: bool = False
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # the English changed: now fuzzy
    removed: list[str] = field(default_factory=list)
    untranslated: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        translated = self.total - len(self.untranslated) - len(self.fuzzy)
        out = [f"{self.path}: {'updated' if self.written else 'unchanged'}; {self.total} messages, "
               f"{translated} translated, {len(self.fuzzy)} fuzzy, {len(self.untranslated)} untranslated"]
        for what, codes in (("new", self.added), ("English changed, now fuzzy", self.changed),
                            ("removed (no longer in CATALOGUE)", self.removed),
                            ("untranslated", self.untranslated),
                            ("fuzzy (check the translation, then delete its `#, fuzzy` line)", self.fuzzy)):
            if codes:
                out.append(f"  {what}: {', '.join(codes)}")
        return out


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0)


def _write_if_changed(path: Path, content: bytes) -> bool:
    if path.is_file() and path.read_bytes() == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return True


def _entries(catalog: Catalog) -> list[tuple[str | None, str | tuple[str, ...] | list[str], tuple[str, ...]]]:
    # Babel, reading, flags every text with a % in it as python-format (see `template`)
    return [(m.context, m.id, tuple(sorted(m.flags - {"python-format"}))) for m in catalog if m.id]


def _previous_id(message: Message) -> tuple[list[str], str | None]:
    """(user comments, previous msgid) of a message read by Babel, which reads `#| msgid "…"`
    lines as user comments starting with "|"."""
    comments: list[str] = []
    previous: list[str] = []
    for comment in message.user_comments:
        if comment.startswith("|"):
            previous.append(comment[1:].strip().removeprefix("msgid").strip())
        else:
            comments.append(comment)
    if not previous or not all(p.startswith('"') for p in previous):
        return comments, None
    return comments, denormalize("\n".join(previous))


def update_template(localedir: Path | str = LOCALE_DIR,
                    catalogue: Mapping[str, str] | None = None) -> tuple[Catalog, bool]:
    """Write the .pot of `catalogue`; its creation date changes only when its messages do."""
    path = pot_path(localedir)
    pot = template(catalogue)
    if path.is_file():
        before = read(path)
        if _entries(before) == _entries(pot):
            pot.creation_date = before.creation_date
    return pot, _write_if_changed(path, render_po(pot))


def merge(pot: Catalog, lang: str, localedir: Path | str = LOCALE_DIR) -> Merged:
    """Bring `lang`'s .po up to the template, keeping its translations (see the module's doc)."""
    path = po_path(lang, localedir)
    result = Merged(path)
    before = read(path, lang) if path.is_file() else None
    by_code: dict[str, Message] = {}
    if before is not None:
        for message in [*before.obsolete.values(), *before]:  # live entries win over `#~` ones
            if message.id and message.context:
                by_code[message.context] = message
    po = _Catalog(
        locale=lang, domain=DOMAIN, project=PROJECT, version=__version__,
        msgid_bugs_address=before.msgid_bugs_address if before else FIRST_TRANSLATOR,
        header_comment=before.header_comment if before else PO_HEADERS.get(lang, "#"),
        creation_date=pot.creation_date,
        revision_date=before.revision_date if before else pot.creation_date,
        last_translator=before.last_translator if before else FIRST_TRANSLATOR,
        language_team=before.language_team if before else FIRST_TRANSLATOR,
        charset="utf-8", fuzzy=False)
    for message in pot:
        if not message.context or not isinstance(message.id, str):
            continue  # every text of the catalogue has its code and one (not a plural) form
        code, english = message.context, message.id
        flags = set(message.flags)
        old = by_code.pop(code, None)
        translation, comments, previous = "", list[str](), None
        if old is None:
            result.added.append(code)
        else:
            comments, previous = _previous_id(old)  # a translator's comments stay
            translation = old.string if isinstance(old.string, str) else ""
            if translation and old.id != english:  # kept, for a translator to check
                flags.add("fuzzy")
                previous = old.id if isinstance(old.id, str) else None
                result.changed.append(code)
            elif translation and old.fuzzy:
                flags.add("fuzzy")  # still to check: the old English stays beside it
            else:
                previous = None
        new = po.add(english, translation, flags=flags, context=code, user_comments=comments,
                     previous_id=previous if previous is not None else ())
        new.flags.discard("python-format")
        if not translation:
            result.untranslated.append(code)
        elif "fuzzy" in flags:
            result.fuzzy.append(code)
    result.removed = sorted(by_code)  # what is left: codes no longer in the template
    result.total = sum(1 for m in pot if m.id)
    result.written = _write_if_changed(path, render_po(po))
    return result


def update(localedir: Path | str = LOCALE_DIR, catalogue: Mapping[str, str] | None = None,
           languages: Iterable[str] = CATALOG_LANGUAGES) -> list[str]:
    """`python -m grader.i18n update`: the template, then every language's .po; a report."""
    pot, written = update_template(localedir, catalogue)
    entries = sum(1 for m in pot if m.id)
    lines = [f"{pot_path(localedir)}: {'updated' if written else 'unchanged'}; {entries} messages"]
    for lang in languages:
        lines += merge(pot, lang, localedir).lines()
    return lines


def compile_all(localedir: Path | str = LOCALE_DIR,
                languages: Iterable[str] = CATALOG_LANGUAGES) -> list[str]:
    """`python -m grader.i18n compile`: every language's .mo from its .po; a report."""
    lines = []
    for lang in languages:
        source = po_path(lang, localedir)
        catalog = read(source, lang)
        left_out = [m.context or str(m.id) for m in catalog if m.id and (not m.string or m.fuzzy)]
        written = _write_if_changed(mo_path(lang, localedir), compile_po(source, lang))
        lines.append(f"{mo_path(lang, localedir)}: {'written' if written else 'unchanged'}"
                     + (f"; left out (untranslated or fuzzy, shown in English): {', '.join(left_out)}"
                        if left_out else ""))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.i18n", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("update", "compile"),
                        help="update: CATALOGUE → .pot → each .po; compile: each .po → its .mo")
    parser.add_argument("--locale-dir", type=Path, default=Path(LOCALE_DIR),
                        help="the folder of grader.pot and <lang>/LC_MESSAGES/ (default: %(default)s)")
    args = parser.parse_args(argv)
    lines = (update if args.command == "update" else compile_all)(args.locale_dir)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
