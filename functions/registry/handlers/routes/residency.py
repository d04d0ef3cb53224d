"""Routes of the platform's residency policy: everyone signed in reads the rules that bind their data,
administrators set them (audited)."""

from __future__ import annotations

from fip_core.http import answers, current_principal, route_group
from fip_core.residency import ResidencyRules
from registry.dal.unit_of_work import registry_reading, registry_repository
from registry.handlers.routes.common import RESIDENCY, audit
from registry.handlers.wiring import utc_now
from registry.logic import residency
from registry.models.residency import ResidencyPolicy

router = route_group()


@router.get(
    "/residency-policy",
    summary="The platform's residency policy",
    description="The countries and services users' genotype files may be sent to; an empty list leaves that "
    "axis unrestricted. A user narrows it per file (`PUT /files/{file_id}/residency`); jobs never go outside it.",
    tags=[RESIDENCY],
    responses=answers(200, ResidencyPolicy),
)
def get_residency_policy() -> ResidencyPolicy:
    with registry_reading() as repo:
        return residency.read_policy(repo)


@router.put(
    "/residency-policy",
    summary="Set the platform's residency policy",
    description="Replaces the policy whole. Every service named must be registered. Jobs already accepted are "
    "held to the new policy when they are failed over or retried.",
    tags=[RESIDENCY],
    responses=answers(200, ResidencyPolicy, 403),
)
def set_residency_policy(body: ResidencyRules) -> ResidencyPolicy:
    principal = current_principal(router)
    with registry_repository() as repo:
        policy = residency.set_policy(repo, body, principal.user_id, utc_now())
        details = {
            "allowed_countries": policy.allowed_countries,
            "allowed_services": [str(service_id) for service_id in policy.allowed_services],
        }
        audit(router, repo, "residency_policy_set", "residency_policy", "platform", details)
    return policy
