"""JAX ``jit`` of ``grad``/``jacfwd``/``jacrev``/``hessian``/``vmap`` on CPU in
float64, either on the vectorized code (``style=vector``: how JAX is meant to
be used) or on the scalar-loop code (``style=scalar``: what adjit records; JAX
unrolls the loop, so compile time and memory grow fast with its length).

Every timed call ends in ``block_until_ready`` so asynchronous dispatch does
not make a call look cheaper than the work it starts.
"""
from __future__ import annotations

import os

import numpy as np

from ..workloads import Namespace


def run(ctx):
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    w = ctx.w
    style = ctx.options.get("style", "vector")
    fn = w.vector if style == "vector" else w.scalar
    if fn is None:
        ctx.info(note="no vectorized form of this workload")
        return
    m = Namespace(jnp, asarray=jnp.asarray, concat=jnp.concatenate)
    if w.n_outputs == 1:
        def f(x):
            return jnp.asarray(fn(x, m), dtype=jnp.float64).reshape(())
    else:
        def f(x):
            y = fn(x, m)
            if isinstance(y, list):
                y = jnp.stack([jnp.asarray(v, dtype=jnp.float64) for v in y])
            return y
    x0 = jnp.asarray(w.x0)
    v = jnp.asarray(ctx.direction)

    def timed(q, jitted, *args, key=None, per=1, check=None):
        call = lambda: jitted(*args).block_until_ready()  # noqa: E731
        return ctx.time(q, call, key=key, per=per,
                        check=lambda r: check(np.asarray(r)) if check else np.asarray(r))

    if w.n_outputs == 1:
        if ctx.want("gradient"):
            timed("gradient", jax.jit(jax.grad(f)), x0, key="gradient")
        if ctx.want("forward"):
            timed("forward", jax.jit(f), x0, key="value", check=lambda y: y.reshape(1))
        if ctx.want("hvp"):
            hvp = jax.jit(lambda x, v: jax.jvp(jax.grad(f), (x,), (v,))[1])
            timed("hvp", hvp, x0, v, key="hv")
        if ctx.want("hessian"):
            timed("hessian", jax.jit(jax.hessian(f)), x0, key="hv",
                  check=lambda H: H @ np.asarray(v))
        if ctx.want("batch"):
            xs = jnp.asarray(w.points(ctx.batch))
            timed("batch_gradient", jax.jit(jax.vmap(jax.grad(f))), xs,
                  key="batch_gradient", per=ctx.batch)
    else:
        if ctx.want("forward"):
            timed("forward", jax.jit(f), x0, key="value")
        if ctx.want("jvp"):
            timed("jvp", jax.jit(lambda x, v: jax.jvp(f, (x,), (v,))[1]), x0, v, key="jv")
        dense = w.n_inputs * w.n_outputs <= 4_000_000
        for q, tr in (("jacobian_forward", jax.jacfwd), ("jacobian_reverse", jax.jacrev)):
            if dense and ctx.want(q):
                timed(q, jax.jit(tr(f)), x0, key="jv", check=lambda J: J @ np.asarray(v))
        if ctx.want("batch"):
            xs = jnp.asarray(w.points(ctx.batch))
            timed("batch_forward", jax.jit(jax.vmap(f)), xs, key="batch_forward",
                  per=ctx.batch)
