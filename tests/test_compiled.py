"""Tapes from @njit code (adjit.compiled) and liveness-compacted value
programs (adjit.optimize.slot_program)."""
import numpy as np
import pytest
from numba import njit

import adjit
from adjit import compiled, ops, sweeps
from adjit.errors import TapeError
from adjit.optimize import SlotProgram, check_program, slot_program
from adjit.tape import Tape

from support import central_jacobian, lj_energy_and_forces
from support import random_function as _random_function


def _f(x):
    return [x[0] * x[1] + np.sin(x[2]), x[1] ** 3 - x[0] / x[2], np.exp(x[2] * x[0]),
            np.hypot(x[0], x[1])]


def _g(x):
    return np.sum((x[1:] - x[:-1] ** 2) ** 2) + np.log1p(x[0] ** 2)


def test_functions_agree_with_tape_methods(rng):
    tape = adjit.trace(_f, np.ones(3))
    fns = tape.njit_functions()
    T, B = fns.tape, fns.buffers()
    for x in rng.uniform(0.5, 2.0, (3, 3)):
        y, J = np.empty(4), np.empty((4, 3))
        assert fns.value(T, B, x, y) == -1
        np.testing.assert_array_equal(y, tape.forward(x))
        assert fns.jacobian(T, B, x, y, J) == -1
        np.testing.assert_array_equal(J, tape.jacobian(x))
        np.testing.assert_allclose(J, central_jacobian(lambda z: np.array(_f(z)), x),
                                   rtol=1e-7, atol=1e-8)
        v, w = rng.normal(size=3), rng.normal(size=4)
        jv, wj = np.empty(4), np.empty(3)
        assert fns.jvp(T, B, x, v, y, jv) == -1
        np.testing.assert_allclose(jv, tape.jvp(x, v)[1], rtol=1e-15)
        assert fns.vjp(T, B, x, w, y, wj) == -1
        np.testing.assert_allclose(wj, tape.vjp(x, w)[1], rtol=1e-15)
        assert np.dot(w, jv) == pytest.approx(np.dot(wj, v), rel=1e-13)


def test_gradient_and_reverse_jacobian(rng):
    n = 7
    tape = adjit.trace(_g, np.ones(n))
    fns = tape.njit_functions()
    T, B = fns.tape, fns.buffers()
    x = rng.uniform(-1, 1, n)
    g = np.empty(n)
    val, flip = fns.value_and_gradient(T, B, x, g)
    assert flip == -1 and val == tape.forward(x)[0]
    np.testing.assert_array_equal(g, tape.gradient(x))
    np.testing.assert_allclose(g, central_jacobian(_g, x)[0], rtol=1e-7, atol=1e-8)
    y, J = np.empty(1), np.empty((1, n))  # n > m: adjoint sweeps
    fns.jacobian(T, B, x, y, J)
    np.testing.assert_array_equal(J[0], g)


def test_gradient_with_and_without_runs(rng):
    """value_and_gradient takes the tape's rows in runs when it has them (loop
    of sums) and row by row when not (opcodes mixed at random): both give the
    Tape's gradient bit for bit, and central differences."""
    mixed = _random_function(3, 4, 200)
    for f, n in ((_g, 30), (lambda z: mixed(z)[0], 4)):
        tape = adjit.trace(f, np.ones(n))
        fns = tape.njit_functions()
        assert (len(fns.tape.program.runs) > 0) == (n == 30)
        x, g = rng.uniform(0.5, 1.5, n), np.empty(n)
        val, flip = fns.value_and_gradient(fns.tape, fns.buffers(), x, g)
        assert flip == -1 and val == tape.forward(x)[0]
        np.testing.assert_array_equal(g, tape.gradient(x))
        np.testing.assert_allclose(g, central_jacobian(f, x)[0], rtol=1e-6, atol=1e-7)


@njit
def _descend(T, B, x, steps, rate):
    g = np.empty(x.shape[0])
    for _ in range(steps):
        value, flip = compiled.value_and_gradient(T, B, x, g)
        if flip >= 0:
            return value, flip
        x -= rate * g
    return compiled.value_and_gradient(T, B, x, g)


def test_called_from_users_njit_code():
    n = 5
    tape = adjit.trace(_g, np.ones(n))
    fns = tape.njit_functions()
    x0 = np.full(n, 0.3)
    x = x0.copy()
    value, flip = _descend(fns.tape, fns.buffers(), x, 40, 0.05)
    ref = x0.copy()
    for _ in range(40):
        ref -= 0.05 * tape.gradient(ref)
    np.testing.assert_allclose(x, ref, rtol=1e-14)
    assert flip == -1 and value == pytest.approx(tape.forward(ref)[0], rel=1e-14)


