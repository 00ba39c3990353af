"""``ZkClient``: the public ZooKeeper client (kazoo 2.x compatible API).

The class is assembled from small parts: :mod:`.core` (configuration,
lifecycle, session state, listeners, retry), :mod:`.operations` (the node
API), :mod:`.extras` (persistent watches, watch removal, multi-read, whoami,
reconfig, four-letter words) and :mod:`.factories` (recipe factories).
"""

from __future__ import annotations

from zkrecipes.client.extras import ExtraOperations
from zkrecipes.client.factories import RecipeFactories
from zkrecipes.client.operations import NodeOperations

__all__ = ["ZkClient"]


class ZkClient(NodeOperations, ExtraOperations, RecipeFactories):
    """A ZooKeeper client: ``ZkClient(hosts, timeout, client_id, handler, default_acl,
    auth_data, sasl_options, read_only, randomize_hosts, connection_retry,
    command_retry, logger, keyfile, keyfile_password, certfile, ca, use_ssl,
    verify_certs, check_hostname)`` — kazoo's ``KazooClient`` arguments.

    ``hosts`` is ``"h1:p1,h2:p2,[::1]:p3/chroot"``. ``timeout`` is the requested
    session timeout in seconds. Every method has an ``*_async`` twin returning
    the handler's AsyncResult; the sync method is the twin plus ``.get()``.
    Bad arguments raise before anything is sent. Listeners (``add_listener``)
    see ZkState CONNECTED / SUSPENDED / LOST and run on the SESSION queue;
    watch callbacks receive a WatchedEvent on the WATCH queue.

    Requests fail with ConnectionLoss when the connection drops before their
    reply (or when queued unsent for a whole session timeout), with
    SessionExpiredError when the session is lost, with ConnectionClosedError
    after ``stop()``. After LOST a new session is opened automatically.
    """
