"""`python -m pumpproof`: the same as the `pumpproof` command."""

from pumpproof.cli import entry

entry()
