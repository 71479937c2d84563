"""The no-compile tier: a tape evaluated with NumPy, level by level.

A fresh install has no compiled kernels, and compiling them takes most of a
minute; until they are ready (:mod:`adjit.background`) the first evaluations
run here. The rows are grouped by dependency level (a row's level is one more
than its operands'), so every row of a level can run at once: the value sweep
makes one fancy-indexed NumPy call per opcode per level, the tangent and
adjoint sweeps one per level (they need no opcode: they follow the stored
partials, as the kernels' branch-free sweeps do). The op rules are the op
table's own expressions (:mod:`adjit.ops`), rewritten for arrays: ``x if c
else y`` becomes ``np.where(c, x, y)``, ``and``/``or`` become
``np.logical_and``/``np.logical_or``. So results agree with the kernels to
rounding, zero times infinity is zero in a derivative (azmul) as there, and
guards are read from the same values.

Each public function here takes the arguments of the kernel of the same name
in :mod:`adjit.sweeps` and returns what it returns; :func:`register` gives
:mod:`adjit.tiers` the map. Work is laid out ``[slot, column]`` where a column
is a point of a batch or a direction of a sweep, one column for a single point.
"""
from __future__ import annotations

import ast
import math
import weakref

import numpy as np

from . import ops, sweeps, tiers

# ---------------------------------------------------------------------------
# The op table's rules for arrays.


class _ForArrays(ast.NodeTransformer):
    """``x if c else y`` -> ``np.where(c, x, y)``; ``a and b`` -> ``np.logical_and``."""

    def visit_IfExp(self, node):
        self.generic_visit(node)
        return ast.Call(ast.Attribute(ast.Name("np", ast.Load()), "where", ast.Load()),
                        [node.test, node.body, node.orelse], [])

    def visit_BoolOp(self, node):
        self.generic_visit(node)
        name = "logical_and" if isinstance(node.op, ast.And) else "logical_or"
        out = node.values[0]
        for v in node.values[1:]:
            out = ast.Call(ast.Attribute(ast.Name("np", ast.Load()), name, ast.Load()),
                           [out, v], [])
        return out


class _Math:
    """``math.f`` of the op table's rules, element by element (erf, erfc)."""

    def __getattr__(self, name):
        return np.vectorize(getattr(math, name), otypes=[np.float64])


# The op table's helper functions (lgamma's series, digamma, ...) are scalar
# Python functions: element by element on arrays, as they are on rows.
_SCOPE = {"np": np, "math": _Math(),
          **{f.__name__: np.vectorize(f, otypes=[np.float64]) for f in ops.HELPERS}}
_SCALAR_SCOPE = {"np": np, "math": math, **{f.__name__: f for f in ops.HELPERS}}


def _array_rule(args: str, exprs) -> object:
    """A function of ``args`` returning the tuple of ``exprs`` on arrays."""
    body = ", ".join(ast.unparse(_ForArrays().visit(ast.parse(e, mode="eval")).body)
                     for e in exprs)
    return eval(f"lambda {args}: ({body},)", dict(_SCOPE))  # noqa: S307 - our own table


def _variant_exprs(v: ops.Variant):
    """``(p0, p1, s00, s01, s11)`` of a variant with respect to its variable
    operands (arg0's slot, then arg1's): a ``cv`` variant's variable is the
    formula's ``b`` (as the generated kernels take them)."""
    op = v.op
    if v.kind == ops.CV:
        return op.d1, "0.0", op.d11, "0.0", "0.0"
    if v.kind in (ops.UNARY, ops.VC):
        return op.d0, "0.0", op.d00, "0.0", "0.0"
    return op.d0, op.d1, op.d00, op.d01, op.d11


def _scalar_rule(args: str, exprs) -> object:
    """The same on NumPy scalars (whose arithmetic follows NumPy's rules: 1/0 is
    inf, not an exception), for rows that run one at a time."""
    return eval(f"lambda {args}: ({', '.join(exprs)},)", dict(_SCALAR_SCOPE))  # noqa: S307


