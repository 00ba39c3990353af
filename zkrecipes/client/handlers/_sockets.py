"""Socket helpers shared by both handlers: argument checks, TLS context, connect, select.

The functions take the socket/ssl/selectors *modules* to use, so the gevent
handler passes gevent's cooperative ones and the threading handler the standard
library's.
"""

from __future__ import annotations

import selectors
import socket
import ssl
import time
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

from zkrecipes.client.protocol.checks import check_seconds
from zkrecipes.exceptions import ConfigurationError, InvalidArgumentError, InvalidTypeError

__all__ = [
    "build_ssl_context",
    "check_timeout",
    "create_tcp_connection",
    "selector_select",
    "validate_address",
]


def check_timeout(timeout: object, *, name: str = "timeout") -> float | None:
    """Return ``timeout`` as a float (or None); bad values raise a specific error.

    Raises :class:`InvalidTypeError` for non-numbers (bools included) and
    :class:`InvalidArgumentError` for NaN, infinite or negative values (None waits forever).
    """
    if timeout is None:
        return None
    return check_seconds(timeout, name)  # the one rule for durations: finite, >= 0


def validate_address(address: object) -> tuple[str, int]:
    """Check that ``address`` is ``(host: str, port: int)`` with a valid port."""
    if not isinstance(address, tuple) or len(address) != 2:
        raise InvalidTypeError(f"address must be a (host, port) tuple, not {address!r}")
    host, port = address
    if not isinstance(host, str):
        raise InvalidTypeError(f"host must be a str, not {type(host).__name__}")
    if isinstance(port, bool) or not isinstance(port, int):
        raise InvalidTypeError(f"port must be an int, not {type(port).__name__}")
    if not host:
        raise InvalidArgumentError("host must not be empty")
    if not 0 < port < 65536:
        raise InvalidArgumentError(f"port must be in 1..65535, got {port}")
    return host, port


def build_ssl_context(
    ssl_module: ModuleType,
    *,
    ca: str | None,
    certfile: str | None,
    keyfile: str | None,
    keyfile_password: str | None,
    verify_certs: bool,
    check_hostname: bool,
) -> ssl.SSLContext:
    """Build a client-side TLS context (TLS 1.2 or newer).

    ``verify_certs`` requires the server's certificate to chain to ``ca`` (or to
    the system's default CAs when ``ca`` is None); ``check_hostname`` also
    matches it against the server name, and needs ``verify_certs``. A client
    certificate is loaded from ``certfile`` (with the key in ``keyfile``, or in
    ``certfile`` itself when ``keyfile`` is None).

    Raises :class:`ConfigurationError` for inconsistent options and lets
    ``OSError``/``ssl.SSLError`` from unreadable files propagate.
    """
    if check_hostname and not verify_certs:
        raise ConfigurationError("check_hostname=True requires verify_certs=True")
    if keyfile is not None and certfile is None:
        raise ConfigurationError("keyfile given without certfile")
    context: ssl.SSLContext = ssl_module.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    # check_hostname must be switched off before verify_mode can be CERT_NONE.
    context.check_hostname = check_hostname
    context.verify_mode = ssl.CERT_REQUIRED if verify_certs else ssl.CERT_NONE
    if verify_certs:
        if ca is not None:
            context.load_verify_locations(cafile=ca)
        else:
            context.load_default_certs(ssl.Purpose.SERVER_AUTH)
    if certfile is not None:
        context.load_cert_chain(certfile=certfile, keyfile=keyfile, password=keyfile_password)
    return context


def create_tcp_connection(
    socket_module: ModuleType,
    ssl_module: ModuleType,
    address: object,
    timeout: object,
    *,
    use_ssl: bool,
    ca: str | None,
    certfile: str | None,
    keyfile: str | None,
    keyfile_password: str | None,
    verify_certs: bool,
    check_hostname: bool,
    server_hostname: str | None,
) -> socket.socket:
    """Connect to ``address`` (every resolved address in turn) within ``timeout``.

    Guarantees on return: a connected socket with TCP_NODELAY set, not
    inheritable, its timeout set to ``timeout``; with ``use_ssl`` the TLS
    handshake is complete (SNI and hostname checks use ``server_hostname``, or
    the host of ``address`` when it is None). The whole call, TLS handshake
    included, is bounded by ``timeout``.

    Bad arguments raise :class:`InvalidTypeError`/:class:`InvalidArgumentError`/
    :class:`ConfigurationError`; network failures raise ``OSError`` (including
    ``TimeoutError`` and ``ssl.SSLError``).
    """
    host, port = validate_address(address)
    seconds = check_timeout(timeout)
    if seconds == 0:
        raise InvalidArgumentError("timeout must be > 0 (or None)")
    context = None
    if use_ssl:
        context = build_ssl_context(
            ssl_module,
            ca=ca,
            certfile=certfile,
            keyfile=keyfile,
            keyfile_password=keyfile_password,
            verify_certs=verify_certs,
            check_hostname=check_hostname,
        )
    deadline = None if seconds is None else time.monotonic() + seconds
    sock: socket.socket = socket_module.create_connection((host, port), seconds)
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if context is not None:
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"connect to {host}:{port} timed out")
                sock.settimeout(remaining)
            tls_sock: socket.socket = context.wrap_socket(
                sock, server_hostname=server_hostname or host
            )
            sock = tls_sock
            sock.settimeout(seconds)
    except BaseException:
        sock.close()
        raise
    return sock


def _fileno(obj: object) -> int:
    if isinstance(obj, int) and not isinstance(obj, bool):
        fd = obj
    else:
        fileno = getattr(obj, "fileno", None)
        if fileno is None:
            raise InvalidTypeError(f"select() needs ints or objects with fileno(), not {obj!r}")
        fd = fileno()
        if not isinstance(fd, int):
            raise InvalidTypeError("fileno() returned a non-integer")
    if fd < 0:
        raise InvalidArgumentError(f"invalid file descriptor {fd} (closed socket?)")
    return fd


def selector_select(
    rlist: Sequence[Any],
    wlist: Sequence[Any],
    xlist: Sequence[Any],
    timeout: object,
    selector_factory: Callable[[], selectors.BaseSelector],
) -> tuple[list[Any], list[Any], list[Any]]:
    """``select.select`` built on a selector, so descriptors above 1024 work.

    Returns the objects of ``rlist``/``wlist`` that are ready (the same objects
    that were passed). ``xlist`` is accepted for signature compatibility; no
    exceptional conditions are reported, so the third list is always empty.
    """
    seconds = check_timeout(timeout)
    masks: dict[int, int] = {}
    by_mask: dict[int, dict[int, list[Any]]] = {selectors.EVENT_READ: {}, selectors.EVENT_WRITE: {}}
    for mask, objs in ((selectors.EVENT_READ, rlist), (selectors.EVENT_WRITE, wlist)):
        for obj in objs:
            fd = _fileno(obj)
            masks[fd] = masks.get(fd, 0) | mask
            by_mask[mask].setdefault(fd, []).append(obj)
    for obj in xlist:
        _fileno(obj)
    selector = selector_factory()
    try:
        for fd, mask in masks.items():
            selector.register(fd, mask)
        ready = selector.select(seconds)
    finally:
        selector.close()
    readable: list[Any] = []
    writable: list[Any] = []
    for key, events in ready:
        if events & selectors.EVENT_READ:
            readable.extend(by_mask[selectors.EVENT_READ].get(key.fd, ()))
        if events & selectors.EVENT_WRITE:
            writable.extend(by_mask[selectors.EVENT_WRITE].get(key.fd, ()))
    return readable, writable, []
