"""Messages to their recipients, after the event's transaction: in-app notifications and email
deliveries made once per message and recipient, as each recipient prefers; then email sent, each
try claimed before it is made and recorded after."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from notifications.domain import Contact, DeliveryStatus, Message
from notifications.logic.ports import (
    DirectoryUnavailableError,
    MailRefusedError,
    MailUnavailableError,
    NotificationsAdapters,
)
from notifications.logic.templates import render
from notifications.settings import NotificationsSettings

# A claimed email whose sender stopped (a timeout, a crash) is tried again after this long: SES may
# then have it twice, which is rarer and better than never.
STALE_CLAIM = timedelta(minutes=10)
MAX_ERROR = 1000


@dataclass(frozen=True)
class DispatchReport:
    """What one run did."""

    dispatched: int = 0
    waiting: int = 0  # messages left for later: the users domain did not answer
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    suppressed: int = 0


def dispatch(adapters: NotificationsAdapters, settings: NotificationsSettings) -> DispatchReport:
    """Dispatch undispatched messages, then send the email that is due."""
    dispatched, waiting = dispatch_messages(adapters, settings)
    return _send_due(adapters, settings, dispatched, waiting)


def dispatch_messages(adapters: NotificationsAdapters, settings: NotificationsSettings) -> tuple[int, int]:
    """Fan the oldest undispatched messages out to their recipients; (dispatched, left waiting)."""
    with adapters.reading() as repo:
        messages = repo.messages.undispatched(settings.dispatch_batch)
    done = 0
    for position, message in enumerate(messages):
        try:
            # the users domain is asked outside any transaction of ours
            contacts = adapters.directory.contacts(
                [message.user_id] if message.user_id else [], admins=message.user_id is None
            )
        except DirectoryUnavailableError:
            return done, len(messages) - position
        if _fan_out(adapters, settings, message, contacts):
            done += 1
    return done, 0


def _fan_out(
    adapters: NotificationsAdapters, settings: NotificationsSettings, message: Message, contacts: list[Contact]
) -> bool:
    now = adapters.clock()
    with adapters.transaction() as repo:
        if not repo.messages.mark_dispatched(message.id, now):
            return False  # another run dispatched it meanwhile
        for contact in contacts:
            channel = repo.preferences.of_user(contact.user_id)[message.kind]
            rendered = render(message, contact, settings.web_origin)
            if channel.in_app and not repo.notifications.exists(message.id, contact.user_id):
                repo.notifications.add(message.id, contact.user_id, message.kind, rendered, now)
            if channel.by_email and not repo.deliveries.exists(message.id, contact.user_id):
                suppressed = repo.suppressions.suppressed(contact.email)
                status = DeliveryStatus.SUPPRESSED if suppressed else DeliveryStatus.PENDING
                repo.deliveries.add(message.id, contact.user_id, contact.email, rendered, status, now)
    return True


def _send_due(
    adapters: NotificationsAdapters, settings: NotificationsSettings, dispatched: int, waiting: int
) -> DispatchReport:
    ended: Counter[DeliveryStatus] = Counter()  # what each try left its delivery at
    with adapters.reading() as repo:
        due = repo.deliveries.due(adapters.clock(), STALE_CLAIM, settings.dispatch_batch)
    for delivery_id in due:
        with adapters.transaction() as repo:
            delivery = repo.deliveries.claim(delivery_id, adapters.clock(), STALE_CLAIM)
            if delivery is None:
                continue
            if repo.suppressions.suppressed(delivery.address):
                # the address bounced or complained after the email was queued
                repo.deliveries.record(
                    delivery_id, DeliveryStatus.SUPPRESSED, adapters.clock(), provider_id=None, error=None
                )
                ended[DeliveryStatus.SUPPRESSED] += 1
                continue
        status, provider_id, error = DeliveryStatus.SENT, None, None
        try:
            provider_id = adapters.mailer.send(delivery.address, delivery.subject, delivery.text, delivery.html)
        except MailRefusedError as refused:
            status, error = DeliveryStatus.FAILED, str(refused)[:MAX_ERROR]
        except MailUnavailableError as unavailable:
            out_of_tries = delivery.attempts >= settings.max_attempts
            status = DeliveryStatus.FAILED if out_of_tries else DeliveryStatus.PENDING
            error = str(unavailable)[:MAX_ERROR]
        with adapters.transaction() as repo:
            repo.deliveries.record(delivery_id, status, adapters.clock(), provider_id=provider_id, error=error)
        ended[status] += 1
    return DispatchReport(
        dispatched=dispatched,
        waiting=waiting,
        sent=ended[DeliveryStatus.SENT],
        retrying=ended[DeliveryStatus.PENDING],
        failed=ended[DeliveryStatus.FAILED],
        suppressed=ended[DeliveryStatus.SUPPRESSED],
    )
