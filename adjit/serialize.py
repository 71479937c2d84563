"""Saving, loading and pickling tapes.

A tape file is a NumPy ``.npz`` archive (``np.savez``: uncompressed), so anyone
can open it with ``np.load(path, allow_pickle=False)``. It holds these arrays:

    format_version   int64 (1,)     FORMAT_VERSION
    opcode_names     <U (k,)        the op table's names when the file was written:
                                    an opcode in ``instructions`` is an index into
                                    it, so files stay readable when the table is
                                    reordered or grows
    n_inputs         int64 (1,)
    instructions     <i4 (n, 4)     rows (opcode, result, arg0, arg1)
    constants        <f8 (c,)
    outputs          <i4 (m,)
    guards           <i4 (g, 2)
    guard_sources    uint8 (s,)     UTF-8 JSON list of strings
    signature        uint8 (j,)     UTF-8 JSON: in_shape, out_shape, and per argument
                                    after x its shape (data) or fingerprint (static)
                                    and how many of its elements the tape reads
    data_where       int64 (d,)     those elements' positions in their arguments
    data_index       int64 (d,)     the constants that hold them
    array_code       int64 (k, 8)   a tape with array instructions (adjit.arrays): its
                                    rows (kind, opcode, result, length, arg0, arg1, p,
                                    q), an ELEM row's opcode an index into
                                    opcode_names; then ``instructions`` is empty and
                                    constants, outputs and guards are the array
                                    program's. Empty for a scalar tape.
    array_index      int64 (i,)     the array program's gather indices
    written_by       <U (1,)        the adjit version that wrote the file
    checksum         uint32 (1,)    crc32 of the arrays above (:func:`_checksum`)

Files written by adjit 0.1.0 (the binary ``ADJITAPE`` format, versions 1 and 2)
are still read: their opcodes are numbers in 0.1.0's op table, pinned here by
:data:`NAMES_0_1_0` and mapped by name to today's opcodes.

Loading checks every field before building anything (member names, dtypes,
shapes and sizes from the ``.npy`` headers before any array is read; sizes
against :data:`MAX_INPUTS` and :data:`MAX_OPS`, which keywords of :func:`load`
raise), refuses files of a newer or unknown version, and builds the
:class:`~adjit.Tape` through its constructor, which validates every index a
kernel will follow. A damaged or hostile file therefore gives
:class:`~adjit.TapeError` (a ``ValueError``) with the reason, never a crash,
hang or huge allocation. Pickles carry the same version number and names.
"""
from __future__ import annotations

import io
import json
import os
import struct
import zipfile
import zlib

import numpy as np

from . import ops
from .errors import TapeError
from .version import __version__

#: 5: array instructions (``array_code``, ``array_index``);
#: 4: the tape's signature (shapes, data arguments); 3: an ``.npz`` archive
#: carrying the op table's names; 1 and 2 were 0.1.0's ``ADJITAPE`` binary
#: format (2 added the fused ops sqdiff, cube, inv_cube).
FORMAT_VERSION = 5
_READS = (1, 2, 3, 4, 5)

#: Largest tape :func:`load` accepts unless told otherwise (``max_inputs=``,
#: ``max_ops=``): an evaluation allocates a float64 work slot per input and per
#: instruction, and a file can declare many inputs in a few bytes.
MAX_INPUTS = 10**7
MAX_OPS = 10**8

#: The op table of adjit 0.1.0, which numbered the opcodes of format versions
#: 1 and 2. Frozen: never edit it, whatever happens to ``ops.NAMES``.
NAMES_0_1_0 = (
    "const", "add", "add_vc", "sub", "sub_vc", "sub_cv", "mul", "mul_vc", "div", "div_vc",
    "div_cv", "pow", "pow_vc", "pow_cv", "atan2", "atan2_vc", "atan2_cv", "hypot", "hypot_vc",
    "minimum", "minimum_vc", "maximum", "maximum_vc", "lt", "lt_vc", "lt_cv", "le", "le_vc",
    "le_cv", "gt", "gt_vc", "gt_cv", "ge", "ge_vc", "ge_cv", "eq", "eq_vc", "eq_cv", "ne",
    "ne_vc", "ne_cv", "logical_and", "logical_and_vc", "logical_or", "logical_or_vc",
    "pick_true", "pick_true_vc", "pick_false", "pick_false_vc", "neg", "logical_not", "abs",
    "sign", "floor", "ceil", "square", "reciprocal", "sqrt", "cbrt", "exp", "expm1", "log",
    "log1p", "log2", "log10", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh",
    "tanh", "arcsinh", "arccosh", "arctanh", "erf", "erfc", "sqdiff", "sqdiff_vc", "sqdiff_cv",
    "cube", "inv_cube",
)

