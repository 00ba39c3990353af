"""The asyncio recipes' client Protocol matches :class:`AsyncZkClient` (statically and by name)."""

from __future__ import annotations

import inspect

from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio.recipes._client import AsyncRecipeClient, AsyncRecipeTransaction


def _as_recipe_client(zk: AsyncZkClient) -> AsyncRecipeClient:
    return zk  # mypy: AsyncZkClient satisfies the Protocol


def _as_recipe_transaction(zk: AsyncZkClient) -> AsyncRecipeTransaction:
    return zk.transaction()


def _awaitable(member: object) -> bool:
    """A coroutine function, or a method documented to return a coroutine object (the generated
    operations are plain methods returning one: a reply future for a single request)."""
    if inspect.iscoroutinefunction(member):
        return True
    returns = getattr(member, "__annotations__", {}).get("return", "")
    return isinstance(returns, str) and returns.startswith("Coroutine[")


def _members(protocol: type) -> set[str]:
    wanted = ("__aenter__", "__aexit__")
    return {name for name in vars(protocol) if not name.startswith("_") or name in wanted}


def test_every_protocol_member_exists_on_the_client_with_its_kind() -> None:
    zk = AsyncZkClient("127.0.0.1:1")
    assert _as_recipe_client(zk) is zk
    for name in _members(AsyncRecipeClient) - {"state", "connected", "client_id"}:
        declared = getattr(AsyncRecipeClient, name)
        actual = getattr(AsyncZkClient, name)
        if name in ("create", "get_children"):  # overloaded: the Protocol keeps only stubs
            assert _awaitable(actual), name
            continue
        assert _awaitable(actual) == inspect.iscoroutinefunction(declared), name
    for name in ("state", "connected", "client_id"):
        assert isinstance(getattr(AsyncZkClient, name), property), name
    transaction = _as_recipe_transaction(zk)
    for name in _members(AsyncRecipeTransaction):
        assert inspect.iscoroutinefunction(getattr(AsyncRecipeTransaction, name)) == \
            inspect.iscoroutinefunction(getattr(type(transaction), name)), name


def test_the_recipes_do_not_import_the_client_module() -> None:
    import pathlib

    import zkrecipes.aio.recipes as package

    for module in package.__path__:
        for source in pathlib.Path(module).glob("*.py"):
            assert "zkrecipes.aio.client" not in source.read_text(), source.name
