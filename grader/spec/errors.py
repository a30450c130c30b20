"""The errors of an exercise set an author gets: one line, the file and the key, what to fix.

A `SpecError` is shown as is, never as a traceback. One with a message `code` (grader/messages.py)
is said in the user's language: `where` (a file, then a key path, both the same in every
language) followed by the catalogue's sentence for the code with `facts` filled in.
"""

from __future__ import annotations

from ..facts import Facts


def english(code: str, facts: Facts) -> str:
    """The catalogue's English sentence for `code` (the text of an exception, and of a log).

    Imported here, on an error only: loading specs does not pay for the message catalogue."""
    from ..messages import render

    return render(code, facts, "en")


class SpecError(Exception):
    """A spec that cannot be used, with the file and key path: shown as is, never a traceback.

    One the user must understand in their language carries `code` and `facts`: the message of
    the catalogue that says it (grader.commands.usage_message), after `where` when it has one."""

    code: str | None = None
    facts: dict[str, object] = {}
    #: "file: key.path" (or a folder) in front of the coded sentence; "" when the sentence says it
    where: str = ""

    @classmethod
    def at(cls, where: str, code: str, **facts: object) -> SpecError:
        """The error at `where` (none: "") whose words are the catalogue's `code`."""
        words = english(code, facts)
        error = cls(f"{where}: {words}" if where else words)
        error.where, error.code, error.facts = where, code, facts
        return error


class UnknownExercises(SpecError):
    """Exercise ids the set does not have."""

    code = "unknown_exercise"

    def __init__(self, ids: list[str]) -> None:
        super().__init__(f"unknown exercise: {', '.join(ids)} (see `grader list`)")
        self.ids = ids
        self.facts = {"ids": ", ".join(ids)}


class UnknownAssignment(SpecError):
    """An assignment id the set does not declare (a usage error: exit 2, naming the known ones)."""

    code = "assignment.unknown"

    def __init__(self, assignment_id: str, known: list[str]) -> None:
        shown = ", ".join(known) if known else "–"
        super().__init__(f"unknown assignment: {assignment_id} (known: {shown})")
        self.facts = {"id": assignment_id, "known": shown}
