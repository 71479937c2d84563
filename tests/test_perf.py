"""Tests of the performance suite's own logic (never of timings): workloads
against analytic gradients and central differences, the hand-written kernels,
the regression comparison, peer skipping, process limits, and a tiny smoke run.
"""
import json
import math
import sys

import numpy as np
import pytest

from perf import isolate, regress, report, runner, timing, workloads as W
from perf.cli import main as cli_main
from perf.plan import make_plan, workload_dims
from perf.tools import TOOLS, Tool
from perf.tools.context import Context, relative_error


# --- workloads ------------------------------------------------------------------

@pytest.mark.parametrize("family,size", [("rosenbrock", 7), ("rosenbrock", 30), ("lj", 2),
                                         ("lj", 9), ("rosenvec", 30), ("logistic", 6),
                                         ("gp", 8)])
def test_analytic_gradient_matches_central_differences(family, size):
    w = W.make(family, size)
    f = lambda x: W.evaluate(w, x)[0]  # noqa: E731
    fd = W.central_gradient(f, w.x0)
    assert relative_error(w.gradient(w.x0), fd) < 1e-6


@pytest.mark.parametrize("family,size", [("textbook1", 1), ("textbook2", 2),
                                         ("rosenbrock", 20), ("lj", 8), ("bratu", 5),
                                         ("kinetics", 12), ("rosenvec", 20), ("logistic", 7),
                                         ("bratuslice", 5), ("bratuslice", 1), ("gp", 9),
                                         ("ljvec", 7)])
def test_vector_form_equals_scalar_loop(family, size):
    w = W.make(family, size)
    x = w.points(1, seed=3)[0]
    assert np.allclose(W.evaluate(w, x), W.evaluate(w, x, vector=True), rtol=1e-12, atol=1e-12)


def test_vectorized_families_trace_the_array_form():
    """adjit traces the array form of the vectorized families (a function that
    refuses lists proves which form ``f`` runs), the scalar loop elsewhere."""
    for family, size in [("rosenvec", 10), ("logistic", 4), ("bratuslice", 3)]:
        w = W.make(family, size)
        assert w.traced == "vector"
        assert np.allclose(np.atleast_1d(w.f(w.x0)), W.evaluate(w, w.x0, vector=True),
                           rtol=1e-14, atol=0)
    rosen = W.make("rosenbrock", 10)
    assert rosen.traced == "scalar" and rosen.f(list(rosen.x0)) == W.evaluate(rosen, rosen.x0)
    with pytest.raises(TypeError):
        W.make("rosenvec", 10).f(list(rosen.x0))  # slices of a list: no array arithmetic


def test_logistic_data_and_hessian():
    X, s = W.logistic_data(200)
    assert X.shape == (W.LOGISTIC_SAMPLES, 200) and set(np.unique(s)) == {-1.0, 1.0}
    assert 0.2 < np.mean(s > 0) < 0.8  # both classes well represented
    assert np.array_equal(X, W.logistic_data(200)[0])  # fixed seed
    w = W.make("logistic", 5)
    X, s, lam = w.data["X"], w.data["s"], w.data["lam"]
    H = W.logistic_hessian(X, s, lam, w.x0)
    h = 1e-6
    fd = np.array([(w.gradient(w.x0 + h * e) - w.gradient(w.x0 - h * e)) / (2 * h)
                   for e in np.eye(5)])
    assert relative_error(H, fd) < 1e-7


def test_textbook_examples_exact():
    w1, w2 = W.make("textbook1", 1), W.make("textbook2", 2)
    assert w1.gradient(w1.x0)[0] == pytest.approx(1 + 8 / math.e, rel=1e-14)
    e2 = math.exp(2)
    assert np.allclose(w2.gradient(w2.x0), [2 + 2 * e2, 1 + e2], rtol=1e-14)


