"""The plan drivers (blocking and callback) and the plans, on a fake port (no server).

``FakeZk`` plays transport and server: it keeps a tree in a dict, answers each
request like ZooKeeper (errors through the converter, as the transport does)
and can hold replies back so that a test decides when a step completes.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from zkrecipes.client.api import nodes
from zkrecipes.client.api.aio_driver import run_asyncio
from zkrecipes.client.api.drivers import run_callback, run_sync
from zkrecipes.client.api.plans import TREE_ATTEMPTS
from zkrecipes.client.api.protected import protected_create
from zkrecipes.client.api.steps import (
    Auth,
    Batch,
    Call,
    Context,
    Converter,
    Plan,
    SessionView,
    Snapshot,
    Submit,
)
from zkrecipes.client.handlers.interface import AsyncResult, CallbackKind
from zkrecipes.client.handlers.threading import SequentialThreadingHandler
from zkrecipes.client.protected import guid_prefix, protected_path
from zkrecipes.client.protocol.opcodes import CreateMode
from zkrecipes.client.protocol.paths import join_path, parent_path
from zkrecipes.client.protocol.requests import (
    CreateRequest,
    DeleteRequest,
    ExistsRequest,
    GetChildrenRequest,
    GetDataRequest,
    SyncRequest,
)
from zkrecipes.exceptions import (
    ConnectionLoss,
    NodeExistsError,
    NoNodeError,
    NotEmptyError,
    ProtectedCreateLost,
    ZookeeperError,
)
from zkrecipes.security import OPEN_ACL_UNSAFE
from zkrecipes.states import ZnodeStat

WAIT = 10.0
SESSION = 0x42


def _stat(owner: int = 0, children: int = 0) -> ZnodeStat:
    return ZnodeStat(1, 1, 0, 0, 0, 0, 0, owner, 0, children, 1)


class FakeZk:
    """A port for the drivers: an in-memory tree answering requests."""

    def __init__(self, handler: SequentialThreadingHandler) -> None:
        self.handler = handler
        self.tree: dict[str, tuple[bytes, int]] = {"/": (b"", 0)}  # path -> (data, ephemeral owner)
        self.sent: list[Any] = []
        self.hold = False
        self.held: list[tuple[Any, AsyncResult[Any], Converter | None]] = []
        self.fail_next: list[type[Exception]] = []  # exceptions for the next requests, in order
        self.session: int | None = SESSION
        self.connected = True
        self.running = True
        self.now = 0.0
        self.changed = threading.Condition()

    # ------------------------------------------------------------- the port

    def _submit(self, request: Any, converter: Converter | None = None) -> AsyncResult[Any]:
        self.sent.append(request)
        result: AsyncResult[Any] = self.handler.async_result()
        if self.hold:
            with self.changed:
                self.held.append((request, result, converter))
                self.changed.notify_all()
        else:
            self._answer(request, result, converter)
        return result

    def _add_auth(self, scheme: str, credential: str) -> AsyncResult[bool]:
        self.sent.append(("auth", scheme, credential))
        result: AsyncResult[bool] = self.handler.async_result()
        result.set(True)
        return result

    def _snapshot(self) -> SessionView:
        return SessionView(self.running, self.connected, self.session, 3.0, self.now)

    def _new_result(self) -> AsyncResult[Any]:
        return self.handler.async_result()

    # ------------------------------------------------------------- the server

    def wait_held(self, count: int) -> bool:
        """Wait (bounded) until ``count`` requests are held."""
        with self.changed:
            return self.changed.wait_for(lambda: len(self.held) >= count, WAIT)

    def release(self) -> None:
        """Answer every held request (in order) and keep answering at once."""
        self.hold = False
        held, self.held = self.held, []
        for request, result, converter in held:
            self._answer(request, result, converter)

    def _answer(self, request: Any, result: AsyncResult[Any], converter: Converter | None) -> None:
        if self.fail_next:
            result.set_exception(self.fail_next.pop(0)())
            return
        try:
            err, value = 0, self._apply(request)
        except ZookeeperError as exc:
            err, value = exc.code, None
        if converter is not None:
            try:
                result.set(converter(err, value))
            except Exception as exc:
                result.set_exception(exc)
        elif err:
            result.set_exception(_error(err))
        else:
            result.set(value)

    def _children(self, path: str) -> list[str]:
        return sorted(p.rsplit("/", 1)[1] for p in self.tree if p != "/" and parent_path(p) == path)

    def _apply(self, request: Any) -> Any:
        path = request.path
        if isinstance(request, ExistsRequest):
            if path not in self.tree:
                raise NoNodeError()
            return _stat(self.tree[path][1], len(self._children(path)))
        if isinstance(request, CreateRequest):
            if path in self.tree:
                raise NodeExistsError()
            if parent_path(path) not in self.tree:
                raise NoNodeError()
            owner = self.session or 0 if CreateMode(request.flags).is_ephemeral else 0
            self.tree[path] = (request.data, owner)
            return (path, _stat(owner)) if request.include_stat else path
        if isinstance(request, GetChildrenRequest):
            if path not in self.tree:
                raise NoNodeError()
            return self._children(path)
        if isinstance(request, GetDataRequest):
            if path not in self.tree:
                raise NoNodeError()
            return self.tree[path][0], _stat()
        if isinstance(request, DeleteRequest):
            if path not in self.tree:
                raise NoNodeError()
            if self._children(path):
                raise NotEmptyError()
            del self.tree[path]
            return None
        if isinstance(request, SyncRequest):
            return path
        raise AssertionError(f"unexpected request {request!r}")


def _error(code: int) -> Exception:
    from zkrecipes.exceptions import make_error

    return make_error(code)


@pytest.fixture
def zk() -> Iterator[FakeZk]:
    handler = SequentialThreadingHandler()
    handler.start()
    yield FakeZk(handler)
    handler.stop()


CTX = Context(None, 0xFFFFF, lambda path, kind, watcher: None)
DRIVERS = {
    "sync": lambda op, port: run_sync(op, port),
    "callback": lambda op, port: run_callback(op, port).get(timeout=WAIT),
}


@pytest.fixture(params=sorted(DRIVERS))
def drive(request: pytest.FixtureRequest) -> Any:
    return DRIVERS[request.param]


# --------------------------------------------------------------- the drivers


def _steps_plan() -> Plan[list[Any]]:
    seen: list[Any] = []
    seen.append((yield Submit(GetDataRequest("/a"))))
    try:
        yield Submit(GetDataRequest("/missing"))
    except NoNodeError as exc:
        seen.append(type(exc).__name__)
    outcomes = yield Batch([Submit(ExistsRequest("/a")), Submit(ExistsRequest("/missing"))])
    seen.append([(o.value is not None, type(o.exception).__name__) for o in outcomes])
    seen.append((yield Auth("digest", "u:p")))
    view = yield Snapshot()
    seen.append(view.session_id)
    return seen


def test_both_drivers_run_every_kind_of_step(zk: FakeZk, drive: Any) -> None:
    zk.tree["/a"] = (b"x", 0)
    assert drive(_steps_plan(), zk) == [
        (b"x", _stat()), "NoNodeError", [(True, "NoneType"), (False, "NoNodeError")], True, SESSION,
    ]
    assert zk.sent[-1] == ("auth", "digest", "u:p")


def test_a_call_is_one_submit(zk: FakeZk, drive: Any) -> None:
    zk.tree["/a"] = (b"x", 0)
    assert drive(Call(GetDataRequest("/a")), zk) == (b"x", _stat())
    assert zk.sent == [GetDataRequest("/a")]


def test_a_plan_error_reaches_the_caller(zk: FakeZk, drive: Any) -> None:
    def failing() -> Plan[None]:
        yield Submit(GetDataRequest("/missing"))

    with pytest.raises(NoNodeError):
        drive(failing(), zk)


def test_the_callback_driver_returns_at_once_and_never_blocks_the_completion_queue(zk: FakeZk) -> None:
    zk.tree["/a"] = (b"x", 0)
    zk.hold = True
    result = run_callback(_steps_plan(), zk)
    assert not result.ready() and len(zk.sent) == 1  # waiting for the first reply, not blocking
    ran = threading.Event()
    zk.handler.dispatch_callback(CallbackKind.COMPLETION, ran.set)
    assert ran.wait(WAIT)  # the COMPLETION queue is free while the plan waits
    zk.release()
    assert result.get(timeout=WAIT)[0] == (b"x", _stat())


def test_the_callback_driver_resumes_on_the_completion_worker(zk: FakeZk) -> None:
    threads: list[str] = []

    def plan() -> Plan[None]:
        yield Submit(ExistsRequest("/"))
        threads.append(threading.current_thread().name)

    zk.hold = True
    result = run_callback(plan(), zk)
    threading.Thread(target=zk.release, name="the-server").start()
    result.get(timeout=WAIT)
    assert threads and threads[0] not in ("the-server", threading.current_thread().name)


def test_argument_errors_raise_before_any_driver_runs(zk: FakeZk) -> None:
    with pytest.raises(TypeError):
        nodes.ensure_path(CTX, b"/a")  # type: ignore[arg-type]
    assert zk.sent == []


# ----------------------------------------------------------------- the plans


def test_ensure_path_creates_the_missing_parents(zk: FakeZk, drive: Any) -> None:
    # issue 10: ensure_path answers the created path (kazoo), True when it existed
    assert drive(nodes.ensure_path(CTX, "/a/b/c"), zk) == "/a/b/c"
    assert {"/a", "/a/b", "/a/b/c"} <= zk.tree.keys()
    before = len(zk.sent)
    assert drive(nodes.ensure_path(CTX, "/a/b/c"), zk) is True
    assert zk.sent[before:] == [ExistsRequest("/a/b/c")]  # exists: nothing else sent


def test_create_with_makepath(zk: FakeZk, drive: Any) -> None:
    assert drive(nodes.create(CTX, "/x/y/z", b"v", makepath=True), zk) == "/x/y/z"
    assert zk.tree["/x/y/z"][0] == b"v" and "/x/y" in zk.tree
    with pytest.raises(NoNodeError):
        drive(nodes.create(CTX, "/p/q"), zk)
    with pytest.raises(NodeExistsError):
        drive(nodes.create(CTX, "/x/y/z", makepath=True), zk)


def test_recursive_delete(zk: FakeZk, drive: Any) -> None:
    for path in ("/t", "/t/a", "/t/a/1", "/t/a/2", "/t/b", "/keep"):
        zk.tree[path] = (b"", 0)
    # issue 10: a recursive delete answers None once done, True when nothing existed (kazoo)
    assert drive(nodes.delete(CTX, "/t", recursive=True), zk) is None
    assert sorted(zk.tree) == ["/", "/keep"]
    assert drive(nodes.delete(CTX, "/gone", recursive=True), zk) is True  # nothing to delete


def test_recursive_delete_walks_again_when_a_child_appears(zk: FakeZk, drive: Any) -> None:
    zk.tree["/t"] = (b"", 0)
    original = zk._apply
    appeared = [0]

    def racing(request: Any) -> Any:
        if isinstance(request, DeleteRequest) and request.path == "/t" and appeared[0] < TREE_ATTEMPTS - 1:
            appeared[0] += 1
            zk.tree[join_path("/t", f"late{appeared[0]}")] = (b"", 0)
        return original(request)

    zk._apply = racing  # type: ignore[method-assign]
    assert drive(nodes.delete(CTX, "/t", recursive=True), zk) is None  # issue 10: kazoo's answer
    assert "/t" not in zk.tree


def test_protected_create_adopts_the_node_a_lost_create_made(zk: FakeZk, drive: Any) -> None:
    zk.tree["/locks"] = (b"", 0)
    path, guid = protected_path("/locks/lock-")
    request = CreateRequest(path, b"", OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL)
    original = zk._apply

    def lose_reply(req: Any) -> Any:  # the create is applied, its reply lost
        zk._apply = original  # type: ignore[method-assign]
        original(req)
        raise ConnectionLoss()

    zk._apply = lose_reply  # type: ignore[method-assign]
    assert drive(protected_create(request, guid, makepath=False), zk) == path
    kinds = [type(r).__name__ for r in zk.sent]
    assert kinds == ["CreateRequest", "SyncRequest", "GetChildrenRequest", "ExistsRequest"]
    assert [p for p in zk.tree if guid_prefix(guid) in p] == [path]


def test_protected_ephemeral_create_gives_up_when_the_session_changed(zk: FakeZk, drive: Any) -> None:
    zk.tree["/locks"] = (b"", 0)
    path, guid = protected_path("/locks/lock-")
    request = CreateRequest(path, b"", OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL)
    zk.fail_next = [ConnectionLoss]

    plan = protected_create(request, guid, makepath=False)
    zk.session = SESSION
    first = zk._submit

    def submit(req: Any, converter: Any = None) -> Any:
        result = first(req, converter)
        zk.session = SESSION + 1  # the session is gone after the first try
        return result

    zk._submit = submit  # type: ignore[method-assign]
    with pytest.raises(ProtectedCreateLost) as caught:
        drive(plan, zk)
    assert caught.value.protected_guid == guid  # type: ignore[attr-defined]
    assert zk.sent == [request]


# ------------------------------------------------------------ the asyncio driver


class AsyncioFake:
    """An asyncio port over FakeZk (which answers at once): the plans run unchanged."""

    def __init__(self, zk: FakeZk) -> None:
        self.zk = zk

    async def _submit(self, request: Any, converter: Converter | None = None) -> Any:
        await asyncio.sleep(0)  # a real round trip suspends here
        return self.zk._submit(request, converter).get(timeout=WAIT)

    async def _add_auth(self, scheme: str, credential: str) -> bool:
        return self.zk._add_auth(scheme, credential).get(timeout=WAIT)

    def _snapshot(self) -> SessionView:
        return self.zk._snapshot()


def test_the_asyncio_driver_runs_the_same_plans(zk: FakeZk) -> None:
    zk.tree["/a"] = (b"x", 0)
    port = AsyncioFake(zk)

    async def main() -> list[Any]:
        seen = await run_asyncio(_steps_plan(), port)
        assert await run_asyncio(nodes.ensure_path(CTX, "/m/n"), port) == "/m/n"  # issue 10: kazoo's answers
        assert await run_asyncio(nodes.delete(CTX, "/m", recursive=True), port) is None
        assert await run_asyncio(nodes.get(CTX, "/a"), port) == (b"x", _stat())
        return seen

    assert asyncio.run(main())[0] == (b"x", _stat())
    assert "/m" not in zk.tree


def test_a_result_set_twice_resumes_the_plan_once(zk: FakeZk) -> None:
    resumed: list[Any] = []

    def plan() -> Plan[int]:
        resumed.append((yield Submit(ExistsRequest("/"))))
        outcomes = yield Batch([Submit(ExistsRequest("/")), Submit(ExistsRequest("/"))])
        resumed.append(len(outcomes))
        return len(resumed)

    zk.hold = True
    result = run_callback(plan(), zk)
    _request, first, _converter = zk.held.pop(0)
    first.set("stat")
    first.set("again")  # kazoo's semantics: linked callbacks are dispatched again
    assert zk.wait_held(2)
    for _request, batch_result, _converter in zk.held:
        batch_result.set("x")
        batch_result.set("y")
    assert result.get(timeout=WAIT) == 2
    assert resumed[0] in ("stat", "again") and resumed[1] == 2
