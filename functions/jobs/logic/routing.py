"""`auto`: the service a job runs on, chosen from the registry's ranking (its declared `discover`
function, the ranking of `GET /services/discover`), and the next one when a service refuses it.

The ranking is first held to the residency rules (the platform's policy, which the registry answers with
the ranking, and each file's narrowing): a service outside them is skipped with the rule it breaks, so
neither the choice nor a failover can reach it. Then every ranked service is checked as an explicitly
named one is (inside the rules as they are now, active, healthy, the panel on the build, the caller's
token stored where needed, a workflow taking the job's files); the job goes to the best one that passes,
and the ranking with each service's reasons, or why it was skipped, is kept on the job. When the chosen
service refuses the submission (a refusal, not a wait: `logic/submission.py`), the refusal is recorded
and the job moves, still pending, to the next service in the ranking that still passes the checks (a
history entry and its `JobStatusChanged`, whose `pending` submits it there); it fails, with every
service's reason, only when none is left.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jobs.domain import JobRecord, JobStatus
from jobs.logic import eligibility, lifecycle, residency
from jobs.logic.eligibility import refuse
from jobs.logic.ports import JobsAdapters
from jobs.models.jobs import JobCreate

OUTSIDE = "outside the residency policy"  # how a ranked service the rules exclude is skipped


@dataclass(frozen=True)
class Choice:
    """The service `auto` chose, and what the job keeps of the choice (`jobs.models.jobs.Routing`)."""

    usable: eligibility.Usable
    record: dict[str, Any]


def choose(adapters: JobsAdapters, user_id: str, body: JobCreate, files: eligibility.JobFiles) -> Choice:
    """The best-ranked service inside the residency rules that can take the caller's job now; a 422 with
    every service's reason when none can, saying so when the residency rules left none."""
    ranking = adapters.domains.discover(body.panel, body.build)
    if "error" in ranking:
        raise refuse("body.panel", f"the registry cannot rank services for this panel: {ranking.get('detail')}")
    rules = eligibility.residency_rules(ranking["residency"], files)
    if residency.effective(rules).nowhere:
        raise refuse("body.service", f"no service is inside the residency policy: {residency.nowhere_reason(rules)}",
                     eligibility.RESIDENCY)  # fmt: skip
    entries: list[dict[str, Any]] = []
    chosen: eligibility.Usable | None = None
    for ranked in ranking["services"]:
        entry = {
            "service_id": ranked["service_id"],
            "name": ranked["name"],
            "rank": ranked["rank"],
            "score": ranked["score"],
            "panel": ranked["panel"]["slug"],
            "reasons": [reason["detail"] for reason in ranked["reasons"] if reason["weight"] > 0],
            "skipped": ranked["ranked_out"],
        }
        where = residency.Destination(str(ranked["service_id"]), ranked["name"], ranked["country"])
        if (broken := residency.breach(rules, where)) is not None:
            entry["skipped"] = f"{OUTSIDE}: {broken}"
        if entry["skipped"] is None and chosen is None:
            try:
                chosen = eligibility.check_service(
                    adapters, user_id, entry["service_id"], entry["panel"], body.build, files
                )
            except eligibility.Unusable as unusable:
                entry["skipped"] = unusable.message
        entries.append(entry)
    if chosen is None and entries and all(str(entry["skipped"]).startswith(OUTSIDE) for entry in entries):
        why = "; ".join(f"{entry['name']}: {entry['skipped'].removeprefix(OUTSIDE + ': ')}" for entry in entries)
        raise refuse(
            "body.service",
            f"no service inside the residency policy offers this panel on this build ({why}): name a service "
            "inside it, or ask an administrator",
            eligibility.RESIDENCY,
        )
    if chosen is None:
        why = "; ".join(f"{entry['name']}: {entry['skipped']}" for entry in entries)
        raise refuse(
            "body.service",
            f"no service can take this job now ({why or 'no active service offers the panel on this build'}): "
            "GET /services/discover ranks them",
        )
    return Choice(chosen, {"ranking": entries, "attempts": []})


def fail_over(adapters: JobsAdapters, job: JobRecord, why: str) -> bool:
    """After the job's service refused it (`why`): move the pending `auto` job to the next service of its
    ranking that can take it (True), or fail it with every attempt's reason when none is left (False).
    The services are asked before the transaction that records the outcome."""
    now = adapters.clock()
    record = dict(job.routing or {"ranking": [], "attempts": []})
    attempts = [*record["attempts"], _attempt(job.service_id, job.service_name, now, why)]
    files = eligibility.job_files(adapters, job.user_id, job.file_ids)
    usable = _next_usable(adapters, job, candidates_left(record["ranking"], attempts), files, attempts, now)
    if usable is not None:
        service = usable.service
        with adapters.transaction() as repo:
            lifecycle.reroute(
                repo,
                job,
                now,
                f"{job.service_name} refused the job ({why}): trying {service['name']}, next in the ranking",
                service_id=str(service["id"]),
                service_name=service["name"],
                api_type=service["api_type"],
                panel=usable.panel,
                routing=record | {"attempts": attempts},
                waiting_reason=None,
                next_poll_at=now,
            )
        return True
    everything = "; ".join(f"{attempt['service_name']}: {attempt['refused']}" for attempt in attempts)
    if files is None:  # the files' residency rules cannot be read, so no other service may be tried
        everything += "; no other service was tried: the files domain did not answer about the job's files"
    with adapters.transaction() as repo:
        lifecycle.transition(
            repo,
            job,
            JobStatus.FAILED,
            now,
            "every service ranked for the job refused it",
            error=f"no service took the job: {everything}",
            routing=record | {"attempts": attempts},
        )
    return False


def _next_usable(
    adapters: JobsAdapters,
    job: JobRecord,
    candidates: list[dict[str, Any]],
    files: eligibility.JobFiles | None,
    attempts: list[dict[str, Any]],
    now: datetime,
) -> eligibility.Usable | None:
    """The first candidate that passes every check now, each one passed over added to `attempts`; None when
    none does, or when the job's files could not be read (their residency rules unknown, none may be tried)."""
    if files is None:
        return None
    for entry in candidates:
        try:
            return eligibility.check_service(
                adapters, job.user_id, entry["service_id"], entry["panel"], job.build, files
            )
        except eligibility.Unusable as unusable:
            attempts.append(_attempt(entry["service_id"], entry["name"], now, f"not tried: {unusable.message}"))
    return None


def candidates_left(ranking: list[dict[str, Any]], attempts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ranked services a job may still be sent to, best first: neither skipped at its creation nor tried."""
    tried = {attempt["service_id"] for attempt in attempts}
    return [entry for entry in ranking if entry["skipped"] is None and entry["service_id"] not in tried]


def _attempt(service_id: str, name: str, at: datetime, refused: str) -> dict[str, Any]:
    return {"service_id": service_id, "service_name": name, "at": at.isoformat(), "refused": refused}
