"""A one-line progress indicator on stderr: ``[ 3/40] lj-64 jax-vec  0:42``.
On a terminal the line is rewritten in place; elsewhere (logs, CI) each step
gets its own line."""
from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, stream=None, enabled: bool = True):
        self.total, self.done = total, 0
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = getattr(self.stream, "isatty", lambda: False)()
        self.t0 = time.perf_counter()

    def step(self, label: str) -> None:
        self.done += 1
        if not self.enabled:
            return
        el = int(time.perf_counter() - self.t0)
        width = len(str(self.total))
        bar = "#" * (20 * (self.done - 1) // max(self.total, 1))
        line = (f"[{self.done:>{width}}/{self.total}] {bar:<20} {el // 60}:{el % 60:02d}  "
                f"{label}")
        if self.tty:
            self.stream.write("\r\033[K" + line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.tty:
            self.stream.write("\n")
            self.stream.flush()
