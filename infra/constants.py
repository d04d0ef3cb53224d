"""Every fixed choice of the CDK app in one place: runtime, architecture, names, sizes, retentions."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds

REPO_ROOT = Path(__file__).resolve().parent.parent
BUILD_DIR = REPO_ROOT / ".build"
FUNCTIONS_DIR = REPO_ROOT / "functions"
CORE_LAYER_SOURCE = REPO_ROOT / "layers" / "core" / "python"
# The dependency layer is installed from this lock (exact versions with hashes, resolved for the Lambda
# platform by `make lock` from layers/deps/requirements.txt).
DEPS_LOCK = REPO_ROOT / "layers" / "deps" / "requirements.lock"
DEFAULT_OUTDIR = REPO_ROOT / "cdk.out"
WEB_DIST = REPO_ROOT / "web" / "dist"  # the web console, built by `make web`

# Feature flags the template depends on, set in code so that `python -m infra.app`, the tests and the
# CDK CLI all synthesise the same template.
FEATURE_FLAGS: dict[str, object] = {
    # a change of layer alone makes a new function version, so the migrations trigger runs again
    "@aws-cdk/aws-lambda:recognizeLayerVersion": True,
    # EventBridge may send to a dead-letter queue only on behalf of this account's rules
    "@aws-cdk/aws-events:eventsTargetQueueSameAccount": True,
    # a snapshot removal policy on a resource that cannot be snapshotted is an error, not ignored
    "@aws-cdk/core:validateSnapshotRemovalPolicy": True,
    # statements on the same resources merged, so roles stay far below IAM's policy size limit
    "@aws-cdk/aws-iam:minimizePolicies": True,
    # S3 may deliver access logs into a bucket that owns its objects (no ACLs) through a bucket policy
    "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True,
}

# The runtime and architecture are pinned together with the platform the dependency wheels are built for.
LAMBDA_RUNTIME = lambda_.Runtime.PYTHON_3_12
LAMBDA_ARCHITECTURE = lambda_.Architecture.ARM_64
LAMBDA_FUNCTION_NAME_LIMIT = 64  # characters of a function name, by Lambda's own limit
PIP_PLATFORM = "manylinux2014_aarch64"
PIP_IMPLEMENTATION = "cp"
PIP_PYTHON_VERSION = "3.12"
# boto3 and its dependencies come with the runtime; a second copy in the layer would shadow botocore
# underneath the runtime's boto3 and could mismatch it.
RUNTIME_PROVIDED_DISTRIBUTIONS = frozenset(
    {"boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3"}
)

NAME_PREFIX = "fip"
DEFAULT_ENVIRONMENT = "dev"
ENVIRONMENT_CONTEXT_KEY = "environment"  # another environment: `cdk synth -c environment=prod`
EVENT_ARCHIVE_RETENTION = Duration.days(30)
# Powertools Tracer records a handler's response by default, and responses carry secrets (sign-in tokens,
# new API tokens, decrypted external tokens). No function runs it (Lambda's active tracing records no
# payload), and should one ever do, every function is told not to record responses, whatever its code says.
TRACER_ENVIRONMENT = {"POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false"}

LOG_RETENTION = logs.RetentionDays.ONE_MONTH
API_THROTTLE_RATE_LIMIT = 100  # requests per second, steady state, over the whole API
API_THROTTLE_BURST_LIMIT = 200
# The one Lambda authorizer: simple responses (payload 2.0), decisions cached per Authorization header.
AUTHORIZER_NAME = "bearer-token"
AUTHORIZER_IDENTITY_SOURCE = "$request.header.Authorization"

EVENT_TARGET_RETRY_ATTEMPTS = 2
EVENT_TARGET_MAX_AGE = Duration.hours(1)
# A function invoked by an event or schedule that fails: Lambda retries it twice, then the on-failure destination
ASYNC_INVOKE_RETRY_ATTEMPTS = 2
ASYNC_INVOKE_MAX_EVENT_AGE = Duration.hours(6)
# An event waiting in an outbox this long means the relay is failing (it runs every minute)
OUTBOX_WAITING_ALARM_SECONDS = 600
DEAD_LETTER_RETENTION = Duration.days(14)

VPC_CIDR = "10.0.0.0/16"
VPC_MAX_AZS = 2
VPC_NAT_GATEWAYS = 1  # one way out (a gateway or an instance, by profile) for external services and AWS APIs
NAT_INSTANCE_TYPE = "t4g.nano"
NAT_INSTANCE_VOLUME_GB = 8
PUBLIC_SUBNET_MASK = 24
PRIVATE_SUBNET_MASK = 22
ISOLATED_SUBNET_MASK = 24

DATABASE_ENGINE_VERSION = rds.AuroraPostgresEngineVersion.VER_16_9
DATABASE_PORT = 5432
DATABASE_ADMIN_USER = "fip_admin"
# The authority whose roots the core layer's bundle holds (fip_core/rds-global-bundle.pem); RDS's default too.
DATABASE_CA_CERTIFICATE = rds.CaCertificate.RDS_CA_RSA2048_G1
# A migration may take longer than a request: its statements get the function's time less a margin.
MIGRATION_STATEMENT_MARGIN_SECONDS = 30
DATABASE_BACKUP_RETENTION = Duration.days(7)
DATABASE_LOG_EXPORTS = ("postgresql",)
SECRET_ROTATION_INTERVAL = Duration.days(30)

# A domain's user pool (fip_core.resources.UserPoolSpec, infra/user_pool.py); its password policy and the
# admin calls each function makes are the domain's declaration's.
# Plus: threat protection, so that sign-in, sign-up and password changes with leaked passwords are refused.
USER_POOL_FEATURE_PLAN = cognito.FeaturePlan.PLUS
USER_POOL_ACCESS_TOKEN_VALIDITY = Duration.minutes(60)
USER_POOL_ID_TOKEN_VALIDITY = Duration.minutes(60)
USER_POOL_REFRESH_TOKEN_VALIDITY = Duration.days(30)
# Cognito sends its codes through SES from this address (infra/mail.py): `cdk deploy -c mail_from=no-reply@example.org`
# makes the SES identity, and once SES has verified its domain, `-c mail_verified=true` moves the user pool onto it.
# Domains that declare an EmailIdentitySpec send from the same address.
MAIL_FROM_CONTEXT_KEY = "mail_from"
MAIL_VERIFIED_CONTEXT_KEY = "mail_verified"
MAIL_FROM_NAME = "Federated Imputation Platform"

# A domain's buckets (fip_core.resources.BucketSpec, infra/bucket.py). Browsers on the platform's web origin
# upload to their presigned URLs: `cdk deploy -c web_origin=https://imputation.example.org` (commas for several).
WEB_ORIGIN_CONTEXT_KEY = "web_origin"
BUCKET_MINIMUM_TLS_VERSION = 1.2
ACCESS_LOG_RETENTION = Duration.days(90)  # the buckets' server access logs

# Alarms (infra/alarms.py) notify one topic; an address to subscribe: `cdk deploy -c alarm_email=ops@example.org`.
ALARM_EMAIL_CONTEXT_KEY = "alarm_email"
ALARM_PERIOD = Duration.minutes(5)
API_SERVER_ERRORS_THRESHOLD = 5  # 5xx answers in one period: one may be a client's timeout, five are not
# Throttled invocations in one period: a function at its reserved concurrency (its share of the database's
# connections, infra/profiles.py) turns requests away with 429s and delays events; one is already worth a look.
FUNCTION_THROTTLES_THRESHOLD = 1
# The database's capacity alarm: the writer at or above this share of the profile's maximum ACU for this many
# periods in a row. Serverless v2 scales up in seconds, so a burst that comes and goes within a period or two is
# not worth a page; a quarter of an hour at the ceiling means queries wait and connections are refused.
DATABASE_CAPACITY_ALARM_FRACTION = 0.9
DATABASE_CAPACITY_ALARM_PERIODS = 3
# A service down for longer than this pages the operators: by then the admins have had the registry's email
# that it went down, a restart or a network blip (which the next checks absorb) has had time to pass, and jobs
# sent to it have started to wait. It is read from the registry's sweep report (ServicesUnhealthy, the services
# found unhealthy in one sweep) over periods long enough that each sees every failing service checked again
# (the registry re-checks a failing service at least every 10 minutes), and never fewer than two sweeps.
SERVICE_DOWN_ALARM_MINUTES = 60
SERVICE_DOWN_PERIOD = Duration.minutes(15)
SERVICE_DOWN_MIN_PERIODS = 2
# The operations dashboard (infra/dashboard.py): its widgets' period, and one row's height.
DASHBOARD_PERIOD = Duration.minutes(5)
DASHBOARD_WIDGET_HEIGHT = 6
