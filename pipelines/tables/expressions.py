"""Arithmetic the table descriptions state: `hombres + mujeres = total_genero`.

A tiny, safe evaluator (names, numbers, + - * /) over exact Decimals, so the
same rule text serves blank placement, reconciliation and the docs.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from pipelines.report.numbers import quantize


class Undefined(ArithmeticError):
    """x / 0 with x ≠ 0: no printed figure can equal it."""


def _divide(a: Decimal, b: Decimal) -> Decimal:
    if b:
        return a / b
    if a:
        raise Undefined(f"{a} / 0")
    return Decimal(0)  # the report prints 0 / 0 as 0.00 %


_OPS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b, ast.Div: _divide}


@lru_cache(maxsize=256)
def _parse(expression: str) -> ast.expr:
    tree = ast.parse(expression, mode="eval").body
    for node in ast.walk(tree):
        if not isinstance(node, (ast.BinOp, ast.Name, ast.Constant, ast.Load, *_OPS)):
            raise ValueError(f"unsupported expression: {expression!r}")
    return tree


def names(expression: str) -> set[str]:
    return {n.id for n in ast.walk(_parse(expression)) if isinstance(n, ast.Name)}


def evaluate(expression: str, values: Mapping[str, Decimal | int]) -> Decimal:
    """Value of an expression; 0 / 0 is 0, as the report prints it; x / 0 raises `Undefined`."""

    def walk(node: ast.expr) -> Decimal:
        if isinstance(node, ast.Name):
            return Decimal(values[node.id])
        if isinstance(node, ast.Constant):
            return Decimal(str(node.value))
        assert isinstance(node, ast.BinOp)
        return _OPS[type(node.op)](walk(node.left), walk(node.right))

    return walk(_parse(expression))


@dataclass(frozen=True)
class Rule:
    """`target = expression`: the target field must equal the expression."""

    text: str
    target: str
    expression: str

    @classmethod
    def parse(cls, text: str) -> Rule:
        left, sep, right = text.partition("=")
        if not sep:
            raise ValueError(f"a rule needs '=': {text!r}")
        left, right = left.strip(), right.strip()
        # The side that is a bare field name is the target: "a + b = total" or "pct = a / b * 100".
        if left.isidentifier():
            return cls(text, left, right)
        if right.isidentifier():
            return cls(text, right, left)
        raise ValueError(f"one side of a rule must be a single field: {text!r}")

    @property
    def fields(self) -> set[str]:
        return names(self.expression) | {self.target}

    def expected(self, values: Mapping[str, Decimal | int], decimals: int | None) -> Decimal:
        value = evaluate(self.expression, values)
        return _round(value, decimals)

    def holds(self, values: Mapping[str, Decimal | int], decimals: int | None) -> bool:
        try:
            return Decimal(values[self.target]) == self.expected(values, decimals)
        except Undefined:
            return False

    def expected_text(self, values: Mapping[str, Decimal | int], decimals: int | None) -> str:
        """The expected value as the quality report words it ("indefinido" for x / 0)."""
        try:
            value = self.expected(values, decimals)
        except Undefined as undefined:
            return f"indefinido ({undefined})"
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)


def _round(value: Decimal, decimals: int | None) -> Decimal:
    return quantize(value, decimals) if decimals is not None else value
