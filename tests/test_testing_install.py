"""Finding java and a ZooKeeper install (fake directory trees, no Java needed)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from zkrecipes.exceptions import JavaNotFoundError, ZooKeeperNotInstalledError
from zkrecipes.testing import install


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"PK")
    return path


def _debian_tree(root: Path) -> Path:
    java_dir = root / "usr-share-java"
    _touch(java_dir / "zookeeper-3.8.0.jar")
    (java_dir / "zookeeper.jar").symlink_to("zookeeper-3.8.0.jar")
    for name in ("slf4j-log4j12.jar", "log4j-1.2.jar", "netty-codec.jar", "netty-resolver.jar",
                 "netty-transport-native-unix-common.jar", "zookeeper-jute.jar"):
        _touch(java_dir / name)
    return java_dir


def test_apache_release_layout(tmp_path: Path) -> None:
    home = tmp_path / "apache-zookeeper-3.8.4-bin"
    jars = ("zookeeper-3.8.4.jar", "zookeeper-jute-3.8.4.jar", "netty-codec-4.1.jar", "logback-core.jar")
    for name in jars:
        _touch(home / "lib" / name)
    found = install.find_install({"ZOOKEEPER_HOME": str(home)}, debian_java_dir=tmp_path / "none")
    assert found.kind == "home"
    assert found.version == "3.8.4"
    assert str(home / "lib" / "zookeeper-3.8.4.jar") in found.classpath
    assert str(home / "lib" / "logback-core.jar") in found.classpath
    assert found.netty_extra == ()


def test_old_release_layout_with_top_level_jar(tmp_path: Path) -> None:
    home = tmp_path / "zookeeper-3.4.14"
    _touch(home / "zookeeper-3.4.14.jar")
    _touch(home / "lib" / "log4j-1.2.17.jar")
    found = install.install_from_home(home)
    assert found.version == "3.4.14"
    assert found.classpath[0] == str(home / "zookeeper-3.4.14.jar")


def test_home_without_server_jar_is_an_error(tmp_path: Path) -> None:
    home = tmp_path / "empty"
    _touch(home / "lib" / "zookeeper-jute-3.8.4.jar")
    with pytest.raises(ZooKeeperNotInstalledError, match=r"zookeeper-<version>\.jar"):
        install.find_install({"ZOOKEEPER_HOME": str(home)}, debian_java_dir=_debian_tree(tmp_path))


def test_home_that_is_not_a_directory_does_not_fall_back(tmp_path: Path) -> None:
    with pytest.raises(ZooKeeperNotInstalledError, match="not a directory"):
        install.find_install({"ZOOKEEPER_HOME": str(tmp_path / "nope")},
                             debian_java_dir=_debian_tree(tmp_path))


def test_debian_layout(tmp_path: Path) -> None:
    java_dir = _debian_tree(tmp_path)
    found = install.find_install({}, debian_java_dir=java_dir)
    assert found.kind == "debian"
    assert found.version == "3.8.0"
    assert found.classpath == (str(java_dir / "zookeeper.jar"), str(java_dir / "slf4j-log4j12.jar"),
                               str(java_dir / "log4j-1.2.jar"))
    assert [Path(jar).name for jar in found.netty_extra] == [
        "netty-codec.jar", "netty-resolver.jar", "netty-transport-native-unix-common.jar"]
    assert found.classpath_for(netty=True) == list(found.classpath) + list(found.netty_extra)
    assert found.classpath_for(netty=False) == list(found.classpath)


def test_nothing_installed_names_both_fixes(tmp_path: Path) -> None:
    with pytest.raises(ZooKeeperNotInstalledError) as info:
        install.find_install({}, debian_java_dir=tmp_path)
    assert "apt-get install zookeeper" in str(info.value)
    assert "ZOOKEEPER_HOME" in str(info.value)


def _fake_java(directory: Path) -> Path:
    java = directory / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text("#!/bin/sh\nexit 0\n")
    java.chmod(java.stat().st_mode | stat.S_IXUSR)
    return java


def test_java_home_wins(tmp_path: Path) -> None:
    java = _fake_java(tmp_path / "jdk")
    assert install.find_java({"JAVA_HOME": str(tmp_path / "jdk"), "PATH": ""}) == str(java)


def test_java_from_path(tmp_path: Path) -> None:
    java = _fake_java(tmp_path / "jre")
    env = {"JAVA_HOME": str(tmp_path / "missing"), "PATH": str(java.parent) + os.pathsep + "/nonexistent"}
    assert install.find_java(env) == str(java)


def test_no_java_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(JavaNotFoundError, match="java"):
        install.find_java({"PATH": str(tmp_path)})