# name, dtype, number of dimensions, fixed trailing column count (or None)
_NPZ = (("format_version", "<i8", 1, None), ("opcode_names", "<U", 1, None),
        ("n_inputs", "<i8", 1, None), ("instructions", "<i4", 2, 4),
        ("constants", "<f8", 1, None), ("outputs", "<i4", 1, None),
        ("guards", "<i4", 2, 2), ("guard_sources", "|u1", 1, None),
        ("signature", "|u1", 1, None), ("data_where", "<i8", 1, None),
        ("data_index", "<i8", 1, None), ("array_code", "<i8", 2, 8),
        ("array_index", "<i8", 1, None),
        ("written_by", "<U", 1, None), ("checksum", "<u4", 1, None))
_NEW_IN_4 = ("signature", "data_where", "data_index")
_NEW_IN_5 = ("array_code", "array_index")
# the members of each .npz version, in checksum order
_LAYOUT = {3: tuple(m for m in _NPZ if m[0] not in _NEW_IN_4 + _NEW_IN_5),
           4: tuple(m for m in _NPZ if m[0] not in _NEW_IN_5), 5: _NPZ}


def _version_of(members) -> int:
    """The .npz layout version that ``members`` (names) make up."""
    return 5 if "array_code" in members else 4 if "signature" in members else 3
_MAX_NAME = 64  # characters in an opcode name or a version string


# --- writing ---------------------------------------------------------------------

def to_bytes(tape) -> bytes:
    """The file format's bytes for ``tape``."""
    sig, where, index = signature_parts(tape.signature)
    return _encode(tape.n_inputs, list(tape.guard_sources),
                   dict(tape_arrays(tape), data_where=where, data_index=index), signature=sig)


def tape_arrays(tape) -> dict:
    """The arrays a file or pickle holds for ``tape``: its scalar program, or,
    for a tape with array instructions, the array program (no scalar rows)."""
    a = getattr(tape, "arrays", None)
    if a is None:
        return {"instructions": tape.instructions, "constants": tape.constants,
                "outputs": tape.outputs, "guards": tape.guards,
                "array_code": np.zeros((0, 8), "<i8"), "array_index": np.zeros(0, "<i8")}
    return {"instructions": np.zeros((0, 4), "<i4"), "constants": a.constants,
            "outputs": a.outputs, "guards": a.guards, "array_code": a.code,
            "array_index": a.index}


def signature_parts(sig) -> tuple:
    """A tape's :class:`adjit.signature.Signature` as ``(JSON-able dict,
    data_where, data_index)``."""
    args = [{"shape": None if a.shape is None else list(a.shape),
             "fingerprint": a.fingerprint,
             "n": 0 if a.where is None else int(len(a.where))} for a in sig.args]
    data = [a for a in sig.args if a.shape is not None]
    where = np.concatenate([a.where for a in data] or [np.zeros(0, np.int64)])
    index = np.concatenate([a.index for a in data] or [np.zeros(0, np.int64)])
    return ({"in_shape": list(sig.in_shape), "out_shape": list(sig.out_shape), "args": args},
            where.astype("<i8"), index.astype("<i8"))


