"""Tapes over Dask arrays: derivatives at many points, and many independent solves.

``pip install "adjit[dask]"``. Each function builds a lazy ``dask.array`` (nothing
is computed here): the points are split along the batch axis (axis 0) and every
block is one call of the tape's batched method on a worker. ``import adjit``
never imports this module or Dask.

The tape reaches the workers once, not once per task: with a
``dask.distributed`` client active it is scattered to every worker
(``client.scatter(tape, broadcast=True)``, once per tape and client: a second
call with the same tape sends nothing); otherwise it is one delayed object in the graph that
every block depends on. Each worker process loads the compiled kernels from its
Numba cache (``adjit.numba_cache``), as any process does.

A block evaluated where a recorded branch goes the other way raises
:class:`adjit.BranchChanged` on the caller when the result is computed, as
``tape.gradient(X)`` does in one process (a tape cannot re-trace: it has no
function to trace); its ``rows`` are indices into the whole batch, those of the
block that failed first. :func:`solve_many` takes the function itself and
re-traces, as ``adjit.newton`` does.
"""
from __future__ import annotations

import hashlib
import pickle
import threading
import weakref
from collections import OrderedDict
from typing import NamedTuple

try:
    import dask
    import dask.array as da
except ImportError as e:  # pragma: no cover - exercised in an environment without Dask
    raise ImportError(
        "adjit.dask needs Dask: pip install \"adjit[dask]\" (or pip install "
        "\"dask[array,distributed]\")") from e

import numpy as np

from . import parallel, solvers
from .errors import BranchChanged
from .tape import Tape
from .tracer import trace

__all__ = ["forward", "gradient", "jacobian", "hvp", "solve_many", "Solutions",
           "EXCEPTION", "NONFINITE"]

#: status of a row of :func:`solve_many` whose solve raised an exception
EXCEPTION = -1
#: status of a row whose solver reported success at a non-finite point
NONFINITE = -2

_META = np.empty((0, 0))


# --- inputs ------------------------------------------------------------------------

def _check_tape(tape, what):
    if not isinstance(tape, Tape):
        raise TypeError(f"adjit.dask.{what}: expected an adjit.Tape, got {type(tape).__name__}")


def _points(tape, X, name="X"):
    """``X`` as a float64 dask array of points, ``(B, n)`` or ``(B,) + tape.in_shape``,
    in one chunk along every axis but the first: a block must hold whole points,
    so a chunking along the input axes is undone here."""
    if not isinstance(X, da.Array):
        X = da.asarray(X)
    shapes = {(tape.n_inputs,), tuple(tape.in_shape)}
    if X.ndim < 1 or X.shape[1:] not in shapes:
        want = " or ".join(f"(B, {', '.join(map(str, s))})" if s else "(B,)"
                           for s in sorted(shapes, key=len))
        raise ValueError(f"{name}: expected a dask array of shape {want} (a batch of points "
                         f"along axis 0), got shape {X.shape}")
    if np.issubdtype(X.dtype, np.complexfloating) or not (
            np.issubdtype(X.dtype, np.number) or X.dtype == np.bool_):
        raise TypeError(f"{name}: expected real numbers, got dtype {X.dtype}")
    if X.dtype != np.float64:
        X = X.astype(np.float64)
    if any(len(c) > 1 for c in X.chunks[1:]):
        X = X.rechunk({k: -1 for k in range(1, X.ndim)})
    return X


def _same_rows(A, X, name):
    """``A`` (rows matching ``X``) chunked like ``X`` along axis 0."""
    if A.shape[0] != X.shape[0]:
        raise ValueError(f"{name}: expected {X.shape[0]} rows (one per point of X), "
                         f"got {A.shape[0]}")
    if A.chunks[0] != X.chunks[0] or (A.ndim > 1 and any(len(c) > 1 for c in A.chunks[1:])):
        A = A.rechunk((X.chunks[0],) + tuple(-1 for _ in A.chunks[1:]))
    return A


#: per tape, per client id: the future of the tape scattered to that client's workers.
#: Held while the tape lives, so the workers keep a copy and a second call with the
#: same tape sends nothing (a hashed scatter whose earlier future was released can
#: race with the release and lose the data).
_SCATTERED: "weakref.WeakKeyDictionary[Tape, dict]" = weakref.WeakKeyDictionary()
_SCATTER_LOCK = threading.Lock()


