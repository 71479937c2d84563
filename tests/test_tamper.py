"""Tampering with a Tape cannot reach a kernel: its arrays can never be made
writeable, its attributes cannot be set or replaced (not even with
object.__setattr__), and the @njit record is checked and immutable too."""
import numpy as np
import pytest

import adjit
from adjit import compiled


def _f(x):
    return [x[0] * x[1] + np.sin(x[2]), np.exp(x[2]) - x[0] ** 2]


X = np.array([0.4, 1.3, -0.7])


def _exact(x):
    """_f's values and Jacobian by hand."""
    y = np.array([x[0] * x[1] + np.sin(x[2]), np.exp(x[2]) - x[0] ** 2])
    J = np.array([[x[1], x[0], np.cos(x[2])], [-2 * x[0], 0.0, np.exp(x[2])]])
    return y, J


def _arrays(tape):
    """Every array a Tape hands out, and the records' arrays."""
    named = {name: getattr(tape, name) for name in
             ("instructions", "constants", "outputs", "guards", "links", "dispatch",
              "reverse_dispatch", "opcode", "result", "arg0", "arg1")}
    for record in (tape.program, tape.program_in_runs()):
        for field, value in record._asdict().items():
            if isinstance(value, np.ndarray):
                named[f"program.{field}"] = value
    T = tape.njit_functions().tape
    for field, value in T.value._asdict().items():
        if isinstance(value, np.ndarray):
            named[f"njit.value.{field}"] = value
    return named


def test_no_array_can_be_made_writeable():
    tape = adjit.trace(_f, X)
    for name, a in _arrays(tape).items():
        assert not a.flags.writeable, name
        with pytest.raises(ValueError):
            a.flags.writeable = True
        if a.size:
            with pytest.raises(ValueError):
                a.flat[0] = 2**30
            # nor through a new array over the same memory
            with pytest.raises(ValueError):
                np.frombuffer(a.base if a.base is not None else a, dtype=np.uint8)[0] = 1
    y, J = _exact(X)
    np.testing.assert_allclose(tape.forward(X), y, rtol=1e-15)
    np.testing.assert_allclose(tape.jacobian(X), J, rtol=1e-15)


def test_the_issues_example_fails():
    tape = adjit.trace(_f, X)
    with pytest.raises(ValueError):
        tape.outputs.flags.writeable = True
    with pytest.raises(ValueError):
        tape.outputs[0] = 2**30
    with pytest.raises(ValueError):
        tape.links.flags.writeable = True
    np.testing.assert_allclose(tape.hessian(X, w=[1.0, 0.0])[0, 1], 1.0)


@pytest.mark.parametrize("name", ["outputs", "instructions", "links", "constants", "guards",
                                  "n_inputs", "program", "_program", "_state",
                                  "_guard_sources", "guard_sources", "cache", "anything"])
def test_no_attribute_can_be_replaced(name):
    tape = adjit.trace(_f, X)
    evil = np.array([2**30], dtype=np.int32)
    with pytest.raises(AttributeError):
        setattr(tape, name, evil)
    with pytest.raises(AttributeError):
        object.__setattr__(tape, name, evil)
    with pytest.raises(AttributeError):
        object.__delattr__(tape, name)
    y, J = _exact(X)
    np.testing.assert_allclose(tape.forward(X), y, rtol=1e-15)
    np.testing.assert_allclose(tape.jacobian(X), J, rtol=1e-15)


def test_a_tape_cannot_be_initialized_again():
    tape = adjit.trace(_f, X)
    with pytest.raises(AttributeError):
        tape.__init__([[0, 3, 0, 0]], [1.0], [3], 3)
    np.testing.assert_allclose(tape.forward(X), _exact(X)[0], rtol=1e-15)


def test_the_njit_record_is_what_was_validated():
    """The @njit API's value program is checked again when the record is made,
    from immutable copies: a tampered cached slot program never reaches it."""
    tape = adjit.trace(_f, X)
    prog = tape.slot_program()
    prog.outputs = np.array([2**30, 0], dtype=np.int32)  # the cached object is plain
    with pytest.raises(adjit.TapeError):
        tape.njit_functions()
    fresh = adjit.trace(_f, X)
    fns = fresh.njit_functions()
    y = np.empty(2)
    assert compiled.check(fns.value(fns.tape, fns.buffers(), X.copy(), y)) == -1
    np.testing.assert_allclose(y, _exact(X)[0], rtol=1e-15)
