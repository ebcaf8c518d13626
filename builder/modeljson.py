"""The model's frozen dataclasses <-> plain JSON values, for the cache (which must never hold code).

`dump` turns a Text, Note, Link, Term (and what they contain: Selector, Location, Author,
paths, tuples, dicts) into lists, dicts, strings and numbers; `load` rebuilds exactly the
same value from them, guided by the dataclass's type hints, and raises ValueError on
anything that does not fit, so a damaged cache row can never become a wrong value.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from pathlib import PurePosixPath
from typing import Any, TypeVar

T = TypeVar("T")


def dump(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: dump(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, PurePosixPath):
        return str(value)
    if isinstance(value, (tuple, list)):
        return [dump(v) for v in value]
    if isinstance(value, dict):
        return {str(k): dump(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot store a {type(value).__name__}")


def load(cls: type[T], data: Any) -> T:
    """The `cls` value `data` was dumped from; ValueError when it does not fit the type."""
    return typing.cast(T, _loader(typing.cast(Any, cls))(data))


Loader = typing.Callable[[Any], Any]


@functools.cache
def _loader(kind: Any) -> Loader:
    """A function that loads values of `kind` (made once per type: loading many values stays cheap)."""
    origin = typing.get_origin(kind)
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        return _dataclass_loader(kind)
    if kind is PurePosixPath:
        return _path
    if kind in (str, int, bool, float):
        return functools.partial(_exact, kind)
    if kind is type(None):
        return functools.partial(_exact, type(None))
    if origin in (typing.Union, types.UnionType):
        options = [_loader(option) for option in typing.get_args(kind)]
        return functools.partial(_first_fitting, options, kind)
    if origin is typing.Literal:
        allowed = typing.get_args(kind)
        return functools.partial(_one_of, allowed)
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _loader(args[0])
            return lambda data: tuple(item(v) for v in _exact(list, data))
        items = [_loader(a) for a in args]
        return lambda data: tuple(f(v) for f, v in zip(items, _exact(list, data), strict=True))
    if origin is dict:
        key, value = (_loader(a) for a in typing.get_args(kind))
        return lambda data: {key(k): value(v) for k, v in _exact(dict, data).items()}
    raise ValueError(f"cannot load {kind}")


def _dataclass_loader(cls: type) -> Loader:
    hints = typing.get_type_hints(cls)
    fields = {f.name: f.name for f in dataclasses.fields(cls) if f.init}

    def load_one(data: Any) -> Any:
        if not isinstance(data, dict) or not data.keys() <= fields.keys():
            raise ValueError(f"{cls.__name__}: not an object of its fields")
        return cls(**{name: _loader(hints[name])(value) for name, value in data.items()})

    return load_one


@functools.lru_cache(maxsize=4096)
def _path(data: Any) -> PurePosixPath:
    """Paths repeat (every entry of a file names it): each is made once."""
    return PurePosixPath(_exact(str, data))


def _exact(kind: type, data: Any) -> Any:
    if type(data) is not kind:
        raise ValueError(f"expected {kind.__name__}, got {type(data).__name__}")
    return data


def _first_fitting(options: list[Loader], kind: Any, data: Any) -> Any:
    for option in options:
        try:
            return option(data)
        except (ValueError, TypeError):
            continue
    raise ValueError(f"fits none of {kind}")


def _one_of(allowed: tuple[Any, ...], data: Any) -> Any:
    if data not in allowed:
        raise ValueError(f"{data!r} is not one of {allowed}")
    return data
