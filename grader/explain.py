"""`grader explain ID`: an exercise in words, with a worked example computed by the reference.

Everything shown comes from the spec (description, conventions, arguments, checks and their
points, the catalogued mistakes' hints) and from the trusted reference, run here in the grader's
own process on the spec's small fixed inputs. No student code is involved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import click

from .messages import codes, format_call, format_value, text
from .spec.schema import CheckSpec, Exercise, PropertySpec
from .starter import describe_arg, points, signature_line, wrap
from .facts import Facts

if TYPE_CHECKING:
    from .plan import Case
    from .session import GradingSession

#: worked examples shown, and the largest input (in entries) worth showing
MAX_EXAMPLES = 3
MAX_EXAMPLE_ENTRIES = 12


def _heading(title: str) -> list[str]:
    return ["", click.style(title, bold=True)]


def _indented(paragraph: str, indent: str = "  ", width: int = 96) -> list[str]:
    return [indent + line for line in wrap(paragraph, width - len(indent))]


def property_text(prop: PropertySpec, ex: Exercise, lang: str) -> str:
    code = f"explain.property.{prop.name}"
    if code not in codes():
        listed = ", ".join(f"{k}={format_value(v)}" for k, v in prop.params.items())
        return prop.name + (f" ({listed})" if listed else "")
    params = dict(prop.params)
    facts: dict[str, str] = {
        "min": format_value(params["min"]) if "min" in params else "−∞",
        "max": format_value(params["max"]) if "max" in params else "+∞",
        "total": format_value(params.get("total", 1)),
        "shift": format_value(params.get("shift", 100 if prop.name == "shift_invariant" else 1)),
        "arg": params.get("arg") or next(iter(ex.args), "x"),
        "values": ", ".join(format_value(v) for v in params.get("values", [])),
    }
    return text(code, lang).format(**facts)


def check_text(check: CheckSpec, ex: Exercise, lang: str) -> str:
    """What one check asserts, in a sentence."""
    from .plan import SMOOTH_EXAMPLES

    tol = check.tolerance or ex.tolerance
    facts: Facts = {"examples": ex.examples, "atol": format_value(tol.atol),
                             "rtol": format_value(tol.rtol), "count": len(ex.edge_cases),
                             "of": check.of or "", "kind": check.kind}
    if check.kind == "gradient":
        facts["count"] = min(ex.examples, SMOOTH_EXAMPLES)
        facts["wrt"] = ", ".join(f"`{w}`" for w in check.wrt or [str(check.params.get("wrt") or
                                                                    next(iter(ex.args), "x"))])
    if check.kind == "trajectory" and check.trajectory is not None:
        facts["steps"] = check.trajectory.steps
        oracle = check.trajectory.oracle
        facts["oracle"] = (text("explain.check.oracle", lang).format(optimizer=oracle.optimizer)
                           if oracle is not None else "")
    code = f"explain.check.{check.kind}"
    return text(code if code in codes() else "explain.check.other", lang).format(**facts)


def check_name(check: CheckSpec, lang: str) -> str:
    """As the report names it (see report/words.py): a catalogued name, else the kind's name."""
    name = check.name or check.kind
    code = f"check.{name}"
    return text(code, lang) if code in codes() else name


def worked_examples(ex: Exercise, reference: Callable[..., object], plan_case: Case | None = None
                    ) -> list[tuple[str, str]]:
    """(call, value) pairs from the reference on the spec's small fixed inputs."""
    import numpy as np

    from .judge.context import to_call
    from .plan import edge_cases
    from .run.inprocess import InProcessFunctions

    cases = [c for c in edge_cases(ex)
             if all(np.size(v) <= MAX_EXAMPLE_ENTRIES for v in c.values() if not isinstance(v, str))]
    cases = cases[:MAX_EXAMPLES] or edge_cases(ex)[:1]
    if not cases and plan_case is not None:
        cases = [plan_case]
    if not cases and not ex.args:
        cases = [{}]
    caller = InProcessFunctions({ex.id: reference})
    outcomes = caller.call(ex.id, [to_call(ex, c) for c in cases]) or []
    shown = []
    for case, outcome in zip(cases, outcomes, strict=False):
        value = (f"{outcome.error['type']}: {outcome.error['message']}" if outcome.error
                 else format_value(outcome.value))
        shown.append((format_call(ex.id, case), value))
    return shown


def explain_lines(ex: Exercise, lang: str, session: GradingSession | None = None, chapter_title: str = ""
                  ) -> list[str]:
    lines = [click.style(text("explain.heading", lang).format(
        id=ex.id, title=ex.title.get(lang), chapter=ex.chapter, points=points(ex.max_score)), bold=True)]
    if chapter_title:
        lines.append("  " + text("init.chapter", lang).format(chapter=ex.chapter, title=chapter_title))
    lines += _heading(text("explain.signature", lang))
    lines.append("  " + signature_line(ex).removesuffix(":"))
    lines += _heading(text("explain.description", lang)) + _indented(ex.description.get(lang))
    if ex.notes is not None:
        lines += _heading(text("explain.notes", lang)) + _indented(ex.notes.get(lang))
    if ex.args:
        lines += _heading(text("explain.args", lang))
        for name, arg in ex.args.items():
            lines += _indented(f"{name}: {describe_arg(arg, lang)}")
    lines += _heading(text("explain.checks", lang))
    for check in ex.checks:
        label = text("explain.points", lang).format(points=points(check.points))
        lines.append(f"  {label:<6}" + click.style(check_name(check, lang), bold=True))
        if check.visibility == "hidden":
            lines += _indented(text("explain.hidden", lang), " " * 8)
            continue
        lines += _indented(check_text(check, ex, lang), " " * 8)
        for prop in check.properties:
            lines += _indented("· " + property_text(prop, ex, lang), " " * 8)
    if ex.mistakes:
        lines += _heading(text("explain.mistakes", lang))
        for mistake in ex.mistakes:
            first, *rest = wrap(mistake.hint.get(lang), 92)
            lines += ["  · " + first] + ["    " + r for r in rest]
    if session is not None and ex.id in session.reference_functions:
        plan_case = None
        if not ex.edge_cases and ex.args:
            drawn = session.plan(ex).random
            plan_case = min(drawn, key=_size) if drawn else None
        examples = worked_examples(ex, session.reference_functions[ex.id], plan_case)
        if examples:
            lines += _heading(text("explain.example", lang))
            for call, value in examples:
                lines += _indented(text("explain.example_row", lang).format(call=call, value=value))
    lines += ["", text("explain.next", lang).format(id=ex.id)]
    return lines


def _size(case: dict) -> int:
    import numpy as np

    return sum(int(np.size(v)) for v in case.values() if not isinstance(v, str))
