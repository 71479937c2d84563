"""Seeing a tape: the evaluation trace as a table (the textbook's forward and
reverse sweep tables)."""
from __future__ import annotations

import numpy as np

from . import ops, sweeps


def _operand_text(tape, i: int) -> str:
    opcode, _, arg0, arg1 = (int(v) for v in tape.instructions[i])
    kind = ops.KIND[opcode]
    c = tape.constants

    def slot(s):
        return f"x{s}" if s < tape.n_inputs else f"v{s - tape.n_inputs}"

    if kind == ops.CONST:
        return f"{c[arg0]:g}"
    if kind == ops.UNARY:
        return slot(arg0)
    if kind == ops.VV:
        return f"{slot(arg0)}, {slot(arg1)}"
    if kind == ops.VC:
        return f"{slot(arg0)}, {c[arg1]:g}"
    return f"{c[arg1]:g}, {slot(arg0)}"  # CV: the constant is the first operand


def trace_table(tape, x, v=None, w=None):
    """The evaluation trace of ``tape`` at ``x``: one row per slot.

    Each row is a dict with ``name`` (``x0``.. for inputs, ``v0``.. for
    intermediates), ``op``, ``operands``, ``value`` and, when given, ``tangent``
    (forward mode along direction ``v``, shape ``(n,)``) and ``adjoint`` (reverse
    mode from output weights ``w``, shape ``(m,)``). Returns ``(rows, text)``:
    the rows and the same table as printable text.
    """
    x = tape._point(x)
    work = np.empty(tape.n_slots + 1)
    partials = np.empty((tape.n_ops, 2))
    sweeps.linearize(tape.instructions, tape.constants, tape.guards, x, work, partials)
    tangent = adjoint = None
    if v is not None:
        v = np.asarray(v, dtype=np.float64).reshape(-1)
        if v.shape != (tape.n_inputs,):
            raise ValueError(f"v: expected shape ({tape.n_inputs},), got {v.shape}")
        tangent = np.zeros(tape.n_slots + 1)
        tangent[: tape.n_inputs] = v
        sweeps.tangent1(tape.links, partials, tangent)
    if w is not None:
        w = np.asarray(w, dtype=np.float64).reshape(-1)
        if w.shape != (tape.n_outputs,):
            raise ValueError(f"w: expected shape ({tape.n_outputs},), got {w.shape}")
        adjoint = np.zeros(tape.n_slots + 1)
        np.add.at(adjoint, tape.outputs, w)
        sweeps.adjoint1(tape.links, partials, adjoint)
    rows = []
    for s in range(tape.n_slots):
        if s < tape.n_inputs:
            row = {"name": f"x{s}", "op": "input", "operands": ""}
        else:
            i = s - tape.n_inputs
            row = {"name": f"v{i}", "op": ops.NAMES[tape.instructions[i, 0]],
                   "operands": _operand_text(tape, i)}
        row["value"] = float(work[s])
        if tangent is not None:
            row["tangent"] = float(tangent[s])
        if adjoint is not None:
            row["adjoint"] = float(adjoint[s])
        outs = [str(j) for j in np.flatnonzero(tape.outputs == s)]
        row["output"] = ",".join(outs)
        rows.append(row)
    cols = ["name", "op", "operands", "value"] + [c for c in ("tangent", "adjoint")
                                                   if c in rows[0]] + ["output"]
    cells = [[_fmt(r[c]) for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[k]) for row in cells)) for k, c in enumerate(cols)]
    lines = ["  ".join(c.ljust(wd) for c, wd in zip(cols, widths)).rstrip()]
    lines.append("  ".join("-" * wd for wd in widths))
    lines += ["  ".join(v.ljust(wd) for v, wd in zip(row, widths)).rstrip() for row in cells]
    return rows, "\n".join(lines)


def _fmt(v):
    return f"{v:.10g}" if isinstance(v, float) else str(v)