def test_wrong_arguments_return_error_codes_and_stale_stamp_raises():
    tape = adjit.trace(_f, np.ones(3))
    fns = tape.njit_functions()
    T, B = fns.tape, fns.buffers()
    x, y = np.ones(3), np.empty(4)
    assert fns.value(T, B, np.ones(2), y) == compiled.BAD_X
    assert fns.value(T, B, np.ones(3, np.float32), y) == compiled.BAD_X
    assert fns.value(T, B, x, np.empty(3)) == compiled.BAD_ARRAY
    assert fns.value(T, B, x, np.empty(8)[::2]) == compiled.BAD_ARRAY  # strided
    assert fns.value(T, B, x, np.empty(4, np.int64)) == compiled.BAD_ARRAY
    other = adjit.trace(_g, np.ones(3)).njit_functions().buffers()
    assert fns.value(T, other, x, y) == compiled.BAD_BUFFERS
    _, code = fns.value_and_gradient(T, B, x, np.empty(3))
    assert code == compiled.SEVERAL_OUTPUTS
    assert fns.jacobian(T, B, x, y, np.empty((3, 3))) == compiled.BAD_ARRAY
    assert fns.jacobian(T, B, x, y, np.empty((4, 3), np.float32)) == compiled.BAD_ARRAY
    assert fns.jacobian(T, B, x, y, np.empty((3, 4)).T) == compiled.BAD_ARRAY  # F order
    for code in (compiled.BAD_X, compiled.BAD_BUFFERS, compiled.BAD_ARRAY):
        with pytest.raises(ValueError, match="adjit"):
            compiled.check(code)
    assert compiled.check(-1) == -1 and compiled.check(2) == 2
    stale = T._replace(abi=compiled.ABI ^ 1)
    with pytest.raises(RuntimeError, match="stale"):
        fns.value(stale, B, x, y)


@pytest.mark.parametrize("field, bad", [
    ("partials", lambda k, n: np.zeros((k, 1))),   # the example: (k, 1) for (k, 2)
    ("partials", lambda k, n: np.zeros((k, 3))[:, :2]),  # right shape, not contiguous
    ("work", lambda k, n: np.zeros(n - 1)),
    ("vector", lambda k, n: np.zeros(n, np.float32)),
    ("block", lambda k, n: np.zeros((n - 1, 4))),
    ("value_work", lambda k, n: np.zeros(1)),
])
def test_misfit_buffers_never_give_a_jacobian(field, bad):
    """Every buffer is checked in every dimension, dtype and layout: a misfit
    gives BAD_BUFFERS and leaves the outputs as they were (nothing written),
    never a wrong Jacobian."""
    tape = adjit.trace(_f, np.ones(3))
    fns = tape.njit_functions()
    T, B = fns.tape, fns.buffers()
    B = B._replace(**{field: bad(tape.n_ops, tape.n_slots + 1)})
    x = np.array([0.3, 0.7, 1.1])
    y, J = np.full(4, 7.0), np.full((4, 3), 7.0)
    for call in (lambda: fns.jacobian(T, B, x, y, J),
                 lambda: fns.vjp(T, B, x, np.ones(4), y, np.full(3, 7.0)),
                 lambda: fns.jvp(T, B, x, np.ones(3), y, np.full(4, 7.0)),
                 lambda: fns.value(T, B, x, y)):
        assert call() == compiled.BAD_BUFFERS
    assert (y == 7.0).all() and (J == 7.0).all()


def _guarded():
    op = ops.OPCODES
    instr = [[op["gt_vc"], 1, 0, 0], [op["square"], 2, 0, 0]]
    return Tape(instr, [1.0], [2], 1, guards=[[1, 1]], guard_sources=["f.py:1"])


def test_flipped_guard_is_returned():
    tape = _guarded()
    fns = tape.njit_functions()
    T, B = fns.tape, fns.buffers()
    y, g = np.empty(1), np.empty(1)
    assert fns.value(T, B, np.array([2.0]), y) == -1 and y[0] == 4.0
    assert fns.value(T, B, np.array([0.5]), y) == 0
    assert fns.value_and_gradient(T, B, np.array([0.5]), g)[1] == 0


# --- slot programs ------------------------------------------------------------------

