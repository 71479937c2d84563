"""Folding scalar programs into array instructions (adjit.folding): the folded
program is the same function as the scalar one. Values, gradients, jvp, vjp,
Jacobians and Hessians of the folded tape agree with the unfolded tape's and
with central differences, on loops (Lennard-Jones, Rosenbrock, a Bratu stencil),
multi-output accumulations and random expression graphs."""
from __future__ import annotations

import numpy as np
import pytest

import adjit
from adjit import array_tape, arrays, folding, ops
from adjit.errors import BranchChanged
from perf import workloads as W
from support import central_jacobian, lj_energy_and_forces, random_function


def folded(tape, **kw):
    """``tape`` folded into an ArrayTape with the same signature."""
    a = folding.fold(tape.program, **kw)
    return array_tape.make(a.code, a.index, a.constants, a.outputs, a.n_inputs, a.guards,
                           tape.guard_sources, tape.signature)


def lj(x):
    """Lennard-Jones energy of positions ``x`` (N, 3), a pair loop."""
    e = 0.0
    n = x.shape[0]
    for i in range(n):
        for j in range(i + 1, n):
            dx = x[i, 0] - x[j, 0]
            dy = x[i, 1] - x[j, 1]
            dz = x[i, 2] - x[j, 2]
            s6 = 1.0 / (dx * dx + dy * dy + dz * dz) ** 3
            e = e + (s6 * s6 - s6)
    return 4.0 * e


def lj_positions(atoms, seed=3):
    side = int(np.ceil(atoms ** (1 / 3)))
    grid = np.stack(np.meshgrid(*[np.arange(side)] * 3, indexing="ij"), -1).reshape(-1, 3)
    rng = np.random.default_rng(seed)
    return 1.12 * grid[:atoms] + rng.uniform(-0.05, 0.05, (atoms, 3))


def rosenbrock(x):
    s = 0.0
    for i in range(len(x) - 1):
        s = s + 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return s


def flat(f, shape):
    return lambda v: np.atleast_1d(np.asarray(f(np.asarray(v).reshape(shape)), dtype=float))


def check_same_function(tape, x, rtol=1e-9, hessian=True):
    """The folded tape against the unfolded tape and central differences."""
    ft = folded(tape)
    assert isinstance(ft, array_tape.ArrayTape)
    x = np.asarray(x, dtype=float)
    shape = x.shape
    f = flat(tape.forward, shape)
    y, fy = tape.forward(x), ft.forward(x)
    np.testing.assert_allclose(fy, y, rtol=rtol, atol=1e-12 * np.max(np.abs(y)))
    J = tape.jacobian(x).reshape(tape.n_outputs, -1)
    Jf = ft.jacobian(x).reshape(tape.n_outputs, -1)
    scale = np.max(np.abs(J)) + 1e-300
    np.testing.assert_allclose(Jf, J, rtol=rtol, atol=rtol * scale)
    fd = central_jacobian(f, x.ravel())
    np.testing.assert_allclose(Jf, fd, rtol=1e-5, atol=1e-6 * scale)
    rng = np.random.default_rng(0)
    v = rng.standard_normal(shape)
    w = rng.standard_normal(tape.n_outputs)
    _, jv = ft.jvp(x, v)
    _, wj = ft.vjp(x, w)
    np.testing.assert_allclose(np.ravel(jv), J @ v.ravel(), rtol=1e-8, atol=1e-9 * scale)
    # the dot-product identity between the folded tape's own sweeps
    assert np.isclose(w @ np.ravel(jv), np.ravel(wj) @ v.ravel(), rtol=1e-9,
                      atol=1e-9 * scale * np.abs(v).sum())
    if tape.n_outputs == 1:
        g = ft.gradient(x)
        assert g.shape == shape
        np.testing.assert_allclose(g.ravel(), J[0], rtol=rtol, atol=rtol * scale)
        xs = x[None] + 0.01 * rng.standard_normal((3,) + shape)
        np.testing.assert_allclose(ft.gradient(xs), tape.gradient(xs), rtol=rtol,
                                   atol=rtol * scale)
        if hessian:
            H, Hf = tape.hessian(x), ft.hessian(x)
            hs = np.max(np.abs(H)) + 1e-300
            np.testing.assert_allclose(Hf, H, rtol=1e-8, atol=1e-9 * hs)
            grad = flat(lambda p: ft.gradient(p).ravel(), shape)
            np.testing.assert_allclose(Hf.reshape(H.shape[0], -1) if Hf.ndim == 2 else
                                       Hf.reshape(x.size, x.size),
                                       central_jacobian(grad, x.ravel()), rtol=1e-5,
                                       atol=1e-5 * hs)
    return ft


