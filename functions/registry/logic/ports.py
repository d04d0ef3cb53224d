"""What registry logic needs from the outside, as small protocols: the logic is handed an
implementation (the HTTP prober, the system clock, a database transaction, which relays the events
it queued once it commits) and tests hand it fakes that behave, and fail, like the real ones."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from registry.dal.repository import RegistryRepository
from registry.domain import Catalogue
from registry.models.common import ApiType
from registry.models.health import ProbeOutcome

Transaction = Callable[[], AbstractContextManager[RegistryRepository]]


class BatchTransaction(Protocol):
    """A transaction whose events are relayed when it commits, or with `relay=False` left for `Relay`."""

    def __call__(self, *, relay: bool = True) -> AbstractContextManager[RegistryRepository]: ...


Relay = Callable[[], int]  # publishes the events waiting in the outbox; answers how many went out


class Prober(Protocol):
    """Asks a service what it is and whether it is up (`registry.probes.service.HttpProber`)."""

    async def probe(self, api_type: ApiType, base_url: str) -> ProbeOutcome:
        """What the service said about itself (its load among it), or why it said nothing usable;
        never raises for what the far side does."""
        ...


class CatalogueReader(Protocol):
    """Asks a service what it offers (`registry.probes.catalogue.HttpCatalogueReader`)."""

    async def cloudgene_panels(self, base_url: str, token: str) -> Catalogue:
        """A Cloudgene server's reference panels, read with an admin's token; raises CatalogueError."""
        ...

    async def wes_workflows(self, base_url: str) -> Catalogue:
        """A WES node's declared workflow languages and engines; raises CatalogueError."""
        ...


class Clock(Protocol):
    """The current time, timezone-aware."""

    def __call__(self) -> datetime: ...


@dataclass(frozen=True)
class HealthAdapters:
    """Everything health logic reaches outside itself through."""

    transaction: BatchTransaction
    relay: Relay
    prober: Prober
    clock: Clock
