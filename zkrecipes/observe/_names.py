"""``request_names``: a request's operation and path, for the observers (cached per opcode).

The same answer as :func:`zkrecipes.client.protocol.request_base.request_names`,
which is meant for the error path; this runs once per observed request.
"""

from __future__ import annotations

from typing import Any

from zkrecipes.client.protocol.opcodes import op_name
from zkrecipes.client.protocol.request_base import Request

__all__ = ["operation_name", "request_names"]

_OPERATIONS: dict[int, str] = {}
_BY_TYPE: dict[type, str] = {}  # request classes whose opcode is their class constant


def operation_name(request: Any) -> str:
    """ZooKeeper's name of the request's opcode (``getData``; the class name if it has none)."""
    kind = type(request)
    name = _BY_TYPE.get(kind)
    if name is not None:
        return name
    name = _opcode_name(request)
    if getattr(kind, "opcode", None) is Request.opcode:  # not computed from the fields
        _BY_TYPE[kind] = name
    return name


def _opcode_name(request: Any) -> str:
    opcode: Any = getattr(request, "opcode", None)
    try:
        return _OPERATIONS[opcode]
    except (KeyError, TypeError):
        if not isinstance(opcode, int):
            return type(request).__name__
        operation = _OPERATIONS[opcode] = op_name(opcode)
        return operation


def request_names(request: Any) -> tuple[str, str | None]:
    """``(operation, path)``: :func:`operation_name` and the request's client path (or None)."""
    operation = operation_name(request)
    path = getattr(request, "path", None)
    if path is None:
        path = getattr(request, "prefix_path", None)
    return operation, path if type(path) is str else None
