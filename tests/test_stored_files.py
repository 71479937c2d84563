"""Tape files and a pickle written by adjit 0.1.0 itself (tests/data, made by
tests/data/make_0_1_0_files.py run under 0.1.0) load with today's adjit and
compute what they computed then: values and Jacobians against closed forms
written here, for every one of 0.1.0's 84 opcodes and every operand kind.
Their opcode numbers are 0.1.0's; the loader maps them by name through the
frozen table ``serialize.NAMES_0_1_0``, so a reordered op table cannot break them."""
import json
import math
import os
import pickle
import struct

import numpy as np
import pytest

import adjit
from adjit import BranchChanged, ops, serialize

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
with open(os.path.join(DATA, "every_op.json")) as _fh:
    MANIFEST = json.load(_fh)


def _sign(a):
    return 0.0 if a == 0 else math.copysign(1.0, a)


# op name: (value, d/da, d/db) as closed forms, independent of adjit's op table
CLOSED = {
    "add": (lambda a, b: a + b, lambda a, b: 1.0, lambda a, b: 1.0),
    "sub": (lambda a, b: a - b, lambda a, b: 1.0, lambda a, b: -1.0),
    "mul": (lambda a, b: a * b, lambda a, b: b, lambda a, b: a),
    "div": (lambda a, b: a / b, lambda a, b: 1 / b, lambda a, b: -a / b**2),
    "pow": (lambda a, b: a**b, lambda a, b: b * a**(b - 1), lambda a, b: a**b * math.log(a)),
    "atan2": (math.atan2, lambda a, b: b / (a * a + b * b), lambda a, b: -a / (a * a + b * b)),
    "hypot": (math.hypot, lambda a, b: a / math.hypot(a, b), lambda a, b: b / math.hypot(a, b)),
    "minimum": (min, lambda a, b: float(a < b), lambda a, b: float(b < a)),
    "maximum": (max, lambda a, b: float(a > b), lambda a, b: float(b > a)),
    "lt": (lambda a, b: float(a < b), None, None),
    "le": (lambda a, b: float(a <= b), None, None),
    "gt": (lambda a, b: float(a > b), None, None),
    "ge": (lambda a, b: float(a >= b), None, None),
    "eq": (lambda a, b: float(a == b), None, None),
    "ne": (lambda a, b: float(a != b), None, None),
    "logical_and": (lambda a, b: float(a != 0 and b != 0), None, None),
    "logical_or": (lambda a, b: float(a != 0 or b != 0), None, None),
    "pick_true": (lambda a, b: b if a != 0 else 0.0, lambda a, b: 0.0,
                  lambda a, b: float(a != 0)),
    "pick_false": (lambda a, b: b if a == 0 else 0.0, lambda a, b: 0.0,
                   lambda a, b: float(a == 0)),
    "neg": (lambda a: -a, lambda a: -1.0),
    "logical_not": (lambda a: float(a == 0), None),
    "abs": (abs, _sign),
    "sign": (_sign, None),
    "floor": (math.floor, None),
    "ceil": (math.ceil, None),
    "square": (lambda a: a * a, lambda a: 2 * a),
    "reciprocal": (lambda a: 1 / a, lambda a: -1 / a**2),
    "sqrt": (math.sqrt, lambda a: 0.5 / math.sqrt(a)),
    "cbrt": (lambda a: math.copysign(abs(a) ** (1 / 3), a),
             lambda a: 1 / (3 * abs(a) ** (2 / 3))),
    "exp": (math.exp, math.exp),
    "expm1": (math.expm1, math.exp),
    "log": (math.log, lambda a: 1 / a),
    "log1p": (math.log1p, lambda a: 1 / (1 + a)),
    "log2": (math.log2, lambda a: 1 / (a * math.log(2))),
    "log10": (math.log10, lambda a: 1 / (a * math.log(10))),
    "sin": (math.sin, math.cos),
    "cos": (math.cos, lambda a: -math.sin(a)),
    "tan": (math.tan, lambda a: 1 / math.cos(a) ** 2),
    "arcsin": (math.asin, lambda a: 1 / math.sqrt(1 - a * a)),
    "arccos": (math.acos, lambda a: -1 / math.sqrt(1 - a * a)),
    "arctan": (math.atan, lambda a: 1 / (1 + a * a)),
    "sinh": (math.sinh, math.cosh),
    "cosh": (math.cosh, math.sinh),
    "tanh": (math.tanh, lambda a: 1 / math.cosh(a) ** 2),
    "arcsinh": (math.asinh, lambda a: 1 / math.sqrt(a * a + 1)),
    "arccosh": (math.acosh, lambda a: 1 / math.sqrt(a * a - 1)),
    "arctanh": (math.atanh, lambda a: 1 / (1 - a * a)),
    "erf": (math.erf, lambda a: 2 / math.sqrt(math.pi) * math.exp(-a * a)),
    "erfc": (math.erfc, lambda a: -2 / math.sqrt(math.pi) * math.exp(-a * a)),
    "sqdiff": (lambda a, b: (a - b) ** 2, lambda a, b: 2 * (a - b), lambda a, b: -2 * (a - b)),
    "cube": (lambda a: a**3, lambda a: 3 * a * a),
    "inv_cube": (lambda a: a**-3, lambda a: -3 * a**-4),
}


