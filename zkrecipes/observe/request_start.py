"""``RequestStart``: a request was submitted (what an observer knows at call time)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RequestStart"]


@dataclass(frozen=True, slots=True)
class RequestStart:
    """A request was submitted, in the caller's thread or task (so an observer may capture
    the caller's context, e.g. its active span). ``started`` is on the client's
    monotonic clock; ``operation`` and ``path`` as in
    :class:`~zkrecipes.observe.RequestEvent`."""

    operation: str
    path: str | None
    started: float
