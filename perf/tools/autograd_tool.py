"""autograd (HIPS) on the vectorized code, or on the scalar loop where a
workload has no array form. autograd re-traces the function on every call:
there is no compiled artefact to reuse, so every call pays the Python cost."""
from __future__ import annotations

import numpy as np

from ..workloads import Namespace


def run(ctx):
    import autograd
    import autograd.numpy as anp

    w = ctx.w
    fn = w.vector or w.scalar
    ctx.info(style="vector" if w.vector else "scalar")
    m = Namespace(anp, asarray=np.asarray, concat=anp.concatenate)
    if w.n_outputs == 1:
        f = lambda x: fn(x, m)  # noqa: E731
    else:
        def f(x):
            y = fn(x, m)
            return anp.stack([anp.asarray(v) for v in y]) if isinstance(y, list) else y
    x0, v = w.x0, ctx.direction
    if ctx.want("forward"):
        ctx.time("forward", lambda: f(x0), key="value", check=np.atleast_1d)
    if w.n_outputs == 1:
        if ctx.want("gradient"):
            ctx.time("gradient", lambda: autograd.grad(f)(x0), key="gradient")
        if ctx.want("hvp"):
            hvp = autograd.hessian_vector_product(f)
            ctx.time("hvp", lambda: hvp(x0, v), key="hv")
        if ctx.want("hessian") and w.n_inputs <= 500:
            ctx.time("hessian", lambda: autograd.hessian(f)(x0), key="hv",
                     check=lambda H: H @ v)
    elif ctx.want("jacobian_reverse") and w.n_inputs * w.n_outputs <= 4_000_000:
        ctx.time("jacobian_reverse", lambda: autograd.jacobian(f)(x0), key="jv",
                 check=lambda J: J @ v)
