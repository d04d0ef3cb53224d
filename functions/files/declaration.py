"""What the files domain exposes: read by the CDK app and by the local platform alike."""

from fip_core.access import Access
from fip_core.declaration import DomainDeclaration, FunctionDeclaration, HttpRoute, InternalCall, Schedule
from fip_core.platform_events import FileExpiring, FileValidated
from fip_core.resources import AwsEventSubscription, BucketSpec

RELAY_RATE_MINUTES = 1
RETENTION_RATE_MINUTES = 60
RETENTION_DAYS = 7  # the servers' own; the bucket's lifecycle rule is the backstop of the retention function

# Inputs and results, under `users/<user id>/`: browsers upload through the API's presigned part URLs, the
# validator reads what they uploaded, the retention function deletes what expired.
STORE = BucketSpec(
    name="store",
    retention_days=RETENTION_DAYS + 1,  # a day after the retention function, which warns and records first
    presign=("api", "results", "inputs"),
    read=("validate", "validate-range"),
    write=("api", "retention"),
)

# A file above the split size is validated in byte ranges, each by an invocation of its own.
VALIDATE_RANGE = InternalCall(function="validate", domain="files", target="validate-range")

DECLARATION = DomainDeclaration(
    name="files",
    functions=(
        FunctionDeclaration(
            name="api",
            handler="files.handlers.api.handler",
            description="Files HTTP API: presigned multipart uploads, validation results, downloads",
        ),
        FunctionDeclaration(
            name="validate",
            handler="files.handlers.validate.handler",
            description="Validates each uploaded VCF as S3 reports it created, streamed in byte ranges",
            timeout_seconds=900,
            memory_mb=1024,  # reads the file once for its checksum while invocations validate its ranges
            publishes_events=True,  # FileValidated
        ),
        FunctionDeclaration(
            name="validate-range",
            handler="files.handlers.validate_range.handler",
            description="Internal, IAM-only: validates one byte range of a large file for the validate function",
            timeout_seconds=900,
            memory_mb=1769,  # one whole vCPU: the range is inflated and parsed on one core
            callers=("files",),
        ),
        FunctionDeclaration(
            name="retention",
            handler="files.handlers.retention.handler",
            description="Warns before files expire and deletes the expired ones",
            timeout_seconds=300,
            publishes_events=True,  # FileExpiring
        ),
        FunctionDeclaration(
            name="results",
            handler="files.handlers.results.handler",
            description="Internal, IAM-only: registers a job's result file and presigns its upload",
            timeout_seconds=30,
            callers=("jobs",),
        ),
        FunctionDeclaration(
            name="inputs",
            handler="files.handlers.inputs.handler",
            description="Internal, IAM-only: checks a user's files for a job and presigns their submission links",
            timeout_seconds=30,
            callers=("jobs",),
        ),
        FunctionDeclaration(
            name="relay-events",
            handler="files.handlers.relay.handler",
            description="Publishes the files domain's events that the relay after a commit could not",
            timeout_seconds=60,
            publishes_events=True,
        ),
        FunctionDeclaration(
            name="migrate",
            handler="files.handlers.migrate.handler",
            description="Brings the files database to the newest schema on deploy",
            timeout_seconds=300,
        ),
    ),
    api_function="api",
    migrations_function="migrate",
    resources=(STORE,),
    calls=(VALIDATE_RANGE,),
    aws_subscriptions=(AwsEventSubscription("validate", STORE, ("Object Created",)),),
    publishes=(FileValidated, FileExpiring),
    relay_function="relay-events",
    routes=(
        HttpRoute("POST", "/files", Access.SELF),
        HttpRoute("GET", "/files", Access.SELF),
        HttpRoute("GET", "/files/{file_id}", Access.SELF),
        HttpRoute("DELETE", "/files/{file_id}", Access.SELF),
        HttpRoute("POST", "/files/{file_id}/complete", Access.SELF),
        HttpRoute("POST", "/files/{file_id}/abort", Access.SELF),
        HttpRoute("GET", "/files/{file_id}/upload", Access.SELF),
        HttpRoute("PUT", "/files/{file_id}/residency", Access.SELF),
        HttpRoute("GET", "/files/{file_id}/download", Access.SELF),
    ),
    schedules=(
        Schedule(
            name="retention",
            function="retention",
            rate_minutes=RETENTION_RATE_MINUTES,
            description="Warn of files expiring within 48 hours; delete the expired ones",
        ),
        Schedule(
            name="relay-events",
            function="relay-events",
            rate_minutes=RELAY_RATE_MINUTES,
            description="Publish the files domain's events still waiting in its outbox",
        ),
    ),
)