def test_bratu_and_kinetics_shapes_and_dims():
    for family, size in [("bratu", 4), ("kinetics", 10), ("random", 1000), ("lj", 5),
                         ("bundle", 15), ("rosenvec", 9), ("logistic", 3), ("bratuslice", 4),
                         ("gp", 5), ("ljvec", 6)]:
        w = W.make(family, size)
        assert (w.n_inputs, w.n_outputs) == workload_dims(family, size)
        assert W.evaluate(w, w.x0).shape == (w.n_outputs,)


def test_kinetics_network_has_the_advertised_size_and_is_reproducible():
    net = W.network(40)
    assert len(net.a) == 120 and net.species == 40
    again = W.network(40)
    assert all(np.array_equal(getattr(net, k), getattr(again, k)) for k in ("a", "b", "p", "q"))


def test_random_graph_is_reproducible_and_bounded():
    a, b = W.make("random", 2000), W.make("random", 2000)
    ya, yb = W.evaluate(a, a.x0), W.evaluate(b, b.x0)
    assert ya == yb and abs(ya[0]) <= 1.0


def test_plans_include_the_vectorized_families():
    from perf.plan import quantities
    quick = {fam for fam, _ in make_plan(quick=True).workloads}
    full = make_plan().workloads
    for fam in ("rosenvec", "logistic", "bratuslice"):
        assert fam in quick and any(f == fam for f, _ in full)
    assert ("rosenvec", 10 ** 6) in full and ("logistic", 200) in full
    assert quantities("rosenvec", 10 ** 6, 10 ** 6, 1) == ["record"]
    assert {"record", "gradient", "transform", "hvp", "batch"} <= set(
        quantities("rosenvec", 1000, 1000, 1))
    assert {"record", "gradient", "hvp", "hessian"} <= set(quantities("logistic", 200, 200, 1))
    assert {"record", "forward", "sparse_jacobian"} <= set(
        quantities("bratuslice", 32, 1024, 1024))


def test_unknown_family_is_named():
    with pytest.raises(ValueError, match="nonesuch"):
        W.make("nonesuch", 3)


# --- the hand-written Numba limit -------------------------------------------------

def test_handwritten_kernels_match_analytic():
    from perf import handwritten as hw
    r, lj = W.make("rosenbrock", 40), W.make("lj", 6)
    assert relative_error(hw.rosenbrock_gradient(r.x0), r.gradient(r.x0)) < 1e-12
    assert hw.rosenbrock_forward(r.x0) == pytest.approx(W.evaluate(r, r.x0)[0], rel=1e-12)
    assert relative_error(hw.lj_gradient(lj.x0), lj.gradient(lj.x0)) < 1e-12
    assert hw.lj_forward(lj.x0) == pytest.approx(W.evaluate(lj, lj.x0)[0], rel=1e-12)
    xs = lj.points(3)
    assert np.allclose(hw.lj_batch_gradient(xs), [lj.gradient(p) for p in xs], rtol=1e-12)
    H = hw.lj_hessian(lj.x0)
    h = 1e-6
    fd = np.array([(lj.gradient(lj.x0 + h * e) - lj.gradient(lj.x0 - h * e)) / (2 * h)
                   for e in np.eye(lj.n_inputs)])
    assert np.allclose(H, H.T) and relative_error(H, fd) < 1e-6
    b = W.make("bratu", 6)
    assert np.allclose(hw.bratu_forward(b.x0, 6, W.BRATU_LAMBDA), W.evaluate(b, b.x0))
    lg = W.make("logistic", 8)
    X, s, lam = lg.data["X"], lg.data["s"], lg.data["lam"]
    Xt = np.ascontiguousarray(X.T)
    assert hw.logistic_forward(lg.x0, X, s, lam) == pytest.approx(
        W.evaluate(lg, lg.x0)[0], rel=1e-12)
    assert relative_error(hw.logistic_gradient(lg.x0, X, Xt, s, lam), lg.gradient(lg.x0)) < 1e-12
    assert relative_error(hw.logistic_hessian(lg.x0, X, Xt, s, lam),
                          W.logistic_hessian(X, s, lam, lg.x0)) < 1e-12