#: per opcode: (value(a, b), partials(a, b, y), second partials(a, b, y)); None for const
RULES = [None] + [(_array_rule("a, b", [v.op.value]),
                   _array_rule("a, b, y", _variant_exprs(v)[:2]),
                   _array_rule("a, b, y", _variant_exprs(v)[2:]))
                  for v in ops.VARIANTS[1:]]
#: the value and partials rules for one row on scalars
SCALAR_RULES = [None] + [(_scalar_rule("a, b", [v.op.value]),
                          _scalar_rule("a, b, y", _variant_exprs(v)[:2]))
                         for v in ops.VARIANTS[1:]]


# ---------------------------------------------------------------------------
# Plans: the rows grouped by level (and opcode), made once per record.


class Plan:
    """The rows of a record grouped for NumPy: ``groups``, per level and
    opcode ``(opcode, kind, rows, result, arg0, arg1, one)``; ``levels``, per
    level ``(rows, result, dep0, dep1, unique, one)`` for the derivative sweeps
    (``unique``: no two rows of the level share a dependency, so ``+=`` needs no
    ``np.add.at``). ``one`` is ``(row, result, arg0/dep0, arg1/dep1)`` as Python
    ints where the group is a single row, else None: a chain (a sum written as
    a loop) is one row per level, and a row costs less one at a time in Python
    than as a handful of NumPy calls."""

    __slots__ = ("groups", "levels", "n_in", "n_ops", "__weakref__")

    def __init__(self, instr: np.ndarray, links: np.ndarray | None = None):
        n = instr.shape[0] if instr is not None else links.shape[0]
        if links is None:
            links = _links(instr)
        n_in = int(links[0, 0]) if n else 0
        self.n_in, self.n_ops = n_in, n
        r, d0, d1 = links[:, 0], links[:, 1], links[:, 2]
        level = _levels(n_in, d0, d1)
        self.levels = []
        for rows in _split(np.argsort(level, kind="stable"), level):
            a, b = d0[rows], d1[rows]
            both = np.concatenate([a, b[b < n_in + n]])
            one = (int(rows[0]), int(r[rows[0]]), int(a[0]), int(b[0])) if rows.size == 1 \
                else None
            self.levels.append((rows, r[rows], a, b, np.unique(both).size == both.size, one))
        self.groups = []
        if instr is None:
            return
        opcode = instr[:, 0]
        order = np.lexsort((opcode, level))
        key = level.astype(np.int64) * ops.N_OPCODES + opcode
        for rows in _split(order, key):
            code = int(opcode[rows[0]])
            one = (int(rows[0]), *(int(v) for v in instr[rows[0], 1:])) if rows.size == 1 \
                else None
            self.groups.append((code, int(ops.KIND[code]), rows, instr[rows, 1],
                                instr[rows, 2], instr[rows, 3], one))


def _links(instr: np.ndarray) -> np.ndarray:
    """(result, dep0, dep1) per row, the sink for a non-variable operand (as
    :attr:`adjit.program.Program.links`)."""
    n = instr.shape[0]
    sink = (int(instr[0, 1]) if n else 0) + n
    opcode = instr[:, 0]
    return np.stack([instr[:, 1], np.where(ops.ARG0_IS_SLOT[opcode], instr[:, 2], sink),
                     np.where(ops.ARG1_IS_SLOT[opcode], instr[:, 3], sink)], axis=1)


def _levels(n_in: int, d0: np.ndarray, d1: np.ndarray) -> np.ndarray:
    """Each row's dependency level: inputs, constants and the sink are level 0."""
    n = d0.shape[0]
    lev = [0] * (n_in + n + 1)  # the last entry is the sink's
    for r, a, b in zip(range(n_in, n_in + n), d0.tolist(), d1.tolist()):
        la, lb = lev[a], lev[b]
        lev[r] = (la if la > lb else lb) + 1
    return np.array(lev[n_in:n_in + n], dtype=np.int64)


def _split(order: np.ndarray, key: np.ndarray):
    """``order`` cut where ``key[order]`` changes."""
    k = key[order]
    cuts = np.flatnonzero(k[1:] != k[:-1]) + 1
    return np.split(order, cuts) if order.size else []