def _encode(n_inputs, guard_sources, arrays, names=None, version=FORMAT_VERSION,
            signature=None) -> bytes:
    """An ``.npz`` tape file from raw parts, valid or not (the tests use it to
    make files with correct checksums around damaged contents)."""
    if signature is None:
        signature = {"in_shape": [int(n_inputs)], "out_shape": [len(arrays["outputs"])],
                     "args": []}
    parts = {
        "format_version": np.array([version], "<i8"),
        "opcode_names": np.array(ops.NAMES if names is None else names, dtype="<U"),
        "n_inputs": np.array([n_inputs], "<i8"),
        "instructions": np.ascontiguousarray(arrays["instructions"], "<i4"),
        "constants": np.ascontiguousarray(arrays["constants"], "<f8"),
        "outputs": np.ascontiguousarray(arrays["outputs"], "<i4"),
        "guards": np.ascontiguousarray(arrays["guards"], "<i4"),
        "guard_sources": np.frombuffer(json.dumps(list(guard_sources)).encode(), np.uint8),
        "signature": np.frombuffer(json.dumps(signature).encode(), np.uint8),
        "data_where": np.ascontiguousarray(arrays.get("data_where", np.zeros(0)), "<i8"),
        "data_index": np.ascontiguousarray(arrays.get("data_index", np.zeros(0)), "<i8"),
        "array_code": np.ascontiguousarray(arrays.get("array_code", np.zeros((0, 8))),
                                           "<i8").reshape(-1, 8),
        "array_index": np.ascontiguousarray(arrays.get("array_index", np.zeros(0)), "<i8"),
        "written_by": np.array([__version__], dtype="<U"),
    }
    for name in (_NEW_IN_5 if version <= 4 else ()) + (_NEW_IN_4 if version <= 3 else ()):
        del parts[name]
    parts["checksum"] = np.array([_checksum(parts)], "<u4")
    buf = io.BytesIO()
    np.savez(buf, **parts)
    return buf.getvalue()


def _checksum(parts) -> int:
    """crc32 over every array but the checksum: name, dtype, shape and bytes, in
    the fixed order of ``_NPZ`` (the zip's own CRCs cover each member alone;
    this covers the tape as a whole, also after a member is swapped)."""
    crc = 0
    for name, *_ in _LAYOUT[_version_of(parts)][:-1]:
        a = parts[name]
        crc = zlib.crc32(f"{name}:{a.dtype.str}:{a.shape}".encode(), crc)
        crc = zlib.crc32(np.ascontiguousarray(a).tobytes(), crc)
    return crc


def save(tape, path) -> None:
    """Write ``tape`` to ``path`` (a path or a binary file object), exactly
    there: no suffix is added."""
    data = to_bytes(tape)
    if hasattr(path, "write"):
        path.write(data)
        return
    with open(os.fspath(path), "wb") as fh:
        fh.write(data)


# --- reading ---------------------------------------------------------------------

def read(path, *, max_inputs: int = MAX_INPUTS, max_ops: int = MAX_OPS) -> dict:
    """Read a tape written by :meth:`adjit.Tape.save` (or by adjit 0.1.0) from
    ``path`` (a path or a binary file object). Raises :class:`~adjit.TapeError`
    for a damaged file, one that is not a tape, one of a newer or unknown format
    version, one with an operation this adjit does not know, or one larger than
    ``max_inputs`` inputs or ``max_ops`` instructions (raise them to load a
    bigger tape you trust)."""
    if hasattr(path, "read"):
        data = path.read()
    else:
        with open(os.fspath(path), "rb") as fh:
            data = fh.read()
    return decode(data, max_inputs=max_inputs, max_ops=max_ops)


