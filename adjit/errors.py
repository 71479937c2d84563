"""Exceptions raised by adjit."""


class TracingError(TypeError):
    """An operation on a traced value would lose its derivative, or cannot be
    recorded. The message says what happened and what to use instead."""


class TapeError(ValueError):
    """A tape's arrays are inconsistent (bad opcode, index out of range, an
    operand used before it is computed, wrong dtype or shape)."""


class BranchChanged(RuntimeError):
    """A tape was evaluated at a point where a recorded branch goes the other
    way, so the tape does not describe the function there.

    Attributes: ``guard`` (index of the first flipped guard), ``source``
    (``file:line`` that made the branch), ``x`` (the point), ``rows`` (for a
    batch: which rows flipped, else None).
    """

    def __init__(self, tape, guard: int, x, rows=None):
        self.guard = guard
        self.source = tape.guard_sources[guard] if guard < len(tape.guard_sources) else "?"
        self.x = x
        self.rows = rows
        where = f" at rows {list(rows[:10])}{'...' if len(rows) > 10 else ''}" if rows is not None else ""
        super().__init__(f"branch {guard} recorded at {self.source} goes the other way{where}; "
                         "the tape does not describe the function here: trace again at this "
                         "point (adjit.grad and friends do this for you)")
