"""POST /services/{id}/panels/sync against a Cloudgene contract fake and a simulated WES node, through
the outbound client: panels added, updated and marked unavailable, the sync audited, the token kept out
of everything the platform writes."""

import json
from typing import Any

import pytest

from local_platform.aws import free_port
from tests.support.api import invoke_api
from tests.support.cloudgene import CloudgeneFake, reference_panel_app

pytestmark = pytest.mark.usefixtures("registry_db", "event_bus", "outbound_to_loopback")

ADMIN_TOKEN = "eyJ-cloudgene-admin-token"  # a fake server's token
USER_TOKEN = "eyJ-cloudgene-user-token"
KGP = reference_panel_app(
    "1000g-phase-3-v5", "1000G Phase 3 v5", "hg19",
    [("afr", "AFR", 661), ("eur", "EUR", 503), ("mixed", "Other/Mixed", -1)],
)  # fmt: skip
H3A = reference_panel_app("h3africa-v6hc-s@1.0.0", "H3Africa v6", "hg38", [("afr", "AFR", 4447)])
NO_BUILD = {**KGP, "id": "no-build", "source": str(KGP["source"]).replace("  build: hg19\n", "")}


@pytest.fixture
def server():
    with CloudgeneFake({ADMIN_TOKEN: "admin", USER_TOKEN: "ada"}, admins=frozenset({"admin"})) as fake:
        yield fake


def register(base_url: str, api_type: str = "michigan") -> str:
    body = {"name": "Server", "slug": "server", "api_type": api_type, "base_url": base_url}
    return str(invoke_api("POST", "/services", body=body).body["id"])


def add_panel(service_id: str, slug: str, **fields: object) -> dict[str, Any]:
    body = {"slug": slug, "display_name": slug, "build": "hg19", **fields}
    answer = invoke_api("POST", f"/services/{service_id}/panels", body=body)
    assert answer.status == 201, answer.body
    return dict(answer.body)


def sync(service_id: str, token: str | None = ADMIN_TOKEN):
    return invoke_api("POST", f"/services/{service_id}/panels/sync", body={} if token is None else {"token": token})


def panels(service_id: str) -> dict[str, dict[str, Any]]:
    return {p["slug"]: p for p in invoke_api("GET", f"/services/{service_id}/panels").body["items"]}


def test_a_sync_adds_updates_and_withdraws_panels_and_is_audited(server, event_bus):
    server.apps += [KGP, H3A, NO_BUILD]
    service_id = register(server.base_url)
    plain = add_panel(service_id, "1000g-phase-3-v5", populations=["afr"], is_available=False)
    stale = add_panel(service_id, "apps@hapmap-2")
    event_bus.captured_events()  # forget what registering said
    answer = sync(service_id)
    assert answer.status == 200, answer.body
    report = answer.body
    assert report["source"] == "Cloudgene app list (GET /api/v2/server/apps)"
    assert [panel["slug"] for panel in report["added"]] == ["apps@h3africa-v6hc-s@1.0.0"]
    assert report["updated"] == [
        {"id": plain["id"], "slug": "1000g-phase-3-v5",
         "fields": ["display_name", "is_available", "populations", "sample_count"]},
    ]  # fmt: skip
    assert report["marked_unavailable"] == [{"id": stale["id"], "slug": "apps@hapmap-2", "fields": ["is_available"]}]
    assert report["skipped"] == [{"name": "no-build", "reason": "its cloudgene.yaml names no build hg19 or hg38"}]
    now = panels(service_id)
    assert set(now) == {"1000g-phase-3-v5", "apps@hapmap-2", "apps@h3africa-v6hc-s@1.0.0"}  # nothing deleted
    assert (now["1000g-phase-3-v5"]["is_available"], now["1000g-phase-3-v5"]["sample_count"]) == (True, 1164)
    assert now["1000g-phase-3-v5"]["populations"] == ["afr", "eur", "mixed"]
    assert now["apps@hapmap-2"]["is_available"] is False
    assert (now["apps@h3africa-v6hc-s@1.0.0"]["build"], now["apps@h3africa-v6hc-s@1.0.0"]["populations"]) == (
        "hg38", ["afr"],
    )  # fmt: skip
    [audited] = [e["detail"]["data"] for e in event_bus.captured_events("AuditRecorded")]
    assert (audited["action"], audited["target_type"], audited["target_id"]) == ("panels_synced", "service", service_id)
    assert audited["details"]["counts"] == {"added": 1, "updated": 1, "marked_unavailable": 1, "skipped": 1}
    assert audited["details"]["added"] == ["apps@h3africa-v6hc-s@1.0.0"]
    [request] = [r for r in server.requests if r[1] == "/api/v2/server/apps"]
    assert request[2]["X-Auth-Token"] == ADMIN_TOKEN  # sent to the server, and nowhere else:
    assert ADMIN_TOKEN not in json.dumps(audited)
    assert ADMIN_TOKEN not in json.dumps(report)


