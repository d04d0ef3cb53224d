"""What the users domain exposes: read by the CDK app and by the local platform alike."""

from fip_core.access import Access, Role
from fip_core.declaration import (
    DomainDeclaration,
    EventSubscription,
    FunctionDeclaration,
    HttpRoute,
    Schedule,
    Throttle,
)
from fip_core.platform_events import AuditRecorded, UserRegistered
from fip_core.resources import AdminCalls, EncryptionKeySpec, UserPoolSpec
from users.settings import CREDENTIALS_ENCRYPTION_CONTEXT_KEYS, CREDENTIALS_ENCRYPTION_PURPOSE, PASSWORD_MIN_LENGTH

RELAY_RATE_MINUTES = 1
# Every /auth route, for all callers together: far below the API's default, since anybody may call them and
# they send email (sign-up, resend-code, forgot-password) or try passwords and codes.
AUTH_THROTTLE = Throttle(rate_per_second=5, burst=10)

# The accounts people sign in with. The admin calls each function makes (adapters/cognito.py), which IAM
# governs; the others (SignUp, InitiateAuth, ...) are public client calls.
USER_POOL = UserPoolSpec(
    name="user-pool",
    password_min_length=PASSWORD_MIN_LENGTH,  # the API validates the same policy
    groups=tuple(role.value for role in Role),  # unscoped roles mirrored as groups
    admin_calls=(
        AdminCalls(
            "api",
            (
                "AdminAddUserToGroup",
                "AdminRemoveUserFromGroup",
                "AdminUserGlobalSignOut",  # signs out callers who hold only a personal API token, too
                "AdminGetUser",  # an account's second factor, and its record when a profile is repaired
                "AdminDisableUser",
                "AdminEnableUser",
            ),
        ),
        AdminCalls(
            "bootstrap-admin",
            (
                "AdminCreateUser",
                "AdminSetUserPassword",
                "AdminAddUserToGroup",
                "AdminGetUser",  # an account a failed earlier run left in the pool
            ),
        ),
        # the authorizer asks whether an admin or service admin still signs in with an authenticator app
        AdminCalls("authorizer", ("AdminGetUser",)),
    ),
)
# Users' tokens for external services: the API encrypts them as they are stored, and only the internal
# credentials function decrypts them, for the domains that invoke it.
CREDENTIALS_KEY = EncryptionKeySpec(
    name="credentials",
    description="Encrypts the tokens for external services that users store with the users domain",
    purpose=CREDENTIALS_ENCRYPTION_PURPOSE,
    context_keys=CREDENTIALS_ENCRYPTION_CONTEXT_KEYS,
    encrypt=("api",),
    decrypt=("credentials",),
)

