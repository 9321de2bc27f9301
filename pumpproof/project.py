"""A project's checks: the `[tool.pumpproof]` table of its pyproject.toml, which models to check against which
requirement files and how. Read by the pytest plugin (`pumpproof.pytest_plugin`) and the pre-commit hooks
(`pumpproof.hooks`), so that both check the same things.

```toml
[tool.pumpproof]
timeout = 60                      # defaults for every check (as the command line's options)
checks = [
  {model = "models/pump.pump", requirements = "properties/pump.req"},
  {model = "models/pump.pump", requirements = "properties/pump.req", define = {T_DETECT_MS = 10}, name = "short"},
]
```
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pumpproof.errors import UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10: pytest depends on tomli there
    import tomli as tomllib

if TYPE_CHECKING:
    from pumpproof.lang.ir import RequirementSet, TransitionSystem
    from pumpproof.verify.portfolio import Options

PYPROJECT = "pyproject.toml"
TABLE = "[tool.pumpproof]"
SETTING_KEYS = ("engine", "timeout", "max-depth", "deterministic", "certify", "cache")
"""Keys of the table that every check inherits and each may override, named as the command line's options."""
CHECK_KEYS = ("model", "requirements", "define", "only", "name", *SETTING_KEYS)
TABLE_KEYS = ("checks", *SETTING_KEYS)
MAX_TIMEOUT_S = 1e6  # as the command line's (`pumpproof.cli`): Z3 takes milliseconds as a 32-bit count


@dataclass(frozen=True)
class Settings:
    """How a check runs its engines (the options of `pumpproof check`), and whether proofs are re-checked by cvc5."""

    engine: str = "auto"
    timeout_s: float = 60.0
    max_depth: int | None = None
    deterministic: bool = False
    certify: bool = False
    cache: str | None = None
    """The result cache's folder (`--cache DIR`, relative to the project's root); None: $PUMPPROOF_CACHE, if set."""

    def options(self) -> Options:
        """The engines' options."""
        from pumpproof.verify.portfolio import Options

        return Options(self.engine, self.timeout_s, self.max_depth, None, self.deterministic)


@dataclass(frozen=True)
class ProjectCheck:
    """One entry of `checks`: a model, its requirements, the constants overridden and the settings."""

    where: str
    """Where the entry is, for messages: `checks[1]`."""
    root: Path
    model: str
    """As written in the table, relative to `root`."""
    requirements: str | None
    defines: tuple[tuple[str, str], ...] = ()
    only: tuple[str, ...] = ()
    name: str | None = None
    settings: Settings = field(default_factory=Settings)
    label: str | None = None
    """What tells this check from the others of the same model (its `name`, else its constants or requirement
    file), or None when it is the model's only check."""

    @property
    def model_path(self) -> Path:
        return (self.root / self.model).resolve()

    @property
    def requirements_path(self) -> Path | None:
        return None if self.requirements is None else (self.root / self.requirements).resolve()

    def inputs(self) -> tuple[Path, ...]:
        """The files this check reads."""
        reqs = self.requirements_path
        return (self.model_path,) if reqs is None else (self.model_path, reqs)

    def arguments(self, relative_to: Path | None = None) -> argparse.Namespace:
        """The check as `pumpproof check`'s parsed command line (paths relative to `relative_to` when given)."""
        reqs = self.requirements_path
        return argparse.Namespace(
            model=_shown(self.model_path, relative_to),
            requirements=None if reqs is None else _shown(reqs, relative_to),
            defines=[f"{k}={v}" for k, v in self.defines],
            only=list(self.only),
        )

    def command(self) -> list[str]:
        """The `pumpproof check` command line of this check, run from `root` (without output options)."""
        s = self.settings
        argv = ["check", self.model, *([self.requirements] if self.requirements else [])]
        for k, v in self.defines:
            argv += ["-D", f"{k}={v}"]
        for rid in self.only:
            argv += ["--only", rid]
        if s.engine != Settings.engine:
            argv += ["--engine", s.engine]
        argv += ["--timeout", f"{s.timeout_s:g}"]
        if s.max_depth is not None:
            argv += ["--max-depth", str(s.max_depth)]
        if s.deterministic:
            argv.append("--deterministic")
        if s.certify:
            argv.append("--certify")
        if s.cache is not None:
            argv += ["--cache", s.cache]
        return argv

    def load(self, relative_to: Path | None = None) -> tuple[TransitionSystem, RequirementSet]:
        """The model and its requirements, narrowed to `only` (InputError, located, for bad input)."""
        from pumpproof.commands.inputs import load

        return load(self.arguments(relative_to))


def read_table(root: Path) -> Mapping[str, Any] | None:
    """The `[tool.pumpproof]` table of `root`'s pyproject.toml; None when there is no such file or table."""
    path = root / PYPROJECT
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise UsageError(f"cannot read {path}: {err.strerror}") from None
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise UsageError(f"{path}: not valid TOML: {err}") from None
    tool = document.get("tool")
    table = tool.get("pumpproof") if isinstance(tool, dict) else None
    if table is None:
        return None
    if not isinstance(table, dict):
        raise UsageError(f"{path}: {TABLE} must be a table")
    return table


