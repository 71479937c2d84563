"""The no-compile tier (adjit.levels), the background compile and the switch.

Every tape here runs through both tiers: the NumPy evaluator against the
compiled kernels, entry point by entry point, to rounding (the two use the same
op rules; NumPy's and Numba's libm may differ in the last bits); where a guard
flips both report the same guard. The process tests run with their own empty
NUMBA_CACHE_DIR and compile one small kernel (the "probe" job) at most.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import adjit
from adjit import background, config, levels, ops, sweeps, tiers
from adjit.tape import Tape
from support import lj_energy_and_forces, op_points, random_function

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RTOL, ATOL = 1e-12, 1e-13


def close(a, b):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=RTOL,
                               atol=ATOL, equal_nan=True)


def both_tiers(tape: Tape, x, xs=None) -> None:
    """Each entry point of the no-compile tier against its kernel at ``x``
    (and at the batch ``xs``)."""
    P, n, m = tape.program, tape.n_inputs, tape.n_outputs
    x = np.ascontiguousarray(x, dtype=float)
    buf = np.empty(tape.n_slots * 8 + 4 * tape.n_ops + 64 * (tape.n_slots + 1))
    y_k, flip_k = sweeps.forward(P, x, buf)
    y_l, flip_l = levels.forward(P, x, None)
    close(y_l, y_k)
    assert flip_l == flip_k
    v = np.linspace(-1.0, 1.0, 2 * n).reshape(n, 2)
    w = np.linspace(0.5, 1.5, 3 * m).reshape(3, m)
    for name, args in (("jvp", (v,)), ("vjp", (w,)), ("jacobian", (False, 4)),
                       ("jacobian", (True, 4))):
        got = getattr(levels, name)(P, x, *args, None)
        want = getattr(sweeps, name)(P, x, *args, buf)
        for g, k in zip(got, want):
            close(g, k)
    if m == 1:
        # the tape takes the stored-partials gradient (vjp) where the recomputing
        # kernel reports NAN_GRADIENT; the tier follows azmul from the start
        grad = np.empty(n)
        y_l, flip_l = levels.value_and_gradient(P, x, None, None, grad)
        y_k, g_k, flip_k = sweeps.vjp(P, x, np.ones((1, 1)), buf)
        close(y_l, y_k[0])
        close(grad, g_k[0])
        assert flip_l == flip_k
    work_k, work_l = np.empty(tape.n_slots + 1), np.empty(tape.n_slots + 1)
    part_k, part_l = np.empty((tape.n_ops, 2)), np.empty((tape.n_ops, 2))
    sec_k, sec_l = np.empty((tape.n_ops, 3)), np.empty((tape.n_ops, 3))
    assert levels.linearize2(P, x, work_l, part_l, sec_l) == sweeps.linearize2(
        P, x, work_k, part_k, sec_k)
    for a, b in ((work_l, work_k), (part_l, part_k), (sec_l, sec_k)):
        close(a, b)
    if xs is None:
        return
    xs = np.ascontiguousarray(xs, dtype=float)
    block = 4
    big = np.empty(2 * block * (tape.n_slots + 1))
    ys_l, flips_l = levels.batch_forward(P, xs, block, None)
    ys_k, flips_k = sweeps.batch_forward(P, xs, block, big)
    close(ys_l, ys_k)
    assert (flips_l == flips_k).all()
    if m == 1:
        ys_l, gs_l, flips_l = levels.batch_value_and_gradient(P, xs, block, None)
        ys_k, gs_k, flips_k = sweeps.batch_value_and_gradient(P, xs, block, big)
        close(ys_l, ys_k)
        ok = flips_k == -1  # NAN_GRADIENT rows: the tape recomputes them by vjp
        close(gs_l[ok], gs_k[ok])
        assert (flips_l[flips_k >= 0] == flips_k[flips_k >= 0]).all()


def _variant_tape(v: ops.Variant, c: float) -> Tape:
    """The variant's row on inputs (x0, x1) or constant c, then a product with x0
    (so the sweeps cross two levels and the tangent reaches a second row)."""
    op = v.opcode
    arg1 = {ops.VV: 1, ops.VC: 0, ops.CV: 0}.get(v.kind, 0)
    rows = [(op, 2, 0, arg1), (ops.OPCODES["mul"], 3, 2, 0)]
    return Tape(rows, [c], [2, 3], 2)


@pytest.mark.parametrize("v", [v for v in ops.VARIANTS if v.op is not None], ids=lambda v: v.name)
def test_every_opcode_in_both_tiers(v):
    pts = op_points(v.op)
    for a, b in pts:
        if v.kind == ops.CV:
            tape, x = _variant_tape(v, a), [b, 0.7]
        elif v.kind == ops.VC:
            tape, x = _variant_tape(v, b), [a, 0.7]
        else:
            tape, x = _variant_tape(v, 1.0), [a, b]
        both_tiers(tape, x, np.array([x, [x[0] * 0.9, x[1]], [x[0], x[1] * 1.1]]))


def test_constant_row_in_both_tiers():
    tape = Tape([(0, 2, 0, 0), (ops.OPCODES["mul"], 3, 2, 1)], [2.5], [3], 2)
    both_tiers(tape, [1.0, 3.0], np.ones((3, 2)))


@pytest.mark.parametrize("seed", range(6))
def test_random_functions_in_both_tiers(seed):
    f = random_function(seed, 4, 60)
    x = np.linspace(0.3, 1.2, 4)
    tape = adjit.trace(f, x)
    both_tiers(tape, x, np.stack([x, x * 0.8, x + 0.1]))


def test_examples_in_both_tiers():
    f = lj_energy_and_forces(4)
    x = np.array([0.0, 0, 0, 1.1, 0, 0, 0, 1.2, 0, 1.0, 1.1, 0.3])
    both_tiers(adjit.trace(f, x), x, np.stack([x, x * 1.05]))

    def rosenbrock(x):
        return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2
                   for i in range(len(x) - 1))
    x = np.linspace(-1.0, 1.0, 30)
    both_tiers(adjit.trace(rosenbrock, x), x, np.stack([x, x * 0.5]))


def test_flipped_guards_in_both_tiers():
    def f(x):
        y = x[0] * x[1]
        if y > 1.0:
            y = y - x[0]
        if x[1] < 2.0:
            y = y * 2.0
        return y
    tape = adjit.trace(f, [1.5, 1.0])
    for x in ([1.5, 1.0], [0.1, 1.0], [1.5, 3.0], [0.1, 3.0]):
        both_tiers(tape, x, np.array([[1.5, 1.0], [0.1, 1.0], [1.5, 3.0]]))


def test_levels_follow_azmul_where_zero_meets_infinity():
    # d/dx1 of sqrt(x0) + x1 at x0 = 0 is 1 (not NaN); d/dx0 is inf
    tape = adjit.trace(lambda x: np.sqrt(x[0]) + x[1], [1.0, 1.0], optimize=False)
    both_tiers(tape, [0.0, 2.0])
    grad = np.empty(2)
    levels.value_and_gradient(tape.program, np.array([0.0, 2.0]), None, None, grad)
    assert grad[1] == 1.0 and np.isinf(grad[0])


# --- the whole API through the tier, in a process that compiles nothing --------------

_FORCED = textwrap.dedent("""
    import json, sys
    import numpy as np
    import adjit
    from adjit import tiers, warmup
    tiers.force(True)
    def f(x):
        s = sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(len(x) - 1))
        return s if x[0] < 2.0 else -s
    x = np.linspace(-0.5, 0.5, 6)
    tape = adjit.trace(f, x)
    vec = adjit.trace(lambda x: [x[i] * x[i + 1] for i in range(5)], x)
    out = {"value": tape.forward(x).tolist(), "gradient": tape.gradient(x).tolist(),
           "batch": tape.gradient(np.stack([x, x * 2])).tolist(),
           "jvp": tape.jvp(x, np.ones(6))[1].tolist(), "vjp": tape.vjp(x, [1.0])[1].tolist(),
           "jacobian": tape.jacobian(x).tolist(), "hessian": tape.hessian(x).tolist(),
           "sparse_hessian": tape.sparse_hessian(x).toarray().tolist(),
           "grad": adjit.grad(f)(x + 3.0).tolist(), "hvp": tape.hvp(x, np.ones(6)).tolist(),
           "sparse_jacobian": vec.sparse_jacobian(x).toarray().tolist(),
           "jacobian_sparsity": vec.jacobian_sparsity().toarray().tolist(),
           "table": tape.trace_table(x, v=np.ones(6), w=[1.0])[1]}
    try:
        tape.gradient(x + 3.0)
    except adjit.BranchChanged as e:
        out["flip"] = e.guard
    out["compiled"] = sorted(warmup.kernels())
    print(json.dumps(out))
