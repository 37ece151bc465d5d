"""One bad POST never stalls the inbox: it fails alone, backs off alone, and is quarantined whole.

The failing POST here meets a store that refuses to write one wamid, as a store with a bad row or
a bug in applying one kind of item would; every other POST goes on being applied at once.
"""

from __future__ import annotations

from datetime import timedelta

from application.post_changes import PostChanges, PostOutcome
from application.quarantine import ListQuarantined, ReplayQuarantined
from domain.ids import Wamid
from domain.retry import RetryPolicy
from domain.webhook_signature import sign
from tests.unit.application.conftest import APP_SECRET, Harness
from tests.unit.application.meta_webhooks import envelope, messages_change, text_message
from tests.unit.application.test_process_webhooks import CUSTOMER, NUMBER, published

POISON = Wamid("wamid.POISON")


class RefusingOneWamid:
    """The harness's store, refusing to write a POST holding one wamid until `healed`."""

    def __init__(self, harness: Harness) -> None:
        self._writer = harness.stores.post_writer
        self.healed = False

    async def write(self, post: PostChanges) -> PostOutcome:
        if not self.healed and any(change.message.wamid == POISON for change in post.received):
            raise RuntimeError(f"cannot store {POISON}")
        return await self._writer.write(post)


def with_refusing_store(harness: Harness, attempts: int = 3) -> RefusingOneWamid:
    refusing = RefusingOneWamid(harness)
    harness.process_inbox_event._writer = refusing
    harness.process_inbox_event._retry = RetryPolicy(max_attempts=attempts, base=timedelta(seconds=1))
    return refusing


def text_post(harness: Harness, wamid: str, body: str) -> bytes:
    return envelope(messages_change(messages=[text_message(wamid=wamid, sender=CUSTOMER, body=body, at=harness.clock.now())]))


async def stored(harness: Harness, wamid: str) -> bool:
    return await harness.stores.messages.find_by_wamid(Wamid(wamid)) is not None


async def test_a_failing_post_waits_alone_while_the_others_are_applied_at_once(harness: Harness) -> None:
    with_refusing_store(harness)
    for wamid in ("wamid.BEFORE", POISON, "wamid.AFTER"):
        body = text_post(harness, wamid, "hello")
        await harness.ingest_webhook(body, sign(APP_SECRET, body))

    report = await harness.process_inbox_event.process_pending()

    assert await stored(harness, "wamid.BEFORE") and await stored(harness, "wamid.AFTER")
    assert list(report.failed.values()) == ["RuntimeError: cannot store wamid.POISON"]
    assert await harness.stores.inbox.unprocessed(10, due_by=harness.clock.now()) == []
    [waiting] = await harness.stores.inbox.unprocessed(10)
    assert waiting.attempts == 1

    later = text_post(harness, "wamid.LATER", "still there?")
    await harness.receive(later)

    assert await stored(harness, "wamid.LATER")


async def test_after_its_last_attempt_a_post_is_quarantined_with_its_whole_error_and_reported(harness: Harness) -> None:
    with_refusing_store(harness, attempts=3)
    body = text_post(harness, POISON, "hello")
    event_id = await harness.ingest_webhook(body, sign(APP_SECRET, body))

    for _ in range(3):
        await harness.process_inbox_event.process_pending()
        harness.clock.advance(timedelta(minutes=5).total_seconds())

    [post] = await ListQuarantined(inbox=harness.stores.inbox)()
    assert (post.id, post.attempts, post.size) == (event_id, 3, len(body))
    assert post.error.startswith("Traceback (most recent call last):")
    assert post.error.rstrip().endswith("RuntimeError: cannot store wamid.POISON")
    assert await harness.stores.inbox.unprocessed(10) == []
    quarantined = [e.data for e in await published(harness) if e.type == "webhook.quarantined"]
    assert quarantined == [{"inbox_event_id": event_id, "attempts": 3, "error": "RuntimeError: cannot store wamid.POISON"}]


async def test_a_quarantined_post_replayed_after_the_fix_is_applied_once(harness: Harness) -> None:
    refusing = with_refusing_store(harness, attempts=1)
    body = text_post(harness, POISON, "hello")
    event_id = await harness.ingest_webhook(body, sign(APP_SECRET, body))
    await harness.process_inbox_event.process_pending()
    replay = ReplayQuarantined(inbox=harness.stores.inbox, process=harness.process_inbox_event)

    again = await replay(event_id)
    assert again.error == "RuntimeError: cannot store wamid.POISON" and again.applied == {}

    refusing.healed = True
    replayed = await replay(event_id)

    assert (replayed.error, replayed.applied) == (None, {"message": 1})
    assert await stored(harness, POISON)
    assert await ListQuarantined(inbox=harness.stores.inbox)() == []
    conversation = await harness.stores.conversations.get(NUMBER, CUSTOMER)
    assert conversation is not None and conversation.unread_count == 1
