"""Branches and kinks at a point: what a guard compares and whether it sits on
a tie, and which piecewise operations sit exactly at their kink.

These run after a kernel has reported something (a flipped guard) or when the
user asks (:meth:`adjit.Tape.kinks`); they re-evaluate the tape once at the
point, so they cost one forward sweep and are never on a hot path.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import ops, program, sweeps, tiers
from .errors import BranchChanged

_SYMBOL = {op.name: op.symbol for op in ops.TABLE if op.symbol}
#: piecewise ops and the test for "at the kink" on their operands (a, b)
_KINK = {op.name: ops.kink_rule(op) for op in ops.TABLE if op.kink}


def raise_flipped(tape, flip: int, x) -> None:
    """Raise :class:`adjit.BranchChanged` for guard ``flip`` of ``tape`` at
    ``x`` if ``flip >= 0`` (what every evaluation does with a kernel's flip)."""
    if flip >= 0:
        raise BranchChanged(tape, int(flip), x, explain=guard_info)


def raise_batch_flips(tape, flips: np.ndarray, xs: np.ndarray) -> None:
    """The same for a batch: ``flips[k]`` is row k's first flipped guard or -1."""
    bad = np.flatnonzero(flips >= 0)
    if bad.size:
        raise BranchChanged(tape, int(flips[bad[0]]), xs[bad[0]], rows=bad,
                            explain=guard_info)


def slot_values(tape, x) -> np.ndarray:
    """Every slot's value at ``x`` (inputs first), by one forward sweep."""
    p = tape.program
    x = program.point(p, x)
    work = np.empty(p.n_slots + 1)
    with np.errstate(all="ignore"):
        tiers.run(sweeps.start, x, work)
        tiers.run(sweeps.values, p.dispatch, p.instructions, p.constants, work)
    return work


def operands(tape, work: np.ndarray, index=None):
    """Operand values ``(a, b)`` of instructions ``index`` (all by default) in the
    op table's order, constants included; ``b`` is 0 for unary ops."""
    instr = tape.instructions if index is None else tape.instructions[index]
    opcode, arg0, arg1 = instr[..., 0], instr[..., 2], instr[..., 3]
    kind = ops.KIND[opcode]
    c = tape.constants
    safe_c = np.concatenate([c, [0.0]])  # index -1 of an empty pool stays in range
    v0 = np.where(kind == ops.CONST, 0.0, work[np.where(kind == ops.CONST, 0, arg0)])
    c1 = safe_c[np.where(ops.ARG1_IS_CONSTANT[opcode], arg1, -1)]
    a = np.where(kind == ops.CV, c1, v0)
    b = np.select([kind == ops.VV, kind == ops.VC, kind == ops.CV],
                  [work[np.where(kind == ops.VV, arg1, 0)], c1, v0], 0.0)
    return a, b


def guard_info(tape, guard: int, x) -> dict:
    """What guard ``guard`` compares at ``x``: ``op`` (table name), ``text``
    (e.g. ``"a < b"``), ``operands``, ``recorded`` and ``now`` (outcomes), and
    ``tie`` (a comparison whose operands are equal at ``x``)."""
    slot, recorded = (int(v) for v in tape.guards[guard])
    i = slot - tape.n_inputs
    work = slot_values(tape, x)
    variant = ops.VARIANTS[int(tape.instructions[i, 0])]
    name = variant.op.name
    a, b = (float(v) for v in operands(tape, work, i))
    if name in _SYMBOL:
        text = f"a {_SYMBOL[name]} b"
        tie = a == b
        values = (a, b)
    else:
        text = name.replace("logical_", "") + " of conditions"
        tie = False
        values = (a,) if variant.kind == ops.UNARY else (a, b)
    return {"op": name, "text": text, "operands": values, "recorded": bool(recorded),
            "now": bool(work[slot] != 0.0), "tie": tie}


@dataclass(frozen=True)
class Kink:
    """A piecewise operation at its kink (or a comparison at a tie) at some x.

    ``instruction`` indexes the tape; ``op`` is the table name (``"abs"``,
    ``"maximum"``, ``"lt"`` ...); ``operands`` their values there; ``guard`` the
    index of the branch guard on this comparison, if any, and ``source`` its
    ``file:line``."""

    instruction: int
    op: str
    operands: tuple
    guard: int | None = None
    source: str | None = None


def kinks(tape, x) -> list[Kink]:
    """Instructions of ``tape`` that sit exactly at a point of
    non-differentiability at ``x``: ``abs``/``sign`` at 0, ``floor``/``ceil`` at an
    integer, ``minimum``/``maximum`` and comparisons at a tie. There the derivative
    is a convention (see :class:`adjit.Tape`) or a branch is on the edge."""
    work = slot_values(tape, x)
    a, b = operands(tape, work)
    opcode = tape.instructions[:, 0]
    hit = np.zeros(tape.program.n_ops, dtype=bool)
    names = np.array([v.op.name if v.op else "const" for v in ops.VARIANTS])[opcode]
    with np.errstate(invalid="ignore"):
        for name, test in _KINK.items():
            sel = names == name
            if sel.any():
                hit[sel] = test(a[sel], b[sel])
    guard_of: dict[int, int] = {}  # instruction -> its first guard
    for j, s in enumerate(tape.guards[:, 0]):
        guard_of.setdefault(int(s) - tape.n_inputs, j)
    out = []
    for i in np.flatnonzero(hit):
        i = int(i)
        kind = ops.KIND[opcode[i]]
        vals = (float(a[i]),) if kind == ops.UNARY else (float(a[i]), float(b[i]))
        g = guard_of.get(i)
        src = tape.guard_sources[g] if g is not None and tape.guard_sources else None
        out.append(Kink(i, str(names[i]), vals, g, src))
    return out