def _parcel(tape):
    """What travels: ``(digest, tape)``, the digest naming the tape's contents."""
    return hashlib.blake2b(pickle.dumps(tape), digest_size=16).hexdigest(), tape


def _on_workers(tape):
    """The tape's parcel as the blocks' argument: a future scattered to every worker
    when a distributed client is active (and no other scheduler configured), else
    one delayed object in the graph."""
    if dask.config.get("scheduler", None) not in (None, "dask.distributed", "distributed"):
        return dask.delayed(_parcel(tape), pure=True)
    try:
        from distributed import default_client
        client = default_client()
    except (ImportError, ValueError):
        return dask.delayed(_parcel(tape), pure=True)
    with _SCATTER_LOCK:
        per_client = _SCATTERED.setdefault(tape, {})
        future = per_client.get(client.id)
        if future is None or future.status != "finished":
            # in a list: scatter would send a bare tuple's items one by one
            future = client.scatter([_parcel(tape)], broadcast=True)[0]
            per_client[client.id] = future
        return future


#: tapes a worker process has evaluated, by digest (the most recent few). Dask may
#: hand a task a fresh copy of the tape (its memory manager drops replicas that no
#: waiting task needs, and the next task fetches it again); evaluating the copy
#: already used here keeps the structures a tape builds on first use (run
#: programs, pair dispatch, scratch buffers) from being built once per task.
_RESIDENT: "OrderedDict[str, Tape]" = OrderedDict()
_RESIDENT_MAX = 8
_RESIDENT_LOCK = threading.Lock()


def _resident(parcel) -> Tape:
    digest, tape = parcel
    with _RESIDENT_LOCK:
        kept = _RESIDENT.get(digest)
        if kept is None:
            _RESIDENT[digest] = kept = tape
            while len(_RESIDENT) > _RESIDENT_MAX:
                _RESIDENT.popitem(last=False)
        _RESIDENT.move_to_end(digest)
        return kept


# --- per-block functions -----------------------------------------------------------

def _in_batch(call, Xb, block_info):
    """``call()``, a BranchChanged's rows renumbered from the block to the batch (a
    report without rows, from a per-point loop, gets the row of its point)."""
    try:
        with parallel.serial():  # Dask's workers are the parallelism
            return call()
    except BranchChanged as e:
        start = block_info[0]["array-location"][0][0] if block_info else 0
        if e.rows is not None:
            rows = np.asarray(e.rows)
        else:
            flat = Xb.reshape(len(Xb), -1)
            rows = np.flatnonzero((flat == np.ravel(e.x)).all(axis=1))[:1]
        raise BranchChanged(e.tape, e.guard, e.x, rows=rows + start,
                            explain=e.explain) from None


def _forward_block(Xb, parcel, block_info=None):
    tape = _resident(parcel)
    return _in_batch(lambda: tape.forward(Xb), Xb, block_info)


def _gradient_block(Xb, parcel, block_info=None):
    tape = _resident(parcel)
    return _in_batch(lambda: tape.gradient(Xb), Xb, block_info)


def _jacobian_block(Xb, parcel, block_info=None):
    tape = _resident(parcel)
    return _in_batch(lambda: tape.jacobian(Xb), Xb, block_info)


def _hvp_block(Xb, Vb, parcel, w, block_info=None):
    tape = _resident(parcel)
    return _in_batch(lambda: tape.hvp(Xb, Vb, w=w), Xb, block_info)


# --- public: derivatives over a dask array -----------------------------------------

def forward(tape, X):
    """Outputs at every point of ``X`` (``(B, n)`` or ``(B,) + tape.in_shape``), flat
    as the tape's batches give them: a dask array ``(B, m)``."""
    _check_tape(tape, "forward")
    X = _points(tape, X)
    return X.map_blocks(_forward_block, _on_workers(tape), dtype=np.float64, meta=_META,
                        drop_axis=list(range(2, X.ndim)),
                        chunks=(X.chunks[0], (tape.n_outputs,)))


def gradient(tape, X):
    """Gradients of a single-output tape at every point of ``X``, shaped like ``X``."""
    _check_tape(tape, "gradient")
    if tape.n_outputs != 1:
        raise ValueError(f"adjit.dask.gradient needs a tape with one output; this one has "
                         f"{tape.n_outputs}: use adjit.dask.jacobian")
    X = _points(tape, X)
    return X.map_blocks(_gradient_block, _on_workers(tape), dtype=np.float64,
                        meta=np.empty((0,) * X.ndim), chunks=X.chunks)


