"""Seeing a tape: the evaluation trace as a table (the textbook's forward and
reverse sweep tables) and the computation graph as Graphviz DOT."""
from __future__ import annotations

import os
import shutil
import subprocess

import numpy as np

from . import branches, compact, ops, program, sweeps, tiers


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
    p = tape.program
    x = program.point(p, x)
    work = np.empty(p.n_slots + 1)
    partials = np.empty((p.n_ops, 2))
    flip = tiers.run(sweeps.linearize, p.dispatch, p.instructions, p.constants, p.guards, x, work,
                            partials)
    # a table of the other branch's function would be a table of the wrong function
    branches.raise_flipped(tape, flip, x)
    tangent = adjoint = None
    if v is not None:
        v = np.asarray(v, dtype=np.float64).reshape(-1)
        if v.shape != (tape.n_inputs,):
            raise ValueError(f"v: expected shape ({tape.n_inputs},), got {v.shape}")
        tangent = np.zeros(tape.n_slots + 1)
        tangent[: tape.n_inputs] = v
        tiers.run(sweeps.tangent1, tape.links, partials, tangent)
    if w is not None:
        w = np.asarray(w, dtype=np.float64).reshape(-1)
        if w.shape != (tape.n_outputs,):
            raise ValueError(f"w: expected shape ({tape.n_outputs},), got {w.shape}")
        adjoint = np.zeros(tape.n_slots + 1)
        np.add.at(adjoint, tape.outputs, w)
        tiers.run(sweeps.adjoint1, tape.links, partials, adjoint)
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


# ---------------------------------------------------------------------------
# The computation graph (the textbook's picture): Graphviz DOT text.


def _op_label(tape, i: int) -> str:
    """An instruction's label with its constants folded in: ``mul(·, 2)``."""
    opcode, _, arg0, arg1 = (int(v) for v in tape.instructions[i])
    variant = ops.VARIANTS[opcode]
    c = tape.constants
    if variant.kind == ops.CONST:
        return f"{c[arg0]:g}"
    name = variant.op.name
    if variant.kind == ops.VC:
        return f"{name}(·, {c[arg1]:g})"
    if variant.kind == ops.CV:
        return f"{name}({c[arg1]:g}, ·)"
    return name


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_MAX_DRAWN = 10_000  # inputs drawn one by one by to_dot


def to_dot(tape) -> str:
    """The tape as a Graphviz digraph: a node per input (``x0``...), per
    instruction (``v0``..., labelled with its op, constants folded in) and per
    output (``y0``...); an edge per variable operand, from operand to result, and
    from each output's slot to its output node. Conditions that guard a branch
    are drawn as diamonds with the branch's source line as tooltip."""
    n_in = tape.n_inputs
    guarded = {}
    for j, s in enumerate(tape.guards[:, 0]):
        src = tape.guard_sources[j] if tape.guard_sources else "?"
        guarded.setdefault(int(s), f"branch {j} at {src}")
    lines = ["digraph tape {", "  rankdir=LR;", "  node [fontname=Helvetica];"]
    # Past _MAX_DRAWN inputs, only those the tape reads: a file can declare
    # millions of inputs in a few bytes, and no one reads such a drawing.
    drawn = range(n_in) if n_in <= _MAX_DRAWN else compact.used_inputs(tape)
    for s in drawn:
        lines.append(f"  s{s} [label={_quote(f'x{s}')}, shape=box, style=filled, "
                     "fillcolor=lightblue];")
    if len(drawn) < n_in:
        lines.append(f"  unread [label={_quote(f'{n_in - len(drawn):,} inputs not read')}, "
                     "shape=plaintext];")
    instr = tape.instructions
    for i in range(tape.program.n_ops):
        s = n_in + i
        attrs = f"label={_quote(f'v{i}: ' + _op_label(tape, i))}"
        if s in guarded:
            attrs += f", shape=diamond, tooltip={_quote(guarded[s])}"
        lines.append(f"  s{s} [{attrs}];")
    for j in range(tape.n_outputs):
        lines.append(f"  y{j} [label={_quote(f'y{j}')}, shape=box, style=filled, "
                     "fillcolor=palegreen];")
    arg0_slot = ops.ARG0_IS_SLOT[instr[:, 0]]
    arg1_slot = ops.ARG1_IS_SLOT[instr[:, 0]]
    for i in range(tape.program.n_ops):
        s = n_in + i
        if arg0_slot[i]:
            lines.append(f"  s{instr[i, 2]} -> s{s};")
        if arg1_slot[i]:
            lines.append(f"  s{instr[i, 3]} -> s{s};")
    for j, s in enumerate(tape.outputs):
        lines.append(f"  s{s} -> y{j};")
    lines.append("}")
    return "\n".join(lines) + "\n"


_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot"}


def render(tape, path) -> str:
    """Draw ``tape`` to ``path`` with Graphviz's ``dot``; the format comes from
    the suffix (``.svg``, ``.png``, ``.pdf``). Returns ``path``."""
    path = os.fspath(path)
    fmt = _FORMATS.get(os.path.splitext(path)[1].lower())
    if fmt is None:
        raise ValueError(f"render: cannot tell the format of {path!r}; use a name ending "
                         f"in one of {', '.join(sorted(_FORMATS))}")
    dot = shutil.which("dot")
    if dot is None:
        raise RuntimeError(
            "render needs Graphviz's `dot` program, which is not on PATH. Install Graphviz "
            "(Debian/Ubuntu: `apt-get install graphviz`; macOS: `brew install graphviz`; "
            "conda: `conda install graphviz`), or write tape.to_dot() to a file and draw it "
            "elsewhere")
    done = subprocess.run([dot, f"-T{fmt}", "-o", path], input=to_dot(tape).encode(),
                          capture_output=True)
    if done.returncode != 0:
        raise RuntimeError(f"dot failed ({done.returncode}): "
                           f"{done.stderr.decode(errors='replace').strip()}")
    return path
