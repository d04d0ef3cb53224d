"""What moto 5.2.5 lacks of the AWS calls the platform makes, added to its server wherever the local
platform (or the test suite) runs it.

- Cognito's ResendConfirmationCode is not implemented (moto answers any call of it with a server
  error). Added as Cognito answers it for an app client with PreventUserExistenceErrors enabled
  (developer guide, "Managing user existence error responses"): a delivery for an unconfirmed
  account, a simulated one for an unknown or disabled account, InvalidParameterException for a
  confirmed one. Like moto's own codes, nothing is emailed: locally any code confirms."""

from __future__ import annotations

from moto.cognitoidp.exceptions import InvalidParameterException, ResourceNotFoundError
from moto.cognitoidp.models import UserStatus, cognitoidp_backends, find_account_region_by_value
from moto.cognitoidp.responses import CognitoIdpResponse
from moto.core.responses import ActionResult

_DELIVERY = {"DeliveryMedium": "EMAIL", "AttributeName": "email"}


def _resend_confirmation_code(self: CognitoIdpResponse) -> ActionResult:
    client_id, username = self._get_param("ClientId"), self._get_param("Username")
    account, region = find_account_region_by_value("client_id", client_id, fallback=(self.current_account, self.region))
    pool = next((p for p in cognitoidp_backends[account][region].user_pools.values() if client_id in p.clients), None)
    if pool is None:
        raise ResourceNotFoundError(client_id)
    user = pool._get_user(username)  # noqa: SLF001 - moto's own lookup by user name or alias
    if user is not None and user.enabled and user.status is not UserStatus.UNCONFIRMED:
        raise InvalidParameterException("User is already confirmed.")
    return ActionResult({"CodeDeliveryDetails": {"Destination": "a***@e***", **_DELIVERY}})


def fill_moto_gaps() -> None:
    """Teach this process's moto what the platform calls and it lacks (once; a later moto's own wins)."""
    if not hasattr(CognitoIdpResponse, "resend_confirmation_code"):
        CognitoIdpResponse.resend_confirmation_code = _resend_confirmation_code  # type: ignore[attr-defined]
