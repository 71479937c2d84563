"""Solvers on traced functions: Newton's method for F(x) = 0, and a front end
to ``scipy.optimize.minimize`` with exact derivatives.

Both trace the user's function once and reuse the tape for every evaluation;
if a recorded branch goes the other way at a new point (``BranchChanged``), the
function is traced again there. Results are ``scipy.optimize.OptimizeResult``
objects; failures are reported in ``success``/``status``/``message``, never as
a silently wrong ``x``.
"""
from __future__ import annotations

import warnings

import numpy as np
import scipy.linalg
import scipy.optimize
import scipy.sparse as sp
import scipy.sparse.linalg

from .errors import BranchChanged
from .program import as_float_array
from .tape import Tape
from .tracer import trace

# Newton's status codes.
CONVERGED, MAXITER, SINGULAR, NONFINITE, LINESEARCH = 0, 1, 2, 3, 4

_SPARSE_MIN_SIZE = 200  # below this, dense LU is faster than any sparse machinery
_SPARSE_MAX_DENSITY = 0.05  # structural fill above which sparse LU stops paying


class _Traced:
    """A function and its current tape (with the data arguments ``args``);
    retraces where a recorded branch flips."""

    def __init__(self, f, x0, what, args=()):
        if not isinstance(args, tuple):
            args = (args,) if not isinstance(args, list) else tuple(args)
        self.args = args
        self.shape = np.shape(x0)
        if isinstance(f, Tape):
            self.f, self.tape = None, f
        elif callable(f):
            self.f, self.tape = f, trace(f, x0, *args)
        else:
            raise TypeError(f"{what}: expected a callable or an adjit.Tape, "
                            f"got {type(f).__name__}")
        self.n_traces = 1

    def call(self, method, x, *extra, **kw):
        """``tape.method(x, *extra, *args, **kw)``; ``x`` flat."""
        try:
            return getattr(self.tape, method)(x, *extra, *self.args, **kw)
        except BranchChanged:
            if self.f is None:
                raise
            self.tape = trace(self.f, np.reshape(x, self.shape), *self.args)
            self.n_traces += 1
            return getattr(self.tape, method)(x, *extra, *self.args, **kw)


def _use_sparse(tape, sparse) -> bool:
    if sparse in (True, False):
        return sparse
    if sparse != "auto":
        raise ValueError(f"sparse: expected True, False or 'auto', got {sparse!r}")
    n = tape.n_inputs
    if n < _SPARSE_MIN_SIZE:
        return False
    return tape.jacobian_sparsity().nnz <= _SPARSE_MAX_DENSITY * n * n


def _solve(J, r, linear_solver):
    """Newton step s with J s = -r, or None when J is (numerically) singular."""
    if linear_solver is not None:
        s = linear_solver(J, -r)
        return None if s is None else np.asarray(s, dtype=np.float64).reshape(-1)
    if sp.issparse(J):
        try:
            lu = scipy.sparse.linalg.splu(J.tocsc())
        except RuntimeError:  # "Factor is exactly singular"
            return None
        u = np.abs(lu.U.diagonal())
        if u.min() <= np.finfo(float).eps * len(u) * u.max():
            return None
        return lu.solve(-r)
    if not np.all(np.isfinite(J)):
        return None
    with warnings.catch_warnings():  # singularity is reported by the caller instead
        warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
        lu, piv = scipy.linalg.lu_factor(J, check_finite=False)
    u = np.abs(np.diag(lu))
    # A pivot this small relative to the largest means the step is noise.
    if u.min() <= np.finfo(float).eps * len(u) * u.max():
        return None
    return scipy.linalg.lu_solve((lu, piv), -r, check_finite=False)