DECLARATION = DomainDeclaration(
    name="users",
    functions=(
        FunctionDeclaration(
            name="api",
            handler="users.handlers.api.handler",
            description="Users HTTP API: sign-up and sign-in, profiles, roles, API tokens, stored tokens, audit log",
            publishes_events=True,  # UserRegistered
        ),
        FunctionDeclaration(
            name="authorizer",
            handler="users.handlers.authorizer.handler",
            description="The HTTP API's one Lambda authorizer: Cognito tokens and personal API tokens",
            timeout_seconds=10,
        ),
        FunctionDeclaration(
            name="credentials",
            handler="users.handlers.credentials.handler",
            description="Internal, IAM-only: decrypts a user's external service token for the jobs domain",
            timeout_seconds=10,
            callers=("jobs",),
        ),
        FunctionDeclaration(
            name="contacts",
            handler="users.handlers.contacts.handler",
            description="Internal, IAM-only: users' and admins' addresses and names for the notifications domain",
            timeout_seconds=10,
            callers=("notifications",),
        ),
        FunctionDeclaration(
            name="audit-recorder",
            handler="users.handlers.audit_recorder.handler",
            description="Keeps the AuditRecorded events of every domain in the audit log",
        ),
        FunctionDeclaration(
            name="relay-events",
            handler="users.handlers.relay.handler",
            description="Publishes the users domain's events that the relay after a commit could not",
            timeout_seconds=60,
            publishes_events=True,
        ),
        FunctionDeclaration(
            name="bootstrap-admin",
            handler="users.handlers.bootstrap.handler",
            description="Internal, IAM-only: creates the first admin; refused once an admin exists",
            timeout_seconds=30,
        ),
        FunctionDeclaration(
            name="migrate",
            handler="users.handlers.migrate.handler",
            description="Brings the users database to the newest schema on deploy",
            timeout_seconds=300,
        ),
    ),
    api_function="api",
    migrations_function="migrate",
    authorizer_function="authorizer",
    bootstrap_function="bootstrap-admin",
    resources=(USER_POOL, CREDENTIALS_KEY),
    publishes=(UserRegistered,),
    relay_function="relay-events",
    routes=(
        HttpRoute("POST", "/auth/sign-up", Access.PUBLIC, AUTH_THROTTLE),
        HttpRoute("POST", "/auth/confirm", Access.PUBLIC, AUTH_THROTTLE),
        HttpRoute("POST", "/auth/resend-code", Access.PUBLIC, AUTH_THROTTLE),
        HttpRoute("POST", "/auth/sign-in", Access.PUBLIC, AUTH_THROTTLE),
        HttpRoute("POST", "/auth/sign-in/mfa", Access.PUBLIC, AUTH_THROTTLE),
        HttpRoute("POST", "/auth/sign-in/new-password", Access.PUBLIC, AUTH_THROTTLE),
        HttpRoute("POST", "/auth/refresh", Access.PUBLIC, AUTH_THROTTLE),
        HttpRoute("POST", "/auth/forgot-password", Access.PUBLIC, AUTH_THROTTLE),
        HttpRoute("POST", "/auth/reset-password", Access.PUBLIC, AUTH_THROTTLE),
        HttpRoute("POST", "/auth/sign-out", Access.SELF, AUTH_THROTTLE),
        HttpRoute("POST", "/auth/change-password", Access.SESSION, AUTH_THROTTLE),
        HttpRoute("GET", "/me", Access.SELF),
        HttpRoute("PATCH", "/me", Access.SELF),
        HttpRoute("GET", "/me/mfa", Access.SELF),
        HttpRoute("POST", "/me/mfa/totp", Access.SESSION),
        HttpRoute("POST", "/me/mfa/totp/verify", Access.SESSION),
        HttpRoute("DELETE", "/me/mfa", Access.SESSION),
        HttpRoute("GET", "/me/api-tokens", Access.SELF),
        HttpRoute("POST", "/me/api-tokens", Access.SESSION),
        HttpRoute("DELETE", "/me/api-tokens/{token_id}", Access.SELF),
        HttpRoute("GET", "/me/credentials", Access.SELF),
        HttpRoute("PUT", "/me/credentials/{service_id}", Access.SELF),
        HttpRoute("DELETE", "/me/credentials/{service_id}", Access.SELF),
        HttpRoute("GET", "/users", Access.ADMIN),
        HttpRoute("GET", "/users/{user_id}", Access.ADMIN),
        HttpRoute("PUT", "/users/{user_id}/status", Access.ADMIN_SESSION),
        HttpRoute("GET", "/users/{user_id}/roles", Access.ADMIN),
        HttpRoute("POST", "/users/{user_id}/roles", Access.ADMIN_SESSION),
        HttpRoute("DELETE", "/users/{user_id}/roles/{grant_id}", Access.ADMIN_SESSION),
        HttpRoute("GET", "/audit-log", Access.ADMIN),
    ),
    subscriptions=(EventSubscription(function="audit-recorder", events=(AuditRecorded,)),),
    schedules=(
        Schedule(
            name="relay-events",
            function="relay-events",
            rate_minutes=RELAY_RATE_MINUTES,
            description="Publish the users domain's events still waiting in its outbox",
        ),
    ),
)
