"""The leadership rules (``_leader_rules``) on constructed data: order, turns, session steps, close."""

from __future__ import annotations

import pytest

from zkrecipes.recipes.curator._leader_rules import (
    close_notifies,
    latch_order,
    latch_session_step,
    latch_turn,
    selector_interrupts,
    selector_order,
    selector_requeues,
)
from zkrecipes.recipes.curator.latch_types import CloseMode
from zkrecipes.states import ZkState

A = "_c_11111111-1111-1111-1111-111111111111-latch-0000000003"
B = "_c_22222222-2222-2222-2222-222222222222-latch-0000000001"
C = "_c_33333333-3333-3333-3333-333333333333-latch-0000000002"
SESSION = 77


def test_latch_order_is_by_sequence_not_by_prefix() -> None:
    assert latch_order([A, B, C]) == [B, C, A]


def test_foreign_children_count_and_sort_by_their_whole_name() -> None:
    # a hand-made child without "latch-" sorts by its whole name: after digits, before nothing of ours
    assert latch_order(["zz-foreign", A, B]) == [B, A, "zz-foreign"]
    # one whose name sorts before the digits blocks every participant (nobody of ours leads)
    assert latch_order([A, "+first"])[0] == "+first"
    assert latch_turn([A, "+first"], A, owner=SESSION, session=SESSION).watch == "+first"


def test_first_leads_others_watch_the_one_just_before() -> None:
    assert latch_turn([A, B, C], B, owner=SESSION, session=SESSION).leads
    turn = latch_turn([A, B, C], A, owner=SESSION, session=SESSION)
    assert not turn.leads and turn.watch == C and not turn.gone


def test_missing_node_or_parent_means_a_new_node() -> None:
    assert latch_turn([B, C], A, owner=SESSION, session=SESSION).gone
    assert latch_turn(None, A, owner=SESSION, session=SESSION).gone  # the container went (CURATOR-724)
    assert latch_turn([A], None, owner=SESSION, session=SESSION).gone


def test_a_node_of_another_session_never_leads() -> None:
    # CURATOR-696: the first node, but created by a session that has since been replaced
    assert latch_turn([B], B, owner=SESSION, session=SESSION + 1).gone
    assert latch_turn([B], B, owner=SESSION, session=None).gone


@pytest.mark.parametrize("state", [ZkState.SUSPENDED, ZkState.LOST])
def test_suspended_and_lost_resign_then_connected_resets(state: ZkState) -> None:
    step = latch_session_step(state, disconnected=False)
    assert step.resign and not step.reset and step.disconnected
    step = latch_session_step(ZkState.CONNECTED, step.disconnected)
    assert step.reset and not step.resign and not step.disconnected


def test_connected_without_an_earlier_disconnect_does_nothing() -> None:
    step = latch_session_step(ZkState.CONNECTED, disconnected=False)
    assert not step.reset and not step.resign and not step.disconnected


def test_close_modes() -> None:
    assert close_notifies(CloseMode.NOTIFY_LEADER, was_leader=True)
    assert not close_notifies(CloseMode.NOTIFY_LEADER, was_leader=False)
    assert not close_notifies(CloseMode.SILENT, was_leader=True)


def test_selector_rules() -> None:
    mutex = ["_c_11111111-1111-1111-1111-111111111111-lock-0000000002",
             "_c_22222222-2222-2222-2222-222222222222-lock-0000000001"]
    assert selector_order(mutex) == mutex[::-1]
    assert selector_interrupts(ZkState.SUSPENDED, leading=True, listener_handles_states=False)
    assert selector_interrupts(ZkState.LOST, leading=True, listener_handles_states=False)
    assert not selector_interrupts(ZkState.LOST, leading=True, listener_handles_states=True)
    assert not selector_interrupts(ZkState.SUSPENDED, leading=False, listener_handles_states=False)
    assert not selector_interrupts(ZkState.CONNECTED, leading=True, listener_handles_states=False)
    assert selector_requeues(True, True) and not selector_requeues(True, False)
    assert not selector_requeues(False, True)
