"""What a model formula may contain, checked before any of it is evaluated.

formulaic, the formula library, evaluates the Python in a formula (a ``{...}`` block, a call such
as ``I(...)``, every name) with Python's ``eval``, so a formula from a command line or a
configuration file could run any code. :func:`check_formula` is called by every entry point
(:func:`~coalitionlab.models.participation.fit_participation` and so ``predict`` and ``cv``,
:func:`~coalitionlab.models.validation.cross_validate`, the permutation test and the cluster
bootstrap, :func:`~coalitionlab.models.robustness.robustness`) before formulaic sees the string. It
reads the formula with its own small tokenizer and parser and allows only:

* one ``~`` between the outcome and the regressors;
* the term operators ``+``, ``-`` (remove a term), ``:`` and ``*`` (interactions), ``/`` (nesting),
  ``**`` followed by a whole number (all interactions up to that order) and parentheses;
* the intercept terms ``0`` and ``1`` (and other numeric literals);
* column names of the data (ASCII identifiers, not starting with ``__``);
* the transforms in :data:`TRANSFORMS`, each with one argument: ``C(column)``; ``log, log1p, log2,
  log10, exp, sqrt, abs`` (:data:`ELEMENTWISE`) of an arithmetic expression; ``I(...)`` of an
  arithmetic expression. An arithmetic expression is ``+ - * / **`` of columns, numbers,
  parentheses and the element-wise transforms.

formulaic's ``center`` and ``scale`` are not allowed: they take the mean over every row, so one
missing value makes the whole column missing and every row is dropped. Standardise a column in the
data before fitting instead.

Everything else (attribute access such as ``np.log(x)`` or ``x.__class__``, subscripts, ``{...}``
blocks, strings, backticks, keyword arguments, lambdas, other functions, names beginning with
``__``) raises :class:`~coalitionlab.errors.EstimationError` with one line naming the piece. The
transforms are evaluated with :data:`FORMULA_CONTEXT` (numpy's functions for the names formulaic
does not define), never with the caller's variables.
"""

from __future__ import annotations

import difflib
import keyword
import re
from collections.abc import Iterable
from typing import Any

import numpy as np

from coalitionlab.errors import EstimationError

__all__ = ["ELEMENTWISE", "FORMULA_CONTEXT", "TRANSFORMS", "check_formula"]

#: The element-wise functions allowed anywhere a number may stand (also inside ``I(...)``).
ELEMENTWISE: dict[str, str] = {
    "log": "natural logarithm",
    "log1p": "log(1 + x), finite at 0 (numpy.log1p)",
    "log2": "base-2 logarithm",
    "log10": "base-10 logarithm",
    "exp": "exponential",
    "sqrt": "square root (numpy.sqrt)",
    "abs": "absolute value (numpy.abs)",
}

#: Every function a formula may call, with what it does. Each takes exactly one argument.
TRANSFORMS: dict[str, str] = {
    **ELEMENTWISE,
    "C": "treat a column as categorical (one dummy per level but the first): C(column)",
    "I": "arithmetic as written, e.g. I(distance_log ** 2): + - * / ** of columns, numbers and "
         + ", ".join(ELEMENTWISE),
}

