"""Text -> tokens -> LALR(1) reductions, over the tables Lark computes for a grammar.

The grammar file stays the one owner of the syntax: Lark compiles it (states,
actions, terminals, rules) and `tables` keeps the result as plain data, marshalled
to a cache file keyed by the grammar's full text, so a changed grammar or
function row is rebuilt and a start-up neither imports lark nor compiles its
scanners.  `Reader` runs the tables: a contextual lexer (one scanner over every
terminal, and a state's own scanner, compiled when first needed, where that
state cannot take the token the first one found) and a table-driven parser that
makes the same calls to the transformer as Lark (aliases, `?rule` inlining,
`_rule` splicing, filtered anonymous tokens, arguments inline).  Whatever it
cannot decide (a syntax error, a callback's error) raises `Undecided`: the
caller then runs Lark itself, for its errors and explanations.
"""

from __future__ import annotations

import marshal
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from itertools import chain
from typing import Any

# Bump when the layout of the tables below changes: older cache files are then rebuilt.
FORMAT = 1
CACHE_ENV = "SYMDIFF_CACHE_DIR"


class Undecided(Exception):
    """The fast reader cannot read this text; the caller runs Lark."""


class Token(str):
    """A terminal matched in the text, with where it stands (as Lark's tokens have it)."""

    __slots__ = ("type", "start_pos", "line", "column", "end_line", "end_column", "end_pos")
    type: str
    start_pos: int | None
    line: int | None
    column: int | None
    end_line: int | None
    end_column: int | None
    end_pos: int | None

    def __new__(cls, type: str, value: str, start_pos: int | None = None, line: int | None = None,
                column: int | None = None, end_line: int | None = None, end_column: int | None = None,
                end_pos: int | None = None) -> Token:
        tok = str.__new__(cls, value)
        tok.type = type
        tok.start_pos = start_pos
        tok.line = line
        tok.column = column
        tok.end_line = end_line
        tok.end_column = end_column
        tok.end_pos = end_pos
        return tok

    @property
    def value(self) -> str:
        return str(self)

    @classmethod
    def new_borrow_pos(cls, type: str, value: str, borrow: Any) -> Token:
        """A token of another kind or text at the place of `borrow`."""
        return cls(type, value, borrow.start_pos, borrow.line, borrow.column, borrow.end_line,
                   borrow.end_column, borrow.end_pos)

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {str(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Token, (self.type, str(self), self.start_pos, self.line, self.column, self.end_line,
                        self.end_column, self.end_pos))


_END = Token("$END", "")  # the end of the text, as the tables name it


# ------------------------------------------------------------------ the tables


Tables = dict[str, Any]


def build(parser: Any) -> Tables | None:
    """The tables of a Lark LALR parser with a contextual lexer, as plain data;
    None when it uses a feature `Reader` does not run (the caller keeps Lark)."""
    from lark.parsers.lalr_analysis import Shift

    options = parser.options
    if (options.parser != "lalr" or options.lexer != "contextual" or options.maybe_placeholders
            or options.propagate_positions or options.regex or options.g_regex_flags or options.use_bytes
            or options.lexer_callbacks or len(options.start) != 1):
        return None
    frontend = parser.parser
    lexer = getattr(frontend.lexer, "lexer", frontend.lexer)  # inside the post-lexer's connector
    table = frontend.parser._parse_table
    root = lexer.root_lexer
    distinct = {id(one): one for one in [root, *lexer.lexers.values()]}
    for one in distinct.values():
        one.scanner  # noqa: B018 -- builds the scanner and its callbacks, to look at them
        if one.callback:  # a string terminal folded into a regular one: not run here
            return None
    terminals = [(t.name, t.pattern.to_regexp()) for t in root.scanner.terminals]
    if len(terminals) >= 100:  # Python's limit on groups in one pattern
        return None
    order = {name: k for k, (name, _) in enumerate(terminals)}
    scanners: dict[tuple[str, ...], int] = {}
    lexer_of = []
    for state in range(len(table.states)):
        names = tuple(t.name for t in lexer.lexers[state].scanner.terminals)
        ranks = [order.get(n, -1) for n in names]
        if -1 in ranks or ranks != sorted(ranks):
            return None  # the one scanner answers for a state only if it tries the state's terminals in its order
        lexer_of.append(scanners.setdefault(names, len(scanners)))
    rules: dict[Any, int] = {}
    actions = []
    for state in range(len(table.states)):
        row = {}
        for symbol, (action, arg) in table.states[state].items():
            if action is Shift:
                row[symbol] = arg
            else:
                row[symbol] = -1 - rules.setdefault(arg, len(rules))
        actions.append(row)
    start = options.start[0]
    return {
        "terminals": terminals,
        "ignore": sorted(root.ignore_types),
        "newline": sorted(root.newline_types),
        "scanners": list(scanners),
        "lexer_of": lexer_of,
        "actions": actions,
        "rules": [_rule(rule) for rule in rules],
        "start": table.start_states[start],
        "end": table.end_states[start],
    }


def _rule(rule: Any) -> tuple[str, int, str, bool, list[tuple[int, bool]] | None]:
    """(origin, length, callback, expand1, children kept): how a reduction calls back,
    as Lark's tree builder decides it for an LALR parser without placeholders."""
    keep_all = rule.options.keep_all_tokens
    kept = [(i, not sym.is_term and sym.name.startswith("_")) for i, sym in enumerate(rule.expansion)
            if keep_all or not (sym.is_term and sym.filter_out)]
    filtered = len(kept) < len(rule.expansion) or any(splice for _, splice in kept)
    callback = rule.alias or rule.options.template_source or rule.origin.name
    return (rule.origin.name, len(rule.expansion), callback, bool(rule.options.expand1 and not rule.alias),
            kept if filtered else None)


def cache_dir() -> str:
    """Where the tables are kept: $SYMDIFF_CACHE_DIR, else the user's cache folder."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen:
        return chosen
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "symdiff")


def cache_path(name: str, grammar: str) -> str:
    from zlib import crc32  # loaded already (symdiff.core.expr); binascii is not

    tag = sys.implementation.cache_tag or "python"
    return os.path.join(cache_dir(), f"{name}-{crc32(grammar.encode()):08x}-{tag}.tables")


def tables(name: str, grammar: str, compile_: Callable[[], Any]) -> Tables | None:
    """The tables of `grammar` (its full text): from the cache when it holds them for
    this very text, else built from the Lark parser `compile_()` gives and cached.
    A missing, stale or damaged cache file is rebuilt, never an error."""
    path = cache_path(name, grammar)
    try:
        with open(path, "rb") as f:
            kept = marshal.loads(f.read())  # ten times faster than marshal.load(f), which reads piece by piece
        if type(kept) is tuple and len(kept) == 3 and kept[0] == FORMAT and kept[1] == grammar:
            return _checked(kept[2])
    except (OSError, EOFError, ValueError, TypeError, KeyError, IndexError):
        pass
    parser = compile_()
    try:
        built = build(parser)
    except (AttributeError, KeyError, TypeError, ValueError):  # a Lark whose internals moved: Lark reads all
        built = None
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        partial = f"{path}.{os.getpid()}"
        with open(partial, "wb") as f:
            marshal.dump((FORMAT, grammar, built), f)
        os.replace(partial, path)  # whole, so a reader never sees half a file
    except OSError:
        pass  # a read-only home: build again next time
    return built


def _checked(data: Any) -> Tables | None:
    """`data` if it has the shape `build` gives (a damaged file may unmarshal to anything)."""
    if data is None:
        return None
    keys = {"terminals", "ignore", "newline", "scanners", "lexer_of", "actions", "rules", "start", "end"}
    if type(data) is not dict or set(data) != keys:
        raise ValueError("not a table")
    states = len(data["actions"])
    if len(data["lexer_of"]) != states or not 0 <= data["start"] < states or not 0 <= data["end"] < states:
        raise ValueError("not a table")
    return data


# ------------------------------------------------------------------ the reader


class Reader:
    """Runs `tables` with `transformer`'s callbacks and an optional post-lexer
    (anything with `process(tokens) -> tokens`, as Lark's `postlex`)."""

    def __init__(self, tables: Tables, transformer: Any, postlex: Any = None) -> None:
        names = [name for name, _ in tables["terminals"]]
        if any(hasattr(transformer, name) for name in names):
            raise ValueError("a transformer method named after a terminal is not run by Reader")
        self.terminals = dict(tables["terminals"])
        self.root = _scanner(tables["terminals"])
        self.scanners: list[Any] = [None] * len(tables["scanners"])
        self.accepts = [frozenset(names) for names in tables["scanners"]]
        self.scanner_names = [tuple(names) for names in tables["scanners"]]
        self.lexer_of = tables["lexer_of"]
        self.ignore = frozenset(tables["ignore"])
        self.newline = frozenset(tables["newline"])
        self.actions = tables["actions"]
        self.start = tables["start"]
        self.end = tables["end"]
        self.postlex = postlex
        self.rules = [(size, origin, _reduction(transformer, callback, expand1, kept, size))
                      for origin, size, callback, expand1, kept in tables["rules"]]

    def scanner(self, k: int) -> Any:
        """The scanner of the terminals the k-th set of states accepts, compiled once."""
        found = self.scanners[k]
        if found is None:
            found = self.scanners[k] = _scanner([(n, self.terminals[n]) for n in self.scanner_names[k]])
        return found

    def lex(self, text: str, states: list[int]) -> Iterator[Token]:
        """The tokens of `text`, each read by the scanner of the state the parser is in
        when it asks (`states`, the parser's stack)."""
        match = self.root.match
        lexer_of, accepts, ignore, newline = self.lexer_of, self.accepts, self.ignore, self.newline
        new = str.__new__
        pos, line, line_start, end = 0, 1, 0, len(text)
        while pos < end:
            m = match(text, pos)
            k = lexer_of[states[-1]]
            if m is None or m.lastgroup not in accepts[k]:
                # The first terminal that matches here is not one this state takes: its own
                # scanner (the same order, fewer terminals) decides.
                m = self.scanner(k).match(text, pos)
                if m is None:
                    raise Undecided("unexpected character")
            kind, value, stop = m.lastgroup, m.group(), m.end()
            start_line, column = line, pos - line_start + 1
            if kind in newline and "\n" in value:
                line += value.count("\n")
                line_start = pos + value.rindex("\n") + 1
            if kind not in ignore:
                tok = new(Token, value)  # Token(...) spelt out: a third of the lexer's time otherwise
                tok.type, tok.start_pos, tok.line, tok.column = kind, pos, start_line, column
                tok.end_line, tok.end_column, tok.end_pos = line, stop - line_start + 1, stop
                yield tok
            pos = stop

    def parse(self, text: str) -> Any:
        """The transformer's value for the whole of `text`."""
        actions, rules = self.actions, self.rules
        states = [self.start]
        values: list[Any] = []
        stream = self.lex(text, states)
        tokens = self.postlex.process(stream) if self.postlex is not None else stream
        end = self.end
        for tok in chain(tokens, (_END,)):
            kind = tok.type
            while True:
                action = actions[states[-1]].get(kind)
                if action is None or action >= 0 and tok is _END:
                    raise Undecided(f"unexpected {kind}")
                if action >= 0:
                    states.append(action)
                    values.append(tok)
                    break
                size, origin, reduce = rules[-1 - action]
                if reduce is None:  # a `?rule` of one symbol: its value stays, only the state moves
                    states[-1] = actions[states[-2]][origin]
                else:
                    if size:
                        children = values[-size:]
                        del values[-size:]
                        del states[-size:]
                    else:
                        children = []
                    values.append(reduce(children))
                    states.append(actions[states[-1]][origin])
                if states[-1] == end:  # only the end of the text reduces to the start symbol
                    return values[-1]
        raise Undecided("unexpected end")


def _scanner(terminals: Sequence[tuple[str, str]]) -> Any:
    # One alternative per terminal, in Lark's order: the first that matches wins.
    return re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in terminals))


