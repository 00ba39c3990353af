"""Curator's naming, ordering and encoding rules (pure helpers of zkrecipes.recipes.curator)."""

from __future__ import annotations

import re
import uuid

import pytest

from zkrecipes.client.protected import new_guid, protected_path
from zkrecipes.recipes.curator._encoding import decode_int, decode_long, encode_int, encode_long
from zkrecipes.recipes.curator._ordering import (
    NodeGone,
    Verdict,
    fix_for_sorting,
    is_protected_name,
    new_protected_prefix,
    read_verdict,
    sorted_children,
    standard_verdict,
)

U1 = "fd10431c-7601-4f82-9319-e5d2d174bf40"
U2 = "015d5ad5-9969-48f8-9cfa-3c758c021f15"


def test_guid_forms_default_unchanged() -> None:
    assert re.fullmatch(r"[0-9a-f]{32}", new_guid())
    canonical = new_guid("uuid")
    assert str(uuid.UUID(canonical)) == canonical
    path, guid = protected_path("/l/lock-", form="uuid")
    assert path == f"/l/_c_{guid}-lock-" and len(guid) == 36
    assert re.fullmatch(r"/x/_c_[0-9a-f]{32}-y", protected_path("/x/y")[0])
    with pytest.raises(ValueError):
        new_guid("base64")  # type: ignore[arg-type]


def test_protected_names_as_curator_reads_them() -> None:
    assert is_protected_name(f"_c_{U1}-lock-0000000035")
    assert is_protected_name(new_protected_prefix() + "latch-0000000001")
    assert not is_protected_name(f"_c_{uuid.UUID(U1).hex}-__lock__0000000001")  # zkrecipes' 32-hex form
    assert not is_protected_name(f"_c_{U1}lock-0000000035")
    assert not is_protected_name("lock-0000000001")
    assert not is_protected_name(f"_c_{U1[:-1]}x-lock-1")


def test_fix_for_sorting_uses_the_last_occurrence() -> None:
    assert fix_for_sorting(f"_c_{U1}-lock-0000000035", "lock-") == "0000000035"
    assert fix_for_sorting("lock-lock-0000000001", "lock-") == "0000000001"
    assert fix_for_sorting("foreign", "lock-") == "foreign"


def test_foreign_children_count_and_sort_after_sequences() -> None:
    kazoo = "a" * 32 + "__lock__0000000000"
    zkr_old = "_c_" + "b" * 32 + "-__lock__0000000001"
    curator = [f"_c_{U1}-lock-0000000007", f"_c_{U2}-lock-0000000003"]
    ordered = sorted_children([kazoo, zkr_old, *curator], ["lock-"])
    assert ordered[:2] == [curator[1], curator[0]]
    assert set(ordered[2:]) == {kazoo, zkr_old}
    assert standard_verdict(ordered, curator[1]) == Verdict(True)
    assert standard_verdict(ordered, curator[0]) == Verdict(False, curator[1])
    assert standard_verdict(ordered, kazoo) == Verdict(False, ordered[ordered.index(kazoo) - 1])
    assert standard_verdict(ordered, ordered[1], max_leases=2) == Verdict(True)
    with pytest.raises(NodeGone):
        standard_verdict(ordered, "missing")


def test_read_write_order_and_reader_verdict() -> None:
    r1 = f"_c_{U1}-__READ__0000000001"
    w2 = f"_c_{U2}-__WRIT__0000000002"
    r3 = "_c_" + str(uuid.uuid4()) + "-__READ__0000000003"
    ordered = sorted_children([r3, w2, r1], ["__READ__", "__WRIT__"])
    assert ordered == [r1, w2, r3]
    assert read_verdict(ordered, r1) == Verdict(True)
    assert read_verdict(ordered, r3) == Verdict(False, w2)
    assert read_verdict(ordered, r3, holds_write_lock=True) == Verdict(True)
    assert standard_verdict(ordered, w2) == Verdict(False, r1)
    with pytest.raises(NodeGone):
        read_verdict(ordered, "gone")


