"""SES's bounces and complaints (SES to SNS to the ses-feedback function) suppress further email to an
address; email SES does not take now, and messages whose recipients the users domain cannot name now,
wait: the run fails after its commit, and Lambda's retry of the (then duplicate) event sends them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from fip_core.platform_events import FileExpiring
from local_platform.aws import ensure_queue, queue_arn
from local_platform.events import lambda_context
from local_platform.mailbox import sent_emails
from notifications.adapters.ses import SesMailer, ses_mailer
from notifications.dal.unit_of_work import notifications_reading
from notifications.domain import DeliveryStatus
from notifications.handlers import wiring
from notifications.handlers.on_event import DispatchIncompleteError
from notifications.logic.ports import MailRefusedError, MailUnavailableError
from tests.support.notifications import ADDRESSES, ALICE, add_people, bus_event, deliver
from users.dal.unit_of_work import users_repository
from users.domain import NewProfile, UserStatus

SIMULATED_BOUNCE = "bounce@simulator.amazonses.com"


@pytest.fixture(autouse=True)
def people(notifications_db: str) -> None:
    add_people()


def expiring(user_id: str = ALICE.user_id) -> dict[str, Any]:
    event = FileExpiring(
        file_id="f-1", user_id=user_id, filename="a.vcf.gz", kind="input", expires_at=datetime(2026, 12, 3, tzinfo=UTC)
    )
    return bus_event(event, "files")


def feedback(*ses_notifications: Any) -> dict[str, int]:
    """Hand SES notifications to the function as SNS delivers them."""
    from notifications.handlers.ses_feedback import handler

    records = [{"EventSource": "aws:sns", "Sns": {"Message": json.dumps(n)}} for n in ses_notifications]
    answer: dict[str, int] = handler({"Records": records}, lambda_context("notifications-ses-feedback"))
    return answer


def bounce(address: str, bounce_type: str = "Permanent") -> dict[str, Any]:
    recipient = {"emailAddress": address, "status": "5.1.1", "diagnosticCode": "smtp; 550 5.1.1 user unknown"}
    return {
        "notificationType": "Bounce",
        "bounce": {"bounceType": bounce_type, "bounceSubType": "General", "bouncedRecipients": [recipient]},
        "mail": {"destination": [address]},
    }


def statuses() -> list[tuple[DeliveryStatus, int]]:
    with notifications_reading() as repo:
        return [(d.status, d.attempts) for d in repo.deliveries.to_user(ALICE.user_id)]


def test_a_permanent_bounce_or_a_complaint_suppresses_the_address_a_transient_bounce_does_not(event_bus):
    alice = ADDRESSES[ALICE.user_id]
    assert feedback(bounce(alice.upper(), "Transient"))["ignored"] == 1
    deliver(expiring())
    assert len(sent_emails()) == 1

    assert feedback(bounce(alice.upper()), {"notificationType": "Delivery"}, "not json either") == {
        "suppressed": 1,
        "already": 0,
        "ignored": 1,
        "unreadable": 1,
    }
    complaint = {"eventType": "Complaint", "complaint": {"complainedRecipients": [{"emailAddress": alice}]}}
    assert feedback(complaint)["already"] == 1
    result = deliver(expiring())
    assert result["dispatch"]["sent"] == 0
    assert len(sent_emails()) == 1  # no second email
    assert statuses() == [(DeliveryStatus.SENT, 1), (DeliveryStatus.SUPPRESSED, 0)]


def test_ses_bounce_notifications_arrive_through_sns_in_the_shape_ses_sends(event_bus):
    """moto's SES publishes a bounce for its simulator's address to the identity's topic, as SES does."""
    with users_repository() as repo:
        repo.users.add("carol-0004", SIMULATED_BOUNCE, NewProfile(), UserStatus.ACTIVE, datetime.now(UTC))
    sns, sqs, ses = event_bus.client("sns"), event_bus.client("sqs"), event_bus.client("ses")
    topic = sns.create_topic(Name="ses-feedback")["TopicArn"]
    queue = ensure_queue(sqs, "ses-feedback-test", {})
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(sqs, queue))
    sender_domain = ses_mailer().sender.split("@")[1]
    ses.set_identity_notification_topic(Identity=sender_domain, NotificationType="Bounce", SnsTopic=topic)

    deliver(expiring("carol-0004"))
    [message] = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    carried = json.loads(message["Body"])["Message"]
    # SNS carries SES's notification as a JSON string; moto's SES hands SNS the object itself
    published = carried if isinstance(carried, dict) else json.loads(carried)
    # moto leaves its template's placeholder in `notificationType` ("Bounce, Complaint, or Delivery."),
    # where SES writes the type (docs: notification-contents); the rest is SES's documented bounce
    assert "bounce" in published
    published["notificationType"] = "Bounce"
    counts = feedback(published)
    # moto's canned bounce names its own example recipients, both suppressed
    assert counts["suppressed"] == len(published["bounce"]["bouncedRecipients"]) >= 1
    with notifications_reading() as repo:
        assert repo.suppressions.suppressed(published["bounce"]["bouncedRecipients"][0]["emailAddress"])


