"""The language: --lang, then GRADER_LANG, then a config file, then the locale, then English."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from support import ROOT
from grader.config import choose_language, language_from_locale

CLEAN = ("GRADER_LANG", "GRADER_CONFIG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.fixture
def env(monkeypatch, tmp_path):
    for key in CLEAN:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def user_config(tmp_path, text: str) -> None:
    path = tmp_path / "xdg" / "grader" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_precedence(env, tmp_path):
    assert choose_language().lang == "en" and choose_language().source == "default"
    env.setenv("LANG", "zh_CN.UTF-8")
    assert choose_language().lang == "zh" and choose_language().source == "locale"
    user_config(tmp_path, 'lang = "en"\n')
    assert choose_language().lang == "en"                       # the user's file beats the locale
    (tmp_path / "grader.toml").write_text('lang = "zh"\n', encoding="utf-8")
    assert choose_language().source.endswith("grader.toml")     # the folder's file beats the user's
    env.setenv("GRADER_LANG", "en")
    assert choose_language().lang == "en" and choose_language().source == "env"
    assert choose_language("zh").lang == "zh"                   # the flag beats everything


@pytest.mark.parametrize("environ,expected", [
    ({"LANG": "zh_TW.UTF-8"}, "zh"), ({"LANG": "en_US.UTF-8"}, "en"), ({"LANG": "C.UTF-8"}, "en"),
    ({"LANGUAGE": "zh_CN:en_US", "LANG": "en_US.UTF-8"}, "zh"), ({"LC_ALL": "en_GB", "LANG": "zh_CN"}, "en"),
    ({}, None),
])
def test_locale(environ, expected):
    assert language_from_locale(environ) == expected


def test_a_broken_config_is_skipped_and_reported(env, tmp_path):
    user_config(tmp_path, "lang = zh\n")  # not TOML: the string is unquoted
    choice = choose_language()
    assert choice.lang == "en" and "not valid TOML" in choice.problems[0]
    user_config(tmp_path, 'lang = "fr"\n')
    assert "expected one of en, zh" in choose_language().problems[0]


def test_the_cli_reads_the_config_file(tmp_path):
    config = tmp_path / "mine.toml"
    config.write_text('lang = "zh"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in CLEAN}
    shown = subprocess.run([sys.executable, "-m", "grader", "list"], capture_output=True, text=True,
                           cwd=ROOT, env={**env, "GRADER_CONFIG": str(config)}, timeout=60)
    assert shown.returncode == 0 and "激活函数" not in shown.stdout and "Sigmoid 函数" in shown.stdout
    config.write_text("lang = [\n", encoding="utf-8")
    shown = subprocess.run([sys.executable, "-m", "grader", "list"], capture_output=True, text=True,
                           cwd=ROOT, env={**env, "GRADER_CONFIG": str(config), "LANG": "en_US.UTF-8"},
                           timeout=60)
    assert shown.returncode == 0 and "grader: ignored:" in shown.stderr and "Sigmoid" in shown.stdout
