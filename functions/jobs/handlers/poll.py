"""The scheduled poll (every minute): the active jobs that are due, asked of their services concurrently
(at most `JOBS_POLL_CONCURRENCY_PER_SERVICE` calls to one service at a time), their transitions applied;
the pending jobs that are due (waiting for their service, or whose event was lost) submitted."""

from __future__ import annotations

from typing import Any

from fip_core.observability import observability
from fip_core.tasks import task_handler
from jobs import DOMAIN

obs = observability(DOMAIN)


def poll(_event: dict[str, Any]) -> dict[str, Any]:
    """Run one poll and report it in logs and metrics."""
    from fip_core.outbound.loop import run
    from jobs.handlers.wiring import jobs_adapters
    from jobs.logic.polling import poll_pass
    from jobs.logic.submission import Timings
    from jobs.settings import jobs_settings

    settings = jobs_settings()
    report = run(
        poll_pass(
            jobs_adapters(),
            Timings.of(settings),
            cap=settings.poll_concurrency_per_service,
            limit=settings.poll_batch,
            output_attempts=settings.output_attempts,
        )
    )
    obs.logger.info("jobs polled", extra=report.as_dict())
    obs.metrics.add_metric(name="JobsPolled", unit="Count", value=report.polled)
    obs.metrics.add_metric(name="JobTransitions", unit="Count", value=report.transitions)
    # every active job is polled each interval, stalled or not: this is how many are stalled now
    obs.metrics.add_metric(name="JobsStalled", unit="Count", value=report.stalled)
    obs.metrics.add_metric(name="PollSeconds", unit="Seconds", value=report.wall_seconds)
    return report.as_dict()


handler = task_handler(obs, poll)