def test_int_encoding_is_sharedcounts() -> None:
    assert encode_int(3) == b"\x00\x00\x00\x03"
    assert encode_int(-1) == b"\xff\xff\xff\xff"
    assert decode_int(b"\x00\x00\x00\x03extra") == 3
    for bad in (b"", None, b"\x00\x01"):
        with pytest.raises(ValueError):
            decode_int(bad)
    with pytest.raises(ValueError):
        encode_int(2**31)


def test_long_encoding_is_distributed_atomic_longs() -> None:
    assert encode_long(3) == b"\x00" * 7 + b"\x03"
    assert decode_long(encode_long(-(2**63))) == -(2**63)
    assert decode_long(b"") == 0 and decode_long(None) == 0
    assert decode_long(encode_long(5) + b"x") == 5
    with pytest.raises(ValueError, match="corrupted"):
        decode_long(b"\x00\x03")
    with pytest.raises(ValueError):
        encode_long(2**63)


def test_service_instance_json_is_curators() -> None:
    from zkrecipes.recipes.curator.service_instance import ServiceInstance
    from zkrecipes.recipes.curator.service_type import ServiceType

    recorded = (b'{"name":"svc-a","id":"curator-a1","address":"127.0.0.1","port":8081,"sslPort":null,'
                b'"payload":{"@class":"java.util.LinkedHashMap","peer":"curator"},'
                b'"registrationTimeUTC":1796116137614,"serviceType":"DYNAMIC","uriSpec":null}')
    instance = ServiceInstance.from_json(recorded)
    assert instance.payload == {"peer": "curator"} and instance.port == 8081 and instance.enabled
    assert instance.to_json() == recorded  # byte for byte, in Curator's field order
    assert ServiceInstance.from_json(b'{"name":"x","id":"y","extra":1}').service_type is ServiceType.DYNAMIC
    with pytest.raises(ValueError, match="serviceType"):
        ServiceInstance.from_json(b'{"name":"x","id":"y","serviceType":"dynamic"}')
    with pytest.raises(ValueError):
        ServiceInstance.from_json(b"not json")
    with pytest.raises(ValueError):
        ServiceInstance("a/b")


def test_queue_framing_is_curators() -> None:
    from zkrecipes.recipes.curator._queue_format import decode_items, encode_items

    recorded = b"\x00\x01\x00\x01\x01\x00\x00\x00\x03c-0\x02"
    assert encode_items([b"c-0"]) == recorded
    assert decode_items(recorded) == [b"c-0"]
    assert decode_items(encode_items([b"", b"a", b"bc"])) == [b"", b"a", b"bc"]
    for bad in (b"", b"raw bytes", recorded[:-1], recorded[:8], b"\x00\x01\x00\x01\x07"):
        with pytest.raises(ValueError):
            decode_items(bad)


def test_provider_strategies() -> None:
    import random

    from zkrecipes.recipes.curator.provider_strategies import (
        RandomStrategy,
        RoundRobinStrategy,
        StickyStrategy,
    )
    from zkrecipes.recipes.curator.service_instance import ServiceInstance

    a, b, c = (ServiceInstance("svc", id=name, address="h") for name in "abc")
    robin = RoundRobinStrategy()
    assert [robin.get_instance([a, b, c]) for _ in range(4)] == [a, b, c, a]
    assert robin.get_instance([]) is None
    assert RandomStrategy(random.Random(1)).get_instance([a, b, c]) in (a, b, c)
    sticky = StickyStrategy(RoundRobinStrategy())
    assert sticky.get_instance([b, c]) == b
    assert sticky.get_instance([a, b, c]) == b  # stays while registered
    assert sticky.get_instance([a, c]) == c  # b went: the master (round-robin, 2nd pick) picks again
