"""The protected create as one plan: first try, then recovery (guarantees: :mod:`zkrecipes.client.protected`).

Recovery never waits by itself: its first request after a ConnectionLoss (a
sync of the parent) is held by the transport until the client is connected
again, or fails when the session is lost (SessionExpiredError), when a whole
session timeout passes (ConnectionLoss) or on stop (ConnectionClosedError).
After each such request the pure :func:`~zkrecipes.client.protected.decide`
runs on a fresh :class:`~.steps.SessionView`, so a lost session, a stop or
the deadline end the recovery exactly as the module docstring states.
"""

from __future__ import annotations

from typing import Any

from zkrecipes.client.api.plans import create_makepath, exists_result
from zkrecipes.client.api.steps import Plan, SessionView, Snapshot, Submit
from zkrecipes.client.protected import (
    Owner,
    Step,
    decide,
    guid_prefix,
    match_child,
    owner_verdict,
)
from zkrecipes.client.protocol.opcodes import CreateMode
from zkrecipes.client.protocol.paths import join_path, split_path
from zkrecipes.client.protocol.requests import (
    CreateRequest,
    DeleteRequest,
    ExistsRequest,
    GetChildrenRequest,
    SyncRequest,
)
from zkrecipes.exceptions import (
    ConnectionClosedError,
    ConnectionLoss,
    NoNodeError,
    ProtectedCreateLost,
    SessionExpiredError,
    ZkException,
    ZkTimeoutError,
)

__all__ = ["protected_create"]


class _SessionLost(Exception):
    """Internal: the session of an ephemeral create is gone."""


def _tag(exc: ZkException, guid: str, parent: str, prefix: str) -> ZkException:
    """Attach the GUID attributes of :class:`ProtectedCreateLost` to another final error."""
    exc.protected_guid = guid  # type: ignore[attr-defined]
    exc.protected_parent = parent  # type: ignore[attr-defined]
    exc.protected_prefix = prefix  # type: ignore[attr-defined]
    return exc


class _Recovery:
    """The facts one protected create's recovery decides with."""

    __slots__ = ("deadline", "ephemeral", "guard", "guid", "parent", "prefix", "request", "session")

    def __init__(self, request: CreateRequest, guid: str, session: int | None, start: SessionView) -> None:
        self.request = request
        self.guid = guid
        self.prefix = guid_prefix(guid)
        self.parent = split_path(request.path)[0]
        self.ephemeral = CreateMode(request.flags).is_ephemeral
        self.session = session
        self.deadline = start.now + start.session_timeout
        # A request's own fate is bounded (queued: a session timeout; written: the
        # read timeout); this guard only keeps a bug from hanging the caller.
        self.guard = 2 * start.session_timeout + 5.0

    def step(self, view: SessionView) -> Step:
        return decide(running=view.running, connected=view.connected, ephemeral=self.ephemeral,
                      session=self.session, current_session=view.session_id, now=view.now,
                      deadline=self.deadline)

    def failure(self, step: Step, timeout: float) -> ZkException:
        path = self.request.path
        if step is Step.STOPPED:
            return _tag(ConnectionClosedError(f"protected create of {path}: the client was stopped"),
                        self.guid, self.parent, self.prefix)
        why = "the session was lost" if step is Step.LOST else f"no answer within {timeout:.1f} s"
        return ProtectedCreateLost(f"protected create of {path}: {why}",
                                   guid=self.guid, parent=self.parent, prefix=self.prefix)

    def session_error(self, exc: SessionExpiredError) -> BaseException:
        if self.ephemeral and not isinstance(exc, ConnectionClosedError):
            return _SessionLost()
        return exc


def protected_create(request: CreateRequest, guid: str, makepath: bool) -> Plan[Any]:
    """Create ``request`` (already GUID-named); recover from ConnectionLoss without leak or duplicate."""
    first = yield Snapshot()
    session = first.session_id
    try:
        if makepath:
            return (yield from create_makepath(request))
        return (yield Submit(request))
    except ConnectionLoss:
        pass
    start = yield Snapshot()
    recovery = _Recovery(request, guid, session if session is not None else start.session_id, start)
    timeout = start.session_timeout
    while True:
        step = recovery.step((yield Snapshot()))
        if step is not Step.TRY and step is not Step.WAIT:
            raise recovery.failure(step, timeout)
        try:
            value = yield from _try_once(recovery, makepath)
        except ConnectionClosedError:
            raise recovery.failure(Step.STOPPED, timeout) from None
        except _SessionLost:
            raise recovery.failure(Step.LOST, timeout) from None
        except (ConnectionLoss, ZkTimeoutError, SessionExpiredError):
            # The connection dropped again (decide and go on), or a persistent
            # node's session expired (carry on in the new one).
            continue
        except ZkException as exc:
            raise _tag(exc, recovery.guid, recovery.parent, recovery.prefix) from None
        return value


def _try_once(recovery: _Recovery, makepath: bool) -> Plan[Any]:
    """Find the node by GUID (after a sync); create it if absent. Returns the create's value."""
    found = yield from _find(recovery)
    if found is not None:
        return found
    try:
        if makepath:
            return (yield from create_makepath(recovery.request))
        return (yield Submit(recovery.request, timeout=recovery.guard))
    except SessionExpiredError as exc:
        raise recovery.session_error(exc) from exc


def _find(recovery: _Recovery) -> Plan[Any]:
    """The node made by an earlier try (path, or (path, stat)), or None."""
    guard = recovery.guard
    parent = recovery.parent
    try:
        # Held by the transport until connected: this is where recovery waits.
        yield Submit(SyncRequest(parent), timeout=guard)
        view = yield Snapshot()
        if recovery.step(view) is Step.LOST:
            raise _SessionLost
        children = yield Submit(GetChildrenRequest(parent), timeout=guard)
    except NoNodeError:
        return None
    except SessionExpiredError as exc:
        raise recovery.session_error(exc) from exc
    for name in match_child(children, recovery.prefix):
        path = join_path(parent, name)
        stat = yield Submit(ExistsRequest(path), exists_result, timeout=guard)
        if stat is None:
            continue
        if owner_verdict(recovery.ephemeral, stat.ephemeralOwner, recovery.session) is Owner.FOREIGN:
            try:
                yield Submit(DeleteRequest(path), timeout=guard)  # an orphan of an earlier session
            except NoNodeError:
                pass
            raise _SessionLost
        return (path, stat) if recovery.request.include_stat else path
    return None

