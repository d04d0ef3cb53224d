"""The metrics the domains write themselves (Powertools EMF, in the platform's namespace, dimension
`service` = the domain), by the names their handlers give them: what the alarms and the operations
dashboard read."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch

from fip_core.settings import METRICS_NAMESPACE
from infra.constants import ALARM_PERIOD


@dataclass(frozen=True)
class ReportedMetric:
    """A metric one function of a domain reports on each run (`function` None: the domain's events)."""

    domain: str
    name: str
    function: str | None = None
    statistic: str = cloudwatch.Stats.SUM

    def metric(self, period: Duration = ALARM_PERIOD, statistic: str | None = None) -> cloudwatch.Metric:
        """The metric over one period, by its own statistic unless another is asked for."""
        return domain_metric(self.domain, self.name, statistic or self.statistic, period)


# The registry's health sweep (registry/handlers/health_sweep.py): services checked, and of them unhealthy
SERVICES_CHECKED = ReportedMetric("registry", "ServicesChecked", "health-sweep")
SERVICES_UNHEALTHY = ReportedMetric("registry", "ServicesUnhealthy", "health-sweep", cloudwatch.Stats.MAXIMUM)
# The jobs domain's poll (jobs/handlers/poll.py): jobs polled, their transitions, and those left stalled
JOBS_POLLED = ReportedMetric("jobs", "JobsPolled", "poll")
JOB_TRANSITIONS = ReportedMetric("jobs", "JobTransitions", "poll")
JOBS_STALLED = ReportedMetric("jobs", "JobsStalled", "poll", cloudwatch.Stats.MAXIMUM)
# The monitoring domain's business metrics, from the events it aggregates
JOBS_COMPLETED = ReportedMetric("monitoring", "JobsCompleted")
JOBS_FAILED = ReportedMetric("monitoring", "JobsFailed")
TURNAROUND_SECONDS = ReportedMetric("monitoring", "TurnaroundSeconds", statistic=cloudwatch.Stats.percentile(50))
SERVICES_DOWN = ReportedMetric("monitoring", "ServicesDown", statistic=cloudwatch.Stats.MAXIMUM)


def domain_metric(domain: str, name: str, statistic: str, period: Duration = ALARM_PERIOD) -> cloudwatch.Metric:
    """One of a domain's own metrics."""
    # Powertools writes each domain's metrics with the dimension `service` = the domain
    return cloudwatch.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name=name,
        dimensions_map={"service": domain},
        period=period,
        statistic=statistic,
    )
