"""pumpproof: formal verification of infusion-pump alarm logic with Z3.

The Python API in one import: load a model and its requirements (or build them), `check` them, and read
each `Outcome` as a value. See README.md, "From Python".
"""

__version__ = "0.1.0"

from pumpproof.api import check  # noqa: E402 - modules below read __version__
from pumpproof.errors import InputError, PumpproofError  # noqa: E402
from pumpproof.lang.builder import ModelBuilder  # noqa: E402
from pumpproof.lang.ir import Requirement, RequirementSet, TransitionSystem  # noqa: E402
from pumpproof.lang.load import load_model, load_requirements, requirement  # noqa: E402
from pumpproof.verify.results import (  # noqa: E402
    Certificate,
    Proved,
    Result,
    Search,
    Step,
    Trace,
    Unknown,
    Vacuous,
    Verdict,
    Violated,
)
from pumpproof.verify.run import Outcome  # noqa: E402

__all__ = [
    "Certificate",
    "InputError",
    "ModelBuilder",
    "Outcome",
    "Proved",
    "PumpproofError",
    "Requirement",
    "RequirementSet",
    "Result",
    "Search",
    "Step",
    "Trace",
    "TransitionSystem",
    "Unknown",
    "Vacuous",
    "Verdict",
    "Violated",
    "__version__",
    "check",
    "load_model",
    "load_requirements",
    "requirement",
]
