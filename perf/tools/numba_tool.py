"""The hand-written analytic ``@njit`` code of :mod:`perf.handwritten`: the
practical limit for the workloads that have one (Rosenbrock, Lennard-Jones,
the 2-input textbook gradient, the Bratu residual, logistic regression); the
vectorized families reuse their scalar twins' kernels."""
from __future__ import annotations

import numpy as np

from .. import handwritten as hw
from ..workloads import BRATU_LAMBDA


def run(ctx):
    w, x0 = ctx.w, ctx.w.x0
    kernels = {
        "rosenbrock": (hw.rosenbrock_forward, hw.rosenbrock_gradient,
                       hw.rosenbrock_batch_gradient, None),
        "lj": (hw.lj_forward, hw.lj_gradient, hw.lj_batch_gradient, hw.lj_hessian),
        "textbook2": (None, hw.textbook2_gradient, None, None),
    }
    kernels["rosenvec"] = kernels["rosenbrock"]
    kernels["ljvec"] = kernels["lj"]
    if w.family == "logistic":
        X, s, lam = w.data["X"], w.data["s"], w.data["lam"]
        Xt = np.ascontiguousarray(X.T)
        kernels["logistic"] = (lambda x: hw.logistic_forward(x, X, s, lam),
                               lambda x: hw.logistic_gradient(x, X, Xt, s, lam), None,
                               lambda x: hw.logistic_hessian(x, X, Xt, s, lam))
    if w.family in ("bratu", "bratuslice"):
        side = w.size
        if ctx.want("forward"):
            ctx.time("forward", lambda: hw.bratu_forward(x0, side, BRATU_LAMBDA), key="value")
        return
    if w.family not in kernels:
        ctx.info(note="no hand-written code for this workload")
        return
    forward, gradient, batch, hessian = kernels[w.family]
    if gradient is not None and ctx.want("gradient"):
        ctx.time("gradient", lambda: gradient(x0), key="gradient")
    if forward is not None and ctx.want("forward"):
        ctx.time("forward", lambda: forward(x0), key="value", check=lambda y: [y])
    if hessian is not None and ctx.want("hessian"):
        v = ctx.direction
        ctx.time("hessian", lambda: hessian(x0), key="hv", check=lambda H: H @ v)
    if batch is not None and ctx.want("batch"):
        xs = w.points(ctx.batch)
        ctx.time("batch_gradient", lambda: batch(xs), key="batch_gradient", per=ctx.batch)
