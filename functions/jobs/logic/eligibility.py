"""Whether a service can take a caller's job now: the checks `POST /jobs` makes of a named service, of
each of several, and `auto` of each ranked one (and again before failing over to it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fip_core.problems import FieldProblem, UnprocessableError
from jobs.logic.ports import JobsAdapters


def problem(location: str, message: str) -> FieldProblem:
    """A broken rule of the jobs domain at `location` of the request."""
    return FieldProblem(location=location, message=message, type="job_rule")


def refuse(location: str, message: str) -> UnprocessableError:
    """A 422 naming the one field to change."""
    return UnprocessableError(message, errors=[problem(location, message)])


class Unusable(Exception):  # noqa: N818 - the outcome, in the domain's words
    """A service cannot take the job: `field` of the request is the one to change."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Usable:
    """A service that can take the job, and its panel's name there."""

    service: dict[str, Any]
    panel: str


def check_service(adapters: JobsAdapters, user_id: str, service_id: str, panel: str, build: str) -> Usable:
    """The service and its panel's name there if it can take the caller's job now (active, healthy, the
    panel on the build, the caller's token stored where it needs one); else `Unusable` saying why."""
    service = adapters.domains.service(service_id)
    if "error" in service:
        raise Unusable("service", "no such service: GET /services lists them")
    if not service["active"]:
        reason = service.get("deactivated_reason") or "an administrator deactivated it"
        raise Unusable("service", f"the service does not take jobs now ({reason}): choose another")
    if service["health_status"] != "healthy":
        raise Unusable("service", f"the service is {service['health_status']} now: try again later or choose another")
    if service["api_type"] == "ga4gh_wes" and not service.get("workflow"):
        raise Unusable("service", "no workflow is set for this WES service, so it takes no jobs yet: choose another")
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
