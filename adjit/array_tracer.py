"""Traced arrays held in blocks of slots: a NumPy call records one array instruction.

:func:`adjit.trace` passes the function a :class:`TracedBlock`, a view of the
slots of its input, instead of an array of traced scalars. A ufunc on traced
blocks records one elementwise array instruction (:mod:`adjit.arrays`) over the
broadcast shape; ``np.sum``/``np.mean`` one sum, ``@``/``np.dot``/``np.matmul``
one matrix product. Indexing, slicing, transposing, reshaping, concatenating and
stacking record nothing: a traced block carries the slot number of each of its
elements (``_idx``, a NumPy integer array moved by NumPy's own functions), and an
operand whose slots are not an arithmetic progression is gathered into a new
block when an instruction reads it. An element is a traced scalar of the slot it
sits in, so scalar code on a traced block records scalar rows as before.

Every NumPy function or method this module does not record as array
instructions runs as it did before array instructions existed: on an object
array of the elements' traced scalars (:class:`adjit.tracer.TracedArray`), one
scalar row per element. Results are the same either way, to rounding.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from . import array_sweeps as K
from . import ops, tracer
from .errors import TracingError
from .tracer import TracedArray, Tracer, new_tracer

_OPCODE = ops.OPCODES
_SCALAR_TYPES = (int, float, np.integer, np.floating, bool, np.bool_)


class TracedBlock:
    """A traced NumPy array: slots of a recording, in ``shape``.

    Arithmetic, ufuncs, ``np.sum``/``np.mean``, matrix products and the
    functions that move elements record array instructions; every other NumPy
    function or method runs on the object array of its traced scalars
    (:meth:`traced`), one scalar instruction per element.
    """

    __slots__ = ("_rec", "_start", "_shape", "_idx")
    __array_priority__ = 2000

    # --- what it is ------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return self._shape

    @property
    def ndim(self) -> int:
        return len(self._shape)

    @property
    def size(self) -> int:
        return math.prod(self._shape)

    @property
    def dtype(self):
        return np.dtype(object)

    @property
    def T(self):
        return self.transpose()

    def __len__(self):
        if not self._shape:
            raise TypeError("len() of unsized object")
        return self._shape[0]

    def __repr__(self):
        return f"TracedBlock(shape={self._shape})"

    def slots(self) -> np.ndarray:
        """The slot of each element, an int64 array of :attr:`shape`."""
        if self._idx is None:
            idx = np.arange(self._start, self._start + self.size, dtype=np.int64)
            self._rec.aranges[id(idx)] = idx  # the owner of every view of it
            self._idx = idx.reshape(self._shape)
        return self._idx

    def traced(self) -> TracedArray:
        """The object array of the elements' traced scalars (no instruction)."""
        rec = self._rec
        flat = self.slots().reshape(-1)
        arr = np.empty(flat.shape[0], dtype=object)
        for k, s in enumerate(flat.tolist()):
            arr[k] = new_tracer(rec, s)
        return arr.reshape(self._shape).view(TracedArray)

    def __array__(self, dtype=None, copy=None):
        # the traced scalars' array (a TracedArray: NumPy and libraries working
        # on it keep recording); a numeric dtype raises as converting that does
        if dtype is not None and np.dtype(dtype) != object:
            return np.asarray(self.traced(), dtype=dtype)
        return self.traced()

    def __iter__(self):
        if not self._shape:
            raise TypeError("iteration over a 0-d array")
        for i in range(self._shape[0]):
            yield self[i]

    # --- NumPy's protocols ----------------------------------------------------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return record_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        impl = FUNCTIONS.get(func)
        if impl is not None:
            out = impl(*args, **kwargs)
            if out is not NotImplemented:
                return out
        if func in MOVES:
            return _move(func, args, kwargs)
        return tracer.array_function(func, types, _fallback(args), _fallback(kwargs))

    def __getitem__(self, key):
        if _traced_key(key):
            return self.traced()[_fallback(key)]
        return _wrap_slots(self._rec, self.slots()[key])

    def __setitem__(self, key, value):
        rec = self._rec
        idx = self.slots()
        if _traced_key(key):
            mask = _fallback(key)
            chosen = tracer.where(mask, _fallback(value), self.traced())
            value = chosen
            key = Ellipsis
        owner = idx if idx.base is None else idx.base
        rec.aranges.pop(id(owner), None)  # its views are no longer progressions
        idx[key] = _slots_of(rec, value, np.shape(idx[key]))

    def __bool__(self):
        if self.size == 1:
            return bool(self.reshape(-1)[0])
        raise ValueError("The truth value of an array with more than one element is "
                         "ambiguous. Use a.any() or a.all()")

    def __float__(self):
        raise TracingError("float() of a traced array would drop its derivative")

    def __getattr__(self, name):
        # methods without an array instruction: those of the traced scalars' array
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.traced(), name)

    # --- methods recorded here ---------------------------------------------------
    def reshape(self, *shape, order="C"):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _wrap_slots(self._rec, self.slots().reshape(shape, order=order))

    def ravel(self, order="C"):
        return _wrap_slots(self._rec, self.slots().ravel(order))

    def flatten(self, order="C"):
        return _wrap_slots(self._rec, self.slots().flatten(order))

    def transpose(self, *axes):
        return _wrap_slots(self._rec, self.slots().transpose(*axes))

    def swapaxes(self, a, b):
        return _wrap_slots(self._rec, self.slots().swapaxes(a, b))

    def squeeze(self, axis=None):
        return _wrap_slots(self._rec, self.slots().squeeze(axis))

    def copy(self, order="C"):
        return _wrap_slots(self._rec, self.slots().copy())

    def sum(self, axis=None, dtype=None, out=None, keepdims=False, **kw):
        return np.sum(self, axis=axis, dtype=dtype, out=out, keepdims=keepdims, **kw)

    def mean(self, axis=None, dtype=None, out=None, keepdims=False, **kw):
        return np.mean(self, axis=axis, dtype=dtype, out=out, keepdims=keepdims, **kw)

    def dot(self, b, out=None):
        return np.dot(self, b, out=out)

    # adjit.array_numpy records these (trees, scans, contractions) or falls back
    def prod(self, axis=None, dtype=None, out=None, keepdims=False, **kw):
        return np.prod(self, axis=axis, dtype=dtype, out=out, keepdims=keepdims, **kw)

    def max(self, axis=None, out=None, keepdims=False, **kw):
        return np.max(self, axis=axis, out=out, keepdims=keepdims, **kw)

    def min(self, axis=None, out=None, keepdims=False, **kw):
        return np.min(self, axis=axis, out=out, keepdims=keepdims, **kw)

    def var(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
        return np.var(self, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims, **kw)

    def std(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
        return np.std(self, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims, **kw)

    def cumsum(self, axis=None, dtype=None, out=None):
        return np.cumsum(self, axis=axis, dtype=dtype, out=out)

    def cumprod(self, axis=None, dtype=None, out=None):
        return np.cumprod(self, axis=axis, dtype=dtype, out=out)

    def trace(self, offset=0, axis1=0, axis2=1, dtype=None, out=None):
        return np.trace(self, offset, axis1, axis2, dtype, out)

    def diagonal(self, offset=0, axis1=0, axis2=1):
        return np.diagonal(self, offset, axis1, axis2)

    def astype(self, dtype, order="K", casting="unsafe", subok=True, copy=True):
        return self.traced().astype(dtype, order, casting, subok, copy)


def _block(rec, start: int, shape) -> TracedBlock:
    t = object.__new__(TracedBlock)
    t._rec = rec
    t._start = start
    t._shape = tuple(int(d) for d in shape)
    t._idx = None
    return t


def _wrap_slots(rec, idx):
    """A traced scalar for one slot, else a traced block viewing ``idx``."""
    if isinstance(idx, (numbers.Integral, np.integer)):
        return new_tracer(rec, int(idx))
    idx = np.asarray(idx)
    if idx.ndim == 0:
        return new_tracer(rec, int(idx))
    t = object.__new__(TracedBlock)
    t._rec = rec
    t._start = -1
    t._shape = idx.shape
    t._idx = idx
    return t


def traced_input(rec, start: int, shape):
    """The traced block of the slots ``start ..`` in ``shape``; a traced scalar for ``()``."""
    if tuple(shape) == ():
        return new_tracer(rec, start)
    return _block(rec, start, shape)


# ---------------------------------------------------------------------------
# Operands: where an instruction reads its elements.

def _progression(t: TracedBlock):
    """``(first, step)`` when the elements' slots, in C order, are
    ``first + j*step`` (step >= 0), else None."""
    if t._idx is None:
        return t._start, 1
    idx = t._idx
    size = idx.size
    if size == 0:
        return 0, 0
    if size == 1:
        return int(idx.reshape(-1)[0]), 0
    owner = idx if idx.base is None else idx.base
    if id(owner) in t._rec.aranges and t._rec.aranges[id(owner)] is owner:
        # a view of an untouched range: its strides say it
        step = None
        expect = None
        first = int(idx.reshape(-1)[0]) if idx.flags.c_contiguous else int(idx[(0,) * idx.ndim])
        for d in range(idx.ndim - 1, -1, -1):
            n = idx.shape[d]
            if n == 1:
                continue
            s = idx.strides[d] // 8
            if step is None:
                step = s
                expect = s * n
            elif s != expect:
                return None
            else:
                expect = s * n
        if step is None or step < 0:
            return None if step is not None else (first, 0)
        return first, step
    flat = idx.reshape(-1)
    step = int(flat[1] - flat[0])
    if step < 0 or not (np.diff(flat) == step).all():
        return None
    return int(flat[0]), step


def _gathered(t: TracedBlock) -> int:
    """The first slot of a contiguous block holding ``t``'s elements (a gather
    when they are not one already)."""
    got = _progression(t)
    if got is not None and (got[1] == 1 or t.size <= 1):
        return got[0]
    idx = np.ascontiguousarray(t.slots().reshape(-1), dtype=np.int64)
    return t._rec.emit_block(K.GATHER, 0, idx.shape[0], 0, index=idx)


def _is_const(x) -> bool:
    if isinstance(x, _SCALAR_TYPES):
        return True
    return isinstance(x, np.ndarray) and x.dtype.kind in "biuf"


def _as_operand(rec, x):
    """``x`` as a traced block or scalar of ``rec``, a float constant (a number or
    a float array), or None when it is neither (an object array holding plain
    numbers and traced scalars of another kind)."""
    if isinstance(x, TracedBlock):
        if x._rec is not rec:
            raise TracingError("operands come from two different traces")
        return x
    if isinstance(x, Tracer):
        if x._rec is not rec:
            raise TracingError("operands come from two different traces")
        return x
    if isinstance(x, (complex, np.complexfloating)) or (
            isinstance(x, np.ndarray) and x.dtype.kind == "c"):
        raise TracingError("complex operand: adjit differentiates real functions")
    if _is_const(x):
        return np.asarray(x, dtype=np.float64) if isinstance(x, np.ndarray) else float(x)
    if isinstance(x, (list, tuple)):
        try:
            arr = np.asarray(x, dtype=np.float64)
            return arr
        except (TypeError, ValueError):
            x = np.asarray(x, dtype=object)
    if isinstance(x, np.ndarray) and x.dtype == object:
        flat = x.reshape(-1)
        if all(isinstance(v, Tracer) and v._rec is rec for v in flat):
            return _wrap_slots(rec, np.array([v._slot for v in flat], dtype=np.int64)
                               .reshape(x.shape)) if x.ndim else flat[0]
    return None


def _shape(x) -> tuple:
    if isinstance(x, Tracer) or isinstance(x, float):
        return ()
    return tuple(x.shape)


def _var_operand(x, shape):
    """(slot, step) of a traced operand broadcast to ``shape``."""
    if isinstance(x, Tracer):
        return x._slot, 0
    if x.shape == shape:
        got = _progression(x)
        if got is not None:
            return got
        return _gathered(x), 1
    if x.size == 1:
        return int(x.slots().reshape(-1)[0]), 0
    view = _wrap_slots(x._rec, np.broadcast_to(x.slots(), shape))
    got = _progression(view)
    if got is not None:
        return got
    return _gathered(view), 1


def _const_operand(rec, c, shape):
    """(constant index, step) of a constant broadcast to ``shape``."""
    if isinstance(c, float):
        return rec.constant(c), 0
    if c.size == 1:
        return rec.constant(float(c.reshape(-1)[0])), 0
    return rec.constant_block(np.broadcast_to(c, shape)), 1


_EXACT_POWERS = {2.0: "square", -1.0: "reciprocal"}


def _elementwise(rec, name: str, operands, shape):
    """Record op ``name`` over ``shape`` on ``operands`` (traced or constant);
    the result block (or traced scalar)."""
    n = math.prod(shape)
    op = ops.OPS[name]
    if op.arity == 1:
        s, p = _var_operand(operands[0], shape)
        start = rec.emit_block(K.ELEM, _OPCODE[name], n, s, 0, p, 0)
        return _result(rec, start, shape)
    a, b = operands
    va, vb = not _is_const_operand(a), not _is_const_operand(b)
    if name == "pow" and va and not vb and isinstance(b, float) and b in _EXACT_POWERS:
        return _elementwise(rec, _EXACT_POWERS[b], (a,), shape)
    if name == "pow" and va and not vb and isinstance(b, float) and b == 1.0:
        return _copy(rec, a, shape)
    if va and vb:
        s0, p0 = _var_operand(a, shape)
        s1, p1 = _var_operand(b, shape)
        start = rec.emit_block(K.ELEM, _OPCODE[name], n, s0, s1, p0, p1)
    elif va:
        s0, p0 = _var_operand(a, shape)
        c1, q1 = _const_operand(rec, b, shape)
        start = rec.emit_block(K.ELEM, _OPCODE[name + "_vc"], n, s0, c1, p0, q1)
    else:
        s0, p0 = _var_operand(b, shape)
        c1, q1 = _const_operand(rec, a, shape)
        code = _OPCODE[name + "_cv"] if "cv" in op.variants else _OPCODE[name + "_vc"]
        start = rec.emit_block(K.ELEM, code, n, s0, c1, p0, q1)
    return _result(rec, start, shape)


def _copy(rec, a, shape):
    """``a`` broadcast to ``shape`` (no instruction)."""
    if isinstance(a, Tracer):
        return a if shape == () else _wrap_slots(rec, np.full(shape, a._slot, dtype=np.int64))
    return _wrap_slots(rec, np.broadcast_to(a.slots(), shape).copy())


def _is_const_operand(x) -> bool:
    return isinstance(x, (float, np.ndarray))


def _result(rec, start: int, shape):
    if shape == ():
        return new_tracer(rec, start)
    return _block(rec, start, shape)


# ---------------------------------------------------------------------------
# Ufuncs.

def record_ufunc(ufunc, method, inputs, kwargs):
    """``ufunc.method(*inputs)`` with a traced block among the inputs."""
    rec = next(x._rec for x in inputs if isinstance(x, TracedBlock))
    name = tracer.UFUNC_OPS.get(ufunc)
    simple = method == "__call__" and not kwargs.get("out") and all(
        k in ("dtype", "casting") for k in kwargs)
    if simple and ufunc is np.matmul:
        return matmul(*inputs)
    if simple and ufunc is np.positive:
        return _copy(rec, inputs[0], _shape(inputs[0])) if isinstance(
            inputs[0], TracedBlock) else inputs[0]
    if simple and name is not None and len(inputs) == ufunc.nin:
        operands = [_as_operand(rec, x) for x in inputs]
        if all(o is not None for o in operands):
            try:
                shape = np.broadcast_shapes(*(_shape(o) for o in operands))
            except ValueError as e:
                raise ValueError(f"operands could not be broadcast together: {e}") from None
            return _elementwise(rec, name, operands, shape)
    if method == "reduce" and ufunc is np.add and not kwargs.get("out"):
        return sum_(inputs[0], axis=kwargs.get("axis", 0), keepdims=kwargs.get("keepdims",
                                                                                 False))
    if UFUNC_METHODS is not None and len(inputs) == 1 and isinstance(inputs[0], TracedBlock):
        got = UFUNC_METHODS(ufunc, method, inputs[0], kwargs)
        if got is not NotImplemented:
            return got
    return tracer.record_ufunc(ufunc, method, _fallback(inputs), _fallback(kwargs))


#: ``ufunc.reduce``/``ufunc.accumulate`` of one traced block, or None: set by
#: adjit.array_numpy (np.maximum.reduce as np.max, ...); NotImplemented from it
#: means element by element
UFUNC_METHODS = None


def _fallback(x):
    """``x`` with every traced block as the object array of its traced scalars."""
    if isinstance(x, TracedBlock):
        return x.traced()
    if isinstance(x, tuple) and not hasattr(x, "_fields"):
        return tuple(_fallback(v) for v in x)
    if isinstance(x, list):
        return [_fallback(v) for v in x]
    if isinstance(x, dict):
        return {k: _fallback(v) for k, v in x.items()}
    return x


def _traced_key(key) -> bool:
    keys = key if isinstance(key, tuple) else (key,)
    return any(isinstance(k, (TracedBlock, Tracer, TracedArray)) or (
        isinstance(k, np.ndarray) and k.dtype == object) for k in keys)


# Python's operators, through the ufuncs.
def _binary_method(ufunc, reflected=False):
    if reflected:
        def method(self, other):
            return ufunc(other, self)
    else:
        def method(self, other):
            return ufunc(self, other)
    return method


for _name, _ufunc in [("add", np.add), ("sub", np.subtract), ("mul", np.multiply),
                      ("truediv", np.true_divide), ("floordiv", np.floor_divide),
                      ("mod", np.remainder), ("pow", np.power), ("matmul", np.matmul)]:
    setattr(TracedBlock, f"__{_name}__", _binary_method(_ufunc))
    setattr(TracedBlock, f"__r{_name}__", _binary_method(_ufunc, True))
for _name, _ufunc in [("lt", np.less), ("le", np.less_equal), ("gt", np.greater),
                      ("ge", np.greater_equal), ("eq", np.equal), ("ne", np.not_equal)]:
    setattr(TracedBlock, f"__{_name}__", _binary_method(_ufunc))
TracedBlock.__and__ = _binary_method(np.logical_and)
TracedBlock.__rand__ = _binary_method(np.logical_and, True)
TracedBlock.__or__ = _binary_method(np.logical_or)
TracedBlock.__ror__ = _binary_method(np.logical_or, True)
TracedBlock.__neg__ = lambda self: np.negative(self)
TracedBlock.__pos__ = lambda self: self
TracedBlock.__abs__ = lambda self: np.absolute(self)
TracedBlock.__hash__ = None


# ---------------------------------------------------------------------------
# Reductions and products.

def _axes(axis, ndim, who):
    return tracer.normalize_axes(axis, ndim, who)


def sum_(a, axis=None, dtype=None, out=None, keepdims=False, initial=np._NoValue,
         where=True):
    """``np.sum`` of a traced block: one sum instruction."""
    if (out is not None or where is not True or initial is not np._NoValue
            or not isinstance(a, TracedBlock) or (dtype is not None and np.dtype(dtype).kind != "f")):
        return NotImplemented
    rec = a._rec
    axes = _axes(axis, a.ndim, "np.sum")
    shape = a.shape
    kept = tuple(d for k, d in enumerate(shape) if k not in axes)
    out_shape = tuple(1 if k in axes else d for k, d in enumerate(shape)) if keepdims else kept
    if not axes:
        return _copy(rec, a, shape)
    contiguous_axes = axes == tuple(range(axes[0], axes[-1] + 1))
    if contiguous_axes:
        src = a
        outer = math.prod(shape[:axes[0]])
        inner = math.prod(shape[axes[-1] + 1:])
        count = math.prod(shape[axes[0]:axes[-1] + 1])
    else:
        rest = tuple(k for k in range(a.ndim) if k not in axes)
        src = a.transpose(*(rest + axes))
        outer, inner = math.prod(kept), 1
        count = math.prod(shape[k] for k in axes)
    first = _gathered(src) if src.size else 0
    n = outer * inner
    start = rec.emit_block(K.SUM, 0, n, first, 0, count, max(inner, 1))
    return _result(rec, start, out_shape)


def mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=True):
    """``np.mean``: the sum divided by the count (as the scalar recording does)."""
    if not isinstance(a, TracedBlock) or out is not None or where is not True:
        return NotImplemented
    total = sum_(a, axis, dtype, None, keepdims)
    if total is NotImplemented:
        return total
    count = math.prod(a.shape[k] for k in _axes(axis, a.ndim, "np.mean"))
    with np.errstate(divide="ignore", invalid="ignore"):
        return total / np.float64(count) if isinstance(total, TracedBlock) else \
            tracer.binary("div", total, float(np.float64(count)))


def _matrix(rec, x, who):
    """(kind, first, shape) of a matrix-product operand: "v" (slots) or "c"
    (constants), first index, and its 1-D or 2-D shape."""
    if isinstance(x, TracedBlock):
        if x.ndim not in (1, 2):
            return None
        return "v", _gathered(x) if x.size else 0, x.shape
    if isinstance(x, Tracer):
        return None
    if _is_const(x) or isinstance(x, (list, tuple)):
        try:
            c = np.ascontiguousarray(np.asarray(x, dtype=np.float64))
        except (TypeError, ValueError):
            return None
        if c.ndim not in (1, 2):
            return None
        return "c", rec.constant_block(c) if c.size else 0, c.shape
    return None


#: ``a @ b`` with more than two dimensions, or None: set by adjit.array_numpy
#: (an einsum); NotImplemented from it means element by element
BATCHED_MATMUL = None


def matmul(a, b, out=None, **kwargs):
    """``a @ b`` of 1-D and 2-D operands, one of them traced: one matrix product
    instruction (NumPy's shapes: a 1-D left operand is a row, a 1-D right
    operand a column, and those axes are dropped from the result)."""
    if BATCHED_MATMUL is not None and out is None and not kwargs and max(
            np.ndim(a), np.ndim(b)) > 2:
        got = BATCHED_MATMUL(a, b)
        if got is not NotImplemented:
            return got
    rec = (a if isinstance(a, TracedBlock) else b)._rec
    A, B = _matrix(rec, a, "matmul"), _matrix(rec, b, "matmul")
    if out is not None or kwargs or A is None or B is None or (A[0] == "c" and B[0] == "c"):
        return _fallback_call(np.matmul, (a, b), {} if out is None else {"out": out})
    ka, sa = A[0], A[2]
    kb, sb = B[0], B[2]
    m, k = (1, sa[0]) if len(sa) == 1 else sa
    k2, q = (sb[0], 1) if len(sb) == 1 else sb
    if k != k2:
        raise ValueError(f"matmul: input operand 1 has a mismatch in its core dimension 0 "
                         f"(size {k2} is different from {k})")
    mode = K.MM_VV if ka == kb == "v" else (K.MM_CV if ka == "c" else K.MM_VC)
    start = rec.emit_block(K.MATMUL, mode, m * q, A[1], B[1], k, max(q, 1))
    shape = ((m,) if len(sa) == 2 else ()) + ((q,) if len(sb) == 2 else ())
    if q == 0:
        shape = ((m,) if len(sa) == 2 else ()) + (0,)
    return _result(rec, start, shape)


def _fallback_call(func, args, kwargs):
    return func(*_fallback(args), **_fallback(kwargs))


def dot(a, b, out=None):
    if out is not None or np.ndim(a) > 2 or np.ndim(b) > 2 or np.ndim(a) == 0 or np.ndim(b) == 0:
        return NotImplemented
    return matmul(a, b)


def where(condition, x=None, y=None):
    """``np.where(c, x, y)``: with a traced condition, select instructions; with
    a constant one (``np.triu``'s mask), the slots it picks."""
    if x is None or y is None:
        return NotImplemented
    rec = next(v._rec for v in (condition, x, y) if isinstance(v, (TracedBlock, Tracer)))
    c, a, b = (_as_operand(rec, v) for v in (condition, x, y))
    if c is None or a is None or b is None:
        return NotImplemented
    if _is_const_operand(c):  # a fixed mask picks slots: a move, no instruction
        return _wrap_slots(rec, np.where(np.asarray(c) != 0.0, _slots_of(rec, x),
                                         _slots_of(rec, y)))
    shape = np.broadcast_shapes(_shape(c), _shape(a), _shape(b))
    t = _elementwise(rec, "pick_true", (c, a), shape)
    f = _elementwise(rec, "pick_false", (c, b), shape)
    return _elementwise(rec, "add", (t, f), shape)


_PAD_MOVES = ("edge", "reflect", "symmetric", "wrap")


def pad(array, pad_width, mode="constant", **kwargs):
    """``np.pad`` of a traced block: the padding names slots (a constant's for
    ``mode="constant"``, the edge elements' for the modes that move elements);
    no instruction."""
    if not isinstance(array, TracedBlock):
        return NotImplemented
    rec = array._rec
    if mode == "constant":
        values = kwargs.pop("constant_values", 0.0)
        if kwargs or np.ndim(values) != 0 or not _is_const(values):
            return NotImplemented
        fill = _slots_of(rec, float(values))
        return _wrap_slots(rec, np.pad(array.slots(), pad_width, mode="constant",
                                       constant_values=int(fill)))
    if mode in _PAD_MOVES and set(kwargs) <= {"reflect_type"}:
        return _wrap_slots(rec, np.pad(array.slots(), pad_width, mode=mode, **kwargs))
    return NotImplemented


FUNCTIONS = {np.sum: sum_, np.mean: mean, np.matmul: matmul, np.dot: dot, np.where: where,
             np.pad: pad}

# Functions that only move elements: run on the slot numbers.
MOVES = {
    np.reshape, np.ravel, np.transpose, np.swapaxes, np.moveaxis, np.rollaxis, np.squeeze,
    np.expand_dims, np.atleast_1d, np.atleast_2d, np.atleast_3d, np.concatenate, np.stack,
    np.hstack, np.vstack, np.dstack, np.column_stack, np.split, np.array_split, np.hsplit,
    np.vsplit, np.dsplit, np.take, np.take_along_axis, np.diagonal, np.flip, np.fliplr,
    np.flipud, np.roll, np.rot90, np.tile, np.repeat, np.broadcast_to, np.broadcast_arrays,
    np.copy, np.shape, np.ndim, np.size,
}


def _slots_of(rec, x, shape=None):
    """Slot numbers of ``x`` (a traced block or scalar, a number, a float or
    object array): constants get slots of their own (const rows)."""
    if isinstance(x, TracedBlock):
        return x.slots()
    if isinstance(x, Tracer):
        return np.array(x._slot, dtype=np.int64)
    if _is_const(x) and not (isinstance(x, np.ndarray) and x.dtype == object):
        c = np.asarray(x, dtype=np.float64)
        if c.size == 1 and c.ndim == 0:
            return np.array(rec.load_constant(float(c))._slot, dtype=np.int64)
        first = rec.constant_block(c) if c.size else 0
        start = rec.emit_block(K.ELEM, 0, c.size, first, 0, 1, 0)
        return np.arange(start, start + c.size, dtype=np.int64).reshape(c.shape)
    arr = np.asarray(x, dtype=object)
    out = np.empty(arr.shape, dtype=np.int64)
    flat = out.reshape(-1)
    for k, v in enumerate(arr.reshape(-1)):
        if isinstance(v, Tracer):
            flat[k] = v._slot
        elif isinstance(v, TracedBlock) and v.size == 1:
            flat[k] = int(v.slots().reshape(-1)[0])
        else:
            flat[k] = rec.load_constant(float(v))._slot
    return out


_SEQUENCE_FIRST = {np.concatenate, np.stack, np.hstack, np.vstack, np.dstack, np.column_stack}
_ALL_POSITIONAL = {np.broadcast_arrays, np.atleast_1d, np.atleast_2d, np.atleast_3d}
_DATA_KEYWORDS = ("a", "arr", "ary", "m", "array", "arrays", "tup")


def _move(func, args, kwargs):
    """A function that only moves elements, applied to the slot numbers of its
    array arguments (every other argument, an axis or a shape, as it is)."""
    rec = _find_rec((args, kwargs))
    if func in (np.shape, np.ndim, np.size):
        return func(np.empty(_shape(args[0]) if isinstance(args[0], TracedBlock)
                             else np.shape(args[0]), dtype=np.int8), *args[1:], **kwargs)

    def data(x, sequence=False):
        if sequence:
            return [_slots_of(rec, v) for v in x]
        return _slots_of(rec, x)

    args = list(args)
    if func in _ALL_POSITIONAL:
        args = [data(a) for a in args]
    elif args:
        args[0] = data(args[0], func in _SEQUENCE_FIRST)
    kwargs = {k: (data(v, func in _SEQUENCE_FIRST) if k in _DATA_KEYWORDS else v)
              for k, v in kwargs.items()}
    return _wrap_result(rec, func._implementation(*args, **kwargs))


def _wrap_result(rec, res):
    if isinstance(res, np.ndarray) and res.dtype.kind in "iu":
        return _wrap_slots(rec, res.astype(np.int64, copy=False))
    if isinstance(res, (list, tuple)):
        return type(res)(_wrap_result(rec, r) for r in res)
    return res


def _find_rec(x):
    if isinstance(x, (TracedBlock, Tracer)):
        return x._rec
    if isinstance(x, (list, tuple)):
        for v in x:
            r = _find_rec(v)
            if r is not None:
                return r
    if isinstance(x, dict):
        return _find_rec(list(x.values()))
    if isinstance(x, np.ndarray) and x.dtype == object:
        for v in x.reshape(-1):
            if isinstance(v, Tracer):
                return v._rec
    return None


def array_op(name: str, *operands):
    """Op ``name`` of the op table on operands among which a traced block (the
    functions of :mod:`adjit.functions`, ``adjit.erf(x)``)."""
    rec = next(x._rec for x in operands if isinstance(x, TracedBlock))
    got = [_as_operand(rec, x) for x in operands]
    if any(g is None for g in got):
        return (tracer.unary(name, _fallback(operands[0])) if len(operands) == 1
                else tracer.binary(name, *_fallback(operands)))
    return _elementwise(rec, name, got, np.broadcast_shapes(*(_shape(g) for g in got)))


tracer.ARRAY_INPUT = traced_input
tracer.BLOCK_TYPES = (TracedBlock,)
tracer.ARRAY_OP = array_op


# --- what adjit.array_linalg builds on ---------------------------------------------
slots_of = _slots_of
wrap_slots = _wrap_slots
find_rec = _find_rec


def contiguous(rec, idx) -> int:
    """The first slot of a contiguous block holding the slots ``idx`` in C
    order (one gather when they are not one already)."""
    return _gathered(_wrap_slots(rec, np.ascontiguousarray(idx, dtype=np.int64)))