_PLANS: dict = {}


def plan_for(instr: np.ndarray | None, links: np.ndarray | None = None) -> Plan:
    """The plan of these (read-only) arrays, made once while they live."""
    base = instr if instr is not None else links
    key = (id(base), instr is not None)
    hit = _PLANS.get(key)
    if hit is not None and hit[0]() is base:
        return hit[1]
    plan = Plan(instr, links)
    if not base.flags.writeable:  # a record's arrays never change: keep the plan
        try:
            _PLANS[key] = (weakref.ref(base, lambda _, k=key: _PLANS.pop(k, None)), plan)
        except TypeError:  # pragma: no cover - an array type without weakrefs
            pass
    return plan


# ---------------------------------------------------------------------------
# The sweeps.


def _values(plan: Plan, consts, work, partials=None, second=None) -> None:
    """Values into ``work[slot, column]``; local partials into
    ``partials[row, 2, column]`` and second ones into ``second[row, 3, column]``
    when given."""
    single = work.shape[1] == 1 and second is None
    if single:
        w = work[:, 0]
        p0s = partials[:, 0, 0] if partials is not None else None
        p1s = partials[:, 1, 0] if partials is not None else None
    with np.errstate(all="ignore"):
        for code, kind, rows, r, i0, i1, one in plan.groups:
            if single and one is not None:
                row, r0, j0, j1 = one
                if kind == ops.CONST:
                    w[r0] = consts[j0]
                    if p0s is not None:
                        p0s[row] = p1s[row] = 0.0
                    continue
                if kind == ops.CV:
                    a, b = consts[j1], w[j0]
                else:
                    a = w[j0]
                    b = w[j1] if kind == ops.VV else consts[j1] if kind == ops.VC else 0.0
                value, first = SCALAR_RULES[code]
                y = w[r0] = value(a, b)[0]
                if p0s is not None:
                    p0s[row], p1s[row] = first(a, b, w[r0])
                continue
            if kind == ops.CONST:
                work[r] = consts[i0][:, None]
                if partials is not None:
                    partials[rows] = 0.0
                if second is not None:
                    second[rows] = 0.0
                continue
            if kind == ops.CV:
                a, b = consts[i1][:, None], work[i0]
            else:
                a = work[i0]
                b = (work[i1] if kind == ops.VV else consts[i1][:, None] if kind == ops.VC
                     else 0.0)
            value, first, seconds = RULES[code]
            y = value(a, b)[0]
            work[r] = y
            if partials is not None:
                p0, p1 = first(a, b, work[r])
                partials[rows, 0] = p0
                partials[rows, 1] = p1
            if second is not None:
                s = seconds(a, b, work[r])
                for j in range(3):
                    second[rows, j] = s[j]


def _azmul(p, t):
    """``p * t``, 0 where either is 0 (as :func:`adjit.sweeps.azmul`)."""
    return np.where((p == 0.0) | (t == 0.0), 0.0, p * t)


def _tangents(plan: Plan, partials, t) -> None:
    """``t[slot, direction]`` forwards over stored ``partials[row, 2, column]``
    (one column, or one per direction)."""
    single = t.shape[1] == 1 and partials.shape[2] == 1
    if single:
        t1s, p0s, p1s = t[:, 0], partials[:, 0, 0], partials[:, 1, 0]
    with np.errstate(all="ignore"):
        for rows, r, d0, d1, _, one in plan.levels:
            if single and one is not None:
                row, r0, j0, j1 = one
                p0, p1, u0, u1 = p0s[row], p1s[row], t1s[j0], t1s[j1]
                v = p0 * u0 + p1 * u1
                if v != v:
                    v = (0.0 if p0 == 0.0 or u0 == 0.0 else p0 * u0) + (
                        0.0 if p1 == 0.0 or u1 == 0.0 else p1 * u1)
                t1s[r0] = v
                continue
            p0, p1 = partials[rows, 0], partials[rows, 1]
            t0, t1 = t[d0], t[d1]
            v = p0 * t0 + p1 * t1
            nan = np.isnan(v)
            if nan.any():  # perhaps zero met infinity: azmul, as the kernels
                v = np.where(nan, _azmul(p0, t0) + _azmul(p1, t1), v)
            t[r] = v


