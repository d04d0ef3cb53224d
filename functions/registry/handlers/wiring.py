"""The adapters the registry's handlers hand to its logic: the one place that picks them."""

from __future__ import annotations

from datetime import UTC, datetime

from registry.dal.unit_of_work import STORE, registry_repository
from registry.logic.health import HealthPolicy
from registry.logic.ports import CatalogueReader, HealthAdapters
from registry.probes.service import http_prober
from registry.settings import registry_settings


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def health_adapters() -> HealthAdapters:
    """The real database (whose transactions relay their events as they commit), prober and clock."""
    return HealthAdapters(
        transaction=registry_repository, relay=STORE.publish_pending_events, prober=http_prober(), clock=utc_now
    )


def health_policy() -> HealthPolicy:
    """The health policy the settings describe."""
    return HealthPolicy.from_settings(registry_settings())


def catalogue_reader() -> CatalogueReader:
    """The reader of what services offer, under the outbound policy (loaded by the one route that reads)."""
    from registry.probes.catalogue import http_catalogue_reader

    return http_catalogue_reader()
