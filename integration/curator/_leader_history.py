"""A leadership history kept on the server: each participant that believes it leads writes there.

A :class:`Scribe` follows a latch's state stream; while the latch says it
leads, it creates ``<hist>/w-<seq>`` nodes with ``id:epoch`` (not fenced: it
records *beliefs*, so a participant that wrongly believed it led — CURATOR-696 —
shows up as soon as it can reach the server). :func:`terms` reads the history
back in the server's order; :func:`assert_one_leader_at_a_time` checks that
the terms never interleave and that the epochs strictly increase.
"""

from __future__ import annotations

import threading
from typing import Any

from zkrecipes import ZkClient
from zkrecipes.exceptions import NoNodeError, ZkException
from zkrecipes.recipes.curator import LeaderStatus

#: The pace of a believing leader's writes (each state change wakes it sooner).
PACE = 0.05


class Scribe:
    """Writes ``id:epoch`` under ``hist`` (with ``client``) while ``latch`` believes it leads."""

    def __init__(self, client: ZkClient, latch: Any, hist: str) -> None:
        self.client = client
        self.latch = latch
        self.hist = hist
        self.written = 0
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while self.latch.leadership.status is not LeaderStatus.CLOSED:
            for _state in self.latch.states(timeout=PACE):  # the current state, then changes, PACE s each
                self._write()

    def _write(self) -> None:
        epoch = self.latch.epoch
        if epoch is None or not self.latch.has_leadership():
            return
        try:
            self.client.create(f"{self.hist}/w-", f"{self.latch.id}:{epoch}".encode(), sequence=True,
                               makepath=True)
            self.written += 1
        except ZkException:
            pass  # disconnected: a belief the server cannot see (and so cannot act on)

    def join(self, timeout: float = 10.0) -> None:
        self._thread.join(timeout)


def terms(client: ZkClient, hist: str) -> list[tuple[str, int]]:
    """The history's ``(id, epoch)`` runs in the server's order (consecutive duplicates merged)."""
    runs: list[tuple[str, int]] = []
    try:
        names = client.get_children(hist)
    except NoNodeError:
        return runs  # nothing written yet
    for name in sorted(names):
        who, epoch = client.get(f"{hist}/{name}")[0].decode().split(":")  # type: ignore[union-attr]
        entry = (who, int(epoch))
        if not runs or runs[-1] != entry:
            runs.append(entry)
    return runs


def recorded(client: ZkClient, hist: str, who: str) -> bool:
    """True once the history's last term is ``who``'s."""
    runs = terms(client, hist)
    return bool(runs) and runs[-1][0] == who


def assert_one_leader_at_a_time(runs: list[tuple[str, int]]) -> None:
    """Each term appears once (no interleaving) and the epochs strictly increase."""
    epochs = [epoch for _who, epoch in runs]
    assert epochs == sorted(set(epochs)), f"terms interleave or go back: {runs}"
