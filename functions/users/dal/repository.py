"""The users repository: one transaction over the domain's tables, one small class per aggregate."""

from __future__ import annotations

from sqlalchemy.orm import Session

from fip_core.audit import AuditRecord
from fip_core.events import Outbox
from fip_core.repository import DomainRepository
from users.dal.audit import AuditLog
from users.dal.credentials import Credentials
from users.dal.grants import RoleGrants
from users.dal.tokens import ApiTokens
from users.dal.users import Users


class UsersRepository(DomainRepository):
    """Reads and writes the users domain's tables inside one transaction (the caller's session), with
    its outbox: `users`, `grants`, `tokens`, `credentials` and `audit_log`, each a small class."""

    def __init__(self, session: Session, outbox: Outbox) -> None:
        super().__init__(session, outbox)
        self.users = Users(session, self._flush)
        self.grants = RoleGrants(session, self._flush)
        self.tokens = ApiTokens(session, self._flush)
        self.credentials = Credentials(session, self._flush)
        self.audit_log = AuditLog(session, self._flush)

    def audit(self, record: AuditRecord, entry_id: str | None = None) -> bool:
        """Append to the audit log (see `AuditLog.add`); what the audit recorder and every action call."""
        return self.audit_log.add(record, entry_id)