class FlakyMailer:
    """SES behind failures told in advance, then the real one."""

    def __init__(self, real: SesMailer, failures: list[Exception]) -> None:
        self.real, self.failures = real, failures

    def send(self, to: str, subject: str, text: str, html: str) -> str:
        if self.failures:
            raise self.failures.pop(0)
        return self.real.send(to, subject, text, html)


def fails_and_retries(event: dict[str, Any]) -> None:
    """Deliver an event whose run leaves something waiting: it fails after its commit, for Lambda to retry."""
    with pytest.raises(DispatchIncompleteError):
        deliver(event)


def test_email_ses_could_not_take_is_tried_again_as_lambda_retries_the_event(event_bus, monkeypatch):
    monkeypatch.setenv("NOTIFICATIONS_MAX_ATTEMPTS", "3")
    from notifications.settings import notifications_settings

    notifications_settings.cache_clear()
    failures: list[Exception] = [MailUnavailableError("SES Throttling")] * 2
    flaky = FlakyMailer(ses_mailer(), failures)
    monkeypatch.setattr(wiring, "ses_mailer", lambda: flaky)

    event = expiring()
    fails_and_retries(event)
    assert statuses() == [(DeliveryStatus.PENDING, 1)]
    fails_and_retries(event)  # Lambda's first retry: a duplicate event, and the email waiting tried again
    retried = deliver(event)
    assert (retried["outcome"], retried["dispatch"]["sent"]) == ("duplicate", 1)
    assert statuses() == [(DeliveryStatus.SENT, 3)]
    assert deliver(event)["dispatch"]["sent"] == 0  # nothing is due any more
    assert len(sent_emails()) == 1

    failures.extend([MailUnavailableError("SES Throttling")] * 3)
    second = expiring()
    fails_and_retries(second)
    fails_and_retries(second)
    assert deliver(second)["dispatch"]["failed"] == 1  # given up after 3 tries
    assert statuses()[1] == (DeliveryStatus.FAILED, 3)

    failures.append(MailRefusedError("SES MessageRejected"))
    assert deliver(expiring())["dispatch"]["failed"] == 1  # refused: not tried again
    assert statuses()[2] == (DeliveryStatus.FAILED, 1)


def test_a_message_waits_while_the_users_domain_cannot_name_its_recipients(event_bus, monkeypatch):
    monkeypatch.setenv("NOTIFICATIONS_USERS_CONTACTS_FUNCTION_NAME", "users-not-declared")
    event = expiring()
    fails_and_retries(event)
    assert statuses() == []

    monkeypatch.setenv("NOTIFICATIONS_USERS_CONTACTS_FUNCTION_NAME", "users-contacts")
    retried = deliver(event)
    assert (retried["outcome"], retried["dispatch"]["dispatched"]) == ("duplicate", 1)
    assert statuses() == [(DeliveryStatus.SENT, 1)]
    assert len(sent_emails()) == 1
