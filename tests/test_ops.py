"""Table-driven tests of every op: values against NumPy/SciPy, first partials
against central differences (and the complex step on the pure-Python rules),
second partials against differences of the reference, special points, and the
generated kernels against the table."""
import math

import mpmath as mp
import numpy as np
import pytest
import scipy.special

import adjit
from adjit import codegen, ops
from adjit.tracer import binary, unary

from conftest import central_jacobian

REFERENCE = {  # independent implementations: NumPy ufuncs, SciPy, the stdlib
    "erf": scipy.special.erf,
    "erfc": scipy.special.erfc,
    "atan2": np.arctan2,
    "pow": np.power,
    "pick_true": lambda c, b: np.where(c != 0, b, 0.0),
    "pick_false": lambda c, b: np.where(c == 0, b, 0.0),
    "logical_and": lambda a, b: np.logical_and(a, b).astype(float),
    "logical_or": lambda a, b: np.logical_or(a, b).astype(float),
    "logical_not": lambda a: np.logical_not(a).astype(float),
    "sqdiff": lambda a, b: np.square(np.subtract(a, b)),
    "cube": lambda a: np.power(a, 3),
    "inv_cube": lambda a: np.power(a, -3.0),
    "lgamma": scipy.special.gammaln,
}


def reference(op):
    if op.name in REFERENCE:
        return REFERENCE[op.name]
    u = op.ufuncs[0]
    if op.compare:
        return lambda *a: u(*a).astype(float)
    return u


def _variant_cases():
    for v in ops.VARIANTS:
        if v.op is not None:
            yield pytest.param(v, id=v.name)


def _points(op, rng, count=6):
    lo0, hi0 = op.domain[0]
    lo1, hi1 = op.domain[1]
    a = rng.uniform(lo0, hi0, count)
    b = rng.uniform(lo1, hi1, count)
    if op.name.startswith("pick") or op.name.startswith("logical"):
        a = rng.integers(0, 2, count).astype(float)
    return a, b


def _record(v, c):
    """A tape of the single instruction of variant v; c is the constant operand
    (unoptimized: the optimizer would rewrite some, e.g. 1 < x into x > 1)."""
    name = v.op.name
    if v.kind == ops.UNARY:
        return (adjit.trace(lambda x: unary(name, x[0]), [1.0], optimize=False),
                lambda x: reference(v.op)(x[0]))
    if v.kind == ops.VV:
        return (adjit.trace(lambda x: binary(name, x[0], x[1]), [1.0, 1.0], optimize=False),
                lambda x: reference(v.op)(x[0], x[1]))
    if v.kind == ops.VC:
        return (adjit.trace(lambda x: binary(name, x[0], c), [1.0], optimize=False),
                lambda x: reference(v.op)(x[0], c))
    return (adjit.trace(lambda x: binary(name, c, x[0]), [1.0], optimize=False),
            lambda x: reference(v.op)(c, x[0]))


