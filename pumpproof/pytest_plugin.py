"""pytest plugin: every requirement of the checks in the rootdir's `[tool.pumpproof]` table is a test item.

`models/pump.pump::UO-LEVEL` passes when PROVED, fails when VIOLATED (the counterexample's step table and
narrative are the failure text) or VACUOUS (an empty proof is not green), and is skipped, with the reason,
when UNKNOWN. The model's built-in questions (MODEL.RANGES, MODEL.DEADLOCK or MODEL.TIME) are items too.
Models are loaded at collection (a bad file is one collection error at its `file:line:col`); the built-in
questions are asked once per check, lazily, by the first of its items to run in each process (so under
pytest-xdist each worker asks them only for models it has items of), and each requirement in its own item,
so that `-k`, `-x` and `--deselect` save the work they skip. Without a `[tool.pumpproof]` table the plugin
does nothing. The table is described in `pumpproof.project` and README.md, "pytest".

PYTEST_DONT_REWRITE: the plugin's few asserts need no rewriting, and pytest would warn where the module is
imported before a `-p pumpproof.pytest_plugin` asks for it to be rewritten (a test's inner pytest run).
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest
from _pytest._code.code import ExceptionInfo, ReprFileLocation, TerminalRepr
from _pytest._io import TerminalWriter

from pumpproof.errors import InputError, InternalError, PumpproofError, TooManyStates
from pumpproof.lang.characters import visible, visible_lines
from pumpproof.lang.ir import Requirement, TransitionSystem
from pumpproof.project import ProjectCheck, project_checks
from pumpproof.reports.undecided import not_decided
from pumpproof.verify.analyses.vacuity import explain
from pumpproof.verify.problem import RANGES_ID
from pumpproof.verify.results import Proved, Unknown, Vacuous, Violated
from pumpproof.verify.run import Checker, Outcome, ranges_requirement
from pumpproof.verify.runs import DEADLOCK_ID, TIME_ID

if TYPE_CHECKING:
    from rich.console import Console

    from pumpproof.verify.cache import ResultCache

ENTRY_POINT = "pumpproof"
"""The name of the plugin's `pytest11` entry point (pyproject.toml)."""
CHECKS_PLUGIN = "pumpproof-checks"
"""The name the active part of the plugin is registered under, once a `[tool.pumpproof]` table is found."""
MARKER = "pumpproof"
MAX_INVARIANT_CHARS = 2000
"""The longest invariant a passing item's report section shows (`-rP`); Spacer's can be far longer."""
MIN_WIDTH = 120
"""The width of a failure text written to a file (JUnit XML, xdist's reports), where no terminal says how wide."""


def pytest_plugin_registered(plugin: object, plugin_name: str, manager: pytest.PytestPluginManager) -> None:
    """Loaded by its module name (`-p pumpproof.pytest_plugin`) where the entry point is installed too: pytest
    would register this module again under the entry point's name, and refuse to; so that name is blocked."""
    if plugin is sys.modules[__name__] and plugin_name != ENTRY_POINT:
        manager.set_blocked(ENTRY_POINT)


def pytest_configure(config: pytest.Config) -> None:
    """Read the rootdir's `[tool.pumpproof]` table; without one, do nothing at all."""
    try:
        checks = project_checks(config.rootpath)
    except InputError as err:
        raise pytest.UsageError(err.render()) from None
    if checks is None:
        return
    config.addinivalue_line("markers", f"{MARKER}: a requirement or built-in question checked by pumpproof")
    plugin = ModelChecks(checks)
    config.pluginmanager.register(plugin, CHECKS_PLUGIN)
    plugin.add_models_to(config)


