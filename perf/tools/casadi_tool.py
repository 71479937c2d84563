"""CasADi SX: the scalar-loop code builds an SX expression graph (what CasADi
users write), turned into ``casadi.Function`` objects for the value, gradient,
(sparse) Jacobian, Hessian and Hessian-vector product; ``map`` for batches.
Calls take and return NumPy arrays, as a Python user would call them."""
from __future__ import annotations

import numpy as np

from .. import timing
from ..workloads import Namespace


def run(ctx):
    import casadi as ca

    w = ctx.w
    n = w.n_inputs
    m = Namespace(ca)

    def build():
        x = ca.SX.sym("x", n)
        y = w.scalar(ca.vertsplit(x), m)
        y = ca.vertcat(*[ca.SX(v) for v in y]) if isinstance(y, list) else ca.SX(y)
        return x, y, ca.Function("f", [x], [y])

    (x, y, F), t = timing.once(build)
    ctx.emit({"quantity": "record", "status": "ok", "median": t, "min": t, "samples": 1,
              "repeats": 1, "first": t, "ops_per_s": F.n_instructions() / t})
    ctx.info(n_instructions=int(F.n_instructions()))
    x0, v = w.x0, ctx.direction
    dense = lambda r: np.asarray(r.full() if hasattr(r, "full") else r)  # noqa: E731
    if w.n_outputs == 1:
        if ctx.want("gradient"):
            G = ca.Function("g", [x], [ca.gradient(y, x)])
            ctx.time("gradient", lambda: G(x0), key="gradient", check=lambda r: dense(r).ravel())
        if ctx.want("forward"):
            ctx.time("forward", lambda: F(x0), key="value", check=lambda r: dense(r).ravel())
        if ctx.want("hvp"):
            s = ca.SX.sym("v", n)
            Hv = ca.Function("hv", [x, s], [ca.jtimes(ca.gradient(y, x), x, s)])
            ctx.time("hvp", lambda: Hv(x0, v), key="hv", check=lambda r: dense(r).ravel())
        if ctx.want("hessian"):
            H = ca.Function("h", [x], [ca.hessian(y, x)[0]])
            ctx.time("hessian", lambda: H(x0), key="hv", check=lambda r: dense(r) @ v)
        if ctx.want("batch"):
            Gm = ca.Function("g", [x], [ca.gradient(y, x)]).map(ctx.batch)
            xs = np.ascontiguousarray(w.points(ctx.batch).T)
            ctx.time("batch_gradient", lambda: Gm(xs), key="batch_gradient", per=ctx.batch,
                     check=lambda r: dense(r).T)
    else:
        if ctx.want("forward"):
            ctx.time("forward", lambda: F(x0), key="value", check=lambda r: dense(r).ravel())
        if ctx.want("sparse_jacobian"):
            J = ca.Function("j", [x], [ca.jacobian(y, x)])
            # the call returns a sparse DM; converting it to scipy is what a user does next
            ctx.time("sparse_jacobian", lambda: J(x0).sparse(), key="jv",
                     check=lambda r: r @ v)
        if ctx.want("jvp"):
            s = ca.SX.sym("v", n)
            Jv = ca.Function("jv", [x, s], [ca.jtimes(y, x, s)])
            ctx.time("jvp", lambda: Jv(x0, v), key="jv", check=lambda r: dense(r).ravel())
