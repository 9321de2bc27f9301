"""The result cache of `check --cache DIR`: stored answers that are re-checked on the model, never trusted.

An entry is keyed by a hash of the requirement (id and formula), its cone of influence in the model (every
variable it reads and, transitively, every variable, transition, invariant, assumption and initial condition
that can affect them; constants are folded into the IR's expressions, so they count where they are used), the
options that change verdicts (engine, max depth) and the tool and solver versions. A stored proof stands only
when its invariant passes the current model's obligations (initiation, consecution, safety: `portfolio.reused`)
and its trigger witnesses replay; a stored counterexample only when the interpreter replays it (`replay.py`).
The entries of the same requirement under other keys (an edit inside its cone) are tried the same way: an
invariant that still holds is a free proof. Anything else is solved again and the entry rewritten.

The questions about the model's runs (MODEL.DEADLOCK, MODEL.TIME, and whether a run exists) are cached as one
entry keyed by the whole model, each answer re-checked like a mutant's (`portfolio.Questions`); MODEL.RANGES is
always solved. An entry that is unreadable, of another format or version, or inconsistent is ignored with a
one-line warning; it never changes a verdict, because nothing read from the cache is believed unchecked.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from enum import Enum
from fractions import Fraction
from functools import partial
from pathlib import Path
from typing import Any

from pumpproof import __version__
from pumpproof.errors import PumpproofError, UsageError
from pumpproof.lang.characters import visible
from pumpproof.lang.ir import Requirement, RequirementSet, TransitionSystem, Value
from pumpproof.lang.text import expr_text
from pumpproof.output import OutputError, write_atomically
from pumpproof.verify.analyses.vacuity import TriggerCheck, VacuityResult, triggers
from pumpproof.verify.cone import cone
from pumpproof.verify.portfolio import Options
from pumpproof.verify.problem import RANGES_ID
from pumpproof.verify.results import (
    CacheUse,
    Certificate,
    CertificateKind,
    Proved,
    Result,
    Step,
    Trace,
    Unknown,
    Vacuous,
    Violated,
)
from pumpproof.verify.run import Checker, Outcome, Progress, each
from pumpproof.verify.versions import solver_versions

CACHE_ENV = "PUMPPROOF_CACHE"
"""The environment variable that turns the cache on when `--cache` is not given."""
FORMAT = "pumpproof-cache/1"
MAX_CANDIDATES = 3
"""Entries of the same requirement under other keys tried before solving, the most recent first."""
MAX_K = 1_000
"""The largest k of a stored k-inductive certificate that is re-checked (a larger one is not a real entry)."""
RUNS_ID = "MODEL.RUNS"
"""The entry of the questions about the model's runs (not a requirement id: those are the answers of `runs`)."""

Warn = Callable[[str], None]


class BadEntry(ValueError):
    """A cache entry that is not what this version of pumpproof writes: ignored, with the reason."""


def cache_dir(flag: str | None) -> str | None:
    """The cache folder: `--cache DIR`, else $PUMPPROOF_CACHE, else None (no cache)."""
    return flag or os.environ.get(CACHE_ENV) or None


def _stderr(message: str) -> None:
    print(visible(message), file=sys.stderr)


