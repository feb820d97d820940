r"""Safe arithmetic expressions of a declared model: scalars and collective-spin operators.

A declared model (:mod:`steadysqueeze.models.declared`) writes its Hamiltonian and its
rates as text, e.g. ``"(Jx*Sx**2 + Jy*Sy**2 + Jz*Sz**2)/N"``. The text is parsed with
:mod:`ast` and **never** handed to :func:`eval`: only numbers, the declared parameter
names, ``N`` and the collective operators ``Sx, Sy, Sz, Sp, Sm`` (:math:`J^x, J^y, J^z,
J^\pm` of Huybrechts & Roscilde, arXiv:2402.16824) are accepted, combined by
``+ - * / **`` and parentheses. Every node is checked before anything is computed:

* an exponent is a number literal (optionally signed) with :math:`|p| \le 8`; on an
  operator it must be an integer :math:`0 \le p \le 8` (so ``Sx**100000`` and
  ``2**10**10`` are refused unevaluated);
* an operator may not stand in a denominator or an exponent;
* rate expressions are scalars (no operators).

Operators are evaluated in one total-spin block as sparse matrices
(:class:`~steadysqueeze.spin.CollectiveSpin`); products of operators are matrix products.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import reduce

import numpy as np
import scipy.sparse as sp

from .spin import CollectiveSpin

__all__ = ["DeclarationError", "Expression", "parse_expression", "OPERATORS",
           "RESERVED_NAMES", "MAX_POWER", "MAX_LENGTH"]

#: operator symbol -> (CollectiveSpin attribute, set of M changes it makes)
OPERATORS: dict[str, tuple[str, frozenset[int]]] = {
    "Sx": ("jx", frozenset({-1, 1})), "Sy": ("jy", frozenset({-1, 1})),
    "Sz": ("jz", frozenset({0})), "Sp": ("jp", frozenset({1})), "Sm": ("jm", frozenset({-1})),
}
#: names a parameter may not take
RESERVED_NAMES = frozenset(OPERATORS) | {"N"}
#: largest |exponent| accepted (on operators: integers 0 … MAX_POWER)
MAX_POWER = 8
#: longest expression text accepted, and most syntax-tree nodes
MAX_LENGTH = 1000
MAX_NODES = 400

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


class DeclarationError(ValueError):
    """A model declaration that cannot be accepted (message names the model and the field)."""


@dataclass(frozen=True)
class _Kind:
    """What a validated node evaluates to: a scalar, or an operator changing M by ``charges``."""

    operator: bool
    charges: frozenset[int] = frozenset({0})


#: M changes beyond this are only tracked by sign and parity (keeps the sets small)
MAX_CHARGE = 32


def _clamp(c: int) -> int:
    return c if abs(c) <= MAX_CHARGE else int(np.sign(c)) * (MAX_CHARGE + abs(c) % 2)


def _sumset(a: frozenset[int], b: frozenset[int]) -> frozenset[int]:
    """Changes of M of a product: all sums, clamped to ±(MAX_CHARGE + parity)."""
    return frozenset(_clamp(x + y) for x in a for y in b)


def _literal(node: ast.expr) -> float | None:
    """The value of a (signed) real number literal, or None."""
    sign = 1.0
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        sign = -1.0 if isinstance(node.op, ast.USub) else 1.0
        node = node.operand
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return sign * float(node.value)
    return None


@dataclass(frozen=True)
class Expression:
    """A validated expression; evaluate with :meth:`scalar` or :meth:`operator`.

    ``charges`` is the set of changes of M that the operator can make (structurally:
    cancellations are not seen; beyond ±MAX_CHARGE only sign and parity are kept), used
    to decide whether the parity of M − M' is conserved. ``MAX_NODES`` also bounds the
    nesting depth of the recursive walks.
    """

    text: str
    model: str
    field: str
    tree: ast.Expression
    is_operator: bool
    charges: frozenset[int]
    symbols: frozenset[str]

    def error(self, message: str) -> DeclarationError:
        return DeclarationError(f"model {self.model!r}: field {self.field!r}: {message}")

    def scalar(self, values: Mapping[str, float]) -> float:
        """Value of a scalar expression for parameter ``values`` (``N`` included if used)."""
        if self.is_operator:
            raise self.error("expected a number, got an operator expression")
        return float(self._evaluate(self.tree.body, values, None))

    def operator(self, values: Mapping[str, float], spin: CollectiveSpin) -> sp.csr_array:
        """The operator in the block of ``spin`` (a scalar expression times the identity)."""
        value = self._evaluate(self.tree.body, values, spin)
        if not sp.issparse(value):
            value = value * sp.eye_array(spin.dim, dtype=complex, format="csr")
        return sp.csr_array(value, dtype=complex)

    # -- evaluation (only on validated trees) ---------------------------------------
    def _evaluate(self, node: ast.expr, values: Mapping[str, float],
                  spin: CollectiveSpin | None):
        try:
            result = self._node(node, values, spin)
        except (ZeroDivisionError, OverflowError) as exc:
            raise self.error(f"cannot be evaluated for these parameters ({exc})") from None
        finite = np.isfinite(result.data).all() if sp.issparse(result) else \
            isinstance(result, float) and math.isfinite(result)
        if not finite:
            raise self.error(f"evaluates to a non-finite or complex value for {dict(values)}")
        return result

    def _node(self, node: ast.expr, values: Mapping[str, float], spin: CollectiveSpin | None):
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id in OPERATORS:
                return getattr(spin, OPERATORS[node.id][0])
            return float(values[node.id])
        if isinstance(node, ast.UnaryOp):
            operand = self._node(node.operand, values, spin)
            return -operand if isinstance(node.op, ast.USub) else operand
        assert isinstance(node, ast.BinOp)
        left = self._node(node.left, values, spin)
        if isinstance(node.op, ast.Pow):
            power = _literal(node.right)
            if sp.issparse(left):
                eye = sp.eye_array(left.shape[0], dtype=complex, format="csr")
                return reduce(lambda a, b: (a @ b).tocsr(), [left] * int(power), eye)
            value = left ** power
            if isinstance(value, complex):
                raise self.error(f"{left!r}**{power:g} is not a real number")
            return value
        right = self._node(node.right, values, spin)
        if isinstance(node.op, ast.Mult):
            return (left @ right).tocsr() if sp.issparse(left) and sp.issparse(right) \
                else left * right
        if isinstance(node.op, ast.Div):
            return left / right
        if sp.issparse(left) != sp.issparse(right):   # scalar ± operator: scalar times 1
            dim = (left if sp.issparse(left) else right).shape[0]
            eye = sp.eye_array(dim, dtype=complex, format="csr")
            left, right = (left * eye if not sp.issparse(left) else left,
                           right * eye if not sp.issparse(right) else right)
        return left + right if isinstance(node.op, ast.Add) else left - right


class _Validator:
    """Walks a syntax tree once, accepting only the grammar of the module docstring."""

    def __init__(self, model: str, field: str, scalars: frozenset[str], operators: bool):
        self.model, self.field = model, field
        self.scalars, self.operators = scalars, operators
        self.symbols: set[str] = set()

    def error(self, message: str) -> DeclarationError:
        return DeclarationError(f"model {self.model!r}: field {self.field!r}: {message}")

    def visit(self, node: ast.AST) -> _Kind:
        if isinstance(node, ast.Constant):
            if type(node.value) not in (int, float):
                raise self.error(f"only real numbers are allowed, got {node.value!r}")
            try:
                finite = math.isfinite(float(node.value))
            except OverflowError:
                finite = False
            if not finite:
                raise self.error(f"number {node.value!r} is not finite in double precision")
            return _Kind(False)
        if isinstance(node, ast.Name):
            return self._name(node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return self.visit(node.operand)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return self._binary(node)
        raise self.error(f"{type(node).__name__} is not allowed (only numbers, parameters, "
                         "N, Sx, Sy, Sz, Sp, Sm, + - * / ** and parentheses)")

    def _name(self, name: str) -> _Kind:
        if name in OPERATORS:
            if not self.operators:
                raise self.error(f"operator {name!r} is not allowed here (a rate is a number)")
            self.symbols.add(name)
            return _Kind(True, OPERATORS[name][1])
        if name not in self.scalars:
            known = sorted(self.scalars | (set(OPERATORS) if self.operators else set()))
            raise self.error(f"unknown symbol {name!r}; known: {', '.join(known)}")
        self.symbols.add(name)
        return _Kind(False)

    def _binary(self, node: ast.BinOp) -> _Kind:
        if isinstance(node.op, ast.Pow):
            power = _literal(node.right)
            if power is None:
                raise self.error("an exponent must be a number literal, e.g. Sx**2")
            base = self.visit(node.left)
            if base.operator and not (power.is_integer() and 0 <= power <= MAX_POWER):
                raise self.error(f"power {power:g} of an operator: must be an integer "
                                 f"0 … {MAX_POWER}")
            if abs(power) > MAX_POWER:
                raise self.error(f"power {power:g} exceeds {MAX_POWER} in absolute value")
            charges = reduce(_sumset, [base.charges] * int(power), frozenset({0})) \
                if base.operator else base.charges
            return _Kind(base.operator, charges)
        left, right = self.visit(node.left), self.visit(node.right)
        if isinstance(node.op, ast.Div):
            if right.operator:
                raise self.error("division by an operator is not allowed")
            return left
        if isinstance(node.op, ast.Mult):
            return _Kind(left.operator or right.operator, _sumset(left.charges, right.charges))
        return _Kind(left.operator or right.operator, left.charges | right.charges)


def parse_expression(text: object, *, model: str, field: str, parameters: Iterable[str],
                     operators: bool) -> Expression:
    """Validate ``text`` (a string or a real number) as an expression of ``parameters``,
    ``N`` and, if ``operators``, the collective operators; raise :class:`DeclarationError`.
    """
    def error(message: str) -> DeclarationError:
        return DeclarationError(f"model {model!r}: field {field!r}: {message}")

    if isinstance(text, (int, float)) and not isinstance(text, bool):
        text = repr(float(text))
    if not isinstance(text, str):
        raise error(f"expected an expression (text or number), got {type(text).__name__}")
    if not text.strip():
        raise error("empty expression")
    if len(text) > MAX_LENGTH:
        raise error(f"expression longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        detail = getattr(exc, "msg", None) or str(exc)
        raise error(f"syntax error: {detail} in {text!r}") from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise error(f"expression has more than {MAX_NODES} syntax nodes")
    validator = _Validator(model, field, frozenset(parameters) | {"N"}, operators)
    kind = validator.visit(tree.body)
    return Expression(text=text, model=model, field=field, tree=tree,
                      is_operator=kind.operator, charges=kind.charges,
                      symbols=frozenset(validator.symbols))
