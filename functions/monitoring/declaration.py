"""What the monitoring domain exposes: read by the CDK app and by the local platform alike."""

from fip_core.access import Access
from fip_core.declaration import DomainDeclaration, EventSubscription, FunctionDeclaration, HttpRoute, Schedule
from fip_core.platform_events import (
    JobStatusChanged,
    ServiceAtRisk,
    ServiceDeactivated,
    ServiceHealthChanged,
    ServicesChecked,
)

DECLARATION = DomainDeclaration(
    name="monitoring",
    functions=(
        FunctionDeclaration(
            name="api",
            handler="monitoring.handlers.api.handler",
            description="Monitoring HTTP API: the caller's dashboard; the platform's and the services' for admins",
        ),
        FunctionDeclaration(
            name="on-event",
            handler="monitoring.handlers.on_event.handler",
            description="Folds jobs' transitions and services' checks into the dashboards' aggregates, once each",
            timeout_seconds=30,
        ),
        FunctionDeclaration(
            name="prune",
            handler="monitoring.handlers.prune.handler",
            description="Prunes the services' hourly and the jobs' daily rollups past their retention",
            timeout_seconds=120,
        ),
        FunctionDeclaration(
            name="migrate",
            handler="monitoring.handlers.migrate.handler",
            description="Brings the monitoring database to the newest schema on deploy",
            timeout_seconds=300,
        ),
    ),
    api_function="api",
    migrations_function="migrate",
    routes=(
        HttpRoute("GET", "/dashboard", Access.SELF),
        # the replaced platform showed every user's counts to everyone: the whole platform is for admins
        HttpRoute("GET", "/dashboard/platform", Access.ADMIN),
        HttpRoute("GET", "/dashboard/services", Access.ADMIN),
        HttpRoute("GET", "/dashboard/services/at-risk", Access.ADMIN),
    ),
    schedules=(
        Schedule(
            name="prune",
            function="prune",
            rate_minutes=60,  # hourly, with the other hourly schedules that wake a paused database anyway
            description="Prune the dashboards' rollups past their retention",
        ),
    ),
    subscriptions=(
        EventSubscription("on-event", (JobStatusChanged,), ("fip.jobs",)),
        EventSubscription(
            "on-event",
            (ServicesChecked, ServiceHealthChanged, ServiceAtRisk, ServiceDeactivated),
            ("fip.registry",),
        ),
    ),
)
