"""The tape optimizer: optimized and unoptimized tapes agree (to the bit where
a rule claims exactness, to rounding elsewhere), each rule fires where it
should and only there, and outputs and guards survive."""
import math

import numpy as np
import pytest

import adjit
from adjit import ops
from adjit.errors import BranchChanged, TapeError
from adjit.optimize import optimize_arrays, slot_program
from adjit.tape import Tape

from support import central_jacobian, lj_energy_and_forces
from support import random_function as _random_function

SPECIAL = [-0.0, 0.0, math.inf, -math.inf, math.nan, 1.5, -2.5, 1e-310, 4.0]


def optimize(tape):
    """adjit.optimize.optimize gives the parts; the Tape is made above it."""
    return tape.optimized()


def both(f, x0):
    """(unoptimized, optimized) tapes of f."""
    return adjit.trace(f, x0, optimize=False), adjit.trace(f, x0)


def same_bits(a, b):
    """Equal as IEEE values, including the sign of zero; NaN equals NaN."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    nan = np.isnan(a) & np.isnan(b)
    return bool(np.all(nan | ((a == b) & (np.signbit(a) == np.signbit(b)))))


def counts(tape):
    return tape.op_counts()


# --- each rule: fewer ops, and the same bits at special values ------------------

EXACT_RULES = [
    # (name, f of x[0] (and x[1]), ops saved)
    ("x*1", lambda x: x[0] * 1.0, 1),
    ("1*x", lambda x: 1.0 * x[0], 1),
    ("x/1", lambda x: x[0] / 1.0, 1),
    ("x-0", lambda x: x[0] - 0.0, 1),
    ("x+(-0)", lambda x: x[0] + (-0.0), 1),
    ("-(-x)", lambda x: -(-x[0]), 2),
    ("x*-1", lambda x: x[0] * -1.0, 0),  # becomes neg
    ("x/-1", lambda x: x[0] / -1.0, 0),
    ("-0-x", lambda x: -0.0 - x[0], 0),
    ("-(x*-1)", lambda x: -(x[0] * -1.0), 2),
    ("x**0", lambda x: np.power(x[0], 0.0) + x[0], 1),
    ("x*x", lambda x: x[0] * x[0], 0),  # becomes square
    ("1/x", lambda x: 1.0 / x[0], 0),  # becomes reciprocal
    ("x/4", lambda x: x[0] / 4.0, 0),  # becomes x*0.25
    ("x/-0.5", lambda x: x[0] / -0.5, 0),
    ("x+(-y)", lambda x: x[0] + (-x[1]), 1),
    ("(-x)+y", lambda x: (-x[0]) + x[1], 1),
    ("x-(-y)", lambda x: x[0] - (-x[1]), 1),
    ("(-x)*(-y)", lambda x: (-x[0]) * (-x[1]), 2),
    ("abs(x)+0", lambda x: abs(x[0]) + 0.0, 1),
    ("sum of squares", lambda x: sum([x[0] ** 2, x[1] ** 2]), 1),
]


@pytest.mark.parametrize("name,f,saved", EXACT_RULES, ids=[r[0] for r in EXACT_RULES])
def test_exact_rule(name, f, saved):
    raw, opt = both(f, [1.0, 2.0])
    assert opt.n_ops == raw.n_ops - saved, (raw.summary(), opt.summary())
    for a in SPECIAL:
        for b in SPECIAL:
            x = np.array([a, b])
            with np.errstate(all="ignore"):
                assert same_bits(raw.forward(x), opt.forward(x)), (name, a, b)
                if np.isfinite(x).all():  # 1/x: -y/x becomes -y*y, equal to rounding
                    np.testing.assert_allclose(opt.gradient(x), raw.gradient(x), rtol=3e-16)


def test_rewrites_give_the_cheaper_op():
    assert counts(adjit.trace(lambda x: x[0] * -1.0, [1.0])) == {"neg": 1}
    assert counts(adjit.trace(lambda x: -0.0 - x[0], [1.0])) == {"neg": 1}
    assert counts(adjit.trace(lambda x: x[0] * x[0], [1.0])) == {"square": 1}
    assert counts(adjit.trace(lambda x: 1.0 / x[0], [1.0])) == {"reciprocal": 1}
    assert counts(adjit.trace(lambda x: x[0] / 4.0, [1.0])) == {"mul_vc": 1}
    assert counts(adjit.trace(lambda x: x[0] - (-x[1]), [1.0, 2.0])) == {"add": 1}
    tape = adjit.trace(lambda x: x[0] / 4.0, [1.0])
    assert tape.constants.tolist() == [0.25]


def test_x_plus_zero_kept_where_x_may_be_negative_zero():
    """x + 0.0 maps -0.0 to +0.0, so it stays unless x cannot be -0.0."""
    for f in (lambda x: x[0] + 0.0, lambda x: 0 + x[0], lambda x: x[0] * x[1] + 0.0,
              lambda x: np.sin(x[0]) + 0.0):
        raw, opt = both(f, [1.0, 2.0])
        assert opt.n_ops == raw.n_ops
        assert same_bits(opt.forward([-0.0, 2.0]), raw.forward([-0.0, 2.0]))
    for f in (lambda x: abs(x[0]) + 0.0, lambda x: np.exp(x[0]) + 0.0,
              lambda x: (x[0] + 1.0) + 0.0, lambda x: (x[0] > 1.0) + 0.0,
              lambda x: (x[0] ** 2 + x[1]) + 0.0, lambda x: (1.0 - x[0]) + 0.0):
        raw, opt = both(f, [1.0, 2.0])
        assert opt.n_ops == raw.n_ops - 1
        for a in SPECIAL:
            with np.errstate(all="ignore"):
                assert same_bits(opt.forward([a, -0.0]), raw.forward([a, -0.0]))
    # x - (+0.0) is exact, x - (-0.0) is not
    assert adjit.trace(lambda x: x[0] - (-0.0), [1.0]).n_ops == 1


def test_x_minus_zero_and_zero_minus_x():
    # 0 - x is not -x at x = +0 (gives +0, -x gives -0): kept
    tape = adjit.trace(lambda x: 0.0 - x[0], [1.0])
    assert counts(tape) == {"sub_cv": 1}
    assert same_bits(tape.forward([0.0]), [0.0])


@pytest.mark.parametrize("power,ops_after", [(3, {"cube": 1}),
                                             (4, {"square": 2})])
def test_small_integer_powers_to_rounding(power, ops_after, rng):
    raw, opt = both(lambda x: x[0] ** float(power), [1.0])
    assert counts(opt) == ops_after
    for a in np.concatenate([rng.uniform(-5, 5, 50), [0.0, -0.0, 1e-100, 1e100]]):
        np.testing.assert_allclose(opt.forward([a]), raw.forward([a]), rtol=4e-16, atol=0)
        np.testing.assert_allclose(opt.gradient([a]), raw.gradient([a]), rtol=1e-15, atol=0)
    for a in (math.inf, -math.inf, math.nan, 1e200, -1e200):
        with np.errstate(all="ignore"):
            assert same_bits(opt.forward([a]), raw.forward([a]))


@pytest.mark.parametrize("power,ops_after", [
    (-8, {"pow_vc": 1}), (-2, {"pow_vc": 1}), (-3, {"inv_cube": 1}),
    (5, {"square": 2, "mul": 1}), (6, {"square": 1, "cube": 1}),
    (7, {"square": 1, "cube": 1, "mul": 1}), (8, {"square": 3})])
def test_integer_powers_by_repeated_squaring(power, ops_after, rng):
    raw, opt = both(lambda x: x[0] ** float(power), [1.0])
    assert counts(opt) == ops_after
    rtol = (abs(power) + 1) * 2.3e-16  # one rounding per multiplication and reciprocal
    for a in np.concatenate([rng.uniform(-3, 3, 50), [1e-30, -1e-30, 1e30, -1e30]]):
        np.testing.assert_allclose(opt.forward([a]), raw.forward([a]), rtol=rtol, atol=0)
        np.testing.assert_allclose(opt.gradient([a]), raw.gradient([a]), rtol=4 * rtol,
                                   atol=0)
    for a in (0.0, -0.0, math.inf, -math.inf, math.nan, 1e200, -1e200, 1e-200, -1e-200):
        with np.errstate(all="ignore"):
            assert same_bits(opt.forward([a]), raw.forward([a])), a


def test_inverse_cube_differs_only_where_documented():
    # x**-3 = 1/(x*x*x): where x**3 overflows but x**-3 is subnormal, 0 instead
    raw, opt = both(lambda x: x[0] ** -3.0, [1.0])
    x = [1e103]
    assert raw.forward(x)[0] == 1e103 ** -3.0 != 0.0 and opt.forward(x)[0] == 0.0
    assert raw.forward([1e102])[0] == pytest.approx(opt.forward([1e102])[0], rel=1e-15)
    # its derivative stays finite wherever -3/x**4 is, also where (x**-3)**2 overflows
    for a in (1e-60, -1e-60, 1e-76, 1e60):
        np.testing.assert_allclose(opt.gradient([a]), [-3.0 / a ** 4], rtol=1e-15)
    for a in (1e-60, -1e-60, 1e60):
        np.testing.assert_allclose(opt.hessian([a]), [[12.0 / a ** 5]], rtol=1e-15)


def test_square_root_power_differs_only_where_documented(rng):
    raw, opt = both(lambda x: x[0] ** 0.5, [1.0])
    assert counts(opt) == {"sqrt": 1}
    a = rng.uniform(0, 10, 50)
    for ai in a:
        assert same_bits(opt.forward([ai]), raw.forward([ai]))
        np.testing.assert_allclose(opt.gradient([ai]), raw.gradient([ai]), rtol=1e-15)
    with np.errstate(all="ignore"):
        for ai in (0.0, math.inf, math.nan, -1.0):
            assert same_bits(opt.forward([ai]), raw.forward([ai]))
        assert same_bits(opt.forward([-0.0]), [-0.0]) and same_bits(raw.forward([-0.0]), [0.0])
        assert np.isnan(opt.forward([-math.inf])[0]) and raw.forward([-math.inf])[0] == math.inf


def test_division_by_non_power_of_two_stays_a_division():
    for c in (3.0, 0.1, 2.0 ** 1023, 2.0 ** -1040, math.inf, 0.0):
        tape = adjit.trace(lambda x: x[0] / c, [1.0])
        assert counts(tape) == {"div_vc": 1}, c
    for c in (2.0, 0.5, -8.0, 2.0 ** 1022, 2.0 ** -1022):
        raw, opt = both(lambda x: x[0] / c, [1.0])
        assert counts(opt) == {"mul_vc": 1}, c
        for a in SPECIAL + [3.0, 1e-300, 5e-324, 1.7e308]:
            assert same_bits(opt.forward([a]), raw.forward([a])), (c, a)


# --- common subexpressions, folding, dead code -------------------------------------

def test_common_subexpressions():
    def f(x):
        d1 = x[0] - x[1]
        d2 = x[0] - x[1]  # the same difference, recorded twice
        return [x[0] * x[1] + x[1] * x[0], d1 * d2, np.sin(x[0]) + np.sin(x[0]),
                (1.0 < x[0]) + (x[0] > 1.0)]
    raw, opt = both(f, [1.3, 0.4])
    # d1 * d2 -> square(d1), then fused with its single-use difference: sqdiff
    assert counts(opt) == {"add": 3, "mul": 1, "sqdiff": 1, "sin": 1, "gt_vc": 1}
    for x in ([1.3, 0.4], [0.2, -3.0], [-0.0, 0.0]):
        assert same_bits(opt.forward(x), raw.forward(x))
        np.testing.assert_array_equal(opt.jacobian(x), raw.jacobian(x))  # -0.0 == 0.0


def test_minimum_operands_are_not_reordered():
    """minimum(-0, +0) is -0 but minimum(+0, -0) is +0: no CSE across orders."""
    raw, opt = both(lambda x: [np.minimum(x[0], x[1]), np.minimum(x[1], x[0])], [1.0, 2.0])
    assert opt.n_ops == 2
    assert same_bits(opt.forward([-0.0, 0.0]), [-0.0, 0.0])


def test_constant_folding_on_a_hand_built_tape():
    """The tracer folds Python numbers itself; a tape built by hand (or by
    another tool) may still hold const loads feeding ops."""
    op = ops.OPCODES
    instr = [[op["const"], 1, 0, 0],      # 2.0
             [op["const"], 2, 1, 0],      # 3.0
             [op["add"], 3, 1, 2],        # 5.0
             [op["exp"], 4, 3, 0],        # e^5
             [op["mul"], 5, 0, 4],        # x * e^5
             [op["lt"], 6, 1, 2],         # 2 < 3 -> 1.0
             [op["pick_true"], 7, 6, 5],  # x * e^5
             [op["pick_false"], 8, 6, 0],  # 0.0
             [op["add"], 9, 7, 8],        # x * e^5 + 0.0
             [op["sub"], 10, 0, 1]]       # x - 2
    tape = Tape(instr, [2.0, 3.0], [9, 10, 3], 1)
    opt = optimize(tape)
    assert counts(opt) == {"mul_vc": 1, "add_vc": 1, "sub_vc": 1, "const": 1}
    assert sorted(opt.constants.tolist()) == sorted([0.0, 2.0, 5.0, math.exp(5.0)])
    for x in ([1.5], [-0.0], [math.inf], [math.nan]):
        assert same_bits(opt.forward(x), tape.forward(x))
    for x in ([1.5], [-0.0]):
        np.testing.assert_array_equal(opt.jacobian(x), tape.jacobian(x))
    # At x = inf (or nan) the unoptimized tape's tangent of x * exp(2 + 3) is
    # e^5 * 1 + x * 0 (the constant slot's zero tangent): the zero tangent stops
    # the infinite partial (azmul), so it is e^5 as it should be, as it is when
    # folded, where the constant has no slot.
    for x in (math.inf, math.nan):
        np.testing.assert_array_equal(opt.jacobian([x])[:, 0], [math.exp(5.0), 1.0, 0.0])
        np.testing.assert_array_equal(tape.jacobian([x])[:, 0], [math.exp(5.0), 1.0, 0.0])


def test_dead_code_is_dropped():
    def f(x):
        unused = np.exp(x[0]) * np.sin(x[1])  # noqa: F841 - reaches no output
        also = x[0] / x[1]
        also = also + 1.0  # noqa: F841
        return x[0] * x[1]
    raw, opt = both(f, [1.0, 2.0])
    assert raw.n_ops == 6 and counts(opt) == {"mul": 1}


def test_outputs_repeated_inputs_and_constants():
    def f(x):
        y = x[0] * x[1]
        return [y, x[1], y, 3.0, x[1] * 1.0, 3.0, -0.0]
    raw, opt = both(f, [1.0, 2.0])
    assert counts(opt) == {"mul": 1, "const": 2}
    assert opt.outputs[0] == opt.outputs[2] and opt.outputs[3] == opt.outputs[5]
    assert opt.outputs[1] == 1 and opt.outputs[4] == 1
    for x in ([1.0, 2.0], [-0.0, math.nan]):
        assert same_bits(opt.forward(x), raw.forward(x))
    np.testing.assert_array_equal(opt.jacobian([1.0, 2.0]), raw.jacobian([1.0, 2.0]))


def test_output_that_is_an_input_only():
    raw, opt = both(lambda x: x[1] * 1.0, [1.0, 2.0])
    assert opt.n_ops == 0 and opt.outputs.tolist() == [1]
    np.testing.assert_array_equal(opt.gradient([1.0, 2.0]), [0.0, 1.0])


# --- guards ---------------------------------------------------------------------------

def _guarded_tape():
    """x0 * x1 if x0 > 1 else (dead), recorded with guard x0 > 1 -> 1, the
    comparison recorded twice (CSE) and otherwise unused (live only by its guard)."""
    op = ops.OPCODES
    instr = [[op["gt_vc"], 2, 0, 0],   # x0 > 1      (slot 2)
             [op["gt_vc"], 3, 0, 0],   # x0 > 1 again (slot 3)
             [op["mul"], 4, 0, 1],     # x0 * x1
             [op["mul_vc"], 5, 4, 1],  # * 1.0
             [op["lt"], 6, 0, 1],      # x0 < x1: guarded, feeds nothing
             [op["exp"], 7, 0, 0]]     # dead
    return Tape(instr, [1.0, 1.0], [5], 2, guards=[[3, 1], [6, 1], [2, 1]],
                guard_sources=["f.py:3", "f.py:7", "f.py:9"])


def test_guards_survive_and_are_remapped():
    tape = _guarded_tape()
    opt = optimize(tape)
    assert counts(opt) == {"gt_vc": 1, "mul": 1, "lt": 1}
    assert opt.guard_sources == tape.guard_sources
    assert len(opt.guards) == 3
    assert opt.guards[0, 0] == opt.guards[2, 0]
    for g, (slot, want) in enumerate(opt.guards):
        assert ops.IS_CONDITION[opt.opcode[slot - opt.n_inputs]]
        assert want == tape.guards[g, 1]
    np.testing.assert_array_equal(opt.forward([3.0, 4.0]), tape.forward([3.0, 4.0]))
    for bad in ([0.5, 4.0], [3.0, 2.0]):
        with pytest.raises(BranchChanged) as e1:
            tape.forward(bad)
        with pytest.raises(BranchChanged) as e2:
            opt.forward(bad)
        assert str(e1.value) == str(e2.value)


def test_guard_on_a_constant_comparison_is_settled():
    op = ops.OPCODES
    instr = [[op["const"], 1, 0, 0], [op["lt_vc"], 2, 1, 1], [op["mul"], 3, 0, 0]]
    tape = Tape(instr, [1.0, 2.0], [3], 1, guards=[[2, 1]], guard_sources=["f.py:1"])
    opt = optimize(tape)
    assert len(opt.guards) == 0 and opt.guard_sources == () and counts(opt) == {"square": 1}
    contradicted = Tape(instr, [1.0, 2.0], [3], 1, guards=[[2, 0]])
    with pytest.raises(TapeError, match="contradicts"):
        optimize(contradicted)


# --- whole functions: random graphs and workloads -------------------------------------

@pytest.mark.parametrize("seed", range(6))
def test_random_graphs_agree(seed, rng):
    n = 4
    f = _random_function(seed, n, 300)
    x0 = rng.uniform(-1, 1, n)
    raw, opt = both(f, x0)
    assert opt.n_ops < raw.n_ops
    for x in rng.uniform(-1, 1, (4, n)):
        y_raw = raw.forward(x)
        np.testing.assert_allclose(opt.forward(x), y_raw, rtol=1e-12, atol=1e-14)
        j_raw = raw.jacobian(x)
        np.testing.assert_allclose(opt.jacobian(x), j_raw, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(opt.jacobian(x, mode="forward"), j_raw, rtol=1e-10,
                                   atol=1e-12)
    # an independent reference: differences of the unoptimized tape's values
    x = x0
    np.testing.assert_allclose(opt.jacobian(x), central_jacobian(raw.forward, x),
                               rtol=1e-5, atol=1e-7)
    # optimizing twice changes nothing more; optimize(raw) is what trace made
    again = optimize(opt)
    assert again.n_ops == opt.n_ops
    np.testing.assert_array_equal(optimize(raw).instructions, opt.instructions)
    np.testing.assert_array_equal(optimize(raw).constants, opt.constants)


def test_lj_energy_and_forces_shrink_by_a_fifth():
    atoms = 8
    rng = np.random.default_rng(5)
    x0 = (1.12 * np.stack(np.meshgrid(*[np.arange(2)] * 3, indexing="ij"), -1).reshape(-1, 3)
          + rng.uniform(-0.05, 0.05, (atoms, 3))).ravel()
    raw, opt = both(lj_energy_and_forces(atoms), x0)
    assert opt.n_ops <= 0.8 * raw.n_ops, (raw.n_ops, opt.n_ops)
    np.testing.assert_allclose(opt.forward(x0), raw.forward(x0), rtol=1e-13, atol=1e-12)
    np.testing.assert_allclose(opt.jacobian(x0), raw.jacobian(x0), rtol=1e-12, atol=1e-10)
    # the forces are minus the energy's gradient
    np.testing.assert_allclose(opt.forward(x0)[1:], -opt.jacobian(x0)[0], rtol=1e-10,
                               atol=1e-10)


def test_batched_and_directional_evaluation_agree(rng):
    f = _random_function(11, 3, 200)
    raw, opt = both(f, np.zeros(3))
    xs = rng.uniform(-1, 1, (37, 3))
    np.testing.assert_allclose(opt.forward(xs), raw.forward(xs), rtol=1e-12, atol=1e-14)
    v = rng.normal(size=3)
    w = rng.normal(size=raw.n_outputs)
    np.testing.assert_allclose(opt.jvp(xs[0], v)[1], raw.jvp(xs[0], v)[1], rtol=1e-10,
                               atol=1e-12)
    np.testing.assert_allclose(opt.vjp(xs[0], w)[1], raw.vjp(xs[0], w)[1], rtol=1e-10,
                               atol=1e-12)


def test_powers_on_a_hand_built_tape():
    """x**1, x**2, x**-1 (the tracer rewrites these itself) and 2**x (kept)."""
    op = ops.OPCODES
    instr = [[op["pow_vc"], 1, 0, 0], [op["pow_vc"], 2, 0, 1], [op["pow_vc"], 3, 0, 2],
             [op["pow_cv"], 4, 0, 1]]
    tape = Tape(instr, [1.0, 2.0, -1.0], [1, 2, 3, 4], 1)
    opt = optimize(tape)
    assert counts(opt) == {"square": 1, "reciprocal": 1, "pow_cv": 1}
    assert opt.outputs[0] == 0
    for x in SPECIAL:
        with np.errstate(all="ignore"):
            assert same_bits(opt.forward([x]), tape.forward([x])), x


def test_optimize_false_keeps_every_instruction():
    raw = adjit.trace(lambda x: [x[0] * 1.0, x[0] * 1.0], [1.0], optimize=False)
    assert counts(raw) == {"mul_vc": 2}


def test_optimize_arrays_takes_lists():
    op = ops.OPCODES
    instr, consts, outs, guards, kept = optimize_arrays(
        [op["mul_vc"], op["add"]], [0, 1], [0, 0], [1.0], [2], 1)
    assert instr.tolist() == [[op["add"], 1, 0, 0]] and outs.tolist() == [1]
    assert consts.size == 0 and guards.shape == (0, 2) and kept.size == 0


def test_traced_branch_guards_survive():
    """Guards the tracer records at `if`: a comparison made twice becomes one
    slot named by both guards; a comparison that feeds nothing but its guard
    is kept."""
    def f(x):
        s = x[0] * 1.0
        if x[0] > 1.0:
            s = s * x[1]
        if x[0] > 1.0 and x[1] < x[0]:
            s = s + 2.0
        return s

    raw, opt = both(f, [2.0, 1.5])
    assert len(raw.guards) == len(opt.guards) == 3
    assert opt.guard_sources == raw.guard_sources
    assert opt.guards[0, 0] == opt.guards[1, 0]
    assert counts(opt) == {"gt_vc": 1, "lt": 1, "mul": 1, "add_vc": 1}
    for x in ([3.0, 2.0], [1.5, 1.2]):
        assert same_bits(opt.forward(x), raw.forward(x))
        np.testing.assert_array_equal(opt.gradient(x), raw.gradient(x))
    for x in ([0.5, 0.1], [3.0, 4.0]):
        with pytest.raises(BranchChanged) as e_raw:
            raw.forward(x)
        with pytest.raises(BranchChanged) as e_opt:
            opt.forward(x)
        assert e_raw.value.guard == e_opt.value.guard


# --- instruction order: ALAP schedule --------------------------------------------

def _readers_of_previous(tape):
    """How many instructions read the result of the instruction just before them."""
    instr = tape.instructions
    kind = ops.KIND[instr[:, 0]]
    prev = instr[:-1, 1]
    reads0 = (kind[1:] >= ops.UNARY) & (instr[1:, 2] == prev)
    reads1 = (kind[1:] == ops.VV) & (instr[1:, 3] == prev)
    return int(np.sum(reads0 | reads1))


def test_schedule_interleaves_independent_chains_and_keeps_values(rng):
    # A running sum over independent terms: recorded, nearly every instruction
    # reads its predecessor's result; scheduled, few do, and nothing changes value.
    def f(x):
        s = 0.0
        for i in range(len(x) - 1):
            s = s + np.sin(x[i] * x[i + 1] - 1.0) ** 2
        return s
    x0 = rng.uniform(-1, 1, 50)
    raw, opt = both(f, x0)
    assert _readers_of_previous(raw) > 0.7 * raw.n_ops
    assert _readers_of_previous(opt) < 0.5 * opt.n_ops
    for x in rng.uniform(-1, 1, (3, 50)):
        assert same_bits(opt.forward(x), raw.forward(x))  # the same operations, reordered
        g = opt.gradient(x)
        np.testing.assert_allclose(g, raw.gradient(x), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(opt.gradient(x0), central_jacobian(raw.forward, x0)[0],
                               rtol=1e-6, atol=1e-8)


def test_schedule_keeps_recorded_order_when_it_would_spread_values():
    # Many outputs with short chains: ALAP would push every output's last
    # instruction to the end and keep all intermediates alive; the optimizer
    # keeps the recorded order instead, so value-only work stays small.
    def f(x):
        return [np.exp(np.sin(x[i]) * x[i + 1]) for i in range(len(x) - 1)]
    n = 400
    tape = adjit.trace(f, np.linspace(0, 1, n))
    assert _readers_of_previous(tape) > 0.6 * tape.n_ops  # each chain in one piece
    # inputs and outputs live, plus a few intermediates (ALAP would hold ~n of them)
    assert slot_program(tape).n_work < n + (n - 1) + 10


# --- fusion of single-use intermediates ------------------------------------------

FUSIONS = [
    # (f, ops after optimization)
    (lambda x: (x[0] - x[1]) ** 2, {"sqdiff": 1}),
    (lambda x: (x[0] - 1.5) * (x[0] - 1.5), {"sqdiff_vc": 1}),
    (lambda x: np.square(2.0 - x[1]), {"sqdiff_cv": 1}),
    (lambda x: x[0] * x[0] * x[0], {"cube": 1}),
    (lambda x: x[1] * (x[1] * x[1]), {"cube": 1}),
    (lambda x: 1.0 / (x[0] * x[0] * x[0]), {"inv_cube": 1}),
    (lambda x: [1.0 / (x[0] * x[0] * x[0]), x[0] * x[0] * x[0]], {"cube": 1, "reciprocal": 1}),
    # the intermediate has another reader, or is an output: nothing to fuse
    (lambda x: (x[0] - x[1]) ** 2 + (x[0] - x[1]), {"sub": 1, "square": 1, "add": 1}),
    (lambda x: [(x[0] - x[1]) ** 2, x[0] - x[1]], {"sub": 1, "square": 1}),
    (lambda x: [x[0] * x[0] * x[0], x[0] * x[0]], {"square": 1, "mul": 1}),
]


@pytest.mark.parametrize("f,ops_after", FUSIONS)
def test_fusion_gives_the_same_bits(f, ops_after, rng):
    raw, opt = both(f, [1.0, 2.0])
    assert counts(opt) == ops_after
    points = np.concatenate([rng.uniform(-3, 3, (20, 2)),
                             [[0.0, -0.0], [-0.0, 0.0], [1e200, -1e200], [math.inf, 1.0],
                              [math.nan, 0.0], [1e-200, 0.0]]])
    for x in points:
        with np.errstate(all="ignore"):
            assert same_bits(opt.forward(x), raw.forward(x))
            j_opt, j_raw = opt.jacobian(x), raw.jacobian(x)
            # Where the unfused chain multiplies an infinite partial by a zero
            # tangent (at a pole, or where x**3 overflows), azmul gives 0 (nan
            # where neither is zero) and the fused rule its limit. Elsewhere
            # they agree.
            pole = ((np.isnan(j_raw) & ~np.isnan(j_opt))
                    | (~np.isfinite(j_opt) & (j_raw == 0.0)))
            np.testing.assert_allclose(j_opt[~pole], j_raw[~pole], rtol=1e-15, atol=0)
    x = rng.uniform(-3, 3, 2)
    np.testing.assert_allclose(opt.jacobian(x), central_jacobian(raw.forward, x), rtol=1e-6)
    # second order through the fused rules (s00, s01, s11), against differences
    if opt.n_outputs == 1:
        h = 1e-5
        fd = np.array([(raw.gradient(x + h * e) - raw.gradient(x - h * e)) / (2 * h)
                       for e in np.eye(2)])  # differences of the unfused tape's gradient
        np.testing.assert_allclose(opt.hessian(x), fd, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("seed", range(3))
def test_peak_live_counts_what_the_allocator_uses(seed, rng):
    from adjit.optimize import OP_KIND, _peak_live
    f = _random_function(seed, 4, 200)
    tape = adjit.trace(f, rng.uniform(-1, 1, 4))
    g = tape.guards[:, 0].astype(np.int64)
    outs = tape.outputs.astype(np.int64)
    assert _peak_live(tape.instructions, tape.n_inputs, outs, g, OP_KIND) == \
        slot_program(tape).n_work
