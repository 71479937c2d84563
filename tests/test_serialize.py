"""Saving, loading, pickling and validating tapes, and a fuzz test: random and
damaged files and arrays give a clear exception or a correct result, never a
crash. Correct results are checked against a pure-Python interpreter of the
tape built on the op table's Python rules."""
import io
import os
import pickle
import subprocess
import sys
import zipfile
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import adjit
from adjit import BranchChanged, TapeError, ops, serialize

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def f_ref(x):
    return np.array([np.exp(x[0]) * np.sin(x[1]) + x[0] / (1.0 + x[1] ** 2),
                     np.hypot(x[0], 2.0)])


def f(x):
    y0 = np.exp(x[0]) * np.sin(x[1]) + x[0] / (1.0 + x[1] ** 2)
    if x[0] > 0.0:  # a guarded branch, so guards go through files too
        return [y0, np.hypot(x[0], 2.0)]
    return [y0, np.hypot(-x[0], 2.0)]


X0 = np.array([0.7, -0.4])
POINTS = np.array([[0.7, -0.4], [1.5, 2.0], [0.1, 0.0]])


def reference_forward(instructions, constants, outputs, guards, n_inputs, x):
    """Outputs and first flipped guard of a tape, in pure Python (np.float64
    scalars, so NumPy's nan/inf rules apply as in the kernels)."""
    work = [np.float64(v) for v in x]
    c = [np.float64(v) for v in constants]
    with np.errstate(all="ignore"):
        for opcode, _, a0, a1 in instructions:
            v = ops.VARIANTS[opcode]
            if v.kind == ops.CONST:
                work.append(c[a0])
                continue
            rule = ops.python_rule(v.op, "value")
            if v.kind == ops.UNARY:
                a, b = work[a0], np.float64(0.0)
            elif v.kind == ops.VV:
                a, b = work[a0], work[a1]
            elif v.kind == ops.VC:
                a, b = work[a0], c[a1]
            else:
                a, b = c[a1], work[a0]
            work.append(np.float64(rule(a, b)))
    flip = next((j for j, (s, o) in enumerate(guards) if work[s] != o), -1)
    return np.array([work[s] for s in outputs], dtype=float), flip


# --- round trips -------------------------------------------------------------------

def test_save_writes_exactly_to_the_path_and_loads_back(tmp_path):
    tape = adjit.trace(f, X0)
    for name in ("tape", "tape.bin", "tape.npz.weird"):
        path = tmp_path / name
        tape.save(path)
        back = adjit.load(path)
        for x in POINTS:
            np.testing.assert_array_equal(back.forward(x), tape.forward(x))
            np.testing.assert_allclose(back.forward(x), f_ref(x), rtol=1e-14)
        assert back.guard_sources == tape.guard_sources
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tape", "tape.bin", "tape.npz.weird"]
    buf = io.BytesIO()
    tape.save(buf)
    back = adjit.load(io.BytesIO(buf.getvalue()))
    np.testing.assert_array_equal(back.instructions, tape.instructions)


def _run(code):
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": ROOT}, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_round_trip_in_a_fresh_process(tmp_path):
    here = tmp_path / "here.adjit"
    adjit.trace(f, X0).save(here)
    there = tmp_path / "there.adjit"
    out = _run(f"""
import numpy as np, adjit
t = adjit.load({str(here)!r})
for x in {POINTS.tolist()!r}:
    print(repr(t.forward(x).tolist()))
t.save({str(there)!r})
""")
    got = [eval(line) for line in out.strip().splitlines()]
    np.testing.assert_allclose(got, [f_ref(x) for x in POINTS], rtol=1e-14)
    back = adjit.load(there)
    assert back.guard_sources == adjit.trace(f, X0).guard_sources
    np.testing.assert_array_equal(back.jacobian(POINTS[1]), adjit.trace(f, X0).jacobian(POINTS[1]))
    with pytest.raises(BranchChanged):
        back.forward([-1.0, 0.0])


def test_pickle_round_trip_and_version():
    tape = adjit.trace(f, X0)
    back = pickle.loads(pickle.dumps(tape))
    for x in POINTS:
        np.testing.assert_array_equal(back.jacobian(x), tape.jacobian(x))
    assert back.guard_sources == tape.guard_sources
    fn, args = tape.__reduce__()
    newer = pickle.dumps(_Reduced(fn, (serialize.FORMAT_VERSION + 1,) + args[1:]))
    with pytest.raises(TapeError, match="newer"):
        pickle.loads(newer)
    bad = pickle.dumps(_Reduced(fn, args[:2] + (np.array([[99, 2, 0, 0]]),) + args[3:]))
    with pytest.raises(TapeError, match="unknown opcode"):
        pickle.loads(bad)  # unpickled tapes are validated


