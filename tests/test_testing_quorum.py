"""QuorumView: the role/address logic both ensembles delegate to, over fake members."""

from __future__ import annotations

import pytest

from zkrecipes.exceptions import HarnessError, InvalidArgumentError, ServerStartError
from zkrecipes.testing.quorum import QuorumView


class FakeMember:
    """An ensemble member that answers from fields instead of a server."""

    def __init__(self, port: int, mode: str | None, *, running: bool = True) -> None:
        self.running = running
        self.hosts = f"127.0.0.1:{port}"
        self._mode = mode
        self.served: list[float] = []

    def mode(self, timeout: float) -> str | None:
        return self._mode

    def wait_serving(self, timeout: float) -> None:
        self.served.append(timeout)

    def four_letter(self, cmd: str, timeout: float) -> str:
        return f"{cmd} from {self.hosts}"

    def log_tail(self, n: int) -> str:
        return f"log of {self.hosts}"


def view(members: list[FakeMember]) -> QuorumView[FakeMember]:
    return QuorumView(lambda: members, len(members))


def test_member_lookup_checks_start_and_index() -> None:
    members: list[FakeMember] = []
    quorum: QuorumView[FakeMember] = QuorumView(lambda: members, 2)
    with pytest.raises(HarnessError):
        quorum.member(0)
    members.extend([FakeMember(1, "leader"), FakeMember(2, "follower")])  # read on every call
    assert quorum.member(1) is members[1]
    with pytest.raises(InvalidArgumentError):
        quorum.member(2)
    assert len(quorum) == 2


def test_roles_and_addresses() -> None:
    members = [FakeMember(1, "follower"), FakeMember(2, "leader", running=False),
               FakeMember(3, "leader"), FakeMember(4, "follower")]
    quorum = view(members)
    assert quorum.modes() == ["follower", None, "leader", "follower"]  # a stopped member has none
    assert quorum.leader() == 2
    assert quorum.followers() == [0, 3]
    assert quorum.wait_for_leader(1.0) == 2
    assert quorum.hosts == "127.0.0.1:1,127.0.0.1:2,127.0.0.1:3,127.0.0.1:4"
    assert quorum.hosts_of([3, 0]) == "127.0.0.1:4,127.0.0.1:1"
    assert quorum.four_letter(0, "ruok", 1.0) == "ruok from 127.0.0.1:1"
    assert quorum.log_tail(3, 5) == "log of 127.0.0.1:4"


def test_wait_serving_defaults_to_running_members() -> None:
    members = [FakeMember(1, "leader"), FakeMember(2, None, running=False)]
    view(members).wait_serving(None, 5.0)
    assert len(members[0].served) == 1 and members[1].served == []
    with pytest.raises(InvalidArgumentError):
        view(members).wait_serving([5], 5.0)


def test_no_leader_error_carries_the_reported_members_log_tails() -> None:
    members = [FakeMember(1, "follower"), FakeMember(2, None, running=False)]
    with pytest.raises(ServerStartError) as every:
        view(members).wait_for_leader(0.05, exclude=[1])
    assert "no leader (excluding [1])" in str(every.value)
    assert "member 0 (127.0.0.1:1)" in str(every.value) and "member 1 (127.0.0.1:2)" in str(every.value)
    running_only = QuorumView(lambda: members, 2, reported=lambda m: m.running)
    some = running_only.error("boom")
    assert "member 0" in str(some) and "member 1" not in str(some)
