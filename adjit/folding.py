"""Folding a scalar program into array instructions (TMBad-style tape compression).

A scalar loop records its body once per iteration: rows of the same few opcodes
repeated ``N`` times. :func:`fold` turns a scalar :class:`adjit.program.Program`
into an :class:`adjit.arrays.ArrayProgram` of the same function whose ``ELEM``
rows each apply one opcode to a block of such rows, so the array kernels run one
vectorizable loop per group instead of dispatching every row.

The scheme, in four steps:

1. **Sums.** A tree of ``add`` rows whose intermediate results each have one
   reader, itself an ``add`` of the tree (``s = s + t_k`` in a loop; not an
   output nor a guard), becomes one sum node over its leaves when it has at
   least ``min_sum`` of them: otherwise a running sum is a chain, one row per
   level below, and nothing folds.
2. **Levels.** Each node's level is one more than its operands' highest
   (inputs and constants are level 0). Nodes of one level and one opcode are
   independent of each other: they form a group, one ``ELEM`` row. A sum node
   is a group of its own (one ``SUM`` row).
3. **Renumbering, top down.** Array rows write consecutive slots, so the slots
   of the scalar program are permuted: each group's results become one block.
   The order of the members inside a block is chosen by demand, from the last
   level to the first: a member goes where its first reader wants it, keyed by
   (that reader's group, which operand, the reader's place in its group; a sum's
   term by its rank). A sum ranks its terms (it is reassociated anyway) by the
   inputs each depends on, (highest - lowest, lowest): the pairs ``(i, j)`` of a
   pair loop go by diagonal ``j - i``, so that neighbours in a block read
   different inputs (a gather's adjoint then adds into one slot no twice in a
   row, which would wait on the previous add). So a group whose members' operands each come from one
   producer group reads them as one block at stride 1; three coordinates that a
   loop body interleaves (``dx*dx + dy*dy + dz*dz``) land in three blocks. A
   group whose blocks (one per reader group and operand) are all long becomes
   one row per block: each is then read whole by one reader, which the
   gradient's adjoint sweep assigns rather than zeroes and adds up
   (:func:`adjit.arrays.reverse_plan`).
4. **Operands, bottom up.** With the producers numbered, each operand of a
   group is a list of slots (or constant indices). An arithmetic progression
   with a step >= 0 is read in place (step 0: one slot broadcast); constant
   indices that are not become a fresh run of the constant pool; any other list
   of slots is copied first by one ``GATHER`` row (or, with ``runs=m``, the
   group is cut into consecutive pieces whose operands are progressions, one
   row each, when they average at least ``m`` members: no copies, but strided
   operands, which the array kernels take element by element). A sum's terms are sorted (a
   sum is reassociated, as the array kernels do anyway) and read as at most
   ``_SUM_RUNS`` contiguous runs (one ``SUM`` row each, added up), else
   gathered into one block.

The result is the same function, with the same outputs and its guards mapped
to the renumbered comparisons; values agree with the scalar program's to
rounding (sums are reassociated). Data arguments that rebind the constant
pool (:mod:`adjit.signature`) do not survive step 4's new constant runs: fold
only tapes without them.
"""
from __future__ import annotations

import numpy as np

from . import arrays, ops
from .program import Program

_ADD = ops.OPCODES["add"]
_SUM_RUNS = 4  # contiguous runs a sum reads without a gather first
_SUM_KEY = ops.N_OPCODES  # group keys at and beyond this are sum nodes
_SPLIT_MIN = 32  # a group goes in one row per reader block when each is this long


def _progression(v: np.ndarray):
    """``(first, step)`` when ``v`` is ``first + j*step`` with step >= 0, else None."""
    if v.shape[0] == 1:
        return int(v[0]), 0
    d = np.diff(v)
    step = int(d[0])
    if step >= 0 and (d == step).all():
        return int(v[0]), step
    return None


