"""MoXI text to located s-expressions: the SMT-LIB lexical layer, parsed by lark, every node with its place."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import Enum
from importlib import resources

from lark import Lark, Token, Tree, UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from pumpproof.errors import ModelError
from pumpproof.lang import larkcache
from pumpproof.lang.characters import HIDDEN, describe
from pumpproof.lang.location import Location

MAX_NESTING = 300
"""The deepest nesting of lists read: the readers that follow recurse once per level (the 621 Kind 2 models
nest at most 55 deep)."""


class AtomKind(str, Enum):
    """What an atom is: a symbol (maybe primed), a numeral, a keyword (`:init`), or another SMT-LIB literal."""

    SYMBOL = "symbol"
    NUMERAL = "numeral"
    KEYWORD = "keyword"
    LITERAL = "literal"


@dataclass(frozen=True, slots=True)
class Atom:
    """One token: `text` is a symbol's name (without the bars of |quoted| ones) or the literal as written."""

    text: str
    kind: AtomKind
    loc: Location
    start: int
    end: int

    @property
    def primed(self) -> bool:
        """True for a symbol written with a prime, `x'` (the next value of x)."""
        return self.kind is AtomKind.SYMBOL and self.text.endswith("'")

    @property
    def base(self) -> str:
        """The name without its prime."""
        return self.text.removesuffix("'") if self.primed else self.text


@dataclass(frozen=True, slots=True)
class SList:
    """A parenthesised list; `loc` is its opening parenthesis."""

    items: tuple[SExpr, ...]
    loc: Location
    start: int
    end: int


SExpr = Atom | SList


def shown(e: SExpr) -> str:
    """`symbol 'x'`, `numeral 5`, `keyword :init`, `a list`: what a message calls a node."""
    if isinstance(e, SList):
        return "a list"
    return f"{e.kind.value} '{e.text}'"


def parse(text: str, filename: str) -> tuple[tuple[SExpr, ...], list[str]]:
    """The top-level s-expressions of a MoXI file and its lines; ModelError at the first lexical or bracket error."""
    lines = text.split("\n")
    _refuse_hidden(text, filename, lines)
    try:
        tree = _lark().parse(text)
    except UnexpectedInput as err:
        raise _syntax_error(err, text, filename, lines) from None
    return _Builder(filename, lines).build(tree), lines


@functools.cache
def _lark() -> Lark:
    grammar = resources.files("pumpproof.lang.moxi").joinpath("moxi.lark").read_text(encoding="utf-8")
    return larkcache.build(grammar, "moxi", lexer="basic", start="script")


def _location(filename: str, lines: list[str], line: int, col: int) -> Location:
    return Location(filename, line, col, lines[line - 1].removesuffix("\r") if 0 < line <= len(lines) else "")


def _refuse_hidden(text: str, filename: str, lines: list[str]) -> None:
    """An error at the first character that could hide or reorder text (tabs, line feeds and CRLF are fine)."""
    for m in HIDDEN.finditer(text):
        c, pos = m.group(), m.start()
        if c in "\n\t" or (c == "\r" and text.startswith("\n", pos + 1)):
            continue
        line = text.count("\n", 0, pos) + 1
        loc = _location(filename, lines, line, pos - (text.rfind("\n", 0, pos) + 1) + 1)
        hint = "delete it: such characters can hide or reorder text in terminals and reports"
        raise ModelError(f"a MoXI file cannot contain {describe(c)}", loc, hint)


def _syntax_error(err: UnexpectedInput, text: str, filename: str, lines: list[str]) -> ModelError:
    if isinstance(err, UnexpectedCharacters):
        loc = _location(filename, lines, err.line, err.column)
        hint = "MoXI is SMT-LIB: symbols, numerals, keywords (:init), |quoted symbols| and lists in ( )"
        if err.char == "|":
            hint = "a quoted symbol |...| must be closed, and cannot contain '|' or '\\'"
        elif err.char == '"':
            hint = "a string must be closed with '\"'"
        return ModelError(f"unexpected character {err.char!r}", loc, hint)
    assert isinstance(err, UnexpectedToken)
    if err.token.type == "$END":
        line, col = _unclosed(text)
        hint = "add ')' to close it (the file ends inside this list)"
        return ModelError("this '(' is never closed", _location(filename, lines, line, col), hint)
    loc = _location(filename, lines, err.token.line, err.token.column)
    return ModelError("unexpected ')': no list is open here", loc, "delete it, or add the '(' it closes")


def _unclosed(text: str) -> tuple[int, int]:
    """Line and column of the innermost '(' left open at the end of `text` (comments, strings, quoted skipped)."""
    opened: list[int] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == ";":
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
        elif c in '|"':
            close = text.find(c, i + 1)
            i = len(text) if close < 0 else close
        elif c == "(":
            opened.append(i)
        elif c == ")" and opened:
            opened.pop()
        i += 1
    pos = opened[-1] if opened else len(text)
    return text.count("\n", 0, pos) + 1, pos - (text.rfind("\n", 0, pos) + 1) + 1


_KINDS = {
    "SYMBOL": AtomKind.SYMBOL,
    "QUOTED": AtomKind.SYMBOL,
    "NUMERAL": AtomKind.NUMERAL,
    "KEYWORD": AtomKind.KEYWORD,
}


class _Builder:
    """Located nodes from the parse tree, children first, with an explicit stack (no recursion)."""

    def __init__(self, filename: str, lines: list[str]) -> None:
        self.filename, self.lines = filename, lines

    def build(self, tree: Tree) -> tuple[SExpr, ...]:
        order: list[tuple[Tree | Token, int]] = []
        todo: list[tuple[Tree | Token, int]] = [(tree, 0)]
        while todo:
            node, depth = todo.pop()
            order.append((node, depth))
            if isinstance(node, Tree):
                if node.data == "list" and depth > MAX_NESTING:
                    loc = self.at(node.children[0])  # type: ignore[arg-type]
                    hint = "MoXI files written by tools nest far less; split the formula into several constraints"
                    raise ModelError(f"lists are nested more than {MAX_NESTING} deep here", loc, hint)
                todo += [(child, depth + (node.data == "list")) for child in node.children]
        built: list[SExpr] = []
        for node, _ in reversed(order):
            if isinstance(node, Token):
                continue
            if node.data == "atom":
                built.append(self.atom(node.children[0]))
                continue
            if node.data == "script":
                return tuple(built)
            count = len(node.children) - 2  # between the parentheses
            items = tuple(built[len(built) - count :]) if count else ()
            del built[len(built) - count :]
            lpar, rpar = node.children[0], node.children[-1]
            assert isinstance(lpar, Token) and isinstance(rpar, Token)
            built.append(SList(items, self.at(lpar), lpar.start_pos or 0, rpar.end_pos or 0))
        raise AssertionError("no script node")

    def atom(self, token: Token) -> Atom:
        text = str(token)
        if token.type == "QUOTED":
            text = text[1:].replace("|", "", 1) if text.endswith("'") else text[1:-1]
        kind = _KINDS.get(token.type, AtomKind.LITERAL)
        return Atom(text, kind, self.at(token), token.start_pos or 0, token.end_pos or 0)

    def at(self, token: Token) -> Location:
        return _location(self.filename, self.lines, token.line or 0, token.column or 0)
