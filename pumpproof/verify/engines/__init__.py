"""The engines: each decides one problem within a budget and returns a Result; verify.portfolio runs them
in parallel and confirms what they answer (a replayed trace, a re-checked certificate)."""

from __future__ import annotations

from collections.abc import Callable

from pumpproof.verify.budget import Budget
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.results import Result

Engine = Callable[[SafetyProblem, Budget], Result]
"""A safety engine: a problem and a budget in, a Result out."""
