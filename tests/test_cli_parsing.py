"""The CLI's argument parsing and option checks (no server)."""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from zkrecipes.cli.app import parse
from zkrecipes.cli.connect import build_config, probe_hosts
from zkrecipes.cli.errors import EXIT_USAGE, CliError
from zkrecipes.cli.jobs import command_argv
from zkrecipes.client.hosts import HostPort


def test_job_command_is_everything_after_the_first_double_dash() -> None:
    args = parse(["lock", "/l", "--shared", "2", "--timeout", "3", "--id", "me",
                  "--", "sh", "-c", "x --y", "--"])
    assert (args.name, args.path, args.shared) == ("lock", "/l", 2)
    assert (args.lock_timeout, args.identifier) == (3.0, "me")
    assert args.command == ["sh", "-c", "x --y", "--"]
    assert command_argv(args) == ["sh", "-c", "x --y", "--"]


def test_global_timeout_and_lock_timeout_are_distinct() -> None:
    args = parse(["--timeout", "4", "lock", "/l", "--timeout", "9", "--", "true"])
    assert args.timeout == 4.0 and args.lock_timeout == 9.0


def test_job_without_command_is_a_usage_error() -> None:
    with pytest.raises(CliError) as caught:
        command_argv(parse(["elect", "/e", "--rejoin"]))
    assert caught.value.code == EXIT_USAGE


def test_json_before_or_after_the_command() -> None:
    assert parse(["--json", "ls", "/"]).json is True
    assert parse(["ls", "/", "--json"]).json is True
    assert parse(["ls", "/"]).json is False


def test_double_dash_for_other_commands_is_argparse_s() -> None:
    args = parse(["create", "/a", "--", "--data-with-dashes"])
    assert args.data == "--data-with-dashes"


def test_hosts_default_comes_from_zk_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZK_HOSTS", "h1:1,h2:2/chroot")
    config = build_config(parse(["ls", "/"]))
    assert [str(h) for h in config.hosts] == ["h1:1", "h2:2"] and config.chroot == "/chroot"
    monkeypatch.delenv("ZK_HOSTS")
    assert [str(h) for h in build_config(parse(["ls", "/"])).hosts] == ["127.0.0.1:2181"]


def test_auth_and_tls_options_build_the_client_config() -> None:
    config = build_config(parse(["--hosts", "h:1", "--digest", "u:p", "--sasl", "s:q", "--ca", "ca.pem",
                                 "--cert", "c.pem", "--key", "k.pem", "--timeout", "3", "ls", "/"]))
    assert config.auth_data == (("digest", "u:p"),)
    assert config.sasl is not None
    assert config.ssl.use_ssl and (config.ssl.ca, config.ssl.certfile, config.ssl.keyfile) == (
        "ca.pem", "c.pem", "k.pem")
    assert config.session_timeout == 3.0


@pytest.mark.parametrize("argv", [["--digest", "nocolon", "ls", "/"], ["--timeout", "-1", "ls", "/"],
                                  ["--hosts", "h:notaport", "ls", "/"]])
def test_invalid_options_are_usage_errors(argv: list[str]) -> None:
    with pytest.raises(CliError) as caught:
        build_config(parse(argv))
    assert caught.value.code == EXIT_USAGE


def test_unknown_command_exits_2() -> None:
    with pytest.raises(SystemExit) as caught:
        parse(["frobnicate"])
    assert caught.value.code == 2


def test_probe_names_each_refused_host() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        with socket.socket() as listening:
            listening.bind(("127.0.0.1", 0))
            listening.listen()
            up = listening.getsockname()[1]
            errors = probe_hosts((HostPort("127.0.0.1", port), HostPort("127.0.0.1", up)))
    assert errors == [f"127.0.0.1:{port}: Connection refused"]


def test_namespace_has_a_handler_for_every_command() -> None:
    from zkrecipes.cli.app import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(sub.choices) == {"ls", "tree", "get", "set", "create", "delete", "stat", "watch", "acl",
                                "dump", "load", "health", "lock", "elect"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_main_fails_fast_when_every_host_refuses(capsys: pytest.CaptureFixture[str]) -> None:
    from zkrecipes.cli import main

    port = _free_port()
    started = time.monotonic()
    status = main(["--hosts", f"127.0.0.1:{port}", "--timeout", "30", "ls", "/"])
    assert time.monotonic() - started < 2.0
    assert status == 3
    assert capsys.readouterr().err == (
        f"zkrecipes: cannot connect to ZooKeeper: 127.0.0.1:{port}: Connection refused\n")


@pytest.mark.parametrize("module", ["zkrecipes", "zkrecipes.cli"])
def test_python_dash_m_entry_points(module: str) -> None:
    import zkrecipes

    root = Path(__file__).resolve().parents[1]  # -m imports this checkout's zkrecipes
    done = subprocess.run([sys.executable, "-m", module, "--version"], capture_output=True, text=True,
                          timeout=60, check=False, cwd=root)
    assert (done.returncode, done.stdout.strip()) == (0, f"zkrecipes {zkrecipes.__version__}")
