"""What each kind of message says: the job's name, service, reason and link; every value escaped in
the HTML; a subject on one line; and SES's bounce and complaint notifications read as documented."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from notifications.domain import DEFAULT_CHANNELS, Channel, Contact, Message, MessageKind
from notifications.logic.feedback import SesNotification, suppressions_of
from notifications.logic.templates import TEMPLATES, render

ORIGIN = "https://fip.example.org"
JOB = {"job_id": "j-1", "job_name": "chr20 <b>run</b>", "service_name": "Michigan & co", "error": None}


def message(kind: MessageKind, **facts: object) -> Message:
    return Message(id="m", event_id="e", kind=kind, user_id="u", facts=facts, occurred_at=datetime.now(UTC))


def test_every_kind_has_a_template_and_a_default():
    assert set(TEMPLATES) == set(MessageKind) == set(DEFAULT_CHANNELS)


def test_a_failed_job_names_itself_its_service_and_the_reason_and_links_to_the_job():
    failed = render(
        message(MessageKind.JOB_FAILED, **JOB | {"error": "QC: <no> variants"}), Contact("u", "u@x", None), ORIGIN
    )
    assert failed.title == "Job \u201cchr20 <b>run</b>\u201d failed"
    assert "Your imputation job \u201cchr20 <b>run</b>\u201d on Michigan & co failed." in failed.text
    assert "Reason: QC: <no> variants" in failed.text
    assert failed.text.startswith("Hello,\n")
    assert failed.link == f"{ORIGIN}/#/jobs/j-1"
    assert "chr20 &lt;b&gt;run&lt;/b&gt;" in failed.html
    assert "Michigan &amp; co" in failed.html
    assert "QC: &lt;no&gt; variants" in failed.html
    assert "<b>" not in failed.html


def test_a_completed_job_has_no_reason_line():
    done = render(message(MessageKind.JOB_COMPLETED, **JOB), Contact("u", "u@x", "Ann"), ORIGIN)
    assert done.text.startswith("Hello Ann,\n")
    assert "Reason" not in done.text


def test_a_subject_is_one_line_of_at_most_255_characters():
    named = JOB | {"job_name": "one\r\nBcc: someone@example.org " + "x" * 400}
    rendered = render(message(MessageKind.JOB_SUBMITTED, **named), Contact("u", "u@x", None), ORIGIN)
    assert "\n" not in rendered.title
    assert "\r" not in rendered.title
    assert len(rendered.title) == 255


@pytest.mark.parametrize(
    ("channel", "email", "in_app"),
    [
        (Channel.EMAIL, True, False),
        (Channel.IN_APP, False, True),
        (Channel.BOTH, True, True),
        (Channel.NONE, False, False),
    ],
)
def test_a_channel_says_where_a_message_goes(channel, email, in_app):
    assert (channel.by_email, channel.in_app) == (email, in_app)


def test_a_permanent_bounce_suppresses_its_recipients_a_transient_one_nobody():
    bounce = {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "feedbackId": "fb-1",
            "bouncedRecipients": [{"emailAddress": "a@example.org", "diagnosticCode": "smtp; 550 user unknown"}],
        },
    }
    assert suppressions_of(SesNotification.model_validate(bounce)) == [
        ("a@example.org", "bounce", "smtp; 550 user unknown", "fb-1")
    ]
    bounce["bounce"]["bounceType"] = "Transient"  # type: ignore[index]
    assert suppressions_of(SesNotification.model_validate(bounce)) == []


def test_a_complaint_suppresses_its_recipients_in_either_format():
    for key in ("notificationType", "eventType"):
        complaint = {
            key: "Complaint",
            "complaint": {
                "complainedRecipients": [{"emailAddress": "b@example.org"}],
                "complaintFeedbackType": "abuse",
            },
        }
        assert suppressions_of(SesNotification.model_validate(complaint)) == [
            ("b@example.org", "complaint", "abuse", None)
        ]
    assert suppressions_of(SesNotification.model_validate({"notificationType": "Delivery"})) == []