def decode(data, *, max_inputs: int = MAX_INPUTS, max_ops: int = MAX_OPS) -> dict:
    """The parts of the tape encoded in ``data`` (bytes of a tape file, either
    format): the keyword arguments of :class:`adjit.Tape`, which validates them."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"expected bytes, got {type(data).__name__}")
    data = bytes(data)
    if data[:len(_MAGIC)] == _MAGIC:
        return _from_adjitape(data, max_inputs, max_ops)
    if data[:4] != b"PK\x03\x04":
        raise TapeError(f"not an adjit tape file: starts with {data[:8]!r}, expected an .npz "
                        f"archive or {_MAGIC!r}")
    try:
        parts = _read_npz(data, max_ops)
    except TapeError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError,
            KeyError, NotImplementedError, RuntimeError, zlib.error, struct.error,
            UnicodeDecodeError, OverflowError, MemoryError, SyntaxError, TypeError,
            RecursionError) as e:  # NumPy parses .npy headers with ast.literal_eval
        raise TapeError(f"damaged tape file: {type(e).__name__}: {e}") from None
    _check_version(int(parts["format_version"][0]))
    if parts["format_version"][0] < 3:
        raise TapeError(f"damaged tape file: format version {parts['format_version'][0]} "
                        "is not an .npz format")
    if parts["format_version"][0] != _version_of(parts):
        raise TapeError(f"damaged tape file: format version {parts['format_version'][0]} "
                        "with the members of another version")
    if _checksum(parts) != int(parts["checksum"][0]):
        raise TapeError("damaged tape file: checksum mismatch (the file was altered after "
                        "it was written)")
    try:
        sources = json.loads(parts["guard_sources"].tobytes().decode("utf-8"))
        sig = (json.loads(parts["signature"].tobytes().decode("utf-8"))
               if "signature" in parts else None)
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise TapeError(f"damaged tape file: unreadable guard_sources or signature "
                        f"({e})") from None
    names = [str(s) for s in parts["opcode_names"]]
    out = _build(int(parts["n_inputs"][0]), parts["instructions"], parts["constants"],
                 parts["outputs"], parts["guards"], sources, names, max_inputs, max_ops)
    if "array_code" in parts and len(parts["array_code"]):
        if len(parts["array_code"]) > max_ops:
            raise TapeError(f"tape file has {len(parts['array_code']):,} array instructions, "
                            f"more than max_ops={max_ops:,} (raise it to load a tape you "
                            "trust)")
        lengths = np.clip(parts["array_code"][:, 3], 0, 2**31)
        if int(lengths.sum()) > max_ops:
            raise TapeError(f"tape file's array instructions compute {int(lengths.sum()):,} "
                            f"elements, more than max_ops={max_ops:,} (raise it to load a "
                            "tape you trust)")
        out["array_code"] = remap_arrays(parts["array_code"], names)
        out["array_index"] = parts["array_index"]
    if sig is not None:
        out["signature"] = signature_from(sig, parts["data_where"], parts["data_index"])
    return out


def signature_from(sig, where, index) -> dict:
    """The signature read from a file or pickle as a checked plain dict
    (``in_shape``, ``out_shape``, ``args`` with ``shape``, ``where``, ``index``,
    ``fingerprint``); the Tape checks it against its program."""
    def shape(v, what):
        if not isinstance(v, list) or len(v) > 64 or not all(
                type(d) is int and 0 <= d < 2**62 for d in v):
            raise TapeError(f"damaged tape file: signature {what} must be a list of sizes, "
                            f"got {v!r:.80}")
        return tuple(v)
    if not isinstance(sig, dict) or not isinstance(sig.get("args"), list):
        raise TapeError("damaged tape file: the signature is not a record of shapes and "
                        "arguments")
    where = np.asarray(where, dtype=np.int64)
    index = np.asarray(index, dtype=np.int64)
    args, start = [], 0
    for k, a in enumerate(sig["args"]):
        if not isinstance(a, dict) or type(a.get("n", 0)) is not int or a.get("n", 0) < 0 \
                or not isinstance(a.get("fingerprint", ""), str):
            raise TapeError(f"damaged tape file: signature argument {k + 1} is malformed")
        if a.get("shape") is None:
            args.append({"shape": None, "where": None, "index": None,
                         "fingerprint": a.get("fingerprint", "")})
            continue
        n = a["n"]
        if start + n > len(where) or len(where) != len(index):
            raise TapeError("damaged tape file: the data arguments' element lists are short")
        args.append({"shape": shape(a["shape"], f"argument {k + 1}"),
                     "where": where[start:start + n], "index": index[start:start + n],
                     "fingerprint": ""})
        start += n
    if start != len(where):
        raise TapeError("damaged tape file: the data arguments' element lists are long")
    return {"in_shape": shape(sig.get("in_shape"), "in_shape"),
            "out_shape": shape(sig.get("out_shape"), "out_shape"), "args": args}


def _read_npz(data: bytes, max_ops: int) -> dict:
    """The arrays of an ``.npz`` tape file, each member's ``.npy`` header checked
    (name, dtype, shape, size) before its array is read, so no declared size can
    make NumPy allocate more than the file holds."""
    if len(data) < 22 or data[-22:-18] != b"PK\x05\x06" or data[-2:] != b"\0\0":
        # np.savez ends the archive with its directory record and no comment:
        # anything after it is damage (zipfile itself would skip it)
        raise TapeError("damaged tape file: the archive does not end with its directory "
                        "record (truncated, or bytes appended)")
    npz = np.load(io.BytesIO(data), allow_pickle=False)
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise TapeError("not an adjit tape file: a single .npy array, expected an .npz archive")
    with npz:
        infos = {i.filename: i for i in npz.zip.infolist()}
        layout = _LAYOUT[_version_of({n[:-4] for n in infos})]
        want = {name + ".npy" for name, *_ in layout}
        if set(infos) != want or len(npz.zip.infolist()) != len(want):
            raise TapeError(f"damaged tape file: members {sorted(infos)}, expected "
                            f"{sorted(want)}")
        parts = {}
        for name, dtype, ndim, cols in layout:
            info = infos[name + ".npy"]
            if info.compress_type != zipfile.ZIP_STORED:
                # Stored members hold every byte they declare; a compressed one could
                # declare gigabytes in a few bytes. np.savez stores; savez_compressed
                # does not.
                raise TapeError(f"tape file member {name!r} is compressed; adjit reads "
                                "uncompressed .npz files (np.savez)")
            if info.file_size > len(data):
                raise TapeError(f"damaged tape file: member {name!r} is larger than the file")
            with npz.zip.open(info) as fp:
                shape, dt, n_head = _npy_header(fp, name)
            ok = (dt.str == dtype if dtype != "<U" else
                  dt.kind == "U" and dt.byteorder in "<=|" and dt.itemsize <= 4 * _MAX_NAME)
            if not ok:
                raise TapeError(f"damaged tape file: array {name!r} has dtype {dt.str}, "
                                f"expected {dtype}")
            if (len(shape) != ndim or (cols is not None and shape[1] != cols)
                    or any(d < 0 or d >= 2**31 for d in shape)):
                raise TapeError(f"damaged tape file: array {name!r} has shape {shape}")
            if name == "instructions" and shape[0] > max_ops:
                raise TapeError(f"tape file has {shape[0]:,} instructions, more than "
                                f"max_ops={max_ops:,} (raise it to load a tape you trust)")
            if name in ("format_version", "n_inputs", "checksum", "written_by") \
                    and shape != (1,):
                raise TapeError(f"damaged tape file: array {name!r} has shape {shape}, "
                                "expected (1,)")
            nbytes = int(np.prod(shape, dtype=np.int64)) * dt.itemsize
            if n_head + nbytes != info.file_size:
                raise TapeError(f"damaged tape file: array {name!r} of shape {shape} does "
                                f"not fill its member ({info.file_size} bytes)")
            parts[name] = npz[name]
    return parts


def _npy_header(fp, name):
    """``(shape, dtype, header bytes)`` of one ``.npy`` member, without reading
    its data."""
    fmt = np.lib.format
    major, minor = fmt.read_magic(fp)
    if (major, minor) not in ((1, 0), (2, 0)):
        raise TapeError(f"damaged tape file: array {name!r} in .npy format {major}.{minor}")
    read = fmt.read_array_header_1_0 if major == 1 else fmt.read_array_header_2_0
    try:
        shape, fortran, dt = read(fp)
    except Exception as e:  # NumPy parses the header text with tokenize and ast: any
        # of their errors (SyntaxError, TokenError, ...) means a damaged member
        raise TapeError(f"damaged tape file: array {name!r} has an unreadable header "
                        f"({type(e).__name__}: {e})") from None
    if fortran and len(shape) > 1:
        raise TapeError(f"damaged tape file: array {name!r} is in Fortran order")
    if dt.hasobject:
        raise TapeError(f"damaged tape file: array {name!r} holds Python objects")
    return tuple(shape), dt, fp.tell()


def _build(n_inputs, instructions, constants, outputs, guards, sources, names,
           max_inputs=None, max_ops=None) -> dict:
    """The Tape's keyword arguments from decoded parts, opcodes mapped from
    ``names`` to today's."""
    if type(n_inputs) is not int:
        raise TapeError(f"damaged tape file: n_inputs must be an integer, got {n_inputs!r}")
    if max_inputs is not None and n_inputs > max_inputs:
        raise TapeError(f"tape file has {n_inputs:,} inputs, more than "
                        f"max_inputs={max_inputs:,} (raise it to load a tape you trust)")
    if max_ops is not None and len(instructions) > max_ops:
        raise TapeError(f"tape file has {len(instructions):,} instructions, more than "
                        f"max_ops={max_ops:,} (raise it to load a tape you trust)")
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise TapeError("damaged tape file: guard_sources must be a list of strings")
    instructions = _remap(instructions, names)
    return dict(instructions=instructions, constants=constants, outputs=outputs,
                n_inputs=n_inputs, guards=guards, guard_sources=sources)


