"""The registry's events folded into each service's facts: the rules, pure. A late event never undoes
a newer one: the status is the newest check's, a warning of deactivation holds only for a spell of ill
health that began after the service was last seen healthy or deactivated."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from monitoring.domain import ServiceFacts


def unseen(service_id: str) -> ServiceFacts:
    """A service no event has described yet."""
    return ServiceFacts(
        service_id=service_id,
        slug=None,
        name=None,
        status="unknown",
        status_at=None,
        recovered_at=None,
        deactivated_at=None,
        at_risk_since=None,
        deactivates_at=None,
    )


def named(service: ServiceFacts, slug: str | None, name: str | None) -> ServiceFacts:
    """The service with the names an event gave it (kept as they were where it gave none)."""
    return replace(service, slug=slug or service.slug, name=name or service.name)


def observed(service: ServiceFacts, status: str, checked_at: datetime) -> ServiceFacts:
    """The service after a check: its status if the check is the newest seen; a healthy check also ends
    a warning about a spell of ill health that began before it."""
    if status == "healthy" and (service.recovered_at is None or checked_at > service.recovered_at):
        service = replace(service, recovered_at=checked_at)
        if service.at_risk_since is not None and service.at_risk_since <= checked_at:
            service = replace(service, at_risk_since=None, deactivates_at=None)
    if service.status_at is None or checked_at >= service.status_at:
        service = replace(service, status=status, status_at=checked_at)
    return service


def at_risk(service: ServiceFacts, unhealthy_since: datetime, deactivates_at: datetime) -> ServiceFacts:
    """The service warned about: unless it was seen healthy or deactivated since the spell began, or a
    newer spell was warned about already."""
    ended = [moment for moment in (service.recovered_at, service.deactivated_at) if moment is not None]
    if any(moment >= unhealthy_since for moment in ended):
        return service
    if service.at_risk_since is not None and service.at_risk_since > unhealthy_since:
        return service
    return replace(service, at_risk_since=unhealthy_since, deactivates_at=deactivates_at)


def deactivated(service: ServiceFacts, at: datetime) -> ServiceFacts:
    """The service taken out of use: nothing left to warn about."""
    latest = at if service.deactivated_at is None else max(at, service.deactivated_at)
    return replace(service, deactivated_at=latest, at_risk_since=None, deactivates_at=None)
