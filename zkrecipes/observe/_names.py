"""``request_names``: a request's operation and path, for the observers (cached per opcode).

The same answer as :func:`zkrecipes.client.protocol.request_base.request_names`,
which is meant for the error path; this runs once per observed request.
"""

from __future__ import annotations

from typing import Any

from zkrecipes.client.protocol.opcodes import op_name

__all__ = ["request_names"]

_OPERATIONS: dict[int, str] = {}


def request_names(request: Any) -> tuple[str, str | None]:
    """``(operation, path)``: ZooKeeper's opcode name (the class name if none) and the path."""
    opcode = getattr(request, "opcode", None)
    operation = _OPERATIONS.get(opcode) if type(opcode) is int else None
    if operation is None:
        if isinstance(opcode, int):
            operation = _OPERATIONS[opcode] = op_name(opcode)
        else:
            operation = type(request).__name__
    path = getattr(request, "path", None)
    if path is None:
        path = getattr(request, "prefix_path", None)
    return operation, path if type(path) is str else None
