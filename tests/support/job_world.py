"""A platform with one Cloudgene service (a contract fake on loopback) registered as an admin would, two
researchers, a validated file of the first and her token for the service stored: for the tests of
submitting, polling, cancelling and collecting jobs in process."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import update

from fip_core.access import Grant, Principal, Role
from registry.dal.tables import ServiceRow
from registry.dal.unit_of_work import registry_repository
from tests.support.accounts import sign_up
from tests.support.api import invoke_api
from tests.support.files import S3Events, deliver, upload

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "vcf" / "chr20.tiny.100snps.vcf.gz"
HRC = {"slug": "apps@hrc-r1.1", "display_name": "HRC r1.1", "build": "hg19", "populations": ["EUR"]}
ALICES_TOKEN = "alices-cloudgene-token"
BOBS_TOKEN = "bobs-cloudgene-token"


@dataclass
class JobWorld:
    """What the tests submit with."""

    service: str
    file: str
    alice: Principal
    bob: Principal
    s3_events: S3Events

    def body(self, **changes: Any) -> dict[str, Any]:
        """A valid `POST /jobs` body of alice's."""
        body = {"name": "chr20", "service": self.service, "panel": "apps@hrc-r1.1", "build": "hg19",
                "phasing": "eagle", "mode": "imputation", "file_ids": [self.file]}  # fmt: skip
        return body | changes

    def submit(self, key: str = "key-1", caller: Principal | None = None, **changes: Any) -> dict[str, Any]:
        """A job accepted by `POST /jobs` (201)."""
        answer = invoke_api(
            "POST", "/jobs", body=self.body(**changes), headers={"Idempotency-Key": key}, principal=caller or self.alice
        )
        assert answer.status == 201, answer.body
        return dict(answer.body)

    def job(self, job_id: str, caller: Principal | None = None) -> dict[str, Any]:
        """`GET /jobs/{id}` as alice (or `caller`)."""
        answer = invoke_api("GET", f"/jobs/{job_id}", principal=caller or self.alice)
        assert answer.status == 200, answer.body
        return dict(answer.body)


def researcher() -> Principal:
    """A signed-up user (the users domain keeps credentials of known users only), as a principal."""
    return Principal(user_id=sign_up().user_id, method="cognito", grants=[Grant(role=Role.RESEARCHER)])


def set_health(service_id: str, status: str, **found: Any) -> None:
    """The registry's last health check found the service so (and found its `queue_load`, say)."""
    with registry_repository() as repo:
        statement = update(ServiceRow).where(ServiceRow.id == service_id)
        repo.session.execute(statement.values(health_status=status, **found))


def add_service(base_url: str, slug: str, callers: dict[str, Principal]) -> str:
    """A Cloudgene service at `base_url` registered as an admin would, healthy, with one panel, and each
    caller's token (by token) stored for it; its id."""
    service = {"name": f"Cloudgene {slug}", "slug": slug, "api_type": "michigan", "base_url": base_url,
               "requires_user_token": True, "supported_builds": ["hg19", "hg38"]}  # fmt: skip
    created = invoke_api("POST", "/services", body=service)
    assert created.status == 201, created.body
    service_id = str(created.body["id"])
    invoke_api("POST", f"/services/{service_id}/panels", body=HRC)
    set_health(service_id, "healthy")
    for token, caller in callers.items():
        stored = invoke_api("PUT", f"/me/credentials/{service_id}", body={"token": token}, principal=caller)
        assert stored.status in (200, 201), stored.body
    return service_id


def job_world(platform: Any, base_url: str) -> JobWorld:
    """The service at `base_url` registered and healthy with one panel; alice's file validated; alice's and
    bob's tokens stored."""
    s3_events = S3Events(platform).start()
    alice, bob = researcher(), researcher()
    service_id = add_service(base_url, "cloudgene", {ALICES_TOKEN: alice, BOBS_TOKEN: bob})
    valid = upload(alice, "chr20.vcf.gz", SAMPLE.read_bytes(), build="hg19")
    assert deliver(s3_events.take()) == ["validated"]
    return JobWorld(service_id, valid, alice, bob, s3_events)