def newton(F, x0, args=(), *, tol=1e-10, maxiter=50, sparse="auto", linear_solver=None,
           callback=None, max_backtracks=30, target=None):
    """Solve ``F(x, *args) = 0`` (or ``= target``) for square ``F: R^n -> R^n``
    by Newton's method.

    Each iteration solves ``J(x) s = -F(x)`` with the exact Jacobian and takes
    the longest step ``x + α s``, ``α = 1, 1/2, 1/4, ...``, that decreases
    ``‖F‖²`` sufficiently (Armijo, ``‖F(x+αs)‖² ≤ (1 - 2·10⁻⁴ α)‖F(x)‖²``);
    trial points where ``F`` is not finite count as no decrease.

    Parameters
    ----------
    F : callable or Tape
        Traced once at ``x0`` (see :func:`adjit.trace`). ``x0`` may have any
        shape (``F`` returns as many values, in any shape); ``x`` and ``fun``
        come back in the traced shapes.
    args : tuple
        More arguments for ``F``, as ``scipy.optimize`` spells it: float arrays
        among them are data (a tape of ``F`` serves any data of the same
        shapes without a new trace), others are static.
    tol : float
        Converged when ``max |F_i(x)| <= tol``.
    sparse : True, False or "auto"
        Sparse Jacobians (``Tape.sparse_jacobian``) with ``splu``, or dense
        Jacobians with LU. "auto" picks sparse for ``n >= 200`` when the
        Jacobian's structural density is at most 5%.
    linear_solver : callable ``(J, b) -> s`` or None
        Replaces the LU solve (``J`` is a ``csr_matrix`` or an ndarray); return
        None to report a singular system.
    callback : callable ``(x, residual_norm)`` or None
        Called after every iteration; returning True stops (status 1).
    target : array ``(n,)`` or None
        Solve ``F(x) = target``; the residual is ``F(x) - target``. This lets one
        tape serve a sequence of solves (implicit time steps, continuation).

    Returns
    -------
    OptimizeResult with ``x``, ``fun`` (the residual at x), ``success``, ``status`` (0
    converged, 1 iteration limit or stopped by the callback, 2 singular
    Jacobian, 3 non-finite residual, 4 line search failed), ``message``,
    ``nit``, ``nfev`` (evaluations of F), ``njev`` (Jacobians), ``residuals``
    (``max |F|`` at x0 and after each iteration), ``sparse`` and ``tape``.
    """
    x = as_float_array(x0, None, "x0")
    fn = _Traced(F, x, "newton: F", args)
    x = x.reshape(-1).copy()
    tape = fn.tape
    if tape.n_outputs != tape.n_inputs:
        raise ValueError(f"newton needs a square system: F has {tape.n_outputs} outputs for "
                         f"{tape.n_inputs} unknowns")
    use_sparse = _use_sparse(tape, sparse)
    jac = "sparse_jacobian" if use_sparse else "jacobian"
    b = np.zeros(tape.n_outputs) if target is None else np.reshape(as_float_array(
        target, None, "target"), -1)
    if b.shape != (tape.n_outputs,):
        raise ValueError(f"target: expected {tape.n_outputs} values (shape "
                         f"{tape.out_shape}), got shape {np.shape(target)}")
    r = fn.call("forward", x) - b
    nfev, njev = 1, 0
    norms = [float(np.max(np.abs(r)))]

    def result(status, message, nit):
        return scipy.optimize.OptimizeResult(
            x=x.reshape(fn.shape), fun=r.reshape(fn.tape.out_shape), success=status == CONVERGED, status=status, message=message,
            nit=nit, nfev=nfev, njev=njev, residuals=np.array(norms), sparse=use_sparse,
            tape=fn.tape)

    if not np.all(np.isfinite(r)):
        return result(NONFINITE, "F(x0) is not finite", 0)
    for it in range(1, maxiter + 1):
        if norms[-1] <= tol:
            return result(CONVERGED, f"converged: max |F| = {norms[-1]:.3g} <= tol = {tol:g}",
                          it - 1)
        J = fn.call(jac, x)
        njev += 1
        s = _solve(J, r, linear_solver)
        if s is None or not np.all(np.isfinite(s)):
            return result(SINGULAR, f"singular Jacobian at iteration {it}: the Newton step is "
                          "undefined", it - 1)
        phi = float(r @ r)
        alpha = 1.0
        for _ in range(max_backtracks):
            trial = x + alpha * s
            r_trial = fn.call("forward", trial) - b
            nfev += 1
            if np.all(np.isfinite(r_trial)) and r_trial @ r_trial <= (1 - 2e-4 * alpha) * phi:
                break
            alpha *= 0.5
        else:
            bad = not np.all(np.isfinite(r_trial))
            return result(NONFINITE if bad else LINESEARCH,
                          ("non-finite residual along the Newton step " if bad else
                           "line search failed: no decrease of ‖F‖² along the Newton step ")
                          + f"after {max_backtracks} halvings (iteration {it})", it - 1)
        x, r = trial, r_trial
        norms.append(float(np.max(np.abs(r))))
        if callback is not None and callback(x, norms[-1]):
            return result(MAXITER, f"stopped by the callback after iteration {it}", it)
    if norms[-1] <= tol:
        return result(CONVERGED, f"converged: max |F| = {norms[-1]:.3g} <= tol = {tol:g}",
                      maxiter)
    return result(MAXITER, f"no convergence in maxiter = {maxiter} iterations: max |F| = "
                  f"{norms[-1]:.3g} > tol = {tol:g}", maxiter)


