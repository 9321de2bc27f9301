"""The engines: each decides one problem within a budget and returns a Result; verify.portfolio runs them
in parallel and confirms what they answer (a replayed trace, a re-checked certificate)."""
