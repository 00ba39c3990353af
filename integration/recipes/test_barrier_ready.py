"""DoubleBarrier.leave deletes its round's "ready" node once, even when the delete's reply is
lost with the connection (issue 16): the retry must not delete the next round's node."""

from __future__ import annotations

from typing import Any

from _helpers import WAIT, background, wait_until

from zkrecipes.recipes.barrier import DoubleBarrier


def hold_the_reply_of_the_first_delete(member: Any, proxy: Any) -> None:
    """From the member's first delete on, the server's replies are held back (the proxy's
    STALL_REPLIES): that delete reaches the server and is applied, its reply does not come."""
    real = member.delete
    calls: list[object] = []

    def delete(*args: Any, **kwargs: Any) -> Any:
        if not calls:
            calls.append(args)
            proxy.stall_replies()
        return real(*args, **kwargs)

    member.delete = delete


def test_a_lost_reply_to_the_ready_delete_does_not_delete_the_next_rounds_node(
        fault_proxy: Any, zk_client_factory: Any) -> None:
    member = zk_client_factory(fault_proxy.hosts, timeout=10.0)
    other = zk_client_factory()
    barrier = DoubleBarrier(member, "/double", 1, identifier="m")
    assert barrier.enter(timeout=WAIT) is True
    first = other.exists("/double/ready")
    assert first is not None

    hold_the_reply_of_the_first_delete(member, fault_proxy)
    leaving = background(member, lambda: barrier.leave(timeout=WAIT))
    wait_until(other, lambda: other.exists("/double/ready") is None, message="the ready delete applied")
    other.create("/double/ready")  # the next round's node, made before the member hears back
    fault_proxy.close_connections()  # the reply is lost with the connection
    fault_proxy.resume()

    assert leaving.get(timeout=WAIT) is True
    kept = other.exists("/double/ready")
    assert kept is not None and kept.czxid != first.czxid  # the next round's node survives
    assert other.get_children("/double") == ["ready"]  # the member's own node is gone


def test_a_lost_reply_to_the_ready_delete_is_success(fault_proxy: Any, zk_client_factory: Any) -> None:
    member = zk_client_factory(fault_proxy.hosts, timeout=10.0)
    other = zk_client_factory()
    barrier = DoubleBarrier(member, "/double", 1, identifier="m")
    assert barrier.enter(timeout=WAIT) is True

    hold_the_reply_of_the_first_delete(member, fault_proxy)
    leaving = background(member, lambda: barrier.leave(timeout=WAIT))
    wait_until(other, lambda: other.exists("/double/ready") is None, message="the ready delete applied")
    fault_proxy.close_connections()
    fault_proxy.resume()

    assert leaving.get(timeout=WAIT) is True
    assert other.get_children("/double") == []