def _remap(instructions, names) -> np.ndarray:
    """``instructions`` with each opcode, an index into ``names`` (the op table
    the file was written with), replaced by today's opcode of that name."""
    instructions = np.asarray(instructions)
    if instructions.ndim != 2 or instructions.shape[1:] != (4,):
        return instructions  # the Tape constructor names the fault
    names = list(names)
    if len(set(names)) != len(names):
        raise TapeError("damaged tape file: the opcode names repeat")
    if names == list(ops.NAMES):
        return instructions
    code = instructions[:, 0].astype(np.int64)
    bad = np.flatnonzero((code < 0) | (code >= len(names)))
    if bad.size:
        i = bad[0]
        raise TapeError(f"instruction {i}: unknown opcode {code[i]} "
                        f"(the file's op table has 0..{len(names) - 1})")
    table = np.array([ops.OPCODES.get(n, -1) for n in names], dtype=np.int64)
    mapped = table[code]
    bad = np.flatnonzero(mapped < 0)
    if bad.size:
        i = bad[0]
        raise TapeError(f"instruction {i}: unknown opcode {names[code[i]]!r} (this adjit "
                        "does not have that operation; upgrade adjit to load the file)")
    out = np.array(instructions, dtype=np.int64)
    out[:, 0] = mapped
    return out


