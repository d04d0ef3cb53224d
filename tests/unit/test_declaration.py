"""The declarations the CDK app and the local platform read cannot drift from the handlers."""

import importlib

import pytest

from fip_core.access import Access
from fip_core.declaration import DomainDeclaration, FunctionDeclaration, HttpRoute, Schedule
from fip_core.platform_events import UserRegistered
from fip_core.resources import EmailIdentitySpec
from infra.domains import DOMAINS


@pytest.mark.parametrize("domain", DOMAINS, ids=lambda d: d.name)
def test_every_declared_route_is_served_and_every_served_route_declared(domain):
    handler_module = domain.function(domain.api_function).handler.rsplit(".", 1)[0]
    app = importlib.import_module(handler_module).app
    resolver_routes = {(route.method, route.path) for route in app._static_routes + app._dynamic_routes}  # noqa: SLF001
    declared = {(route.method, route.resolver_path) for route in domain.routes}
    assert resolver_routes == declared


@pytest.mark.parametrize("domain", DOMAINS, ids=lambda d: d.name)
def test_every_declared_handler_exists(domain):
    for function in domain.functions:
        module_name, attribute = function.handler.rsplit(".", 1)
        assert callable(getattr(importlib.import_module(module_name), attribute)), function.handler


def test_route_syntax_is_translated_for_the_resolver():
    route = HttpRoute("GET", "/services/{service_id}/panels/{panel_id}", Access.PUBLIC)
    assert route.resolver_path == "/services/<service_id>/panels/<panel_id>"
    assert route.route_key == "GET /services/{service_id}/panels/{panel_id}"


def test_a_declaration_cannot_refer_to_a_function_it_does_not_declare():
    api = FunctionDeclaration(name="api", handler="x.handlers.api.handler", description="x")
    with pytest.raises(ValueError, match="undeclared functions"):
        DomainDeclaration(name="x", functions=(api,), api_function="api", routes=(), migrations_function="migrate")


def test_a_function_a_resource_notifies_is_invoked_asynchronously_and_must_be_declared():
    functions = tuple(
        FunctionDeclaration(name=name, handler=f"x.handlers.{name}.handler", description="x")
        for name in ("api", "migrate", "feedback")
    )
    mail = EmailIdentitySpec(name="mail", feedback=("feedback",))
    declared = DomainDeclaration(
        name="x", functions=functions, api_function="api", routes=(), migrations_function="migrate", resources=(mail,)
    )
    assert declared.asynchronously_invoked_functions == {"feedback"}  # retried, then dead-lettered
    assert "feedback" in declared.invoked_functions  # not an internal function for operators
    with pytest.raises(ValueError, match=r"undeclared functions \['bounces'\]"):
        DomainDeclaration(
            name="x",
            functions=functions,
            api_function="api",
            routes=(),
            migrations_function="migrate",
            resources=(EmailIdentitySpec(name="mail", feedback=("bounces",)),),
        )


def test_a_declaration_cannot_declare_a_route_twice():
    api = FunctionDeclaration(name="api", handler="x.handlers.api.handler", description="x")
    with pytest.raises(ValueError, match="route twice"):
        DomainDeclaration(
            name="x",
            functions=(api,),
            api_function="api",
            migrations_function="api",
            routes=(HttpRoute("GET", "/a", Access.PUBLIC), HttpRoute("GET", "/a", Access.PUBLIC)),
        )


def _publishing(**overrides):
    functions = (
        FunctionDeclaration(name="api", handler="x.handlers.api.handler", description="x", publishes_events=True),
        FunctionDeclaration(name="relay", handler="x.handlers.relay.handler", description="x", publishes_events=True),
    )
    fields = {
        "name": "x",
        "functions": functions,
        "api_function": "api",
        "migrations_function": "api",
        "routes": (),
        "publishes": (UserRegistered,),
        "relay_function": "relay",
        "schedules": (Schedule(name="relay", function="relay", rate_minutes=1, description="relay"),),
    }
    return DomainDeclaration(**{**fields, **overrides})


def test_a_publishing_domain_declares_a_scheduled_relay():
    assert _publishing().publishes == (UserRegistered,)
    with pytest.raises(ValueError, match="no relay_function"):
        _publishing(relay_function=None)
    with pytest.raises(ValueError, match="has no schedule"):
        _publishing(schedules=())
    with pytest.raises(ValueError, match="relay events, but the domain publishes none"):
        _publishing(publishes=(), relay_function=None, schedules=())


@pytest.mark.parametrize("domain", DOMAINS, ids=lambda d: d.name)
def test_every_domain_that_publishes_relays_on_a_schedule(domain):
    if domain.publishes:
        assert domain.relay_function in {schedule.function for schedule in domain.schedules}
