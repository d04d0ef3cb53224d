"""Whether a service can take a caller's job now: the checks `POST /jobs` makes of a named service, of
each of several, and `auto` of each ranked one (and again before failing over to it, and a retry anew):
the residency rules, the service's state, the panel and build, the caller's token, and whether its
workflow takes the job's files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fip_core.problems import FieldProblem, UnprocessableError
from fip_core.wes_workflow import WesWorkflow
from jobs.logic import residency
from jobs.logic.ports import JobsAdapters

RESIDENCY = "residency_policy"  # the problem type of a refusal by a residency rule


def problem(location: str, message: str, kind: str = "job_rule") -> FieldProblem:
    """A broken rule of the jobs domain at `location` of the request."""
    return FieldProblem(location=location, message=message, type=kind)


def refuse(location: str, message: str, kind: str = "job_rule") -> UnprocessableError:
    """A 422 naming the one field to change."""
    return UnprocessableError(message, errors=[problem(location, message, kind)])


class Unusable(Exception):  # noqa: N818 - the outcome, in the domain's words
    """A service cannot take the job: `field` of the request is the one to change, `kind` the problem's type."""

    def __init__(self, field: str, message: str, kind: str = "job_rule") -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.kind = kind


@dataclass(frozen=True)
class Usable:
    """A service that can take the job, and its panel's name there."""

    service: dict[str, Any]
    panel: str


@dataclass(frozen=True)
class JobFiles:
    """What the checks of a service need of the job's files: how many, and their owner's narrowings of the
    residency policy (`residency.file_rules`)."""

    count: int
    narrowings: tuple[residency.Rule, ...] = ()

    @classmethod
    def of(cls, files: Sequence[dict[str, Any]]) -> JobFiles:
        """From the files domain's `inputs` answer about the job's files."""
        return cls(len(files), residency.file_rules(files))


def residency_rules(platform: dict[str, Any], files: JobFiles) -> tuple[residency.Rule, ...]:
    """Every rule a job's files are held to: the platform's policy as the registry answered it, then each
    file's narrowing."""
    return (residency.platform_rule(platform), *files.narrowings)


def residency_breach(service: dict[str, Any], files: JobFiles) -> str | None:
    """The rule sending the job's files to `service` (the registry's submission details) would break."""
    where = residency.Destination(str(service["id"]), service["name"], service.get("country"))
    return residency.breach(residency_rules(service["residency"], files), where)


def check_service(
    adapters: JobsAdapters, user_id: str, service_id: str, panel: str, build: str, files: JobFiles
) -> Usable:
    """The service and its panel's name there if it can take the caller's job now (inside the residency
    policy and every file's narrowing, active, healthy, the panel on the build, the caller's token stored
    where it needs one, a workflow that takes this many files); else `Unusable` saying why."""
    service = adapters.domains.service(service_id)
    if "error" in service:
        raise Unusable("service", "no such service: GET /services lists them")
    if (broken := residency_breach(service, files)) is not None:
        raise Unusable("service", f"outside the residency policy: {broken}", RESIDENCY)
    if not service["active"]:
        reason = service.get("deactivated_reason") or "an administrator deactivated it"
        raise Unusable("service", f"the service does not take jobs now ({reason}): choose another")
    if service["health_status"] != "healthy":
        raise Unusable("service", f"the service is {service['health_status']} now: try again later or choose another")
    workflow = service.get("workflow")
    if service["api_type"] == "ga4gh_wes" and not workflow:
        raise Unusable("service", "no workflow is set for this WES service, so it takes no jobs yet: choose another")
    if workflow and WesWorkflow.model_validate(workflow).takes_one_file and files.count != 1:
        raise Unusable(
            "file_ids",
            "this service's workflow takes one file a job: submit each file as its own job, or choose another",
        )
    panels = [p for p in service["panels"] if panel in (p["slug"], p["id"])]
    if not panels or not panels[0]["available"]:
        raise Unusable("panel", "the service offers no such panel: GET /services/{service_id}/panels lists them")
    if panels[0]["build"] != build:
        raise Unusable("build", f"the panel is on {panels[0]['build']}, not {build}: choose a panel of your build")
    if service["requires_user_token"] and "token" not in adapters.domains.credential(user_id, service["id"]):
        raise Unusable(
            "service",
            "the service needs your own token: store it with PUT /me/credentials/{service_id} and submit again",
        )
    return Usable(service, str(panels[0]["slug"]))


def job_files(adapters: JobsAdapters, user_id: str, file_ids: list[str]) -> JobFiles | None:
    """The job's files as the checks need them, asked of the files domain now (their narrowings may have
    changed since the job was made); None when the files domain did not answer."""
    answer = adapters.domains.inputs(user_id, file_ids, links=False)
    return None if "error" in answer else JobFiles.of(answer["files"])
