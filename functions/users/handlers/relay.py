"""Relays the users domain's outbox every minute: what the relay after a commit could not publish."""

from __future__ import annotations

from fip_core.observability import observability
from fip_core.relay import relay_handler
from users.dal.unit_of_work import STORE
from users.settings import DOMAIN

handler = relay_handler(observability(DOMAIN), STORE)
