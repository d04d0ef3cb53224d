"""The monitoring API's response models: dashboards of jobs and services."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from fip_core.platform_events import HealthStatusName, JobStatusName

PERCENTILE_NOTE = "Read from log-spaced histograms (four buckets per doubling): within about 9% of the exact value."


class Percentiles(BaseModel):
    """The middle and the slow end of a set of durations."""

    count: int = Field(description="How many values they are read from.")
    p50: float | None = Field(description=f"The median; None without values. {PERCENTILE_NOTE}")
    p95: float | None = Field(description=f"The 95th percentile; None without values. {PERCENTILE_NOTE}")


class DayPoint(BaseModel):
    """One day (UTC) of jobs that ended, by how."""

    day: date
    completed: int
    failed: int
    cancelled: int


class JobFigures(BaseModel):
    """Jobs by status now, and how the jobs of the last days went."""

    by_status: dict[JobStatusName, int] = Field(description="Jobs in each status now (every status, zeros included).")
    total: int = Field(description="Jobs in all.")
    success_rate: float | None = Field(
        description="Completed over completed and failed, of the jobs now in either (None when there are none)."
    )
    window_days: int = Field(description="The days the series and percentiles cover, today (UTC) included.")
    turnaround_seconds: Percentiles = Field(
        description="From submission to the platform to completion, of the jobs completed in the window."
    )
    queue_seconds: Percentiles = Field(
        description="From submission to the service (else queued) to running, of the jobs that ran in the window."
    )
    series: list[DayPoint] = Field(description="Every day of the window, oldest first.")


class JobCounts(BaseModel):
    """One service's or one user's jobs by status now."""

    by_status: dict[JobStatusName, int]
    total: int


class ServiceJobCounts(JobCounts):
    """The jobs one service ran (a multi-service job's parts, each on its service)."""

    service_id: str
    service_name: str | None


class UserJobCounts(JobCounts):
    """One user's jobs."""

    user_id: str


class PlatformDashboard(JobFigures):
    """The whole platform's jobs, by service and by user."""

    by_service: list[ServiceJobCounts] = Field(description="Every service that ran jobs, the busiest first.")
    by_user: list[UserJobCounts] = Field(description="The users with the most jobs, at most `users` of them.")
    users_total: int = Field(description="How many users have jobs.")


class UptimeView(BaseModel):
    """Percent of checks that found a service healthy, over whole hours up to now (None: no checks)."""

    last_24h: float | None
    last_7d: float | None
    last_30d: float | None


class HourPoint(BaseModel):
    """One hour (UTC) of a service's checks."""

    hour: datetime
    checks: int
    uptime: float | None = Field(description="Percent of the hour's checks that found it healthy.")
    p50_ms: float | None = Field(description=f"Median response time of its healthy checks. {PERCENTILE_NOTE}")
    p95_ms: float | None = Field(description=f"95th percentile of the same. {PERCENTILE_NOTE}")


class ServiceView(BaseModel):
    """A service's health over time."""

    service_id: str
    slug: str | None
    name: str | None
    status: HealthStatusName = Field(description="As its newest check found it.")
    active: bool = Field(description="False once deactivated (until it is checked again).")
    uptime: UptimeView
    response_time_ms: Percentiles = Field(description="Response times of its healthy checks in the window.")
    series: list[HourPoint] = Field(description="Every hour of the window, oldest first.")


class ServicesDashboard(BaseModel):
    """Every service's uptime and response times."""

    window_hours: int = Field(description="The hours the series and response times cover, the current one included.")
    services: list[ServiceView]


class AtRiskService(BaseModel):
    """A service unhealthy long enough that the registry will deactivate it soon, unless it recovers."""

    service_id: str
    slug: str | None
    name: str | None
    unhealthy_since: datetime
    deactivates_at: datetime


class AtRiskServices(BaseModel):
    """The services whose deactivation is near, soonest first."""

    services: list[AtRiskService]