def test_lj_positions_n_by_3():
    x = lj_positions(9)
    tape = adjit.trace(lj, x)
    ft = check_same_function(tape, x)
    # the pair loop folds: a few array rows instead of one per pair and op
    assert ft.n_ops < 30 < tape.n_ops
    assert ft.gradient(x).shape == (9, 3)


def test_rosenbrock_loop():
    x = np.random.default_rng(1).uniform(-1.0, 1.5, 30)
    tape = adjit.trace(rosenbrock, x)
    ft = check_same_function(tape, x)
    code = np.asarray(ft.arrays.code)
    assert (code[:, 0] == arrays.SUM).any()  # the running sum became one sum


def test_bratu_stencil_loop():
    side = 5
    x = 0.1 * np.cos(np.arange(side * side))
    tape = adjit.trace(lambda v: W.bratu_scalar(side)(v, np), x)  # perf's stencil loop
    check_same_function(tape, x)


def test_accumulated_forces():
    """Energy and forces: many running sums (adds and subs) read by outputs."""
    atoms = 5
    x = lj_positions(atoms, seed=5).ravel()
    tape = adjit.trace(lj_energy_and_forces(atoms), x)
    check_same_function(tape, x)


@pytest.mark.parametrize("seed", range(6))
def test_random_expression_graphs(seed):
    f = random_function(seed, 4, 60)
    x = np.random.default_rng(seed).uniform(-1.0, 1.0, 4)
    tape = adjit.trace(f, x)
    check_same_function(tape, x, hessian=False)


@pytest.mark.parametrize("seed", range(4))
def test_random_loop_bodies(seed):
    """A random loop body repeated over a window of the inputs (what folding
    groups), summed and also returned element-wise."""
    body = random_function(seed, 3, 12)

    def f(x):
        total, outs = 0.0, []
        for i in range(len(x) - 2):
            vals = body(x[i:i + 3])
            total = total + vals[-1]
            outs.append(vals[-2])
        return [total] + outs
    x = np.random.default_rng(seed).uniform(-1.0, 1.0, 12)
    tape = adjit.trace(f, x)
    check_same_function(tape, x, hessian=False)


@pytest.mark.parametrize("min_sum", [2, 8, 10 ** 9])
def test_sums_folded_or_not(min_sum):
    x = np.random.default_rng(2).uniform(-1.0, 1.5, 20)
    tape = adjit.trace(rosenbrock, x)
    ft = folded(tape, min_sum=min_sum)
    np.testing.assert_allclose(ft.forward(x), tape.forward(x), rtol=1e-12)
    np.testing.assert_allclose(ft.gradient(x), tape.gradient(x), rtol=1e-12, atol=1e-12)
    sums = (np.asarray(ft.arrays.code)[:, 0] == arrays.SUM).any()
    assert sums == (min_sum <= 19)


def test_fused_ops_unfused():
    """The optimizer's fused ops become chains of ops with array loops."""
    x = lj_positions(4)
    tape = adjit.trace(lj, x)
    names = set(tape.op_counts())
    assert {"sqdiff", "inv_cube"} & names  # else this test tests nothing
    code = np.asarray(folded(tape).arrays.code)
    opnames = {ops.NAMES[o] for o in code[code[:, 0] == arrays.ELEM, 1]}
    assert not opnames & {"sqdiff", "sqdiff_vc", "sqdiff_cv", "cube", "inv_cube"}


def test_guards_survive_folding():
    def f(x):
        s = 0.0
        for i in range(len(x)):
            if x[i] > 0.0:
                s = s + x[i] ** 2
            else:
                s = s - x[i]
        return s
    x = np.array([0.5, -0.2, 1.5, -1.0, 0.3])
    tape = adjit.trace(f, x)
    ft = folded(tape)
    assert len(ft.arrays.guards) == len(tape.program.guards) == 5
    np.testing.assert_allclose(ft.gradient(x), [1.0, -1.0, 3.0, -1.0, 0.6])
    with pytest.raises(BranchChanged):
        ft.gradient(-x)
    with pytest.raises(BranchChanged):
        tape.gradient(-x)