class _Reduced:
    def __init__(self, fn, args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return self.fn, self.args


def _parts(tape):
    return dict(n_inputs=tape.n_inputs, guard_sources=list(tape.guard_sources),
                arrays={"instructions": tape.instructions.copy(),
                        "constants": tape.constants.copy(), "outputs": tape.outputs.copy(),
                        "guards": tape.guards.copy()})


def _encode(parts, version=serialize.FORMAT_VERSION, names=None):
    return serialize._encode(parts["n_inputs"], parts["guard_sources"], parts["arrays"],
                             names=names, version=version)


def _encode_old(parts, version=2):
    """0.1.0's binary format (the real 0.1.0 files are in tests/data)."""
    return serialize._encode_adjitape(parts["n_inputs"], parts["guard_sources"],
                                      parts["arrays"], version)


def test_versions_refused_with_a_clear_error():
    parts = _parts(adjit.trace(f, X0))
    assert adjit.tape.from_bytes(_encode(parts)).n_ops > 0
    with pytest.raises(TapeError, match="newer than this adjit.*upgrade"):
        adjit.tape.from_bytes(_encode(parts, serialize.FORMAT_VERSION + 1))
    with pytest.raises(TapeError, match="unknown tape format version 0"):
        adjit.tape.from_bytes(_encode(parts, 0))


def test_old_binary_format_still_loads_and_maps_opcodes_by_name():
    # versions 1 and 2 number opcodes in 0.1.0's table (serialize.NAMES_0_1_0)
    tape = adjit.trace(f, X0, optimize=False)
    parts = _parts(tape)
    old_codes = [serialize.NAMES_0_1_0.index(ops.NAMES[c]) for c in tape.opcode]
    parts["arrays"]["instructions"][:, 0] = old_codes
    for version in (1, 2):
        old = adjit.tape.from_bytes(_encode_old(parts, version))
        np.testing.assert_array_equal(old.instructions, tape.instructions)
        np.testing.assert_allclose(old.forward(X0), f_ref(X0), rtol=1e-15)
        assert old.guard_sources == tape.guard_sources
    with pytest.raises(TapeError, match="newer"):
        adjit.tape.from_bytes(_encode_old(parts, serialize.FORMAT_VERSION + 1))


def test_file_is_plain_npz_with_names_version_and_checksum(tmp_path):
    tape = adjit.trace(f, X0)
    tape.save(tmp_path / "t.npz")
    with np.load(tmp_path / "t.npz", allow_pickle=False) as z:
        assert int(z["format_version"][0]) == serialize.FORMAT_VERSION
        assert tuple(z["opcode_names"]) == ops.NAMES
        np.testing.assert_array_equal(z["instructions"], tape.instructions)
        np.testing.assert_array_equal(z["constants"], tape.constants)
        assert int(z["n_inputs"][0]) == 2
        assert z["checksum"].dtype == np.uint32


def test_opcodes_are_read_by_name_from_the_files_table():
    # a file written by an adjit whose op table is ordered differently
    tape = adjit.trace(f, X0)
    parts = _parts(tape)
    perm = np.random.default_rng(0).permutation(ops.N_OPCODES)  # file code -> today's
    names = [ops.NAMES[perm[k]] for k in range(ops.N_OPCODES)]
    inverse = np.argsort(perm)
    parts["arrays"]["instructions"][:, 0] = inverse[tape.opcode]
    back = adjit.tape.from_bytes(_encode(parts, names=names))
    np.testing.assert_array_equal(back.instructions, tape.instructions)
    for x in POINTS:
        np.testing.assert_allclose(back.forward(x), f_ref(x), rtol=1e-14)
    # a name this adjit does not know is refused where it is used
    names[inverse[tape.opcode[3]]] = "frobnicate"
    with pytest.raises(TapeError, match="unknown opcode 'frobnicate'"):
        adjit.tape.from_bytes(_encode(parts, names=names))
    with pytest.raises(TapeError, match="repeat"):
        adjit.tape.from_bytes(_encode(parts, names=["sin"] * ops.N_OPCODES))


def test_old_opcode_numbers_survive_a_renumbered_op_table(monkeypatch):
    # If the op table is reordered, the frozen 0.1.0 table still maps each old
    # number to the op of the same name: simulate by permuting today's numbers.
    perm = np.random.default_rng(1).permutation(ops.N_OPCODES)
    renumbered = {name: int(perm[code]) for name, code in ops.OPCODES.items()}
    monkeypatch.setattr(ops, "OPCODES", renumbered)
    monkeypatch.setattr(ops, "NAMES", tuple(sorted(renumbered, key=renumbered.get)))
    old = np.array([[serialize.NAMES_0_1_0.index(n), 0, 0, 0] for n in serialize.NAMES_0_1_0])
    mapped = serialize._remap(old, serialize.NAMES_0_1_0)
    assert [ops.NAMES[c] for c in mapped[:, 0]] == list(serialize.NAMES_0_1_0)


def test_frozen_table_names_are_todays_ops():
    # every 0.1.0 name is still an op (a removed op would need a translation here)
    assert len(serialize.NAMES_0_1_0) == 84 == len(set(serialize.NAMES_0_1_0))
    assert set(serialize.NAMES_0_1_0) <= set(ops.OPCODES)


def test_size_limits_refuse_before_allocating(tmp_path):
    tape = adjit.trace(f, X0)
    n = 2**28  # a few hundred bytes asking for 2 GiB of work slots per evaluation
    parts = {"n_inputs": n, "guard_sources": [],
             "arrays": {"instructions": np.array([[ops.OPCODES["sin"], n, 0, 0],
                                                  [ops.OPCODES["add"], n + 1, n, n - 1]]),
                        "constants": np.zeros(0), "outputs": np.array([n + 1]),
                        "guards": np.zeros((0, 2), int)}}
    blob = _encode(parts)
    with pytest.raises(TapeError, match="max_inputs"):
        adjit.tape.from_bytes(blob)
    big = adjit.tape.from_bytes(blob, max_inputs=2**28)
    assert big.n_inputs == 2**28
    with pytest.raises(TapeError, match="max_ops"):
        adjit.tape.from_bytes(serialize.to_bytes(tape), max_ops=3)
    path = tmp_path / "t"
    tape.save(path)
    with pytest.raises(TapeError, match="max_ops"):
        adjit.load(path, max_ops=3)
    with pytest.raises(TapeError, match="max_inputs"):
        adjit.load(path, max_inputs=1)


def _npz_bytes(members, compress=False):
    """An .npz archive with hand-written .npy members (header text and data)."""
    buf = io.BytesIO()
    mode = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(buf, "w", mode) as z:
        for name, raw in members.items():
            z.writestr(name + ".npy", raw)
    return buf.getvalue()


def _members(tape):
    out = {}
    with np.load(io.BytesIO(serialize.to_bytes(tape)), allow_pickle=False) as z:
        for name in z.files:
            b = io.BytesIO()
            np.lib.format.write_array(b, z[name])
            out[name] = b.getvalue()
    return out


def test_hostile_archives_are_refused():
    tape = adjit.trace(f, X0)
    good = _members(tape)
    assert adjit.tape.from_bytes(_npz_bytes(good)).n_ops == tape.n_ops
    with pytest.raises(TapeError, match="compressed"):
        adjit.tape.from_bytes(_npz_bytes(good, compress=True))
    # a header declaring 2**30 rows over a few bytes of data
    huge = dict(good)
    head = {"descr": "<i4", "fortran_order": False, "shape": (2**30, 4)}
    b = io.BytesIO()
    np.lib.format.write_array_header_1_0(b, head)
    huge["instructions"] = b.getvalue() + b"\0" * 64
    with pytest.raises(TapeError, match="max_ops"):
        adjit.tape.from_bytes(_npz_bytes(huge))
    with pytest.raises(TapeError, match="does not fill"):
        adjit.tape.from_bytes(_npz_bytes(huge), max_ops=2**31)
    for name, arr in (("constants", np.array([1.0], dtype=object)),
                      ("constants", np.zeros(3, ">f8")),
                      ("outputs", np.zeros((2, 2), "<i4")),
                      ("opcode_names", np.array([b"sin"]))):
        bad = dict(good)
        b = io.BytesIO()
        np.lib.format.write_array(b, arr, allow_pickle=True)
        bad[name] = b.getvalue()
        with pytest.raises(TapeError):
            adjit.tape.from_bytes(_npz_bytes(bad))
    missing = dict(good)
    del missing["checksum"]
    with pytest.raises(TapeError, match="members"):
        adjit.tape.from_bytes(_npz_bytes(missing))
    extra = dict(good, evil=good["constants"])
    with pytest.raises(TapeError, match="members"):
        adjit.tape.from_bytes(_npz_bytes(extra))
    # a member swapped for another valid array: the zip's CRCs agree, the tape's not
    swapped = dict(good)
    b = io.BytesIO()
    np.lib.format.write_array(b, tape.constants + 1.0)
    swapped["constants"] = b.getvalue()
    with pytest.raises(TapeError, match="checksum"):
        adjit.tape.from_bytes(_npz_bytes(swapped))


def test_pickles_from_0_1_0_still_load():
    # 0.1.0's reduce: (version 2, n_inputs, arrays..., guard_sources), opcodes of 0.1.0
    tape = adjit.trace(f, X0)
    instr = tape.instructions.copy()
    instr[:, 0] = [serialize.NAMES_0_1_0.index(ops.NAMES[c]) for c in tape.opcode]
    old = pickle.dumps(_Reduced(serialize._unpickle, (2, 2, instr, tape.constants,
                                                       tape.outputs, tape.guards,
                                                       tape.guard_sources)))
    back = pickle.loads(old)
    np.testing.assert_array_equal(back.instructions, tape.instructions)
    np.testing.assert_allclose(back.forward(X0), f_ref(X0), rtol=1e-15)


def test_damaged_files_are_refused(tmp_path):
    good = adjit.serialize.to_bytes(adjit.trace(f, X0))
    cases = {
        "empty": b"",
        "not a tape": b"PK\x03\x04" + b"\x00" * 64,
        "truncated": good[:-7],
        "bit flip": good[:40] + bytes([good[40] ^ 0x10]) + good[41:],
        "trailing": good + b"\x00",
    }
    for what, data in cases.items():
        path = tmp_path / what.replace(" ", "_")
        path.write_bytes(data)
        with pytest.raises(TapeError):
            adjit.load(path)
    with pytest.raises(FileNotFoundError):
        adjit.load(tmp_path / "missing")


# --- validation: each kind of corruption ------------------------------------------

def _corruptions(tape):
    """(what is broken, mutate(parts), message fragment) for a valid tape."""
    n_in, n_slots = tape.n_inputs, tape.n_slots
    mul_vv = ops.OPCODES["mul"]
    sin = ops.OPCODES["sin"]

    def instr(row, col, value):
        def m(p):
            p["arrays"]["instructions"][row, col] = value
        return m

    def arr(name, value):
        def m(p):
            p["arrays"][name] = value
        return m

    def key(name, value):
        def m(p):
            p[name] = value
        return m

    first_unary = next(i for i, r in enumerate(tape.instructions) if r[0] == sin)
    first_vv = next(i for i, r in enumerate(tape.instructions) if r[0] == mul_vv)
    first_vc = next(i for i, r in enumerate(tape.instructions)
                    if ops.KIND[r[0]] in (ops.VC, ops.CV))
    return [
        ("unknown opcode", instr(0, 0, ops.N_OPCODES), "unknown opcode"),
        ("negative opcode", instr(0, 0, -1), "unknown opcode"),
        ("result slot", instr(1, 1, n_in), "writes slot"),
        ("forward reference", instr(first_unary, 2, n_in + first_unary), "arg0"),
        ("negative operand", instr(first_unary, 2, -1), "arg0"),
        ("arg1 slot", instr(first_vv, 3, n_slots + 5), "arg1"),
        ("constant index", instr(first_vc, 3, len(tape.constants)), "constant index"),
        ("output range", arr("outputs", np.array([n_slots], np.int32)), "output 0"),
        ("no outputs", arr("outputs", np.zeros(0, np.int32)), "at least one output"),
        ("guard on a non-condition", arr("guards", np.array([[n_in + first_unary, 1]],
                                                            np.int32)), "comparison"),
        ("guard outcome", arr("guards", np.array([[tape.guards[0, 0], 2]], np.int32)),
         "expect 0 or 1"),
        ("guard on an input", arr("guards", np.array([[0, 1]], np.int32)), "guard 0"),
        ("guard sources", key("guard_sources", ["a", "b"]), "guard_sources"),
        ("instruction columns", arr("instructions", tape.instructions[:, :3].copy()),
         "shape"),
        ("no inputs", key("n_inputs", 0), "at least one input"),
        ("huge n_inputs", key("n_inputs", 2**31), "int32"),
        ("negative constant index", instr(first_vc, 3, -3), "arg1"),
        ("arg1 names its own result", instr(first_vv, 3, n_in + first_vv), "arg1"),
    ]


def test_validation_rejects_each_kind_of_corruption():
    tape = adjit.trace(f, X0)
    for what, mutate, message in _corruptions(tape):
        parts = _parts(tape)
        mutate(parts)
        a = parts["arrays"]
        with pytest.raises(TapeError, match=message):
            adjit.Tape(a["instructions"], a["constants"], a["outputs"], parts["n_inputs"],
                       a["guards"], parts["guard_sources"])
        if a["instructions"].ndim == 2 and a["instructions"].shape[1] == 4 \
                and 0 <= parts["n_inputs"] < 2**31:
            with pytest.raises(TapeError):  # the same through a file with a good checksum
                adjit.tape.from_bytes(_encode(parts))


def test_dtypes_and_layouts_are_checked_or_converted():
    tape = adjit.trace(f, X0)
    args = (tape.instructions, tape.constants, tape.outputs, tape.n_inputs, tape.guards,
            tape.guard_sources)
    with pytest.raises(TapeError, match="integers"):
        adjit.Tape(tape.instructions.astype(float), *args[1:])
    with pytest.raises(TapeError, match="real numbers"):
        adjit.Tape(args[0], tape.constants.astype(complex), *args[2:])
    with pytest.raises(TapeError, match="int32"):
        adjit.Tape(tape.instructions.astype(np.int64) + 2**33, *args[1:])
    for bad in (2.0, "2", None):
        with pytest.raises(TapeError, match="n_inputs"):
            adjit.Tape(*args[:3], bad, *args[4:])
    # other integer widths, Fortran order and strided views are converted
    fortran = np.asfortranarray(tape.instructions.astype(np.int64))
    strided = np.repeat(tape.constants, 2)[::2]
    t2 = adjit.Tape(fortran, strided, tape.outputs.astype(np.uint16), tape.n_inputs,
                    tape.guards.astype(np.int8), tape.guard_sources)
    assert t2.instructions.flags.c_contiguous and t2.instructions.dtype == np.int32
    for x in POINTS:
        np.testing.assert_array_equal(t2.forward(x), tape.forward(x))


# --- fuzz ---------------------------------------------------------------------------

@st.composite
def raw_tapes(draw):
    """Small random tapes: well-formed ones, and ones with one field set to an
    arbitrary value (often out of range)."""
    n_in = draw(st.integers(1, 3))
    n_ops = draw(st.integers(0, 8))
    consts = draw(st.lists(st.floats(allow_nan=True, allow_infinity=True, width=64),
                           min_size=1, max_size=4))
    rows = []
    for i in range(n_ops):
        opcode = draw(st.integers(0, ops.N_OPCODES - 1))
        kind = ops.KIND[opcode]
        slot = st.integers(0, n_in + i - 1)
        const = st.integers(0, len(consts) - 1)
        arg0 = draw(const if kind == ops.CONST else slot)
        arg1 = draw(slot if kind == ops.VV else const if kind in (ops.VC, ops.CV)
                    else st.just(0))
        rows.append([opcode, n_in + i, arg0, arg1])
    n_slots = n_in + n_ops
    outputs = draw(st.lists(st.integers(0, n_slots - 1), min_size=1, max_size=3))
    conditions = [n_in + i for i, r in enumerate(rows) if ops.IS_CONDITION[r[0]]]
    guards = draw(st.lists(st.tuples(st.sampled_from(conditions), st.integers(0, 1)),
                           max_size=2)) if conditions else []
    instr = np.array(rows, dtype=np.int64).reshape(-1, 4)
    consts = np.array(consts, dtype=float)
    outputs = np.array(outputs, dtype=np.int64)
    guards = np.array(guards, np.int64).reshape(-1, 2)
    if draw(st.booleans()):  # damage one field
        field = draw(st.sampled_from(["instr", "outputs", "guards", "n_inputs"]))
        value = draw(st.integers(-3, n_slots + 3))
        if field == "instr" and n_ops:
            instr[draw(st.integers(0, n_ops - 1)), draw(st.integers(0, 3))] = value
        elif field == "outputs":
            outputs[draw(st.integers(0, len(outputs) - 1))] = value
        elif field == "guards":
            guards = np.array([[value, draw(st.integers(-1, 2))]])
        else:
            n_in = max(value, 0)
    x = np.array(draw(st.lists(st.floats(-3, 3), min_size=n_in, max_size=n_in)))
    return instr, consts, outputs, guards, n_in, x


def _check_tape(tape, raw):
    """A tape that passed validation evaluates like the reference interpreter."""
    instr, consts, outs, guards, n_in, x = raw
    want, flip = reference_forward(tape.instructions, tape.constants, tape.outputs,
                                   tape.guards, tape.n_inputs, x)
    if flip >= 0:
        with pytest.raises(BranchChanged) as info:
            tape.forward(x)
        assert info.value.guard == flip
        return
    np.testing.assert_allclose(tape.forward(x), want, rtol=1e-12, equal_nan=True)
    ys = tape.forward(np.stack([x, x]))
    np.testing.assert_allclose(ys, [want, want], rtol=1e-12, equal_nan=True)
    y, wj = tape.vjp(x, np.ones(tape.n_outputs))
    np.testing.assert_allclose(y, want, rtol=1e-12, equal_nan=True)
    y, jv = tape.jvp(x, np.ones(tape.n_inputs))
    assert jv.shape == (tape.n_outputs,)
    assert tape.jacobian(x).shape == (tape.n_outputs, tape.n_inputs)
    if tape.n_outputs == 1:
        val, g = tape.value_and_gradient(x)
        np.testing.assert_allclose(val, want[0], rtol=1e-12, equal_nan=True)
        np.testing.assert_array_equal(g, wj)


FUZZ = settings(max_examples=300, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@FUZZ
@given(raw_tapes())
def test_fuzz_arrays_reach_kernels_only_when_valid(raw):
    instr, consts, outs, guards, n_in, x = raw
    try:
        tape = adjit.Tape(instr, consts, outs, n_in, guards)
    except TapeError:
        return
    _check_tape(tape, raw)
    back = adjit.tape.from_bytes(serialize.to_bytes(tape))  # and through a file
    np.testing.assert_array_equal(back.instructions, tape.instructions)
    _check_tape(pickle.loads(pickle.dumps(tape)), raw)


@FUZZ
@given(raw_tapes(), st.data())
def test_fuzz_damaged_files_load_or_refuse(raw, data):
    instr, consts, outs, guards, n_in, x = raw
    parts = {"n_inputs": n_in, "guard_sources": [],
             "arrays": {"instructions": instr.astype("<i4"), "constants": consts,
                        "outputs": outs.astype("<i4"), "guards": guards.astype("<i4")}}
    old_format = data.draw(st.booleans())
    blob = bytearray(_encode_old(parts) if old_format else _encode(parts))
    how = data.draw(st.sampled_from(["as is", "flip bytes", "truncate", "refit checksum"]))
    if how != "as is":
        for _ in range(data.draw(st.integers(1, 4))):
            i = data.draw(st.integers(0, len(blob) - 1))
            blob[i] = data.draw(st.integers(0, 255))
    if how == "truncate":
        blob = blob[:data.draw(st.integers(0, len(blob)))]
    if how == "refit checksum" and old_format and len(blob) > 16:
        blob[-4:] = zlib.crc32(bytes(blob[16:-4])).to_bytes(4, "little")
    try:
        tape = adjit.tape.from_bytes(bytes(blob))
    except TapeError:
        return
    _check_tape(tape, (None, None, None, None, tape.n_inputs,
                       np.resize(x, tape.n_inputs)))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.binary(max_size=300))
def test_fuzz_random_bytes_are_refused(blob):
    with pytest.raises(TapeError):
        adjit.tape.from_bytes(serialize.MAGIC + blob[:4] + blob)
    with pytest.raises(TapeError):
        adjit.tape.from_bytes(b"PK\x03\x04" + blob)
    with pytest.raises(TapeError):
        adjit.tape.from_bytes(blob)


def test_npy_header_with_a_null_byte_is_refused():
    # NumPy parses a member's header with ast.literal_eval, which raises
    # SyntaxError on a null byte (found by the fuzz test)
    data = bytearray(serialize.to_bytes(adjit.trace(f, X0)))
    at = data.index(b"{'descr'")
    data[at + 3] = 0
    with pytest.raises(TapeError, match="damaged"):
        adjit.tape.from_bytes(bytes(data))
