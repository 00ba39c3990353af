"""Protected creates: a GUID in the node name makes a create safe to retry.

A create that fails with ConnectionLoss may or may not have been applied. The
node is named ``<parent>/_c_<32 hex guid>-<name>``, so recovery looks for that
GUID among the parent's children before creating again.

Recovery (after the first try failed with ConnectionLoss) guarantees:

* it waits for the client to reconnect instead of spinning on a dead
  connection; it gives up only when the client is stopped, when the session
  the first try was sent on is lost (for an ephemeral node: it died with that
  session), or when a whole session timeout has passed since recovery began;
* once connected, it syncs the parent (so that a server that lags the leader
  sees a create applied through the old connection), lists the parent, and
  adopts a node with the GUID (an ephemeral one only if its owner is the
  session the first try used); it creates again only when no such node exists;
* so the create ends with exactly one node, or with an error that carries
  ``exc.protected_guid``, ``exc.protected_parent`` and ``exc.protected_prefix``
  (``_c_<guid>-``) so that the caller can find and delete a node whose fate it
  could not learn: :class:`~zkrecipes.exceptions.ProtectedCreateLost` (a
  ConnectionLoss) when the session was lost or the deadline passed,
  ConnectionClosedError when the client was stopped, or the server's error
  (e.g. NoNodeError for a missing parent without ``makepath``).

The decisions are pure functions (:func:`decide`, :func:`match_child`,
:func:`owner_verdict`) so that they can be tested without a server.
"""

from __future__ import annotations

import enum
import time
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from zkrecipes.client.protocol.opcodes import CreateMode
from zkrecipes.client.protocol.requests import CreateRequest
from zkrecipes.exceptions import (
    ConnectionClosedError,
    ConnectionLoss,
    NoNodeError,
    ProtectedCreateLost,
    SessionExpiredError,
    ZkException,
    ZkTimeoutError,
)
from zkrecipes.states import ZkState

if TYPE_CHECKING:
    from zkrecipes.client.handlers.interface import AsyncResult
    from zkrecipes.client.operations import NodeOperations

PROTECTED_PREFIX = "_c_"
#: Longest single wait for the reconnect before the stop/LOST/deadline checks run again.
_WAIT_SLICE = 0.5


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


def _child(parent: str, name: str) -> str:
    return f"/{name}" if parent == "/" else f"{parent}/{name}"


class Step(enum.Enum):
    """What protected-create recovery does next."""

    TRY = "try"
    """Connected on the right session: look for the node, create it if absent."""
    WAIT = "wait"
    """Not connected: wait for the reconnect."""
    STOPPED = "stopped"
    """The client was stopped: give up."""
    LOST = "lost"
    """The session of the first try is gone (an ephemeral node died with it): give up."""
    DEADLINE = "deadline"
    """A whole session timeout passed without an answer: give up."""


def decide(*, running: bool, connected: bool, ephemeral: bool, session: int | None,
           current_session: int | None, now: float, deadline: float) -> Step:
    """The next recovery step.

    ``session`` is the session the first try was sent on (None if unknown),
    ``current_session`` the client's session now (None while it has none).
    Stop wins over everything; for an ephemeral node a changed or missing
    session means LOST; then the deadline; then TRY when connected, else WAIT.
    A persistent node survives a session change, so its recovery carries on.
    """
    if not running:
        return Step.STOPPED
    if ephemeral and session is not None and current_session != session:
        return Step.LOST
    if now >= deadline:
        return Step.DEADLINE
    return Step.TRY if connected else Step.WAIT


def match_child(children: Iterable[str], prefix: str) -> list[str]:
    """The children whose names start with ``prefix`` (normally at most one)."""
    return [name for name in children if name.startswith(prefix)]


class Owner(enum.Enum):
    """Whether a node found by GUID is the one this create made."""

    OURS = "ours"
    FOREIGN = "foreign"
    """An ephemeral owned by another session (an orphan of an earlier one)."""


def owner_verdict(ephemeral: bool, ephemeral_owner: int, session: int | None) -> Owner:
    """A persistent node with our GUID is ours; an ephemeral one only if ``session`` owns it."""
    if not ephemeral or session is None or ephemeral_owner == session:
        return Owner.OURS
    return Owner.FOREIGN


def _tag(exc: ZkException, guid: str, parent: str, prefix: str) -> ZkException:
    """Attach the GUID attributes of :class:`ProtectedCreateLost` to another final error."""
    exc.protected_guid = guid  # type: ignore[attr-defined]
    exc.protected_parent = parent  # type: ignore[attr-defined]
    exc.protected_prefix = prefix  # type: ignore[attr-defined]
    return exc


class _SessionLost(Exception):
    """Internal: the session of an ephemeral create is gone."""


