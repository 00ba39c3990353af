"""client.retry: a fresh copy of command_retry per call (no server)."""

from __future__ import annotations

import time

import pytest

from zkrecipes import ZkClient
from zkrecipes.exceptions import (
    ConfigurationError,
    ConnectionLoss,
    NoNodeError,
    RetryFailedError,
    SessionExpiredError,
)
from zkrecipes.retry import RetryPolicy


def test_retry_retries_connection_loss_then_returns() -> None:
    client = ZkClient("127.0.0.1:1", command_retry={"max_tries": 5, "delay": 0.0})
    calls: list[int] = []

    def flaky(x: int) -> int:
        calls.append(x)
        if len(calls) < 3:
            raise ConnectionLoss()
        return x * 2

    assert client.retry(flaky, 21) == 42
    assert calls == [21, 21, 21]


def test_retry_gives_up_after_max_tries() -> None:
    client = ZkClient("127.0.0.1:1", command_retry={"max_tries": 2, "delay": 0.0})
    calls = []

    def always_lost() -> None:
        calls.append(1)
        raise ConnectionLoss()

    with pytest.raises(RetryFailedError):
        client.retry(always_lost)
    assert len(calls) == 2
    # each call gets a fresh copy: the count starts again
    calls.clear()
    with pytest.raises(RetryFailedError):
        client.retry(always_lost)
    assert len(calls) == 2


def test_retry_does_not_retry_other_errors() -> None:
    client = ZkClient("127.0.0.1:1", command_retry={"max_tries": 5, "delay": 0.0})
    calls = []

    def missing() -> None:
        calls.append(1)
        raise NoNodeError()

    with pytest.raises(NoNodeError):
        client.retry(missing)
    assert calls == [1]


def test_retry_ignore_expire_false() -> None:
    client = ZkClient("127.0.0.1:1", command_retry={"max_tries": 5, "delay": 0.0, "ignore_expire": False})
    with pytest.raises(SessionExpiredError):
        client.retry(lambda: (_ for _ in ()).throw(SessionExpiredError()))


def test_retry_policy_must_share_the_handler_sleep() -> None:
    with pytest.raises(ConfigurationError):
        ZkClient("127.0.0.1:1", command_retry=RetryPolicy(sleep_func=lambda s: None))
    with pytest.raises(ConfigurationError):
        ZkClient("127.0.0.1:1", connection_retry="fast")  # type: ignore[arg-type]
    ok = ZkClient("127.0.0.1:1", command_retry=RetryPolicy(sleep_func=time.sleep, max_tries=3))
    assert ok.retry(lambda: 5) == 5