def jacobian(tape, X):
    """Dense Jacobians at every point of ``X``: a dask array ``(B, m, n)``."""
    _check_tape(tape, "jacobian")
    X = _points(tape, X)
    if X.ndim != 2:
        X = X.reshape((X.shape[0], tape.n_inputs))  # one chunk per row block already
    return X.map_blocks(_jacobian_block, _on_workers(tape), dtype=np.float64,
                        meta=np.empty((0, 0, 0)), new_axis=1,
                        chunks=(X.chunks[0], (tape.n_outputs,), (tape.n_inputs,)))


def hvp(tape, X, V, w=None):
    """Hessian-vector products ``H(x_k) v_k`` (of ``Σ w_i f_i``; ``w`` as in
    :meth:`adjit.Tape.hvp`, one for all rows) for points ``x_k`` of ``X`` and
    ``v_k`` of ``V``, both ``(B, n)`` or ``(B,) + tape.in_shape``: shaped like ``X``."""
    _check_tape(tape, "hvp")
    X = _points(tape, X)
    V = _points(tape, V, "V")
    if V.shape[1:] != X.shape[1:]:
        V = V.reshape(X.shape)  # flat and shaped points alike: one chunk per point
    V = _same_rows(V, X, "V")
    if w is not None:
        w = np.array(w, dtype=np.float64).reshape(-1)
        if w.shape != (tape.n_outputs,):
            raise ValueError(f"w: expected shape ({tape.n_outputs},), got {w.shape}")
    elif tape.n_outputs != 1:
        raise ValueError(f"hvp: w is required for a tape with {tape.n_outputs} outputs "
                         "(the Hessian of Σ w_i f_i)")
    return da.map_blocks(_hvp_block, X, V, _on_workers(tape), w, dtype=np.float64,
                         meta=np.empty((0,) * X.ndim), chunks=X.chunks)


# --- public: many independent solves -------------------------------------------------

class Solutions(NamedTuple):
    """What :func:`solve_many` returns: dask arrays with one row per problem.

    ``x`` ``(N, n)`` (shaped like ``X0s``) the solver's final point (NaN where it raised); ``success``
    ``(N,)`` bool; ``status`` ``(N,)`` int: the solver's code (``adjit.newton``'s 0-4,
    or scipy's for ``minimize``), :data:`EXCEPTION` (-1) when it raised, or
    :data:`NONFINITE` (-2) when it claimed success at a non-finite point; ``nit``
    ``(N,)`` iterations; ``message`` ``(N,)`` object array of str. Compute them together
    (``dask.compute(*sols)``) so each block is solved once.
    """
    x: da.Array
    success: da.Array
    status: da.Array
    nit: da.Array
    message: da.Array


def _solve_one(solve, F, tape, x0, row_args, options):
    """One solve, on the block's tape while its branches hold, else from ``F``
    itself, which re-traces where a branch flips as ``adjit.newton`` does in one
    process."""
    if tape is not None:
        try:
            return solve(tape, x0, args=row_args, **options)
        except BranchChanged:
            if isinstance(F, Tape):
                raise
    return solve(F, x0, args=row_args, **options)


def _solve_block(F, method, options, X0b, *arg_blocks):
    """Every row of the block solved; a failed row reported, never raised."""
    solve = solvers.newton if method == "newton" else solvers.minimize
    rows = X0b.shape[0]
    x = np.full(X0b.shape, np.nan)
    success = np.zeros(rows, dtype=bool)
    status = np.full(rows, EXCEPTION, dtype=np.int64)
    nit = np.zeros(rows, dtype=np.int64)
    message = np.empty(rows, dtype=object)
    tape = F if isinstance(F, Tape) else None
    for k in range(rows):
        row_args = tuple(a[k] for a in arg_blocks)
        try:
            if tape is None:  # traced once per block, at its first row that traces
                tape = trace(F, X0b[k], *row_args)
            res = _solve_one(solve, F, tape, X0b[k], row_args, options)
        except Exception as e:  # the row reports it; the others go on
            message[k] = f"{type(e).__name__}: {e}"
            continue
        x[k] = np.reshape(res.x, x[k].shape)
        nit[k] = int(getattr(res, "nit", 0) or 0)
        status[k] = int(res.status)
        success[k] = bool(res.success)
        message[k] = str(res.message)
        if success[k] and not (np.all(np.isfinite(res.x)) and np.all(np.isfinite(res.fun))):
            success[k], status[k] = False, NONFINITE
            message[k] = f"non-finite solution reported as success ({res.message})"
    return x, success, status, nit, message


