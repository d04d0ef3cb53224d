"""The platform's residency policy: read by everyone it binds, set by administrators, and handed to the
jobs domain with each service's submission details and each ranking (`residency_values`), so that every
check a job makes of a service reads the policy as it is at that moment."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fip_core.problems import FieldProblem, UnprocessableError
from fip_core.residency import ResidencyRules
from registry.dal.repository import RegistryRepository
from registry.domain import ResidencyPolicy as PolicyRecord
from registry.models.residency import ResidencyPolicy


def residency_values(policy: PolicyRecord) -> dict[str, Any]:
    """The policy's rules as the internal answers carry them (`registry.models.submission.Residency`)."""
    return {"allowed_countries": list(policy.allowed_countries), "allowed_services": list(policy.allowed_services)}


def residency_policy(policy: PolicyRecord) -> ResidencyPolicy:
    """The policy as the API shows it."""
    return ResidencyPolicy.model_validate(
        residency_values(policy) | {"updated_at": policy.updated_at, "updated_by": policy.updated_by}
    )


def read_policy(repo: RegistryRepository) -> ResidencyPolicy:
    """The policy in force (unrestricted if no administrator has set one)."""
    return residency_policy(repo.residency.get())


def set_policy(repo: RegistryRepository, rules: ResidencyRules, by: str, now: datetime) -> ResidencyPolicy:
    """Replace the policy; every service it names must be registered (a 422 naming each one that is not)."""
    problems = [
        FieldProblem(
            location=f"body.allowed_services.{index}",
            message=f"no service with id {service_id} is registered: GET /services lists them",
            type="unknown_service",
        )
        for index, service_id in enumerate(rules.allowed_services)
        if repo.services.get(str(service_id)) is None
    ]
    if problems:
        raise UnprocessableError("the policy names services the registry does not hold", errors=problems)
    countries = list(rules.allowed_countries)
    services = [str(service_id) for service_id in rules.allowed_services]
    return residency_policy(repo.residency.replace(countries, services, now, by))
