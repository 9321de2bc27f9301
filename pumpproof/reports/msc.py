"""Message-sequence charts of counterexamples of composed models, as SVG written here (no graphviz: the layout of a
chart is a grid, and a hand-written one keeps lifelines straight and arrows horizontal).

One lifeline per instance (its path at the top, the requirement's facts and mode-like values of the initial state
under it), and one called `(model)` at the left when the model has variables or transitions of its own. Steps go
down the page, the step number and the model time (cumulative, in timed models) on the axis at the left:

- a synchronisation is an arrow from the sender to each receiver that took part, labelled with the channel and the
  value it carried (`raise(High)`), the parts' transition names small at the arrow's ends; a broadcast draws one
  arrow to every receiver that moved, and a stub ending in a circle when nobody heard it;
- a part moving alone is a box on its lifeline with the transition's name (dashed for the environment's);
- the variables of a part that the step changed are noted on its lifeline below the step (`raised: false → true`);
- a delay is a dashed band across the chart with its duration on the time axis;
- a lasso's loop (liveness) is marked by a bracket at the right, `loop: back to step k`; a finite counterexample
  ends with the failing step marked.

A flat model (no instances) gets no chart: its steps are one part's, which the trace graph already shows.

Every text is data: hidden characters written as escapes (characters.visible), cut short, then XML-escaped; ids
and the arrowhead's marker are made of safe characters only, so several charts can share one HTML page.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from pumpproof.lang.characters import visible
from pumpproof.lang.ir import DELAY, STUTTER, TransitionSystem
from pumpproof.output import write_atomically
from pumpproof.reports.counterexample import Counterexample, from_outcome
from pumpproof.reports.trace_view import MODEL_PART, StepView, fmt
from pumpproof.verify.results import Violated
from pumpproof.verify.run import Outcome

FONT = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace"
SIZE = 11
"""Font size of every text (small texts are 9)."""
CHAR = 6.7
"""Width of one character at SIZE in a monospace font: the layout's estimate of a text's width."""
LINE = 14
AXIS = 96
"""Width of the time axis at the left."""
MIN_COLUMN = 130
MAX_COLUMN = 380
IDLE_COLUMN = 80
"""The least width of the lifeline of a part that does nothing in the run."""
MAX_TEXT = 56
"""Characters of one text of the chart; longer ones are cut with `…` (the full text is the element's tooltip)."""
MAX_NOTE_LINES = 6
HEAD = 26
"""Height of a lifeline's head box."""
FAIL = "#c62828"
NOTE_FILL = "#fff4c7"
ENV = "#6a1b9a"
LINE_COLOR = "#444444"
SYNC_TOP = 2 * LINE + 12
"""Height of a step's own part (box or arrow and its texts) before the notes of what changed."""
BAND = 2 * LINE + 6
"""Height of a delay's (or a stop's) own part: the step and the time on the axis take two lines."""
LEGEND = (
    "● sender → receiver: a synchronisation, labelled channel(value) · box: a part moving alone",
    "purple: the environment's move · yellow: what a step changed of a part",
    "red: the values the requirement reads, in the last state",
)
SMALL_CHAR = 5.5
"""Width of one character at font size 9."""


def composed(system: TransitionSystem) -> bool:
    """True when the model is made of instances that move: only then does a counterexample get a chart (a MoXI
    model's dotted names are no parts, its transitions keep no origins)."""
    return any(o.instance for t in system.transitions for o in t.origins)


def lifelines(system: TransitionSystem) -> list[str]:
    """The chart's lifelines: `(model)` first when the model has state or transitions of its own, then every
    instance that has a variable or a transition, in declaration order (a part that only contains parts has none)."""
    parts: dict[str, None] = {}
    for v in system.state_vars:
        parts[owner(v.name)] = None
    for t in system.transitions:
        parts.update(dict.fromkeys(o.instance for o in t.origins))
    own = "" in parts
    parts.pop("", None)
    return ([MODEL_PART] if own else []) + list(parts)


def owner(variable: str) -> str:
    """The instance a flattened variable name belongs to (`detector[1]` for `detector[1].armed`; '' at the top)."""
    return variable.rpartition(".")[0]


def _part_of(variable: str) -> str:
    return owner(variable) or MODEL_PART


def _local(variable: str) -> str:
    """A variable's name within its part (`armed` for `detector[1].armed`)."""
    return variable.rpartition(".")[2]


# ---------------------------------------------------------------- layout


@dataclass
class _Row:
    """One step (or a run of repeated steps) as laid out: its top and height, what it draws."""

    step: StepView
    top: float = 0.0
    height: float = 0.0
    notes: dict[str, list[str]] = field(default_factory=dict)


def chart(cx: Counterexample, system: TransitionSystem, prefix: str = "msc") -> str | None:
    """The `<svg>` element of `cx`'s message-sequence chart (None for a flat model, which gets none)."""
    if not composed(system):
        return None
    return _Chart(cx, lifelines(system), _id(prefix), {v.name for v in system.clocks}).svg()


class _Chart:
    def __init__(self, cx: Counterexample, parts: list[str], prefix: str, clocks: set[str]) -> None:
        self.cx, self.prefix, self.clocks = cx, prefix, clocks
        self.parts = parts
        self.out: list[str] = []
        steps = cx.rows
        self.initial = steps[0] if steps and steps[0].transition is None else None
        self.rows = [_Row(s, notes=self.changes(s)) for s in steps if s.transition is not None]
        self.heads = self.initial_notes()
        self.final = self.final_notes()
        self.widths = self.column_widths()
        self.x: dict[str, float] = {}
        left = AXIS + 10.0
        for p in self.parts:
            self.x[p] = left + self.widths[p] / 2
            left += self.widths[p]
        self.bracket = left + 10
        legend = AXIS + _width(list(LEGEND), 200, SMALL_CHAR) + 10
        self.width = max(left + (150 if cx.loop_start is not None else 20), legend)

    # ------------------------------------------------------------ content

    def changes(self, s: StepView) -> dict[str, list[str]]:
        """Per lifeline, what the step changed of its part (nothing for a delay, whose clocks all grow)."""
        if s.transition == DELAY:
            return {}
        notes: dict[str, list[str]] = {}
        for k, (old, new) in s.changes.items():
            notes.setdefault(_part_of(k), []).append(f"{_local(k)}: {fmt(old)} → {fmt(new)}")
        return {p: _cut(lines) for p, lines in notes.items()}

    def final_notes(self) -> dict[str, list[str]]:
        """Per lifeline, the values the requirement reads in the failing state (the last one)."""
        if not self.rows:
            return {}
        notes: dict[str, list[str]] = {}
        for k, v in self.cx.steps[-1].state.items():
            if k in self.cx.watched:
                notes.setdefault(_part_of(k), []).append(f"{_local(k)} = {fmt(v)}")
        return {p: _cut(lines) for p, lines in notes.items()}

    def initial_notes(self) -> dict[str, list[str]]:
        """Per lifeline, the initial values a reader needs first: the requirement's facts and the modes."""
        if self.initial is None:
            return {}
        notes: dict[str, list[str]] = {}
        state = self.initial.state
        for k, v in state.items():
            if (k in self.cx.watched or isinstance(v, str)) and k not in self.clocks:
                notes.setdefault(_part_of(k), []).append(f"{_local(k)} = {fmt(v)}")
        return {p: _cut(lines) for p, lines in notes.items()}

    def column_widths(self) -> dict[str, float]:
        texts: dict[str, list[str]] = {p: [p, *self.heads.get(p, []), *self.final.get(p, [])] for p in self.parts}
        for r in self.rows:
            for p, lines in r.notes.items():
                texts.setdefault(p, []).extend(lines)
            moved = r.step.moved
            if moved is not None and moved.channel is None:
                for m in moved.moves:
                    texts.setdefault(m.part, []).append(self.box_text(r.step, m.transition))
        moving = {m.part for r in self.rows if r.step.moved is not None for m in r.step.moved.moves}
        busy = moving | {p for p, lines in texts.items() if len(lines) > 1}
        # A part that neither moves nor changes in the run keeps a narrow lifeline: the chart of one faulty detector
        # among twenty stays readable.
        widths = {
            p: min(MAX_COLUMN, max(MIN_COLUMN if p in busy else IDLE_COLUMN, _width(texts.get(p, [p])) + 24))
            for p in self.parts
        }
        for r in self.rows:  # a message between neighbours needs room for its label
            moved = r.step.moved
            if moved is None or moved.sender is None or not moved.receivers:
                continue
            a = self.parts.index(moved.sender.part) if moved.sender.part in self.parts else None
            near = min((self.parts.index(m.part) for m in moved.receivers if m.part in self.parts), default=None,
                       key=lambda i: abs(i - (a or 0)))  # fmt: skip
            if a is None or near is None or abs(a - near) != 1:
                continue
            need = _width([self.message(r.step)]) + 20
            left, right = self.parts[min(a, near)], self.parts[max(a, near)]
            have = (widths[left] + widths[right]) / 2
            if have < need:  # widening both by the same amount moves their centres apart by that amount
                widths[left] = min(MAX_COLUMN, widths[left] + need - have)
                widths[right] = min(MAX_COLUMN, widths[right] + need - have)
        return widths

    def message(self, s: StepView) -> str:
        moved = s.moved
        assert moved is not None
        text = moved.message + (" (broadcast)" if moved.broadcast else "")
        if moved.broadcast and not moved.receivers:
            text += ": nobody heard"
        return text + (f" × {s.repeats}" if s.repeats > 1 else "")

    @staticmethod
    def box_text(s: StepView, transition: str) -> str:
        return transition + (f" × {s.repeats}" if s.repeats > 1 else "")

    # ------------------------------------------------------------ drawing

    def svg(self) -> str:
        y = 20.0
        self.title_y = y
        y += LINE + 6
        head_top = y
        y += HEAD + 6
        head_notes = max((len(v) for v in self.heads.values()), default=0)
        if head_notes:
            y += head_notes * LINE + 14
        for r in self.rows:
            r.top = y
            notes = max((len(v) for v in r.notes.values()), default=0)
            own = BAND if r.step.transition in (DELAY, STUTTER) else SYNC_TOP
            r.height = own + (notes * LINE + 10 if notes else 0) + 6
            y += r.height
        final_top = y + 4
        final_lines = max((len(v) for p, v in self.final.items() if p in self.x), default=0)
        if final_lines:
            y += final_lines * LINE + 14
        bottom = y + 10
        height = bottom + (2 + len(LEGEND)) * LINE + 6
        o = self.out
        o.append(
            f'<svg xmlns="http://www.w3.org/2000/svg" id="{self.prefix}" class="msc" width="{self.width:.0f}" '
            f'height="{height:.0f}" viewBox="0 0 {self.width:.0f} {height:.0f}" font-family="{_attr(FONT)}" '
            f'font-size="{SIZE}">'
        )
        o.append(f"<title>{_text('message-sequence chart of ' + self.cx.req_id, limit=200)}</title>")
        o.append(
            f'<defs><marker id="{self.prefix}-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
            f'markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{LINE_COLOR}"/>'
            "</marker></defs>"
        )
        o.append(f'<rect x="0" y="0" width="{self.width:.0f}" height="{height:.0f}" fill="white"/>')
        o.append(
            f'<text x="8" y="{self.title_y:.0f}" font-weight="bold">'
            f"{_text(f'{self.cx.req_id}: message-sequence chart', limit=120)}</text>"
        )
        self.axis(head_top + HEAD, bottom)
        for p in self.parts:
            self.lifeline(p, head_top, bottom)
        for r in self.rows:
            self.row(r)
        for p, lines in self.final.items():
            if p in self.x:
                self.note(self.x[p], final_top, self.widths[p] - 20, lines, "#ffebee", "final")
        self.ending(bottom)
        o.append("</svg>")
        return "\n".join(o) + "\n"

    def axis(self, top: float, bottom: float) -> None:
        x = AXIS - 8
        timed = self.cx.timed
        self.out.append(f'<g class="axis"><line x1="{x}" y1="{top:.0f}" x2="{x}" y2="{bottom:.0f}" stroke="#999"/>')
        self.out.append(
            f'<text x="{x - 4}" y="{top - 4:.0f}" text-anchor="end" font-size="9" fill="#666">'
            f"{'step · time' if timed else 'step'}</text>"
        )
        for r in self.rows:
            s = r.step
            y = r.top + LINE
            self.out.append(f'<line x1="{x - 4}" y1="{r.top:.0f}" x2="{x + 4}" y2="{r.top:.0f}" stroke="#999"/>')
            self.out.append(f'<text x="{x - 6}" y="{y:.0f}" text-anchor="end" fill="#333">{_text(s.span)}</text>')
            if timed:
                when = f"t = {fmt(s.time)}"
                self.out.append(
                    f'<text x="{x - 6}" y="{y + LINE:.0f}" text-anchor="end" font-size="9" fill="#666">'
                    f"{_text(when)}</text>"
                )
        self.out.append("</g>")

    def lifeline(self, part: str, top: float, bottom: float) -> None:
        x = self.x[part]
        w = self.widths[part] - 16
        model = part == MODEL_PART
        o = self.out
        o.append(f'<g class="lifeline" data-part="{_attr(part)}">')
        o.append(f"<title>{_text(part, limit=400)}</title>")
        o.append(
            f'<line x1="{x:.1f}" y1="{top + HEAD:.0f}" x2="{x:.1f}" y2="{bottom:.0f}" stroke="#888" '
            'stroke-dasharray="4 3"/>'
        )
        fill = "#eeeeee" if model else "#e3f2fd"
        o.append(
            f'<rect x="{x - w / 2:.1f}" y="{top:.0f}" width="{w:.1f}" height="{HEAD}" rx="3" fill="{fill}" '
            'stroke="#1565c0"/>'
        )
        o.append(
            f'<text class="part" x="{x:.1f}" y="{top + HEAD / 2 + 4:.0f}" text-anchor="middle" font-weight="bold">'
            f"{_text(part)}</text>"
        )
        lines = self.heads.get(part, [])
        if lines:
            self.note(x, top + HEAD + 6, w, lines, "#f5f5f5", "initial")
        o.append("</g>")

    def note(self, x: float, top: float, w: float, lines: list[str], fill: str, kind: str) -> None:
        h = len(lines) * LINE + 6
        self.out.append(f'<g class="{kind}">')
        self.out.append(
            f'<rect x="{x - w / 2:.1f}" y="{top:.0f}" width="{w:.1f}" height="{h}" fill="{fill}" stroke="#bbb"/>'
        )
        for i, line in enumerate(lines):
            self.out.append(
                f'<text x="{x:.1f}" y="{top + (i + 1) * LINE - 2:.0f}" text-anchor="middle">{_text(line)}</text>'
            )
        self.out.append("</g>")

    def row(self, r: _Row) -> None:
        s = r.step
        o = self.out
        o.append(f'<g class="step" id="{self.prefix}-s{s.index}" data-step="{s.index}">')
        o.append(f"<title>{_text(self.tooltip(s), limit=400)}</title>")
        left, right = AXIS, self.bracket - 10
        if s.transition == DELAY:
            o.append(
                f'<rect class="delay" x="{left}" y="{r.top + 2:.0f}" width="{right - left:.0f}" height="{BAND - 4}" '
                'fill="#f3f3f3" stroke="#bbb" stroke-dasharray="3 3"/>'
            )
            delay = f"delay {fmt(s.elapsed)}" + (f" × {s.repeats}" if s.repeats > 1 else "")
            o.append(f'<text x="{left + 8}" y="{r.top + BAND / 2 + 4:.0f}" fill="#555">{_text(delay)}</text>')
        elif s.transition == STUTTER or s.moved is None:
            what = "the run has stopped: nothing can happen" if s.transition == STUTTER else str(s.transition)
            x = self.x.get(MODEL_PART, (left + right) / 2)
            self.box(x, r.top, self.box_text(s, what), dashed=False)
        elif s.moved.channel is None:
            for m in s.moved.moves:
                if m.part in self.x:
                    self.box(self.x[m.part], r.top, self.box_text(s, m.transition), dashed=s.moved.environment)
        else:
            self.sync(r)
        notes_top = r.top + (BAND if s.transition in (DELAY, STUTTER) else SYNC_TOP)
        for p, lines in r.notes.items():
            if p in self.x:
                self.note(self.x[p], notes_top, self.widths[p] - 20, lines, NOTE_FILL, "changes")
        o.append("</g>")

    def box(self, x: float, top: float, text: str, dashed: bool) -> None:
        w = max(_width([text]) + 16, 60)
        dash = ' stroke-dasharray="4 2"' if dashed else ""
        color = ENV if dashed else "#1565c0"
        self.out.append(
            f'<rect class="local" x="{x - w / 2:.1f}" y="{top + 6:.0f}" width="{w:.1f}" height="{LINE + 8}" rx="3" '
            f'fill="white" stroke="{color}"{dash}/>'
        )
        self.out.append(f'<text x="{x:.1f}" y="{top + 6 + LINE + 1:.0f}" text-anchor="middle">{_text(text)}</text>')

    def sync(self, r: _Row) -> None:
        s = r.step
        moved = s.moved
        assert moved is not None and moved.sender is not None
        sender = moved.sender
        sx = self.x.get(sender.part, self.x.get(MODEL_PART, AXIS + 10))
        y = r.top + LINE + 6
        label = self.message(s)
        receivers = [m for m in moved.receivers if m.part in self.x]
        o = self.out
        color = ENV if moved.environment else LINE_COLOR
        if receivers:
            near = min(receivers, key=lambda m: abs(self.x[m.part] - sx))
            mid = (sx + self.x[near.part]) / 2
        else:
            mid = sx + 40
        o.append(
            f'<text class="message" x="{mid:.1f}" y="{y - 4:.0f}" text-anchor="middle" font-weight="bold">'
            f"{_text(label)}</text>"
        )
        for m in receivers:
            rx = self.x[m.part]
            end = rx - 2 if rx > sx else rx + 2
            o.append(
                f'<line class="sync" data-from="{_attr(sender.part)}" data-to="{_attr(m.part)}" x1="{sx:.1f}" '
                f'y1="{y:.0f}" x2="{end:.1f}" y2="{y:.0f}" stroke="{color}" stroke-width="1.5" '
                f'marker-end="url(#{self.prefix}-arrow)"/>'
            )
            anchor = "end" if rx > sx else "start"
            nudge = -6 if rx > sx else 6
            o.append(
                f'<text x="{rx + nudge:.1f}" y="{y + LINE:.0f}" text-anchor="{anchor}" font-size="9" fill="#555">'
                f"{_text(m.transition)}</text>"
            )
        if not receivers:
            o.append(
                f'<line class="sync lost" data-from="{_attr(sender.part)}" x1="{sx:.1f}" y1="{y:.0f}" '
                f'x2="{sx + 70:.1f}" y2="{y:.0f}" stroke="{color}" stroke-width="1.5"/>'
            )
            o.append(f'<circle cx="{sx + 74:.1f}" cy="{y:.0f}" r="4" fill="white" stroke="{color}"/>')
        right = any(self.x[m.part] > sx for m in receivers) or not receivers
        anchor, nudge = ("end", -6) if right else ("start", 6)
        o.append(
            f'<text x="{sx + nudge:.1f}" y="{y + LINE:.0f}" text-anchor="{anchor}" font-size="9" fill="#555">'
            f"{_text(sender.transition)}</text>"
        )
        o.append(f'<circle cx="{sx:.1f}" cy="{y:.0f}" r="2.5" fill="{color}"/>')

    def tooltip(self, s: StepView) -> str:
        head = f"{s.name}: "
        if s.transition == DELAY:
            return head + f"delay {fmt(s.elapsed)}"
        text = head + (s.moved.text if s.moved is not None else str(s.transition))
        if s.label:
            text += f" ({s.label})"
        if s.inputs:
            text += "; inputs " + ", ".join(f"{k} = {fmt(v)}" for k, v in s.inputs.items())
        return text

    def ending(self, bottom: float) -> None:
        cx = self.cx
        o = self.out
        if cx.loop_start is not None and self.rows:
            loop = [r for r in self.rows if r.step.index > cx.loop_start] or self.rows[-1:]
            top, end = loop[0].top, loop[-1].top + loop[-1].height
            x = self.bracket
            steps = f"{loop[0].step.first}-{loop[-1].step.index}"
            o.append(f'<g class="loop" id="{self.prefix}-loop" data-steps="{steps}">')
            back = f"step {cx.violation_step} returns to the state of step {cx.loop_start}"
            o.append(f"<title>{_text(back)}</title>")
            o.append(
                f'<path d="M{x:.0f},{top + 2:.0f} h8 V{end - 2:.0f} h-8" fill="none" stroke="{FAIL}" stroke-width="2"/>'
            )
            o.append(
                f'<line x1="{AXIS}" y1="{top:.0f}" x2="{x:.0f}" y2="{top:.0f}" stroke="{FAIL}" stroke-dasharray="6 3"/>'
            )
            mid = (top + end) / 2
            o.append(f'<text x="{x + 14:.0f}" y="{mid - 2:.0f}" fill="{FAIL}" font-weight="bold">loop</text>')
            o.append(
                f'<text x="{x + 14:.0f}" y="{mid + LINE - 2:.0f}" fill="{FAIL}" font-size="9">'
                f"{_text(f'back to step {cx.loop_start}')}</text>"
            )
            o.append(f'<text x="{x + 14:.0f}" y="{mid + 2 * LINE - 2:.0f}" fill="{FAIL}" font-size="9">forever</text>')
            o.append("</g>")
            headline = f"✗ {cx.req_id} fails: {cx.repeating} forever"
        else:
            headline = f"✗ {cx.req_id} fails at step {cx.violation_step}"
        o.append(
            f'<line x1="{AXIS}" y1="{bottom:.0f}" x2="{self.bracket - 10:.0f}" y2="{bottom:.0f}" stroke="{FAIL}" '
            'stroke-width="2"/>'
        )
        o.append(
            f'<text class="verdict" x="{AXIS}" y="{bottom + LINE + 4:.0f}" fill="{FAIL}" font-weight="bold">'
            f"{_text(headline, limit=160)}</text>"
        )
        for i, line in enumerate(LEGEND):
            o.append(
                f'<text class="legend" x="{AXIS}" y="{bottom + (2 + i) * LINE + 4:.0f}" font-size="9" fill="#666">'
                f"{_text(line, limit=200)}</text>"
            )


# ---------------------------------------------------------------- texts


def _cut(lines: list[str]) -> list[str]:
    if len(lines) <= MAX_NOTE_LINES:
        return lines
    return [*lines[: MAX_NOTE_LINES - 1], f"+{len(lines) - MAX_NOTE_LINES + 1} more"]


def _shown(text: str, limit: int = MAX_TEXT) -> str:
    """`text` with hidden characters escaped, cut to `limit` characters."""
    text = visible(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _width(texts: list[str], limit: int = MAX_TEXT, char: float = CHAR) -> float:
    """The estimated width of the widest of `texts` as drawn."""
    return max((len(_shown(t, limit)) for t in texts), default=0) * char


def _text(text: str, limit: int = MAX_TEXT) -> str:
    """Text content: shown, shortened and XML-escaped."""
    return html.escape(_shown(text, limit), quote=False)


def _attr(text: str) -> str:
    """An attribute value: shown, shortened and XML-escaped, quotes included."""
    return html.escape(_shown(text, 200), quote=True)


def _id(text: str) -> str:
    """An element id: the characters of requirement ids, anything else as `_`."""
    return re.sub(r"[^A-Za-z0-9_.\-]", "_", text)[:MAX_TEXT] or "msc"


# ---------------------------------------------------------------- output


PROLOG = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
"""The start of a chart written as a file (HTML embeds the `<svg>` element alone)."""


def write_charts(directory: str | Path, system: TransitionSystem, outcomes: list[Outcome]) -> list[Path]:
    """DIRECTORY/<id>.msc.svg for every violated requirement of a composed model; returns the paths written."""
    if not composed(system):
        return []
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for o in outcomes:
        if isinstance(o.result, Violated):
            svg = chart(from_outcome(o, system), system, prefix=o.requirement.id)
            assert svg is not None
            path = folder / f"{o.requirement.id}.msc.svg"
            write_atomically(path, (PROLOG + svg).encode("utf-8"))
            written.append(path)
    return written
