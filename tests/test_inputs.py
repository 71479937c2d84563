"""Points are real numbers or an error that says so (issue 18.12): None,
strings, bytes, object arrays holding them and masked entries are refused;
booleans and integers convert. And trace_table, like every evaluation, refuses
a point on the other side of a branch (issue 18.11)."""
import numpy as np
import pytest

import adjit


def _f(x):
    return np.sum(x * x) + x[0] * x[1]


@pytest.fixture(scope="module")
def tape():
    return adjit.trace(_f, np.ones(2))


BAD = [
    ([1.0, None], TypeError, "real numbers"),
    (None, TypeError, "NoneType"),
    ("1 2", TypeError, "str"),
    (b"12", TypeError, "bytes"),
    (["1.5", "2"], TypeError, "dtype <U"),
    (np.array([1.0, None], dtype=object), TypeError, "dtype object"),
    (np.array([1.0, 2.0], dtype=object), TypeError, "dtype object"),
    (np.ma.masked_array([1.0, 2.0], mask=[False, True]), ValueError, "masked"),
    ([1 + 2j, 0], TypeError, "complex"),
]


@pytest.mark.parametrize("x, error, text", BAD)
def test_non_numeric_points_are_refused(tape, x, error, text):
    for method in (tape.forward, tape.gradient, tape.jacobian, tape.hessian):
        with pytest.raises(error, match=text):
            method(x)
    with pytest.raises(error, match=text):
        tape.jvp(np.ones(2), x)


def test_non_numeric_batches_are_refused(tape):
    with pytest.raises(TypeError, match="real numbers"):
        tape.forward([[1.0, None], [1.0, 2.0]])
    with pytest.raises(ValueError, match="masked"):
        tape.gradient(np.ma.masked_array(np.ones((2, 2)), mask=[[0, 0], [1, 0]]))


def _df(x):
    return np.array([2 * x[0] + x[1], 2 * x[1] + x[0]])


@pytest.mark.parametrize("x", [[True, False], np.array([1, 2], dtype=np.int8), [3, -1],
                               np.ma.masked_array([0.5, 2.0], mask=[False, False])])
def test_booleans_integers_and_unmasked_arrays_convert(tape, x):
    xf = np.asarray(np.ma.getdata(x), dtype=np.float64)
    assert tape.forward(x)[0] == _f(xf)
    np.testing.assert_array_equal(tape.gradient(x), _df(xf))


def test_trace_table_at_a_flipped_branch_raises():
    def g(x):
        return x[0] * 2.0 if x[0] > 0 else -x[0]

    tape = adjit.trace(g, [1.0])
    rows, text = tape.trace_table([3.0])
    assert rows[-1]["value"] == 6.0
    with pytest.raises(adjit.BranchChanged) as err:
        tape.trace_table([-1.0])
    assert err.value.guard == 0 and err.value.op == "gt"
