"""Shared test helpers: build problems from model and requirement text."""

from __future__ import annotations

from pathlib import Path

from pumpproof.lang.ir import TransitionSystem
from pumpproof.lang.load import load_model, load_requirements, parse_model_text, parse_requirements_text
from pumpproof.lang.parser import parse_requirements
from pumpproof.lang.syntax import RequirementSyntax, SExpr
from pumpproof.verify.ltl import LivenessProblem
from pumpproof.verify.problem import SafetyProblem, compile_requirement
from pumpproof.verify.run import problem_for

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
PROPERTIES = ROOT / "properties"
RUN_TAG = "PUMPPROOF_TEST_RUN_TAG"
STUCK = (Path(__file__).parent / "models" / "stuck.pump").read_text()
"""Lint's reference model: a deadlock, a dead transition and an unreached value."""
"""An environment variable a test gives a command it starts, so that every process of that command is found."""


def tagged_processes(tag: str) -> list[int]:
    """The processes (Linux /proc) whose environment carries RUN_TAG=tag: a command and whatever it started."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if f"{RUN_TAG}={tag}".encode() in (proc / "environ").read_bytes().split(b"\0"):
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def problems(model: str, requirements: str) -> list[SafetyProblem]:
    """Every requirement of `requirements` compiled against `model` (both given as text)."""
    system = parse_model_text(model, "<model>")
    reqs = parse_requirements_text(requirements, "<reqs>", system)
    return [compile_requirement(system, r) for r in reqs.requirements]


def problem(model: str, formula: str) -> SafetyProblem:
    """One requirement with formula `formula` on `model`."""
    return problems(model, f'requirement R\n  text "t"\n  source "s"\n  {formula}\n')[0]


def shipped(
    model_file: str, req_file: str = "upstream_occlusion.req"
) -> tuple[TransitionSystem, dict[str, SafetyProblem | LivenessProblem]]:
    """A shipped model and its requirement problems (safety or liveness) by id."""
    system = load_model(str(MODELS / model_file))
    reqs = load_requirements(str(PROPERTIES / req_file), system)
    return system, {r.id: problem_for(system, r) for r in reqs.requirements}


def formula_syntax(text: str) -> SExpr:
    """The parsed (not yet elaborated) syntax of a formula: how the parser grouped it."""
    (req,) = parse_requirements(f'requirement R text "t" source "s" {text}', "r.req").items
    assert isinstance(req, RequirementSyntax)
    return req.formula
