"""A cached property without ``functools.cached_property``'s lock.

In Python 3.11, ``functools.cached_property`` takes an RLock on every first access; the
checker's shared facts (a few per file, and ``Template.refs`` per template) are all first
accesses, so the lock costs more than most of them. Without it, two threads racing on a
first access may both compute the value: harmless here, as every use is a pure function of
immutable data. (Python 3.12 dropped the lock for the same reason.)
"""

from __future__ import annotations

from typing import Any, Callable, Generic, TypeVar, overload

_T = TypeVar("_T")


class cached_property(Generic[_T]):  # noqa: N801 - named as the one it replaces
    def __init__(self, func: Callable[[Any], _T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> "cached_property[_T]": ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> _T: ...

    def __get__(self, instance: object | None, owner: type | None = None) -> Any:
        if instance is None:
            return self
        # A non-data descriptor: once the value is in the instance's dict, lookups find it
        # there and never call this again.
        value = instance.__dict__[self.name] = self.func(instance)
        return value