def project_checks(root: Path) -> list[ProjectCheck] | None:
    """The checks `root`'s pyproject.toml names (UsageError, saying which entry and key, for a bad table);
    None when it has no `[tool.pumpproof]` table."""
    table = read_table(root)
    if table is None:
        return None
    where = f"{root / PYPROJECT} {TABLE}"
    _known_keys(table, TABLE_KEYS, where)
    defaults = _settings(table, Settings(), where)
    entries = table.get("checks", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise UsageError(f"{where}: `checks` must be an array of tables", hint=_EXAMPLE)
    checks = [_check(entry, f"checks[{i}]", root, defaults, where) for i, entry in enumerate(entries)]
    return _labelled(checks, where)


_EXAMPLE = 'for example: checks = [{model = "models/pump.pump", requirements = "properties/pump.req"}]'


def _check(entry: Mapping[str, Any], at: str, root: Path, defaults: Settings, where: str) -> ProjectCheck:
    here = f"{where} {at}"
    _known_keys(entry, CHECK_KEYS, here)
    model = entry.get("model")
    if not isinstance(model, str) or not model:
        raise UsageError(f"{here}: `model` must name a model file", hint=_EXAMPLE)
    reqs = entry.get("requirements")
    if reqs is not None and (not isinstance(reqs, str) or not reqs):
        raise UsageError(f"{here}: `requirements` must name a requirements file (or be left out for .moxi)")
    for key, name in (("model", model), ("requirements", reqs)):
        if name is not None and not (root / name).is_file():
            raise UsageError(f"{here}: {key} file {name} not found (paths are relative to {root})")
    defines = entry.get("define", {})
    if not isinstance(defines, dict):
        raise UsageError(f"{here}: `define` must be a table of constants, such as {{T_DETECT_MS = 10}}")
    only = entry.get("only", [])
    if not isinstance(only, list) or not all(isinstance(i, str) for i in only):
        raise UsageError(f"{here}: `only` must be an array of requirement ids")
    name = entry.get("name")
    if name is not None and (not isinstance(name, str) or not name or any(c in name for c in "[]:/ ")):
        raise UsageError(f"{here}: `name` must be a short word (no spaces, brackets, colons or slashes)")
    values = tuple((str(k), _constant(v, f"{here} define.{k}")) for k, v in defines.items())
    settings = _settings(entry, defaults, here)
    return ProjectCheck(at, root, model, reqs, values, tuple(only), name, settings)


def _constant(value: object, where: str) -> str:
    """A constant's value as `-D` takes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) or (isinstance(value, str) and value.strip()):
        return str(value).strip()
    raise UsageError(f"{where}: a constant is a whole number, true, false or an enum value's name")


def _settings(table: Mapping[str, Any], inherited: Settings, where: str) -> Settings:
    from pumpproof.verify.portfolio import CHOICES

    engine = table.get("engine", inherited.engine)
    if engine not in CHOICES:
        raise UsageError(f"{where}: unknown engine {engine!r}", hint=f"choose one of: {', '.join(CHOICES)}")
    timeout = table.get("timeout", inherited.timeout_s)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= MAX_TIMEOUT_S:
        raise UsageError(f"{where}: `timeout` must be a number of seconds above 0 and at most {MAX_TIMEOUT_S:g}")
    depth = table.get("max-depth", inherited.max_depth)
    if depth is not None and (isinstance(depth, bool) or not isinstance(depth, int) or depth < 1):
        raise UsageError(f"{where}: `max-depth` must be a positive whole number of steps")
    flags = {key: table.get(key, getattr(inherited, key)) for key in ("deterministic", "certify")}
    for key, value in flags.items():
        if not isinstance(value, bool):
            raise UsageError(f"{where}: `{key}` must be true or false")
    cache = table.get("cache", inherited.cache)
    if cache is not None and (not isinstance(cache, str) or not cache):
        raise UsageError(f"{where}: `cache` must name a folder (relative to the project's root)")
    return Settings(engine, float(timeout), depth, flags["deterministic"], flags["certify"], cache)


def _known_keys(table: Mapping[str, Any], known: tuple[str, ...], where: str) -> None:
    unknown = [k for k in table if k not in known]
    if unknown:
        raise UsageError(f"{where}: unknown key(s) {', '.join(map(repr, unknown))}", hint=f"known: {', '.join(known)}")


def _labelled(checks: list[ProjectCheck], where: str) -> list[ProjectCheck]:
    """Each check of a model that has several labelled by its name, else its constants, else its requirements
    file; two checks of one model with the same label are refused."""
    by_model: dict[Path, list[int]] = {}
    for i, c in enumerate(checks):
        by_model.setdefault(c.model_path, []).append(i)
    out = list(checks)
    for indices in by_model.values():
        if len(indices) < 2:
            continue
        seen: dict[str, str] = {}
        for i in indices:
            c = checks[i]
            stem = Path(c.requirements).stem if c.requirements else c.where.replace("[", "").replace("]", "")
            label = c.name or ",".join(f"{k}={v}" for k, v in c.defines) or stem
            if label in seen:
                hint = "give each check of the same model its own `name`"
                raise UsageError(f"{where}: {seen[label]} and {c.where} both check {c.model} as '{label}'", hint=hint)
            seen[label] = c.where
            out[i] = replace(c, label=label)
    return out


def _shown(path: Path, relative_to: Path | None) -> str:
    """`path` relative to `relative_to` when it is inside it, else absolute."""
    if relative_to is not None and path.is_relative_to(relative_to.resolve()):
        return str(path.relative_to(relative_to.resolve()))
    return str(path)
