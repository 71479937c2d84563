"""Tapes that declare far more inputs than they read.

A tape's size in memory follows its instructions, but its declared input count
can be anything (a 258-byte file can declare 2**28 inputs). Structures indexed
by slot (sparsity domains, the optimizer's slot maps) would then follow the
declared count. :func:`compact` renames the inputs the tape reads to
``0 .. k-1`` (in order, so every order-based rule gives the same answer), so
such work runs on the small tape; :func:`expand` puts a result back.
"""
from __future__ import annotations

import numpy as np

from . import ops

#: Compact when the declared inputs exceed what the tape reads by this much;
#: below it, renaming costs more than it saves.
SLACK = 1 << 16


def used_inputs(tape) -> np.ndarray:
    """Sorted input slots some instruction or output reads (at least one)."""
    n = tape.n_inputs
    instr = tape.instructions
    code = instr[:, 0]
    reads = np.concatenate([instr[ops.ARG0_IS_SLOT[code], 2], instr[ops.ARG1_IS_SLOT[code], 3],
                            tape.outputs])
    used = np.unique(reads[reads < n]).astype(np.int64)
    return used if used.size else np.zeros(1, np.int64)


def worth_it(tape) -> bool:
    """Whether the tape declares many more inputs than it can read."""
    return (tape.n_inputs > 2 * tape.program.n_ops + tape.n_outputs + SLACK
            and len(used_inputs(tape)) < tape.n_inputs)


def _rename(slots, old_n, new_n, used_old, used_new):
    """Slot numbers under the map input used_old[k] -> used_new[k], results shifted."""
    slots = np.asarray(slots, dtype=np.int64)
    out = slots - old_n + new_n
    is_input = slots < old_n
    out[is_input] = used_new[np.searchsorted(used_old, slots[is_input])]
    return out


def _retape(tape, n_new, used_old, used_new):
    return type(tape)(**_retape_parts(tape, n_new, used_old, used_new))


def _retape_parts(tape, n_new, used_old, used_new) -> dict:
    n = tape.n_inputs
    instr = np.array(tape.instructions, dtype=np.int64)
    code = instr[:, 0]
    instr[:, 1] += n_new - n
    for col, is_slot in ((2, ops.ARG0_IS_SLOT[code]), (3, ops.ARG1_IS_SLOT[code])):
        instr[is_slot, col] = _rename(instr[is_slot, col], n, n_new, used_old, used_new)
    guards = np.array(tape.guards, dtype=np.int64)
    guards[:, 0] += n_new - n
    return dict(instructions=instr, constants=tape.constants,
                outputs=_rename(tape.outputs, n, n_new, used_old, used_new), n_inputs=n_new,
                guards=guards, guard_sources=tape.guard_sources)


def compact(tape):
    """``(small, used)``: the same computation over only the inputs it reads;
    input ``k`` of ``small`` is input ``used[k]`` of ``tape``."""
    used = used_inputs(tape)
    return _retape(tape, len(used), used, np.arange(len(used))), used


def expand_parts(small, used, n_inputs) -> dict:
    """The tape of :func:`compact` back over ``n_inputs`` inputs, as the keyword
    arguments of its constructor."""
    return _retape_parts(small, int(n_inputs), np.arange(len(used)),
                         np.asarray(used, np.int64))
