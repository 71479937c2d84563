"""Helpers shared by several test files.

Everything here that reaches into adjit's internals (which kernel path a tape
takes, block sizes, the second-order methods, the @njit API) is a small
function of its own, so that a change of those internals is fixed in one place.
No test module imports another test module: shared code lives here.
"""
from __future__ import annotations

import contextlib
import math

import mpmath
import numpy as np

import adjit
from adjit import ops, sweeps
from adjit import program as adjit_program
from adjit import tape as adjit_tape
from adjit.tape import Tape

# --- differences -------------------------------------------------------------------


def central_jacobian(f, x, h=1e-6):
    """Jacobian of a plain NumPy function by central differences (m, n)."""
    x = np.asarray(x, dtype=float)
    cols = []
    for i in range(x.size):
        step = h * max(1.0, abs(x[i]))
        xp, xm = x.copy(), x.copy()
        xp[i] += step
        xm[i] -= step
        cols.append((np.atleast_1d(f(xp)) - np.atleast_1d(f(xm))) / (2 * step))
    return np.stack(cols, axis=1)


def complex_step(f, x, h=1e-30):
    """Derivative of a real-analytic scalar function by the complex step."""
    return f(complex(x, h)).imag / h


# --- an mpmath oracle for the op table's value rules --------------------------------
# The op table writes its value rules with np./math. functions; evaluated with
# these mpmath stand-ins the same rules give high-precision values, and mpmath's
# own numerical differentiation (at 40 digits) gives derivatives that owe nothing
# to the table's partial rules.

def _real_cbrt(a):
    return mpmath.sign(a) * mpmath.cbrt(abs(a))


def _fmod(a, b):
    # C's fmod (the sign of a); mpmath.fmod takes the sign of b, like Python's %
    q = a / b
    return a - b * (mpmath.floor(q) if q >= 0 else mpmath.ceil(q))


def _floor_divide(a, b):
    return mpmath.floor(a / b)


def _remainder(a, b):
    return a - mpmath.floor(a / b) * b


_MP_FUNCS = {
    "sin": mpmath.sin, "cos": mpmath.cos, "tan": mpmath.tan,
    "arcsin": mpmath.asin, "arccos": mpmath.acos, "arctan": mpmath.atan,
    "sinh": mpmath.sinh, "cosh": mpmath.cosh, "tanh": mpmath.tanh,
    "arcsinh": mpmath.asinh, "arccosh": mpmath.acosh, "arctanh": mpmath.atanh,
    "exp": mpmath.exp, "expm1": mpmath.expm1, "log": mpmath.log, "log1p": mpmath.log1p,
    "log2": lambda a: mpmath.log(a, 2), "log10": mpmath.log10,
    "sqrt": mpmath.sqrt, "cbrt": _real_cbrt, "erf": mpmath.erf, "erfc": mpmath.erfc,
    "abs": mpmath.fabs, "fabs": mpmath.fabs, "sign": mpmath.sign,
    "floor": mpmath.floor, "ceil": mpmath.ceil, "hypot": mpmath.hypot,
    "arctan2": mpmath.atan2, "fmod": _fmod, "floor_divide": _floor_divide,
    "remainder": _remainder, "mod": _remainder, "fmin": min, "fmax": max,
    "minimum": min, "maximum": max,
    "lgamma": lambda a: mpmath.re(mpmath.loggamma(a)),  # log|gamma(a)|, also for a < 0
}


class _MpNamespace:
    """Stands in for ``np`` and ``math`` in the op table's value rules."""

    def __getattr__(self, name):
        try:
            return _MP_FUNCS[name]
        except KeyError:  # a new op's function: add it to _MP_FUNCS
            raise AttributeError(f"tests/support.py: no mpmath stand-in for np.{name} / "
                                 f"math.{name}; add one to _MP_FUNCS") from None


_MP = _MpNamespace()
_MP_RULES: dict = {}


def mp_value_rule(op: ops.Op):
    """The op's value rule as a function of two mpmath numbers."""
    rule = _MP_RULES.get(op.name)
    if rule is None:
        rule = _MP_RULES[op.name] = eval(  # noqa: S307 - the op table's own text
            f"lambda a, b: {op.value}", {"np": _MP, "math": _MP, **_MP_FUNCS})
    return rule


