"""Transaction and multi-read building (no server): the requests built, checks, results."""

from __future__ import annotations

from typing import Any

import pytest

from zkrecipes import ZkClient
from zkrecipes.client.protected import PROTECTED_PREFIX, protected_path
from zkrecipes.client.protocol.multi import MultiReadRequest, MultiRequest
from zkrecipes.client.protocol.opcodes import CreateMode
from zkrecipes.client.protocol.requests import (
    CheckVersionRequest,
    CreateRequest,
    DeleteRequest,
    GetChildrenRequest,
    GetDataRequest,
    SetDataRequest,
)
from zkrecipes.client.transaction import multi_results
from zkrecipes.exceptions import (
    BadVersionError,
    InvalidPathError,
    InvalidTypeError,
    WriterNotClosedException,
)
from zkrecipes.security import make_acl


class RecordingClient(ZkClient):
    """A client whose submit records the request instead of sending it."""

    def __init__(self) -> None:
        super().__init__("127.0.0.1:1", default_acl=[make_acl("world", "anyone", read=True)])
        self.sent: list[tuple[Any, Any]] = []

    def _submit(self, request: Any, converter: Any = None) -> Any:
        self.sent.append((request, converter))
        result = self.handler.async_result()
        result.set("sent")
        return result


def test_transaction_builds_one_multi() -> None:
    client = RecordingClient()
    tx = client.transaction()
    tx.create("/a", b"1", ephemeral=True, sequence=True)
    tx.create("/t", ttl=5000)
    tx.delete("/b", version=3)
    tx.set_data("/c", b"x", version=1)
    tx.check("/d", 7)
    assert tx.commit() == "sent"
    assert tx.committed
    (request, converter), = client.sent
    assert isinstance(request, MultiRequest) and converter is not None
    create, ttl, delete, set_data, check = request.ops
    assert create == CreateRequest("/a", b"1", client.default_acl, CreateMode.EPHEMERAL_SEQUENTIAL, -1)
    assert ttl.flags == CreateMode.PERSISTENT_WITH_TTL and ttl.ttl == 5000
    assert delete == DeleteRequest("/b", 3)
    assert set_data == SetDataRequest("/c", b"x", 1)
    assert check == CheckVersionRequest("/d", 7)


def test_transaction_rejects_bad_ops_before_adding() -> None:
    tx = RecordingClient().transaction()
    with pytest.raises(InvalidPathError):
        tx.create("/a/../b")  # issue 10: "nope" is normalised to "/nope" now
    with pytest.raises(InvalidTypeError):
        tx.set_data("/a", "str")  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError):
        tx.check("/a", "1")  # type: ignore[arg-type]
    assert tx.operations == []


def test_transaction_commits_once() -> None:
    client = RecordingClient()
    tx = client.transaction()
    tx.delete("/a")
    tx.commit()
    with pytest.raises(WriterNotClosedException):
        tx.commit()
    with pytest.raises(WriterNotClosedException):
        tx.delete("/b")
    assert len(client.sent) == 1


def test_transaction_context_manager_commits_only_on_success() -> None:
    client = RecordingClient()
    with client.transaction() as tx:
        tx.delete("/a")
    assert tx.committed and len(client.sent) == 1
    with pytest.raises(RuntimeError), client.transaction() as tx2:
        tx2.delete("/a")
        raise RuntimeError("boom")
    assert not tx2.committed and len(client.sent) == 1


def test_multi_results_are_kazoo_shaped() -> None:
    err = BadVersionError()
    assert multi_results(["/a", None, err, None]) == ["/a", True, err, True]
    client = RecordingClient()
    tx = client.transaction()
    tx.delete("/a")
    tx.commit()
    converter = client.sent[0][1]
    assert converter(0, ["/x", None]) == ["/x", True]
    with pytest.raises(BadVersionError):
        converter(BadVersionError.code, None)


def test_multi_read_builder() -> None:
    client = RecordingClient()
    reads = client.multi_read()
    reads.get("/a")
    reads.get_children("/b")
    with pytest.raises(InvalidPathError):
        reads.get("/./b")  # issue 10: "b" is normalised to "/b" now
    reads.commit()
    (request, _), = client.sent
    assert isinstance(request, MultiReadRequest)
    assert request.ops == [GetDataRequest("/a"), GetChildrenRequest("/b")]
    with pytest.raises(WriterNotClosedException):
        reads.get("/c")


@pytest.mark.parametrize(
    ("path", "parent", "name"),
    [("/locks/lock-", "/locks", "lock-"), ("/q/", "/q", ""), ("/top", "", "top")],
)
def test_protected_path_naming(path: str, parent: str, name: str) -> None:
    new_path, guid = protected_path(path)
    assert len(guid) == 32 and int(guid, 16) >= 0
    assert new_path == f"{parent}/{PROTECTED_PREFIX}{guid}-{name}"
    assert protected_path(path)[1] != guid


def test_protected_create_builds_guid_name() -> None:
    client = RecordingClient()
    assert client.create("/locks/lock-", ephemeral=True, sequence=True, protected=True) == "sent"
    (request, _), = client.sent
    assert request.path.startswith("/locks/_c_") and request.path.endswith("-lock-")
    assert request.flags == CreateMode.EPHEMERAL_SEQUENTIAL
