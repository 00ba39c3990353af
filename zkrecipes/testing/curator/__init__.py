"""Real Apache Curator beside zkrecipes in tests: a Java peer driven over JSON lines.

:class:`CuratorPeer` runs one JVM (``CuratorPeer.java``, compiled on first use
by :func:`build_peer` against Debian's Curator 5.4 jars); :class:`CuratorSession`
is a typed view of one Curator client in it. The pytest fixture
``curator_peer`` (``integration/curator/conftest.py``) connects a session to
the test server, in the test's chroot.
"""

from zkrecipes.testing.curator.build import CuratorUnavailable, build_peer, classpath
from zkrecipes.testing.curator.framing import PeerError, PeerProtocolError
from zkrecipes.testing.curator.peer import CuratorPeer, PeerCall
from zkrecipes.testing.curator.session import CuratorSession, LatchState

__all__ = [
    "CuratorPeer",
    "CuratorSession",
    "CuratorUnavailable",
    "LatchState",
    "PeerCall",
    "PeerError",
    "PeerProtocolError",
    "build_peer",
    "classpath",
]
