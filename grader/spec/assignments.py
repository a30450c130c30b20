"""Assignments: the exercise set's homework, each with its exercises, due date and late policy.

An exercise set may declare them in `assignments.yaml` beside its specs (it is not a spec file:
the loader skips it, and it is not part of the set's digest, so moving a due date regrades no
one). Each assignment names its exercises by id or by chapter, has a title in every language,
a due date *with* a time zone (a date without one is refused: "23:59" means nothing until it
says where) and a late policy. The file is checked when the set loads, like the specs: every
problem is a `SchemaError` at its key path with a message code.

Times are written `2026-10-09 23:59 Asia/Shanghai` (an IANA zone, read with zoneinfo) or as
ISO 8601 with an offset (`2026-10-09T23:59:00+08:00`, `…Z`).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, field
from typing import Literal, Optional

from .convert import SchemaError, build
from .schema import Exercise, Text

FILENAME = "assignments.yaml"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_ZONED = re.compile(r"^(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?)\s+([A-Za-z][A-Za-z0-9_+\-/]*)$")


@dataclass(frozen=True)
class LateSpec:
    """The late policy as written: every field optional (no policy: late work counts in full)."""

    grace_minutes: float = 0.0
    penalty_percent: float = 0.0
    per: Literal["day", "hour"] = "day"
    cap_percent: Optional[float] = None
    last_day: Optional[str] = None


@dataclass(frozen=True)
class AssignmentSpec:
    """One entry of `assignments:` as written."""

    id: str
    title: Text
    due: str
    exercises: list[str] = field(default_factory=list)
    chapters: list[int] = field(default_factory=list)
    late: LateSpec = field(default_factory=LateSpec)


@dataclass(frozen=True)
class AssignmentsFile:
    assignments: list[AssignmentSpec]


@dataclass(frozen=True)
class LatePolicy:
    """How late work is scored: within `grace` nothing is taken; after it each started `unit`
    (a day or an hour, counted from the due date) takes `penalty` (a fraction of the score), at
    most `cap`; after `last_day` the work counts nothing."""

    grace: dt.timedelta = dt.timedelta(0)
    penalty: float = 0.0
    unit: Literal["day", "hour"] = "day"
    cap: float | None = None
    last_day: dt.datetime | None = None

    @property
    def unit_seconds(self) -> int:
        return 86_400 if self.unit == "day" else 3_600


@dataclass(frozen=True)
class Assignment:
    id: str
    title: Text
    #: the exercise ids, in catalogue order
    exercises: tuple[str, ...]
    due: dt.datetime
    late: LatePolicy

    def points(self, exercises: dict[str, Exercise]) -> float:
        return sum(exercises[i].max_score for i in self.exercises)


def shown_moment(moment: dt.datetime) -> str:
    """A time as an author wrote it: `2026-10-09 23:59 Asia/Shanghai` (its zone's name, else
    its offset, `+08:00`)."""
    zone = getattr(moment.tzinfo, "key", None)
    if zone is None:
        offset = moment.strftime("%z")
        zone = f"{offset[:3]}:{offset[3:]}" if offset else "UTC"
    return f"{moment.strftime('%Y-%m-%d %H:%M')} {zone}"


def written_moment(moment: dt.datetime) -> str:
    """A time as `parse_moment` reads it back exactly: with its zone's name when it has one."""
    zone = getattr(moment.tzinfo, "key", None)
    return f"{moment.strftime('%Y-%m-%d %H:%M:%S')} {zone}" if zone else moment.isoformat()


def parse_moment(value: str, where: str) -> dt.datetime:
    """An aware datetime from `2026-10-09 23:59 Asia/Shanghai` or ISO 8601 with an offset;
    SchemaError when the text has no time zone, names an unknown one, or is not a time."""
    text = value.strip()
    zoned = _ZONED.match(text)
    if zoned:
        try:
            zone = zoneinfo.ZoneInfo(zoned.group(2))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise SchemaError.coded(where, "assignment.unknown_zone", value=value,
                                    zone=zoned.group(2)) from None
        try:
            naive = dt.datetime.fromisoformat(zoned.group(1))
        except ValueError:
            raise SchemaError.coded(where, "assignment.bad_time", value=value) from None
        return naive.replace(tzinfo=zone)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise SchemaError.coded(where, "assignment.bad_time", value=value) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise SchemaError.coded(where, "assignment.no_zone", value=value)
    return moment