class ResultCache:
    """A folder of entries, `entries/KEY.json`, and an index of each requirement's entries under the same options
    and versions, `by-id/GROUP/KEY` (empty files; see `group`)."""

    def __init__(self, root: Path, warn: Warn = _stderr) -> None:
        self.root, self.warn = root, warn
        self.entries, self.index = root / "entries", root / "by-id"

    @staticmethod
    def open(path: str, warn: Warn = _stderr) -> ResultCache:
        """The cache in `path` (created if missing); UsageError now, before any solving, if it cannot be written."""
        root = Path(path)
        cache = ResultCache(root, warn)
        hint = "give --cache (or PUMPPROOF_CACHE) a folder this user can create and write"
        try:
            cache.entries.mkdir(parents=True, exist_ok=True)
            cache.index.mkdir(exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=cache.entries, prefix=".probe-"):
                pass
        except OSError as err:
            raise UsageError(f"cannot use '{path}' as the result cache: {err.strerror or err}", hint=hint) from None
        return cache

    def read(self, key: str, rid: str) -> dict[str, Any] | None:
        """The entry stored under `key` for `rid`, checked to be one this version wrote; None when there is none.
        BadEntry when there is one that cannot be used."""
        path = self.entries / f"{key}.json"
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as err:
            raise BadEntry(f"unreadable ({err.strerror or err})") from None
        try:
            doc = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError, ValueError):
            raise BadEntry("not JSON (truncated or damaged)") from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise BadEntry(f"not a {FORMAT} entry")
        if doc.get("versions") != versions():
            raise BadEntry("written by another version of pumpproof or z3")
        if doc.get("key") != key or doc.get("id") != rid:
            raise BadEntry("its key or requirement id does not match its file name")
        return doc

    def others(self, rid: str, key: str, group: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """Up to MAX_CANDIDATES readable entries of `rid` in `group` (see `group`) under keys other than `key`,
        the most recent first."""
        folder = self.index / group
        try:
            markers = sorted(folder.iterdir(), key=_mtime, reverse=True)
        except OSError:
            return
        tried = 0
        for marker in markers:
            if marker.name == key or tried >= MAX_CANDIDATES:
                continue
            tried += 1
            try:
                doc = self.read(marker.name, rid)
            except BadEntry as err:
                self.ignored(marker.name, err)
                continue
            if doc is not None:
                yield marker.name, doc

    def ignored(self, key: str, err: BadEntry) -> None:
        """The one-line warning for an entry that cannot be used."""
        self.warn(f"warning: cache entry {self.entries / key}.json ignored: {err}")

    def write(self, key: str, rid: str, body: dict[str, Any], group: str) -> None:
        """Store `body` under `key`, indexed in `group` (atomically: a reader sees the old entry or the new one,
        never half of one)."""
        doc = {"format": FORMAT, "key": key, "id": rid, "versions": versions(), **body}
        try:
            write_atomically(self.entries / f"{key}.json", json.dumps(doc, sort_keys=True) + "\n")
            folder = self.index / group
            folder.mkdir(exist_ok=True)
            (folder / key).touch()
        except (OSError, OutputError) as err:
            self.warn(f"warning: result cache not updated for {rid}: {getattr(err, 'message', err)}")


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def group(rid: str, options: Options) -> str:
    """The entries one requirement may take its answer from when its own key has none: those of the same
    requirement id, options and versions (so that an answer another engine or depth found is not used)."""
    return _sha(json.dumps([rid, options.engine, options.max_depth, versions()]))[:32]


def versions() -> dict[str, str]:
    """The tool and solver versions an entry was written by (part of every key)."""
    return {"pumpproof": __version__, **solver_versions()}


# ---------------------------------------------------------------- keys: structural digests of the IR


class _Digest:
    """A structural SHA-256 of IR values that ignores source locations (fields with compare=False), each
    node hashed once: a define used twice is one shared node, and its tree may be exponentially large."""

    def __init__(self) -> None:
        self.memo: dict[int, str] = {}

    def of(self, value: object) -> str:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            known = self.memo.get(id(value))
            if known is None:
                parts = [f"{f.name}={self.of(getattr(value, f.name))}" for f in dataclasses.fields(value) if f.compare]
                known = _sha(f"{type(value).__name__}({','.join(parts)})")
                self.memo[id(value)] = known
            return known
        if isinstance(value, Enum):
            return f"{type(value).__name__}.{value.value}"
        if isinstance(value, (tuple, list, frozenset, set)):
            items = [self.of(v) for v in value]
            return "[" + ",".join(sorted(items) if isinstance(value, (set, frozenset)) else items) + "]"
        if isinstance(value, dict):
            return "{" + ",".join(f"{k!r}:{self.of(v)}" for k, v in sorted(value.items())) + "}"
        return f"{type(value).__name__}:{value!r}"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def requirement_key(system: TransitionSystem, req: Requirement, options: Options, stutter: bool) -> str:
    """The key of `req`'s entry: its id and formula, its cone, the options that change verdicts, the versions."""
    digest = _Digest()
    return _key(["requirement", req.id, digest.of(req.formula), digest.of(cone(system, req, stutter).pieces)], options)


def runs_key(system: TransitionSystem, options: Options) -> str:
    """The key of the entry of the questions about the runs: they depend on the whole model."""
    return _key(["runs", _Digest().of(system)], options)


def _key(parts: list[object], options: Options) -> str:
    material = {"parts": parts, "engine": options.engine, "max_depth": options.max_depth, "versions": versions()}
    return _sha(json.dumps(material, sort_keys=True, default=str))


# ---------------------------------------------------------------- entries: results as JSON, read back strictly


def value_json(v: Value) -> Any:
    """A value as JSON; a Fraction as {"q": [numerator, denominator]}, so that its type survives."""
    if isinstance(v, Fraction):
        return {"q": [v.numerator, v.denominator]}
    return v


def value_of(j: Any) -> Value:
    """The value `value_json` wrote; BadEntry for anything else."""
    if isinstance(j, (bool, int, str)):
        return j
    if isinstance(j, dict) and set(j) == {"q"} and isinstance(j["q"], list) and len(j["q"]) == 2:
        num, den = j["q"]
        if type(num) is int and type(den) is int and den > 0:
            return Fraction(num, den)
    raise BadEntry(f"not a value: {str(j)[:40]}")


def result_json(r: Result) -> dict[str, Any] | None:
    """A definitive result as JSON (a VACUOUS one as its proof: vacuity is decided again); None for UNKNOWN and
    for a proof by enumeration, which leaves no invariant to re-check."""
    if isinstance(r, Vacuous):
        r = r.proof
    if isinstance(r, Proved) and r.certificate.kind is not CertificateKind.EXHAUSTIVE:
        c = r.certificate
        cert = {"kind": c.kind.value, "k": c.k, "smt2": c.invariant_smt2, "text": c.invariant_text, "rounds": c.rounds}
        return {"verdict": "PROVED", "engine": r.engine, "time_s": r.time_s, "certificate": cert}
    if isinstance(r, Violated):
        return {"verdict": "VIOLATED", "engine": r.engine, "time_s": r.time_s, "trace": _trace_json(r.trace)}
    return None


def _trace_json(trace: Trace) -> dict[str, Any]:
    def values(d: dict[str, Value]) -> dict[str, Any]:
        return {k: value_json(v) for k, v in d.items()}

    steps = [
        {
            "index": s.index,
            "transition": s.transition,
            "inputs": values(s.inputs),
            "state": values(s.state),
            "monitors": values(s.monitors),
            "elapsed": value_json(s.elapsed),
            "time": value_json(s.time),
        }
        for s in trace.steps
    ]
    return {"loop_start": trace.loop_start, "steps": steps}


def result_of(j: Any) -> Proved | Violated:
    """The result `result_json` wrote; BadEntry for anything of another shape."""
    j = _obj(j, "result")
    engine, time_s = _typed(j.get("engine"), str, "engine"), j.get("time_s")
    if not isinstance(time_s, (int, float)) or isinstance(time_s, bool) or not time_s >= 0:
        raise BadEntry("result: time_s is not a number of seconds")
    if j.get("verdict") == "PROVED":
        c = _obj(j.get("certificate"), "certificate")
        try:
            kind = CertificateKind(c.get("kind"))
        except ValueError:
            raise BadEntry("certificate: unknown kind") from None
        k = _typed(c.get("k"), int, "certificate k")
        rounds = c.get("rounds")
        if not 0 <= k <= MAX_K or not (rounds is None or (type(rounds) is int and 0 <= rounds <= MAX_K)):
            raise BadEntry("certificate: k or rounds out of range")
        smt2, text = _typed(c.get("smt2"), str, "invariant"), _typed(c.get("text"), str, "invariant text")
        return Proved(engine, float(time_s), Certificate(kind, k, smt2, text, rounds))
    if j.get("verdict") == "VIOLATED":
        return Violated(engine, float(time_s), _trace_of(j.get("trace")))
    raise BadEntry("result: neither PROVED nor VIOLATED")


def _trace_of(j: Any) -> Trace:
    j = _obj(j, "trace")
    raw_steps = j.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise BadEntry("trace: no steps")
    loop = j.get("loop_start")
    if not (loop is None or (type(loop) is int and 0 <= loop < len(raw_steps) - 1)):
        raise BadEntry("trace: loop_start is not a step before the last")
    steps = []
    for n, raw in enumerate(raw_steps):
        s = _obj(raw, "step")
        transition = s.get("transition")
        if s.get("index") != n or not (transition is None or isinstance(transition, str)):
            raise BadEntry(f"trace: step {n} is out of order or names no transition")
        values = {f: _values(s.get(f)) for f in ("inputs", "state", "monitors")}
        step = Step(n, transition, values["inputs"], values["state"], values["monitors"])
        steps.append(replace(step, elapsed=value_of(s.get("elapsed")), time=value_of(s.get("time"))))
    return Trace(tuple(steps), loop)


def _values(j: Any) -> dict[str, Value]:
    j = _obj(j, "values")
    return {_typed(k, str, "name"): value_of(v) for k, v in j.items()}


def _obj(j: Any, what: str) -> dict[str, Any]:
    if not isinstance(j, dict):
        raise BadEntry(f"{what}: not an object")
    return j


def _typed(j: Any, kind: type, what: str) -> Any:
    if not isinstance(j, kind) or (kind is int and isinstance(j, bool)):
        raise BadEntry(f"{what}: not a {kind.__name__}")
    return j


def outcome_json(o: Outcome) -> dict[str, Any]:
    """What is stored of a requirement's outcome: its result and its trigger checks."""
    checks = None
    if o.vacuity is not None:
        checks = [{"trigger": c.text, "result": result_json(c.result)} for c in o.vacuity.checks]
    return {"formula": o.requirement.formula_text, "result": result_json(o.result), "vacuity": checks}


def earlier_of(doc: dict[str, Any], req: Requirement) -> Outcome:
    """The stored outcome of `req` in an entry, as an earlier outcome for `Checker.carry`; BadEntry if malformed.
    Its trigger checks are kept only when they are those of `req`'s formula, one by one."""
    result = result_of(doc.get("result"))
    raw = doc.get("vacuity")
    vacuity = None
    if raw is not None:
        if not isinstance(raw, list):
            raise BadEntry("vacuity: not a list")
        found = triggers(req.formula)
        texts = [_obj(c, "trigger check").get("trigger") for c in raw]
        if texts == [expr_text(t) for t in found]:
            vacuity = VacuityResult(req.id, tuple(_trigger(c, t) for c, t in zip(raw, found, strict=True)))
    return Outcome(req, result, 0.0, None, vacuity=vacuity)


def _trigger(j: dict[str, Any], trigger: Any) -> TriggerCheck:
    stored = j.get("result")
    result: Result = Unknown("cache", 0.0, "not stored") if stored is None else result_of(stored)
    return TriggerCheck(trigger, expr_text(trigger), result)


# ---------------------------------------------------------------- a whole check, served from the cache


REPLAY_FAULTS = (LookupError, TypeError, ValueError, ArithmeticError, PumpproofError)
"""What a stored answer that does not fit the model may raise while it is re-checked: it is then solved again."""


def check_all(
    system: TransitionSystem,
    reqs: RequirementSet,
    options: Options,
    cache: ResultCache,
    progress: Progress | None = None,
    jobs: int = 1,
) -> list[Outcome]:
    """`run.check_all`, each stored answer tried first (re-checked) and each new answer stored; every outcome
    says how the cache served it (`Outcome.cache`)."""
    runs_id = f"{RUNS_ID}:{system.name}"
    key = runs_key(system, options)
    answers, use = _stored_answers(cache, key, runs_id, group(runs_id, options))
    checker = Checker(system, options, progress, earlier_runs=answers)
    facts = checker.facts
    if use is not CacheUse.MISS and facts.answers and set(facts.answers) <= facts.carried:
        use = use if use is CacheUse.REUSED else CacheUse.HIT
    elif use is not CacheUse.MISS:
        use = CacheUse.RECHECK_FAILED
    if use is not CacheUse.HIT:
        stored = {name: result_json(r) for name, r in facts.answers.items()}
        cache.write(
            key, runs_id, {"answers": {n: r for n, r in stored.items() if r is not None}}, group(runs_id, options)
        )
    builtins = [replace(o, cache=None if o.requirement.id == RANGES_ID else use) for o in checker.builtins]
    served = each(checker, reqs.requirements, partial(requirement_outcome, checker, cache), jobs, progress)
    return [*builtins, *served]


def _stored_answers(cache: ResultCache, key: str, runs_id: str, among: str) -> tuple[dict[str, Result], CacheUse]:
    """The stored answers about the runs: this model's entry, else the latest of a model of the same name."""
    found = CacheUse.MISS
    try:
        doc = cache.read(key, runs_id)
    except BadEntry as err:
        cache.ignored(key, err)
        doc, found = None, CacheUse.RECHECK_FAILED
    source = key
    if doc is None:
        source, doc = next(cache.others(runs_id, key, among), (key, None))
        found = CacheUse.REUSED if doc is not None else found
    elif found is CacheUse.MISS:
        found = CacheUse.HIT
    if doc is None:
        return {}, found
    try:
        raw = _obj(doc.get("answers"), "answers")
        return {_typed(n, str, "question"): result_of(r) for n, r in raw.items()}, found
    except BadEntry as err:
        cache.ignored(source, err)
        return {}, CacheUse.RECHECK_FAILED


def requirement_outcome(checker: Checker, cache: ResultCache, req: Requirement) -> Outcome:
    """One requirement: its own entry, then its entries under other keys, re-checked; else solved and stored."""
    key = requirement_key(checker.system, req, checker.options, checker.facts.stutter)
    among = group(req.id, checker.options)
    failed = False
    candidates: list[tuple[CacheUse, str, dict[str, Any]]] = []
    try:
        doc = cache.read(key, req.id)
        if doc is not None:
            candidates.append((CacheUse.HIT, key, doc))
    except BadEntry as err:
        cache.ignored(key, err)
        failed = True
    candidates += [(CacheUse.REUSED, k, d) for k, d in cache.others(req.id, key, among)]
    for use, stored_key, doc in candidates:
        try:
            kept = checker.carry(req, earlier_of(doc, req))
        except BadEntry as err:
            cache.ignored(stored_key, err)
            kept = None
        except REPLAY_FAULTS:  # e.g. a stored trace over variables the model does not have: it does not replay
            kept = None
        if kept is not None:
            if use is not CacheUse.HIT:
                cache.write(key, req.id, outcome_json(kept), among)
            return replace(kept, cache=use)
        failed = failed or use is CacheUse.HIT
    outcome = checker.solve(req)
    if result_json(outcome.result) is not None:
        cache.write(key, req.id, outcome_json(outcome), among)
    return replace(outcome, cache=CacheUse.RECHECK_FAILED if failed else CacheUse.MISS)