def solve_many(F, X0s, *, method="newton", args=(), algorithm=None, **options) -> Solutions:
    """Independent solves, one per row of ``X0s`` ``(N, n)``: ``adjit.newton(F, x0)``
    (``method="newton"``) or ``adjit.minimize(F, x0)`` (``method="minimize"``; scipy's
    method as ``algorithm``, default adjit's). ``args`` is a tuple of arrays with one
    row per problem (dask or NumPy, leading axis N), converted to float64: row k's
    rows go to row k's solve as data arguments (``args=``), so one trace serves
    every row. Settings that are not data (ints, strings) belong in ``F`` itself.
    ``options`` go to the solver (``tol``, ``maxiter``, ...).

    ``F`` (a callable or a Tape) is sent to the workers once; a callable is traced
    once per block and re-traced for a row only where a branch flips. A row whose
    solve raises, fails to converge or ends non-finite says so in its
    ``status``/``message``; the other rows are unaffected. Returns lazy
    :class:`Solutions`.
    """
    if method not in ("newton", "minimize"):
        raise ValueError(f"method: expected 'newton' or 'minimize', got {method!r}")
    if not (callable(F) or isinstance(F, Tape)):
        raise TypeError(f"F: expected a callable or an adjit.Tape, got {type(F).__name__}")
    if algorithm is not None:
        if method != "minimize":
            raise ValueError("algorithm (scipy's method) applies to method='minimize' only")
        options["method"] = algorithm
    if not isinstance(X0s, da.Array):
        X0s = da.asarray(X0s)
    if X0s.ndim < 2:
        raise ValueError(f"X0s: expected a dask array (N, n) (or (N,) + a point's shape) "
                         f"of starting points, one per row, got shape {X0s.shape}")
    if np.issubdtype(X0s.dtype, np.complexfloating) or not (
            np.issubdtype(X0s.dtype, np.number) or X0s.dtype == np.bool_):
        raise TypeError(f"X0s: expected real numbers, got dtype {X0s.dtype}")
    X0s = X0s.astype(np.float64)
    if any(len(c) > 1 for c in X0s.chunks[1:]):
        X0s = X0s.rechunk({k: -1 for k in range(1, X0s.ndim)})
    if not isinstance(args, tuple):
        raise TypeError(f"args: expected a tuple of per-row arrays, got {type(args).__name__}")
    arg_arrays = []
    for i, a in enumerate(args):
        a = a if isinstance(a, da.Array) else da.asarray(a)
        if a.ndim == 0:
            raise ValueError(f"args[{i}]: expected one row per problem (leading axis "
                             f"{X0s.shape[0]}), got a scalar")
        if np.issubdtype(a.dtype, np.complexfloating) or not np.issubdtype(a.dtype, np.number):
            raise TypeError(f"args[{i}]: expected real numbers (data), got dtype {a.dtype}")
        # float: data arguments, read by the block's one tape at each row's values
        a = a.astype(np.float64)
        arg_arrays.append(_same_rows(a, X0s, f"args[{i}]"))
    f_once = dask.delayed(F, pure=True)
    blocks = [b for b in X0s.to_delayed().ravel()]
    arg_blocks = [a.to_delayed().ravel() for a in arg_arrays]
    parts = {field: [] for field in Solutions._fields}
    for i, (b, rows) in enumerate(zip(blocks, X0s.chunks[0])):
        done = dask.delayed(_solve_block, nout=5, pure=True)(
            f_once, method, options, b, *(a[i] for a in arg_blocks))
        for field, d, shape, dtype in zip(
                Solutions._fields, done, ((rows,) + X0s.shape[1:],) + ((rows,),) * 4,
                (np.float64, bool, np.int64, np.int64, object)):
            parts[field].append(da.from_delayed(d, shape, dtype=dtype))
    return Solutions(*(da.concatenate(parts[f]) for f in Solutions._fields))