class ModelChecks:
    """The active plugin: collects the configured models and keeps each check's shared `Checker`."""

    def __init__(self, checks: list[ProjectCheck]) -> None:
        self.checks = checks
        self.by_model: dict[Path, list[ProjectCheck]] = {}
        for c in checks:
            self.by_model.setdefault(c.model_path, []).append(c)
        self._checkers: dict[str, Checker | PumpproofError] = {}
        self._caches: dict[str, ResultCache] = {}

    def add_models_to(self, config: pytest.Config) -> None:
        """A plain `pytest` (no paths on the command line) checks the models too, also where `testpaths`
        leaves their folder out; a command line that names paths collects only the models under them."""
        if config.args_source is not pytest.Config.ArgsSource.TESTPATHS:
            return
        roots = [Path(a).resolve() for a in config.args]
        for model in self.by_model:
            if not any(model == r or model.is_relative_to(r) for r in roots):
                config.args.append(str(model))

    def pytest_report_header(self, config: pytest.Config) -> str:
        models = len(self.by_model)
        return f"pumpproof: {len(self.checks)} check(s) of {models} model(s) from [tool.pumpproof]"

    def pytest_collect_file(self, file_path: Path, parent: pytest.Collector) -> ModelFile | None:
        checks = self.by_model.get(file_path.resolve())
        if not checks:
            return None
        node: ModelFile = ModelFile.from_parent(parent, path=file_path)
        node.checks, node.plugin = checks, self
        return node

    def cache(self, check: ProjectCheck) -> ResultCache | None:
        """The result cache of the check (its `cache` key, relative to the project's root, else $PUMPPROOF_CACHE),
        opened once; None without one. Its hits are re-checked on the model, as `check --cache` does."""
        from pumpproof.verify import cache

        folder = cache.cache_dir(check.settings.cache and str(check.root / check.settings.cache))
        if folder is None:
            return None
        if folder not in self._caches:
            self._caches[folder] = cache.ResultCache.open(folder)
        return self._caches[folder]

    def checker(self, check: ProjectCheck, system: TransitionSystem) -> Checker:
        """The check's built-in questions, asked once in this process, by the first item that needs them (an
        error asking them is kept, and every item of the check reports it)."""
        if check.where not in self._checkers:
            try:
                self._checkers[check.where] = Checker(system, check.settings.options())
            except PumpproofError as err:
                self._checkers[check.where] = err
        known = self._checkers[check.where]
        if isinstance(known, PumpproofError):
            raise known
        return known


class ModelFile(pytest.File):
    """A configured model file: the items of every check of it."""

    checks: list[ProjectCheck]
    plugin: ModelChecks

    def collect(self) -> Iterator[CheckItem]:
        for check in self.checks:
            try:
                system, reqs = check.load(relative_to=Path.cwd())
            except InputError as err:
                raise self.CollectError(f"{check.where}: {err.render()}") from None
            builtins = [RANGES_ID] if ranges_requirement(system) is not None else []
            builtins.append(TIME_ID if system.timed else DEADLOCK_ID)
            suffix = f"[{check.label}]" if check.label else ""
            for rid in builtins:
                yield CheckItem.from_parent(self, name=rid + suffix, check=check, system=system, requirement=None)
            for req in reqs.requirements:
                yield CheckItem.from_parent(self, name=req.id + suffix, check=check, system=system, requirement=req)


