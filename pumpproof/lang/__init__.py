"""pumpproof.lang: parse and type-check models and requirements into the IR."""