def remap_arrays(code, names) -> np.ndarray:
    """An array program's rows with each ELEM row's opcode, an index into
    ``names``, replaced by today's opcode of that name (as :func:`_remap`)."""
    code = np.array(code, dtype=np.int64)
    if code.ndim != 2 or code.shape[1:] != (8,):
        return code  # the array program's validation names the fault
    elem = code[:, 0] == 0
    rows = np.zeros((int(elem.sum()), 4), dtype=np.int64)
    rows[:, 0] = code[elem, 1]
    code[elem, 1] = _remap(rows, names)[:, 0]
    return code


# --- adjit 0.1.0's binary format (versions 1 and 2), read only ---------------------
#
#     b"ADJITAPE"                 8 bytes, magic
#     version                     uint32 little-endian
#     header length               uint32 little-endian
#     header                      UTF-8 JSON: n_inputs, guard_sources, and for each
#                                 array its name, dtype and shape, in payload order
#     payload                     the arrays' bytes, C order, little-endian
#     crc32                       uint32 little-endian, of header and payload

_MAGIC = b"ADJITAPE"
MAGIC = _MAGIC
_ARRAYS = (("instructions", "<i4", 4), ("constants", "<f8", None),
           ("outputs", "<i4", None), ("guards", "<i4", 2))
_PREFIX = struct.Struct("<8sII")
_CRC = struct.Struct("<I")
_MAX_HEADER = 1 << 28  # guard sources are short strings; more is a damaged file


def _encode_adjitape(n_inputs, guard_sources, arrays, version=2) -> bytes:
    """Bytes in 0.1.0's format from raw parts, valid or not (for the tests: the
    stored files in tests/data were written by 0.1.0 itself)."""
    header = {"n_inputs": n_inputs, "guard_sources": guard_sources, "adjit": "0.1.0",
              "arrays": [[name, a.dtype.str, list(a.shape)] for name, a in arrays.items()]}
    head = json.dumps(header).encode()
    body = head + b"".join(a.tobytes() for a in arrays.values())
    return _PREFIX.pack(_MAGIC, version, len(head)) + body + _CRC.pack(zlib.crc32(body))


