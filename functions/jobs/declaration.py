"""What the jobs domain exposes: read by the CDK app and by the local platform alike."""

from fip_core.access import Access
from fip_core.declaration import (
    DomainDeclaration,
    EventSubscription,
    FunctionDeclaration,
    HttpRoute,
    InternalCall,
    Schedule,
)
from fip_core.platform_events import JobStatusChanged
from fip_core.resources import EncryptionKeySpec

RELAY_RATE_MINUTES = 1
POLL_RATE_MINUTES = 1  # the services ask to be polled about a job at most once a minute

# What `POST /jobs` asks of the other domains before it accepts a job, and what submitting and polling
# ask (each target names `jobs` among its callers); one variable names each target for every caller
SUBMISSION = InternalCall(function="api", domain="registry", target="submission")
INPUTS = InternalCall(function="api", domain="files", target="inputs")
CREDENTIALS = InternalCall(function="api", domain="users", target="credentials")
# the ranking `auto` submission chooses from (registry's GET /services/discover)
DISCOVER = InternalCall(function="api", domain="registry", target="discover")
RESULTS = InternalCall(function="poll", domain="files", target="results")  # the poll copies result files in
_CALLED_BY_WORKERS = tuple(
    InternalCall(function=function, domain=call.domain, target=call.target)
    for function in ("submit", "poll")
    for call in (SUBMISSION, INPUTS, CREDENTIALS)
)

# Each job's result archive password, generated at submission and stored encrypted, bound to the job and
# its owner; only the API (for the owner) decrypts it
PASSWORDS = EncryptionKeySpec(
    name="passwords",
    description="Encrypts the password of each job's result archives",
    purpose="job-archive-password",  # jobs.settings.PASSWORD_PURPOSE
    context_keys=("purpose", "job_id", "user_id"),
    encrypt=("submit", "poll"),
    decrypt=("api",),
)

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
            name="submit",
            handler="jobs.handlers.submit.handler",
            description="Submits each job accepted by POST /jobs to its service (on its JobStatusChanged, pending)",
            timeout_seconds=900,  # streams the input files to a Cloudgene server, which answers once it has them
            reaches_internet=True,
        ),
        FunctionDeclaration(
            name="poll",
            handler="jobs.handlers.poll.handler",
            description="Polls active jobs, applies their transitions, retries waiting submissions, copies results in",
            timeout_seconds=900,  # a waiting submission it retries, and a result it copies, are streamed
            reaches_internet=True,
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
    calls=(SUBMISSION, INPUTS, CREDENTIALS, DISCOVER, *_CALLED_BY_WORKERS, RESULTS),
    resources=(PASSWORDS,),
    # the domain's own event: a job entering `pending` is submitted by `submit` (which ignores the rest)
    subscriptions=(EventSubscription("submit", (JobStatusChanged,), ("fip.jobs",)),),
    relay_function="relay-events",
    routes=(
        HttpRoute("POST", "/jobs", Access.SELF),
        HttpRoute("GET", "/jobs", Access.SELF),
        HttpRoute("GET", "/jobs/{job_id}", Access.SELF),
        HttpRoute("POST", "/jobs/{job_id}/cancel", Access.SELF),
        HttpRoute("POST", "/jobs/{job_id}/retry", Access.SELF),
        HttpRoute("GET", "/jobs/{job_id}/outputs", Access.SELF),
        HttpRoute("GET", "/jobs/{job_id}/password", Access.SELF),
    ),
    schedules=(
        Schedule(
            name="poll",
            function="poll",
            rate_minutes=POLL_RATE_MINUTES,
            description="Poll the active jobs on their services; submit the pending ones that are due",
        ),
        Schedule(
            name="relay-events",
            function="relay-events",
            rate_minutes=RELAY_RATE_MINUTES,
            description="Publish the jobs domain's events still waiting in its outbox",
        ),
    ),
)
