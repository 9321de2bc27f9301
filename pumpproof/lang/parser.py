"""Text to surface syntax: one LALR parser for models and requirements, with syntax errors in the user's words."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import replace
from importlib import resources

from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.lexer import PatternStr
from lark.parsers.lalr_parser_state import ParserState
from lark.tree import Meta

from pumpproof.errors import InputError, ModelError, PropertyError
from pumpproof.lang import larkcache
from pumpproof.lang import syntax as s
from pumpproof.lang.characters import HIDDEN, describe
from pumpproof.lang.ir import MAX_INT
from pumpproof.lang.location import Location

EXPRESSION_STARTS = frozenset(
    {"INT", "NAME", "(", "-", "true", "false", "not", "if", "min", "max", "any", "all", "rise", "fall", "held",
     "fired", "response", "recurrence", "persistence", "always", "never", "eventually", "next", "previously", "once",
     "historically"}
)  # fmt: skip
OPERATORS = frozenset(
    {"COMPARISON", "+", "-", "*", "/", "%", "and", "or", "->", "<->", "until", "weak-until", "unless", "release",
     "since", "within"}
)  # fmt: skip
DECLARATIONS = frozenset(
    {
        "$END",
        "const",
        "type",
        "var",
        "clock",
        "input",
        "define",
        "assume",
        "invariant",
        "terminal",
        "environment",
        "transition",
        "requirement",
        "fairness",
        "chan",
        "broadcast",
        "component",
        "instance",
        "end",
    }
)
WORDS = {"NAME": "a name", "INT": "a number", "STRING": "a string in double quotes", "REQ_ID": "a requirement id"}
CHARACTER_HINTS = {
    "&": "write 'and' for conjunction",
    "|": "write 'or' for disjunction",
    "!": "write 'not' for negation ('!=' compares)",
    "'": "strings use double quotes",
}


@functools.cache
def _lark() -> Lark:
    grammar = resources.files("pumpproof.lang").joinpath("grammar.lark").read_text(encoding="utf-8")
    return larkcache.build(
        grammar, "pump", lexer="contextual", start=["model", "requirements", "formula"], propagate_positions=True
    )


def is_name(text: str) -> bool:
    """True when `text` is a valid, non-reserved identifier."""
    return _matches("NAME", text)


def parse_model(text: str, filename: str) -> s.ModelSyntax:
    """Parse the text of a `.pump` file; syntax errors raise ModelError."""
    result = _parse(text, filename, "model", ModelError)
    assert isinstance(result, s.ModelSyntax)
    return result


def parse_requirements(text: str, filename: str) -> s.RequirementsSyntax:
    """Parse the text of a `.req` file; syntax errors raise PropertyError."""
    result = _parse(text, filename, "requirements", PropertyError)
    assert isinstance(result, s.RequirementsSyntax)
    return result


def parse_formula(text: str, where: str) -> tuple[s.SExpr, str]:
    """Parse one requirement formula (the `.req` syntax after `source "..."`) and keep its text; `where` names
    it in locations."""
    result = _parse(text, where, "formula", PropertyError)
    assert isinstance(result, tuple)
    return result


def is_requirement_id(text: str) -> bool:
    """True when `text` may name a requirement (the REQ_ID of the grammar)."""
    return _matches("REQ_ID", text)


def _matches(terminal: str, text: str) -> bool:
    """True when all of `text` is one token of the grammar's `terminal`."""
    return re.fullmatch(_lark().get_terminal(terminal).pattern.to_regexp(), text) is not None


def _parse(text: str, filename: str, start: str, error: type[InputError]) -> object:
    _refuse_hidden(text, filename, error)
    text = text.replace("\r\n", "\n")  # the lexer counts line feeds; a lone carriage return was refused
    try:
        tree = _lark().parse(text, start=start)
    except UnexpectedInput as e:
        raise _syntax_error(e, text, filename, error) from None
    return _ToSyntax(text, filename, error).transform(tree)


# ---------------------------------------------------------------- characters a reader cannot see