class ProtectedCreate:
    """One protected create: the first try is asynchronous; recovery runs in ``handler.spawn``."""

    def __init__(self, client: NodeOperations, request: CreateRequest, guid: str, makepath: bool) -> None:
        self.client = client
        self.request = request
        self.guid = guid
        self.prefix = f"{PROTECTED_PREFIX}{guid}-"
        self.parent, _ = _split(request.path)
        self.makepath = makepath
        self.ephemeral = CreateMode(request.flags).is_ephemeral
        self.session: int | None = None
        self.result = client.handler.async_result()

    def start(self) -> AsyncResult:
        """Send the first create; return the result of the whole protected create."""
        self.session = self._current_session()
        self._first_try().rawlink(self._first_done)
        return self.result

    def _current_session(self) -> int | None:
        client_id = self.client.client_id
        return client_id[0] if client_id else None

    def _first_try(self) -> AsyncResult:
        if self.makepath:
            return self.client._create_makepath(self.request)
        return self.client._submit(self.request)

    def _first_done(self, reply: AsyncResult) -> None:
        exc = reply.exception
        if exc is None:
            self.result.set(reply.value)
        elif isinstance(exc, ConnectionLoss):
            if self.session is None:
                self.session = self._current_session()
            self.client.handler.spawn(self._recover)
        else:
            self.result.set_exception(exc)

    # ------------------------------------------------------------ recovery

    def _fail(self, step: Step, timeout: float) -> None:
        path = self.request.path
        exc: ZkException
        if step is Step.STOPPED:
            exc = _tag(ConnectionClosedError(f"protected create of {path}: the client was stopped"),
                       self.guid, self.parent, self.prefix)
        else:
            why = "the session was lost" if step is Step.LOST else f"no answer within {timeout:.1f} s"
            exc = ProtectedCreateLost(f"protected create of {path}: {why}",
                                      guid=self.guid, parent=self.parent, prefix=self.prefix)
        self.result.set_exception(exc)

    def _recover(self) -> None:
        client = self.client
        changed = client.handler.event_object()

        def on_state(_state: ZkState) -> None:
            changed.set()

        client.add_listener(on_state)
        try:
            self._recover_loop(changed)
        finally:
            client.remove_listener(on_state)

    def _recover_loop(self, changed: Any) -> None:
        client = self.client
        timeout = client.session_timeout
        deadline = time.monotonic() + timeout
        # A request's own fate is bounded (queued: a session timeout; written: the
        # read timeout); this guard only keeps a bug from hanging the caller.
        guard = 2 * timeout + 5.0
        while True:
            changed.clear()  # before reading the state: a later change sets it again
            step = decide(
                running=client._connection.running,
                connected=client.connected,
                ephemeral=self.ephemeral,
                session=self.session,
                current_session=self._current_session(),
                now=time.monotonic(),
                deadline=deadline,
            )
            if step is Step.WAIT:
                # Woken by any state change (CONNECTED, LOST, stop); the slice only
                # bounds the wait when the SESSION queue is held up by a listener.
                remaining = deadline - time.monotonic()
                changed.wait(max(0.0, min(_WAIT_SLICE, remaining)))
                continue
            if step is not Step.TRY:
                self._fail(step, timeout)
                return
            try:
                value = self._try_once(guard)
            except ConnectionClosedError:
                self._fail(Step.STOPPED, timeout)
                return
            except _SessionLost:
                self._fail(Step.LOST, timeout)
                return
            except (ConnectionLoss, ZkTimeoutError, SessionExpiredError):
                # The connection dropped again (wait for the next one), or a
                # persistent node's session expired (carry on in the new one).
                continue
            except ZkException as exc:
                self.result.set_exception(_tag(exc, self.guid, self.parent, self.prefix))
                return
            except Exception as exc:
                self.result.set_exception(exc)
                return
            self.result.set(value)
            return

    def _try_once(self, guard: float) -> Any:
        """Find the node by GUID (after a sync); create it if absent. Returns the create's value."""
        found = self._find(guard)
        if found is not None:
            return found
        try:
            return self._first_try().get(timeout=guard)
        except SessionExpiredError as exc:
            if self.ephemeral and not isinstance(exc, ConnectionClosedError):
                raise _SessionLost from exc
            raise

    def _find(self, guard: float) -> Any:
        """The node made by an earlier try (path, or (path, stat)), or None."""
        client = self.client
        try:
            client.sync_async(self.parent).get(timeout=guard)
            children = client.get_children_async(self.parent).get(timeout=guard)
        except NoNodeError:
            return None
        except SessionExpiredError as exc:
            if self.ephemeral and not isinstance(exc, ConnectionClosedError):
                raise _SessionLost from exc
            raise
        for name in match_child(children, self.prefix):
            path = _child(self.parent, name)
            stat = client.exists_async(path).get(timeout=guard)
            if stat is None:
                continue
            if owner_verdict(self.ephemeral, stat.ephemeralOwner, self.session) is Owner.FOREIGN:
                try:
                    client.delete_async(path).get(timeout=guard)  # an orphan of an earlier session
                except NoNodeError:
                    pass
                raise _SessionLost
            return (path, stat) if self.request.include_stat else path
        return None
