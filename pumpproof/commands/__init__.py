"""What each command does once its arguments are parsed: load, decide, print, write (`pumpproof.cli` dispatches)."""