def _refuse_hidden(text: str, filename: str, error: type[InputError]) -> None:
    """An error at the first character that could hide or reorder text (characters.HIDDEN), wherever it is.

    Allowed are line feeds, a carriage return before one (CRLF files) and tabs outside strings.
    """
    for m in HIDDEN.finditer(text):
        c, pos = m.group(), m.start()
        if c == "\n" or (c == "\r" and text.startswith("\n", pos + 1)):
            continue
        start = text.rfind("\n", 0, pos) + 1
        end = text.find("\n", pos)
        line_text = text[start : end if end >= 0 else len(text)].removesuffix("\r")
        where = _lexical_context(text[start:pos])
        if c == "\t" and where != "a string":
            continue
        loc = Location(filename, text.count("\n", 0, pos) + 1, pos - start + 1, line_text)
        hint = (
            "write spaces instead of a tab"
            if c == "\t"
            else "delete it: such characters can hide or reorder text in terminals and reports"
        )
        raise error(f"{where} cannot contain {describe(c)}", loc, hint)


def _lexical_context(line: str) -> str:
    """Whether the end of `line`, the start of a source line, lies in a string, in a comment or in neither."""
    quoted, escaped = False, False
    for i, ch in enumerate(line):
        if quoted:
            quoted, escaped = escaped or ch != '"', not escaped and ch == "\\"
        elif ch == '"':
            quoted = True
        elif ch == "#" or line.startswith("//", i):
            return "a comment"
    return "a string" if quoted else "source text"


def source_lines(text: str) -> list[str]:
    """The lines of `text` as the lexer counts them: split at line feeds (`_refuse_hidden` refused other breaks)."""
    return text.split("\n")


# ---------------------------------------------------------------- syntax errors


def _syntax_error(err: UnexpectedInput, text: str, filename: str, error: type[InputError]) -> InputError:
    lines = source_lines(text)

    def at(line: int, col: int) -> Location:
        return Location(filename, line, col, lines[line - 1] if 0 < line <= len(lines) else "")

    if isinstance(err, UnexpectedCharacters):
        char = err.char
        loc = at(err.line, err.column)
        if char == '"':
            return error("unterminated string", loc, "close the string with '\"' on the same line")
        return error(f"unexpected character {char!r}", loc, CHARACTER_HINTS.get(char))
    assert isinstance(err, UnexpectedToken)
    token = err.token
    if token.type == "$END":
        loc = at(token.end_line or 1, token.end_column or 1)
        found = "the end of the file"
    else:
        loc = at(token.line or 1, token.column or 1)
        found = f"'{token.value}'"
    prev = _previous_token(text, token.start_pos if token.type != "$END" else len(text))
    after = f" after '{prev}'" if prev else ""
    expected = {_literal(name) for name in _acceptable(err.state, err.expected)}
    top = err.state.value_stack[-1] if err.state.value_stack else None
    if isinstance(top, Tree) and top.data in EXPRESSIONS:
        expected |= OPERATORS  # LALR reduced the expression before it saw the bad token; operators were fine too
    hint = None
    if "NAME" in expected and token.value.isidentifier() and not is_name(token.value):
        return error(f"'{token.value}' is a reserved word and cannot be used as a name", loc, "choose another name")
    if token.value == "=" and expected & (OPERATORS | {":="}):
        hint = "compare with '==', assign with ':='"
    return error(f"expected {_describe(expected)}{after}, found {found}", loc, hint)


def _acceptable(state: ParserState, candidates: Iterable[str]) -> set[str]:
    """The candidates the parser really accepts next: a lexer's guess can include tokens that fail after reductions."""
    accepted = set()
    for name in candidates:
        try:
            state.copy(deepcopy_values=False).feed_token(Token(name, ""), is_end=name == "$END")
        except UnexpectedInput:
            continue
        accepted.add(name)
    return accepted


def _literal(terminal: str) -> str:
    if terminal == "$END":
        return terminal
    pattern = _lark().get_terminal(terminal).pattern
    return pattern.value if isinstance(pattern, PatternStr) else terminal


