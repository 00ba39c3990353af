"""ClientConfig: every constructor check runs once, at construction, with kazoo's error types."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import pytest

from zkrecipes import ZkClient
from zkrecipes.client.config import ClientConfig, SslOptions, make_retry
from zkrecipes.client.hosts import HostPort
from zkrecipes.exceptions import ConfigurationError, InvalidTypeError
from zkrecipes.retry import RetryPolicy
from zkrecipes.security import make_acl


def test_defaults() -> None:
    config = ClientConfig.from_kazoo_args()
    assert config.hosts == (HostPort("127.0.0.1", 2181),) and config.chroot == ""
    assert config.session_timeout == 10.0 and config.client_id is None and config.default_acl is None
    assert config.auth_data == () and config.sasl is None and config.ssl == SslOptions()
    assert not config.read_only and config.randomize_hosts


def test_frozen_and_slotted() -> None:
    config = ClientConfig.from_kazoo_args("a:1/app")
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.chroot = "/other"  # type: ignore[misc]
    assert not hasattr(config, "__dict__")


@pytest.mark.parametrize("timeout", [0, -1, math.inf, -math.inf, math.nan])
def test_a_non_positive_or_non_finite_timeout_is_refused(timeout: float) -> None:
    with pytest.raises(ConfigurationError):
        ClientConfig.from_kazoo_args(timeout=timeout)
    with pytest.raises(ConfigurationError):
        ZkClient("a:1", timeout=timeout)


@pytest.mark.parametrize("timeout", ["10", None, True])
def test_a_timeout_of_the_wrong_type_is_refused(timeout: Any) -> None:
    with pytest.raises(InvalidTypeError):
        ClientConfig.from_kazoo_args(timeout=timeout)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"hosts": ""}, ConfigurationError),
        ({"hosts": "a:1/app/./x"}, ConfigurationError),  # issue 10: "/app//x" is normalised now
        ({"auth_data": [("digest",)]}, InvalidTypeError),
        ({"client_id": (1, "pw")}, InvalidTypeError),
        ({"default_acl": ["world:anyone"]}, InvalidTypeError),
        ({"sasl_options": {"mechanism": "GSSAPI"}}, ConfigurationError),
        ({"connection_retry": "fast"}, ConfigurationError),
        ({"command_retry": {"no_such_knob": 1}}, TypeError),
        ({"no_such_option": 1}, TypeError),
    ],
)
def test_bad_options(kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        ClientConfig.from_kazoo_args(**kwargs)


def test_values_are_normalised() -> None:
    acl = [make_acl("world", "anyone", read=True)]
    config = ClientConfig.from_kazoo_args(
        "b:2,[::1]:3/app/", 2, client_id=[5, bytearray(b"pw")], default_acl=acl,  # type: ignore[arg-type]
        auth_data=[["digest", "u:p"]], read_only=None, use_ssl=1, retry_delay=3,  # type: ignore[list-item,arg-type]
    )
    assert config.hosts == (HostPort("b", 2), HostPort("::1", 3)) and config.chroot == "/app"
    assert config.session_timeout == 2.0 and isinstance(config.session_timeout, float)
    assert config.client_id == (5, b"pw") and config.default_acl == tuple(acl)
    assert config.auth_data == (("digest", "u:p"),) and config.read_only is False
    assert config.ssl.use_ssl is True
    assert "keyfile_password" in config.ssl.as_dict()


def test_with_hosts_keeps_the_chroot() -> None:
    config = ClientConfig.from_kazoo_args("a:1/app")
    moved = config.with_hosts("b:2,c:3/app", randomize_hosts=False)
    assert moved.hosts == (HostPort("b", 2), HostPort("c", 3)) and not moved.randomize_hosts
    assert config.hosts == (HostPort("a", 1),)  # unchanged
    with pytest.raises(ConfigurationError):
        config.with_hosts("b:2/other")


def test_retry_options_bind_to_the_front_ends_sleep() -> None:
    def sleep(seconds: float) -> None:
        pass

    config = ClientConfig.from_kazoo_args(command_retry={"max_tries": 3, "delay": 0.0})
    policy = make_retry(config.command_retry, sleep, "command_retry")
    assert policy.max_tries == 3 and policy.sleep_func is sleep
    assert make_retry(None, sleep, "connection_retry").max_tries == -1
    with pytest.raises(ConfigurationError):
        make_retry(RetryPolicy(), sleep, "command_retry")  # another sleep_func


def test_a_client_from_a_config() -> None:
    config = ClientConfig.from_kazoo_args("a:1,b:2/app", timeout=4)
    client = ZkClient.from_config(config)
    assert client.config is config and client.chroot == "/app" and client.hosts == [("a", 1), ("b", 2)]
    assert client.session_timeout == 4.0


def test_the_password_is_not_shown() -> None:
    config = ClientConfig.from_kazoo_args(keyfile_password="secret",
                                          sasl_options={"mechanism": "DIGEST-MD5", "username": "u",
                                                        "password": "hunter2"})
    assert "secret" not in repr(config) and "hunter2" not in repr(config)
