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
:func:`owner_verdict`) so that they can be tested without a server; the
recovery itself is the plan :func:`zkrecipes.client.api.protected.protected_create`.
:func:`match_child` with :func:`guid_prefix` is *the* GUID lookup (recipes
that name their nodes like protected creates call it too).
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable
from typing import Literal

from zkrecipes.client.protocol.paths import join_path, split_path

__all__ = [
    "PROTECTED_PREFIX", "GuidForm", "Owner", "Step", "decide", "guid_prefix", "match_child", "new_guid",
    "owner_verdict", "protected_path",
]

PROTECTED_PREFIX = "_c_"

#: How a protected name spells its GUID: ``"hex"`` (zkrecipes' default, 32 hex digits) or
#: ``"uuid"`` (the canonical 36-character ``8-4-4-4-12`` form, lowercase with dashes: the only
#: form Apache Curator's ``ProtectedUtils`` recognises as a protected name).
GuidForm = Literal["hex", "uuid"]


def new_guid(form: GuidForm = "hex") -> str:
    """A fresh random GUID spelled in ``form`` (see :data:`GuidForm`)."""
    value = uuid.uuid4()
    if form == "hex":
        return value.hex
    if form == "uuid":
        return str(value)
    raise ValueError(f"guid form must be 'hex' or 'uuid', not {form!r}")


def guid_prefix(guid: str) -> str:
    """The name prefix of a node made by a protected create with ``guid``: ``_c_<guid>-``."""
    return f"{PROTECTED_PREFIX}{guid}-"


def protected_path(path: str, form: GuidForm = "hex") -> tuple[str, str]:
    """Return ``(<parent>/_c_<guid>-<name>, guid)`` for a create of ``path``.

    A sequential ``/q/`` keeps its trailing slash meaning: ``/q/_c_<guid>-``.
    ``form="uuid"`` spells the GUID as Curator does (the default stays 32 hex).
    """
    guid = new_guid(form)
    parent, name = split_path(path)
    return join_path(parent, guid_prefix(guid) + name), guid


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