def test_a_second_sync_changes_nothing(server):
    server.apps += [KGP]
    service_id = register(server.base_url)
    assert [p["slug"] for p in sync(service_id).body["added"]] == ["apps@1000g-phase-3-v5"]
    again = sync(service_id).body
    assert (again["added"], again["updated"], again["marked_unavailable"]) == ([], [], [])
    assert again["unchanged"] == ["apps@1000g-phase-3-v5"]


def test_a_panel_the_server_disables_or_removes_is_marked_unavailable_not_deleted(server):
    server.apps += [KGP, H3A]
    service_id = register(server.base_url)
    sync(service_id)
    server.apps[1] = {**KGP, "enabled": False}
    del server.apps[2]
    report = sync(service_id).body
    assert report["updated"][0]["slug"] == "apps@1000g-phase-3-v5"
    assert report["updated"][0]["fields"] == ["is_available"]
    assert [change["slug"] for change in report["marked_unavailable"]] == ["apps@h3africa-v6hc-s@1.0.0"]
    assert {slug: p["is_available"] for slug, p in panels(service_id).items()} == {
        "apps@1000g-phase-3-v5": False, "apps@h3africa-v6hc-s@1.0.0": False,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("token", "says"),
    [
        (None, "the API token of one of its admins"),
        ("not-a-token", "refused this token (HTTP 401)"),
        (USER_TOKEN, "not an admin of that server (HTTP 403)"),
    ],
)
def test_a_missing_refused_or_non_admin_token_is_a_422_on_the_token(server, token, says):
    server.apps += [KGP]
    service_id = register(server.base_url)
    answer = sync(service_id, token)
    assert answer.status == 422, answer.body
    [problem] = answer.body["errors"]
    assert problem["location"] == "body.token"
    assert says in problem["message"]
    assert panels(service_id) == {}  # nothing half-written
    if token is None:
        assert not any(r[1] == "/api/v2/server/apps" for r in server.requests)  # not asked without a token


def test_a_server_that_does_not_answer_is_a_502_saying_so():
    service_id = register(f"http://127.0.0.1:{free_port()}")
    answer = sync(service_id)
    assert answer.status == 502, answer.body
    assert answer.body["detail"] == "what the service offers could not be read (refused); try again later"


def test_a_wes_node_reports_its_workflows_and_no_panel_changes(simulated):
    service_id = register(simulated.url("wes", 50), api_type="ga4gh_wes")
    add_panel(service_id, "imputation-1kg")
    report = sync(service_id, None).body
    assert report["source"] == "WES service-info (workflow_type_versions)"
    assert report["workflow_type_versions"]
    assert report["workflow_engine_versions"] is not None
    assert (report["added"], report["updated"], report["marked_unavailable"]) == ([], [], [])
    assert report["unchanged"] == ["imputation-1kg"]
    refused = sync(service_id, "a-token")
    assert refused.status == 422
    assert refused.body["errors"][0]["location"] == "body.token"


def test_an_unknown_service_is_a_404():
    answer = invoke_api("POST", "/services/00000000-0000-4000-8000-000000000000/panels/sync", body={"token": "x"})
    assert answer.status == 404
