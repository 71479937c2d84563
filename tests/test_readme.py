"""The README's Python examples run as written (each block asserts its own results)."""
import pathlib
import re

import numpy as np

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


def _blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_has_examples():
    assert _blocks(), "the README should show Python examples"


def test_readme_examples_run():
    namespace = {}
    for block in _blocks():
        exec(compile(block, str(README), "exec"), namespace)  # noqa: S102 - our own README
    # The tour's Rosenbrock gradient and Hessian at 0, from the closed form.
    n = 100
    g = np.zeros(n)
    g[:-1] = -2.0
    np.testing.assert_allclose(namespace["g"], g, rtol=0, atol=1e-12)
    H = np.diag(np.r_[2.0 * np.ones(n - 1), 0.0] + np.r_[0.0, 200.0 * np.ones(n - 1)])
    np.testing.assert_allclose(namespace["H"], H, rtol=0, atol=1e-12)
    np.testing.assert_allclose(namespace["Hs"].toarray(), H, rtol=0, atol=1e-12)
    np.testing.assert_allclose(namespace["J"], [[2.0, 1.0], [np.cos(1.0), 0.0]], rtol=1e-15)
    assert namespace["res"].success
    np.testing.assert_allclose(namespace["res"].x, np.ones(10), atol=1e-6)
    # The shaped input: forces against central differences of the energy.
    P, energy = namespace["P"], namespace["energy"]
    fd = np.zeros(P.size)
    for k in range(P.size):
        e = np.zeros(P.size)
        e[k] = 1e-6 * max(1.0, abs(P.flat[k]))
        fd[k] = -(energy(P + e.reshape(P.shape)) - energy(P - e.reshape(P.shape))) / (2 * e[k])
    assert namespace["forces"].shape == P.shape
    np.testing.assert_allclose(namespace["forces"].reshape(-1), fd, rtol=1e-5, atol=1e-6)
    assert namespace["F"].shape == (2,) + P.shape
    # The data arguments: the least-squares fit against NumPy's.
    X, y = namespace["X"], namespace["y"]
    np.testing.assert_allclose(namespace["fit"].x, np.linalg.lstsq(X, y, rcond=None)[0],
                               rtol=1e-6)
