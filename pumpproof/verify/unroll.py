"""Step-indexed copies of the encoding: frame j's variables are `name@j`. Shared by BMC and k-induction."""

from __future__ import annotations

import z3

from pumpproof.lang.ir import Value
from pumpproof.verify.encoding import Encoding, Renaming, sort_of
from pumpproof.verify.results import Step, Trace


class Unrolling:
    """Instantiates Init, Trans and Bad at concrete steps by substitution (the encoding is built once)."""

    def __init__(self, enc: Encoding) -> None:
        self.enc = enc
        self.frames: list[dict[str, z3.ExprRef]] = []
        self._states: dict[int, Renaming] = {}
        self._steps: dict[int, Renaming] = {}

    def frame(self, j: int) -> dict[str, z3.ExprRef]:
        """The variables of step j."""
        while len(self.frames) <= j:
            k = len(self.frames)
            self.frames.append({f.name: z3.Const(f"{f.name}@{k}", sort_of(f.type)) for f in self.enc.frame})
        return self.frames[j]

    def at(self, formula: z3.ExprRef, j: int) -> z3.ExprRef:
        """A state formula over V, at step j."""
        if j not in self._states:
            self._states[j] = Renaming([(self.enc.cur[n], t) for n, t in self.frame(j).items()])
        return self._states[j](formula)

    def init(self, j: int = 0) -> z3.ExprRef:
        """Init at step j."""
        return self.at(self.enc.init, j)

    def bad(self, j: int) -> z3.ExprRef:
        """Bad at step j."""
        return self.at(self.enc.bad, j)

    def state_constraint(self, j: int) -> z3.ExprRef:
        """The facts every reachable state satisfies, at step j."""
        return self.enc.state_constraint(self.frame(j))

    def trans(self, j: int) -> z3.ExprRef:
        """Trans from step j-1 to step j."""
        if j not in self._steps:
            pairs = [(self.enc.cur[n], t) for n, t in self.frame(j - 1).items()]
            pairs += [(self.enc.nxt[n], t) for n, t in self.frame(j).items()]
            self._steps[j] = Renaming(pairs)
        return self._steps[j](self.enc.trans)

    def trace(self, model: z3.ModelRef, length: int) -> Trace:
        """The counterexample of `length` states read out of `model`."""
        steps: list[Step] = []
        time: Value = 0
        for j in range(length):
            step = self.enc.decode_step(model, self.frame(j), j, time)
            time = step.time
            steps.append(step)
        return Trace(tuple(steps))
