"""What a test server is told: ``zoo.cfg`` (+ dynamic file), logging config and JVM flags.

Pure functions of plain dataclasses, so they are unit-tested without Java.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from zkrecipes.exceptions import InvalidArgumentError

NETTY_FACTORY = "org.apache.zookeeper.server.NettyServerCnxnFactory"
MAIN_CLASS = "org.apache.zookeeper.server.quorum.QuorumPeerMain"
_HEAP = re.compile(r"^\d+[kKmMgG]?$")
_CONFIG_KEY = re.compile(r"^[A-Za-z0-9_.\-]+$")
_CLIENT_AUTH = ("need", "want", "none")


@dataclass(frozen=True)
class TlsOptions:
    """A TLS client port: key material the caller already has (nothing is generated).

    ``client_auth`` is ZooKeeper's ``ssl.clientAuth`` (``need``, ``want`` or
    ``none``); None keeps the server's default (``need``).
    """

    keystore: str
    keystore_password: str
    truststore: str | None = None
    truststore_password: str | None = None
    client_auth: str | None = None
    port: int | None = None  # None: a free port is picked


@dataclass(frozen=True)
class QuorumMember:
    """One ensemble member's identity and loopback ports."""

    myid: int
    client_port: int
    quorum_port: int
    election_port: int


@dataclass(frozen=True)
class QuorumSpec:
    """The ensemble a server belongs to (set by :class:`ZooKeeperEnsemble`)."""

    myid: int
    members: tuple[QuorumMember, ...]
    reconfig_enabled: bool = False


@dataclass(frozen=True)
class ServerSettings:
    """Every option of a local test server; defaults suit tests (see docs/testing.md)."""

    tick_time: int = 2000
    heap: str = "256m"
    extended_types: bool = True
    force_sync: bool = False
    read_only: bool = False
    netty: bool = False
    tls: TlsOptions | None = None
    container_check_interval_ms: int | None = 1000
    super_password: str | None = None
    extra_config: tuple[str, ...] = ()
    extra_jvm_flags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.tick_time, int) or self.tick_time <= 0:
            raise InvalidArgumentError(f"tick_time must be a positive int (ms), got {self.tick_time!r}")
        if not isinstance(self.heap, str) or not _HEAP.match(self.heap):
            raise InvalidArgumentError(f"heap must look like '256m', got {self.heap!r}")
        if self.tls is not None and self.tls.client_auth not in (None, *_CLIENT_AUTH):
            raise InvalidArgumentError(
                f"tls.client_auth must be one of {_CLIENT_AUTH}, got {self.tls.client_auth!r}"
            )
        for line in self.extra_config:
            validate_config_line(line)
        for flag in self.extra_jvm_flags:
            if not isinstance(flag, str) or not flag.startswith("-") or "\n" in flag:
                raise InvalidArgumentError(f"a JVM flag starts with '-' and has no newline, got {flag!r}")

    @property
    def uses_netty(self) -> bool:
        """Netty is needed for TLS and when asked for explicitly."""
        return self.netty or self.tls is not None


@dataclass(frozen=True)
class ServerLayout:
    """Where one server's files live and which ports it binds."""

    work_dir: Path
    client_port: int
    tls_port: int | None = None
    quorum: QuorumSpec | None = None

    @property
    def data_dir(self) -> Path:
        return self.work_dir / "data"

    @property
    def conf_dir(self) -> Path:
        return self.work_dir / "conf"

    @property
    def config_path(self) -> Path:
        return self.conf_dir / "zoo.cfg"

    @property
    def dynamic_config_path(self) -> Path:
        return self.conf_dir / "zoo.cfg.dynamic"

    @property
    def log_path(self) -> Path:
        return self.work_dir / "zookeeper.log"


def validate_config_line(line: str) -> str:
    """Return ``line`` if it is a single ``key=value`` line, else raise InvalidArgumentError."""
    if not isinstance(line, str) or "\n" in line or "\r" in line or "=" not in line:
        raise InvalidArgumentError(f"a config line is one 'key=value' line, got {line!r}")
    key = line.split("=", 1)[0].strip()
    if not _CONFIG_KEY.match(key):
        raise InvalidArgumentError(f"bad config key {key!r} in {line!r}")
    return line


def super_digest(password: str) -> str:
    """ZooKeeper's ``superDigest`` value for user ``super`` with ``password``."""
    digest = hashlib.sha1(f"super:{password}".encode()).digest()
    return "super:" + base64.b64encode(digest).decode("ascii")


def _server_line(member: QuorumMember, *, dynamic: bool) -> str:
    line = f"server.{member.myid}=127.0.0.1:{member.quorum_port}:{member.election_port}"
    if dynamic:
        line += f":participant;127.0.0.1:{member.client_port}"
    return line


