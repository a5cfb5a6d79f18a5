"""The `symdiff-cli` directive: the command-line reference, read from the parser.

`symdiff.cli.build_parser()` is the one description of the command line; this
directive walks it (the main parser, then each sub-command) and writes a
section per command with its usage, description and arguments, so the
reference cannot drift from what `symdiff --help` prints.
"""

from __future__ import annotations

import argparse
import re

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

WIDTH = 80  # usage lines wrap here, whatever the terminal building the docs


def _escape(text: str) -> str:
    """Help text as reST that shows it literally (`t_{ik}`, `*`, backslashes)."""
    return re.sub(r"([\\`*_|])", r"\\\1", text)


def _usage(parser: argparse.ArgumentParser) -> str:
    formatter = parser.formatter_class(prog=parser.prog, width=WIDTH)
    formatter.add_usage(parser.usage, parser._actions, parser._mutually_exclusive_groups)
    return formatter.format_help().strip()


def _help(action: argparse.Action, prog: str) -> str:
    if not action.help:
        return ""
    # As argparse expands it: %(default)s, %(choices)s, %(prog)s.
    params = {k: v for k, v in vars(action).items() if v is not argparse.SUPPRESS}
    if params.get("choices") is not None:
        params["choices"] = ", ".join(map(str, params["choices"]))
    return action.help % dict(params, prog=prog)


def _invocation(action: argparse.Action) -> str:
    if not action.option_strings:
        return action.metavar or action.dest
    if action.nargs == 0:
        return ", ".join(action.option_strings)
    metavar = action.metavar or (
        "{" + ",".join(map(str, action.choices)) + "}" if action.choices else action.dest.upper()
    )
    return ", ".join(f"{o} {metavar}" for o in action.option_strings)


def _arguments(parser: argparse.ArgumentParser) -> list[str]:
    lines: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) or action.help == argparse.SUPPRESS:
            continue
        text = _escape(_help(action, parser.prog))
        extra = []
        if action.choices is not None and action.option_strings:
            extra.append("one of " + ", ".join(f"``{c}``" for c in action.choices))
        described = _help(action, parser.prog)
        if (action.option_strings and action.nargs != 0 and "default" not in described
                and action.default not in (None, [], argparse.SUPPRESS)):
            extra.append(f"default ``{action.default}``")
        repeatable = action.nargs in ("*", "+") or isinstance(action, argparse._AppendAction)
        if repeatable and "repeatable" not in described:
            extra.append("repeatable")
        if extra:
            text = f"{text} ({'; '.join(extra)})" if text else "; ".join(extra)
        lines += [f"``{_invocation(action)}``", f"   {text or 'no description'}", ""]
    return lines


def _section(parser: argparse.ArgumentParser, summary: str | None) -> list[str]:
    title = parser.prog
    lines = [title, "-" * len(title), ""]
    for text in (summary, parser.description, parser.epilog):
        if text:
            lines += [_escape(text), ""]
    lines += [".. code-block:: text", ""]
    lines += ["   " + line for line in _usage(parser).splitlines()]
    lines += [""] + _arguments(parser)
    return lines


def reference(parser: argparse.ArgumentParser) -> list[str]:
    """reST for `parser` and each of its sub-commands, in the order they were added."""
    lines = _section(parser, None)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            seen: set[int] = set()
            for name, sub in action.choices.items():
                if id(sub) not in seen:  # aliases share one parser
                    seen.add(id(sub))
                    lines += _section(sub, helps.get(name))
    return lines


class SymdiffCli(SphinxDirective):
    has_content = False

    def run(self) -> list[nodes.Node]:
        from symdiff.cli import build_parser

        content = StringList(reference(build_parser()), source="symdiff.cli.build_parser()")
        container = nodes.section()
        container.document = self.state.document
        nested_parse_with_titles(self.state, content, container)
        return container.children


def setup(app: Sphinx) -> dict[str, object]:
    app.add_directive("symdiff-cli", SymdiffCli)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