def _adjoints(plan: Plan, partials, a) -> None:
    """``a[slot, seed]`` backwards over stored partials; the sink row is left
    as it was."""
    sink = plan.n_in + plan.n_ops
    keep = a[sink].copy() if a.shape[0] > sink else None
    single = a.shape[1] == 1 and partials.shape[2] == 1
    if single:
        a1, p0s, p1s = a[:, 0], partials[:, 0, 0], partials[:, 1, 0]
    with np.errstate(all="ignore"):
        for rows, r, d0, d1, unique, one in reversed(plan.levels):
            if single and one is not None:  # as the kernels' adjoint1 (azmul)
                row, r0, j0, j1 = one
                g = a1[r0]
                if g != 0.0:
                    p = p0s[row]
                    if p != 0.0:
                        a1[j0] += p * g
                    p = p1s[row]
                    if p != 0.0:
                        a1[j1] += p * g
                continue
            g = a[r]
            c0, c1 = _azmul(partials[rows, 0], g), _azmul(partials[rows, 1], g)
            if unique:
                a[d0] += c0
                a[d1] += c1
            else:
                np.add.at(a, d0, c0)
                np.add.at(a, d1, c1)
    if keep is not None:
        a[sink] = keep


def _flips(work, guards) -> np.ndarray:
    """Per column, the first guard whose condition differs from its recording, or -1."""
    if guards.shape[0] == 0:
        return np.full(work.shape[1], -1, dtype=np.int32)
    bad = work[guards[:, 0]] != guards[:, 1][:, None]
    return np.where(bad.any(axis=0), bad.argmax(axis=0), -1).astype(np.int32)


def _linearized(P, xs: np.ndarray, order: int = 1):
    """``(work, partials)`` at the points ``xs[:, column]`` (partials None for order 0)."""
    plan = plan_for(P.instructions)
    n_pts = xs.shape[1]
    work = np.empty((P.n_slots + 1, n_pts))
    work[: P.n_inputs] = xs
    work[P.n_slots] = 0.0
    partials = np.empty((P.n_ops, 2, n_pts)) if order else None
    _values(plan, P.constants, work, partials)
    return work, partials


# ---------------------------------------------------------------------------
# The entry points (the kernels' arguments and results; scratch is not needed).

#: most points evaluated at once: bounds the memory of a batch's work arrays
_CHUNK = 256


def forward(P, x, scratch):
    work, _ = _linearized(P, x[:, None], 0)
    return work[P.outputs, 0], int(_flips(work, P.guards)[0])


def value_and_gradient(P, x, scratch, adj, grad):
    work, partials = _linearized(P, x[:, None])
    a = np.zeros((P.n_slots + 1, 1))
    out = P.outputs[0]
    a[out] = 1.0
    _adjoints(plan_for(P.instructions), partials, a)
    grad[:] = a[: x.shape[0], 0]
    return float(work[out, 0]), int(_flips(work, P.guards)[0])


def jvp(P, x, v, scratch):
    work, partials = _linearized(P, x[:, None])
    t = np.zeros((P.n_slots + 1, v.shape[1]))
    t[: x.shape[0]] = v
    _tangents(plan_for(P.instructions), partials, t)
    return work[P.outputs, 0], t[P.outputs], int(_flips(work, P.guards)[0])


def vjp(P, x, w, scratch):
    work, partials = _linearized(P, x[:, None])
    a = np.zeros((P.n_slots + 1, w.shape[0]))
    np.add.at(a, P.outputs, w.T)
    _adjoints(plan_for(P.instructions), partials, a)
    return work[P.outputs, 0], a[: x.shape[0]].T.copy(), int(_flips(work, P.guards)[0])


