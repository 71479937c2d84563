"""Saving, loading and pickling tapes.

A tape file is self-describing and versioned::

    b"ADJITAPE"                 8 bytes, magic
    version                     uint32 little-endian (FORMAT_VERSION)
    header length               uint32 little-endian
    header                      UTF-8 JSON: n_inputs, guard_sources, and for each
                                array its name, dtype and shape, in payload order
    payload                     the arrays' bytes, C order, little-endian
    crc32                       uint32 little-endian, of header and payload

Loading checks every field before building anything, refuses files of a newer
or unknown version, and builds the :class:`~adjit.Tape` through its
constructor, which validates every index a kernel will follow. A damaged or
hostile file therefore gives :class:`~adjit.TapeError` (a ``ValueError``)
with the reason, never a crash. Pickles carry the same version number.
"""
from __future__ import annotations

import json
import os
import struct
import zlib

import numpy as np

from .errors import TapeError
from .version import __version__

MAGIC = b"ADJITAPE"
#: 2: the op table gained the optimizer's fused ops (sqdiff, cube, inv_cube), so a
#: file may hold opcodes an adjit reading only version 1 does not know. Opcodes
#: are only ever appended, so version-1 files mean the same today.
FORMAT_VERSION = 2
_READS = (1, 2)
#: name, dtype, and the shape's fixed trailing columns (None: a 1-D array)
_ARRAYS = (("instructions", "<i4", 4), ("constants", "<f8", None),
           ("outputs", "<i4", None), ("guards", "<i4", 2))
_PREFIX = struct.Struct("<8sII")
_CRC = struct.Struct("<I")
_MAX_HEADER = 1 << 28  # guard sources are short strings; more is a damaged file


def to_bytes(tape) -> bytes:
    """The file format's bytes for ``tape``."""
    arrays = {name: np.ascontiguousarray(getattr(tape, name), dtype=dt)
              for name, dt, _ in _ARRAYS}
    return _encode(tape.n_inputs, list(tape.guard_sources), arrays)


def _encode(n_inputs, guard_sources, arrays, version=FORMAT_VERSION) -> bytes:
    """Bytes of a tape file from raw parts, valid or not (the tests use it to
    make files with correct checksums around damaged contents)."""
    header = {"n_inputs": n_inputs, "guard_sources": guard_sources, "adjit": __version__,
              "arrays": [[name, a.dtype.str, list(a.shape)] for name, a in arrays.items()]}
    head = json.dumps(header).encode()
    body = head + b"".join(a.tobytes() for a in arrays.values())
    return _PREFIX.pack(MAGIC, version, len(head)) + body + _CRC.pack(zlib.crc32(body))


def save(tape, path) -> None:
    """Write ``tape`` to ``path`` (a path or a binary file object), exactly
    there: no suffix is added."""
    data = to_bytes(tape)
    if hasattr(path, "write"):
        path.write(data)
        return
    with open(os.fspath(path), "wb") as fh:
        fh.write(data)


def read(path) -> dict:
    """The parts of a tape written by :meth:`adjit.Tape.save` to ``path`` (a path
    or a binary file object), as :func:`decode` gives them; :func:`adjit.load`
    makes the Tape. Raises :class:`~adjit.TapeError` for a damaged file, one
    that is not a tape, or one of a newer or unknown format version."""
    if hasattr(path, "read"):
        data = path.read()
    else:
        with open(os.fspath(path), "rb") as fh:
            data = fh.read()
    return decode(data)


def decode(data) -> dict:
    """The parts of the tape encoded in ``data`` (bytes in the file format):
    the keyword arguments of :class:`adjit.Tape` (which validates them)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"expected bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) < _PREFIX.size + _CRC.size:
        raise TapeError(f"not an adjit tape file: only {len(data)} bytes")
    magic, version, n_head = _PREFIX.unpack_from(data)
    if magic != MAGIC:
        raise TapeError(f"not an adjit tape file: starts with {magic!r}, expected {MAGIC!r}")
    _check_version(version)
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
    arrays = _arrays(header, memoryview(body)[n_head:])
    sources = header.get("guard_sources")
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise TapeError("damaged tape file: guard_sources must be a list of strings")
    n_inputs = header.get("n_inputs")
    if type(n_inputs) is not int:
        raise TapeError(f"damaged tape file: n_inputs must be an integer, got {n_inputs!r}")
    return dict(instructions=arrays["instructions"], constants=arrays["constants"],
                outputs=arrays["outputs"], n_inputs=n_inputs, guards=arrays["guards"],
                guard_sources=sources)


def _check_version(version) -> None:
    if version in _READS and isinstance(version, int):
        return
    if isinstance(version, int) and version > FORMAT_VERSION:
        raise TapeError(f"tape format version {version} is newer than this adjit reads "
                        f"(version {FORMAT_VERSION}); upgrade adjit to load it")
    raise TapeError(f"unknown tape format version {version!r} (this adjit reads versions "
                    f"{', '.join(map(str, _READS))})")


def _arrays(header, payload: memoryview) -> dict:
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


def _unpickle(version, n_inputs, instructions, constants, outputs, guards, guard_sources,
              cls):
    """Rebuild a pickled tape, through the validating constructor of its class."""
    _check_version(version)
    return cls(instructions, constants, outputs, n_inputs, guards, guard_sources)


def reduce(tape):
    """``tape.__reduce__()``: pickles carry the format version (and the class,
    by reference, so that this module need not import the Tape's)."""
    return (_unpickle, (FORMAT_VERSION, tape.n_inputs, tape.instructions, tape.constants,
                        tape.outputs, tape.guards, tape.guard_sources, type(tape)))
