"""The verdicts of the chaos scenarios, computed from the server's own history.

Every fenced write of a scenario creates one uniquely named history node (in
the same transaction as the write it records), whose data is a JSON record::

    {"h": holding id, "w": worker, "t": fencing token or null, "v": counter value or null, "k": kind}

The server orders them: a node's czxid is the zxid of the transaction that
wrote it. :func:`read_history` returns the records in commit order; the
``check_*`` functions return the list of violations (empty = verdict passed).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from zkrecipes.exceptions import NoNodeError


@dataclass(frozen=True)
class Record:
    """One history node: its name, commit zxid and record."""

    name: str
    czxid: int
    holding: str
    worker: str
    token: int | None
    value: int | None
    kind: str


def record_data(holding: str, worker: str, token: int | None, value: int | None, kind: str = "w") -> bytes:
    """The data of a history node."""
    return json.dumps({"h": holding, "w": worker, "t": token, "v": value, "k": kind}).encode()


def read_history(client: Any, path: str) -> list[Record]:
    """Every history node under ``path``, in commit (czxid) order."""
    records: list[Record] = []
    for name in client.retry(client.get_children, path):
        try:
            data, stat = client.retry(client.get, f"{path}/{name}")
        except NoNodeError:
            continue
        item = json.loads(data or b"{}")
        records.append(Record(name, stat.czxid, item["h"], item["w"], item["t"], item["v"], item["k"]))
    records.sort(key=lambda r: r.czxid)
    return records


@dataclass
class Outcomes:
    """What the workers were told about their writes (history node names)."""

    accepted: set[str] = field(default_factory=set)
    refused: set[str] = field(default_factory=set)
    unknown: set[str] = field(default_factory=set)

    def merge(self, other: Outcomes) -> None:
        self.accepted |= other.accepted
        self.refused |= other.refused
        self.unknown |= other.unknown


def reconcile(records: Iterable[Record], told: Outcomes) -> tuple[list[str], dict[str, int]]:
    """Compare what the workers were told with the history.

    Accepted writes must be in the history, refused ones must not, and no write
    is in the history that its worker was not told accepted or unknown. Unknown
    outcomes are counted both ways (``unknown_applied``, ``unknown_not_applied``).
    """
    names = {r.name for r in records}
    missing = sorted(told.accepted - names)
    problems = [f"accepted write {n} missing from the history (lost update)" for n in missing]
    problems += [f"refused write {n} is in the history" for n in sorted(told.refused & names)]
    phantom = names - told.accepted - told.unknown
    problems += [f"write {n} in the history was never reported applied or unknown" for n in sorted(phantom)]
    counts = {"unknown_applied": len(told.unknown & names), "unknown_not_applied": len(told.unknown - names)}
    return problems, counts


def check_exclusive(records: list[Record], final_counter: int | None) -> list[str]:
    """Lock verdict: one holder at a time, tokens increasing, no lost update.

    * the counter values in commit order are exactly 1..N and the final counter is N
      (every write read the previous one: no lost or doubled update);
    * the writes of one holding are contiguous in commit order (no write of an
      overlapping holder between them);
    * fencing tokens strictly increase from one holding to the next.
    """
    problems: list[str] = []
    values = [r.value for r in records]
    if values != list(range(1, len(records) + 1)):
        first = next(i for i, v in enumerate(values) if v != i + 1)
        around = values[max(0, first - 3):first + 3]
        problems.append(f"counter values not 1..N in commit order at #{first}: {around}")
    if final_counter is not None and final_counter != len(records):
        problems.append(f"final counter {final_counter} != {len(records)} history writes")
    problems += check_contiguous(records)
    previous: Record | None = None
    for record in records:
        changed = previous is not None and record.holding != previous.holding
        if changed and (record.token is None or previous.token is None or record.token <= previous.token):
            problems.append(f"token not increasing: {previous.holding} t={previous.token} then "
                            f"{record.holding} t={record.token}")
        previous = record
    return problems


def check_contiguous(records: list[Record]) -> list[str]:
    """Every holding's writes form one run in commit order."""
    seen: set[str] = set()
    problems: list[str] = []
    previous: str | None = None
    for record in records:
        if record.holding != previous:
            if record.holding in seen:
                problems.append(f"holding {record.holding} wrote again after another holder (overlap)")
            seen.add(record.holding)
            previous = record.holding
    return problems


def intervals(records: list[Record]) -> dict[str, tuple[int, int, str]]:
    """holding -> (first czxid, last czxid, kind) of its writes."""
    spans: dict[str, tuple[int, int, str]] = {}
    for record in records:
        first, _, kind = spans.get(record.holding, (record.czxid, record.czxid, record.kind))
        spans[record.holding] = (first, record.czxid, kind)
    return spans


def max_overlap(records: list[Record], kinds: Iterable[str] | None = None) -> int:
    """The largest number of holdings (of ``kinds``, default all) whose write spans overlap at one zxid."""
    wanted = None if kinds is None else set(kinds)
    events: list[tuple[int, int]] = []
    for first, last, kind in intervals(records).values():
        if wanted is None or kind in wanted:
            events += [(first, 1), (last, -1)]
    events.sort(key=lambda e: (e[0], -e[1]))  # a span opening at a zxid overlaps one closing there
    live = peak = 0
    for _, step in events:
        live += step
        peak = max(peak, live)
    return peak


def check_bounded(records: list[Record], limit: int) -> list[str]:
    """Semaphore verdict: at no zxid do more than ``limit`` holdings' write spans overlap."""
    peak = max_overlap(records)
    return [] if peak <= limit else [f"{peak} lease holders at once (max_leases {limit})"]


def check_readers_writers(records: list[Record]) -> list[str]:
    """Read/write lock verdict: no writer's span overlaps any other holding's span."""
    spans = intervals(records)
    problems: list[str] = []
    writers = [(h, s) for h, s in spans.items() if s[2] == "write"]
    for holding, (first, last, _) in writers:
        for other, (o_first, o_last, kind) in spans.items():
            if other != holding and o_first <= last and first <= o_last:
                problems.append(f"writer {holding} [{first:#x},{last:#x}] overlaps {kind} {other}")
    return problems


def handoffs(records: list[Record]) -> int:
    """The number of holdings that committed at least one write."""
    return len({r.holding for r in records})
