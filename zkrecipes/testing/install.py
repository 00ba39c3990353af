"""Find ``java`` and a ZooKeeper installation to launch local test servers.

Two layouts are understood:

* ``ZOOKEEPER_HOME`` — an unpacked Apache release (``lib/*.jar``, older releases
  also keep the server jar at the top level). It wins when the variable is set.
* Debian's package — ``/usr/share/java/zookeeper.jar`` (its manifest pulls jute,
  netty and slf4j-api) plus a log4j binding; the Netty connection factory also
  needs ``netty-codec``, ``netty-resolver`` and ``netty-transport-native-unix-common``.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from zkrecipes.exceptions import JavaNotFoundError, ZooKeeperNotInstalledError

DEBIAN_JAVA_DIR = Path("/usr/share/java")
_DEBIAN_LOGGING = ("slf4j-log4j12.jar", "log4j-1.2.jar")
_DEBIAN_NETTY_EXTRA = ("netty-codec.jar", "netty-resolver.jar", "netty-transport-native-unix-common.jar")
_SERVER_JAR = re.compile(r"^zookeeper(-(\d+(\.\d+)*)[\w.-]*)?\.jar$")
_NOT_SERVER = ("zookeeper-jute", "zookeeper-recipes", "zookeeper-contrib", "zookeeper-it",
               "zookeeper-prometheus", "zookeeper-tests", "zookeeper-docs")

INSTALL_HINT = (
    "apt-get install zookeeper (Debian/Ubuntu), or set ZOOKEEPER_HOME to an unpacked Apache release"
)


@dataclass(frozen=True)
class ZooKeeperInstall:
    """A usable ZooKeeper installation: the jars to put on the classpath."""

    kind: str  # "home" (ZOOKEEPER_HOME) or "debian"
    location: Path
    classpath: tuple[str, ...]
    netty_extra: tuple[str, ...] = ()  # jars needed only by the Netty connection factory
    version: str | None = None

    def classpath_for(self, *, netty: bool) -> list[str]:
        """The classpath entries, with the Netty extras when ``netty`` is true."""
        return list(self.classpath) + (list(self.netty_extra) if netty else [])


def find_java(env: Mapping[str, str] | None = None) -> str:
    """Return the path of a ``java`` executable (``JAVA_HOME`` first, then ``PATH``).

    Raises :class:`JavaNotFoundError` when there is none.
    """
    environ = os.environ if env is None else env
    java_home = environ.get("JAVA_HOME")
    if java_home:
        candidate = Path(java_home) / "bin" / "java"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("java", path=environ.get("PATH", os.defpath))
    if found is None:
        raise JavaNotFoundError(
            "no java executable found (JAVA_HOME unset or invalid, none on PATH); "
            "install a JRE, e.g. apt-get install default-jre-headless"
        )
    return found


def _is_server_jar(path: Path) -> bool:
    return bool(_SERVER_JAR.match(path.name)) and not path.name.startswith(_NOT_SERVER)


def _version_of(jar: Path) -> str | None:
    match = _SERVER_JAR.match(jar.resolve().name)
    return match.group(2) if match and match.group(2) else None


def install_from_home(home: Path) -> ZooKeeperInstall:
    """Describe an Apache release unpacked at ``home``.

    Raises :class:`ZooKeeperNotInstalledError` when no server jar is found there.
    """
    if not home.is_dir():
        raise ZooKeeperNotInstalledError(f"ZOOKEEPER_HOME={home} is not a directory")
    jars = sorted(home.glob("*.jar")) + sorted((home / "lib").glob("*.jar"))
    servers = [jar for jar in jars if _is_server_jar(jar)]
    if not servers:
        raise ZooKeeperNotInstalledError(
            f"ZOOKEEPER_HOME={home} holds no zookeeper-<version>.jar (looked in {home} and {home / 'lib'})"
        )
    return ZooKeeperInstall("home", home, tuple(str(jar) for jar in jars), (), _version_of(servers[0]))


def install_from_debian(java_dir: Path = DEBIAN_JAVA_DIR) -> ZooKeeperInstall:
    """Describe Debian's ``zookeeper`` package under ``java_dir``.

    Raises :class:`ZooKeeperNotInstalledError` when ``zookeeper.jar`` is missing.
    """
    server = java_dir / "zookeeper.jar"
    if not server.is_file():
        raise ZooKeeperNotInstalledError(f"{server} not found ({INSTALL_HINT})")
    logging = [str(java_dir / name) for name in _DEBIAN_LOGGING if (java_dir / name).is_file()]
    netty = [str(java_dir / name) for name in _DEBIAN_NETTY_EXTRA if (java_dir / name).is_file()]
    return ZooKeeperInstall("debian", java_dir, (str(server), *logging), tuple(netty), _version_of(server))


def find_install(
    env: Mapping[str, str] | None = None, debian_java_dir: Path = DEBIAN_JAVA_DIR
) -> ZooKeeperInstall:
    """Return the ZooKeeper installation to use: ``ZOOKEEPER_HOME`` if set, else Debian's package.

    A ``ZOOKEEPER_HOME`` that is set but unusable is an error (no silent fallback).
    Raises :class:`ZooKeeperNotInstalledError` naming both ways to fix it.
    """
    environ = os.environ if env is None else env
    home = environ.get("ZOOKEEPER_HOME")
    if home:
        return install_from_home(Path(home))
    try:
        return install_from_debian(debian_java_dir)
    except ZooKeeperNotInstalledError:
        raise ZooKeeperNotInstalledError(
            f"no local ZooKeeper: ZOOKEEPER_HOME is unset and {debian_java_dir / 'zookeeper.jar'} "
            f"does not exist; {INSTALL_HINT}"
        ) from None