def _describe(expected: set[str]) -> str:
    """A short phrase for a set of acceptable tokens: 'an expression', 'an operator', quoted keywords."""
    words = []
    if "bool" in expected:
        words.append("a type (bool, int, lo..hi, an enumeration name or {A, B})")
        expected -= EXPRESSION_STARTS | {"bool", "{"}
    if "INT" in expected:
        words.append("an expression")
        expected -= EXPRESSION_STARTS
    if len(expected & OPERATORS) >= 3:
        words.append("an operator")
        expected -= OPERATORS
    if "requirement" in expected:
        words.append("a new requirement or define")
        expected -= DECLARATIONS
    elif len(expected & DECLARATIONS) >= 3:
        words.append("a new declaration")
        expected -= DECLARATIONS
    words += sorted(WORDS.get(e, f"'{e}'") for e in expected - {"$END"})
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _previous_token(text: str, end: int) -> str | None:
    """The last token before offset `end`, to say what the error comes after."""
    try:
        tokens = list(_lark().lex(text[:end]))
    except LarkError:
        return None
    return str(tokens[-1]) if tokens else None


# ---------------------------------------------------------------- parse tree to syntax

BINARY = {
    "implies": "->", "iff": "<->", "until": "until", "weak_until": "weak-until", "release": "release",
    "since": "since", "within": "within", "or_op": "or", "and_op": "and", "add": "+", "sub": "-", "mul": "*",
    "div": "/", "mod": "%", "min_op": "min", "max_op": "max", "response": "response",
    "held": "held",
}  # fmt: skip
UNARY = {
    "not_op": "not", "previously": "previously", "once": "once", "historically": "historically", "negate": "neg",
    "always": "always", "never": "never", "eventually": "eventually", "next_op": "next", "rise": "rise",
    "fall": "fall", "recurrence": "recurrence", "persistence": "persistence",
}  # fmt: skip

EXPRESSIONS = frozenset(BINARY) | frozenset(UNARY) | {
    "int_lit", "true_lit", "false_lit", "name", "indexed", "comparison", "ite", "any_op", "all_op", "fired", "paren",
    "member",
}  # fmt: skip