def render_config(settings: ServerSettings, layout: ServerLayout) -> dict[Path, str]:
    """Return every config file to write (path → text): ``zoo.cfg`` and, for a
    reconfig-enabled ensemble member, the dynamic config file."""
    quorum = layout.quorum
    lines = [
        "# written by zkrecipes.testing",
        f"tickTime={settings.tick_time}",
        "initLimit=10",
        "syncLimit=5",
        f"dataDir={layout.data_dir}",
        "maxClientCnxns=0",
        "admin.enableServer=false",
        "4lw.commands.whitelist=*",
        f"extendedTypesEnabled={'true' if settings.extended_types else 'false'}",
    ]
    files: dict[Path, str] = {}
    if quorum is not None and quorum.reconfig_enabled:
        lines += ["reconfigEnabled=true", "standaloneEnabled=false",
                  f"dynamicConfigFile={layout.dynamic_config_path}"]
        dynamic = [_server_line(member, dynamic=True) for member in quorum.members]
        files[layout.dynamic_config_path] = "\n".join(dynamic) + "\n"
    else:
        lines += [f"clientPort={layout.client_port}", "clientPortAddress=127.0.0.1"]
        if quorum is not None:
            lines += [_server_line(member, dynamic=False) for member in quorum.members]
    if settings.tls is not None and layout.tls_port is not None:
        lines += [f"secureClientPort={layout.tls_port}", "secureClientPortAddress=127.0.0.1"]
    lines += list(settings.extra_config)
    files[layout.config_path] = "\n".join(lines) + "\n"
    return files


LOG4J_PROPERTIES = """\
log4j.rootLogger=INFO, CONSOLE
log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender
log4j.appender.CONSOLE.Threshold=INFO
log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout
log4j.appender.CONSOLE.layout.ConversionPattern=%d{ISO8601} - %-5p [%t:%C{1}@%L] - %m%n
"""

LOGBACK_XML = """\
<configuration>
  <appender name="CONSOLE" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%d{ISO8601} - %-5p [%t:%C{1}@%L] - %m%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="CONSOLE"/></root>
</configuration>
"""


def logging_files(layout: ServerLayout) -> dict[Path, str]:
    """Logging config for both bindings a release may carry (log4j 1.2 and logback), to stdout."""
    return {layout.conf_dir / "log4j.properties": LOG4J_PROPERTIES,
            layout.conf_dir / "logback.xml": LOGBACK_XML}


def jvm_flags(settings: ServerSettings, layout: ServerLayout) -> list[str]:
    """The JVM flags for this server (heap, logging, ZooKeeper system properties)."""
    flags = [
        f"-Xmx{settings.heap}",
        "-XX:+UseSerialGC",
        "-Djava.awt.headless=true",
        f"-Dlog4j.configuration=file:{layout.conf_dir / 'log4j.properties'}",
        f"-Dlogback.configurationFile={layout.conf_dir / 'logback.xml'}",
        "-Dzookeeper.root.logger=INFO,CONSOLE",
        f"-Dzookeeper.log.dir={layout.work_dir}",
        "-Dzookeeper.admin.enableServer=false",
        "-Dzookeeper.snapshot.trust.empty=true",
        "-Dzookeeper.preAllocSize=4096",
    ]
    if settings.container_check_interval_ms is not None:
        flags.append(f"-Dznode.container.checkIntervalMs={settings.container_check_interval_ms}")
    if not settings.force_sync:
        flags.append("-Dzookeeper.forceSync=no")
    if settings.read_only:
        flags.append("-Dreadonlymode.enabled=true")
    if settings.uses_netty:
        flags.append(f"-Dzookeeper.serverCnxnFactory={NETTY_FACTORY}")
    if settings.super_password is not None:
        flags.append(f"-Dzookeeper.DigestAuthenticationProvider.superDigest={super_digest(settings.super_password)}")
    tls = settings.tls
    if tls is not None:
        flags += [f"-Dzookeeper.ssl.keyStore.location={tls.keystore}",
                  f"-Dzookeeper.ssl.keyStore.password={tls.keystore_password}"]
        if tls.truststore is not None:
            flags.append(f"-Dzookeeper.ssl.trustStore.location={tls.truststore}")
        if tls.truststore_password is not None:
            flags.append(f"-Dzookeeper.ssl.trustStore.password={tls.truststore_password}")
        if tls.client_auth is not None:
            flags.append(f"-Dzookeeper.ssl.clientAuth={tls.client_auth}")
    flags += list(settings.extra_jvm_flags)
    return flags


def java_command(
    java: str, classpath: Sequence[str], settings: ServerSettings, layout: ServerLayout
) -> list[str]:
    """The full command line: our conf dir first on the classpath, then the install's jars."""
    entries = [str(layout.conf_dir), *classpath]
    return [java, *jvm_flags(settings, layout), "-cp", ":".join(entries), MAIN_CLASS, str(layout.config_path)]

