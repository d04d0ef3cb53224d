"""`auto` chooses from the registry's ranking what every check lets through: a WES service whose workflow
takes one file a job is ranked out of a job of two files with the reason (not chosen and then refused),
and a service outside the residency rules is skipped with the rule it breaks."""

from __future__ import annotations

from typing import Any, cast

import pytest

from fip_core.problems import UnprocessableError
from jobs.logic.eligibility import JobFiles
from jobs.logic.ports import JobsAdapters
from jobs.logic.residency import Rule
from jobs.logic.routing import choose
from jobs.models.jobs import JobCreate

PANEL = {"id": "00000000-0000-4000-8000-000000000001", "slug": "apps@hrc-r1.1", "build": "hg19",
         "populations": ["EUR"], "available": True}  # fmt: skip
ONE_FILE = {"workflow_url": "https://example.org/impute.cwl", "workflow_type": "CWL", "workflow_type_version": "v1.2",
            "params_template": {"vcf": "{{file}}"}}  # fmt: skip
UNRESTRICTED: dict[str, list[str]] = {"allowed_countries": [], "allowed_services": []}


class Domains:
    """The registry's answers: a ranking of a WES node (best) and a Cloudgene server, and their details."""

    def __init__(self, residency: dict[str, list[str]]) -> None:
        self.residency = residency
        self.services = {
            "wes": self._service("wes", "WES node", "ga4gh_wes", "ZA", ONE_FILE),
            "cloudgene": self._service("cloudgene", "Cloudgene", "michigan", "NG", None),
        }

    def _service(self, service_id: str, name: str, api_type: str, country: str, workflow: Any) -> dict[str, Any]:
        return {"id": service_id, "name": name, "api_type": api_type, "active": True, "health_status": "healthy",
                "requires_user_token": False, "panels": [PANEL], "workflow": workflow, "country": country,
                "residency": self.residency}  # fmt: skip

    def discover(self, panel: str, build: str) -> dict[str, Any]:
        ranked = [
            {"service_id": s["id"], "name": s["name"], "rank": rank, "score": 90.0 - rank, "panel": PANEL,
             "reasons": [], "ranked_out": None, "country": s["country"]}
            for rank, s in enumerate(self.services.values(), 1)
        ]  # fmt: skip
        return {"services": ranked, "residency": self.residency}

    def service(self, service_id: str) -> dict[str, Any]:
        return self.services[service_id]


def adapters(domains: Domains) -> JobsAdapters:
    return cast(JobsAdapters, type("Adapters", (), {"domains": domains})())


BODY = JobCreate.model_validate(
    {"name": "two", "service": "auto", "panel": "apps@hrc-r1.1", "build": "hg19", "phasing": "eagle",
     "mode": "imputation", "file_ids": ["00000000-0000-4000-8000-00000000000a", "00000000-0000-4000-8000-00000000000b"]}
)  # fmt: skip


def test_a_one_file_workflow_is_ranked_out_of_a_job_of_two_files_with_the_reason():
    choice = choose(adapters(Domains(UNRESTRICTED)), "alice", BODY, JobFiles(2))
    assert choice.usable.service["id"] == "cloudgene"
    skipped = {entry["service_id"]: entry["skipped"] for entry in choice.record["ranking"]}
    assert skipped["wes"].startswith("this service's workflow takes one file a job")
    assert skipped["cloudgene"] is None
    one = choose(adapters(Domains(UNRESTRICTED)), "alice", BODY.model_copy(update={"file_ids": BODY.file_ids[:1]}),
                 JobFiles(1))  # fmt: skip
    assert one.usable.service["id"] == "wes"


def test_a_service_outside_the_rules_is_skipped_naming_the_rule_and_none_left_is_a_residency_422():
    choice = choose(adapters(Domains({"allowed_countries": ["ZA"], "allowed_services": []})), "alice", BODY,
                    JobFiles(1))  # fmt: skip
    skipped = {entry["service_id"]: entry["skipped"] for entry in choice.record["ranking"]}
    assert choice.usable.service["id"] == "wes"
    assert skipped["cloudgene"] == (
        "outside the residency policy: the platform's residency policy allows data only to ZA: Cloudgene is in NG"
    )
    narrowed = JobFiles(2, (Rule("file f1", services=frozenset({"wes"})),))
    with pytest.raises(UnprocessableError) as refused:
        choose(adapters(Domains(UNRESTRICTED)), "alice", BODY, narrowed)  # wes takes one file, cloudgene is outside
    assert [error.location for error in refused.value.errors or []] == ["body.service"]
    assert "file f1 may go only to services wes" in str(refused.value)
