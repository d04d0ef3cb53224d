"""What the notifications domain exposes: read by the CDK app and by the local platform alike."""

from fip_core.access import Access
from fip_core.declaration import (
    DomainDeclaration,
    EventSubscription,
    FunctionDeclaration,
    HttpRoute,
    InternalCall,
)
from fip_core.platform_events import (
    FileExpiring,
    JobStatusChanged,
    ServiceAtRisk,
    ServiceDeactivated,
    ServiceHealthChanged,
    UserRegistered,
)
from fip_core.resources import EmailIdentitySpec

# Email goes out from the platform's sender, the identity Cognito mails through too; SES's bounces and
# complaints about any of it come back to ses-feedback, which suppresses the address.
MAIL = EmailIdentitySpec(name="mail", send=("on-event",), feedback=("ses-feedback",))
# Recipients' addresses and names, and who the admins are, come from the users domain, never its tables.
CONTACTS = InternalCall(function="on-event", domain="users", target="contacts")

DECLARATION = DomainDeclaration(
    name="notifications",
    functions=(
        FunctionDeclaration(
            name="api",
            handler="notifications.handlers.api.handler",
            description="Notifications HTTP API: the caller's in-app notifications and preferences",
        ),
        FunctionDeclaration(
            name="on-event",
            handler="notifications.handlers.on_event.handler",
            description="Makes one message of each event it subscribes to, then notifies and emails its recipients",
            # a run that leaves email unsent fails after its commit, so Lambda invokes it again (the event
            # is then a duplicate, and what waits is dispatched): no schedule wakes the database for it
            timeout_seconds=60,
        ),
        FunctionDeclaration(
            name="ses-feedback",
            handler="notifications.handlers.ses_feedback.handler",
            description="Suppresses email to addresses SES reports bounced for good or complained (through SNS)",
            timeout_seconds=30,
        ),
        FunctionDeclaration(
            name="migrate",
            handler="notifications.handlers.migrate.handler",
            description="Brings the notifications database to the newest schema on deploy",
            timeout_seconds=300,
        ),
    ),
    api_function="api",
    migrations_function="migrate",
    resources=(MAIL,),
    calls=(CONTACTS,),
    routes=(
        HttpRoute("GET", "/notifications", Access.SELF),
        HttpRoute("GET", "/notifications/unread-count", Access.SELF),
        HttpRoute("POST", "/notifications/read-all", Access.SELF),
        HttpRoute("GET", "/notifications/preferences", Access.SELF),
        HttpRoute("PUT", "/notifications/preferences", Access.SELF),
        HttpRoute("POST", "/notifications/{notification_id}/read", Access.SELF),
        HttpRoute("DELETE", "/notifications/{notification_id}", Access.SELF),
    ),
    subscriptions=(
        EventSubscription("on-event", (ServiceHealthChanged, ServiceAtRisk, ServiceDeactivated), ("fip.registry",)),
        EventSubscription("on-event", (FileExpiring,), ("fip.files",)),
        EventSubscription("on-event", (UserRegistered,), ("fip.users",)),
        EventSubscription("on-event", (JobStatusChanged,), ("fip.jobs",)),
    ),
)
