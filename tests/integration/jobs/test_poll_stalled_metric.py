"""The poll counts the jobs it leaves flagged stalled and reports them as the `JobsStalled` metric, the
one the operators' alarm watches: one while a job has had no news for too long, none once news comes."""

from __future__ import annotations

import pytest

from tests.support.cloudgene import RUNNING
from tests.support.jobs import poll, submit_pending


@pytest.fixture
def metrics(monkeypatch) -> dict[str, float]:
    """The last value the poll reported of each metric (Powertools' output is off in tests)."""
    from jobs.handlers.poll import obs

    reported: dict[str, float] = {}

    def add_metric(name: str, unit: str, value: float) -> None:
        reported[name] = value

    monkeypatch.setattr(obs.metrics, "add_metric", add_metric)
    return reported


def test_a_stalled_job_is_counted_while_it_stays_stalled(world, fake, clock, metrics, monkeypatch):
    from jobs.settings import jobs_settings

    monkeypatch.setenv("JOBS_STALLED_AFTER_MINUTES", "30")
    jobs_settings.cache_clear()
    job = world.submit()
    assert submit_pending(job["id"])["outcome"] == "submitted"
    external_id = world.job(job["id"])["external_id"]
    clock.advance(minutes=1)
    assert poll()["stalled"] == 0  # queued: news
    assert metrics["JobsStalled"] == 0

    clock.advance(minutes=40)
    assert poll()["stalled"] == 1
    assert metrics["JobsStalled"] == 1
    clock.advance(minutes=1)
    assert poll()["stalled"] == 1  # still no news: still counted, so the alarm stays raised
    assert metrics["JobsStalled"] == 1

    clock.advance(minutes=1)
    fake.run(external_id, ("Imputation", [(RUNNING, "chr20")]))
    assert poll()["stalled"] == 0
    assert metrics["JobsStalled"] == 0
