"""Every route of every domain, called by every kind of caller, through the real authorizer.

Anonymous callers get 401, callers without the role 403, and everybody allowed gets past the check.
The expected rule of each route is written out here: a route added to a declaration without being
added here fails `test_every_route_has_a_reviewed_rule`, and a rule changed without review fails too.
"""

import re
import uuid

import pytest

from fip_core.access import Access, Role
from infra.domains import DOMAINS
from tests.support.accounts import grant, sign_up
from tests.support.api import invoke_api

pytestmark = pytest.mark.usefixtures("platform")

EXPECTED = {
    "POST /auth/sign-up": Access.PUBLIC,
    "POST /auth/confirm": Access.PUBLIC,
    "POST /auth/resend-code": Access.PUBLIC,
    "POST /auth/sign-in": Access.PUBLIC,
    "POST /auth/refresh": Access.PUBLIC,
    "POST /auth/forgot-password": Access.PUBLIC,
    "POST /auth/reset-password": Access.PUBLIC,
    "POST /auth/sign-out": Access.SELF,
    "POST /auth/change-password": Access.SELF,
    "GET /me": Access.SELF,
    "PATCH /me": Access.SELF,
    "GET /me/api-tokens": Access.SELF,
    "POST /me/api-tokens": Access.SELF,
    "DELETE /me/api-tokens/{token_id}": Access.SELF,
    "GET /me/credentials": Access.SELF,
    "PUT /me/credentials/{service_id}": Access.SELF,
    "DELETE /me/credentials/{service_id}": Access.SELF,
    "GET /users": Access.ADMIN,
    "GET /users/{user_id}": Access.ADMIN,
    "GET /users/{user_id}/roles": Access.ADMIN,
    "POST /users/{user_id}/roles": Access.ADMIN,
    "DELETE /users/{user_id}/roles/{grant_id}": Access.ADMIN,
    "GET /audit-log": Access.ADMIN,
    "GET /services": Access.SIGNED_IN,
    "POST /services": Access.ADMIN,
    "POST /services/test-connection": Access.SERVICE_ADMIN,
    "GET /services/{service_id}": Access.SIGNED_IN,
    "PATCH /services/{service_id}": Access.SERVICE_ADMIN,
    "DELETE /services/{service_id}": Access.ADMIN,
    "GET /services/{service_id}/panels": Access.SIGNED_IN,
    "POST /services/{service_id}/panels": Access.SERVICE_ADMIN,
    "GET /services/{service_id}/panels/{panel_id}": Access.SIGNED_IN,
    "PATCH /services/{service_id}/panels/{panel_id}": Access.SERVICE_ADMIN,
    "DELETE /services/{service_id}/panels/{panel_id}": Access.SERVICE_ADMIN,
    "GET /panels": Access.SIGNED_IN,
    "GET /services/{service_id}/health": Access.SIGNED_IN,
    "GET /services/{service_id}/health/history": Access.SIGNED_IN,
    "POST /services/{service_id}/health-check": Access.SERVICE_ADMIN,
    "GET /service-health": Access.SIGNED_IN,
    "GET /ga4gh/registry/v1/services": Access.SIGNED_IN,
    "GET /ga4gh/registry/v1/services/types": Access.SIGNED_IN,
    "GET /ga4gh/registry/v1/services/{service_id}": Access.SIGNED_IN,
    "GET /ga4gh/registry/v1/service-info": Access.SIGNED_IN,
}
ROUTES = sorted(
    (route for domain in DOMAINS for route in domain.routes),
    key=lambda r: (r.method == "DELETE", r.route_key),  # deletions last, so nothing else loses its resource
)
CALLERS = ("anonymous", "viewer", "researcher", "service_admin_of_a", "admin")


def test_every_route_has_a_reviewed_rule():
    declared = {route.route_key: route.access for route in ROUTES}
    assert declared == EXPECTED


def allowed(access, caller, service_is_a):
    if access is Access.PUBLIC:
        return True
    if caller == "anonymous":
        return False
    if access in (Access.SIGNED_IN, Access.SELF):
        return True
    if caller == "admin":
        return True
    if access is Access.SERVICE_ADMIN:
        return caller == "service_admin_of_a" and service_is_a
    return False


@pytest.fixture
def callers():
    service = {"api_type": "michigan", "base_url": "http://127.0.0.1:9"}
    a = invoke_api("POST", "/services", body={**service, "name": "A", "slug": "service-a"}).body["id"]
    b = invoke_api("POST", "/services", body={**service, "name": "B", "slug": "service-b"}).body["id"]
    accounts = {"viewer": sign_up(), "researcher": sign_up(), "service_admin_of_a": sign_up(), "admin": sign_up()}
    viewer = accounts["viewer"]
    researcher_grant = invoke_api("GET", f"/users/{viewer.user_id}/roles").body["items"][0]["id"]
    invoke_api("DELETE", f"/users/{viewer.user_id}/roles/{researcher_grant}")
    grant(viewer, Role.VIEWER)
    grant(accounts["service_admin_of_a"], Role.SERVICE_ADMIN, service_id=a)
    grant(accounts["admin"], Role.ADMIN)
    tokens = {name: account.access_token for name, account in accounts.items()}
    target = accounts["researcher"]
    return {"tokens": tokens, "service_a": a, "service_b": b, "user_id": target.user_id}


@pytest.mark.parametrize("route", ROUTES, ids=[r.route_key for r in ROUTES])
def test_each_caller_gets_what_the_rule_says(route, callers):
    services = [callers["service_a"]]
    if "{service_id}" in route.path and route.access is Access.SERVICE_ADMIN:
        services.append(callers["service_b"])
    for service_id in services:
        path = route.path.replace("{service_id}", service_id).replace("{user_id}", callers["user_id"])
        path = re.sub(r"\{\w+\}", lambda _: str(uuid.uuid4()), path)  # other ids need not exist: the check comes first
        for caller in CALLERS:
            token = "" if caller == "anonymous" else callers["tokens"][caller]
            body: dict[str, str] | None = {} if route.method in ("POST", "PUT", "PATCH") else None
            answer = invoke_api(route.method, path, body=body, token=token)
            if allowed(route.access, caller, service_id == callers["service_a"]):
                assert answer.status not in (401, 403), (caller, route.route_key, answer.body)
            else:
                expected = 401 if caller == "anonymous" else 403
                assert answer.status == expected, (caller, route.route_key, answer.status, answer.body)
