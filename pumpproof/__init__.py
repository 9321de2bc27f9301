"""pumpproof: formal verification of infusion-pump alarm logic with Z3."""

__version__ = "0.1.0"
