"""A tape's signature: how calls with shaped inputs and data arguments map onto
its flat program.

The kernels see one flat vector of ``n_inputs`` inputs and ``n_outputs``
outputs. The user's function saw ``x`` of some shape (``in_shape``, 0-d
included), returned something of ``out_shape``, and may have taken more
positional arguments: a float array (or float) among them is *data*, a block
of parameters the sweeps read but never differentiate; anything else (ints,
strings, integer arrays, callables) is *static*, fixed in the recording.

Data are recorded as extra inputs, so the optimizer treats them as unknown
values (it folds nothing about them), then each data element the tape reads
becomes a ``const`` row loading its own entry of the constant pool
(:func:`to_constants`). Evaluating at new data is then evaluating at a new
constant pool (:func:`bind`): no re-trace, no new kernel, and no derivative
sweep ever sees a data value as an input, so Jacobians, Hessians, sparsity
patterns and colorings are over ``x`` alone.
"""
from __future__ import annotations

import hashlib
from typing import NamedTuple

import numpy as np

from . import ops
from .program import as_float_array

_CONST = ops.OPCODES["const"]


class Arg(NamedTuple):
    """One positional argument after ``x``. Data: ``shape`` and, for the
    elements the tape reads, their positions in the flattened argument
    (``where``) and the constant-pool entries they load (``index``). Static:
    ``shape`` is None and ``fingerprint`` identifies the value traced with."""

    shape: tuple | None
    where: np.ndarray | None
    index: np.ndarray | None
    fingerprint: str = ""

    @property
    def is_data(self) -> bool:
        return self.shape is not None

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) if self.shape is not None else 0


class Signature(NamedTuple):
    """``in_shape`` of ``x``, ``out_shape`` of ``f``'s result, and ``args``
    (one :class:`Arg` per positional argument after ``x``)."""

    in_shape: tuple
    out_shape: tuple
    args: tuple = ()

    @property
    def plain(self) -> bool:
        """A flat vector in, as the tapes of adjit 0.1 (the fast paths take one
        1-D point as it is)."""
        return len(self.in_shape) == 1


def flat(n_inputs: int, n_outputs: int) -> Signature:
    """The signature of a tape with no shapes recorded: vectors in and out."""
    return Signature((int(n_inputs),), (int(n_outputs),), ())


def is_data(value) -> bool:
    """Whether a positional argument is data (parameters) rather than static."""
    if isinstance(value, np.ndarray):
        return value.dtype.kind == "f"
    return isinstance(value, (float, np.floating))


def fingerprint(value) -> str:
    """A string that differs between static values a traced function could
    tell apart (equal values give equal strings)."""
    if value is None or isinstance(value, (bool, int, str, bytes, complex, np.bool_,
                                           np.integer, float, np.floating)):
        return f"{type(value).__name__}:{value!r}"
    if isinstance(value, np.ndarray):
        a = np.ascontiguousarray(value)
        if a.dtype.kind == "O":
            return "ndarray:O:" + fingerprint(a.tolist())
        digest = hashlib.sha1(a.view(np.uint8).reshape(-1).tobytes()).hexdigest()
        return f"ndarray:{a.dtype.str}:{a.shape}:{digest}"
    if isinstance(value, (tuple, list)):
        return f"{type(value).__name__}:[" + ",".join(fingerprint(v) for v in value) + "]"
    if isinstance(value, dict):
        items = sorted((fingerprint(k), fingerprint(v)) for k, v in value.items())
        return "dict:{" + ",".join(f"{k}={v}" for k, v in items) + "}"
    try:
        hash(value)
    except TypeError:
        raise TypeError(f"a static argument of type {type(value).__name__} is neither "
                        "hashable nor an array: adjit cannot tell whether a later call passes "
                        "the same value; pass it through a closure, or as an array") from None
    name = getattr(value, "__qualname__", type(value).__qualname__)
    module = getattr(value, "__module__", type(value).__module__)
    # id(): two different functions of one name must differ; a loaded tape
    # therefore accepts no callable as its static argument (it says so).
    return f"object:{module}.{name}:{hash(value)}:{id(value)}"


# --- recording: data as inputs, then as constants ----------------------------------