def _sum_trees(instr: np.ndarray, n_in: int, pinned: np.ndarray, min_sum: int):
    """``(absorbed, terms)``: the ``add`` rows that vanish into a sum node, and for
    each root row of a sum its leaf slots, left to right."""
    n = instr.shape[0]
    opc, a0, a1 = instr[:, 0], instr[:, 2], instr[:, 3]
    kind = ops.KIND[opc]
    rows = np.arange(n)
    reads0, reads1 = kind != ops.CONST, kind == ops.VV
    uses = np.bincount(np.concatenate([a0[reads0], a1[reads1]]), minlength=n_in + n)
    reader = np.full(n_in + n, -1, dtype=np.int64)
    reader[a0[reads0]] = rows[reads0]
    reader[a1[reads1]] = rows[reads1]
    is_add = opc == _ADD
    res = n_in + rows
    absorbed = is_add & (uses[res] == 1) & ~pinned[res] & (reader[res] >= 0)
    absorbed &= is_add[np.maximum(reader[res], 0)]
    roots = np.flatnonzero(is_add & ~absorbed & (
        absorbed[np.maximum(a0 - n_in, 0)] & (a0 >= n_in)
        | absorbed[np.maximum(a1 - n_in, 0)] & (a1 >= n_in)))
    terms = {}
    absorbed_l = absorbed.tolist()
    a0_l, a1_l = a0.tolist(), a1.tolist()
    for r in roots.tolist():
        leaves, inner, stack = [], [], [a1_l[r], a0_l[r]]
        while stack:
            s = stack.pop()
            if s >= n_in and absorbed_l[s - n_in]:
                inner.append(s - n_in)
                stack.append(a1_l[s - n_in])
                stack.append(a0_l[s - n_in])
            else:
                leaves.append(s)
        if len(leaves) >= min_sum:
            terms[r] = np.array(leaves, dtype=np.int64)
        else:
            absorbed[inner] = False
    return absorbed, terms


_O = ops.OPCODES
#: the optimizer's fused ops (:func:`adjit.optimize._fuse`) as the chains of ops
#: with loops of their own in the array kernels (:data:`adjit.codegen.ARRAY_FAST`)
#: they were fused from; each row of a chain reads the previous row's result
#: as its first operand (``-1``), the fused row's first operand (``0``) or its
#: second (``1``, a slot or a constant as the fused row's kind says)
_UNFUSE = {
    _O["sqdiff"]: ((_O["sub"], 0, 1), (_O["square"], -1, None)),
    _O["sqdiff_vc"]: ((_O["sub_vc"], 0, 1), (_O["square"], -1, None)),
    _O["sqdiff_cv"]: ((_O["sub_cv"], 0, 1), (_O["square"], -1, None)),
    _O["cube"]: ((_O["square"], 0, None), (_O["mul"], -1, 0)),
    _O["inv_cube"]: ((_O["square"], 0, None), (_O["mul"], -1, 0), (_O["reciprocal"], -1, None)),
}


def _unfused(instr: np.ndarray, n_in: int):
    """``(rows, slot)``: ``instr`` with every fused row replaced by its chain
    (:data:`_UNFUSE`), and the new slot of each old slot (a fused row's value
    is its chain's last row's)."""
    n = instr.shape[0]
    length = np.ones(n, dtype=np.int64)
    for op, chain in _UNFUSE.items():
        length[instr[:, 0] == op] = len(chain)
    slot = np.empty(n_in + n, dtype=np.int64)
    slot[:n_in] = np.arange(n_in)
    ends = n_in + np.cumsum(length) - 1
    slot[n_in:] = ends
    out = np.zeros((int(length.sum()), 4), dtype=np.int64)
    opc = instr[:, 0]
    kind = ops.KIND[opc]
    a0 = np.where(kind != ops.CONST, slot[np.where(kind != ops.CONST, instr[:, 2], 0)],
                  instr[:, 2])
    a1 = np.where(kind == ops.VV, slot[np.where(kind == ops.VV, instr[:, 3], 0)], instr[:, 3])
    plain = length == 1
    at = ends[plain] - n_in
    out[at, 0], out[at, 2], out[at, 3] = opc[plain], a0[plain], a1[plain]
    for op, chain in _UNFUSE.items():
        rows = np.flatnonzero(opc == op)
        if not rows.size:
            continue
        first = ends[rows] - n_in - (len(chain) - 1)
        for step, (new_op, x0, x1) in enumerate(chain):
            at = first + step
            prev = n_in + at - 1
            pick = {-1: prev, 0: a0[rows], 1: a1[rows], None: 0}
            out[at, 0] = new_op
            out[at, 2] = pick[x0]
            out[at, 3] = pick[x1]
    out[:, 1] = n_in + np.arange(out.shape[0])
    return out, slot


