"""Message status only moves forward, whatever order and however often Meta's webhooks arrive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import reduce

from hypothesis import given
from hypothesis import strategies as st

from domain.status import Failure, MessageStatus, StatusEvent, StatusRecord, apply_status

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
QUEUED = StatusRecord.queued(T0)


def event(status: MessageStatus, seconds: int, failure: Failure | None = None) -> StatusEvent:
    return StatusEvent(status=status, at=T0 + timedelta(seconds=seconds), failure=failure)


def apply_all(events: list[StatusEvent]) -> StatusRecord:
    return reduce(apply_status, events, QUEUED)


def test_statuses_in_order_reach_read_keeping_metas_timestamps() -> None:
    record = apply_all([event(MessageStatus.ACCEPTED, 1), event(MessageStatus.SENT, 2), event(MessageStatus.DELIVERED, 3), event(MessageStatus.READ, 4)])

    assert record.status is MessageStatus.READ
    assert record.at(MessageStatus.SENT) == T0 + timedelta(seconds=2)
    assert record.at(MessageStatus.READ) == T0 + timedelta(seconds=4)


def test_a_late_delivered_never_downgrades_a_read_message() -> None:
    record = apply_all([event(MessageStatus.READ, 4), event(MessageStatus.DELIVERED, 3)])

    assert record.status is MessageStatus.READ
    assert record.at(MessageStatus.DELIVERED) == T0 + timedelta(seconds=3)


def test_failed_is_terminal_and_keeps_metas_code_title_and_details() -> None:
    failure = Failure(code=131047, title="Re-engagement message", details="More than 24 hours have passed")

    record = apply_all([event(MessageStatus.SENT, 1), event(MessageStatus.FAILED, 2, failure), event(MessageStatus.DELIVERED, 3)])

    assert (record.status, record.failure) == (MessageStatus.FAILED, failure)


def test_played_ranks_above_read_for_voice_messages() -> None:
    assert apply_all([event(MessageStatus.PLAYED, 5), event(MessageStatus.READ, 4)]).status is MessageStatus.PLAYED


def test_a_duplicate_with_a_later_timestamp_keeps_the_first_time() -> None:
    record = apply_all([event(MessageStatus.SENT, 1), event(MessageStatus.SENT, 9)])

    assert record.at(MessageStatus.SENT) == T0 + timedelta(seconds=1)


failures = st.builds(Failure, code=st.sampled_from([131026, 131047, 131049]), title=st.sampled_from(["a", "b"]), details=st.none() | st.just("d"))
events = st.builds(
    lambda status, seconds, failure: event(status, seconds, failure if status is MessageStatus.FAILED else None),
    st.sampled_from([s for s in MessageStatus if s is not MessageStatus.QUEUED]),
    st.integers(min_value=0, max_value=60),
    failures,
)


@given(in_order=st.lists(events, min_size=1, max_size=8), data=st.data())
def test_any_permutation_with_duplicates_converges_to_the_in_order_result(in_order: list[StatusEvent], data: st.DataObject) -> None:
    duplicated = in_order + data.draw(st.lists(st.sampled_from(in_order), max_size=8))
    shuffled = data.draw(st.permutations(duplicated))

    assert apply_all(shuffled) == apply_all(in_order)


@given(st.lists(events, min_size=1, max_size=10))
def test_the_status_never_moves_backwards(history: list[StatusEvent]) -> None:
    records = [QUEUED]
    for item in history:
        records.append(apply_status(records[-1], item))

    for before, after in zip(records, records[1:]):
        assert after.status is MessageStatus.FAILED or (
            before.status is not MessageStatus.FAILED and after.status.rank >= before.status.rank
        )
