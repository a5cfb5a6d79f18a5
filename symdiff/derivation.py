"""Derivations: the steps of a derivative, and how they are shown."""

from __future__ import annotations

from dataclasses import dataclass

from .diff import Step
from .expr import Expr, Sym

Stage = tuple[Expr, Step | None, Expr, Expr]  # (expression, step tree, raw result, simplified)


@dataclass(frozen=True, eq=False)
class Derivation:
    """`expr` differentiated in `var`: `.result` and the `.steps` that reached it."""

    expr: Expr
    var: Sym
    result: Expr
    stages: tuple[Stage, ...]

    @property
    def steps(self) -> tuple[Step, ...]:
        """The root step of each order's derivative."""
        return tuple(step for _, step, _, _ in self.stages if step is not None)

    def render(self, format: str = "text") -> str:
        if format != "text":
            raise ValueError(f"unknown format {format!r}; use 'text'")
        lines: list[str] = []
        for expr, step, raw, result in self.stages:
            lines.append(f"d/d{self.var} {expr}")
            stack = [(step, 1)] if step else []
            while stack:
                s, depth = stack.pop()
                lines.append(f"{'  ' * depth}{s.rule}: d/d{self.var} {s.expr} = {s.result}")
                stack.extend((c, depth + 1) for c in reversed(s.substeps))
            if raw is not result:
                lines.append(f"  simplify: {raw} = {result}")
            lines.append(f"= {result}")
        return "\n".join(lines)