def split_args(args) -> tuple[list, np.ndarray]:
    """``(specs, values)``: which positional arguments are data (with their
    shapes) and the data's values flattened in order, for the recording."""
    specs, values = [], []
    for a in args:
        if is_data(a):
            arr = np.asarray(a, dtype=np.float64)
            specs.append(("data", arr.shape))
            values.append(arr.reshape(-1))
        else:
            specs.append(("static", fingerprint(a)))
    vals = np.concatenate(values) if values else np.zeros(0)
    return specs, vals


def to_constants(instructions, constants, outputs, guards, n_x: int, specs, values) -> tuple:
    """Turn inputs ``n_x ..`` (the data, recorded as inputs, traced with
    ``values``) into ``const`` rows at the start of the tape, each loading a new
    entry of the constant pool holding its traced value. Returns the Tape's
    keyword parts and the :class:`Arg` records."""
    instr = np.array(instructions, dtype=np.int64).reshape(-1, 4)
    n_p = sum(int(np.prod(s[1], dtype=np.int64)) for s in specs if s[0] == "data")
    n_old = n_x + n_p
    code = instr[:, 0]
    slot0, slot1 = ops.ARG0_IS_SLOT[code], ops.ARG1_IS_SLOT[code]
    outputs = np.asarray(outputs, dtype=np.int64)
    reads = np.concatenate([instr[slot0, 2], instr[slot1, 3], outputs])
    read = np.zeros(n_p, dtype=bool)
    hit = reads[(reads >= n_x) & (reads < n_old)] - n_x
    read[hit] = True
    used = np.flatnonzero(read)
    k = len(used)
    # the new slot of every old slot
    new_slot = np.empty(n_old + len(instr), dtype=np.int64)
    new_slot[:n_x] = np.arange(n_x)
    new_slot[n_x:n_old] = -1
    new_slot[n_x + used] = n_x + np.arange(k)
    new_slot[n_old:] = np.arange(n_x + k, n_x + k + len(instr))
    constants = np.asarray(constants, dtype=np.float64)
    n_c = len(constants)
    loads = np.zeros((k, 4), dtype=np.int64)
    loads[:, 0] = _CONST
    loads[:, 1] = n_x + np.arange(k)
    loads[:, 2] = n_c + np.arange(k)
    out = instr.copy()
    out[:, 1] = new_slot[instr[:, 1]]
    out[slot0, 2] = new_slot[instr[slot0, 2]]
    out[slot1, 3] = new_slot[instr[slot1, 3]]
    guards = np.asarray(guards, dtype=np.int64).reshape(-1, 2).copy()
    guards[:, 0] = new_slot[guards[:, 0]]
    args, start, const_of = [], 0, np.full(n_p, -1, dtype=np.int64)
    const_of[used] = n_c + np.arange(k)
    for kind, what in specs:
        if kind == "data":
            size = int(np.prod(what, dtype=np.int64))
            idx = const_of[start:start + size]
            where = np.flatnonzero(idx >= 0)
            args.append(Arg(tuple(what), frozen(where), frozen(idx[where])))
            start += size
        else:
            args.append(Arg(None, None, None, what))
    parts = dict(instructions=np.concatenate([loads, out]), outputs=new_slot[outputs],
                 guards=guards, n_inputs=n_x,
                 constants=np.concatenate([constants, np.asarray(values, np.float64)[used]]))
    return parts, tuple(args)


def frozen(a) -> np.ndarray:
    """``a`` as a read-only int64 array."""
    a = np.ascontiguousarray(a, dtype=np.int64)
    a.flags.writeable = False
    return a


