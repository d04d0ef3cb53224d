"""The business metrics the monitoring domain sends through Powertools Metrics (CloudWatch EMF), in the
namespace `FederatedImputation` with the dimension `service=monitoring`. The CloudWatch dashboard and
alarms (infra/) read these names: change one there too.

A metric is sent only for an event applied (never for a duplicate, nor for one older than what was
seen), and only once its transaction has committed."""

from __future__ import annotations

from dataclasses import dataclass, field

JOBS_SUBMITTED = "JobsSubmitted"  # a job (not a part of a multi-service job) reached `submitted`
JOBS_COMPLETED = "JobsCompleted"
JOBS_FAILED = "JobsFailed"
JOBS_CANCELLED = "JobsCancelled"
TURNAROUND_SECONDS = "TurnaroundSeconds"  # created to completed, one value per completed job
QUEUE_SECONDS = "QueueSeconds"  # submitted (else queued) to running, one value per job that started running
SERVICES_DOWN = "ServicesDown"  # a service went from healthy (or unknown) to unhealthy
SERVICES_RECOVERED = "ServicesRecovered"  # a service went from unhealthy to healthy
SERVICES_AT_RISK = "ServicesAtRisk"  # a spell of ill health is near deactivation
SERVICES_DEACTIVATED = "ServicesDeactivated"
SERVICE_CHECKS = "ServiceChecks"  # health checks recorded
SERVICE_CHECKS_FAILED = "ServiceChecksFailed"  # of them, those that found the service unhealthy

COUNT, SECONDS = "Count", "Seconds"


@dataclass
class Signals:
    """The metrics of the event being applied, sent by the handler once the event is committed."""

    pending: list[tuple[str, str, float]] = field(default_factory=list)

    def add(self, name: str, unit: str, value: float) -> None:
        """One value of a metric."""
        self.pending.append((name, unit, value))

    def take(self) -> list[tuple[str, str, float]]:
        """What waits, forgotten here."""
        taken, self.pending = self.pending, []
        return taken
