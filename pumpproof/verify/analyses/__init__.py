"""Analyses of a model and its requirements beyond one verdict: lint (reachability of transitions and
values, deadlocks, timelocks), vacuity, mutation adequacy and conformance of an implementation."""
