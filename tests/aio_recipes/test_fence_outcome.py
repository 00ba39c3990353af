"""The pure decisions of a fenced write's outcome (``recipes/_fence_outcome.py``, both front ends)."""

from __future__ import annotations

import pytest

from zkrecipes.exceptions import BadVersionError, LockLostError, NoNodeError, OutcomeUnknownError
from zkrecipes.recipes._fence_outcome import (
    APPLIED,
    RESEND,
    judge_commit,
    judge_marker,
    judge_without_marker,
    marker_state,
    unknown,
)
from zkrecipes.states import ZnodeStat


def _stat(version: int = 0, mzxid: int = 0) -> ZnodeStat:
    return ZnodeStat(czxid=1, mzxid=mzxid, ctime=0, mtime=0, version=version, cversion=0, aversion=0,
                     ephemeralOwner=0, dataLength=0, numChildren=0, pzxid=0)


def test_marker_state_is_the_known_one_or_a_new_nodes() -> None:
    assert marker_state(("/l/n", 3, 99), "/l/n", 7) == (3, 99)
    assert marker_state(("/l/old", 3, 99), "/l/n", 7) == (0, 7)  # another node: new, at its czxid
    assert marker_state(None, "/l/n", None) == (0, 0)


def test_judge_commit() -> None:
    with pytest.raises(LockLostError):
        judge_commit("/l", NoNodeError(), NoNodeError())
    assert judge_commit("/l", BadVersionError(), BadVersionError()) is RESEND
    with pytest.raises(NoNodeError):  # the op's own error
        judge_commit("/l", _stat(), NoNodeError())
    result = _stat(1)
    assert judge_commit("/l", _stat(1), result) is result


def test_judge_marker_after_a_lost_reply() -> None:
    assert judge_marker(_stat(version=4), 4) is RESEND
    assert judge_marker(_stat(version=5), 4) is APPLIED
    assert judge_marker(None, 4) is None
    with pytest.raises(ValueError):
        judge_marker(_stat(version=7), 4)


def test_judge_without_marker_only_an_older_target_proves_not_written() -> None:
    assert judge_without_marker(_stat(mzxid=10), 10) is True
    assert judge_without_marker(_stat(mzxid=11), 10) is False
    assert judge_without_marker(None, 10) is False


def test_unknown_names_the_write() -> None:
    error = unknown("/t", "fenced_set", "why")
    assert isinstance(error, OutcomeUnknownError)
    assert (error.path, error.operation) == ("/t", "fenced_set")