def to_inputs(instructions, constants, outputs, guards, n_x, args) -> tuple:
    """The inverse of :func:`to_constants`, for the optimizer: every data element
    back as an input (``n_x ..``, in argument order), so that nothing is folded
    about it. Returns the parts and the number of data inputs."""
    instr = np.array(instructions, dtype=np.int64).reshape(-1, 4)
    pos, start = {}, 0
    for a in args:
        if a.is_data:
            for w, c in zip(a.where.tolist(), a.index.tolist()):
                pos[c] = n_x + start + w
            start += a.size
    n_p = start
    code = instr[:, 0]
    is_load = (code == _CONST) & np.isin(instr[:, 2], np.fromiter(pos, np.int64, len(pos)))
    new_slot = np.empty(n_x + len(instr), dtype=np.int64)
    new_slot[:n_x] = np.arange(n_x)
    rows = np.flatnonzero(~is_load)
    new_slot[n_x + rows] = n_x + n_p + np.arange(len(rows))
    for r in np.flatnonzero(is_load):
        new_slot[n_x + r] = pos[int(instr[r, 2])]
    out = instr[rows].copy()
    c = code[rows]
    s0, s1 = ops.ARG0_IS_SLOT[c], ops.ARG1_IS_SLOT[c]
    out[:, 1] = new_slot[out[:, 1]]
    out[s0, 2] = new_slot[out[s0, 2]]
    out[s1, 3] = new_slot[out[s1, 3]]
    g = np.asarray(guards, dtype=np.int64).reshape(-1, 2).copy()
    g[:, 0] = new_slot[g[:, 0]]
    return dict(instructions=out, constants=constants, n_inputs=n_x + n_p,
                outputs=new_slot[np.asarray(outputs, dtype=np.int64)], guards=g), n_p


def data_values(args, constants) -> np.ndarray:
    """The traced data values, flattened in argument order (NaN where the tape
    reads no element: any value gives the same result there)."""
    out = []
    for a in args:
        if a.is_data:
            v = np.full(a.size, np.nan)
            v[a.where] = constants[a.index]
            out.append(v)
    return np.concatenate(out) if out else np.zeros(0)


# --- evaluation: new data, shaped points ------------------------------------------

def bind(sig: Signature, constants: np.ndarray, args) -> np.ndarray:
    """The constant pool for a call with positional ``args`` (data in place of
    the traced data; static arguments must equal the traced ones). Omitted
    trailing arguments keep their traced values."""
    specs = sig.args
    if len(args) > len(specs):
        raise TypeError(f"expected at most {len(specs)} argument(s) after x (as traced), "
                        f"got {len(args)}")
    c = None
    for k, (spec, a) in enumerate(zip(specs, args)):
        if spec.shape is None:
            if fingerprint(a) != spec.fingerprint:
                raise ValueError(
                    f"argument {k + 1} is static (not a float array) and differs from the "
                    f"value traced with ({spec.fingerprint.split(':', 1)[0]}): the tape "
                    "recorded that value; trace again for another (adjit.grad and the other "
                    "transforms do this by themselves)")
            continue
        if type(a) is np.ndarray and a.dtype == np.float64:
            arr = a
        else:
            arr = as_float_array(a, None, f"argument {k + 1}")
        if arr.shape != spec.shape:
            raise ValueError(f"argument {k + 1}: expected data of shape {spec.shape} (as "
                             f"traced), got {arr.shape}; a new shape needs a new trace")
        if c is None:
            c = constants.copy()
        index, n = spec.index, spec.index.shape[0]
        if n == arr.size and n and index[n - 1] - index[0] == n - 1:
            c[index[0]:index[0] + n] = arr.reshape(-1)  # every element, in order
        elif n:
            c[index] = arr.reshape(-1)[spec.where]
    if c is None:
        return constants
    c.flags.writeable = False  # the kernels' one constants type: read-only
    return c


def split_x(sig: Signature, n: int, x):
    """``(x, batch)`` for an evaluation argument: one point (``in_shape`` or flat
    ``(n,)``) as float64 ``(n,)``, or a batch (``(B,) + in_shape`` or ``(B, n)``)
    as ``(B, n)``; ``x`` keeps its shape in the caller for shaping results."""
    x = as_float_array(x, None, "x")
    shape = x.shape
    if shape == sig.in_shape or shape == (n,):
        return x.reshape(n), False
    if len(shape) >= 1 and (shape[1:] == sig.in_shape or (len(shape) == 2 and shape[1] == n)):
        return x.reshape(shape[0], n), True
    one = sig.in_shape if sig.in_shape == (n,) else f"{sig.in_shape} (or flat ({n},))"
    batch = ", ".join(["B", *map(str, sig.in_shape)])
    raise ValueError(f"x: expected shape {one} for one point, or ({batch}) for a batch, "
                     f"got {shape}")