def _jump(f, t, h):
    """Does f jump at t (is it discontinuous there)?"""
    return abs(f(t + h) - f(t - h)) > mpmath.mpf(10) ** -20


def mp_partials(op: ops.Op, a: float, b: float):
    """Reference first and second partials of the op's value at (a, b) as
    ``(d0, d1, d00, d01, d11)`` floats, from mpmath differences of the value
    rule at 40 digits. Where the value jumps (a comparison at a tie, floor at
    an integer, sign at 0) the derivative is that of the pieces on either
    side where they agree (the documented convention: 0 for those), NaN where
    they do not; at a corner (abs at 0, a tie of minimum) the mean of the
    one-sided derivatives. Where the op is not smooth at the point its second
    partials are those of the pieces around it where they all agree (0 for
    every piecewise-linear op), NaN where they do not. Callers skip NaN
    entries."""
    rule = mp_value_rule(op)
    # digits enough that a step of 1e-30 still moves a huge operand (a % b at
    # a = 1e200 needs the integer part of a / b exactly)
    big = max(abs(a), abs(b), 1.0)
    digits = 40 + (int(math.log10(big)) if math.isfinite(big) else 0)
    with mpmath.workdps(digits):
        A, Bv = mpmath.mpf(a), mpmath.mpf(b)
        h = mpmath.mpf(10) ** -30

        def first(g, t):
            if _jump(g, t, h):
                # the derivatives of the pieces on either side, where they agree
                # (0 for a comparison, floor or sign); undefined where not
                d = mpmath.mpf(10) ** -15
                left = mpmath.diff(g, t - d, h=d / 1000)
                right = mpmath.diff(g, t + d, h=d / 1000)
                if abs(right - left) <= mpmath.mpf(10) ** -15 * (1 + abs(right)):
                    return (right + left) / 2, False
                return mpmath.mpf("nan"), False
            right = mpmath.diff(g, t, direction=1)
            left = mpmath.diff(g, t, direction=-1)
            smooth = abs(right - left) <= mpmath.mpf(10) ** -15 * (1 + abs(right))
            return (right + left) / 2, smooth

        fa = lambda t: rule(t, Bv)  # noqa: E731
        fb = lambda t: rule(A, t)  # noqa: E731
        d0, s0 = first(fa, A)
        d1, s1 = first(fb, Bv) if op.arity == 2 else (mpmath.mpf(0), True)
        if s0 and s1:
            d00 = float(mpmath.diff(fa, A, 2))
            if op.arity == 2:
                d11 = float(mpmath.diff(fb, Bv, 2))
                d01 = float(mpmath.diff(rule, (A, Bv), (1, 1)))
            else:
                d01 = d11 = 0.0
        else:  # not smooth here: the pieces' common second partials, if any
            # (points off the kink lines a = 0, b = 0 and a = b)
            # and at two distances: a partial that grows near the point (hypot's
            # at the origin) has no value there
            d00 = _common(rule, A, Bv, [(-1, 0), (1, 0)], (2, 0))
            if op.arity == 2:
                d11 = _common(rule, A, Bv, [(0, -1), (0, 1)], (0, 2))
                d01 = _common(rule, A, Bv, [(1, -1), (-1, 1)], (1, 1))
            else:
                d01 = d11 = 0.0
        return float(d0), float(d1), d00, d01, d11


def _common(rule, a, b, offsets, order):
    """The partial ``order`` of ``rule`` at the points (a, b) + s*d*offset, for
    s = 1 and 2, with steps far smaller than d; their common value where they
    all agree, NaN otherwise."""
    d = mpmath.mpf(10) ** -15
    vals = [mpmath.diff(rule, (a + s * d * i, b + s * d * j), order, h=d / 1000)
            for i, j in offsets for s in (1, 2)]
    if max(vals) - min(vals) <= mpmath.mpf(10) ** -12 * (1 + abs(vals[0])):
        return float(sum(vals) / len(vals))
    return float("nan")