""")


def run_python(code, env=None, timeout=300):
    full = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    full.update(env or {})
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=full, timeout=timeout, cwd=ROOT)


def test_the_api_through_the_tier_compiles_nothing_and_agrees():
    r = run_python(_FORCED, {"ADJIT_COLD_TIER": "1"})
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert got["compiled"] == []

    def f(x):
        s = sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(len(x) - 1))
        return s if x[0] < 2.0 else -s
    x = np.linspace(-0.5, 0.5, 6)
    tape = adjit.trace(f, x)
    close(got["value"], tape.forward(x))
    close(got["gradient"], tape.gradient(x))
    close(got["batch"], tape.gradient(np.stack([x, x * 2])))
    close(got["jvp"], tape.jvp(x, np.ones(6))[1])
    close(got["vjp"], tape.vjp(x, [1.0])[1])
    close(got["jacobian"], tape.jacobian(x))
    close(got["hessian"], tape.hessian(x))
    close(got["sparse_hessian"], tape.sparse_hessian(x).toarray())
    close(got["grad"], adjit.grad(f)(x + 3.0))
    close(got["hvp"], tape.hvp(x, np.ones(6)))
    vec = adjit.trace(lambda x: [x[i] * x[i + 1] for i in range(5)], x)
    close(got["sparse_jacobian"], vec.sparse_jacobian(x).toarray())
    assert got["jacobian_sparsity"] == vec.jacobian_sparsity().toarray().tolist()
    assert got["table"] == tape.trace_table(x, v=np.ones(6), w=[1.0])[1]
    with pytest.raises(adjit.BranchChanged) as e:
        tape.gradient(x + 3.0)
    assert got["flip"] == e.value.guard


# --- settings, notice, background compile, warmup ----------------------------------------


def test_the_setting_turns_the_tier_off():
    r = run_python("from adjit import config, tiers, sweeps\n"
                   "print(config.cold_tier, tiers.cold(sweeps.forward))",
                   {"ADJIT_COLD_TIER": "0"})
    assert r.stdout.split() == ["False", "False"], r.stderr
    assert isinstance(config.cold_tier, bool)


_PROBE = textwrap.dedent("""
    import json, time
    import numpy as np
    import adjit
    from adjit import background, sweeps, tiers
    tape = adjit.trace(lambda x: x[0] * x[1] + np.exp(x[0] * x[1]), [1.0, 2.0])
    g = tape.gradient([1.0, 2.0])
    cold = tiers.cold(sweeps._pair_dispatch)
    t = time.monotonic()
    while not background.all_ready() and time.monotonic() - t < 240:
        time.sleep(0.05)
    sweeps.pair_dispatch(np.array([1, 2, 1], dtype=np.int32))
    st = sweeps._pair_dispatch.stats
    print(json.dumps({"gradient": g.tolist(), "cold_at_first": cold,
                      "ready": background.all_ready(),
                      "hits": sum(st.cache_hits.values()),
                      "misses": sum(st.cache_misses.values())}))
