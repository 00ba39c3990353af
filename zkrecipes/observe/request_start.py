"""``RequestStart``: a request was submitted (what an observer knows at call time).

One is made per request (or per queued callback) while someone observes, so it
is a slotted dataclass without ``frozen=True``: a frozen one's ``__init__`` sets
each field through ``object.__setattr__`` and costs about seven times as much
(measured: ~2 µs against ~0.3 µs for 12 fields), which is most of the hook's
budget per request. Treat it as read-only; the other records are frozen.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RequestStart"]


@dataclass(slots=True)  # read-only by contract; not frozen=True: see the module docstring
class RequestStart:
    """A request was submitted, in the caller's thread or task (so an observer may capture
    the caller's context, e.g. its active span). ``started`` is on the client's
    monotonic clock; ``operation`` and ``path`` as in
    :class:`~zkrecipes.observe.RequestEvent`."""

    operation: str
    path: str | None
    started: float