def _reduction(transformer: Any, callback: str, expand1: bool,
               kept: list[tuple[int, bool]] | None, size: int) -> Callable[[list[Any]], Any] | None:
    """What reducing by one rule does with the values of its symbols; None when the
    rule's value is that of its one symbol (`?rule: atom`)."""
    if expand1 and size == 1 and kept is None:
        return None
    method = None if callback.startswith("_") else getattr(transformer, callback, None)
    if callback.startswith("_"):
        def call(children: list[Any]) -> Any:
            return children  # a `_rule`: its parent takes these children in its place
    elif method is None:
        def call(children: list[Any]) -> Any:
            if expand1 and len(children) == 1:
                return children[0]
            raise Undecided(f"no callback for {callback}")  # Lark would build a Tree
    elif expand1:
        def call(children: list[Any]) -> Any:
            return children[0] if len(children) == 1 else method(*children)
    else:
        def call(children: list[Any]) -> Any:
            return method(*children)
    if kept is None:
        return call
    if not kept:  # every symbol filtered out
        return lambda children: call([])
    first, rest = kept[0], kept[1:]

    def filtered(children: list[Any]) -> Any:
        i, splice = first
        out = children[i] if splice else [children[i]]  # a left-recursive `_rule` grows one list
        for i, splice in rest:
            if splice:
                out += children[i]
            else:
                out.append(children[i])
        return call(out)

    return filtered