""")


_FIFTH = textwrap.dedent("""
    import numpy as np
    from adjit import sweeps
    sweeps.pair_dispatch(np.array([1, 2, 1], dtype=np.int32))
    st = sweeps._pair_dispatch.stats
    print(sum(st.cache_hits.values()), sum(st.cache_misses.values()))
""")


def test_processes_started_together_share_one_empty_cache(tmp_path):
    env = {"NUMBA_CACHE_DIR": str(tmp_path), "ADJIT_BACKGROUND_JOBS": "probe",
           "ADJIT_COLD_TIER": "1",
           "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    procs = [subprocess.Popen([sys.executable, "-c", _PROBE], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=ROOT,
                              env=dict(os.environ, **env)) for _ in range(4)]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    for r in results:
        close(r["gradient"], [2 + 2 * np.e ** 2, 1 + np.e ** 2])
        assert r["ready"] and r["cold_at_first"]
        assert r["misses"] == 0  # the background compiled it; this process loaded it
    # a fifth process, the tier off: loads the kernel from the cache, no compile
    r = run_python(_FIFTH, dict(env, ADJIT_COLD_TIER="0"))
    assert r.returncode == 0, r.stderr
    hits, misses = map(int, r.stdout.split())
    assert hits >= 1 and misses == 0
    assert "compiling" not in r.stderr


def test_notice_when_a_call_waits_on_a_compile(tmp_path):
    code = ("import numpy as np\nfrom adjit import sweeps\n"
            "sweeps.pair_dispatch(np.array([1, 2, 1], dtype=np.int32))\n"
            "sweeps.pair_dispatch(np.array([1, 1], dtype=np.int32))\n")
    env = {"NUMBA_CACHE_DIR": str(tmp_path), "ADJIT_COLD_TIER": "0"}
    first = run_python(code, env)
    assert first.returncode == 0, first.stderr
    notices = [line for line in first.stderr.splitlines() if "compiling" in line]
    assert len(notices) == 1 and "once" in notices[0]
    silenced = run_python("import logging\nlogging.getLogger('adjit').setLevel(logging.ERROR)\n"
                          + code, dict(env, NUMBA_CACHE_DIR=str(tmp_path / "b")))
    assert "compiling" not in silenced.stderr
    again = run_python(code, env)
    assert "compiling" not in again.stderr


def test_warmup_marks_its_jobs(tmp_path):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path),
               PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    r = subprocess.run([sys.executable, "-m", "adjit.warmup", "--only", "probe", "--jobs", "1"],
                       capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert r.returncode == 0, r.stderr
    r = run_python("from adjit import background\nprint(sorted(background.ready(force=True)))",
                   {"NUMBA_CACHE_DIR": str(tmp_path), "ADJIT_BACKGROUND_JOBS": "probe"})
    assert "adjit.sweeps._pair_dispatch" in r.stdout, r.stderr
    bad = subprocess.run([sys.executable, "-m", "adjit.warmup", "--only", "nonsense"],
                         capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert bad.returncode != 0 and "unknown jobs" in bad.stderr


def test_every_job_has_a_warmup_function():
    from adjit import warmup
    assert set(background.JOBS) <= set(warmup.RUN)
