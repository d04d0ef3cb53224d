"""SES's bounce and complaint notifications (delivered through SNS): addresses that bounced for good
or complained get no more email. A transient bounce (a full mailbox) suppresses nothing."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from notifications.logic.ports import NotificationsAdapters

MAX_DETAIL = 1000


class _Recipient(BaseModel):
    model_config = ConfigDict(extra="ignore")

    email_address: str = Field(alias="emailAddress", min_length=3, max_length=320)
    diagnostic_code: str | None = Field(default=None, alias="diagnosticCode")


class _Bounce(BaseModel):
    model_config = ConfigDict(extra="ignore")

    bounce_type: str = Field(alias="bounceType")  # Permanent, Transient, Undetermined
    bounce_sub_type: str | None = Field(default=None, alias="bounceSubType")
    recipients: list[_Recipient] = Field(alias="bouncedRecipients")
    feedback_id: str | None = Field(default=None, alias="feedbackId")


class _Complaint(BaseModel):
    model_config = ConfigDict(extra="ignore")

    recipients: list[_Recipient] = Field(alias="complainedRecipients")
    feedback_type: str | None = Field(default=None, alias="complaintFeedbackType")
    feedback_id: str | None = Field(default=None, alias="feedbackId")


class SesNotification(BaseModel):
    """SES's notification, as an identity's feedback topic (`notificationType`) or a configuration
    set's event destination (`eventType`) sends it; other types (Delivery, Send, ...) carry nothing here."""

    model_config = ConfigDict(extra="ignore")

    notification_type: str | None = Field(default=None, alias="notificationType")
    event_type: str | None = Field(default=None, alias="eventType")
    bounce: _Bounce | None = None
    complaint: _Complaint | None = None

    @property
    def kind(self) -> str:
        """Bounce, Complaint or another type."""
        return self.notification_type or self.event_type or ""


type Suppression = tuple[str, Literal["bounce", "complaint"], str | None, str | None]


def suppressions_of(notification: SesNotification) -> list[Suppression]:
    """The addresses a notification suppresses: (address, reason, detail, feedback id)."""
    if notification.kind == "Bounce" and notification.bounce is not None:
        bounce = notification.bounce
        if bounce.bounce_type != "Permanent":
            return []
        return [
            (
                r.email_address,
                "bounce",
                (r.diagnostic_code or bounce.bounce_sub_type or "")[:MAX_DETAIL] or None,
                bounce.feedback_id,
            )
            for r in bounce.recipients
        ]
    if notification.kind == "Complaint" and notification.complaint is not None:
        complaint = notification.complaint
        return [
            (r.email_address, "complaint", complaint.feedback_type, complaint.feedback_id) for r in complaint.recipients
        ]
    return []


def apply_feedback(adapters: NotificationsAdapters, messages: list[Any]) -> dict[str, int]:
    """Apply SES notifications (parsed JSON): suppress what they say to suppress, in one transaction.
    What is not an SES notification is counted as unreadable and skipped: retrying would not change it."""
    counts = {"suppressed": 0, "already": 0, "ignored": 0, "unreadable": 0}
    now = adapters.clock()
    with adapters.transaction() as repo:
        for message in messages:
            try:
                notification = SesNotification.model_validate(message)
            except ValidationError:
                counts["unreadable"] += 1
                continue
            found = suppressions_of(notification)
            if not found:
                counts["ignored"] += 1
            for address, reason, detail, feedback_id in found:
                new = repo.suppressions.suppress(address, reason, detail, feedback_id, now)
                counts["suppressed" if new else "already"] += 1
    return counts
