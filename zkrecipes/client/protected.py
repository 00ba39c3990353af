"""Protected creates: a GUID in the node name makes a create safe to retry.

A create that fails with ConnectionLoss may or may not have been applied. The
node is named ``<parent>/_c_<32 hex guid>-<name>``, so the retry first lists
the parent and looks for that GUID; an ephemeral node found must belong to the
current session (else it is an orphan of an old session: it is deleted and
the node created anew). So a retry never leaks nor duplicates the node.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from zkrecipes.client.protocol.opcodes import CreateMode
from zkrecipes.client.protocol.requests import CreateRequest
from zkrecipes.exceptions import ConnectionLoss, NoNodeError

if TYPE_CHECKING:
    from zkrecipes.client.handlers.interface import AsyncResult
    from zkrecipes.client.operations import NodeOperations

PROTECTED_PREFIX = "_c_"
_MAX_ATTEMPTS = 20


def protected_path(path: str) -> tuple[str, str]:
    """Return ``(<parent>/_c_<guid>-<name>, guid)`` for a create of ``path``."""
    guid = uuid.uuid4().hex
    if path.endswith("/"):
        parent, name = path[:-1], ""
    else:
        cut = path.rfind("/")
        parent, name = path[:cut], path[cut + 1 :]
    return f"{parent}/{PROTECTED_PREFIX}{guid}-{name}", guid


def _split(path: str) -> tuple[str, str]:
    cut = path.rfind("/")
    return (path[:cut] or "/"), path[cut + 1 :]


class ProtectedCreate:
    """One protected create: the first try is asynchronous; recovery runs in ``handler.spawn``."""

    def __init__(self, client: NodeOperations, request: CreateRequest, guid: str, makepath: bool) -> None:
        self.client = client
        self.request = request
        self.prefix = f"{PROTECTED_PREFIX}{guid}-"
        self.parent, _ = _split(request.path)
        self.makepath = makepath
        self.ephemeral = CreateMode(request.flags).is_ephemeral
        self.result = client.handler.async_result()

    def start(self) -> AsyncResult:
        """Send the first create; return the result of the whole protected create."""
        self._first_try().rawlink(self._first_done)
        return self.result

    def _first_try(self) -> AsyncResult:
        if self.makepath:
            return self.client._create_makepath(self.request)
        return self.client._submit(self.request)

    def _first_done(self, reply: AsyncResult) -> None:
        exc = reply.exception
        if exc is None:
            self.result.set(reply.value)
        elif isinstance(exc, ConnectionLoss):
            self.client.handler.spawn(self._recover)
        else:
            self.result.set_exception(exc)

    def _recover(self) -> None:
        last: Exception = ConnectionLoss("protected create: connection lost")
        for _ in range(_MAX_ATTEMPTS):
            try:
                found = self._find()
                value = found if found is not None else self._first_try().get()
            except ConnectionLoss as exc:
                last = exc
                continue
            except Exception as exc:
                self.result.set_exception(exc)
                return
            self.result.set(value)
            return
        self.result.set_exception(last)

    def _find(self) -> Any:
        """The node created by an earlier try (path or (path, stat)), or None."""
        client = self.client
        try:
            children = client.get_children(self.parent)
        except NoNodeError:
            return None
        for name in children:
            if not name.startswith(self.prefix):
                continue
            path = f"/{name}" if self.parent == "/" else f"{self.parent}/{name}"
            stat = client.exists(path)
            if stat is None:
                return None
            proto = client._connection.protocol
            if self.ephemeral and proto is not None and stat.ephemeralOwner != proto.session_id:
                try:
                    client.delete(path)  # an orphan of an earlier session
                except NoNodeError:
                    pass
                return None
            return (path, stat) if self.request.include_stat else path
        return None