def jacobian(P, x, reverse, chunk, scratch):
    work, partials = _linearized(P, x[:, None])
    plan = plan_for(P.instructions)
    n, m, outputs = x.shape[0], P.outputs.shape[0], P.outputs
    jac = np.empty((m, n))
    for c0 in range(0, m if reverse else n, chunk):
        c1 = min(c0 + chunk, m if reverse else n)
        t = np.zeros((P.n_slots + 1, c1 - c0))
        if reverse:
            np.add.at(t, (outputs[c0:c1], np.arange(c1 - c0)), 1.0)
            _adjoints(plan, partials, t)
            jac[c0:c1] = t[:n].T
        else:
            t[np.arange(c0, c1), np.arange(c1 - c0)] = 1.0
            _tangents(plan, partials, t)
            jac[:, c0:c1] = t[outputs]
    return work[outputs, 0], jac, int(_flips(work, P.guards)[0])


def batch_forward(P, xs, block, scratch):
    ys = np.empty((xs.shape[0], P.outputs.shape[0]))
    flips = np.empty(xs.shape[0], dtype=np.int32)
    for s in range(0, xs.shape[0], _CHUNK):
        work, _ = _linearized(P, xs[s: s + _CHUNK].T, 0)
        ys[s: s + _CHUNK] = work[P.outputs].T
        flips[s: s + _CHUNK] = _flips(work, P.guards)
    return ys, flips


def batch_value_and_gradient(P, xs, block, scratch):
    n_pts, n = xs.shape
    ys, grads = np.empty(n_pts), np.empty((n_pts, n))
    flips = np.empty(n_pts, dtype=np.int32)
    out = P.outputs[0]
    plan = plan_for(P.instructions)
    for s in range(0, n_pts, _CHUNK):
        work, partials = _linearized(P, xs[s: s + _CHUNK].T)
        a = np.zeros_like(work)
        a[out] = 1.0
        _adjoints(plan, partials, a)
        ys[s: s + _CHUNK] = work[out]
        grads[s: s + _CHUNK] = a[:n].T
        flips[s: s + _CHUNK] = _flips(work, P.guards)
    return ys, grads, flips


# The primitives that other modules call on arrays of their own (the tracer's
# branch values, pictures, sparsity, second order): in place, as the kernels.


def start(x, work):
    work[: x.shape[0]] = x
    work[work.shape[0] - 1] = 0.0


def values(code, instr, consts, work):
    _values(plan_for(instr), consts, work[:, None])


def linearize(code, instr, consts, guards, x, work, partials):
    work[: x.shape[0]] = x
    work[work.shape[0] - 1] = 0.0
    p3 = partials.reshape(partials.shape[0], 2, 1)
    _values(plan_for(instr), consts, work[:, None], p3)
    return int(_flips(work[:, None], guards)[0])


def linearize2(P, x, work, partials, second):
    work[: x.shape[0]] = x
    work[work.shape[0] - 1] = 0.0
    n = partials.shape[0]
    _values(plan_for(P.instructions), P.constants, work[:, None],
            partials.reshape(n, 2, 1), second.reshape(n, 3, 1))
    return int(_flips(work[:, None], P.guards)[0])


def tangent1(links, partials, t):
    _tangents(plan_for(None, links), partials[:, :, None], t[:, None])


def tangents(links, partials, t):
    _tangents(plan_for(None, links), partials[:, :, None], t)


def adjoint1(links, partials, a):
    _adjoints(plan_for(None, links), partials[:, :, None], a[:, None])


def adjoints(links, partials, a):
    _adjoints(plan_for(None, links), partials[:, :, None], a)


def register() -> None:
    """Give :mod:`adjit.tiers` the NumPy equivalent of each kernel above."""
    for name in ("start", "forward", "value_and_gradient", "jvp", "vjp", "jacobian",
                 "batch_forward", "batch_value_and_gradient", "values", "linearize",
                 "linearize2", "tangent1", "tangents", "adjoint1", "adjoints"):
        tiers.EQUIVALENT[getattr(sweeps, name)] = globals()[name]
    tiers.EQUIVALENT[sweeps.forward_runs] = forward
    tiers.EQUIVALENT[sweeps.value_and_gradient_runs] = value_and_gradient


register()
