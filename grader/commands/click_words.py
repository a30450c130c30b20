"""Click's own words (usage errors: "No such option", "Missing argument", "Invalid value for")
in the language of the run.

Click writes them in English and passes each through the standard library's gettext
(`_("No such option {name!r}.")`, in the default domain). The grader keeps their translations
in its own catalogue, under `click.*` codes whose English is Click's exact msgid, and `install`
points Click's translation functions at that catalogue for the chosen language. Only the
command line does it (`grader.cli.main`), before parsing: a program that imports the grader
keeps Click as it was. A msgid the catalogue does not hold (a newer Click's) stays English.
"""

from __future__ import annotations

import functools
import gettext
import importlib
from collections.abc import Iterable, Sequence

import click

from ..messages import CATALOGUE, text

#: the Click modules that translate a message (each imported `gettext` and `ngettext` by name)
_MODULES = ("core", "exceptions", "types", "parser", "decorators", "formatting", "termui", "utils")


@functools.lru_cache(maxsize=1)
def _codes() -> dict[str, str]:
    """Click's English msgid -> the grader's message code."""
    return {english: code for code, english in CATALOGUE.items() if code.startswith("click.")}


@functools.lru_cache(maxsize=None)
def translator(lang: str) -> tuple[object, object]:
    """Replacements for gettext's `gettext` and `ngettext` that read the grader's catalogue."""

    def translate(message: str) -> str:
        code = _codes().get(message)
        return text(code, lang) if code else message

    def translate_plural(singular: str, plural: str, count: int) -> str:
        return translate(singular if count == 1 else plural)

    return translate, translate_plural


def _path_names(commands: Iterable[click.Command], lang: str) -> None:
    """A click.Path names itself ("file", "directory", "path") when it is made, at import:
    name the ones of `commands` again, in `lang`."""
    for command in commands:
        for param in command.params:
            kind = param.type
            if isinstance(kind, click.Path):
                word = "file" if not kind.dir_okay else "directory" if not kind.file_okay else "path"
                kind.name = text(f"click.{word}", lang)
        if isinstance(command, click.Group):
            _path_names(command.commands.values(), lang)


_STDLIB = (gettext.gettext, gettext.ngettext)
#: the pair of translation functions Click's modules hold now (`install` changes only those)
_installed: tuple[object, object] = _STDLIB


def install(lang: str, command: click.Command) -> None:
    """Click speaks `lang` from now on in this process (English: Click as it is, or as it was
    before an earlier `install`: a resident grader serves one check in Chinese, the next in English)."""
    global _installed
    wanted = _STDLIB if lang == "en" else translator(lang)
    if wanted == _installed:
        return
    for name in _MODULES:
        module = importlib.import_module(f"click.{name}")
        if getattr(module, "_", None) is _installed[0]:
            module._ = wanted[0]  # type: ignore[attr-defined]
        if getattr(module, "ngettext", None) is _installed[1]:
            module.ngettext = wanted[1]  # type: ignore[attr-defined]
    _installed = wanted
    _path_names([command], lang)


def early_language(argv: Sequence[str]) -> str:
    """The language a run will speak, known before Click parses it: the last `--lang X` or
    `--lang=X` anywhere in the arguments, else GRADER_LANG, a config file, the locale."""
    from ..config import choose_language

    flag: str | None = None
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(argv):
            flag = argv[index + 1]
        elif arg.startswith("--lang="):
            flag = arg.split("=", 1)[1]
    if flag not in ("en", "zh"):
        flag = None
    return choose_language(flag).lang