def _input_spans(instr: np.ndarray, n_in: int):
    """``(lo, hi)``: per slot, the lowest and highest input slot its value depends on
    (an input: itself; a value of constants alone: ``(0, 0)``)."""
    n = instr.shape[0]
    kind = ops.KIND[instr[:, 0]]
    big = n_in + 1
    lo = list(range(n_in)) + [big] * (n + 1)
    hi = list(range(n_in)) + [-1] * (n + 1)
    sink = n_in + n
    d0 = np.where(kind != ops.CONST, instr[:, 2], sink).tolist()
    d1 = np.where(kind == ops.VV, instr[:, 3], sink).tolist()
    for r in range(n):
        a, b = d0[r], d1[r]
        lo[n_in + r] = min(lo[a], lo[b])
        hi[n_in + r] = max(hi[a], hi[b])
    lo, hi = np.array(lo[:sink]), np.array(hi[:sink])
    none = hi < 0
    lo[none], hi[none] = 0, 0
    return lo, hi


def _runs(members, k, a0, a1, new, min_mean):
    """Cut points splitting ``members`` into the fewest consecutive pieces whose
    operands are each a progression (step >= 0), or None when the pieces would
    average fewer than ``min_mean`` members (a gather is then cheaper) or one
    piece does."""
    cols = []
    if k == ops.CONST:
        cols.append(a0[members])
    else:
        cols.append(new[a0[members]])
        if k == ops.VV:
            cols.append(new[a1[members]])
        elif k in (ops.VC, ops.CV):
            cols.append(a1[members])
    v = np.stack(cols).tolist()
    m = members.shape[0]
    cuts, start = [0], 0
    while start < m:
        end = start + 1
        if end < m:
            steps = [c[end] - c[start] for c in v]
            if min(steps) >= 0:
                end += 1
                while end < m and all(c[end] - c[end - 1] == st for c, st in zip(v, steps)):
                    end += 1
        cuts.append(end)
        start = end
        if len(cuts) - 1 > m / min_mean:
            return None
    return cuts if len(cuts) > 2 else None