def _as_text(value: object) -> object:
    """YAML reads an unquoted timestamp as a datetime (or a date): back to its text, so that one
    without a zone is refused like any other (a date alone has none)."""
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return value


def _normalized(data: object) -> object:
    if not isinstance(data, dict) or not isinstance(data.get("assignments"), list):
        return data
    items = []
    for item in data["assignments"]:
        if isinstance(item, dict):
            item = {**item, "due": _as_text(item.get("due"))} if "due" in item else dict(item)
            late = item.get("late")
            if isinstance(late, dict) and "last_day" in late:
                item["late"] = {**late, "last_day": _as_text(late["last_day"])}
        items.append(item)
    return {**data, "assignments": items}


def _percent(value: float | None, where: str) -> float | None:
    if value is None:
        return None
    if not 0.0 <= value <= 100.0:
        raise SchemaError.coded(where, "assignment.percent_range", value=f"{value:g}")
    return value / 100.0


def _exercises(spec: AssignmentSpec, where: str, exercises: dict[str, Exercise]) -> tuple[str, ...]:
    for i, ex_id in enumerate(spec.exercises):
        if ex_id not in exercises:
            raise SchemaError.coded(f"{where}.exercises[{i}]", "assignment.unknown_exercise", id=ex_id)
    chapters = {ex.chapter for ex in exercises.values()}
    for i, chapter in enumerate(spec.chapters):
        if chapter not in chapters:
            raise SchemaError.coded(f"{where}.chapters[{i}]", "assignment.unknown_chapter",
                                    chapter=chapter, known=", ".join(str(c) for c in sorted(chapters)))
    chosen = set(spec.exercises) | {ex.id for ex in exercises.values() if ex.chapter in spec.chapters}
    if not chosen:
        raise SchemaError.coded(where, "assignment.empty")
    return tuple(ex_id for ex_id in exercises if ex_id in chosen)


def _policy(late: LateSpec, due: dt.datetime, where: str) -> LatePolicy:
    if late.grace_minutes < 0:
        raise SchemaError.coded(f"{where}.grace_minutes", "assignment.negative", value=f"{late.grace_minutes:g}")
    last_day = parse_moment(late.last_day, f"{where}.last_day") if late.last_day is not None else None
    if last_day is not None and last_day < due:
        raise SchemaError.coded(f"{where}.last_day", "assignment.last_day_before_due",
                                last_day=late.last_day, due=due.isoformat())
    return LatePolicy(grace=dt.timedelta(minutes=late.grace_minutes),
                      penalty=_percent(late.penalty_percent, f"{where}.penalty_percent") or 0.0,
                      unit=late.per, cap=_percent(late.cap_percent, f"{where}.cap_percent"),
                      last_day=last_day)


def build_assignments(data: object, exercises: dict[str, Exercise]) -> dict[str, Assignment]:
    """The assignments of the parsed `assignments.yaml`, checked against the set's exercises."""
    parsed = build(AssignmentsFile, _normalized(data))
    found: dict[str, Assignment] = {}
    for index, spec in enumerate(parsed.assignments):
        where = f"assignments[{index}]"
        if not _ID.match(spec.id):
            raise SchemaError.coded(f"{where}.id", "assignment.bad_id", id=spec.id)
        if spec.id in found:
            raise SchemaError.coded(f"{where}.id", "assignment.duplicate", id=spec.id)
        due = parse_moment(spec.due, f"{where}.due")
        found[spec.id] = Assignment(id=spec.id, title=spec.title, exercises=_exercises(spec, where, exercises),
                                    due=due, late=_policy(spec.late, due, f"{where}.late"))
    return found


def pack_data(assignments: dict[str, Assignment], shown: set[str]) -> dict[str, object]:
    """The `assignments.yaml` of a student pack: the assignments with their exercises the pack
    holds, each by id (a chapter's other exercises may not be in it), times with their zone."""
    items: list[dict[str, object]] = []
    for a in assignments.values():
        ids = [i for i in a.exercises if i in shown]
        if not ids:
            continue
        late: dict[str, object] = {"grace_minutes": a.late.grace.total_seconds() / 60,
                                   "penalty_percent": round(a.late.penalty * 100, 6), "per": a.late.unit}
        if a.late.cap is not None:
            late["cap_percent"] = round(a.late.cap * 100, 6)
        if a.late.last_day is not None:
            late["last_day"] = written_moment(a.late.last_day)
        items.append({"id": a.id, "title": {"en": a.title.en, "zh": a.title.zh},
                      "due": written_moment(a.due), "exercises": ids, "late": late})
    return {"assignments": items}
