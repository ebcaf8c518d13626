"""Progress for long builds: shown on a terminal once a build has run about a second, silent elsewhere."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import TextIO


@dataclass(slots=True)
class Progress:
    """`stage(name, total)` then `advance()`; prints `\\rstage n/total` at most ten times a second."""

    enabled: bool = False
    stream: TextIO = field(default_factory=lambda: sys.stderr)
    delay: float = 1.0
    started: float = field(default_factory=time.monotonic)
    _name: str = ""
    _total: int = 0
    _done: int = 0
    _last: float = 0.0
    _shown: bool = False

    def stage(self, name: str, total: int) -> None:
        self._name, self._total, self._done = name, total, 0
        self._show(force=True)

    def advance(self, n: int = 1) -> None:
        self._done += n
        self._show()

    def finish(self) -> None:
        if self._shown:
            self.stream.write("\r\033[K")
            self.stream.flush()

    def _show(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.started < self.delay or (not force and now - self._last < 0.1):
            return
        self._last = now
        self._shown = True
        self.stream.write(f"\r\033[K{self._name} {self._done}/{self._total}")
        self.stream.flush()
