"""``Flights``: the requests an observed session has in flight, from submit to their end.

Keyed by the identity of the request's result object (an ``AsyncResult`` or an
asyncio future; the record keeps it alive, so the key cannot be reused while
tracked). Filled from the submitting thread, emptied on the session's owner
side: each step is one dict operation (atomic under the GIL).
"""

from __future__ import annotations

from typing import Any

from zkrecipes.client.protocol.request_base import request_names

__all__ = ["Flight", "Flights"]


class Flight:
    """One tracked request (mutable: ``xid``/``sent`` are filled in when it is written)."""

    __slots__ = ("operation", "path", "result", "sent", "started", "tokens", "xid")

    def __init__(self, operation: str, path: str | None, result: Any, started: float,
                 tokens: tuple[tuple[Any, object], ...]) -> None:
        self.operation = operation
        self.path = path
        self.result = result
        self.started = started
        self.tokens = tokens
        self.xid = 0
        self.sent = 0


class Flights:
    """The table of tracked requests."""

    __slots__ = ("_table",)

    def __init__(self) -> None:
        self._table: dict[int, Flight] = {}

    def __len__(self) -> int:
        return len(self._table)

    @staticmethod
    def names(request: Any) -> tuple[str, str | None]:
        operation, path = request_names(request)
        return operation or type(request).__name__, path

    def add(self, flight: Flight) -> None:
        self._table[id(flight.result)] = flight

    def written(self, result: Any, xid: int, size: int) -> None:
        flight = self._table.get(id(result))
        if flight is not None:
            flight.xid = xid
            flight.sent = size

    def pop(self, result: Any) -> Flight | None:
        return self._table.pop(id(result), None)
