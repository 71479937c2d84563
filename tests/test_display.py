"""The evaluation trace table and the Graphviz picture of a tape.

trace_table is checked on the textbook's examples against hand-derived
values, tangents and adjoints; DOT output is parsed and its node and edge
counts compared with the tape's structure."""
import re

import numpy as np
import pytest

import adjit
from adjit import display, ops


def griewank(x):
    """f(x1, x2) = ln(x1) + x1*x2 - sin(x2), the textbook's first example."""
    return np.log(x[0]) + x[0] * x[1] - np.sin(x[1])


def test_trace_table_on_the_classic_example():
    tape = adjit.trace(griewank, [2.0, 5.0])
    x1, x2 = 2.0, 5.0
    rows, text = tape.trace_table([x1, x2], v=[1.0, 0.0], w=[1.0])
    assert [r["op"] for r in rows] == ["input", "input", "log", "mul", "add", "sin", "sub"]
    want_values = [x1, x2, np.log(x1), x1 * x2, np.log(x1) + x1 * x2, np.sin(x2),
                   np.log(x1) + x1 * x2 - np.sin(x2)]
    np.testing.assert_allclose([r["value"] for r in rows], want_values, rtol=1e-15)
    # forward mode along e1: d/dx1 of each intermediate
    np.testing.assert_allclose([r["tangent"] for r in rows],
                               [1.0, 0.0, 1 / x1, x2, 1 / x1 + x2, 0.0, 1 / x1 + x2])
    # reverse mode: the inputs' adjoints are the gradient
    assert rows[0]["adjoint"] == pytest.approx(1 / x1 + x2)
    assert rows[1]["adjoint"] == pytest.approx(x1 - np.cos(x2))
    assert rows[-1]["output"] == "0" and rows[-1]["adjoint"] == 1.0
    lines = text.splitlines()
    assert len(lines) == 2 + tape.n_slots
    assert lines[0].split() == ["name", "op", "operands", "value", "tangent", "adjoint",
                                "output"]


def test_trace_table_without_directions_and_with_constants():
    tape = adjit.trace(lambda x: [x[0] * x[1] + np.exp(x[0] * x[1]), 2.0 * x[0]], [1.0, 2.0])
    rows, text = tape.trace_table([1.0, 2.0])
    assert "tangent" not in rows[0] and "adjoint" not in rows[0]
    assert rows[-1]["operands"] == "2, x0" or rows[-1]["operands"] == "x0, 2"
    np.testing.assert_allclose([rows[int(s)]["value"] for s in tape.outputs],
                               [2.0 + np.exp(2.0), 2.0])
    with pytest.raises(ValueError, match=r"v: expected shape \(2,\)"):
        tape.trace_table([1.0, 2.0], v=[1.0])
    with pytest.raises(ValueError, match=r"w: expected shape \(2,\)"):
        tape.trace_table([1.0, 2.0], w=[1.0])


_NODE = re.compile(r"^\s*(\w+)\s*\[(.*)\];$")
_EDGE = re.compile(r"^\s*(\w+)\s*->\s*(\w+);$")


def _parse(dot):
    assert dot.startswith("digraph") and dot.rstrip().endswith("}")
    nodes, edges = {}, []
    for line in dot.splitlines():
        if m := _NODE.match(line):
            if m.group(1) not in ("node", "edge", "graph"):
                nodes[m.group(1)] = m.group(2)
        elif m := _EDGE.match(line):
            edges.append((m.group(1), m.group(2)))
    return nodes, edges


def test_dot_nodes_and_edges_match_the_tape():
    tape = adjit.trace(griewank, [2.0, 5.0])
    nodes, edges = _parse(tape.to_dot())
    # 2 inputs, 5 ops (log, mul, add, sin, sub), 1 output
    assert tape.n_ops == 5 and len(nodes) == 2 + 5 + 1
    # log:1, mul:2, add:2, sin:1, sub:2 operands, plus one edge to the output
    assert len(edges) == 9
    assert all(a in nodes and b in nodes for a, b in edges)


def test_dot_counts_on_a_larger_tape_with_constants_and_branches():
    def f(x):
        s = 2.0 * x[0] + 3.0
        for i in range(20):
            s = np.sin(s) * x[1] - 0.5 * x[2]
        if s > 0.0:
            s = s * s
        return [s, x[0] - 1.0, 7.0]

    tape = adjit.trace(f, [1.0, 2.0, 3.0])
    nodes, edges = _parse(tape.to_dot())
    assert len(nodes) == tape.n_inputs + tape.n_ops + tape.n_outputs
    kinds = ops.KIND[tape.opcode]
    n_operands = int(np.sum((kinds != ops.CONST).astype(int) + (kinds == ops.VV)))
    assert len(edges) == n_operands + tape.n_outputs
    labels = " ".join(nodes.values())
    assert "mul(·, 2)" in labels and "add(·, 3)" in labels  # constants folded in
    assert labels.count("diamond") == len(tape.guards) == 1
    assert f"branch 0 at {__file__}" in labels


def test_render_explains_how_to_install_graphviz(monkeypatch, tmp_path):
    tape = adjit.trace(griewank, [2.0, 5.0])
    monkeypatch.setattr(display.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="apt-get install graphviz"):
        tape.render(tmp_path / "g.svg")
    with pytest.raises(ValueError, match="format"):
        tape.render(tmp_path / "g.unknown")


def test_render_with_graphviz(tmp_path):
    if display.shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    tape = adjit.trace(griewank, [2.0, 5.0])
    path = tape.render(tmp_path / "g.svg")
    assert open(path).read().lstrip().startswith(("<?xml", "<svg"))
