"""adjit's performance suite: ``python -m perf`` (see perf/README.md).

Workloads (:mod:`perf.workloads`) run with adjit and its peers
(:mod:`perf.tools`), each tool in its own time- and memory-limited process
(:mod:`perf.isolate`, :mod:`perf.worker`), timed by :mod:`perf.timing`,
reported by :mod:`perf.report`, guarded by :mod:`perf.regress`.
"""
