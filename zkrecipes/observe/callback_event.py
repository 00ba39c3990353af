"""``CallbackEvent``: one item of a callback queue ran."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CallbackEvent"]


@dataclass(frozen=True, slots=True)
class CallbackEvent:
    """A callback of ``queue`` (``"session"``, ``"watch"``, ``"completion"``) waited
    ``wait`` seconds in its queue and ran for ``run`` seconds (an awaited coroutine
    included, for the asyncio client); ``failed`` when it raised. ``depth`` is the
    number of items still queued behind it when it finished."""

    queue: str
    wait: float
    run: float
    depth: int
    failed: bool