# Which derivative each scipy method takes (others get the gradient only).
_HESSP_METHODS = {"newton-cg", "trust-ncg", "trust-krylov"}
_HESS_METHODS = {"trust-exact", "dogleg", "trust-constr"}


def minimize(f, x0, args=(), method="trust-exact", *, sparse_hessian=False, constraints=(),
             **kwargs):
    """``scipy.optimize.minimize`` of the scalar ``f(x, *args)`` with derivatives
    from one tape.

    ``args`` as SciPy spells it: float arrays among them are data (new data of
    the same shapes needs no new trace), others static. ``x0`` may have any
    shape; SciPy works on it flattened and the result's ``x`` comes back in
    ``x0``'s shape.

    The objective and gradient come from one forward and one reverse sweep
    (``jac=True``). Newton-CG, trust-ncg and trust-krylov get exact
    Hessian-vector products (``hessp``); trust-exact, dogleg and trust-constr
    the exact Hessian (``hess``; a ``csr_matrix`` for trust-constr when
    ``sparse_hessian=True``). Other methods (BFGS, L-BFGS-B, CG, SLSQP, ...)
    use the gradient. ``jac``/``hess``/``hessp`` given in ``kwargs`` win.

    ``constraints`` may be dicts ``{"type": "eq"|"ineq", "fun": g}`` or
    ``scipy.optimize.NonlinearConstraint`` objects whose functions adjit can
    trace; each gets its exact Jacobian (and, for NonlinearConstraint, the
    Hessian of ``v · g``). The result has an extra field ``tape``.
    """
    if isinstance(args, str) and method == "trust-exact":
        args, method = (), args  # minimize(f, x0, "BFGS"), as before args existed
    x0 = as_float_array(x0, None, "x0")
    fn = _Traced(f, x0, "minimize: f", args)
    shape = x0.shape
    x0 = x0.reshape(-1)
    if fn.tape.n_outputs != 1:
        raise ValueError(f"minimize needs a scalar f; this one has {fn.tape.n_outputs} outputs")
    name = method.lower() if isinstance(method, str) else method
    options = dict(kwargs)
    if any(k in options for k in ("jac", "hess", "hessp")):
        fun = lambda x: float(fn.call("forward", x)[0])  # noqa: E731
        options.setdefault("jac", lambda x: fn.call("gradient", x))
    else:
        def fun(x):
            y, g = fn.call("value_and_gradient", x)
            return y, g
        options["jac"] = True
        if name in _HESSP_METHODS:
            options["hessp"] = lambda x, p: fn.call("hvp", x, p)
        elif name in _HESS_METHODS:
            hess = "sparse_hessian" if sparse_hessian else "hessian"
            options["hess"] = lambda x: fn.call(hess, x)
    cons = _constraints(constraints, x0.reshape(shape), name)
    if cons:
        options["constraints"] = cons
    res = scipy.optimize.minimize(fun, x0, method=method, **options)
    res.x = np.reshape(res.x, shape)
    res.tape = fn.tape
    return res


def _constraints(constraints, x0, method):
    if isinstance(constraints, (dict, scipy.optimize.NonlinearConstraint)):
        constraints = [constraints]
    out = []
    for c in constraints:
        if isinstance(c, scipy.optimize.NonlinearConstraint):
            g = _Traced(c.fun, x0, "constraint fun")
            m = g.tape.n_outputs
            out.append(scipy.optimize.NonlinearConstraint(
                lambda x, g=g: g.call("forward", x), c.lb, c.ub,
                jac=lambda x, g=g: g.call("jacobian", x),
                hess=lambda x, v, g=g: g.call("hessian", x, w=np.asarray(v, float).reshape(m)),
                keep_feasible=c.keep_feasible))
        elif isinstance(c, dict):
            if "fun" not in c or "type" not in c:
                raise ValueError("a constraint dict needs 'type' ('eq' or 'ineq') and 'fun'")
            g = _Traced(c["fun"], x0, "constraint fun", c.get("args", ()))
            d = dict(c)
            d.pop("args", None)
            d["fun"] = lambda x, g=g: g.call("forward", x)
            d.setdefault("jac", lambda x, g=g: g.call("jacobian", x))
            out.append(d)
        else:
            out.append(c)  # LinearConstraint and friends pass through
    return out
