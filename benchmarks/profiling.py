"""cProfile across every thread of the process, not only the main one.

``python -m cProfile`` sees only the thread that calls it; with the threading handler the
client's real work (I/O loop, decoding, callback workers) runs in other threads. This
installs one :class:`cProfile.Profile` per thread (each thread enables its own when it
starts), then merges them into one :class:`pstats.Stats` sorted by cumulative time.
Greenlets run inside their OS thread, so gevent workloads are covered as well.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class AllThreadsProfiler:
    """Profile ``run(func)`` in the calling thread and in every thread started meanwhile."""

    def __init__(self) -> None:
        self._profiles: list[cProfile.Profile] = []
        self._lock = threading.Lock()

    def _new_profile(self) -> cProfile.Profile:
        profile = cProfile.Profile()
        with self._lock:
            self._profiles.append(profile)
        return profile

    def _bootstrap(self, frame: Any, event: str, arg: Any) -> None:
        # First profile event in a new thread: replace this hook by a real profiler.
        sys.setprofile(None)
        self._new_profile().enable()

    def run(self, func: Callable[[], T]) -> T:
        main = self._new_profile()
        threading.setprofile(self._bootstrap)
        main.enable()
        try:
            return func()
        finally:
            main.disable()
            threading.setprofile(None)  # type: ignore[arg-type,unused-ignore]

    def report(self, lines: int, sort: str = "cumulative") -> str:
        """The top ``lines`` functions by ``sort`` ("cumulative" or "tottime") over all threads."""
        out = io.StringIO()
        with self._lock:
            profiles = list(self._profiles)
        for profile in profiles:
            profile.create_stats()
        stats = pstats.Stats(profiles[0], stream=out)
        for profile in profiles[1:]:
            if getattr(profile, "stats", None):
                stats.add(profile)
        stats.sort_stats(sort).print_stats(lines)
        return f"{len(profiles)} threads profiled\n" + out.getvalue()
