"""What the jobs domain exposes: read by the CDK app and by the local platform alike."""

from fip_core.access import Access
from fip_core.declaration import DomainDeclaration, FunctionDeclaration, HttpRoute, InternalCall, Schedule
from fip_core.platform_events import JobStatusChanged

RELAY_RATE_MINUTES = 1

# What `POST /jobs` asks of the other domains before it accepts a job (each target names `jobs` among its callers)
SUBMISSION = InternalCall(function="api", domain="registry", target="submission")
INPUTS = InternalCall(function="api", domain="files", target="inputs")
CREDENTIALS = InternalCall(function="api", domain="users", target="credentials")
# the ranking `auto` submission chooses from (registry's GET /services/discover)
DISCOVER = InternalCall(function="api", domain="registry", target="discover")

DECLARATION = DomainDeclaration(
    name="jobs",
    functions=(
        FunctionDeclaration(
            name="api",
            handler="jobs.handlers.api.handler",
            description="Jobs HTTP API: a user's imputation jobs, their status and history",
            timeout_seconds=29,
        ),
        FunctionDeclaration(
            name="relay-events",
            handler="jobs.handlers.relay.handler",
            description="Publishes the jobs domain's events that the relay after a commit could not",
            timeout_seconds=60,
            publishes_events=True,
        ),
        FunctionDeclaration(
            name="migrate",
            handler="jobs.handlers.migrate.handler",
            description="Brings the jobs database to the newest schema on deploy",
            timeout_seconds=300,
        ),
    ),
    api_function="api",
    migrations_function="migrate",
    publishes=(JobStatusChanged,),
    calls=(SUBMISSION, INPUTS, CREDENTIALS, DISCOVER),
    relay_function="relay-events",
    routes=(
        HttpRoute("POST", "/jobs", Access.SELF),
        HttpRoute("GET", "/jobs", Access.SELF),
        HttpRoute("GET", "/jobs/{job_id}", Access.SELF),
    ),
    schedules=(
        Schedule(
            name="relay-events",
            function="relay-events",
            rate_minutes=RELAY_RATE_MINUTES,
            description="Publish the jobs domain's events still waiting in its outbox",
        ),
    ),
)
