"""Every route of every domain, called by every kind of caller, through the real authorizer.

Who gets through each route is written out below, caller by caller, not worked out from the access
rule under test: a route added to a declaration without a line here fails, and so does a rule
changed without review. A caller let through must get the route's documented success status or a
documented 4xx (the `responses` of its operation in the platform's OpenAPI document), never 401,
403 or a 5xx; anybody else gets API Gateway's 401 (no token) or 403 (a refused token, a role or a
signed-in session missing).

The callers: nobody; a disabled account; a viewer; a researcher and the researcher's personal API
token; an account whose admin grant expired; a service admin of service A; a service admin of every
service (unscoped); an admin and the admin's API token."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from fip_core.access import Access, Role
from infra.domains import DOMAINS
from local_platform.openapi import platform_openapi
from tests.support.accounts import grant, sign_up
from tests.support.api import invoke_api
from users.dal.tables import RoleGrantRow
from users.dal.unit_of_work import users_repository

pytestmark = pytest.mark.usefixtures("platform")

CALLERS = (
    "anonymous", "disabled", "viewer", "researcher", "researcher_api_token", "expired_admin",
    "service_admin_of_a", "service_admin_everywhere", "admin", "admin_api_token",
)  # fmt: skip
EVERYONE = frozenset(CALLERS)
SIGNED_IN = EVERYONE - {"anonymous", "disabled"}
SESSIONS = SIGNED_IN - {"researcher_api_token", "admin_api_token"}
ADMINS = frozenset({"admin", "admin_api_token"})
ADMIN_WITH_SESSION = frozenset({"admin"})
SERVICE_ADMINS = ADMINS | {"service_admin_of_a", "service_admin_everywhere"}  # of service A, or of some service
SERVICE_ADMINS_OF_B = ADMINS | {"service_admin_everywhere"}


def service_admins() -> dict[str, frozenset[str]]:
    """Through for service A and for service B: service admins of A do not manage B."""
    return {"a": SERVICE_ADMINS, "b": SERVICE_ADMINS_OF_B}


EXPECTED: dict[str, tuple[Access, frozenset[str] | dict[str, frozenset[str]]]] = {
    "POST /auth/sign-up": (Access.PUBLIC, EVERYONE),
    "POST /auth/confirm": (Access.PUBLIC, EVERYONE),
    "POST /auth/resend-code": (Access.PUBLIC, EVERYONE),
    "POST /auth/sign-in": (Access.PUBLIC, EVERYONE),
    "POST /auth/sign-in/mfa": (Access.PUBLIC, EVERYONE),
    "POST /auth/sign-in/new-password": (Access.PUBLIC, EVERYONE),
    "POST /auth/refresh": (Access.PUBLIC, EVERYONE),
    "POST /auth/forgot-password": (Access.PUBLIC, EVERYONE),
    "POST /auth/reset-password": (Access.PUBLIC, EVERYONE),
    "POST /auth/sign-out": (Access.SELF, SIGNED_IN),
    "POST /auth/change-password": (Access.SESSION, SESSIONS),
    "GET /me": (Access.SELF, SIGNED_IN),
    "PATCH /me": (Access.SELF, SIGNED_IN),
    "GET /me/mfa": (Access.SELF, SIGNED_IN),
    "POST /me/mfa/totp": (Access.SESSION, SESSIONS),
    "POST /me/mfa/totp/verify": (Access.SESSION, SESSIONS),
    "DELETE /me/mfa": (Access.SESSION, SESSIONS),
    "GET /me/api-tokens": (Access.SELF, SIGNED_IN),
    "POST /me/api-tokens": (Access.SESSION, SESSIONS),
    "DELETE /me/api-tokens/{token_id}": (Access.SELF, SIGNED_IN),
    "GET /me/credentials": (Access.SELF, SIGNED_IN),
    "PUT /me/credentials/{service_id}": (Access.SELF, SIGNED_IN),
    "DELETE /me/credentials/{service_id}": (Access.SELF, SIGNED_IN),
    "GET /users": (Access.ADMIN, ADMINS),
    "GET /users/{user_id}": (Access.ADMIN, ADMINS),
    "PUT /users/{user_id}/status": (Access.ADMIN_SESSION, ADMIN_WITH_SESSION),
    "GET /users/{user_id}/roles": (Access.ADMIN, ADMINS),
    "POST /users/{user_id}/roles": (Access.ADMIN_SESSION, ADMIN_WITH_SESSION),
    "DELETE /users/{user_id}/roles/{grant_id}": (Access.ADMIN_SESSION, ADMIN_WITH_SESSION),
    "GET /audit-log": (Access.ADMIN, ADMINS),
    "GET /services": (Access.SIGNED_IN, SIGNED_IN),
    "POST /services": (Access.ADMIN, ADMINS),
    "POST /services/test-connection": (Access.SERVICE_ADMIN, SERVICE_ADMINS),
    "GET /services/discover": (Access.SIGNED_IN, SIGNED_IN),
    "GET /services/{service_id}": (Access.SIGNED_IN, SIGNED_IN),
    "PATCH /services/{service_id}": (Access.SERVICE_ADMIN, service_admins()),
    "DELETE /services/{service_id}": (Access.ADMIN, ADMINS),
    "GET /services/{service_id}/panels": (Access.SIGNED_IN, SIGNED_IN),
    "POST /services/{service_id}/panels": (Access.SERVICE_ADMIN, service_admins()),
    "GET /services/{service_id}/panels/{panel_id}": (Access.SIGNED_IN, SIGNED_IN),
    "PATCH /services/{service_id}/panels/{panel_id}": (Access.SERVICE_ADMIN, service_admins()),
    "DELETE /services/{service_id}/panels/{panel_id}": (Access.SERVICE_ADMIN, service_admins()),
    "POST /services/{service_id}/panels/sync": (Access.SERVICE_ADMIN, service_admins()),
    "GET /panels": (Access.SIGNED_IN, SIGNED_IN),
    "GET /services/{service_id}/health": (Access.SIGNED_IN, SIGNED_IN),
    "GET /services/{service_id}/health/history": (Access.SIGNED_IN, SIGNED_IN),
    "POST /services/{service_id}/health-check": (Access.SERVICE_ADMIN, service_admins()),
    "GET /service-health": (Access.SIGNED_IN, SIGNED_IN),
    "GET /residency-policy": (Access.SIGNED_IN, SIGNED_IN),
    "PUT /residency-policy": (Access.ADMIN, ADMINS),
    "GET /ga4gh/registry/v1/services": (Access.SIGNED_IN, SIGNED_IN),
    "GET /ga4gh/registry/v1/services/types": (Access.SIGNED_IN, SIGNED_IN),
    "GET /ga4gh/registry/v1/services/{service_id}": (Access.SIGNED_IN, SIGNED_IN),
    "GET /ga4gh/registry/v1/service-info": (Access.SIGNED_IN, SIGNED_IN),
    # files: everybody signed in, each on their own files (another's answers 404, tests/integration/files)
    "POST /files": (Access.SELF, SIGNED_IN),
    "GET /files": (Access.SELF, SIGNED_IN),
    "GET /files/{file_id}": (Access.SELF, SIGNED_IN),
    "DELETE /files/{file_id}": (Access.SELF, SIGNED_IN),
    "POST /files/{file_id}/complete": (Access.SELF, SIGNED_IN),
    "POST /files/{file_id}/abort": (Access.SELF, SIGNED_IN),
    "GET /files/{file_id}/upload": (Access.SELF, SIGNED_IN),
    "PUT /files/{file_id}/residency": (Access.SELF, SIGNED_IN),
    "GET /files/{file_id}/download": (Access.SELF, SIGNED_IN),
    # jobs: everybody signed in, each on their own jobs (another's answers 404; admins read any job's metadata)
    "POST /jobs": (Access.SELF, SIGNED_IN),
    "GET /jobs": (Access.SELF, SIGNED_IN),
    "GET /jobs/{job_id}": (Access.SELF, SIGNED_IN),
    "POST /jobs/{job_id}/cancel": (Access.SELF, SIGNED_IN),
    "POST /jobs/{job_id}/retry": (Access.SELF, SIGNED_IN),
    "GET /jobs/{job_id}/outputs": (Access.SELF, SIGNED_IN),
    "GET /jobs/{job_id}/password": (Access.SELF, SIGNED_IN),
    # notifications: everybody signed in, each their own (another's answers 404, test_notifications_api)
    "GET /notifications": (Access.SELF, SIGNED_IN),
    "GET /notifications/unread-count": (Access.SELF, SIGNED_IN),
    "POST /notifications/read-all": (Access.SELF, SIGNED_IN),
    "GET /notifications/preferences": (Access.SELF, SIGNED_IN),
    "PUT /notifications/preferences": (Access.SELF, SIGNED_IN),
    "POST /notifications/{notification_id}/read": (Access.SELF, SIGNED_IN),
    "DELETE /notifications/{notification_id}": (Access.SELF, SIGNED_IN),
    # monitoring: each their own dashboard; the platform's and the services' only for admins (the
    # replaced platform showed every user's counts to everyone)
    "GET /dashboard": (Access.SELF, SIGNED_IN),
    "GET /dashboard/platform": (Access.ADMIN, ADMINS),
    "GET /dashboard/services": (Access.ADMIN, ADMINS),
    "GET /dashboard/services/at-risk": (Access.ADMIN, ADMINS),
}
# Deletions, then signing out (which ends the caller's sessions), last: nothing else loses what it needs.
LAST = ("DELETE", "POST /auth/sign-out")
ROUTES = sorted(
    (route for domain in DOMAINS for route in domain.routes),
    key=lambda r: (r.route_key == LAST[1], r.method == LAST[0], r.route_key),
)
SUCCESS = {"200", "201", "202", "204"}


def test_every_route_has_a_reviewed_rule():
    declared = {route.route_key: route.access for route in ROUTES}
    assert declared == {key: access for key, (access, _) in EXPECTED.items()}


def documented_statuses() -> dict[tuple[str, str], set[str]]:
    """The statuses each operation's OpenAPI `responses` promise."""
    statuses = {}
    for path, operations in platform_openapi(DOMAINS)["paths"].items():
        for method, operation in operations.items():
            statuses[(method.upper(), path)] = set(operation["responses"])
    return statuses


