"""Validates each object created in the store (S3's `Object Created`, on the default bus)."""

from __future__ import annotations

from typing import Any

from files import DOMAIN
from fip_core.observability import observability
from fip_core.tasks import task_handler

obs = observability(DOMAIN)


def on_object_created(event: dict[str, Any]) -> dict[str, Any]:
    """Validate the file the event names, once per event id; a failure raises, so Lambda retries."""
    from files.handlers.wiring import validation_adapters
    from files.logic import validation
    from files.settings import files_settings

    outcome = validation.on_object_created(validation_adapters(), files_settings(), event)
    obs.logger.info("object created", extra={"outcome": outcome, "event_id": event.get("id")})
    return {"outcome": outcome}


handler = task_handler(obs, on_object_created)
