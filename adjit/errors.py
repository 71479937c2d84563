"""Exceptions raised by adjit."""
import functools


class TracingError(TypeError):
    """An operation on a traced value would lose its derivative, or cannot be
    recorded. The message says what happened and what to use instead."""


class TapeError(ValueError):
    """A tape's arrays are inconsistent (bad opcode, index out of range, an
    operand used before it is computed, wrong dtype or shape), or a tape file
    is damaged or of an unknown format version."""


class BranchChanged(RuntimeError):
    """A tape was evaluated at a point where a recorded branch goes the other
    way, so the tape does not describe the function there.

    Attributes: ``guard`` (index of the first flipped guard), ``source``
    (``file:line`` that made the branch), ``x`` (the point; for a batch, the
    first flipped row), ``rows`` (for a batch: indices of the rows that flipped,
    else None), ``op`` (the condition's op, e.g. ``"lt"``), ``operands`` (its
    operand values at ``x``), ``recorded`` (the outcome when traced) and ``tie``
    (True when the comparison's operands are exactly equal at ``x``: the point
    sits on the branch boundary).
    """

    def __init__(self, tape, guard: int, x, rows=None, explain=None):
        super().__init__(guard)
        self.tape = tape
        self.guard = guard
        self.source = tape.guard_sources[guard] if guard < len(tape.guard_sources) else "?"
        self.x = x
        self.rows = rows
        self.explain = explain

    # What the guard compares is worked out (one forward sweep, by ``explain``:
    # :func:`adjit.branches.guard_info`, passed in by the raiser so that this
    # bottom layer imports nothing of adjit) only when asked for, so a
    # transform trying its cached tapes pays nothing for the report.
    @functools.cached_property
    def info(self):
        """What the guard compares at ``x`` (a dict, see
        :func:`adjit.branches.guard_info`), or None when unknown."""
        if self.explain is None:
            return None
        try:
            return self.explain(self.tape, self.guard, self.x)
        except Exception:  # pragma: no cover - the report must never hide the flip
            return None

    op = property(lambda self: self.info and self.info["op"],
                  doc="the condition's op name, e.g. 'lt'")
    operands = property(lambda self: self.info and self.info["operands"],
                        doc="the condition's operand values at x")
    recorded = property(lambda self: self.info and self.info["recorded"],
                        doc="the condition's outcome when the tape was traced")
    tie = property(lambda self: bool(self.info and self.info["tie"]),
                   doc="True when the comparison's operands are equal at x")

    def __str__(self):
        info = self.info
        detail = ""
        if info is not None:
            vals = ", ".join(f"{n}={v!r}" for n, v in zip("ab", info["operands"]))
            detail = (f": `{info['text']}` was {info['recorded']} when traced, is "
                      f"{info['now']} here ({vals}"
                      + ("; a tie, the point is on the branch boundary" if info["tie"] else "")
                      + ")")
        where = ""
        if self.rows is not None:
            shown = ", ".join(str(int(r)) for r in self.rows[:10])
            where = (f" in rows [{shown}{', ...' if len(self.rows) > 10 else ''}] "
                     f"of the batch; at row {int(self.rows[0])},")
        return (f"branch {self.guard} recorded at {self.source} goes the other way{where} "
                f"at x={_short(self.x)}{detail}; the tape does not describe the function "
                "here: trace again at this point (adjit.grad and friends do this for you)")

    def __reduce__(self):
        return (type(self), (self.tape, self.guard, self.x, self.rows, self.explain))


def _short(x) -> str:
    try:
        import numpy as np
        with np.printoptions(threshold=8, edgeitems=3, precision=17):
            return np.array2string(np.asarray(x), separator=", ")
    except Exception:  # pragma: no cover
        return repr(x)


def interruptible(kernel, *args):
    """``kernel(*args)``, where Ctrl-C during the call surfaces as KeyboardInterrupt.

    A signal handler that runs as a compiled kernel returns makes CPython report
    ``SystemError: ... returned a result with an exception set``, the
    interrupt as its cause; the caller should see the interrupt itself."""
    try:
        return kernel(*args)
    except SystemError as e:
        raise_interrupt(e)
        raise


def raise_interrupt(e: SystemError) -> None:
    """Raise the KeyboardInterrupt at the root of ``e``'s chain of SystemErrors, if any."""
    cause = e.__cause__
    while isinstance(cause, SystemError):
        cause = cause.__cause__
    if isinstance(cause, KeyboardInterrupt):
        raise cause from None


class RetraceWarning(UserWarning):
    """A transform (``adjit.grad`` and friends) keeps tracing its function
    again: a branch on a traced value takes new paths from call to call."""