# --- checking and timing ----------------------------------------------------------

def test_a_wrong_peer_result_is_recorded_and_its_time_dropped():
    records = []
    ctx = Context(W.make("textbook2", 2), ["gradient"], {"gradient": np.array([1.0, 2.0])},
                  timing.QUICK, records.append)
    assert ctx.time("gradient", lambda: np.array([1.0, 2.5]), key="gradient") is None
    assert records[-1]["status"] == "wrong result" and "median" not in records[-1]
    assert ctx.time("gradient", lambda: np.array([1.0, 2.0]), key="gradient") is not None
    assert records[-1]["status"] == "ok" and records[-1]["median"] > 0


def test_a_failing_call_is_a_result_not_a_crash():
    records = []
    ctx = Context(W.make("textbook2", 2), ["forward"], {}, timing.QUICK, records.append)
    ctx.time("forward", lambda: 1 / 0)
    assert records[-1]["status"] == "error" and "ZeroDivisionError" in records[-1]["note"]


def test_measure_reports_median_min_and_repeats():
    r = timing.measure(lambda: sum(range(100)), timing.QUICK)
    assert 0 < r["min"] <= r["median"] and r["samples"] >= 3
    assert r["repeats"] * r["min"] >= timing.QUICK.min_sample * 0.5


# --- peers: skipping and process limits ---------------------------------------------

FAKE = Tool("fake-peer", "numba_tool", "no_such_module_for_perf_tests_42", "a missing peer")


def test_missing_peer_is_skipped_with_a_note(monkeypatch):
    assert "not installed" in FAKE.missing()
    monkeypatch.setitem(TOOLS, FAKE.name, FAKE)
    out = runner._run_tool(make_plan(quick=True), FAKE.name, "textbook2", 2, 2, 1, "", {})
    assert out == {"status": "missing",
                   "note": "no_such_module_for_perf_tests_42 not installed"}


def test_worker_reports_a_missing_peer(monkeypatch, tmp_path):
    from perf import worker
    monkeypatch.setitem(TOOLS, FAKE.name, FAKE)
    job = tmp_path / "job.json"
    job.write_text(json.dumps({"tool": FAKE.name, "family": "textbook2", "size": 2,
                               "quantities": ["gradient"], "settings": vars(timing.QUICK)}))
    out = tmp_path / "out.jsonl"
    assert worker.main([str(job), str(out)]) == 0
    rec = json.loads(out.read_text().splitlines()[0])
    assert rec["status"] == "missing"


def test_scalar_loop_peer_is_not_run_on_vectorized_workloads(monkeypatch, tmp_path):
    """jax-loop on a family whose point is array code would only repeat (or, for
    the logistic regression's 200,000-term loop, time out on) the scalar family."""
    from perf import worker
    loop = Tool("jax-loop", "jax_tool", "", "x", (("style", "scalar"),))
    monkeypatch.setitem(TOOLS, "jax-loop", loop)
    job = tmp_path / "job.json"
    job.write_text(json.dumps({"tool": "jax-loop", "family": "rosenvec", "size": 10,
                               "quantities": ["gradient"], "settings": vars(timing.QUICK)}))
    out = tmp_path / "out.jsonl"
    assert worker.main([str(job), str(out)]) == 0
    rec = json.loads(out.read_text().splitlines()[0])
    assert rec["status"] == "missing" and "array code" in rec["note"]


def test_failed_peer_is_not_retried_on_larger_sizes(monkeypatch):
    failed = {"jax-loop": {"lj": "timeout"}}
    monkeypatch.setitem(TOOLS, "jax-loop", Tool("jax-loop", "jax_tool", "", "x"))
    out = runner._run_tool(make_plan(quick=True), "jax-loop", "lj", 512, 1536, 1, "", failed)
    assert out["status"] == "skipped" and "timeout" in out["note"]


