"""Command line of ``python -m perf``."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import regress, report
from .plan import make_plan
from .progress import Progress
from .tools import PEERS, TOOLS


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m perf",
        description="Measure adjit against hand-written Numba code and its peers, side by "
                    "side in one run; optionally check ratios against a baseline.")
    p.add_argument("--quick", action="store_true",
                   help="smoke run under a minute: small sizes, adjit and hand-written Numba")
    p.add_argument("--scaling", action="store_true",
                   help="also the 10⁷-op random graph (minutes, GBs)")
    p.add_argument("--only", action="append", metavar="NAME",
                   help="workload family or family-size (e.g. lj, rosenbrock-10000); "
                        "repeat or comma-separate")
    p.add_argument("--peers", metavar="LIST",
                   help=f"comma-separated peers to run ({', '.join(PEERS)}), or 'none'")
    p.add_argument("--json", metavar="PATH", help="save all results as JSON")
    p.add_argument("--markdown", metavar="PATH",
                   help="write a Markdown summary (the README's results tables)")
    p.add_argument("--plot", metavar="DIR", help="write PNG charts (needs matplotlib)")
    p.add_argument("--check", metavar="BASELINE",
                   help="compare this run's ratios with BASELINE; exit 1 naming each "
                        "workload that got slower than the tolerance allows")
    p.add_argument("--update-baseline", nargs="?", const="", metavar="PATH",
                   help="write this run's ratios as the baseline (to --check's path, or "
                        "perf/baseline.json)")
    p.add_argument("--tolerance", type=float,
                   help=f"relative slowdown allowed by --check (default: the baseline's, "
                        f"else {regress.DEFAULT_TOLERANCE})")
    p.add_argument("--timeout", type=float, help="seconds per tool and workload")
    p.add_argument("--memory-gb", type=float, help="address-space limit per tool process")
    p.add_argument("--no-cold", action="store_true",
                   help="skip the fresh-process first-call measurements")
    p.add_argument("--from-json", metavar="PATH",
                   help="do not run: report, plot and check the results saved in PATH")
    p.add_argument("--quiet", action="store_true", help="no progress indicator")
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    only = [o for arg in args.only or [] for o in arg.split(",") if o]
    peers = None
    if args.peers is not None:
        peers = [] if args.peers == "none" else [p for p in args.peers.split(",") if p]
        unknown = [p for p in peers if p not in TOOLS]
        if unknown:
            print(f"unknown peer(s): {', '.join(unknown)}; known: {', '.join(PEERS)}",
                  file=sys.stderr)
            return 2
    if args.from_json:
        results = json.loads(Path(args.from_json).read_text())
    else:
        from .runner import run_plan
        plan = make_plan(quick=args.quick, scaling=args.scaling, only=only, peers=peers,
                         timeout=args.timeout, memory_gb=args.memory_gb, cold=not args.no_cold)
        if not plan.workloads:
            print(f"--only {','.join(only)} matches no workload", file=sys.stderr)
            return 2
        results = run_plan(plan, Progress(0, enabled=not args.quiet))
    print(report.text(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, ensure_ascii=False))
        print(f"\nresults saved to {args.json}")
    if args.markdown:
        Path(args.markdown).write_text(report.markdown(results))
        print(f"Markdown summary written to {args.markdown}")
    if args.plot:
        from .plots import plot_all
        for line in plot_all(results, args.plot):
            print(line)
    status = 0
    if args.check:
        status = check(results, args.check, args.tolerance)
    if args.update_baseline is not None:
        path = args.update_baseline or args.check or regress.DEFAULT_BASELINE
        tol = args.tolerance if args.tolerance is not None else regress.DEFAULT_TOLERANCE
        regress.write_baseline(path, results, tol)
        print(f"baseline written to {path}")
    return status


def check(results: dict, path, tolerance=None) -> int:
    try:
        baseline, base_tol = regress.load_baseline(path)
    except (OSError, ValueError) as e:
        print(f"\ncannot read baseline {path}: {e}", file=sys.stderr)
        return 2
    tol = tolerance if tolerance is not None else (base_tol or regress.DEFAULT_TOLERANCE)
    current = regress.ratios(results)
    failures, notes = regress.compare(current, baseline, tol)
    print(f"\n== regression check against {path} (tolerance {tol:.0%})")
    for key, rs in current.items():
        base = baseline.get(key, {})
        print(f"  {key:<18} " + ", ".join(
            f"{k} {v:.3g}" + (f" (baseline {base[k]:.3g})" if k in base else "")
            for k, v in rs.items()))
    for n in notes:
        print("  note: " + n)
    if failures:
        print("SLOWER than the baseline:")
        for f in failures:
            print("  " + f)
        return 1
    print("  all ratios within tolerance")
    return 0