#: The names formulaic does not define itself, given to it when it evaluates a checked formula.
FORMULA_CONTEXT: dict[str, Any] = {"log1p": np.log1p, "sqrt": np.sqrt, "abs": np.abs}

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\*\*|[~+\-*/:(),])
""", re.VERBOSE)

_WHY = {
    ".": "attribute access is not allowed (write log(x), not np.log(x))",
    "{": "a {...} block is Python code; it is not allowed",
    "}": "a {...} block is Python code; it is not allowed",
    "[": "subscripts are not allowed",
    "]": "subscripts are not allowed",
    "'": "strings are not allowed",
    '"': "strings are not allowed",
    "`": "quoted names are not allowed; columns must be plain names",
    "=": "keyword arguments and assignments are not allowed",
    "|": "multi-part formulas are not supported",
    "^": "'^' is not an operator here; use '**'",
    "%": "'%' is not allowed",
    "@": "'@' is not allowed",
    "\\": "a backslash is not allowed",
    "#": "comments are not allowed",
}


def check_formula(formula: str, columns: Iterable[str] | None = None) -> str:
    """Check that a model formula holds only columns, operators and the documented transforms.

    Nothing is evaluated: the formula is read by a tokenizer and parser of its own (module
    docstring: the rules), so code in it never runs.

    Parameters
    ----------
    formula
        A Wilkinson formula, e.g. ``"joined ~ embeddedness_log1p + I(distance_log ** 2) + C(kind)"``.
    columns
        The data's columns. Every name must be one of them (an unknown name is an error that names
        the closest columns). None: the names are not checked against data (syntax only).

    Returns
    -------
    str
        ``formula``, unchanged.

    Raises
    ------
    EstimationError
        One line naming the piece that is not allowed, or the unknown column.

    Examples
    --------
    >>> check_formula("joined ~ x + I(2 * x) + log1p(z)", ["joined", "x", "z"])
    'joined ~ x + I(2 * x) + log1p(z)'
    >>> check_formula("joined ~ np.log(x)")
    Traceback (most recent call last):
    ...
    coalitionlab.errors.EstimationError: cannot build the design from 'joined ~ np.log(x)': 'np.log': attribute access is not allowed (write log(x), not np.log(x))
    """
    if not isinstance(formula, str) or "~" not in formula or not formula.split("~", 1)[0].strip() \
            or not formula.split("~", 1)[1].strip():
        raise EstimationError(f"formula {formula!r} needs an outcome, '~' and regressors, "
                              "e.g. 'joined ~ embeddedness_log1p + cinc'")
    _Parser(formula, None if columns is None else [str(c) for c in columns]).parse()
    return formula


class _Parser:
    """Recursive descent over the tokens; raises at the first piece that is not allowed."""

    def __init__(self, formula: str, columns: list[str] | None) -> None:
        self.formula, self.columns = formula, columns
        self.known = None if columns is None else set(columns)
        self.tokens = self._tokenize()
        self.i = 0

    # ------------------------------------------------------------------ helpers
    def fail(self, problem: str) -> EstimationError:
        return EstimationError(f"cannot build the design from {self.formula!r}: {problem}")

    def _tokenize(self) -> list[tuple[str, str, int]]:
        """The tokens; a piece that is not allowed ends the list as a ``bad`` token, raised when the
        parser reaches it (so the first problem in reading order is the one reported)."""
        text, pos, out = self.formula, 0, []
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None:
                why = _WHY.get(text[pos], f"the character {text[pos]!r} is not allowed in a formula")
                out.append(("bad", f"{_piece(text, pos)!r}: {why}", pos))
                break
            kind = m.lastgroup
            if kind == "number" and m.end() < len(text) and (text[m.end()].isalpha() or text[m.end()] == "_"):
                end = m.end()
                while end < len(text) and (text[end].isalnum() or text[end] in "_."):
                    end += 1
                out.append(("bad", f"{text[pos:end]!r} is not a number or a column name", pos))
                break
            if kind != "space":
                out.append((kind, m.group(), pos))
            pos = m.end()
        return out

    def peek(self) -> tuple[str, str, int] | None:
        tok = self.tokens[self.i] if self.i < len(self.tokens) else None
        if tok is not None and tok[0] == "bad":
            raise self.fail(tok[1])
        return tok

    def at(self, *values: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[0] == "op" and tok[1] in values

    def take(self, missing: str = "a term") -> tuple[str, str, int]:
        tok = self.peek()
        if tok is None:
            prev = self.tokens[self.i - 1][1] if self.i else ""
            raise self.fail(f"the formula ends after {prev!r}; {missing} is missing")
        self.i += 1
        return tok

    def expect(self, value: str) -> None:
        tok = self.take(f"{value!r}")
        if tok[1] != value:
            raise self.unexpected(tok, f"expected {value!r}")

    def close(self, name: str) -> None:
        """The ')' that ends the one argument of ``name(``."""
        tok = self.take(f"the ')' closing {name}(")
        if tok[1] == ",":
            raise self.fail(f"{name}(...) takes one argument; a second one is not allowed")
        if tok[1] != ")":
            hint = ("only + - * / ** of columns, numbers and " + ", ".join(ELEMENTWISE) + " inside a transform"
                    if name != "C" else "C() takes one column name")
            raise self.unexpected(tok, hint)

    def unexpected(self, tok: tuple[str, str, int], hint: str = "") -> EstimationError:
        where = f"at position {tok[2] + 1}"
        return self.fail(f"unexpected {tok[1]!r} {where}" + (f" ({hint})" if hint else ""))

    def column(self, tok: tuple[str, str, int]) -> None:
        name = tok[1]
        if keyword.iskeyword(name):
            raise self.fail(f"{name!r}: Python keywords are not allowed")
        if name.startswith("__"):
            raise self.fail(f"{name!r}: names beginning with '__' are not allowed")
        if self.known is not None and name not in self.known:
            close = difflib.get_close_matches(name, self.columns, n=3, cutoff=0.6)
            hint = ("closest: " + ", ".join(close)) if close else \
                f"the data have {len(self.columns)} columns, e.g. {', '.join(sorted(self.columns)[:6])}"
            raise self.fail(f"unknown column {name!r}; {hint}")

    def call_head(self, tok: tuple[str, str, int], allowed: Iterable[str]) -> str:
        """``tok`` is a name followed by '(': the function must be allowed here."""
        name = tok[1]
        allowed = list(allowed)
        if name not in allowed:
            if name.startswith("__"):
                raise self.fail(f"{name + '(...)'!r}: names beginning with '__' are not allowed")
            where = "here" if name in TRANSFORMS else "in a formula"
            raise self.fail(f"{name + '(...)'!r}: {name!r} is not an allowed transform {where}; "
                            f"allowed: {', '.join(allowed)}")
        return name

    # ------------------------------------------------------------------ grammar
    def parse(self) -> None:
        self.terms()
        self.expect("~")
        self.terms()
        tok = self.peek()
        if tok is not None:
            raise self.unexpected(tok, "only one '~' is allowed" if tok[1] == "~" else "")

    def terms(self) -> None:  # term expression: products joined by + and -
        self.product()
        while self.at("+", "-"):
            self.i += 1
            self.product()

    def product(self) -> None:
        self.interaction()
        while self.at("*", "/"):
            self.i += 1
            self.interaction()

    def interaction(self) -> None:
        self.power()
        while self.at(":"):
            self.i += 1
            self.power()

    def power(self) -> None:
        self.unary()
        if self.at("**"):
            self.i += 1
            tok = self.take()
            if tok[0] != "number" or not tok[1].isdigit():
                raise self.unexpected(tok, "a term power takes a whole number, e.g. (a + b) ** 2")

    def unary(self) -> None:
        if self.at("-", "+"):
            self.i += 1
            self.unary()
            return
        tok = self.take()
        kind, value = tok[0], tok[1]
        if kind == "number":
            return
        if kind == "name":
            if self.at("("):
                self.call(tok)
            else:
                self.column(tok)
            return
        if value == "(":
            self.terms()
            self.expect(")")
            return
        raise self.unexpected(tok, "a term is missing" if value != "~" else "only one '~' is allowed")

    def call(self, tok: tuple[str, str, int]) -> None:
        name = self.call_head(tok, TRANSFORMS)
        self.expect("(")
        if name == "C":
            arg = self.take("a column")
            if arg[0] != "name" or self.at("("):
                raise self.unexpected(arg, "C() takes one column name")
            self.column(arg)
        else:
            self.arith()
        self.close(name)

    # arithmetic (Python semantics) inside a transform
    def arith(self) -> None:
        self.a_term()
        while self.at("+", "-"):
            self.i += 1
            self.a_term()

    def a_term(self) -> None:
        self.a_unary()
        while self.at("*", "/"):
            self.i += 1
            self.a_unary()

    def a_unary(self) -> None:
        if self.at("-", "+"):
            self.i += 1
            self.a_unary()
            return
        self.a_atom()
        if self.at("**"):
            self.i += 1
            self.a_unary()

    def a_atom(self) -> None:
        tok = self.take()
        kind, value = tok[0], tok[1]
        if kind == "number":
            return
        if kind == "name":
            if self.at("("):
                name = self.call_head(tok, ELEMENTWISE)
                self.expect("(")
                self.arith()
                self.close(name)
            else:
                self.column(tok)
            return
        if value == "(":
            self.arith()
            self.expect(")")
            return
        hint = "only + - * / ** of columns and numbers inside a transform" if value in (":", "~") else ""
        raise self.unexpected(tok, hint)


def _piece(text: str, pos: int) -> str:
    """The piece of ``text`` around the disallowed character at ``pos``, for the message."""
    ch = text[pos]
    if ch == "{":
        depth = 0
        for end in range(pos, len(text)):
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            if depth == 0:
                return _short(text[pos:end + 1])
        return _short(text[pos:])
    if ch == ".":
        start, end = pos, pos + 1
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_."):
            start -= 1
        while end < len(text) and (text[end].isalnum() or text[end] in "_."):
            end += 1
        return _short(text[start:end])
    if ch in "'\"`":
        end = text.find(ch, pos + 1)
        return _short(text[pos:end + 1] if end > 0 else text[pos:])
    return _short(text[pos:].split()[0] if text[pos:].split() else ch)


def _short(piece: str, limit: int = 60) -> str:
    return piece if len(piece) <= limit else piece[:limit - 3] + "..."