def expected(manifest, x, constants):
    """Outputs and Jacobian of the every-op tape at ``x``, from the closed forms."""
    y, jac = np.zeros(len(manifest)), np.zeros((len(manifest), len(x)))
    for k, entry in enumerate(manifest):
        args = [x[i] if what == "x" else constants[i] for what, i in entry["operands"]]
        if entry["op"] == "const":
            y[k] = args[0]
            continue
        value, *partials = CLOSED[entry["op"]]
        y[k] = value(*args)
        for (what, i), d in zip(entry["operands"], partials):
            if what == "x" and d is not None:
                jac[k, i] += d(*args)
    return y, jac


POINTS = [MANIFEST["x"], [0.5, 1.3, 0.2], [0.05, 3.1, -2.0]]  # in every op's domain


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_every_0_1_0_opcode_computes_its_closed_form(version):
    tape = adjit.load(os.path.join(DATA, f"every_op_{version}.adjit"))
    manifest = MANIFEST[version]
    assert len(manifest) == (79 if version == "v1" else 84)
    assert {e["kind"] for e in manifest} == {"const", "unary", "vv", "vc", "cv"}
    assert tape.guard_sources == ("x0 < x1",)
    for x in POINTS:
        y, jac = expected(manifest, x, MANIFEST["constants"])
        np.testing.assert_allclose(tape.forward(x), y, rtol=1e-14, atol=1e-300)
        np.testing.assert_allclose(tape.jacobian(x), jac, rtol=1e-13, atol=1e-300)
        # reverse mode too: one adjoint sweep per output
        _, rows = tape.vjp(x, np.eye(tape.n_outputs)[7])
        np.testing.assert_allclose(rows, jac[7], rtol=1e-13)
    with pytest.raises(BranchChanged):
        tape.forward([0.9, 0.8, 0.0])  # x0 < x1 no longer holds


def _raw_opcodes(path):
    """The opcode column of a 0.1.0 file, read by hand (not by adjit)."""
    with open(path, "rb") as fh:
        data = fh.read()
    _, _, n_head = struct.unpack_from("<8sII", data)
    header = json.loads(data[16:16 + n_head])
    n_rows = header["arrays"][0][2][0]
    rows = np.frombuffer(data, "<i4", count=4 * n_rows, offset=16 + n_head).reshape(-1, 4)
    return rows[:, 0]


def test_0_1_0_opcode_numbers_are_pinned_by_name():
    suffix = {"const": "", "unary": "", "vv": "", "vc": "_vc", "cv": "_cv"}
    for version in ("v1", "v2"):
        path = os.path.join(DATA, f"every_op_{version}.adjit")
        raw = _raw_opcodes(path)
        manifest = MANIFEST[version]
        # what 0.1.0 wrote, by the op it was built from, agrees with the frozen table
        assert [serialize.NAMES_0_1_0[c] for c in raw] == [
            e["op"] + suffix[e["kind"]] for e in manifest]
        assert list(raw) == [e["opcode_0_1_0"] for e in manifest]
        tape = adjit.load(path)
        assert [ops.NAMES[c] for c in tape.opcode] == [serialize.NAMES_0_1_0[c] for c in raw]
    assert sorted(_raw_opcodes(os.path.join(DATA, "every_op_v2.adjit"))) == list(range(84))


def traced_ref(x):
    """Closed form of make_0_1_0_files.f on its recorded branch (x0 < x1), and
    its Jacobian."""
    x0, x1, x2 = x
    q = 1 + x2 * x2
    e = math.exp(x0)
    y0 = (x0 - x1) ** 2 + e * math.sin(x1) / q + 1 / x0**3
    h = math.hypot(x0, 3.0)
    y1 = h * math.log1p(x1)
    jac = [[2 * (x0 - x1) + e * math.sin(x1) / q - 3 / x0**4,
            -2 * (x0 - x1) + e * math.cos(x1) / q,
            -e * math.sin(x1) * 2 * x2 / q**2],
           [x0 / h * math.log1p(x1), h / (1 + x1), 0.0]]
    return np.array([y0, y1]), np.array(jac)


@pytest.mark.parametrize("name", ["traced_v2.adjit", "traced_v2.pickle"])
def test_traced_0_1_0_tape_and_pickle(name):
    path = os.path.join(DATA, name)
    if name.endswith(".pickle"):
        with open(path, "rb") as fh:
            tape = pickle.load(fh)  # our own fixture: 0.1.0's reduce format
    else:
        tape = adjit.load(path)
    assert {"sqdiff", "inv_cube"} <= set(tape.op_counts())  # fused ops came through
    for x in POINTS:
        y, jac = traced_ref(x)
        np.testing.assert_allclose(tape.forward(x), y, rtol=1e-13)
        np.testing.assert_allclose(tape.jacobian(x), jac, rtol=1e-12, atol=1e-15)
    with pytest.raises(BranchChanged):
        tape.forward([2.0, 1.5, 0.0])
    # written again by today's adjit, it reads back the same
    back = adjit.tape.from_bytes(serialize.to_bytes(tape))
    np.testing.assert_array_equal(back.instructions, tape.instructions)
