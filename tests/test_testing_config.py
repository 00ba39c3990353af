"""Config files and JVM flags of local test servers (no Java needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from kazoo.security import make_digest_acl_credential

from zkrecipes.exceptions import InvalidArgumentError
from zkrecipes.testing import config as cfg


def _props(text: str) -> dict[str, str]:
    pairs = [line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#")]
    return {key: value for key, value in pairs}


def _layout(
    tmp_path: Path, quorum: cfg.QuorumSpec | None = None, tls_port: int | None = None
) -> cfg.ServerLayout:
    return cfg.ServerLayout(tmp_path, 12345, tls_port, quorum)


def test_standalone_config_has_harness_defaults(tmp_path: Path) -> None:
    layout = _layout(tmp_path)
    files = cfg.render_config(cfg.ServerSettings(), layout)
    assert list(files) == [layout.config_path]
    props = _props(files[layout.config_path])
    assert props["clientPort"] == "12345"
    assert props["clientPortAddress"] == "127.0.0.1"
    assert props["dataDir"] == str(tmp_path / "data")
    assert props["4lw.commands.whitelist"] == "*"
    assert props["admin.enableServer"] == "false"
    assert props["maxClientCnxns"] == "0"
    assert props["extendedTypesEnabled"] == "true"
    assert props["tickTime"] == "2000"
    assert not any(key.startswith("server.") for key in props)


def test_extended_types_off_and_extra_lines_appended(tmp_path: Path) -> None:
    settings = cfg.ServerSettings(extended_types=False, extra_config=("globalOutstandingLimit=10",))
    text = cfg.render_config(settings, _layout(tmp_path))[tmp_path / "conf" / "zoo.cfg"]
    assert _props(text)["extendedTypesEnabled"] == "false"
    assert text.splitlines()[-1] == "globalOutstandingLimit=10"


def test_static_quorum_lists_every_member(tmp_path: Path) -> None:
    members = tuple(cfg.QuorumMember(i, 1000 + i, 2000 + i, 3000 + i) for i in (1, 2, 3))
    layout = cfg.ServerLayout(tmp_path, 1002, None, cfg.QuorumSpec(2, members))
    props = _props(cfg.render_config(cfg.ServerSettings(), layout)[layout.config_path])
    assert props["server.1"] == "127.0.0.1:2001:3001"
    assert props["server.3"] == "127.0.0.1:2003:3003"
    assert props["clientPort"] == "1002"
    assert "reconfigEnabled" not in props


def test_reconfig_quorum_uses_dynamic_file(tmp_path: Path) -> None:
    members = tuple(cfg.QuorumMember(i, 1000 + i, 2000 + i, 3000 + i) for i in (1, 2))
    layout = cfg.ServerLayout(tmp_path, 1001, None, cfg.QuorumSpec(1, members, reconfig_enabled=True))
    files = cfg.render_config(cfg.ServerSettings(), layout)
    static = _props(files[layout.config_path])
    assert static["reconfigEnabled"] == "true"
    assert static["standaloneEnabled"] == "false"
    assert static["dynamicConfigFile"] == str(layout.dynamic_config_path)
    assert "clientPort" not in static
    assert not any(key.startswith("server.") for key in static)
    assert files[layout.dynamic_config_path].splitlines() == [
        "server.1=127.0.0.1:2001:3001:participant;127.0.0.1:1001",
        "server.2=127.0.0.1:2002:3002:participant;127.0.0.1:1002",
    ]


def test_default_jvm_flags(tmp_path: Path) -> None:
    flags = cfg.jvm_flags(cfg.ServerSettings(), _layout(tmp_path))
    assert "-Xmx256m" in flags
    assert "-Dznode.container.checkIntervalMs=1000" in flags
    assert "-Dzookeeper.forceSync=no" in flags
    assert not any("serverCnxnFactory" in flag for flag in flags)
    assert not any("readonlymode" in flag for flag in flags)


def test_option_flags(tmp_path: Path) -> None:
    settings = cfg.ServerSettings(force_sync=True, read_only=True, netty=True, heap="128m",
                                  container_check_interval_ms=None, extra_jvm_flags=("-Dfoo=bar",))
    flags = cfg.jvm_flags(settings, _layout(tmp_path))
    assert "-Xmx128m" in flags
    assert "-Dzookeeper.forceSync=no" not in flags
    assert "-Dreadonlymode.enabled=true" in flags
    assert f"-Dzookeeper.serverCnxnFactory={cfg.NETTY_FACTORY}" in flags
    assert not any("checkIntervalMs" in flag for flag in flags)
    assert flags[-1] == "-Dfoo=bar"


def test_tls_adds_secure_port_netty_and_key_material(tmp_path: Path) -> None:
    tls = cfg.TlsOptions("/k.p12", "kpw", "/t.p12", "tpw", client_auth="none")
    settings = cfg.ServerSettings(tls=tls)
    layout = _layout(tmp_path, tls_port=23456)
    props = _props(cfg.render_config(settings, layout)[layout.config_path])
    assert props["secureClientPort"] == "23456"
    assert props["clientPort"] == "12345"  # the plain port stays for 4lw
    flags = cfg.jvm_flags(settings, layout)
    assert settings.uses_netty
    for expected in (f"-Dzookeeper.serverCnxnFactory={cfg.NETTY_FACTORY}",
                     "-Dzookeeper.ssl.keyStore.location=/k.p12", "-Dzookeeper.ssl.keyStore.password=kpw",
                     "-Dzookeeper.ssl.trustStore.location=/t.p12", "-Dzookeeper.ssl.trustStore.password=tpw",
                     "-Dzookeeper.ssl.clientAuth=none"):
        assert expected in flags


def test_super_digest_matches_zookeeper_scheme() -> None:
    assert cfg.super_digest("secret") == make_digest_acl_credential("super", "secret")


def test_java_command_puts_conf_first_and_config_last(tmp_path: Path) -> None:
    layout = _layout(tmp_path)
    command = cfg.java_command("/usr/bin/java", ["/a.jar", "/b.jar"], cfg.ServerSettings(), layout)
    assert command[0] == "/usr/bin/java"
    assert command[-2:] == [cfg.MAIN_CLASS, str(layout.config_path)]
    classpath = command[command.index("-cp") + 1]
    assert classpath.split(":") == [str(layout.conf_dir), "/a.jar", "/b.jar"]


def test_logging_files_for_both_bindings(tmp_path: Path) -> None:
    files = cfg.logging_files(_layout(tmp_path))
    names = sorted(path.name for path in files)
    assert names == ["log4j.properties", "logback.xml"]


@pytest.mark.parametrize("line", ["no-equals", "a=b\nc=d", "bad key=1", "", "=x"])
def test_bad_extra_config_line_is_refused(line: str) -> None:
    with pytest.raises(InvalidArgumentError):
        cfg.ServerSettings(extra_config=(line,))


@pytest.mark.parametrize("kwargs", [{"heap": "lots"}, {"tick_time": 0}, {"extra_jvm_flags": ("Xmx1g",)},
                                    {"tls": cfg.TlsOptions("/k", "p", client_auth="sometimes")}])
def test_bad_settings_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidArgumentError):
        cfg.ServerSettings(**kwargs)  # type: ignore[arg-type]