def op_points(op: ops.Op, n_random: int = 3, seed: int = 0, edges: bool = True):
    """(a, b) test points for an op: random ones from its domain, its special
    points (b is 0 for unary ops), and with ``edges`` the points where a
    piecewise rule switches: ``a = 0`` (where the domain holds 0) and, for
    binary ops, a tie ``a = b`` (where the two domains overlap)."""
    rng = np.random.default_rng(seed + sum(map(ord, op.name)))
    (alo, ahi), (blo, bhi) = op.domain
    pts = [(float(rng.uniform(alo, ahi)), float(rng.uniform(blo, bhi)) if op.arity == 2
            else 0.0) for _ in range(n_random)]
    for s in op.special:
        pts.append((float(s[0]), float(s[1]) if len(s) > 1 else 0.0))
    if edges:
        if alo <= 0.0 <= ahi:
            pts.append((0.0, float(rng.uniform(blo, bhi)) if op.arity == 2 else 0.0))
        lo, hi = max(alo, blo), min(ahi, bhi)
        if op.arity == 2 and lo < hi:
            t = float(rng.uniform(lo, hi))
            pts.append((t, t))
    return pts


# --- which kernel path a tape takes ----------------------------------------------------
# Tapes choose by themselves between the runs path (rows reordered into runs of
# one opcode, Tape._runs) and the row-by-row path (the dispatch streams, with
# superinstructions for adjacent pairs of cheap ops). Tests force each.


def _single_point_path(tape: Tape, p, on_runs: bool) -> None:
    """Make the tape's single-point forward and gradient use record ``p``,
    in runs or row by row (what Tape decides once, in its state)."""
    fwd = sweeps.forward_runs if on_runs else sweeps.forward
    grad = sweeps.value_and_gradient_runs if on_runs else sweeps.value_and_gradient
    with tape.cache.lock:
        tape.cache.in_runs = (p, fwd, grad, adjit_program.scratch_size(p, 0))


def use_runs(tape: Tape, on: bool) -> Tape:
    """Make the single-point forward and gradient of ``tape`` take the runs
    path (``on``) or the row-by-row path; returns the tape."""
    p = tape.program
    if on:
        runs, rows = sweeps.cluster_runs(p.instructions, p.links, p.n_inputs)
        assert len(runs) > 1, "a tape without rows has no runs"
        p = p._replace(runs=adjit_program.immutable(runs),
                       rows=adjit_program.immutable(rows))
    _single_point_path(tape, p, on)
    return tape


def use_pairs(tape: Tape, on: bool) -> Tape:
    """Let the row-by-row kernels run adjacent rows through superinstructions
    (``on``, the default) or one row at a time; returns a tape that does so
    (``tape`` itself when ``on``)."""
    if on:
        return tape
    p = tape.program
    codes = adjit_program.immutable(np.array(p.instructions[:, 0], np.int32))
    plain = Tape(p.instructions, p.constants, p.outputs, p.n_inputs, p.guards,
                 tape.guard_sources)
    # the one way in: the tape's own setter, used by its constructor
    adjit_tape._SET["_program"](plain, p._replace(dispatch=codes, reverse_dispatch=codes))
    _single_point_path(plain, plain.program, False)
    return plain


def has_pairs(tape: Tape) -> bool:
    """Does the tape's forward dispatch use a superinstruction?"""
    p = tape.program
    return bool((p.dispatch != p.instructions[:, 0]).any())


@contextlib.contextmanager
def forced_block(block: int):
    """Batched kernels run ``block`` points per block inside the context."""
    saved = Tape._block
    Tape._block = lambda self, npts: block
    try:
        yield
    finally:
        Tape._block = saved


SECOND_ORDER_METHODS = ("domains", "sweeps")


def hessian_by(tape: Tape, x, method: str, w=None) -> np.ndarray:
    """The dense Hessian by one named method of adjit.second."""
    from adjit.second import hessian
    return hessian(tape, x, w, method=method)


