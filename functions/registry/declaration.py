"""What the registry domain exposes: read by the CDK app and by the local platform alike."""

from fip_core.access import Access
from fip_core.declaration import DomainDeclaration, FunctionDeclaration, HttpRoute, Schedule
from fip_core.platform_events import (
    AuditRecorded,
    ServiceAtRisk,
    ServiceDeactivated,
    ServiceHealthChanged,
    ServicesChecked,
)

HEALTH_SWEEP_RATE_MINUTES = 5
RELAY_RATE_MINUTES = 1

DECLARATION = DomainDeclaration(
    name="registry",
    functions=(
        FunctionDeclaration(
            name="api",
            handler="registry.handlers.api.handler",
            description="Registry HTTP API: services, reference panels, health, GA4GH Service Registry",
            timeout_seconds=29,
            reaches_internet=True,  # test-connection and check-now probe external services
            publishes_events=True,
        ),
        FunctionDeclaration(
            name="health-sweep",
            handler="registry.handlers.health_sweep.handler",
            description="Checks every service that is due, concurrently",
            timeout_seconds=120,
            memory_mb=1024,
            reaches_internet=True,
            publishes_events=True,
        ),
        FunctionDeclaration(
            name="submission",
            handler="registry.handlers.submission.handler",
            description="Internal, IAM-only: a service's submission details and panels, for the jobs domain",
            timeout_seconds=10,
            callers=("jobs",),
        ),
        FunctionDeclaration(
            name="discover",
            handler="registry.handlers.discover.handler",
            description="Internal, IAM-only: the services that can take a job on a panel and build, ranked, for jobs",
            timeout_seconds=10,
            callers=("jobs",),
        ),
        FunctionDeclaration(
            name="relay-events",
            handler="registry.handlers.relay.handler",
            description="Publishes the registry's events that the relay after a commit could not",
            timeout_seconds=60,
            publishes_events=True,
        ),
        FunctionDeclaration(
            name="migrate",
            handler="registry.handlers.migrate.handler",
            description="Brings the registry database to the newest schema on deploy",
            timeout_seconds=300,
        ),
    ),
    api_function="api",
    migrations_function="migrate",
    publishes=(ServiceHealthChanged, ServiceDeactivated, ServiceAtRisk, ServicesChecked, AuditRecorded),
    relay_function="relay-events",
    routes=(
        HttpRoute("GET", "/services", Access.SIGNED_IN),
        HttpRoute("POST", "/services", Access.ADMIN),
        HttpRoute("POST", "/services/test-connection", Access.SERVICE_ADMIN),
        HttpRoute("GET", "/services/discover", Access.SIGNED_IN),
        HttpRoute("GET", "/services/{service_id}", Access.SIGNED_IN),
        HttpRoute("PATCH", "/services/{service_id}", Access.SERVICE_ADMIN),
        HttpRoute("DELETE", "/services/{service_id}", Access.ADMIN),
        HttpRoute("GET", "/services/{service_id}/panels", Access.SIGNED_IN),
        HttpRoute("POST", "/services/{service_id}/panels", Access.SERVICE_ADMIN),
        HttpRoute("GET", "/services/{service_id}/panels/{panel_id}", Access.SIGNED_IN),
        HttpRoute("PATCH", "/services/{service_id}/panels/{panel_id}", Access.SERVICE_ADMIN),
        HttpRoute("DELETE", "/services/{service_id}/panels/{panel_id}", Access.SERVICE_ADMIN),
        HttpRoute("POST", "/services/{service_id}/panels/sync", Access.SERVICE_ADMIN),
        HttpRoute("GET", "/panels", Access.SIGNED_IN),
        HttpRoute("GET", "/services/{service_id}/health", Access.SIGNED_IN),
        HttpRoute("GET", "/services/{service_id}/health/history", Access.SIGNED_IN),
        HttpRoute("POST", "/services/{service_id}/health-check", Access.SERVICE_ADMIN),
        HttpRoute("GET", "/service-health", Access.SIGNED_IN),
        HttpRoute("GET", "/residency-policy", Access.SIGNED_IN),
        HttpRoute("PUT", "/residency-policy", Access.ADMIN),
        HttpRoute("GET", "/ga4gh/registry/v1/services", Access.SIGNED_IN),
        HttpRoute("GET", "/ga4gh/registry/v1/services/types", Access.SIGNED_IN),
        HttpRoute("GET", "/ga4gh/registry/v1/services/{service_id}", Access.SIGNED_IN),
        HttpRoute("GET", "/ga4gh/registry/v1/service-info", Access.SIGNED_IN),
    ),
    schedules=(
        Schedule(
            name="health-sweep",
            function="health-sweep",
            rate_minutes=HEALTH_SWEEP_RATE_MINUTES,
            description="Check the imputation services that are due",
        ),
        Schedule(
            name="relay-events",
            function="relay-events",
            rate_minutes=RELAY_RATE_MINUTES,
            description="Publish the registry's events still waiting in its outbox",
        ),
    ),
)
