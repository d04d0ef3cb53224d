"""A WES service's workflow in the registry, on SQLite and PostgreSQL: set, read, changed and cleared
through the admin API with 4xx problems for what cannot be run, audited, answered to the jobs domain by
the `submission` function, and a WES service without one ranked out of discovery with the reason."""

import json

import pytest

from local_platform.events import lambda_context
from registry.handlers.submission import handler as submission
from registry.models.common import HealthStatus
from tests.integration.test_discover_api import KGP, add_panel, checked, discover
from tests.support.api import invoke_api

pytestmark = pytest.mark.usefixtures("registry_db", "event_bus")

WORKFLOW = {
    "workflow_url": "impute.cwl",
    "workflow_type": "CWL",
    "workflow_type_version": "v1.2",
    "workflow_engine": "cwltool",
    "params_template": {"vcf": "{{file}}", "panel": "{{panel}}", "r2": "{{r2_filter}}"},
    "attachments": {"impute.cwl": "cwlVersion: v1.2\nclass: CommandLineTool\n"},
}
WES = {"name": "Node", "slug": "node", "api_type": "ga4gh_wes", "base_url": "https://wes.example.org/ga4gh/wes/v1"}
MICHIGAN = {"name": "Mich", "slug": "mich", "api_type": "michigan", "base_url": "https://imputation.example.org"}


def register(body):
    answer = invoke_api("POST", "/services", body=body)
    assert answer.status == 201, answer.body
    return answer.body


def problems(answer):
    assert answer.status == 422, answer.body
    return " ".join(f"{error['location']}: {error['message']}" for error in answer.body["errors"])


def test_a_wes_service_is_registered_with_its_workflow_and_read_back(event_bus):
    service = register({**WES, "workflow": WORKFLOW})
    assert service["workflow"]["params_template"] == WORKFLOW["params_template"]
    read = invoke_api("GET", f"/services/{service['id']}").body
    assert read["workflow"] == {
        **WORKFLOW, "workflow_engine_version": None, "workflow_engine_parameters": {}, "tags": {},
    }  # fmt: skip
    listed = invoke_api("GET", "/services").body["items"]
    assert listed[0]["workflow"] == read["workflow"]
    [created] = event_bus.captured_events("AuditRecorded")
    assert created["detail"]["data"]["details"]["workflow"] == {
        "workflow_url": "impute.cwl", "workflow_type": "CWL", "workflow_type_version": "v1.2",
    }  # fmt: skip


def test_the_submission_function_answers_the_workflow_and_the_api_root():
    service = register({**WES, "workflow": WORKFLOW})
    answer = dict(submission({"service_id": service["id"]}, lambda_context("registry-submission")))
    assert answer["workflow"] == service["workflow"]
    assert answer["api_url"] == "https://wes.example.org/ga4gh/wes/v1"
    bare = register({**WES, "slug": "bare"})
    assert dict(submission({"service_id": bare["id"]}, lambda_context("registry-submission")))["workflow"] is None
    michigan = register(MICHIGAN)
    answer = dict(submission({"service_id": michigan["id"]}, lambda_context("registry-submission")))
    assert (answer["workflow"], answer["api_url"]) == (None, "https://imputation.example.org/api/v2")


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"params_template": {"panel": "{{panel}}"}}, "must place the input files"),
        ({"params_template": {"vcf": "{{file}}", "x": "{{secret}}"}}, "unknown placeholder {{secret}}"),
        ({"params_template": {"vcf": "{{file}}", "x": "{{panel}}-{{build}}"}}, "a placeholder is a whole string"),
        ({"workflow_url": "missing.cwl"}, "neither a URL"),
        ({"workflow_type": ""}, "workflow.workflow_type"),
        ({"attachments": {"../impute.cwl": "x"}, "workflow_url": "https://example.org/w.cwl"}, "attachments"),
        ({"script": "rm -rf /"}, "workflow.script"),
    ],
)
def test_a_workflow_that_cannot_be_run_is_a_422_naming_the_field(change, says):
    answer = invoke_api("POST", "/services", body={**WES, "workflow": {**WORKFLOW, **change}})
    assert says in problems(answer)
    assert "body.workflow" in problems(answer)
    assert invoke_api("GET", "/services").body["total"] == 0


def test_a_cloudgene_service_has_no_workflow():
    says = problems(invoke_api("POST", "/services", body={**MICHIGAN, "workflow": WORKFLOW}))
    assert "a michigan service runs no WES workflow" in says
    service = register({**WES, "workflow": WORKFLOW})
    moved = invoke_api("PATCH", f"/services/{service['id']}", body={"api_type": "michigan"})
    assert "body.workflow" in problems(moved)
    assert invoke_api("GET", f"/services/{service['id']}").body["api_type"] == "ga4gh_wes"
    michigan = register(MICHIGAN)
    assert "body.workflow" in problems(invoke_api("PATCH", f"/services/{michigan['id']}", body={"workflow": WORKFLOW}))
    both = invoke_api("PATCH", f"/services/{service['id']}", body={"api_type": "michigan", "workflow": None})
    assert (both.status, both.body["api_type"], both.body["workflow"]) == (200, "michigan", None)


def test_a_workflow_is_set_changed_and_cleared_and_each_change_audited(event_bus):
    service = register(WES)
    assert service["workflow"] is None
    event_bus.captured_events()
    url = f"/services/{service['id']}"
    single = {**WORKFLOW, "params_template": {"vcfs": "{{file_urls}}", "build": "{{build}}"}}
    answer = invoke_api("PATCH", url, body={"workflow": single})
    assert answer.status == 200, answer.body
    assert invoke_api("GET", url).body["workflow"]["params_template"] == single["params_template"]
    described = invoke_api("PATCH", url, body={"description": "kept"})
    assert described.body["workflow"]["params_template"] == single["params_template"]
    cleared = invoke_api("PATCH", url, body={"workflow": None})
    assert (cleared.status, cleared.body["workflow"]) == (200, None)
    audited = [e["detail"]["data"]["details"] for e in event_bus.captured_events("AuditRecorded")]
    assert [details.get("workflow", "unchanged") for details in audited] == [
        {"workflow_url": "impute.cwl", "workflow_type": "CWL", "workflow_type_version": "v1.2"},
        "unchanged",
        None,
    ]
    assert json.dumps(audited).count("cwlVersion") == 0  # the document itself is not copied into the audit log


def test_a_wes_service_without_a_workflow_is_ranked_out_of_discovery_saying_why():
    bare = register(WES)["id"]
    ready = register({**WES, "slug": "ready", "workflow": WORKFLOW})["id"]
    for service_id in (bare, ready):
        add_panel(service_id)
        checked(service_id, HealthStatus.HEALTHY)
    services = {s["slug"]: s["ranked_out"] for s in discover(panel=KGP, build="hg19").body["services"]}
    assert services == {
        "node": "no workflow is set for this WES service: it takes no jobs until an administrator sets one",
        "ready": None,
    }