@pytest.mark.parametrize("v", list(_variant_cases()))
def test_kernel_value_and_first_partials(v, rng):
    """Each opcode, through the compiled kernels: value against the reference,
    reverse- and forward-mode derivatives against central differences."""
    a, b = _points(v.op, rng)
    for ai, bi in zip(a, b):
        if v.kind == ops.CV:
            c, x = ai, np.array([bi])
        elif v.kind == ops.VV:
            c, x = None, np.array([ai, bi])
        else:
            c, x = bi, np.array([ai])
        tape, ref = _record(v, c)
        assert ops.NAMES[tape.opcode[-1]] == v.name
        np.testing.assert_allclose(tape.forward(x), [ref(x)], rtol=1e-14, atol=1e-300)
        fd = central_jacobian(ref, x)
        np.testing.assert_allclose(tape.gradient(x), fd[0], rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(tape.jvp(x, np.ones_like(x))[1], fd @ np.ones_like(x),
                                   rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("op", [pytest.param(o, id=o.name) for o in ops.TABLE])
def test_rules_against_reference(op, rng):
    """The table's pure-Python rules: values against the independent reference,
    first partials against its central differences. (Exact checks of first and
    second partials: the complex-step and mpmath-oracle tests below.)"""
    ref = reference(op)
    f = (lambda a, b: ref(a)) if op.arity == 1 else ref
    a, b = _points(op, rng)
    for ai, bi in zip(a, b):
        val = ops.python_rule(op, "value")(ai, bi)
        np.testing.assert_allclose(val, f(ai, bi), rtol=1e-14)
        h = 1e-6
        da = (f(ai + h, bi) - f(ai - h, bi)) / (2 * h)
        db = (f(ai, bi + h) - f(ai, bi - h)) / (2 * h)
        if op.name.startswith(("pick", "logical")):
            da = 0.0  # the condition operand carries no derivative
        np.testing.assert_allclose(ops.python_rule(op, "d0")(ai, bi), da, rtol=1e-6, atol=1e-7)
        if op.arity == 2:
            np.testing.assert_allclose(ops.python_rule(op, "d1")(ai, bi), db, rtol=1e-6,
                                       atol=1e-7)


# Smooth ops whose rules call functions without complex arguments (np.hypot,
# math.erf, np.cbrt): the mpmath oracle below checks them instead.
_NO_COMPLEX_VALUE = {"hypot", "atan2", "erf", "erfc", "cbrt", "lgamma"}
_NO_COMPLEX_PARTIALS = {"hypot", "atan2", "arcsinh", "cbrt", "erf", "erfc", "lgamma"}
COMPLEX_STEP = [o for o in ops.TABLE if o.smooth and o.name not in _NO_COMPLEX_VALUE]
COMPLEX_STEP_2 = [o for o in ops.TABLE if o.smooth and o.name not in _NO_COMPLEX_PARTIALS]


@pytest.mark.parametrize("op", [pytest.param(o, id=o.name) for o in COMPLEX_STEP])
def test_first_partials_by_complex_step(op, rng):
    """d0 (and d1) equal the complex-step derivative of the value rule, which
    has no subtractive cancellation: agreement to ~1e-12."""
    a, b = _points(op, rng)
    h = 1e-30
    value = ops.python_rule(op, "value")
    for ai, bi in zip(a, b):
        with np.errstate(all="ignore"):
            cs0 = (value(complex(ai, h), bi)).imag / h
        np.testing.assert_allclose(ops.python_rule(op, "d0")(ai, bi), cs0, rtol=1e-12)
        if op.arity == 2:
            cs1 = (value(ai, complex(bi, h))).imag / h
            np.testing.assert_allclose(ops.python_rule(op, "d1")(ai, bi), cs1, rtol=1e-12)


@pytest.mark.parametrize("op", [pytest.param(o, id=o.name) for o in COMPLEX_STEP_2])
def test_second_partials_by_complex_step(op, rng):
    """d00, d01, d11 equal the complex-step derivatives of the first-partial
    rules to 1e-10 (a factor 1.0001 anywhere fails), and the mixed partial is
    the same taken either way (d0 by b, d1 by a)."""
    a, b = _points(op, rng)
    h = 1e-30
    rule = {w: ops.python_rule(op, w) for w in ("d0", "d1", "d00", "d01", "d11")}
    for ai, bi in zip(a, b):
        with np.errstate(all="ignore"):
            d00 = complex(rule["d0"](complex(ai, h), bi)).imag / h
            d01 = complex(rule["d0"](ai, complex(bi, h))).imag / h
            d10 = complex(rule["d1"](complex(ai, h), bi)).imag / h
            d11 = complex(rule["d1"](ai, complex(bi, h))).imag / h
        np.testing.assert_allclose(rule["d00"](ai, bi), d00, rtol=1e-10, atol=1e-300)
        if op.arity == 2:
            np.testing.assert_allclose(rule["d01"](ai, bi), d01, rtol=1e-10, atol=1e-300)
            np.testing.assert_allclose(rule["d01"](ai, bi), d10, rtol=1e-10, atol=1e-300)
            np.testing.assert_allclose(rule["d11"](ai, bi), d11, rtol=1e-10, atol=1e-300)


SPECIAL_EXPECTED = {  # closed forms at special points: (op, point) -> (value, d0[, d1])
    ("sin", (0.0,)): (0.0, 1.0), ("sin", (math.pi / 2,)): (1.0, 0.0),
    ("cos", (0.0,)): (1.0, 0.0), ("cos", (math.pi,)): (-1.0, 0.0),
    ("exp", (0.0,)): (1.0, 1.0), ("log", (1.0,)): (0.0, 1.0),
    ("sqrt", (4.0,)): (2.0, 0.25), ("abs", (0.0,)): (0.0, 0.0), ("sign", (0.0,)): (0.0, 0.0),
    ("tan", (0.0,)): (0.0, 1.0), ("arctan", (1.0,)): (math.pi / 4, 0.5),
    ("expm1", (1e-10,)): (1.00000000005e-10, 1.0000000001),
    ("log1p", (1e-10,)): (9.9999999995e-11, 1 / (1 + 1e-10)),
    ("erf", (0.0,)): (0.0, 2 / math.sqrt(math.pi)), ("tanh", (0.0,)): (0.0, 1.0),
    ("cbrt", (-8.0,)): (-2.0, 1 / 12), ("log10", (100.0,)): (2.0, 1 / (100 * math.log(10))),
    ("minimum", (1.0, 2.0)): (1.0, 1.0, 0.0), ("maximum", (1.0, 2.0)): (2.0, 0.0, 1.0),
    ("hypot", (3.0, 4.0)): (5.0, 0.6, 0.8), ("pow", (2.0, 3.0)): (8.0, 12.0, 8 * math.log(2)),
    ("atan2", (1.0, 1.0)): (math.pi / 4, 0.5, -0.5),
    ("lgamma", (1.0,)): (0.0, -0.5772156649015329), ("lgamma", (2.0,)): (0.0, 0.42278433509846713),
    ("lgamma", (0.5,)): (0.5 * math.log(math.pi), -0.5772156649015329 - 2 * math.log(2)),
}


@pytest.mark.parametrize("key", list(SPECIAL_EXPECTED), ids=lambda k: f"{k[0]}{k[1]}")
def test_special_points(key):
    """Closed-form values and derivatives at special points, through the kernels."""
    name, point = key
    expected = SPECIAL_EXPECTED[key]
    if len(point) == 1:
        tape = adjit.trace(lambda x: unary(name, x[0]), [1.0])
    else:
        tape = adjit.trace(lambda x: binary(name, x[0], x[1]), [1.0, 1.0])
    y, g = tape.value_and_gradient(point)
    np.testing.assert_allclose(y, expected[0], rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(g, expected[1:], rtol=1e-13, atol=1e-15)


def test_ties_split_the_derivative():
    """minimum/maximum at a tie give each operand half (documented convention)."""
    for name in ("minimum", "maximum"):
        tape = adjit.trace(lambda x: binary(name, x[0], x[1]), [1.0, 2.0])
        np.testing.assert_array_equal(tape.gradient([3.0, 3.0]), [0.5, 0.5])


def test_generated_kernels_are_current():
    """sweeps.py holds exactly what codegen makes of today's op table; run
    `python -m adjit.codegen` after editing adjit/ops.py."""
    text = codegen.SWEEPS.read_text()
    assert codegen.current_region(text) == codegen.generate()


def test_every_opcode_has_a_branch_in_each_switch_kernel():
    region = codegen.generate()
    for name in codegen.SWITCH_KERNELS:
        body = region.split(f"def {name}(")[1].split("\n\n\n")[0]
        for v in ops.VARIANTS:
            assert f"op == {v.opcode}:  # {v.name}" in body, (name, v.name)


def test_table_fields_complete():
    ops.check_table()
    assert len(ops.NAMES) == ops.N_OPCODES == len(ops.KIND)
    for op in ops.TABLE:
        assert op.title, op.name
        for which in ("value", "d0", "d1", "d00", "d01", "d11"):
            assert getattr(op, which).strip(), (op.name, which)
        if op.arity == 1:  # unary ops are binary ones with zero second partial
            assert op.d1 == op.d01 == op.d11 == "0.0", op.name


def test_hot_split_follows_the_flags_in_any_table_order(rng):
    """The kernels' small switch, single compares and big table are chosen by
    ``Op.hot``, not by position: with the opcodes dealt out in random orders,
    every opcode lands in exactly one part, every "switch" op in the range the
    switch tests, every "single" op outside it in a compare of its own."""
    import dataclasses
    for _ in range(20):
        perm = rng.permutation(ops.N_OPCODES)
        shuffled = [dataclasses.replace(v, opcode=int(perm[v.opcode])) for v in ops.VARIANTS]
        switch, (lo, hi), singles, rest = codegen._hot_split(shuffled)
        seen = sorted(v.opcode for v in switch + singles + rest)
        assert seen == list(range(ops.N_OPCODES))
        assert [v.opcode for v in switch] == list(range(lo, hi + 1))
        for v in shuffled:
            if v.op is None or v.op.hot == "switch":
                assert v in switch, v.name
            elif v.op.hot == "single":
                assert v in switch or v in singles, v.name
            else:
                assert v in switch or v in rest, v.name
    switch, _, singles, _ = codegen._hot_split()  # the table as it is: nothing unflagged
    assert all(v.op is None or v.op.hot == "switch" for v in switch)
    assert {v.op.name for v in singles} == {o.name for o in ops.TABLE if o.hot == "single"}


def test_declared_superinstructions_are_distinct_pairs_of_opcodes():
    assert len(set(codegen.SUPERINSTRUCTIONS)) == len(codegen.SUPERINSTRUCTIONS)
    for a, b in codegen.SUPERINSTRUCTIONS:
        assert a in ops.OPCODES and b in ops.OPCODES and a != "const" != b
    assert codegen.PAIR_BASE > ops.N_OPCODES


# --- superinstructions: two adjacent rows in one dispatch ---------------------

def _apply(v, ref, slot, other, consts):
    """A variant's reference value with ``slot`` as its variable operand."""
    if v.kind == ops.UNARY:
        return ref(slot)
    if v.kind == ops.VV:
        return ref(slot, other)
    return ref(slot, consts) if v.kind == ops.VC else ref(consts, slot)


def _pair_tape(first, second):
    """x -> second(first(x0, ...), ...): row 0 runs ``first``, row 1 ``second``
    on row 0's fresh result (so the pair must store before it loads)."""
    consts = np.array([0.75, -1.25])

    def row(v, r, a0, k):
        return [v.opcode, r, a0, 1 if v.kind == ops.VV else (k if v.kind != ops.UNARY else 0)]
    instr = np.array([row(first, 2, 0, 0), row(second, 3, 2, 1)], dtype=np.int32)
    tape = adjit.Tape(instr, consts, [3], 2)

    def f(x):
        y = _apply(first, reference(first.op), x[0], x[1], consts[0])
        return _apply(second, reference(second.op), y, x[1], consts[1])
    return tape, f


@pytest.mark.parametrize("pair", codegen.pairs(), ids=lambda p: f"{p[0].name}+{p[1].name}")
def test_superinstruction_against_numpy_and_differences(pair):
    from adjit import sweeps
    tape, f = _pair_tape(*pair)
    k = codegen.pairs().index(pair)
    assert tape.dispatch[0] == codegen.PAIR_BASE + k  # the pair really is one dispatch
    x = np.array([0.6, -0.35])
    assert tape.forward(x)[0] == pytest.approx(f(x), rel=1e-15, abs=1e-300)
    np.testing.assert_allclose(tape.gradient(x), central_jacobian(f, x)[0], rtol=1e-7,
                               atol=1e-9)
    # and bit for bit what the two rows give when dispatched one at a time
    plain = np.ascontiguousarray(tape.instructions[:, 0])
    plain.flags.writeable = False
    out = []
    for code in (tape.dispatch, plain):
        work, partials = np.zeros(tape.n_slots + 1), np.zeros((2, 2))
        sweeps.linearize(code, tape.instructions, tape.constants, tape.guards, x, work,
                         partials)
        out.append((work.copy(), partials.copy()))
    np.testing.assert_array_equal(out[0][0], out[1][0])
    np.testing.assert_array_equal(out[0][1], out[1][1])


@pytest.mark.parametrize("pair", codegen.pairs(), ids=lambda p: f"{p[0].name}+{p[1].name}")
def test_reverse_superinstruction_against_differences(pair):
    """The gradient's adjoint sweep walks rows backwards and takes (row 1, row 0)
    as one dispatch: the tape is built so that this is ``pair``."""
    from adjit import sweeps
    tape, f = _pair_tape(pair[1], pair[0])
    k = codegen.pairs().index(pair)
    assert tape.reverse_dispatch[1] == codegen.PAIR_BASE + k
    x = np.array([0.6, -0.35])
    g = tape.gradient(x)
    np.testing.assert_allclose(g, central_jacobian(f, x)[0], rtol=1e-7, atol=1e-9)
    # bit for bit the adjoint sweep over stored partials, and the same sweep
    # dispatched one row at a time
    work, partials = np.zeros(tape.n_slots + 1), np.zeros((2, 2))
    sweeps.linearize(tape.dispatch, tape.instructions, tape.constants, tape.guards, x, work,
                     partials)
    stored = np.zeros(tape.n_slots + 1)
    stored[tape.outputs[0]] = 1.0
    sweeps.adjoint1(tape.links, partials, stored)
    np.testing.assert_array_equal(g, stored[:2])
    plain = np.ascontiguousarray(tape.instructions[:, 0])
    plain.flags.writeable = False
    single = np.zeros(tape.n_slots + 1)
    single[tape.outputs[0]] = 1.0
    sweeps.adjoint_recompute(plain, tape.instructions, tape.constants, work, single)
    np.testing.assert_array_equal(g, single[:2])


@pytest.mark.parametrize("backwards", [False, True])
def test_pair_dispatch_is_greedy_and_decodes_to_the_opcodes(rng, backwards):
    """Forwards: a pair code at row i runs rows i, i + 1. Backwards (the adjoint
    sweep): rows i, i - 1, which is the forward rule on the reversed rows."""
    from adjit import sweeps
    dispatch = sweeps.reverse_pair_dispatch if backwards else sweeps.pair_dispatch
    for bad in ([0, ops.N_OPCODES], [-1], [[1, 2]]):  # never indexes its table out of range
        with pytest.raises(ValueError, match="opcodes"):
            dispatch(np.array(bad))
    hot = sorted({ops.OPCODES[n] for pair in codegen.SUPERINSTRUCTIONS for n in pair}
                 | {ops.OPCODES["exp"], ops.OPCODES["div"]})
    for _ in range(50):
        opcodes = rng.choice(hot, size=int(rng.integers(0, 40))).astype(np.int32)
        code = dispatch(opcodes)
        assert code.dtype == np.int32 and not code.flags.writeable
        if backwards:
            opcodes, code = opcodes[::-1], code[::-1]
        i, pairs = 0, set(map(tuple, ((a.opcode, b.opcode) for a, b in codegen.pairs())))
        while i < len(opcodes):
            if code[i] >= codegen.PAIR_BASE:
                assert sweeps.PAIRS[code[i] - codegen.PAIR_BASE] == (opcodes[i], opcodes[i + 1])
                assert code[i + 1] == opcodes[i + 1]
                i += 2
            else:
                assert code[i] == opcodes[i]
                # greedy: a row left single could not start a pair
                assert i + 1 == len(opcodes) or (opcodes[i], opcodes[i + 1]) not in pairs
                i += 1


# --- runs: the rows of one opcode in one loop, the last result in a register ---

def _run_rows(v, x, c):
    """Rows of variant ``v`` only, on inputs x0, x1 and constant ``c``: the first
    reads memory; the next reads the previous row's result through each operand
    position ``v`` has (vv: arg0, then arg1, then both at once), which the run
    kernel takes from its register; the last reads inputs again right after a
    result (the register must not be used). Returns (tape, reference values)."""
    ref = reference(v.op) if v.op is not None else None
    consts = np.array([c, 0.5 * c])
    if v.kind == ops.CONST:
        return adjit.Tape([[0, 2, 0, 0], [0, 3, 1, 0]], consts, [2, 3], 2), [c, 0.5 * c]
    rows, vals = [], []

    def add(a0, a1, value):
        rows.append([v.opcode, 2 + len(rows), a0, a1])
        vals.append(value)
    val = {0: x[0], 1: x[1]}
    if v.kind == ops.VV:
        plan = [(0, 1), (2, 1), (1, 3), (4, 4), (0, 1)]
        for a0, a1 in plan:
            add(a0, a1, ref(val[a0], val[a1]))
            val[1 + len(rows)] = vals[-1]
    else:
        for a0 in (0, 2, 3, 0):
            value = (ref(val[a0]) if v.kind == ops.UNARY else
                     ref(val[a0], c) if v.kind == ops.VC else ref(c, val[a0]))
            add(a0, 0, value)
            val[1 + len(rows)] = vals[-1]
    tape = adjit.Tape(rows, consts, list(range(2, 2 + len(rows))), 2)
    return tape, vals


@pytest.mark.parametrize("v", [pytest.param(v, id=v.name) for v in ops.VARIANTS])
def test_run_of_every_variant_against_numpy(v, rng):
    """values_runs, the rows as one run in tape order, against the reference row
    by row (NaN where a chain leaves the op's domain, as the reference has it),
    and bit for bit the row-at-a-time value kernel."""
    from adjit import sweeps
    if v.op is None:
        a, b = np.array([0.3, 0.7]), np.array([-1.1, 2.0])
    else:
        a, b = _points(v.op, rng, count=2)
    x = np.array([a[0], b[0]])
    c = a[1] if v.kind == ops.CV else b[1]
    with np.errstate(all="ignore"):  # chains may leave the domain: NaN, as in the kernel
        tape, vals = _run_rows(v, x, c)
    runs, rows = np.array([[v.opcode, 0], [-1, tape.n_ops]], np.int32), tape.instructions
    runs.flags.writeable = False  # the array type the Tape passes: no second compile
    work = np.zeros(tape.n_slots + 1)
    work[:2] = x
    with np.errstate(all="ignore"):
        sweeps.values_runs(runs, rows, tape.constants, work)
        np.testing.assert_allclose(work[2:-1], np.array(vals, dtype=float), rtol=1e-14,
                                   atol=1e-300)
    plain = np.ascontiguousarray(tape.instructions[:, 0])
    plain.flags.writeable = False
    single = np.zeros(tape.n_slots + 1)
    single[:2] = x
    sweeps.values(plain, tape.instructions, tape.constants, single)
    np.testing.assert_array_equal(work, single)


# --- remainders and NaN-ignoring min/max: Python's and NumPy's own semantics ---

_REMAINDER_EDGES = [
    (0.5, 0.1), (5.0, 0.1), (1e200, 5.0), (1e308, 0.5), (7.0, math.inf), (-7.0, math.inf),
    (7.0, -math.inf), (-7.0, 2.0), (7.0, -2.0), (-7.0, -2.0), (-0.0, 1.0), (0.0, -1.0),
    (6.0, 3.0), (-6.0, 3.0), (1e-300, 3.0), (-1e-300, 3.0), (3.0, 1e-300), (5e-324, 1.0),
    (1.0, 5e-324), (1e300, 1e-300), (-1e300, 7.0), (2.0 ** 60 + 2.0 ** 8, 3.0),
    (math.inf, 2.0), (math.nan, 2.0), (2.0, math.nan), (1.0, 0.0), (-1.0, 0.0), (0.0, 0.0),
]


def _remainder_points(rng, count=4000):
    """(a, b) pairs: the edge cases, then random magnitudes from 1e-300 to
    1e300 of either sign, and moderate operands with decimal divisors."""
    mag = lambda n: rng.choice([-1.0, 1.0], n) * rng.uniform(1, 10, n) * 10.0 ** rng.integers(
        -300, 300, n)
    a = np.concatenate([[p[0] for p in _REMAINDER_EDGES], mag(count),
                        rng.uniform(-50, 50, count)])
    b = np.concatenate([[p[1] for p in _REMAINDER_EDGES], mag(count),
                        rng.choice([0.1, 0.3, -0.7, 1 / 3, 2.5, -1e-3, 7.0], count)])
    return a, b


def _python_or_numpy(op, a, b):
    """Python's float operator; NumPy's result where Python raises (b == 0)."""
    try:
        return op(float(a), float(b))
    except ZeroDivisionError:
        with np.errstate(all="ignore"):
            return {"%": np.remainder, "//": np.floor_divide}[op.__name__](a, b)


def _same_bits(got, want):
    got, want = np.asarray(got, float), np.asarray(want, float)
    same = (got.view(np.int64) == want.view(np.int64)) | (np.isnan(got) & np.isnan(want))
    assert same.all(), list(zip(got[~same][:5], want[~same][:5]))


def _mod(a, b):
    return a % b


def _floordiv(a, b):
    return a // b


_mod.__name__, _floordiv.__name__ = "%", "//"


@pytest.mark.parametrize("name, op", [("mod", _mod), ("floordiv", _floordiv),
                                      ("fmod", None)])
def test_remainders_bit_for_bit_against_python(name, op, rng):
    """%, // and fmod through every value kernel (single point, runs, batch)
    equal Python's own operators (math.fmod; NumPy where Python raises) bit
    for bit, on thousands of points including huge quotients, inf and NaN."""
    a, b = _remainder_points(rng)
    with np.errstate(all="ignore"):
        want = [np.fmod(x, y) if op is None else _python_or_numpy(op, x, y) for x, y in zip(a, b)]
        ref_np = {"mod": np.remainder, "floordiv": np.floor_divide, "fmod": np.fmod}[name](a, b)
    _same_bits(ref_np, want)  # Python and NumPy agree: one reference
    vv = adjit.trace(lambda x: binary(name, x[0], x[1]), [1.0, 2.0], optimize=False)
    with np.errstate(all="ignore"):
        _same_bits(vv.forward(np.column_stack([a, b]))[:, 0], want)
        for k in range(len(_REMAINDER_EDGES)):
            _same_bits(vv.forward([a[k], b[k]]), [want[k]])
            _same_bits(vv.value_and_gradient([a[k], b[k]])[0], want[k])
    for c in (0.1, -2.5, 7.0):
        vc = adjit.trace(lambda x: binary(name, x[0], c), [1.0], optimize=False)
        cv = adjit.trace(lambda x: binary(name, c, x[0]), [1.0], optimize=False)
        with np.errstate(all="ignore"):
            _same_bits(vc.forward(a[:, None])[:, 0],
                       {"mod": np.remainder, "floordiv": np.floor_divide,
                        "fmod": np.fmod}[name](a, c))
            _same_bits(cv.forward(b[:, None])[:, 0],
                       {"mod": np.remainder, "floordiv": np.floor_divide,
                        "fmod": np.fmod}[name](c, b))


def test_remainder_derivatives_are_minus_the_exact_quotient(rng):
    """d(a % b)/db and d fmod(a, b)/db are minus the integer n with
    a = n*b + remainder, taken exactly with fractions; d/da is 1 and the
    floor division's derivative is 0."""
    from fractions import Fraction
    a = np.concatenate([[0.5, 5.0, -7.0, 7.0, 1e200, -1e20], rng.uniform(-1e6, 1e6, 300)])
    b = np.concatenate([[0.1, 0.1, 2.0, -2.0, 5.0, 0.3], rng.uniform(0.01, 50, 300)
                        * rng.choice([-1.0, 1.0], 300)])
    for name, rem in (("mod", lambda x, y: x % y), ("fmod", math.fmod)):
        t = adjit.trace(lambda x: binary(name, x[0], x[1]), [1.0, 2.0], optimize=False)
        g = t.gradient(np.column_stack([a, b]))
        np.testing.assert_array_equal(g[:, 0], 1.0)
        n = [float((Fraction(x) - Fraction(rem(x, y))) / Fraction(y)) for x, y in zip(a, b)]
        np.testing.assert_allclose(g[:, 1], -np.array(n), rtol=1e-15)
    t = adjit.trace(lambda x: x[0] // x[1], [1.0, 2.0], optimize=False)
    np.testing.assert_array_equal(t.gradient(np.column_stack([a, b])), 0.0)


@pytest.mark.parametrize("expr, name", [
    (lambda x: x[0] % x[1], "mod"), (lambda x: x[0] // x[1], "floordiv"),
    (lambda x: divmod(x[0], x[1])[0], "floordiv"), (lambda x: divmod(x[0], x[1])[1], "mod"),
    (lambda x: np.remainder(x[0], x[1]), "mod"), (lambda x: np.mod(x[0], x[1]), "mod"),
    (lambda x: np.floor_divide(x[0], x[1]), "floordiv"),
    (lambda x: np.divmod(x[0], x[1])[0], "floordiv"),
    (lambda x: np.divmod(x[0], x[1])[1], "mod"), (lambda x: np.fmod(x[0], x[1]), "fmod"),
    (lambda x: np.fmin(x[0], x[1]), "fmin"), (lambda x: np.fmax(x[0], x[1]), "fmax"),
    (lambda x: np.minimum(x[0], x[1]), "minimum"), (lambda x: np.maximum(x[0], x[1]), "maximum"),
    (lambda x: np.fabs(x[0]), "abs"), (lambda x: np.float_power(np.fabs(x[0]), x[1]), "pow"),
], ids=lambda e: e if isinstance(e, str) else "")
def test_operators_and_ufuncs_record_their_op(expr, name):
    tape = adjit.trace(expr, [1.5, 0.4], optimize=False)
    names = [ops.NAMES[c] for c in tape.opcode]
    assert name in names and set(names) <= {name, "mod", "floordiv", "abs"}  # divmod: both
    x = np.array([[-3.7, 0.4], [2.5, -0.3]])
    with np.errstate(all="ignore"):
        want = np.array([expr(row) for row in x])
    _same_bits(tape.forward(x)[:, 0], want)


def test_traced_arrays_take_remainders_elementwise():
    f = lambda x: np.sum(np.remainder(x, 0.3) + np.floor_divide(x, 0.3) + x % 0.7)
    x = np.array([0.5, -1.25, 7.5])
    tape = adjit.trace(f, [1.0, 1.0, 1.0])
    assert tape.forward(x)[0] == f(x)


@pytest.mark.parametrize("name, ufunc", [("fmin", np.fmin), ("fmax", np.fmax),
                                         ("minimum", np.minimum), ("maximum", np.maximum)])
def test_fmin_fmax_ignore_nan_minimum_maximum_propagate_it(name, ufunc):
    """np.fmin/np.fmax return the other operand where one is NaN, with the
    derivative of the operand chosen; np.minimum/np.maximum propagate NaN. (The
    sign of a zero at a tie is compared by value: NumPy's own scalar and array
    loops disagree on it.)"""
    nan = math.nan
    pts = np.array([[nan, 2.0], [2.0, nan], [nan, nan], [1.0, 2.0], [2.0, 1.0], [-0.0, 0.0],
                    [0.0, -0.0], [-math.inf, 3.0], [math.inf, nan]])
    tape = adjit.trace(lambda x: ufunc(x[0], x[1]), [1.0, 2.0], optimize=False)
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(tape.forward(pts)[:, 0], ufunc(pts[:, 0], pts[:, 1]))
        for p in pts:
            np.testing.assert_array_equal(tape.forward(p), [ufunc(p[0], p[1])])
        g = tape.gradient(pts)
    if name.startswith("f"):
        np.testing.assert_array_equal(g[:2], [[0.0, 1.0], [1.0, 0.0]])
    else:
        assert np.isnan(tape.forward(pts[:3])).all()
    for c in (nan, 1.5):
        vc = adjit.trace(lambda x: ufunc(x[0], c), [1.0], optimize=False)
        cv = adjit.trace(lambda x: ufunc(c, x[0]), [1.0], optimize=False)
        with np.errstate(all="ignore"):
            np.testing.assert_array_equal(vc.forward(pts[:, :1])[:, 0], ufunc(pts[:, 0], c))
            np.testing.assert_array_equal(cv.forward(pts[:, :1])[:, 0], ufunc(c, pts[:, 0]))


# --- every op against a 50-digit oracle at random, tiny, huge and special points ---

_Z = lambda a, b: 0  # noqa: E731


def _u(value, d0, d00):
    """A unary op's oracle: (value, d0, d1, d00, d01, d11) of (a, b)."""
    return (lambda a, b: value(a), lambda a, b: d0(a), _Z, lambda a, b: d00(a), _Z, _Z)


def _cond(value):
    return (value, _Z, _Z, _Z, _Z, _Z)


def _tie(less):  # minimum-like: 1 to the smaller operand, half each at a tie
    return (lambda a, b: 1 if less(a, b) else (mp.mpf(0.5) if a == b else 0))


def _mod_q(a, b):  # the exact integer quotient n of a = n*b + (a % b)
    return (a - a % b) / b


def _fmod(a, b):  # C's fmod: the sign of a (mpmath's % is exact)
    return mp.sign(a) * (abs(a) % abs(b))


def _fmod_q(a, b):
    return (a - _fmod(a, b)) / b


_SQPI = 2 / mp.sqrt(mp.pi)


def _erfc(a):  # mpmath's series fails beyond 1e200; exp(-a*a) leaves no float digit there
    return mp.erfc(a) if abs(a) < 1e10 else mp.mpf(0 if a > 0 else 2)


def _erf(a):
    return mp.erf(a) if abs(a) < 1e10 else mp.sign(a)
ORACLE = {  # closed forms in mpmath, independent of the table's expressions
    "add": (lambda a, b: a + b, lambda a, b: 1, lambda a, b: 1, _Z, _Z, _Z),
    "sub": (lambda a, b: a - b, lambda a, b: 1, lambda a, b: -1, _Z, _Z, _Z),
    "mul": (lambda a, b: a * b, lambda a, b: b, lambda a, b: a, _Z, lambda a, b: 1, _Z),
    "div": (lambda a, b: a / b, lambda a, b: 1 / b, lambda a, b: -a / b**2, _Z,
            lambda a, b: -1 / b**2, lambda a, b: 2 * a / b**3),
    "pow": (lambda a, b: a**b, lambda a, b: b * a**(b - 1), lambda a, b: a**b * mp.log(a),
            lambda a, b: b * (b - 1) * a**(b - 2),
            lambda a, b: a**(b - 1) * (1 + b * mp.log(a)), lambda a, b: a**b * mp.log(a)**2),
    "atan2": (lambda a, b: mp.atan2(a, b), lambda a, b: b / (a * a + b * b),
              lambda a, b: -a / (a * a + b * b), lambda a, b: -2 * a * b / (a * a + b * b)**2,
              lambda a, b: (a * a - b * b) / (a * a + b * b)**2,
              lambda a, b: 2 * a * b / (a * a + b * b)**2),
    "hypot": (lambda a, b: mp.hypot(a, b), lambda a, b: a / mp.hypot(a, b),
              lambda a, b: b / mp.hypot(a, b), lambda a, b: b * b / mp.hypot(a, b)**3,
              lambda a, b: -a * b / mp.hypot(a, b)**3, lambda a, b: a * a / mp.hypot(a, b)**3),
    "minimum": (lambda a, b: min(a, b), _tie(lambda a, b: a < b), _tie(lambda a, b: b < a),
                _Z, _Z, _Z),
    "maximum": (lambda a, b: max(a, b), _tie(lambda a, b: a > b), _tie(lambda a, b: b > a),
                _Z, _Z, _Z),
    "fmin": (lambda a, b: min(a, b), _tie(lambda a, b: a < b), _tie(lambda a, b: b < a),
             _Z, _Z, _Z),
    "fmax": (lambda a, b: max(a, b), _tie(lambda a, b: a > b), _tie(lambda a, b: b > a),
             _Z, _Z, _Z),
    "lt": _cond(lambda a, b: int(a < b)), "le": _cond(lambda a, b: int(a <= b)),
    "gt": _cond(lambda a, b: int(a > b)), "ge": _cond(lambda a, b: int(a >= b)),
    "eq": _cond(lambda a, b: int(a == b)), "ne": _cond(lambda a, b: int(a != b)),
    "logical_and": _cond(lambda a, b: int(bool(a) and bool(b))),
    "logical_or": _cond(lambda a, b: int(bool(a) or bool(b))),
    "logical_not": _cond(lambda a, b: int(not a)),
    "pick_true": (lambda a, b: b if a else 0, _Z, lambda a, b: int(bool(a)), _Z, _Z, _Z),
    "pick_false": (lambda a, b: 0 if a else b, _Z, lambda a, b: int(not a), _Z, _Z, _Z),
    "neg": _u(lambda a: -a, lambda a: -1, lambda a: 0),
    "abs": _u(abs, mp.sign, lambda a: 0),
    "sign": _u(mp.sign, lambda a: 0, lambda a: 0),
    "floor": _u(mp.floor, lambda a: 0, lambda a: 0),
    "ceil": _u(mp.ceil, lambda a: 0, lambda a: 0),
    "square": _u(lambda a: a * a, lambda a: 2 * a, lambda a: 2),
    "reciprocal": _u(lambda a: 1 / a, lambda a: -1 / a**2, lambda a: 2 / a**3),
    "sqrt": _u(mp.sqrt, lambda a: 1 / (2 * mp.sqrt(a)), lambda a: -1 / (4 * a * mp.sqrt(a))),
    "cbrt": _u(lambda a: mp.sign(a) * mp.cbrt(abs(a)),
               lambda a: 1 / (3 * mp.cbrt(a * a)), lambda a: -2 / (9 * a * mp.cbrt(a * a))),
    "exp": _u(mp.exp, mp.exp, mp.exp),
    "expm1": _u(mp.expm1, mp.exp, mp.exp),
    "log": _u(mp.log, lambda a: 1 / a, lambda a: -1 / a**2),
    "log1p": _u(mp.log1p, lambda a: 1 / (1 + a), lambda a: -1 / (1 + a)**2),
    "log2": _u(lambda a: mp.log(a, 2), lambda a: 1 / (a * mp.log(2)),
               lambda a: -1 / (a * a * mp.log(2))),
    "log10": _u(mp.log10, lambda a: 1 / (a * mp.log(10)), lambda a: -1 / (a * a * mp.log(10))),
    "sin": _u(mp.sin, mp.cos, lambda a: -mp.sin(a)),
    "cos": _u(mp.cos, lambda a: -mp.sin(a), lambda a: -mp.cos(a)),
    "tan": _u(mp.tan, lambda a: mp.sec(a)**2, lambda a: 2 * mp.tan(a) * mp.sec(a)**2),
    "arcsin": _u(mp.asin, lambda a: 1 / mp.sqrt(1 - a * a), lambda a: a / (1 - a * a)**1.5),
    "arccos": _u(mp.acos, lambda a: -1 / mp.sqrt(1 - a * a), lambda a: -a / (1 - a * a)**1.5),
    "arctan": _u(mp.atan, lambda a: 1 / (1 + a * a), lambda a: -2 * a / (1 + a * a)**2),
    "sinh": _u(mp.sinh, mp.cosh, mp.sinh),
    "cosh": _u(mp.cosh, mp.sinh, mp.cosh),
    "tanh": _u(mp.tanh, lambda a: mp.sech(a)**2, lambda a: -2 * mp.tanh(a) * mp.sech(a)**2),
    "arcsinh": _u(mp.asinh, lambda a: 1 / mp.sqrt(a * a + 1), lambda a: -a / (a * a + 1)**1.5),
    "arccosh": _u(mp.acosh, lambda a: 1 / mp.sqrt(a * a - 1), lambda a: -a / (a * a - 1)**1.5),
    "arctanh": _u(mp.atanh, lambda a: 1 / (1 - a * a), lambda a: 2 * a / (1 - a * a)**2),
    "erf": _u(_erf, lambda a: _SQPI * mp.exp(-a * a), lambda a: -2 * a * _SQPI * mp.exp(-a * a)),
    "erfc": _u(_erfc, lambda a: -_SQPI * mp.exp(-a * a),
               lambda a: 2 * a * _SQPI * mp.exp(-a * a)),
    "sqdiff": (lambda a, b: (a - b)**2, lambda a, b: 2 * (a - b), lambda a, b: -2 * (a - b),
               lambda a, b: 2, lambda a, b: -2, lambda a, b: 2),
    "cube": _u(lambda a: a**3, lambda a: 3 * a * a, lambda a: 6 * a),
    "inv_cube": _u(lambda a: a**-3, lambda a: -3 * a**-4, lambda a: 12 * a**-5),
    "mod": (lambda a, b: a % b, lambda a, b: 1, lambda a, b: -_mod_q(a, b), _Z, _Z, _Z),
    "floordiv": (_mod_q, _Z, _Z, _Z, _Z, _Z),
    "lgamma": _u(lambda a: mp.re(mp.loggamma(a)), mp.digamma, lambda a: mp.psi(1, a)),
    "fmod": (_fmod, lambda a, b: 1, lambda a, b: -_fmod_q(a, b), _Z, _Z, _Z),
}

_TINY_HUGE = (1e-300, 1e-200, 1e-20, 1e20, 1e200, 1e300)
_NEAR_EDGE = (1.0 - 2.0**-30, 1.0 + 2.0**-30, -1.0 + 2.0**-30, 1.0 - 1e-15, 0.5, 1.0, 20.0,
              40.0, -20.0, 700.0, -700.0, 1e-8)


def _oracle_points(op, rng):
    """(a, b) points: random in the op's test domain, its special points, and
    tiny, huge and near-edge magnitudes of either sign (pairs of them for
    binary ops); points off the op's real domain are dropped later."""
    a, b = _points(op, rng, count=12)
    pts = [tuple(p) for p in zip(a, b)]
    pts += [p if len(p) == 2 else (p[0], 0.0) for p in op.special]
    if op.arity == 1:
        pts += [(s * m, 0.0) for m in _TINY_HUGE + _NEAR_EDGE for s in (1.0, -1.0)]
    elif not op.name.startswith(("pick", "logical")):
        mags = (1e-300, 1e-200, 1e-20, 0.75, 3.0, 1e20, 1e200, 1e300)
        pts += [(sa * ma, sb * mb) for ma in mags for mb in mags for sa in (1.0, -1.0)
                for sb in (1.0, -1.0)]
        pts += [(1e-200, 0.0), (-1e-200, 0.0), (0.0, 1e-200), (1e300, 0.0)]
    else:
        pts += [(c, s * m) for c in (0.0, 1.0) for m in _TINY_HUGE for s in (1.0, -1.0)]
    return pts


def _to_float(x):
    """The float nearest an mpmath number: 0 below half the smallest subnormal,
    inf beyond the largest float (mpmath's own conversion does both)."""
    return float(mp.mpf(x))


def _oracle(op, a, b):
    """The six exact quantities at (a, b) as floats, or None off the real
    domain (complex results, poles, undefined points)."""
    if not (math.isfinite(a) and math.isfinite(b)):
        return None  # NaN and inf operands: the ops' own tests
    with mp.workdps(60):
        try:
            out = [f(mp.mpf(a), mp.mpf(b)) for f in ORACLE[op.name]]
        except (ZeroDivisionError, ValueError):
            return None
        if any(isinstance(v, mp.mpc) or (isinstance(v, mp.mpf) and not mp.isfinite(v))
               for v in out):
            return None
        return [_to_float(v) for v in out]


def _kernel_rules(v, a, b):
    """Value, first and second partials of variant ``v`` at the points (a, b),
    by the generated values_second kernel over one row per point."""
    from adjit import sweeps
    n = len(a)
    if v.kind == ops.UNARY:
        rows, x, consts = [[v.opcode, 2 * n + k, k, 0] for k in range(n)], np.r_[a, b], [0.0]
    elif v.kind == ops.VV:
        rows, x, consts = [[v.opcode, 2 * n + k, k, n + k] for k in range(n)], np.r_[a, b], [0.0]
    elif v.kind == ops.VC:
        rows, x, consts = [[v.opcode, 2 * n + k, k, k] for k in range(n)], np.r_[a, a], b
    else:
        rows, x, consts = [[v.opcode, 2 * n + k, n + k, k] for k in range(n)], np.r_[b, b], a
    tape = adjit.Tape(rows, np.asarray(consts, float), [2 * n], 2 * n)
    work = np.zeros(tape.n_slots + 1)
    partials, second = np.zeros((n, 2)), np.zeros((n, 3))
    with np.errstate(all="ignore"):
        sweeps.linearize2(tape.program, x, work, partials, second)
    return work[2 * n: 3 * n], partials, second


def _close(got, want, rtol):
    """Relative agreement, exact agreement for infinities and zeros, and a few
    units of the smallest subnormal where the exact value is subnormal."""
    got, want = np.asarray(got, float), np.asarray(want, float)
    with np.errstate(all="ignore"):
        err = np.abs(got - want)
        ok = (got == want) | (err <= rtol * np.abs(want)) | (err <= 4 * 5e-324)
    return ok


@pytest.mark.parametrize("op", [pytest.param(o, id=o.name) for o in ops.TABLE])
def test_every_rule_against_the_mpmath_oracle(op, rng):
    """Value, first and second partials of every op and every operand kind,
    through the generated kernel, against closed forms evaluated to 60 digits:
    within 1e-12 relative (1e-13 for values) at random, tiny, huge, near-edge
    and special points, exactly 0 where the truth underflows, inf where it
    overflows."""
    assert op.name in ORACLE, f"{op.name}: add its closed forms to ORACLE"
    pts, exact = [], []
    for a, b in _oracle_points(op, rng):
        e = _oracle(op, a, b)
        if e is not None:
            pts.append((a, b))
            exact.append(e)
    assert len(pts) >= 10, op.name
    a, b = np.array(pts).T
    exact = np.array(exact)
    for v in ops.VARIANTS:
        if v.op is not op:
            continue
        y, p, s = _kernel_rules(v, a, b)
        if v.kind == ops.CV:  # the variable is the formula's b
            cols = [(y, 0, 1e-13), (p[:, 0], 2, 1e-12), (s[:, 0], 5, 1e-12)]
        elif v.kind in (ops.UNARY, ops.VC):
            cols = [(y, 0, 1e-13), (p[:, 0], 1, 1e-12), (s[:, 0], 3, 1e-12)]
        else:
            cols = [(y, 0, 1e-13), (p[:, 0], 1, 1e-12), (p[:, 1], 2, 1e-12),
                    (s[:, 0], 3, 1e-12), (s[:, 1], 4, 1e-12), (s[:, 2], 5, 1e-12)]
        for got, j, rtol in cols:
            ok = _close(got, exact[:, j], rtol)
            which = ("value", "d0", "d1", "d00", "d01", "d11")[j]
            bad = [(a[k], b[k], got[k], exact[k, j]) for k in np.flatnonzero(~ok)[:6]]
            assert ok.all(), f"{v.name} {which} at (a, b, got, exact): {bad}"


def test_kernels_generated_from_a_shuffled_table_compute_the_same(monkeypatch, rng):
    """Opcode numbers carry no meaning for the generator: with the opcodes dealt
    out in a random order, the generated kernels (run as plain Python) give
    every variant's value and partials as the compiled kernels of the real
    table do, through the plain, paired, block, second-order and run kernels."""
    import dataclasses
    from adjit import sweeps
    perm = rng.permutation(ops.N_OPCODES)
    shuffled = sorted((dataclasses.replace(v, opcode=int(perm[v.opcode])) for v in ops.VARIANTS),
                      key=lambda v: v.opcode)
    monkeypatch.setattr(ops, "VARIANTS", tuple(shuffled))
    monkeypatch.setattr(ops, "OPCODES", {v.name: v.opcode for v in shuffled})
    region = codegen.generate()
    monkeypatch.undo()
    assert region != codegen.generate()  # the opcodes really moved
    ns = {"np": np, "math": math, "njit": lambda *a, **k: (lambda f: f)}
    exec(region, ns)  # noqa: S102 - our own generated source, as plain Python
    for v in ops.VARIANTS:
        if v.op is None:
            continue
        a, b = _points(v.op, rng, count=1)
        x = np.array([a[0], b[0]])
        row = [v.opcode, 2, 0, 1 if v.kind == ops.VV else 0]
        tape = adjit.Tape([row], np.array([b[0] if v.kind == ops.VC else a[0]]), [2], 2)
        if v.kind == ops.CV:
            tape = adjit.Tape([[v.opcode, 2, 1, 0]], np.array([a[0]]), [2], 2)
        want_w, want_p, want_s = np.zeros(4), np.zeros((1, 2)), np.zeros((1, 3))
        with np.errstate(all="ignore"):
            sweeps.linearize2(tape.program, x, want_w, want_p, want_s)
        instr = tape.instructions.copy()
        instr[0, 0] = perm[v.opcode]
        work, partials, second = np.r_[x, 0.0, 0.0], np.zeros((1, 2)), np.zeros((1, 3))
        with np.errstate(all="ignore"):
            ns["values_second"](instr, tape.constants, work, partials, second)
            np.testing.assert_allclose([work[2], *partials[0], *second[0]],
                                       [want_w[2], *want_p[0], *want_s[0]], rtol=1e-13)
            w1, p1 = np.r_[x, 0.0, 0.0], np.zeros((1, 2))
            ns["values_partials"](instr[:, 0].copy(), instr, tape.constants, w1, p1)
            np.testing.assert_allclose([w1[2], *p1[0]], [want_w[2], *want_p[0]], rtol=1e-13)
            wb = np.repeat(np.r_[x, 0.0, 0.0][:, None], 3, axis=1)
            ns["block_values"](instr, tape.constants, wb)
            np.testing.assert_allclose(wb[2], want_w[2], rtol=1e-13)
            pb, sb = np.zeros((1, 2, 3)), np.zeros((1, 3, 3))
            wb = np.repeat(np.r_[x, 0.0, 0.0][:, None], 3, axis=1)
            ns["block_second"](instr, tape.constants, wb, pb, sb)
            np.testing.assert_allclose([wb[2, 1], *pb[0, :, 1], *sb[0, :, 1]],
                                       [want_w[2], *want_p[0], *want_s[0]], rtol=1e-13)
            wb = np.repeat(np.r_[x, 0.0, 0.0][:, None], 3, axis=1)
            ns["block_partials"](instr, tape.constants, wb, pb)
            np.testing.assert_allclose([wb[2, 2], *pb[0, :, 2]], [want_w[2], *want_p[0]],
                                       rtol=1e-13)
            wr = np.r_[x, 0.0, 0.0]
            ns["values_runs"](np.array([[instr[0, 0], 0], [-1, 1]]), instr, tape.constants, wr)
            np.testing.assert_allclose(wr[2], want_w[2], rtol=1e-13)


@pytest.mark.parametrize("power", [3.0, 5.0, -3.0, 4.0])
def test_integer_powers_of_negative_bases_have_finite_second_derivatives(power):
    # pow's second partial takes a**(b-2) in two half powers to avoid overflow;
    # a negative base (integer b) has none, and once gave NaN Hessian-vector products
    x = np.array([-1.5, -0.5, 2.0])
    want = power * (power - 1.0) * x ** (power - 2.0)  # closed form, diagonal
    tape = adjit.trace(lambda v: np.sum(v ** power), x)
    assert np.allclose(tape.hvp(x, np.ones(3)), want, rtol=1e-13)
    assert np.allclose(np.diag(tape.hessian(x)), want, rtol=1e-13)
    scalar = adjit.trace(lambda v: v[0] ** power + v[1] ** power + v[2] ** power, x)
    assert np.allclose(scalar.hvp(x, np.ones(3)), want, rtol=1e-13)
