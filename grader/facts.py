"""The values a message is filled with, and the notes that carry them.

A message of the catalogue (grader/messages.py) is a code and its *facts*: named values that
its sentence formats (`{count}`, `{path}`). Facts come from every stage — a spec's path, a
student's file name, a number the judge measured — so their values are any object the message
functions know how to show (`grader.messages.format_value`); they are typed `object`, not `Any`,
so that code reading one must say what it expects (`isinstance`, `str(...)`) instead of trusting it.
"""

from __future__ import annotations

from typing import TypedDict

#: a message's named values: {"path": "exercises.softmax.args", "count": 3}
Facts = dict[str, object]


class Note(TypedDict):
    """Something to tell the user beside a result (a notebook cell left out, a name not found)."""

    code: str
    facts: Facts


class CodedError(Exception):
    """A refusal whose words are a catalogue message: its `code`, filled with its `facts` (text
    already cleaned for showing), so that every command says it in the user's language."""

    def __init__(self, code: str, **facts: str) -> None:
        super().__init__(code)
        self.code = code
        self.facts = facts