def fold(p: Program, min_sum: int = 8, runs: int = 0) -> arrays.ArrayProgram:
    """The array program of the scalar program ``p``: the same function, its rows
    grouped by level and opcode into ``ELEM`` rows, long running sums as ``SUM``
    rows (the scheme: this module's docstring). ``min_sum``: the fewest terms
    of a running sum made one ``SUM`` row; ``runs``: see step 4 (0: gathers
    only). Raises TapeError (from :func:`adjit.arrays.build`) only if
    something here is wrong."""
    n_in = p.n_inputs
    instr, unfused = _unfused(np.asarray(p.instructions, dtype=np.int64), n_in)
    n = instr.shape[0]
    n_slots = n_in + n
    opc, a0, a1 = instr[:, 0], instr[:, 2], instr[:, 3]
    kind = ops.KIND[opc]
    outputs = unfused[np.asarray(p.outputs, dtype=np.int64)]
    guards = np.asarray(p.guards, dtype=np.int64).reshape(-1, 2).copy()
    guards[:, 0] = unfused[guards[:, 0]]
    pinned = np.zeros(n_slots, dtype=bool)
    pinned[outputs] = True
    pinned[guards[:, 0]] = True
    absorbed, terms = _sum_trees(instr, n_in, pinned, min_sum)

    # Step 2: levels and groups (absorbed rows are no nodes).
    nodes = np.flatnonzero(~absorbed)
    level = [0] * (n_slots + 1)  # the last entry stands for "no operand"
    sink = n_slots
    d0 = np.where(kind != ops.CONST, a0, sink).tolist()
    d1 = np.where(kind == ops.VV, a1, sink).tolist()
    for r in nodes.tolist():
        t = terms.get(r)
        if t is None:
            la, lb = level[d0[r]], level[d1[r]]
            level[n_in + r] = (la if la > lb else lb) + 1
        else:
            level[n_in + r] = max(level[s] for s in t.tolist()) + 1
    node_level = np.array(level, dtype=np.int64)[n_in + nodes]
    key = opc[nodes].copy()
    sum_rows = np.array(sorted(terms), dtype=np.int64)
    key[np.searchsorted(nodes, sum_rows)] = _SUM_KEY + np.arange(sum_rows.size)
    order = np.lexsort((key, node_level))
    cuts = np.flatnonzero((np.diff(node_level[order]) != 0) | (np.diff(key[order]) != 0)) + 1
    groups = [nodes[g] for g in np.split(order, cuts)] if nodes.size else []
    gid = np.full(n, -1, dtype=np.int64)
    for g, members in enumerate(groups):
        gid[members] = g

    # Each slot's first reader (a node) and which operand (a sum: term index).
    first_reader = np.full(n_slots, -1, dtype=np.int64)
    first_operand = np.zeros(n_slots, dtype=np.int64)
    plain = nodes[~np.isin(nodes, sum_rows)]
    r0s = plain[kind[plain] != ops.CONST]
    r1s = plain[kind[plain] == ops.VV]
    rows = np.concatenate([r0s, r1s])
    which = np.concatenate([np.zeros(r0s.size, np.int64), np.ones(r1s.size, np.int64)])
    read = np.concatenate([a0[r0s], a1[r1s]])
    last_first = np.lexsort((which, rows))[::-1]  # assigned in turn: the first read wins
    first_reader[read[last_first]] = rows[last_first]
    first_operand[read[last_first]] = which[last_first]
    if sum_rows.size:
        lo, hi = _input_spans(instr, n_in)
    for r in sum_rows[::-1].tolist():
        t = terms[r]
        rank = np.empty(t.size, dtype=np.int64)
        rank[np.lexsort((lo[t], hi[t] - lo[t]))] = np.arange(t.size)
        earlier = (first_reader[t] < 0) | (first_reader[t] > r)
        first_reader[t[earlier][::-1]] = r
        first_operand[t[earlier][::-1]] = rank[earlier][::-1]

    # Step 3: each member's place in its block, from the last group to the first.
    position = np.zeros(n, dtype=np.int64)
    piece_of = np.zeros(n, dtype=np.int64)  # which row of its group a member goes in
    for g in range(len(groups) - 1, -1, -1):
        members = groups[g]
        c = first_reader[n_in + members]
        has = c >= 0
        cc = np.maximum(c, 0)
        k1 = np.where(has, gid[cc], len(groups))
        k2 = np.where(has, first_operand[n_in + members], 0)
        k3 = np.where(has, position[cc], members)
        order = np.lexsort((k3, k2, k1))
        ranked = members[order]
        position[ranked] = np.arange(ranked.size)
        k1, k2, k4 = k1[order], k2[order], np.where(has, piece_of[cc], 0)[order]
        pieces = np.split(ranked, np.flatnonzero((np.diff(k1) != 0) | (np.diff(k2) != 0)
                                                 | (np.diff(k4) != 0)) + 1)
        if len(pieces) > 1 and min(piece.size for piece in pieces) >= _SPLIT_MIN:
            groups[g] = pieces
            for k, piece in enumerate(pieces):
                piece_of[piece] = k
        else:
            groups[g] = [ranked]

    # Step 4: slots, bottom up.
    new = np.full(n_slots, -1, dtype=np.int64)
    new[:n_in] = np.arange(n_in)
    consts = np.asarray(p.constants, dtype=np.float64)
    pool = [consts]
    n_const = consts.shape[0]
    code, index = [], []
    n_index = 0
    top = n_in

    def gather(slots):
        nonlocal top, n_index
        code.append((arrays.GATHER, 0, top, slots.shape[0], n_index, 0, 0, 0))
        index.append(slots)
        n_index += slots.shape[0]
        top += slots.shape[0]
        return top - slots.shape[0], 1

    def slot_operand(old):
        s = new[old]
        return _progression(s) or gather(s)

    def const_operand(idx):
        nonlocal n_const
        got = _progression(idx)
        if got is not None:
            return got
        pool.append(consts[idx])
        n_const += idx.shape[0]
        return n_const - idx.shape[0], 1

    for members in (piece for pieces in groups for piece in pieces):
        r0 = int(members[0])
        t = terms.get(r0)
        if t is not None:  # a sum node
            s = np.sort(new[t])
            breaks = np.flatnonzero(np.diff(s) != 1) + 1
            spans = np.split(s, breaks)
            if len(spans) > _SUM_RUNS:
                spans = [(gather(s)[0], s.shape[0])]
            else:
                spans = [(int(span[0]), span.shape[0]) for span in spans]
            parts = []
            for lo, count in spans:
                code.append((arrays.SUM, 0, top, 1, lo, 0, count, 1))
                parts.append(top)
                top += 1
            acc = parts[0]
            for part in parts[1:]:
                code.append((arrays.ELEM, _ADD, top, 1, acc, part, 0, 0))
                acc = top
                top += 1
            new[n_in + r0] = acc
            continue
        op = int(opc[r0])
        k = ops.KIND[op]
        m = members.shape[0]
        cuts = _runs(members, k, a0, a1, new, runs) if runs else None
        if cuts is not None:
            for lo_, hi_ in zip(cuts[:-1], cuts[1:]):
                part = members[lo_:hi_]
                i0, s0 = _progression(a0[part] if k == ops.CONST else new[a0[part]])
                i1, s1 = (_progression(new[a1[part]]) if k == ops.VV else
                          _progression(a1[part]) if k in (ops.VC, ops.CV) else (0, 0))
                code.append((arrays.ELEM, op, top, part.shape[0], i0, i1, s0, s1))
                new[n_in + part] = top + np.arange(part.shape[0])
                top += part.shape[0]
            continue
        if k == ops.CONST:
            (i0, s0), (i1, s1) = const_operand(a0[members]), (0, 0)
        else:
            i0, s0 = slot_operand(a0[members])
            if k == ops.VV:
                i1, s1 = slot_operand(a1[members])
            elif k in (ops.VC, ops.CV):
                i1, s1 = const_operand(a1[members])
            else:
                i1, s1 = 0, 0
        code.append((arrays.ELEM, op, top, m, i0, i1, s0, s1))
        new[n_in + members] = top + np.arange(m)
        top += m

    table = np.array(code, dtype=np.int64).reshape(-1, arrays.COLUMNS)
    pool_all = np.concatenate(pool)
    idx = np.concatenate(index) if index else np.zeros(0, dtype=np.int64)
    mapped = guards.copy()
    mapped[:, 0] = new[guards[:, 0]]
    return arrays.build(table, idx, pool_all, new[outputs], n_in, mapped)


def stats(a: arrays.ArrayProgram) -> dict:
    """What a folding produced: rows per kind, slots, and the mean ``ELEM`` length."""
    code = np.asarray(a.code)
    elem = code[code[:, 0] == arrays.ELEM]
    return dict(rows=int(code.shape[0]), slots=int(a.n_slots),
                elem_rows=int(elem.shape[0]),
                gathers=int((code[:, 0] == arrays.GATHER).sum()),
                gathered=int(code[code[:, 0] == arrays.GATHER, 3].sum()),
                sums=int((code[:, 0] == arrays.SUM).sum()),
                mean_elem=float(elem[:, 3].mean()) if elem.shape[0] else 0.0)
