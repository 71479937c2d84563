"""Write the stored tape files of adjit 0.1.0 that tests/test_stored_files.py reads.

Run it with adjit 0.1.0 (a checkout of the 0.1.0 commit), never with a later
adjit: the point of the files is that their bytes and opcode numbers are 0.1.0's.

    cp -r <adjit 0.1.0 checkout> /tmp/a010 && cd /tmp/a010 \
        && PYTHONPATH=. python <this file> <output directory>

(a copy, so that Numba's cache files land outside the pristine checkout)

Files:
  every_op_v2.adjit   every one of 0.1.0's 84 opcodes, one output each, built row by
                      row through adjit.Tape; with a guard. every_op.json says what
                      each output computes (op name, operand kind, operands), so the
                      test can recompute it from closed forms.
  every_op_v1.adjit   the same rows minus the fused ops (absent from version 1),
                      written in format version 1.
  traced_v2.adjit     adjit.trace of f below (optimized, so fused ops appear), guarded.
  traced_v2.pickle    the same tape pickled by 0.1.0.
"""
import json
import os
import pickle
import sys

import numpy as np

import adjit
from adjit import ops, serialize

assert adjit.__version__ == "0.1.0", adjit.__version__
assert len(ops.NAMES) == 84

X = [0.3, 1.7, -0.6]  # the point the tapes were recorded at (guard: x0 < x1 holds)
C = [0.45, 2.5]  # constants: const loads C[0]; vc/cv ops use C[0]
FUSED = ("sqdiff", "sqdiff_vc", "sqdiff_cv", "cube", "inv_cube")


def f(x):
    """The traced function (the test has its closed form)."""
    y = (x[0] - x[1]) ** 2 + np.exp(x[0]) * np.sin(x[1]) / (1.0 + x[2] ** 2)
    if x[0] < x[1]:
        y = y + 1.0 / (x[0] * x[0] * x[0])
    else:
        y = y - x[1]
    return [y, np.hypot(x[0], 3.0) * np.log1p(x[1])]


def every_op(skip=()):
    n = len(X)
    rows, outputs, manifest = [], [], []
    for code, name in enumerate(ops.NAMES):
        if name in skip:
            continue
        kind = ops.KIND_NAMES[ops.KIND[code]]
        slot = n + len(rows)
        a = 1 if name.startswith("arccosh") else 0  # arccosh needs an operand > 1
        if kind == "const":
            row, operands = [code, slot, 0, 0], [["c", 0]]
        elif kind == "unary":
            row, operands = [code, slot, a, 0], [["x", a]]
        elif kind == "vv":
            row, operands = [code, slot, 0, 1], [["x", 0], ["x", 1]]
        elif kind == "vc":
            row, operands = [code, slot, 0, 0], [["x", 0], ["c", 0]]
        else:  # cv: f(constant, variable)
            row, operands = [code, slot, 0, 0], [["c", 0], ["x", 0]]
        rows.append(row)
        outputs.append(slot)
        manifest.append({"op": ops.VARIANTS[code].op.name if kind != "const" else "const",
                         "opcode_0_1_0": code, "kind": kind, "operands": operands})
    guard_slot = n + next(i for i, r in enumerate(rows) if ops.NAMES[r[0]] == "lt")
    tape = adjit.Tape(np.array(rows), np.array(C), np.array(outputs), n,
                      np.array([[guard_slot, 1]]), ["x0 < x1"])
    return tape, manifest


def main(out):
    tape, manifest = every_op()
    assert len(manifest) == 84
    tape.save(os.path.join(out, "every_op_v2.adjit"))
    tape1, manifest1 = every_op(skip=FUSED)
    with open(os.path.join(out, "every_op_v1.adjit"), "wb") as fh:
        fh.write(serialize._encode(tape1.n_inputs, list(tape1.guard_sources),
                                   {name: np.ascontiguousarray(getattr(tape1, name))
                                    for name, _, _ in serialize._ARRAYS}, version=1))
    with open(os.path.join(out, "every_op.json"), "w") as fh:
        json.dump({"x": X, "constants": C, "guard": "x0 < x1", "v2": manifest,
                   "v1": manifest1}, fh, indent=0)
    traced = adjit.trace(f, X)
    names = {ops.NAMES[c] for c in traced.opcode}
    assert {"sqdiff", "inv_cube"} <= names, names  # the optimizer's fused ops are in it
    traced.save(os.path.join(out, "traced_v2.adjit"))
    with open(os.path.join(out, "traced_v2.pickle"), "wb") as fh:
        pickle.dump(traced, fh, protocol=4)


if __name__ == "__main__":
    main(sys.argv[1])