def _run(program, x):
    work = np.empty(program.n_work + 1)
    sweeps.start(np.asarray(x, float), work)
    sweeps.values(program.dispatch, program.instructions, program.constants, work)
    return work[program.outputs], sweeps.first_flipped_guard(work, program.guards)


@pytest.mark.parametrize("seed", range(4))
def test_slot_program_matches_the_tape(seed, rng):
    tape = adjit.trace(_random_function(seed, 4, 400), np.zeros(4))
    prog = slot_program(tape)
    assert prog.n_work < tape.n_slots // 4
    for x in rng.uniform(-1, 1, (5, 4)):
        y, flip = _run(prog, x)
        assert flip == -1
        np.testing.assert_array_equal(y, tape.forward(x))


def test_slot_program_of_lj_is_small():
    x0 = (1.12 * np.stack(np.meshgrid(*[np.arange(2)] * 3, indexing="ij"), -1).reshape(-1, 3)
          + 0.01).ravel()
    tape = adjit.trace(lj_energy_and_forces(8), x0)
    prog = slot_program(tape)
    assert prog.n_work < 0.1 * tape.n_slots
    np.testing.assert_array_equal(_run(prog, x0)[0], tape.forward(x0))


def test_slot_program_keeps_guards_and_repeated_outputs():
    tape = _guarded()
    prog = slot_program(tape)
    assert _run(prog, [2.0])[1] == -1 and _run(prog, [0.5])[1] == 0
    t2 = adjit.trace(lambda x: [x[0] * x[1], x[1], x[0] * x[1], 2.0], [1.0, 2.0])
    p2 = slot_program(t2)
    np.testing.assert_array_equal(_run(p2, [3.0, -4.0])[0], t2.forward([3.0, -4.0]))


def test_check_program_rejects_unsafe_indices():
    tape = adjit.trace(lambda x: np.sin(x[0]) * x[1] + x[0], [1.0, 2.0])
    good = slot_program(tape)

    def edited(row, col, value, **kw):
        instr = good.instructions.copy()
        instr[row, col] = value
        fields = dict(instructions=instr, constants=good.constants, outputs=good.outputs,
                      guards=good.guards, n_inputs=good.n_inputs, n_work=good.n_work)
        fields.update(kw)
        return SlotProgram(**fields)

    check_program(good)
    with pytest.raises(TapeError, match="operand slot"):
        edited(0, 2, good.n_work + 5)
    with pytest.raises(TapeError, match="operand slot"):  # read before written
        edited(0, 2, good.n_work - 1, n_work=good.n_work + 3)
    with pytest.raises(TapeError, match="result slot"):
        edited(1, 1, -1)
    with pytest.raises(TapeError, match="unknown opcode"):
        edited(0, 0, ops.N_OPCODES)
    with pytest.raises(TapeError, match="output"):
        SlotProgram(good.instructions, good.constants, np.array([good.n_work], np.int32),
                    good.guards, good.n_inputs, good.n_work)


def test_call_recompiles_a_stale_user_function_once():
    class Fake:  # stands for a user's cached @njit function embedding an old adjit
        def __init__(self):
            self.stale, self.recompiled = True, 0

        def __call__(self, a):
            if self.stale:
                raise RuntimeError("adjit.compiled: stale compiled code (built against ...)")
            return a + 1

        def recompile(self):
            self.stale = False
            self.recompiled += 1

    fake = Fake()
    assert compiled.call(fake, 1) == 2 and fake.recompiled == 1
    assert compiled.call(fake, 2) == 3 and fake.recompiled == 1
    with pytest.raises(RuntimeError, match="other"):
        compiled.call(lambda: (_ for _ in ()).throw(RuntimeError("other")))


def test_call_from_python_raises_on_an_error_code():
    import adjit
    from adjit import compiled
    tape = adjit.trace(lambda x: [x[0] * x[1], np.sin(x[0])], [1.0, 2.0])
    fns = tape.njit_functions()
    T, B = fns.tape, fns.buffers()
    x, y = np.array([1.0, 2.0]), np.empty(2)
    J = np.empty((2, 2))
    assert compiled.call(fns.jacobian, T, B, x, y, J) == -1
    np.testing.assert_allclose(J, [[2.0, 1.0], [np.cos(1.0), 0.0]], rtol=1e-15)
    with pytest.raises(ValueError, match="adjit"):
        compiled.call(fns.jacobian, T, B, x, y, np.empty((2, 1)))   # (m, n) needed
    with pytest.raises(ValueError, match="adjit"):
        compiled.call(fns.vjp, T, B, x, np.ones(2), y, np.empty(3))
