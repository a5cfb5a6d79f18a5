"""Errors symdiff raises on purpose; each is a `ValueError`.  Also the notes it
gives (`ReadingNote` warnings), attributed to the caller's line."""

from __future__ import annotations

import sys
import warnings
import functools
from collections.abc import Callable, Iterator
from typing import ParamSpec, TypeVar
from contextlib import contextmanager
from contextvars import ContextVar


class SymdiffError(ValueError):
    """Base of every deliberate symdiff error."""


def position(text: str, k: int) -> tuple[int, int]:
    """The line and column (both from 1) of the character at index `k` of `text`."""
    return text.count("\n", 0, k) + 1, k - (text.rfind("\n", 0, k) + 1) + 1


CONTEXT_WIDTH = 40  # characters shown either side of the caret on a long line


class ParseError(SymdiffError):
    """Text that does not parse.  `str()` gives the reason, the line and a caret."""

    def __init__(self, reason: str, text: str, line: int, column: int) -> None:
        self.reason = reason
        self.text = text
        self.line = line
        self.column = column
        super().__init__(f"{reason} (line {line}, column {column})\n{self.context()}")

    def context(self) -> str:
        """The offending line with a caret under the fault."""
        lines = self.text.splitlines() or [""]
        source = lines[min(self.line, len(lines)) - 1]
        at = self.column - 1
        if len(source) > 2 * CONTEXT_WIDTH:  # a window around the fault, not a megabyte line
            start = max(0, at - CONTEXT_WIDTH)
            head = "..." if start else ""
            tail = "..." if start + 2 * CONTEXT_WIDTH < len(source) else ""
            source = head + source[start:start + 2 * CONTEXT_WIDTH] + tail
            at += len(head) - start
        return f"  {source}\n  {' ' * at}^"


def refuse(reason: str, text: str, at: int) -> ParseError:
    """A ParseError for `text` with the caret under its character at index `at`."""
    return ParseError(reason, text, *position(text, at))


class EvaluationError(SymdiffError):
    """A value outside the domain (`ln(-1)`, `1/0`) or a missing variable."""


class DifferentiationError(SymdiffError):
    """A derivative that cannot be taken (bad variable, negative order).  When
    the variable was left to choose among several, `.variables` lists them."""

    def __init__(self, message: str, variables: tuple[object, ...] = ()) -> None:
        super().__init__(message)
        self.variables = variables


class KindError(SymdiffError):
    """Values whose kinds do not combine: a matrix plus a scalar, `X*w` with
    mismatched inner dimensions, the square of a vector."""


class LimitError(SymdiffError):
    """Work past one of the bounds in `symdiff.limits` (order, result size, output
    length, sum terms): refused, as early as the cost is known."""


class ReadingNote(UserWarning):
    """How ambiguous text was read (`a(x+1)` as a product, `sinx` as sin(x)).

    Issued with `warnings.warn`; the command line prints it on stderr."""


class AssumptionNote(ReadingNote):
    """A condition a result relies on (`1 <= j <= N` when a sum's delta collapses)."""


_INSIDE = ("symdiff.", "lark.")  # modules whose lines are never the caller's


# The notes given so far in the current public call (None outside one): each is given once.
_GIVEN: ContextVar[set[tuple[type, str]] | None] = ContextVar("notes_given", default=None)


@contextmanager
def notes_once() -> Iterator[None]:
    """Within this block (a public call), a note repeated word for word is given once."""
    token = _GIVEN.set(set()) if _GIVEN.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _GIVEN.reset(token)


# The notes held back in the current reading (None when none is): see notes_held.
_HELD: ContextVar[list[tuple[str, type[ReadingNote]]] | None] = ContextVar("notes_held", default=None)


@contextmanager
def notes_held() -> Iterator[list[tuple[str, type[ReadingNote]]]]:
    """Within this block a note is kept in the list it gives, not issued: for a reading
    that may be dropped and redone; the caller issues them (`note`) once it stands."""
    held: list[tuple[str, type[ReadingNote]]] = []
    token = _HELD.set(held)
    try:
        yield held
    finally:
        _HELD.reset(token)


P = ParamSpec("P")
R = TypeVar("R")


def each_note_once(fn: Callable[P, R]) -> Callable[P, R]:
    """A public function within which a repeated note is given once (`notes_once`)."""
    @functools.wraps(fn)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        with notes_once():
            return fn(*args, **kwargs)
    return call


def note(message: str, category: type[ReadingNote] = ReadingNote) -> None:
    """Issue a note, attributed to the first line outside symdiff that led to it, so
    Python's default filter shows each note once per line of the caller's code."""
    held = _HELD.get()
    if held is not None:
        held.append((message, category))
        return
    given = _GIVEN.get()
    if given is not None:
        if (category, message) in given:
            return
        given.add((category, message))
    frame, level = sys._getframe(1), 2
    while frame is not None and (str(frame.f_globals.get("__name__")) + ".").startswith(_INSIDE):
        frame, level = frame.f_back, level + 1  # type: ignore[assignment]
    warnings.warn(message, category, stacklevel=level)
