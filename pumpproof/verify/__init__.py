"""pumpproof.verify: encode once in Z3, run engines, replay traces, check certificates."""