def test_timeout_and_memory_limit_are_recorded():
    slow = isolate.run(["timeit", "-n1", "-r1", "import time; time.sleep(30)"], timeout=1.0)
    assert slow["status"] == "timeout" and slow["wall"] < 20
    big = isolate.run(["timeit", "-n1", "-r1", "bytearray(3 << 30)"], timeout=60,
                      memory=1 << 30)
    assert big["status"] == "out of memory"


# --- regression comparison ------------------------------------------------------------

def _results(grad, fwd, hand, key="rosenbrock-1000"):
    q = lambda t: {"status": "ok", "median": t, "min": t}  # noqa: E731
    return {"meta": {"mode": "test"}, "workloads": {key: {
        "family": key.split("-")[0], "size": 1000, "n_inputs": 1000, "n_outputs": 1,
        "n_ops": 8000, "tools": {
            "adjit": {"status": "ok", "info": {"n_ops": 8000},
                      "quantities": {"gradient": q(grad), "forward": q(fwd)}},
            "numba": {"status": "ok", "quantities": {"gradient": q(hand)}},
            "jax-loop": {"status": "timeout", "quantities": {}},
            "torch": {"status": "missing", "note": "torch not installed"}}}}}


def test_ratios_are_formed_within_one_run():
    r = regress.ratios(_results(6e-5, 2e-5, 3e-6))["rosenbrock-1000"]
    assert r["gradient/forward"] == pytest.approx(3.0)
    assert r["gradient/numba"] == pytest.approx(20.0)


def test_check_passes_within_tolerance_and_fails_naming_the_workload():
    base = regress.ratios(_results(6e-5, 2e-5, 3e-6))
    # everything twice as slow: the ratios do not move, so no failure
    assert regress.compare(regress.ratios(_results(12e-5, 4e-5, 6e-6)), base)[0] == []
    # gradient 25% slower relative to the limit: inside 30%
    assert regress.compare(regress.ratios(_results(7.5e-5, 2.5e-5, 3e-6)), base, 0.3)[0] == []
    fails, _ = regress.compare(regress.ratios(_results(9e-5, 2e-5, 3e-6)), base, 0.3)
    assert fails and all(f.startswith("rosenbrock-1000:") for f in fails)
    assert any("gradient/forward" in f for f in fails)
    # the same slowdown passes with a looser tolerance
    assert regress.compare(regress.ratios(_results(9e-5, 2e-5, 3e-6)), base, 0.6)[0] == []


def test_a_slowdown_must_show_in_every_attempt():
    base = regress.ratios(_results(6e-5, 2e-5, 3e-6))
    slow = regress.ratios(_results(12e-5, 2e-5, 3e-6))
    assert regress.compare(regress.best_of(slow, base), base)[0] == []
    assert regress.compare(regress.best_of(slow, slow), base)[0]


def test_baseline_from_several_runs_keeps_the_worst_ratio(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(_results(6e-5, 2e-5, 3e-6)))
    b.write_text(json.dumps(_results(9e-5, 2e-5, 3e-6)))
    base = tmp_path / "base.json"
    assert cli_main(["--from-json", str(a), "--from-json", str(b),
                     "--update-baseline", str(base)]) == 0
    data = json.loads(base.read_text())
    assert data["runs"] == 2 and data["ratios"]["rosenbrock-1000"]["gradient/forward"] == 4.5


def test_check_notes_what_it_could_not_compare():
    base = {"lj-64": {"gradient/numba": 10.0}}
    fails, notes = regress.compare(regress.ratios(_results(6e-5, 2e-5, 3e-6)), base)
    assert fails == [] and notes == ["lj-64: not measured in this run"]


