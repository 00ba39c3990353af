"""Four-letter words on asyncio: one short connection per word (the twin of ``client/words.py``)."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Mapping
from typing import Any

from zkrecipes.client.handlers._sockets import build_ssl_context

__all__ = ["exchange"]


async def exchange(address: tuple[str, int], server_hostname: str, cmd: bytes, timeout: float,
                   ssl_options: Mapping[str, Any]) -> str:
    """Send ``cmd`` and read the answer until the server closes; the text (UTF-8, lenient).

    TLS when ``ssl_options["use_ssl"]``, with the context the transports use.
    The whole exchange is bounded by ``timeout`` seconds.
    """
    options = dict(ssl_options)
    context: ssl.SSLContext | None = None
    if options.pop("use_ssl", False):
        context = build_ssl_context(ssl, **options)

    async def talk() -> bytes:
        reader, writer = await asyncio.open_connection(
            address[0], address[1], ssl=context,
            server_hostname=server_hostname if context is not None else None)
        try:
            writer.write(cmd)
            return await reader.read()
        finally:
            writer.close()

    return (await asyncio.wait_for(talk(), timeout)).decode("utf-8", "replace")