def njit_results(tape: Tape, x, v=None, w=None) -> dict:
    """Every function of the @njit API (adjit.compiled) at ``x``, called the
    way a user's @njit code calls them; returns what each wrote, checking
    each reports no flipped guard."""
    fns = tape.njit_functions()
    T, B = fns.tape, fns.buffers()
    x = np.array(x, dtype=np.float64)
    n, m = tape.n_inputs, tape.n_outputs
    v = np.ones(n) if v is None else np.array(v, dtype=np.float64)
    w = np.ones(m) if w is None else np.array(w, dtype=np.float64)
    out = {}
    y = np.empty(m)
    assert fns.value(T, B, x, y) == -1
    out["value"] = y.copy()
    jv = np.empty(m)
    assert fns.jvp(T, B, x, v, y, jv) == -1
    out["jvp"] = jv
    wj = np.empty(n)
    assert fns.vjp(T, B, x, w, y, wj) == -1
    out["vjp"] = wj
    J = np.empty((m, n))
    assert fns.jacobian(T, B, x, y, J) == -1
    out["jacobian"] = J
    if m == 1:
        g = np.empty(n)
        val, flip = fns.value_and_gradient(T, B, x, g)
        assert flip == -1
        out["value_and_gradient"] = (val, g)
    return out


# --- workloads shared by several test files ---------------------------------------------


def random_function(seed, n_inputs, n_steps):
    """A random expression graph over bounded values, with shared
    subexpressions, constants the rules act on, and dead branches."""
    rng = np.random.default_rng(seed)
    plan = []
    for k in range(n_steps):
        plan.append((int(rng.integers(0, 17)), int(rng.integers(0, 10 ** 6)),
                     int(rng.integers(0, 10 ** 6)), float(rng.choice([0.5, 2.0, 3.0, -1.0]))))

    def f(x):
        vals = [x[i] for i in range(n_inputs)]
        for kind, i, j, c in plan:
            a, b = vals[i % len(vals)], vals[j % len(vals)]
            if kind == 0:
                v = a + b
            elif kind == 1:
                v = a - b
            elif kind == 2:
                v = a * b
            elif kind == 3:
                v = a / (1.5 + np.tanh(b))
            elif kind == 4:
                v = np.sin(a) * 1.0
            elif kind == 5:
                v = np.tanh(a) ** 3
            elif kind == 6:
                v = b * a  # a * b again, commuted
            elif kind == 7:
                v = -(-a) + (-b)
            elif kind == 8:
                v = np.exp(np.tanh(a)) / c
            elif kind == 9:
                v = (np.tanh(a) + 1.5) ** 0.5
            elif kind == 10:
                v = adjit.where(a > b, a, b * c)
            elif kind == 11:
                v = np.tanh(a - b) ** 4 + 0.0
            elif kind == 12:
                v = np.hypot(a, b) + (-0.0)
            elif kind == 13:
                v = a * c - 0.0
            elif kind == 14:
                v = np.tanh(a) * np.tanh(a)
            elif kind == 15:
                v = abs(a) + 0.0
            else:
                v = np.tanh(a * b)
            vals.append(np.tanh(v) if kind in (0, 2, 6) else v)
        out = vals[-5:]
        return out
    return f


def lj_energy_and_forces(atoms):
    """Lennard-Jones energy and forces written naively, from helpers: each pair
    computes x_i - x_j and r² once for the energy and again for the force."""
    def dist2(x, i, j):
        return sum((x[3 * i + k] - x[3 * j + k]) ** 2 for k in range(3))

    def pair_energy(x, i, j):
        s6 = 1.0 / dist2(x, i, j) ** 3
        return 4.0 * (s6 * s6 - s6)

    def pair_force(x, i, j):
        r2 = dist2(x, i, j)
        s6 = 1.0 / r2 ** 3
        scale = 24.0 * (2.0 * s6 * s6 - s6) / r2
        return [scale * (x[3 * i + k] - x[3 * j + k]) for k in range(3)]

    def f(x):
        e = 0.0
        forces = [0.0] * (3 * atoms)
        for i in range(atoms):
            for j in range(i + 1, atoms):
                e = e + pair_energy(x, i, j)
                for k, fk in enumerate(pair_force(x, i, j)):
                    forces[3 * i + k] = forces[3 * i + k] + fk
                    forces[3 * j + k] = forces[3 * j + k] - fk
        return [e] + forces
    return f


