"""`python -m pumpproof`: the same as the `pumpproof` command."""

from pumpproof.cli import main

raise SystemExit(main())