def test_every_route_documents_its_success_and_the_databases_503():
    statuses = documented_statuses()
    for route in ROUTES:
        promised = statuses[(route.method, route.path)]
        assert promised & SUCCESS, route.route_key
        assert {"422", "503"} <= promised, route.route_key


@pytest.fixture
def callers():
    service = {"api_type": "michigan", "base_url": "http://127.0.0.1:9"}
    a = invoke_api("POST", "/services", body={**service, "name": "A", "slug": "service-a"}).body["id"]
    b = invoke_api("POST", "/services", body={**service, "name": "B", "slug": "service-b"}).body["id"]
    names = ("disabled", "viewer", "researcher", "expired_admin", "service_admin_of_a", "service_admin_everywhere",
             "admin")  # fmt: skip
    accounts = {name: sign_up() for name in names}
    viewer = accounts["viewer"]
    researcher_grant = invoke_api("GET", f"/users/{viewer.user_id}/roles").body["items"][0]["id"]
    invoke_api("DELETE", f"/users/{viewer.user_id}/roles/{researcher_grant}")
    grant(viewer, Role.VIEWER)
    grant(accounts["service_admin_of_a"], Role.SERVICE_ADMIN, service_id=a)
    grant(accounts["service_admin_everywhere"], Role.SERVICE_ADMIN)
    grant(accounts["admin"], Role.ADMIN)
    expiring = grant(
        accounts["expired_admin"], Role.ADMIN, expires_at=(datetime.now(UTC) + timedelta(hours=1)).isoformat()
    )
    with users_repository() as repo:
        row = repo.session.get(RoleGrantRow, expiring["id"])
        assert row is not None
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    tokens = {name: account.access_token for name, account in accounts.items()}
    for name in ("researcher", "admin"):
        made = invoke_api("POST", "/me/api-tokens", body={"name": "matrix"}, token=tokens[name])
        tokens[f"{name}_api_token"] = made.body["token"]
    disabled = invoke_api("PUT", f"/users/{accounts['disabled'].user_id}/status", body={"status": "disabled"})
    assert disabled.status == 200, disabled.body
    tokens["anonymous"] = ""
    return {"tokens": tokens, "services": {"a": a, "b": b}, "user_id": accounts["researcher"].user_id}


def test_each_caller_gets_what_the_table_says(callers):
    statuses = documented_statuses()
    wrong = []
    for route in ROUTES:
        through = EXPECTED[route.route_key][1]
        per_service = through if isinstance(through, dict) else {"a": through}
        for service, allowed in per_service.items():
            path = route.path.replace("{service_id}", callers["services"][service])
            path = path.replace("{user_id}", callers["user_id"])
            path = re.sub(r"\{\w+\}", lambda _: str(uuid.uuid4()), path)  # other ids need not exist
            for caller in CALLERS:
                body: dict[str, str] | None = {} if route.method in ("POST", "PUT", "PATCH") else None
                answer = invoke_api(route.method, path, body=body, token=callers["tokens"][caller])
                status = str(answer.status)
                if caller in allowed:
                    fine = status in statuses[(route.method, route.path)] and status not in ("401", "403")
                else:
                    fine = status == ("401" if caller == "anonymous" else "403")
                if not fine:
                    wrong.append((route.route_key, service, caller, answer.status, answer.body))
    assert wrong == []
