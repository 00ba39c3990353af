"""The queue family's node names and their order, as pure functions (Curator 5.4's layout).

Every item node is ``<queue path>/queue-<suffix><10-digit sequence>``
(PERSISTENT_SEQUENTIAL); names not starting with ``queue-`` are foreign and
never taken. The suffix and the order depend on the kind of queue:

* **FIFO** (``DistributedQueue``): no suffix; ordered by name (= sequence).
* **PRIORITY**: ``1`` for a priority >= 0 (``0`` for a negative one) then the
  priority's 32-bit two's complement as ``%08X``; ordered by name, so the
  lowest priority comes first, negative before positive, ties by sequence.
* **DELAY**: ``|%08X|`` of the due time in epoch milliseconds (more than 8
  digits when it needs them, as Java's ``%08X``); ordered by due time (ties by
  name); an item is taken only once due. A name whose epoch cannot be parsed
  counts as due at 0 (always due), as Curator reads it.
* **ID**: ``|<id>|`` where ``/`` and ``|`` in the id become ``_``; ordered by
  the name without the ``|<id>|`` part (= sequence).

A requeued item (lock path, consumer error) keeps its name's prefix — its
priority, due time or id — and gets a new sequence (Curator 5.4 requeues
priority and delay items as plain ``queue-`` names; we do not).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

__all__ = [
    "PREFIX",
    "SEPARATOR",
    "QueueKind",
    "delay_prefix",
    "epoch_of",
    "fix_id",
    "id_of",
    "id_prefix",
    "is_item",
    "order",
    "priority_of",
    "priority_prefix",
    "requeue_prefix",
]

PREFIX = "queue-"
SEPARATOR = "|"
SEQUENCE_DIGITS = 10
_INT32 = (-(2 ** 31), 2 ** 31 - 1)


class QueueKind(enum.Enum):
    """Which of Curator's queues a name belongs to (it decides suffix and order)."""

    FIFO = "fifo"
    PRIORITY = "priority"
    DELAY = "delay"
    ID = "id"
    SIMPLE = "simple"  # SimpleDistributedQueue: raw ``qn-<seq>`` nodes


#: The name prefix of a SimpleDistributedQueue's items.
SIMPLE_PREFIX = "qn-"


def is_item(name: str) -> bool:
    """True for a queue item's name (``queue-...``); other children are foreign."""
    return name.startswith(PREFIX)


def priority_prefix(priority: int) -> str:
    """The name prefix of an item of ``priority`` (a Java int: -2**31 .. 2**31-1)."""
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise TypeError("priority must be an int")
    if not _INT32[0] <= priority <= _INT32[1]:
        raise ValueError(f"priority {priority} is not a 32-bit signed int")
    sign = "1" if priority >= 0 else "0"
    return f"{PREFIX}{sign}{priority & 0xFFFFFFFF:08X}"


def priority_of(name: str) -> int | None:
    """The priority encoded in a priority queue's item name, or None if it has none."""
    body = name[len(PREFIX):len(PREFIX) + 9] if is_item(name) else ""
    if len(body) != 9 or body[0] not in "01":
        return None
    try:
        raw = int(body[1:], 16)
    except ValueError:
        return None
    negative = bool(raw & 0x80000000)
    if negative != (body[0] == "0"):
        return None  # the sign digit disagrees: not a priority name (a plain ``queue-<seq>``, say)
    return raw - (1 << 32) if negative else raw


def delay_prefix(epoch_ms: int) -> str:
    """The name prefix of an item due at ``epoch_ms`` (milliseconds since the epoch, > 0)."""
    if isinstance(epoch_ms, bool) or not isinstance(epoch_ms, int):
        raise TypeError("the due time must be an int of epoch milliseconds")
    if epoch_ms <= 0:
        raise ValueError("the due time must be positive")
    return f"{PREFIX}{SEPARATOR}{epoch_ms:08X}{SEPARATOR}"


def epoch_of(name: str) -> int:
    """The due time (epoch ms) in a delay queue's item name; 0 when there is none (due now)."""
    second = name.rfind(SEPARATOR)
    first = name.rfind(SEPARATOR, 0, second) if second > 0 else -1
    if first > 0 and second > first + 1:
        try:
            return int(name[first + 1:second], 16)
        except ValueError:
            return 0
    return 0


def fix_id(item_id: str) -> str:
    """``item_id`` as it is stored in a name: ``/`` and ``|`` become ``_``."""
    return item_id.replace("/", "_").replace(SEPARATOR, "_")


def id_prefix(item_id: str) -> str:
    """The name prefix of an id queue item with ``item_id`` (non-empty)."""
    if not isinstance(item_id, str) or not item_id:
        raise ValueError("an item id must be a non-empty str")
    return f"{PREFIX}{SEPARATOR}{fix_id(item_id)}{SEPARATOR}"


def _split_id(name: str) -> tuple[str, str]:
    first = name.find(SEPARATOR)
    second = name.find(SEPARATOR, first + 1) if first >= 0 else -1
    if first < 0 or second < 0:
        return name, name  # a name without an id: its own id, sorted as is
    return name[first + 1:second], name[:first] + name[second + 1:]


def id_of(name: str) -> str:
    """The (stored, fixed) id in an id queue item's name (the whole name when it has none)."""
    return _split_id(name)[0]


def requeue_prefix(name: str) -> str:
    """The prefix a requeued copy of item ``name`` is created with (its name less the sequence)."""
    if len(name) > len(PREFIX) + SEQUENCE_DIGITS - 1 and name[-SEQUENCE_DIGITS:].isdigit():
        return name[:-SEQUENCE_DIGITS]
    return PREFIX


def order(children: Iterable[str], kind: QueueKind, now_ms: int) -> tuple[list[str], int | None]:
    """``(items to take now in order, the earliest later due time or None)``.

    Foreign names are dropped. Only a DELAY queue has items that are not due
    yet: they are left out and the earliest of their due times is returned.
    """
    if kind is QueueKind.SIMPLE:
        return sorted(name for name in children if name.startswith(SIMPLE_PREFIX)), None
    items = [name for name in children if is_item(name)]
    if kind is QueueKind.ID:
        return sorted(items, key=lambda name: (_split_id(name)[1], name)), None
    if kind is not QueueKind.DELAY:
        return sorted(items), None
    ready: list[tuple[int, str]] = []
    later: int | None = None
    for name in items:
        due = epoch_of(name)
        if due <= now_ms:
            ready.append((due, name))
        elif later is None or due < later:
            later = due
    return [name for _due, name in sorted(ready)], later


def with_id(children: Iterable[str], item_id: str) -> list[str]:
    """The item names among ``children`` whose stored id is ``item_id``'s (``remove``/``is_queued``)."""
    if not isinstance(item_id, str) or not item_id:
        raise ValueError("an item id must be a non-empty str")
    wanted = fix_id(item_id)
    return [name for name in children if is_item(name) and id_of(name) == wanted]


def due_after(delay: float | None, now_ms: int) -> int:
    """The due time (epoch ms, >= 1) of an item put ``delay`` (checked) seconds after ``now_ms``."""
    if delay is None or delay < 0:
        raise ValueError("delay must be a number of seconds >= 0")
    return max(1, now_ms + round(delay * 1000))
