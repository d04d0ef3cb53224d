"""SES's bounce and complaint notifications, delivered by SNS: addresses that bounced for good or
complained get no more email."""

from __future__ import annotations

import json
from typing import Any

from fip_core.observability import observability
from fip_core.tasks import task_handler
from notifications import DOMAIN

obs = observability(DOMAIN)


def receive(event: dict[str, Any]) -> dict[str, Any]:
    """Apply each SNS record's SES notification; addresses are not logged, only counts."""
    from notifications.handlers.wiring import notifications_adapters
    from notifications.logic.feedback import apply_feedback

    messages: list[Any] = []
    for record in event.get("Records") or []:
        text = (record.get("Sns") or {}).get("Message") if isinstance(record, dict) else None
        try:
            messages.append(json.loads(text) if isinstance(text, str) else None)
        except ValueError:
            messages.append(None)
    counts = apply_feedback(notifications_adapters(), messages)
    obs.logger.info("ses feedback", extra=counts)
    return counts


handler = task_handler(obs, receive)
