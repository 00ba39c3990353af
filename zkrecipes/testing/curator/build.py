"""Compiling the Curator peer: ``javac`` once per source version, into a cache directory.

All ``*.java`` files of this package are compiled together. The classpath is
Debian's Curator 5.4 and its dependencies under ``/usr/share/java``
(``scripts/bootstrap.sh`` installs them), or the directory in
``ZKRECIPES_CURATOR_JARS``. The compiled classes live in
``<cache>/curator-peer/<sha256 of the sources and classpath>/``, where
``<cache>`` is ``ZKRECIPES_CURATOR_CACHE`` or ``~/.cache/zkrecipes``: a changed
source (or other jars) compiles again, an unchanged one never does.
Compilation goes to a temporary directory that is renamed into place, so
concurrent test processes never see half a build.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["JARS", "CuratorUnavailable", "build_peer", "classpath", "peer_source", "peer_sources"]

#: The jars the peer needs (file names under the jar directory).
JARS = (
    "curator-client.jar",
    "curator-framework.jar",
    "curator-recipes.jar",
    "curator-x-discovery.jar",
    "zookeeper.jar",
    "zookeeper-jute.jar",
    "guava.jar",
    "slf4j-api.jar",
    "slf4j-nop.jar",
    "jackson-core.jar",
    "jackson-databind.jar",
    "jackson-annotations.jar",
)

MAIN_CLASS = "CuratorPeer"


class CuratorUnavailable(RuntimeError):
    """Curator's jars, ``javac`` or ``java`` are missing (tests skip with this message)."""


def peer_source() -> Path:
    """The Java source of the peer's main class, shipped inside this package."""
    return Path(__file__).with_name(f"{MAIN_CLASS}.java")


def peer_sources() -> list[Path]:
    """Every Java source of the peer (the main class and its helpers), in name order."""
    return sorted(Path(__file__).parent.glob("*.java"))


def classpath(jar_dir: str | None = None) -> str:
    """The peer's classpath (jars only); :class:`CuratorUnavailable` if one is missing."""
    directory = Path(jar_dir or os.environ.get("ZKRECIPES_CURATOR_JARS", "/usr/share/java"))
    missing = [name for name in JARS if not (directory / name).is_file()]
    if missing:
        raise CuratorUnavailable(
            f"Curator jars missing in {directory}: {', '.join(missing)} "
            "(apt-get install libcurator-recipes-java libcurator-discovery-java)")
    return os.pathsep.join(str(directory / name) for name in JARS)


def _cache_root() -> Path:
    configured = os.environ.get("ZKRECIPES_CURATOR_CACHE")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "zkrecipes"


def build_peer(jar_dir: str | None = None) -> tuple[Path, str]:
    """Compile the peer if needed; return ``(class directory, jar classpath)``."""
    jars = classpath(jar_dir)
    javac = shutil.which("javac")
    if javac is None or shutil.which("java") is None:
        raise CuratorUnavailable("javac/java not found (a JDK is needed for the Curator peer)")
    sources = peer_sources()
    digest = hashlib.sha256(b"".join(s.name.encode() + s.read_bytes() for s in sources)
                            + jars.encode()).hexdigest()[:20]
    target = _cache_root() / "curator-peer" / digest
    if (target / f"{MAIN_CLASS}.class").is_file():
        return target, jars
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{digest}-", dir=target.parent))
    try:
        done = subprocess.run(
            [javac, "-nowarn", "-encoding", "UTF-8", "-cp", jars, "-d", str(staging), *map(str, sources)],
            capture_output=True, text=True, timeout=300, check=False)
        if done.returncode != 0:
            raise CuratorUnavailable(f"javac failed for {peer_source().parent}:\n{done.stderr[-4000:]}")
        try:
            staging.rename(target)
        except OSError:  # another process finished first: use its build
            if not (target / f"{MAIN_CLASS}.class").is_file():
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target, jars