class CheckItem(pytest.Item):
    """One requirement, or one built-in question (`requirement` None: the id is the item's name)."""

    def __init__(
        self,
        *,
        check: ProjectCheck,
        system: TransitionSystem,
        requirement: Requirement | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.check, self.system, self.requirement = check, system, requirement
        self.rid = requirement.id if requirement is not None else self.name.partition("[")[0]
        self.add_marker(MARKER)

    @property
    def plugin(self) -> ModelChecks:
        assert isinstance(self.parent, ModelFile)
        return self.parent.plugin

    def runtest(self) -> None:
        try:
            outcome = self._outcome()
            self.user_properties.append(("verdict", outcome.result.verdict.value))
            self.user_properties.append(("engine", outcome.result.engine))
            if outcome.cache is not None:
                self.user_properties.append(("cache", outcome.cache.value))
            self._judge(outcome)
        except TooManyStates as err:
            _skip(f"not decided: {err.message}")

    def _outcome(self) -> Outcome:
        """The verdict of this item's question (a built-in question the model's runs left unasked: skipped)."""
        checker = self.plugin.checker(self.check, self.system)
        if self.requirement is not None:
            store = self.plugin.cache(self.check)
            if store is None:
                return checker.check(self.requirement)
            from pumpproof.verify.cache import requirement_outcome

            return requirement_outcome(checker, store, self.requirement)
        outcome = next((o for o in checker.builtins if o.requirement.id == self.rid), None)
        if outcome is None:
            facts = checker.facts
            _skip(f"not asked: {facts.none or '; '.join(facts.notes) or 'not a question for this model'}")
        return outcome

    def _judge(self, outcome: Outcome) -> None:
        r = outcome.result
        if isinstance(r, (Violated, Vacuous)):
            raise RequirementFailed(outcome)
        if isinstance(r, Unknown):
            _skip(not_decided(r))
        assert isinstance(r, Proved)
        lines = [f"{self.rid} PROVED by {r.engine} ({r.certificate.kind}, k={r.certificate.k})"]
        if outcome.vacuity is not None and not outcome.vacuity.decided:
            lines.append(f"PROVED, but {explain(outcome.vacuity)}")
        lines += list(outcome.notes)
        invariant = r.certificate.invariant_text
        if len(invariant) <= MAX_INVARIANT_CHARS:
            lines += ["invariant:", *(f"  {line}" for line in invariant.splitlines())]
        else:
            lines.append(f"invariant: {len(invariant):,} characters (`pumpproof check --invariants` prints it)")
        self.add_report_section("call", "pumpproof", visible_lines("\n".join(lines)))
        if self.check.settings.certify:
            self._certify(outcome)
            self.add_report_section("call", "pumpproof", "the proof's obligations re-checked by cvc5: they hold")

    def _certify(self, outcome: Outcome) -> None:
        """The proof re-checked by cvc5, as `check --certify` does: refuted is an internal error, unconfirmed
        (undecided in time, or no invariant to re-check) is not a pass."""
        from pumpproof.verify import independent

        (proof,) = independent.certify([outcome], self.check.settings.timeout_s)
        if proof.refuted:
            raise InternalError(
                f"cvc5 refutes the proof obligations of {self.rid}: the proof found by z3 does not hold"
            )
        if proof.unconfirmed:
            _skip(f"PROVED, but cvc5 could not confirm the proof{f' ({proof.note})' if proof.note else ''}")

    def repr_failure(self, excinfo: ExceptionInfo[BaseException], style: str | None = None) -> str | TerminalRepr:
        """A violation's evidence or an error's message, without the plugin's traceback."""
        err = excinfo.value
        if isinstance(err, RequirementFailed):
            return Evidence(err.outcome, self.system, self.reportinfo())
        if isinstance(err, InputError):
            return err.render()
        if isinstance(err, PumpproofError):
            return f"internal error: {err} (please report)"
        return super().repr_failure(excinfo, style)  # type: ignore[arg-type]

    def reportinfo(self) -> tuple[os.PathLike[str] | str, int | None, str]:
        """Where the requirement is written (the model's header for a built-in question)."""
        loc = self.requirement.loc if self.requirement is not None else self.system.loc
        if loc is None:
            return self.path, None, self.name
        return Path(loc.file), loc.line - 1, self.name


def _skip(reason: str) -> NoReturn:
    """Skip the item, reported at the requirement's line (as a skip mark is), not at this plugin's."""
    raise pytest.skip.Exception(visible(reason), _use_item_location=True)


class RequirementFailed(Exception):
    """A VIOLATED or VACUOUS verdict: the item fails with its evidence (`Evidence`)."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(f"{outcome.requirement.id} {outcome.result.verdict.value}")
        self.outcome = outcome


class Evidence(TerminalRepr):
    """A failure's text: for VIOLATED the counterexample as `pumpproof check` prints it (heading, step table,
    narrative), for VACUOUS why the proof is empty."""

    def __init__(
        self, outcome: Outcome, system: TransitionSystem, where: tuple[os.PathLike[str] | str, int | None, str]
    ) -> None:
        self.outcome, self.system = outcome, system
        req, r = outcome.requirement, outcome.result
        reason = getattr(r, "reason", None)
        headline = visible(f"{req.id} {r.verdict.value}: " + (reason if reason else req.text))
        self.reprcrash = ReprFileLocation(str(where[0]), (where[1] or 0) + 1, headline)

    def toterminal(self, tw: TerminalWriter) -> None:
        from rich.console import Console

        width = tw.fullwidth if tw.hasmarkup else max(tw.fullwidth, MIN_WIDTH)
        buffer = io.StringIO()
        console = Console(
            file=buffer,
            width=width,
            force_terminal=tw.hasmarkup,
            no_color=not tw.hasmarkup,
            highlight=False,
            soft_wrap=False,
        )
        self._render(console)
        tw.write("\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n")

    def _render(self, console: Console) -> None:
        from pumpproof.reports.terminal import plain, plain_lines, render_counterexample

        o, req = self.outcome, self.outcome.requirement
        if isinstance(o.result, Violated):
            render_counterexample(console, self.system, o)
        elif isinstance(o.result, Vacuous):
            console.print(plain(f"{req.id} VACUOUS: {req.text}", "bold magenta"))
            console.print(plain_lines(f"  formula: {req.formula_text}", "dim"))
            if req.loc is not None:
                console.print(plain(f"  at {req.loc}; source: {req.source}", "dim"))
            console.print(plain(f"  {o.result.reason}", "magenta"))
        for note in o.notes:
            console.print(plain(f"  {req.id}: {note}", "yellow"))
