"""Memory follows a tape's content, not its declared input count: a tape with
2**26 inputs and five instructions (as a few hundred bytes of file can declare)
gets its Jacobian pattern, optimized copy and drawing within a few hundred MB
of address space, checked in a subprocess under RLIMIT_AS (no timing)."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.sparse as sp

import adjit
from adjit import compact, ops

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
resource = pytest.importorskip("resource")


def _wide(n):
    """(tape, closed-form pattern) of f(x) = [sin(x0) * x[n-1] + exp(x5), x3 < ...]."""
    O = ops.OPCODES
    instr = np.array([[O["sin"], n, 0, 0], [O["mul"], n + 1, n, n - 1],
                      [O["exp"], n + 2, 5, 0], [O["add"], n + 3, n + 1, n + 2],
                      [O["lt"], n + 4, 3, n + 3]])
    return adjit.Tape(instr, np.zeros(0), np.array([n + 3, n + 4]), n, [[n + 4, 1]],
                      ["x3 < y"])


_CHILD = textwrap.dedent("""
    import resource, sys
    import numpy as np
    import adjit, tests.test_limits as T
    small = T._wide(2**17)  # compiles (or loads from the cache) everything used below
    small.jacobian_sparsity(); small.optimized(); small.to_dot()
    def vm():
        with open("/proc/self/status") as fh:
            return next(int(l.split()[1]) * 1024 for l in fh if l.startswith("VmSize"))
    budget = vm() + (300 << 20)  # the 2**26-slot structures alone would need > 1 GB
    resource.setrlimit(resource.RLIMIT_AS, (budget, budget))
    n = 2**26
    t = T._wide(n)
    p = t.jacobian_sparsity()
    assert p.shape == (2, n) and sorted(p.indices[p.indptr[0]:p.indptr[1]]) == [0, 5, n - 1]
    o = t.optimized()
    assert o.n_inputs == n
    dot = t.to_dot()
    assert "inputs not read" in dot and len(dot) < 10_000
    blob = adjit.serialize.to_bytes(t)
    assert len(blob) < 10_000
    try:
        adjit.tape.from_bytes(blob)
    except adjit.TapeError as e:
        assert "max_inputs" in str(e)
    else:
        raise AssertionError("a file declaring 2**26 inputs loaded under the default limit")
    print("ok")
""")


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs /proc (Linux)")
def test_declared_inputs_cost_no_memory_in_sparsity_optimizer_and_drawing():
    done = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": ROOT}, timeout=600)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-3000:]


def test_compacted_work_gives_the_same_answers(monkeypatch):
    # With compaction forced on an ordinary tape, pattern and optimized tape are
    # those of the direct computation.
    def f(x):
        return [np.sin(x[1]) * x[7] + x[1] * x[1], np.exp(x[7] - 2.0) if x[7] > 0 else x[1],
                x[4] * 3.0 + 0.0 * x[7]]
    x0 = np.linspace(-1.0, 2.0, 9)
    tape = adjit.trace(f, x0, optimize=False)
    direct_pattern = tape.jacobian_sparsity().toarray()
    direct_opt = tape.optimized()
    monkeypatch.setattr(compact, "SLACK", -10**9)
    assert compact.worth_it(tape)
    fresh = adjit.Tape(tape.instructions, tape.constants, tape.outputs, tape.n_inputs,
                       tape.guards, tape.guard_sources)
    np.testing.assert_array_equal(fresh.jacobian_sparsity().toarray(), direct_pattern)
    want = np.zeros((3, 9), bool)
    want[0, [1, 7]] = want[1, 7] = want[2, [4, 7]] = True
    assert (direct_pattern >= want).all() and not direct_pattern[:, [0, 2, 3, 5, 6, 8]].any()
    opt = fresh.optimized()
    np.testing.assert_array_equal(opt.instructions, direct_opt.instructions)
    np.testing.assert_array_equal(opt.outputs, direct_opt.outputs)
    np.testing.assert_array_equal(opt.guards, direct_opt.guards)
    small, used = compact.compact(fresh)
    assert list(used) == [1, 4, 7] and small.n_inputs == 3
    back = adjit.Tape(**compact.expand_parts(small, used, 9))
    np.testing.assert_array_equal(back.instructions, fresh.instructions)


def test_wide_tape_values_and_drawing_against_closed_form():
    n = 2**17  # past the drawing limit, small enough to evaluate here
    t = _wide(n)
    x = np.zeros(n)
    x[0], x[5], x[n - 1], x[3] = 0.5, -1.0, 2.0, -5.0
    y0 = np.sin(0.5) * 2.0 + np.exp(-1.0)
    np.testing.assert_allclose(t.forward(x), [y0, 1.0], rtol=1e-15)
    np.testing.assert_allclose(t.optimized().forward(x), [y0, 1.0], rtol=1e-15)
    dot = t.to_dot()
    assert dot.count("fillcolor=lightblue") == 4  # x0, x3, x5, x[n-1]
    assert f"{n - 4:,} inputs not read" in dot
    p = t.jacobian_sparsity()
    assert isinstance(p, sp.csr_matrix) and p.shape == (2, n)
    assert sorted(p.indices[p.indptr[0]:p.indptr[1]]) == [0, 5, n - 1]