def _from_adjitape(data: bytes, max_inputs, max_ops) -> dict:
    if len(data) < _PREFIX.size + _CRC.size:
        raise TapeError(f"not an adjit tape file: only {len(data)} bytes")
    magic, version, n_head = _PREFIX.unpack_from(data)
    _check_version(version)
    if version > 2:
        raise TapeError(f"damaged tape file: version {version} is not an ADJITAPE format")
    end = len(data) - _CRC.size
    if n_head > min(_MAX_HEADER, end - _PREFIX.size):
        raise TapeError(f"damaged tape file: header length {n_head} exceeds the file")
    body = data[_PREFIX.size:end]
    if zlib.crc32(body) != _CRC.unpack_from(data, end)[0]:
        raise TapeError("damaged tape file: checksum mismatch (the file was truncated or "
                        "altered after it was written)")
    try:
        header = json.loads(body[:n_head].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise TapeError(f"damaged tape file: unreadable header ({e})") from None
    arrays = _adjitape_arrays(header, memoryview(body)[n_head:])
    return _build(header.get("n_inputs"), arrays["instructions"], arrays["constants"],
                  arrays["outputs"], arrays["guards"], header.get("guard_sources"),
                  NAMES_0_1_0, max_inputs, max_ops)


def _adjitape_arrays(header, payload: memoryview) -> dict:
    """The arrays the header describes, checked against the payload's length."""
    if not isinstance(header, dict) or not isinstance(header.get("arrays"), list):
        raise TapeError("damaged tape file: header is not a tape description")
    spec = header["arrays"]
    names = [s[0] if isinstance(s, list) and s else None for s in spec]
    if names != [name for name, _, _ in _ARRAYS]:
        raise TapeError(f"damaged tape file: arrays {names}, expected "
                        f"{[name for name, _, _ in _ARRAYS]}")
    out, offset = {}, 0
    for (name, dtype, cols), entry in zip(_ARRAYS, spec):
        if len(entry) != 3 or entry[1] != dtype:
            raise TapeError(f"damaged tape file: array {name!r} described as {entry[1:]}, "
                            f"expected dtype {dtype}")
        shape = entry[2]
        want_ndim = 1 if cols is None else 2
        if (not isinstance(shape, list) or len(shape) != want_ndim
                or not all(type(d) is int and 0 <= d < 2**31 for d in shape)
                or (cols is not None and shape[1] != cols)):
            raise TapeError(f"damaged tape file: array {name!r} has shape {shape!r}")
        nbytes = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
        if offset + nbytes > len(payload):
            raise TapeError(f"damaged tape file: array {name!r} runs past the end of the file")
        out[name] = np.frombuffer(payload, dtype=dtype, count=nbytes // np.dtype(dtype).itemsize,
                                  offset=offset).reshape(shape)
        offset += nbytes
    if offset != len(payload):
        raise TapeError(f"damaged tape file: {len(payload) - offset} bytes after the arrays")
    return out


def _check_version(version) -> None:
    if version in _READS and isinstance(version, (int, np.integer)):
        return
    if isinstance(version, (int, np.integer)) and version > FORMAT_VERSION:
        raise TapeError(f"tape format version {version} is newer than this adjit reads "
                        f"(version {FORMAT_VERSION}); upgrade adjit to load it")
    raise TapeError(f"unknown tape format version {version!r} (this adjit reads versions "
                    f"{', '.join(map(str, _READS))})")


# --- pickles -----------------------------------------------------------------------

#: The class pickles without one rebuild (0.1.0's): set by adjit.tape, which
#: this module must not import (it sits below the Tape in the layers).
TAPE_CLASS = None
#: ``REBUILD(cls, parts)`` makes a tape from the parts :func:`read` returns (a
#: signature as a plain dict): set by adjit.tape too.
REBUILD = None


def _unpickle(version, n_inputs, instructions, constants, outputs, guards, guard_sources,
              opcode_names=None, cls=None, signature=None, arrays=None):
    """Rebuild a pickled tape, through the validating constructor of its class.
    Pickles from 0.1.0 (version 2) carry no names: their opcodes are 0.1.0's;
    version 3 carries no signature."""
    _check_version(version)
    if opcode_names is None:
        if version > 2:
            raise TapeError(f"damaged pickle: format version {version} without opcode names")
        opcode_names = NAMES_0_1_0
    cls = TAPE_CLASS if cls is None else cls
    parts = dict(instructions=_remap(instructions, opcode_names), constants=constants,
                 outputs=outputs, n_inputs=n_inputs, guards=guards, guard_sources=guard_sources)
    if signature is not None:
        parts["signature"] = signature_from(*signature)
    if arrays is not None and len(arrays[0]):
        parts["array_code"] = remap_arrays(arrays[0], opcode_names)
        parts["array_index"] = arrays[1]
    return REBUILD(cls, parts)


def reduce(tape):
    """``tape.__reduce__()``: pickles carry the format version and the op
    table's names, like files, and the tape's class by reference."""
    a = tape_arrays(tape)
    return (_unpickle, (FORMAT_VERSION, tape.n_inputs, a["instructions"], a["constants"],
                        a["outputs"], a["guards"], tape.guard_sources, ops.NAMES, type(tape),
                        signature_parts(tape.signature), (a["array_code"], a["array_index"])))
