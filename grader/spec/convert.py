"""Turn parsed YAML into schema dataclasses, or fail with `file: key.path: what was expected`.

A small type-hint-driven validator rather than a JSON-Schema library: the dataclasses in
`schema.py` are the single description of the format, and importing them costs nothing.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from typing import Any, Literal, Union, get_args, get_origin

_MISSING = dataclasses.MISSING


class SchemaError(ValueError):
    """One violation, with the dotted key path where it was found."""

    def __init__(self, path: str, expected: str) -> None:
        super().__init__(f"{path or '<top>'}: {expected}")
        self.path = path
        self.expected = expected


def _join(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _describe(tp: Any) -> str:
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
    return {float: "a number", int: "an integer", str: "a string", bool: "true or false"}.get(
        tp, getattr(tp, "__name__", str(tp))
    )


def convert(tp: Any, value: Any, path: str) -> Any:
    """Check `value` against the type hint `tp` and build dataclasses on the way."""
    origin = get_origin(tp)
    if tp is Any:
        return value
    if tp is type(None):
        if value is None:
            return None
        raise SchemaError(path, f"expected null, got {value!r}")
    if origin is Union:
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
    if origin is Literal:
        if value in get_args(tp):
            return value
        raise SchemaError(path, f"expected {_describe(tp)}, got {value!r}")
    if origin is list:
        if not isinstance(value, list):
            raise SchemaError(path, f"expected {_describe(tp)}, got {type(value).__name__}")
        (item,) = get_args(tp)
        return [convert(item, v, _join(path, i)) for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise SchemaError(path, f"expected a mapping, got {type(value).__name__}")
        key_tp, value_tp = get_args(tp)
        return {convert(key_tp, k, _join(path, k)): convert(value_tp, v, _join(path, k))
                for k, v in value.items()}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return build(tp, value, path)
    if tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):  # YAML 1.1 reads 1e-4 (no dot) as a string
            try:
                return float(value)
            except ValueError:
                pass
        raise SchemaError(path, f"expected a number, got {value!r}")
    if tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise SchemaError(path, f"expected an integer, got {value!r}")
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise SchemaError(path, f"expected true or false, got {value!r}")
    if tp is str:
        if isinstance(value, str):
            return value
        raise SchemaError(path, f"expected a string, got {value!r}")
    raise TypeError(f"schema uses an unsupported type {tp!r}")  # a bug in schema.py


@functools.lru_cache(maxsize=None)
def _schema_of(cls: type) -> tuple[dict[str, Any], dict[str, dataclasses.Field]]:
    """A dataclass's resolved type hints and fields, once per class: resolving the string
    annotations (typing.get_type_hints) for every object built was 60 % of loading the specs."""
    return typing.get_type_hints(cls), {f.name: f for f in dataclasses.fields(cls)}


def build(cls: type, value: Any, path: str = "", **extra: Any) -> Any:
    """Build dataclass `cls` from a mapping, rejecting unknown keys and missing required ones."""
    if not isinstance(value, dict):
        raise SchemaError(path, f"expected {_describe(cls)}, got {type(value).__name__}")
    hints, fields = _schema_of(cls)
    for key in value:
        if key not in fields or key in extra:
            allowed = ", ".join(sorted(k for k in fields if k not in extra))
            raise SchemaError(_join(path, key), f"unknown key (allowed: {allowed})")
    kwargs: dict[str, Any] = dict(extra)
    for name, f in fields.items():
        if name in extra:
            continue
        if name in value:
            kwargs[name] = convert(hints[name], value[name], _join(path, name))
        elif f.default is _MISSING and f.default_factory is _MISSING:
            raise SchemaError(_join(path, name), f"missing (expected {_describe(hints[name])})")
    return cls(**kwargs)