def test_cli_check_exit_status_and_baseline_round_trip(tmp_path, capsys):
    good, slow = tmp_path / "good.json", tmp_path / "slow.json"
    good.write_text(json.dumps(_results(6e-5, 2e-5, 3e-6)))
    slow.write_text(json.dumps(_results(12e-5, 2e-5, 3e-6)))
    base = tmp_path / "baseline.json"
    assert cli_main(["--from-json", str(good), "--update-baseline", str(base)]) == 0
    assert json.loads(base.read_text())["ratios"]["rosenbrock-1000"]["gradient/forward"] == 3.0
    assert cli_main(["--from-json", str(good), "--check", str(base)]) == 0
    capsys.readouterr()
    assert cli_main(["--from-json", str(slow), "--check", str(base)]) == 1
    out = capsys.readouterr().out
    assert "SLOWER" in out and "rosenbrock-1000: gradient/forward" in out
    assert cli_main(["--from-json", str(slow), "--check", str(base), "--tolerance", "2"]) == 0


def test_report_shows_failures_and_missing_peers():
    text = report.text(_results(6e-5, 2e-5, 3e-6))
    assert "timeout" in text and "torch (torch not installed)" in text
    assert "gradient/forward 3.00" in text and "numba time ÷ adjit time: gradient 0.05×" in text


def test_markdown_summary_has_ratios_and_statuses():
    md = report.markdown(_results(6e-5, 2e-5, 3e-6))
    assert "| rosenbrock-1000 | gradient | 60 µs | 3 µs (0.05×) | timeout |" in md
    assert "| rosenbrock-1000 | 8,000 |" in md


def test_plots_are_optional(tmp_path):
    from perf.plots import plot_all
    lines = plot_all(_results(6e-5, 2e-5, 3e-6), tmp_path)
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "matplotlib is not installed" in lines[0]
    else:
        assert (tmp_path / "peers.png").exists()


def test_cli_rejects_unknown_names(capsys):
    assert cli_main(["--quick", "--peers", "nonesuch"]) == 2
    assert cli_main(["--quick", "--only", "nonesuch"]) == 2


# --- smoke: a tiny real run, every tool process included ------------------------------

def test_quick_smoke_run(tmp_path, capsys):
    out = tmp_path / "r.json"
    rc = cli_main(["--quick", "--only", "textbook2,rosenbrock-1000", "--peers", "numba",
                   "--quiet", "--json", str(out)])
    assert rc == 0
    res = json.loads(out.read_text())
    adj = res["workloads"]["rosenbrock-1000"]["tools"]["adjit"]
    assert adj["status"] == "ok", adj.get("log")
    for q in ("record", "forward", "gradient", "batch_gradient"):
        assert adj["quantities"][q]["status"] == "ok", adj["quantities"][q]
    assert res["workloads"]["rosenbrock-1000"]["tools"]["numba"]["quantities"]["gradient"][
        "status"] == "ok"
    assert res["coldstart"]["rosenbrock-1000"]["warm"]["status"] == "ok"
    assert "gradient/numba" in regress.ratios(res)["rosenbrock-1000"]
    assert "rosenbrock-1000" in capsys.readouterr().out


def test_vectorized_smoke_run(tmp_path):
    """adjit on array code, checked in its worker against the analytic gradient,
    central-difference Hessian-vector products and the hand-written kernels."""
    out = tmp_path / "r.json"
    rc = cli_main(["--quick", "--only", "logistic-12,bratuslice-6", "--peers", "numba",
                   "--quiet", "--no-cold", "--json", str(out)])
    assert rc == 0
    res = json.loads(out.read_text())["workloads"]
    lg, br = res["logistic-12"]["tools"], res["bratuslice-6"]["tools"]
    for q in ("record", "forward", "gradient", "hvp", "hessian"):
        assert lg["adjit"]["quantities"][q]["status"] == "ok", lg["adjit"]["quantities"][q]
    for q in ("gradient", "hessian"):
        assert lg["numba"]["quantities"][q]["status"] == "ok"
    for q in ("record", "forward", "sparse_jacobian"):
        assert br["adjit"]["quantities"][q]["status"] == "ok", br["adjit"]["quantities"][q]
    assert br["numba"]["quantities"]["forward"]["status"] == "ok"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
