"""Which language the grader speaks, and the small config file that can set it.

Precedence, first match wins:

1. `--lang zh|en` on the command line (or `lang=` in `grader.check(...)` / `%grade --lang`);
2. the environment variable `GRADER_LANG`;
3. a config file: `$GRADER_CONFIG` if set, else `grader.toml` in the current folder, else the
   user's `$XDG_CONFIG_HOME/grader/config.toml` (`~/.config/grader/config.toml`), with a line
   `lang = "zh"`;
4. the locale, as gettext reads it: `LANGUAGE`, `LC_ALL`, `LC_MESSAGES`, `LANG` (the first one
   set; `zh_CN.UTF-8`, `zh_TW`, `zh` … mean Chinese, anything else English);
5. English.

Nothing here may fail: a config file that cannot be read or holds a bad value is skipped, and the
reason is kept in `problems` for the CLI to show.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LANGUAGES = ("en", "zh")
PROJECT_FILE = "grader.toml"
ENV_LANG = "GRADER_LANG"
ENV_CONFIG = "GRADER_CONFIG"
LOCALE_VARS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


@dataclass
class Choice:
    """The language chosen and where it came from ("flag", "env", a config path, "locale", "default")."""

    lang: str
    source: str
    problems: list[str] = field(default_factory=list)


def user_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "grader" / "config.toml"


def config_paths(cwd: Path | None = None) -> list[Path]:
    """The config files consulted, in order: $GRADER_CONFIG alone, else ./grader.toml then the user's."""
    explicit = os.environ.get(ENV_CONFIG)
    if explicit:
        return [Path(explicit).expanduser()]
    return [(cwd or Path.cwd()) / PROJECT_FILE, user_config_path()]


def read_config(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """The file's settings (None if it does not exist), and a problem, if any."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"{path}: {exc.strerror or exc}"
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            return None, f"{path}: reading TOML needs Python ≥ 3.11 or the tomli package"
    try:
        return tomllib.loads(data.decode("utf-8-sig")), None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return None, f"{path}: not valid TOML ({exc})"


def language_from_locale(environ: dict[str, str] | None = None) -> str | None:
    env = os.environ if environ is None else environ
    for var in LOCALE_VARS:
        value = env.get(var)
        if value:
            first = value.split(":")[0].strip().lower()
            if not first:
                continue
            return "zh" if first.startswith("zh") else "en"
    return None


def choose_language(flag: str | None = None, cwd: Path | None = None) -> Choice:
    """The language to speak, following the documented precedence."""
    problems: list[str] = []
    if flag in LANGUAGES:
        return Choice(flag, "flag")
    env = os.environ.get(ENV_LANG, "").strip().lower()
    if env in LANGUAGES:
        return Choice(env, "env")
    if env:
        problems.append(f"{ENV_LANG}={env!r}: expected one of {', '.join(LANGUAGES)}")
    for path in config_paths(cwd):
        settings, problem = read_config(path)
        if problem:
            problems.append(problem)
        if not settings or "lang" not in settings:
            continue
        value = str(settings["lang"]).strip().lower()
        if value in LANGUAGES:
            return Choice(value, str(path), problems)
        problems.append(f"{path}: lang = {settings['lang']!r}: expected one of {', '.join(LANGUAGES)}")
    from_locale = language_from_locale()
    if from_locale:
        return Choice(from_locale, "locale", problems)
    return Choice("en", "default", problems)


def default_language() -> str:
    return choose_language().lang
