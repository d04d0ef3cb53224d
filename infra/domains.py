"""The domains of the platform, as they declare themselves. Both the CDK app and the local
platform build everything from this list."""

from files.declaration import DECLARATION as FILES
from fip_core.declaration import DomainDeclaration
from jobs.declaration import DECLARATION as JOBS
from monitoring.declaration import DECLARATION as MONITORING
from notifications.declaration import DECLARATION as NOTIFICATIONS
from registry.declaration import DECLARATION as REGISTRY
from users.declaration import DECLARATION as USERS

DOMAINS: tuple[DomainDeclaration, ...] = (USERS, REGISTRY, FILES, JOBS, NOTIFICATIONS, MONITORING)