class _ToSyntax:
    """Builds syntax nodes bottom-up from the parse tree; every node gets the location where its text starts.

    One method per rule, called as `method(meta, children)` (`__default__` for operators). The walk
    keeps its own stack: a chain of 10,000 `and`s is a tree that deep.
    """

    def __init__(self, text: str, filename: str, error: type[InputError]) -> None:
        self.text = text
        self.filename = filename
        self.error = error
        self.lines = source_lines(text)

    def transform(self, tree: Tree) -> object:
        """The syntax node of the whole tree."""
        order: list[Tree | Token | None] = []
        todo: list[Tree | Token | None] = [tree]
        while todo:  # parents before children, so children come first when read backwards
            node = todo.pop()
            order.append(node)
            if isinstance(node, Tree):
                todo += node.children
        built: list = []
        while order:
            node = order.pop()
            if not isinstance(node, Tree):
                built.append(node)  # tokens, and None for an absent optional part
                continue
            start = len(built) - len(node.children)
            children = built[start:]
            del built[start:]
            node.children = []  # the parse tree is several times the size of the syntax: free it as we go
            rule = getattr(self, node.data, None)
            built.append(rule(node.meta, children) if rule else self.__default__(node.data, children, node.meta))
        return built[0]

    def at(self, where: Meta | Token) -> Location:
        # The tree of an empty file has no position.
        line, col = getattr(where, "line", None) or 1, getattr(where, "column", None) or 1
        return Location(self.filename, line, col, self.lines[line - 1] if line <= len(self.lines) else "")

    def __default__(self, data: str, children: list, meta: Meta) -> s.SExpr:
        if data in BINARY:
            return s.Apply(BINARY[data], tuple(children), self.at(meta))
        assert data in UNARY, data
        return s.Apply(UNARY[data], tuple(children), self.at(meta))

    # declarations

    def model(self, meta: Meta, children: list) -> s.ModelSyntax:
        name, *decls = children
        return s.ModelSyntax(str(name) if name is not None else None, tuple(decls), self.at(meta))

    def model_name(self, meta: Meta, children: list) -> Token:
        return children[0]

    def const_decl(self, meta: Meta, children: list) -> s.ConstDecl:
        name, value = children
        return s.ConstDecl(str(name), value, self.at(name))

    def type_decl(self, meta: Meta, children: list) -> s.TypeDecl:
        name, enum = children
        return s.TypeDecl(str(name), enum, self.at(name))

    def var_decl(self, meta: Meta, children: list) -> s.VarDecl:
        name, size, typ, init = children
        return s.VarDecl("var", str(name), size, typ, init, self.at(name))

    def clock_decl(self, meta: Meta, children: list) -> s.VarDecl:
        name, size = children
        return s.VarDecl("clock", str(name), size, None, None, self.at(name))

    def input_decl(self, meta: Meta, children: list) -> s.VarDecl:
        name, size, typ = children
        return s.VarDecl("input", str(name), size, typ, None, self.at(name))

    def define_decl(self, meta: Meta, children: list) -> s.DefineDecl:
        name, param, body = children
        return s.DefineDecl(str(name), param, body, self.at(name))

    def assume_decl(self, meta: Meta, children: list) -> s.ConstraintDecl:
        return s.ConstraintDecl("assume", children[0], children[1], self.at(meta))

    def invariant_decl(self, meta: Meta, children: list) -> s.ConstraintDecl:
        return s.ConstraintDecl("invariant", children[0], children[1], self.at(meta))

    def terminal_decl(self, meta: Meta, children: list) -> s.ConstraintDecl:
        return s.ConstraintDecl("terminal", children[0], children[1], self.at(meta))

    def transition_decl(self, meta: Meta, children: list) -> s.TransitionDecl:
        name, param, label, sync, guard, updates = children
        text = _unquote(label) if label is not None else None
        assigns, sequential = updates or ((), False)
        return s.TransitionDecl(str(name), param, text, guard, assigns, self.at(name), False, sync, sequential)

    def environment_decl(self, meta: Meta, children: list) -> s.TransitionDecl:
        return replace(self.transition_decl(meta, children), environment=True)

    def updates(self, meta: Meta, children: list) -> tuple[tuple[s.Assign, ...], bool]:
        return tuple(children), False

    def sequential_updates(self, meta: Meta, children: list) -> tuple[tuple[s.Assign, ...], bool]:
        return tuple(children), True

    def send(self, meta: Meta, children: list) -> s.Sync:
        name, index, value = children
        return s.Sync(str(name), index, True, value, None, self.at(meta))

    def receive(self, meta: Meta, children: list) -> s.Sync:
        name, index, binding = children
        bound = s.Name(str(binding), self.at(binding)) if binding is not None else None
        return s.Sync(str(name), index, False, None, bound, self.at(meta))

    def chan_decl(self, meta: Meta, children: list) -> s.ChannelDecl:
        name, size, typ = children
        return s.ChannelDecl(str(name), size, typ, False, self.at(name))

    def broadcast_decl(self, meta: Meta, children: list) -> s.ChannelDecl:
        return replace(self.chan_decl(meta, children), broadcast=True)

    def component_decl(self, meta: Meta, children: list) -> s.ComponentDecl:
        name, *rest = children
        params = tuple(c for c in rest if isinstance(c, s.ComponentParam))
        decls = tuple(c for c in rest if c is not None and not isinstance(c, s.ComponentParam))
        return s.ComponentDecl(str(name), params, decls, self.at(name))

    def component_param(self, meta: Meta, children: list) -> s.ComponentParam:
        name, typ = children
        return s.ComponentParam(str(name), typ, self.at(name))

    def instance_decl(self, meta: Meta, children: list) -> s.InstanceDecl:
        name, size, component, args = children
        return s.InstanceDecl(
            str(name), size, None, s.Name(str(component), self.at(component)), args or (), self.at(name)
        )

    def instance_family(self, meta: Meta, children: list) -> s.InstanceDecl:
        name, param, component, args = children
        return replace(self.instance_decl(meta, [name, None, component, args]), param=param)

    def arguments(self, meta: Meta, children: list) -> tuple[s.SExpr, ...]:
        return tuple(c for c in children if c is not None)

    def assignment(self, meta: Meta, children: list) -> s.Assign:
        name, index, value = children
        target = s.Name(str(name), self.at(name)) if index is None else s.Index(str(name), index, self.at(name))
        return s.Assign(target, value, self.at(meta))

    def param_assignment(self, meta: Meta, children: list) -> s.Assign:
        name, param, value = children
        target = s.Index(str(name), s.Name(param.name, param.loc), self.at(name))
        return s.Assign(target, value, self.at(meta), param)

    def fairness_transition(self, meta: Meta, children: list) -> s.FairnessDecl:
        kind, *path = children
        ref = _fired(path)
        return s.FairnessDecl(str(kind), ref, None, self.text[meta.start_pos : meta.end_pos], self.at(meta))

    def fairness_condition(self, meta: Meta, children: list) -> s.FairnessDecl:
        text = self.text[meta.start_pos : meta.end_pos]
        return s.FairnessDecl("infinitely", None, children[0], text, self.at(meta))

    def size(self, meta: Meta, children: list) -> s.SExpr:
        return children[0]

    index = size
    paren = size

    def param(self, meta: Meta, children: list) -> s.Param:
        name, lo, hi = children
        return s.Param(str(name), lo, hi, self.at(name))

    def bool_type(self, meta: Meta, children: list) -> s.BoolT:
        return s.BoolT(self.at(meta))

    def named_type(self, meta: Meta, children: list) -> s.NamedT:
        return s.NamedT(str(children[0]), self.at(meta))

    def range_type(self, meta: Meta, children: list) -> s.RangeT:
        return s.RangeT(children[0], children[1], self.at(meta))

    def enum_type(self, meta: Meta, children: list) -> s.EnumT:
        return s.EnumT(tuple(s.Name(str(t), self.at(t)) for t in children), self.at(meta))

    def requirements(self, meta: Meta, children: list) -> s.RequirementsSyntax:
        return s.RequirementsSyntax(tuple(children), self.at(meta))

    def requirement(self, meta: Meta, children: list) -> s.RequirementSyntax:
        rid, text, source, (formula, formula_text) = children
        return s.RequirementSyntax(
            str(rid), _unquote(text) if text else None, _unquote(source) if source else None,
            formula, formula_text, self.at(rid),
        )  # fmt: skip

    def formula(self, meta: Meta, children: list) -> tuple[s.SExpr, str]:
        return children[0], self.text[meta.start_pos : meta.end_pos]

    # expressions

    def int_lit(self, meta: Meta, children: list) -> s.Lit:
        digits = str(children[0]).lstrip("0") or "0"
        if len(digits) > len(str(MAX_INT)):  # Python refuses to convert more than 4,300 digits
            hint = f"integer constants are at most {MAX_INT} (2**63 - 1) in magnitude"
            raise self.error(f"this integer constant is too large ({len(digits)} digits)", self.at(meta), hint)
        return s.Lit(int(digits), self.at(meta))

    def true_lit(self, meta: Meta, children: list) -> s.Lit:
        return s.Lit(True, self.at(meta))

    def false_lit(self, meta: Meta, children: list) -> s.Lit:
        return s.Lit(False, self.at(meta))

    def name(self, meta: Meta, children: list) -> s.Name:
        return s.Name(str(children[0]), self.at(meta))

    def indexed(self, meta: Meta, children: list) -> s.Index:
        return s.Index(str(children[0]), children[1], self.at(meta))

    def comparison(self, meta: Meta, children: list) -> s.Apply:
        left, op, right = children
        return s.Apply(str(op), (left, right), self.at(meta))

    def ite(self, meta: Meta, children: list) -> s.Apply:
        return s.Apply("if", tuple(children), self.at(meta))

    def any_op(self, meta: Meta, children: list) -> s.Quant:
        name, lo, hi, body = children
        return s.Quant("any", s.Param(str(name), lo, hi, self.at(name)), body, self.at(meta))

    def all_op(self, meta: Meta, children: list) -> s.Quant:
        name, lo, hi, body = children
        return s.Quant("all", s.Param(str(name), lo, hi, self.at(name)), body, self.at(meta))

    def fired(self, meta: Meta, children: list) -> s.FiredRef:
        return replace(_fired(children), loc=self.at(meta))

    def segment(self, meta: Meta, children: list) -> s.Segment:
        name, index = children
        return s.Segment(str(name), index, self.at(name))

    def member(self, meta: Meta, children: list) -> s.Member:
        *path, last = children
        return s.Member(tuple(path), last.name, last.index, self.at(meta))


def _fired(path: list[s.Segment]) -> s.FiredRef:
    """The transition a path names: its last segment, inside the instances of the ones before."""
    *instances, last = path
    return s.FiredRef(last.name, last.index, last.loc, tuple(instances))


def _unquote(token: Token) -> str:
    return re.sub(r"\\(.)", r"\1", str(token)[1:-1])