def test_constant_operands_any_order():
    """Constants read in no progression get a fresh run of the pool."""
    c = np.random.default_rng(4).permutation(np.linspace(0.5, 3.0, 12))

    def f(x):
        return sum((x[i % 3] * float(c[i])) ** 2 + float(c[-1 - i]) / (1.0 + x[i % 3] ** 2)
                   for i in range(12))
    x = np.array([0.3, -0.7, 1.1])
    tape = adjit.trace(f, x)
    check_same_function(tape, x)


def test_small_and_degenerate_programs():
    """No instructions, a constant output, a single row, an input read twice."""
    x = np.array([0.7, -1.3])
    for f, expect in ((lambda v: v[1], [0.0, 1.0]),
                      (lambda v: [v[0] * v[0], 2.5], None),
                      (lambda v: v[0] * v[1], [-1.3, 0.7])):
        tape = adjit.trace(f, x)
        ft = folded(tape)
        np.testing.assert_allclose(ft.forward(x), tape.forward(x), rtol=1e-15)
        np.testing.assert_allclose(ft.jacobian(x), tape.jacobian(x), rtol=1e-15)
        if expect is not None:
            np.testing.assert_allclose(ft.gradient(x), expect, rtol=1e-15)


def test_folding_an_array_tapes_expansion():
    """A vectorized recording's scalar expansion folds back into array rows."""
    def f(v):
        return np.sum(100.0 * (v[1:] - v[:-1] ** 2) ** 2 + (1.0 - v[:-1]) ** 2)
    x = np.random.default_rng(3).uniform(-1.0, 1.5, 25)
    tape = adjit.trace(f, x)
    ft = folded(tape)
    np.testing.assert_allclose(ft.gradient(x), tape.gradient(x), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(ft.gradient(x), central_jacobian(flat(f, x.shape), x)[0],
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("runs", [1, 10 ** 6])
def test_groups_cut_into_progressions(runs):
    """With ``runs``, groups read their operands in strided pieces rather than
    gathered (``runs=1``: always; a huge ``runs``: never), the same function."""
    x = lj_positions(7)
    tape = adjit.trace(lj, x)
    a = folding.fold(tape.program, runs=runs)
    assert (folding.stats(a)["gathers"] == 0) == (runs == 1)
    ft = array_tape.make(a.code, a.index, a.constants, a.outputs, a.n_inputs, a.guards,
                         tape.guard_sources, tape.signature)
    np.testing.assert_allclose(ft.forward(x), tape.forward(x), rtol=1e-12)
    g = tape.gradient(x)
    np.testing.assert_allclose(ft.gradient(x), g, rtol=1e-10, atol=1e-12 * np.abs(g).max())
    v = np.random.default_rng(7).standard_normal(x.shape)
    np.testing.assert_allclose(ft.jvp(x, v)[1], tape.jvp(x, v)[1], rtol=1e-9)


def test_the_public_method_folds_and_refuses_data_arguments(monkeypatch):
    x = np.linspace(-0.5, 1.2, 40)
    tape = adjit.trace(lambda v: sum(100.0 * (v[i + 1] - v[i] ** 2) ** 2 + (1.0 - v[i]) ** 2
                                     for i in range(39)), x)
    fold = tape.folded()
    assert isinstance(fold, array_tape.ArrayTape) and fold.n_ops < tape.n_ops
    assert fold.folded() is fold and tape.folded() is fold  # kept, and idempotent
    np.testing.assert_allclose(fold.gradient(x), central_jacobian(
        lambda v: np.atleast_1d(tape.forward(v)), x)[0], rtol=1e-6)
    monkeypatch.setattr(adjit.config, "array_instructions", False)
    with_data = adjit.trace(lambda v, c: np.sum(v * c), x, np.ones(40))
    assert not isinstance(with_data, array_tape.ArrayTape)
    with pytest.raises(ValueError, match="data arguments"):
        with_data.folded()
