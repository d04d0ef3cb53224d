"""Events applied in batches (fip_core.subscribers.Subscriber.receive_batch) end in the same dashboards
as one by one: each once by its id, whether applied before or twice in a batch, the unreadable kept aside."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fip_core.subscribers import Subscriber
from monitoring.dal.repository import MonitoringRepository
from tests.support.api import invoke_api
from tests.support.monitoring import ADMIN, ALICE, NOW, deliver, freeze_clock, life, transition

T0 = NOW - timedelta(hours=3)


@pytest.fixture(autouse=True)
def monitoring(monitoring_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    freeze_clock(monkeypatch)


def batch_subscriber() -> Subscriber[MonitoringRepository]:
    from monitoring.handlers.on_event import subscriber_of
    from monitoring.logic.events import Ledger

    return subscriber_of(Ledger())


def test_a_batch_with_duplicates_and_an_unreadable_event_applies_each_readable_event_once():
    events = [*life("j1", "completed", created=T0, minutes=[0, 1, 2, 10, 70])]
    events += [*life("j2", "failed", created=T0, minutes=[0, 1, 2, 5, 20])]
    unreadable = {"detail-type": "JobStatusChanged", "source": "fip.jobs", "detail": {"data": {}}}
    deliver(events[0])  # applied before the batch
    outcomes = batch_subscriber().receive_batch([*events, events[3], unreadable])
    assert [o.outcome for o in outcomes] == ["duplicate"] + ["applied"] * 9 + ["duplicate", "quarantined"]
    assert batch_subscriber().receive_batch(events) == [
        type(outcomes[0])("duplicate", e["detail"]["metadata"]["event_id"], "JobStatusChanged") for e in events
    ]
    body = invoke_api("GET", "/dashboard", principal=ALICE).body
    assert (body["by_status"]["completed"], body["by_status"]["failed"], body["total"]) == (1, 1, 2)
    assert body["queue_seconds"]["count"] == 2
    assert invoke_api("GET", "/dashboard/platform", principal=ADMIN).body["total"] == 2


def test_a_refusal_in_a_batch_keeps_nothing_of_it_and_receives_each_event_on_its_own():
    from fip_core.observability import observability
    from fip_core.platform_events import JobStatusChanged
    from fip_core.subscribers import Delivery, RejectedEvent
    from monitoring.dal.unit_of_work import STORE

    def consume(_repo: MonitoringRepository, delivery: Delivery[JobStatusChanged]) -> None:
        if delivery.event.job_id == "refused":
            raise RejectedEvent("not for us")

    refusing = Subscriber(STORE, {JobStatusChanged: consume}, observability("monitoring"))
    good, bad = (transition(job_id, 1, "pending", created=T0, at=T0) for job_id in ("good", "refused"))
    assert [o.outcome for o in refusing.receive_batch([good, bad])] == ["applied", "quarantined"]
    assert [o.outcome for o in refusing.receive_batch([good])] == ["duplicate"]
