"""Turn parsed YAML into schema dataclasses, or fail with `file: key.path: what was expected`.

A small type-hint-driven validator rather than a JSON-Schema library: the dataclasses in
`schema.py` are the single description of the format, and importing them costs nothing.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from typing import TYPE_CHECKING, Any, Callable, Literal, TypeVar, Union, get_args, get_origin

from .errors import english

if TYPE_CHECKING:
    from _typeshed import DataclassInstance
from ..facts import Facts

_MISSING = dataclasses.MISSING
T = TypeVar("T", bound="DataclassInstance")


class SchemaError(ValueError):
    """One violation, with the dotted key path where it was found.

    One made by `coded` also carries a message code and its facts (grader/messages.py), so that
    the loader's SpecError says it in the user's language."""

    def __init__(self, path: str, expected: str, code: str | None = None,
                 facts: Facts | None = None) -> None:
        super().__init__(f"{path or '<top>'}: {expected}")
        self.path = path
        self.expected = expected
        self.code = code
        self.facts = facts or {}

    @classmethod
    def coded(cls, path: str, code: str, **facts: object) -> SchemaError:
        """The violation at `path` whose words are the catalogue's `code`."""
        return cls(path, english(code, facts), code, facts)


def _join(path: str, key: object) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _describe(tp: object) -> str:
    origin = get_origin(tp)
    if tp is type(None):
        return "null"
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in get_args(tp))
    if origin is Union:
        return " or ".join(_describe(a) for a in get_args(tp))
    if origin is list:
        return f"a list of {_describe(get_args(tp)[0])}"
    if origin is dict:
        return "a mapping"
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return f"a mapping ({tp.__name__})"
    scalars: dict[object, str] = {float: "a number", int: "an integer", str: "a string", bool: "true or false"}
    return scalars.get(tp, str(getattr(tp, "__name__", tp)))


def convert(tp: object, value: object, path: str) -> object:
    """Check `value` against the type hint `tp` and build dataclasses on the way."""
    if tp is Any:
        return value
    converter = _CONVERTERS.get(get_origin(tp))
    if converter is not None:
        return converter(tp, value, path)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return build(tp, value, path)
    return _convert_scalar(tp, value, path)


def _convert_union(tp: object, value: object, path: str) -> object:
    """The first option that accepts the value; else the error found deepest inside it (a
    mapping that is almost right says which key is wrong), else what every option expects."""
    errors = []
    for option in get_args(tp):
        try:
            return convert(option, value, path)
        except SchemaError as exc:
            errors.append(exc)
    deepest = max(errors, key=lambda e: len(e.path))
    if deepest.path != path:
        raise deepest
    raise SchemaError(path, f"expected {_describe(tp)}, got {value!r}")


def _convert_literal(tp: object, value: object, path: str) -> object:
    if value in get_args(tp):
        return value
    raise SchemaError(path, f"expected {_describe(tp)}, got {value!r}")


def _convert_list(tp: object, value: object, path: str) -> list[object]:
    if not isinstance(value, list):
        raise SchemaError(path, f"expected {_describe(tp)}, got {type(value).__name__}")
    (item,) = get_args(tp)
    return [convert(item, v, _join(path, i)) for i, v in enumerate(value)]


def _convert_dict(tp: object, value: object, path: str) -> dict[object, object]:
    if not isinstance(value, dict):
        raise SchemaError(path, f"expected a mapping, got {type(value).__name__}")
    key_tp, value_tp = get_args(tp)
    return {convert(key_tp, k, _join(path, k)): convert(value_tp, v, _join(path, k))
            for k, v in value.items()}


_CONVERTERS: dict[object, Callable[[object, object, str], object]] = {
    Union: _convert_union, Literal: _convert_literal, list: _convert_list, dict: _convert_dict,
}


def _number(value: object) -> float | None:
    """A YAML number as a float (YAML 1.1 reads 1e-4, without a dot, as a string); None if not one."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _convert_scalar(tp: object, value: object, path: str) -> object:
    """null, a number, an integer, true/false or a string: exactly that, never coerced (but a
    number written as a string, see `_number`)."""
    if tp is type(None):
        accepted = value is None
    elif tp is float:
        number = _number(value)
        if number is not None:
            return number
        accepted = False
    elif tp is int:
        accepted = isinstance(value, int) and not isinstance(value, bool)
    elif tp is bool:
        accepted = isinstance(value, bool)
    elif tp is str:
        accepted = isinstance(value, str)
    else:
        raise TypeError(f"schema uses an unsupported type {tp!r}")  # a bug in schema.py
    if not accepted:
        raise SchemaError(path, f"expected {_describe(tp)}, got {value!r}")
    return value


@functools.lru_cache(maxsize=None)
def _schema_of(cls: type[DataclassInstance]) -> tuple[dict[str, object], dict[str, dataclasses.Field[object]]]:
    """A dataclass's resolved type hints and fields, once per class: resolving the string
    annotations (typing.get_type_hints) for every object built was 60 % of loading the specs."""
    return typing.get_type_hints(cls), {f.name: f for f in dataclasses.fields(cls)}


def build(cls: type[T], value: object, path: str = "", **extra: object) -> T:
    """Build dataclass `cls` from a mapping, rejecting unknown keys and missing required ones;
    `extra` are fields given by the caller, not by the YAML."""
    if not isinstance(value, dict):
        raise SchemaError(path, f"expected {_describe(cls)}, got {type(value).__name__}")
    hints, fields = _schema_of(cls)
    _reject_unknown_keys(value, fields, extra, path)
    kwargs: dict[str, object] = dict(extra)
    for name, f in fields.items():
        if name in extra:
            continue
        if name in value:
            kwargs[name] = convert(hints[name], value[name], _join(path, name))
        elif f.default is _MISSING and f.default_factory is _MISSING:
            raise SchemaError(_join(path, name), f"missing (expected {_describe(hints[name])})")
    return cls(**kwargs)


def _reject_unknown_keys(value: dict[object, object], fields: dict[str, dataclasses.Field[object]],
                         extra: dict[str, object], path: str) -> None:
    """A key the dataclass does not have (or one the caller sets) is a typo: say what is allowed."""
    for key in value:
        if key not in fields or key in extra:
            allowed = ", ".join(sorted(k for k in fields if k not in extra))
            raise SchemaError(_join(path, key), f"unknown key (allowed: {allowed})")
