"""What moto 5.2.5 lacks or gets wrong of the AWS calls the platform makes, mended in its server
wherever the local platform (or the test suite) runs it.

- Cognito's ResendConfirmationCode is not implemented (moto answers any call of it with a server
  error). Added as Cognito answers it for an app client with PreventUserExistenceErrors enabled
  (developer guide, "Managing user existence error responses"): a delivery for an unconfirmed
  account, a simulated one for an unknown or disabled account, InvalidParameterException for a
  confirmed one. Like moto's own codes, nothing is emailed: locally any code confirms.
- S3's events to EventBridge (moto/s3/notifications.py, `_send_event_bridge_message`) are sent as
  S3 sends them (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html): moto gives
  every event the same id (the documentation's example), so a subscriber applying each event once
  would apply only the first; it names the ETag `eTag` where S3 writes `etag`, sends `version-id:
  "null"` for an unversioned bucket where S3 sends none, gives `reason` as `ObjectCreated` where S3
  names the operation (`PutObject`, `CompleteMultipartUpload`...), delivers to the rules of every
  bus where S3 sends to the default bus only, and sends two `Object Created` events for one
  completed multipart upload (its completion stores the object through `put_object`, which sends
  one of its own). The first five are mended in the event; the second event of a completion is not
  sent to EventBridge (moto's queue, topic and function notifications are left as they are: the
  platform uses none).
"""

from __future__ import annotations

import copy
import threading
import uuid
from collections.abc import Callable
from typing import Any, cast

from moto.cognitoidp.exceptions import InvalidParameterException, ResourceNotFoundError
from moto.cognitoidp.models import UserStatus, cognitoidp_backends, find_account_region_by_value
from moto.cognitoidp.responses import CognitoIdpResponse
from moto.core.responses import ActionResult
from moto.core.utils import unix_time
from moto.events.models import events_backends
from moto.events.utils import _BASE_EVENT_MESSAGE
from moto.s3 import notifications
from moto.s3.models import S3Backend
from moto.s3.notifications import S3NotificationEvent

_DELIVERY = {"DeliveryMedium": "EMAIL", "AttributeName": "email"}
DEFAULT_BUS = "default"
# What S3 names as the `reason` of an event, by moto's notification (S3's user guide, "EventBridge event
# message structure")
S3_REASONS = {
    S3NotificationEvent.OBJECT_CREATED_PUT_EVENT: "PutObject",
    S3NotificationEvent.OBJECT_CREATED_POST_EVENT: "POST Object",
    S3NotificationEvent.OBJECT_CREATED_COPY_EVENT: "CopyObject",
    S3NotificationEvent.OBJECT_CREATED_COMPLETE_MULTIPART_UPLOAD_EVENT: "CompleteMultipartUpload",
    S3NotificationEvent.OBJECT_REMOVED_DELETE_EVENT: "DeleteObject",
    S3NotificationEvent.OBJECT_REMOVED_DELETE_MARKER_CREATED_EVENT: "DeleteObject",
}
_completing = threading.local()  # set while moto completes a multipart upload in this thread


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


def s3_event(account_id: str, bucket: Any, event_name: str, key: Any) -> dict[str, Any]:
    """The EventBridge event S3 sends for a change to one object."""
    event: dict[str, Any] = dict(copy.deepcopy(_BASE_EVENT_MESSAGE))
    obj: dict[str, Any] = {"key": key.name, "size": key.size, "etag": key.etag.replace('"', "")}
    if key.version_id and key.version_id != "null":
        obj["version-id"] = key.version_id
    obj["sequencer"] = f"{int(unix_time() * 1_000_000):016X}"
    detail: dict[str, Any] = {
        "version": "0",
        "bucket": {"name": bucket.name},
        "object": obj,
        "request-id": uuid.uuid4().hex[:16].upper(),
        "requester": account_id,
        "source-ip-address": "127.0.0.1",
    }
    if event_name in S3_REASONS:
        detail["reason"] = S3_REASONS[S3NotificationEvent(event_name)]
    event |= {
        "id": str(uuid.uuid4()),
        "detail-type": notifications._detail_type(event_name),  # noqa: SLF001 - moto's own mapping, which is right
        "source": "aws.s3",
        "account": account_id,
        "time": unix_time(),  # moto's rule targets write it as an ISO 8601 time
        "region": bucket.region_name,
        "resources": [bucket.arn],
        "detail": detail,
    }
    return event


def _send_event_bridge_message(account_id: str, bucket: Any, event_name: str, key: Any) -> None:
    if getattr(_completing, "active", False) and event_name == S3NotificationEvent.OBJECT_CREATED_PUT_EVENT:
        return  # the completion sends its own event
    event = s3_event(account_id, bucket, event_name, key)
    default_bus = events_backends[account_id][bucket.region_name].event_buses.get(DEFAULT_BUS)
    for rule in (default_bus.rules if default_bus is not None else {}).values():
        rule.send_to_targets(cast(Any, event), transform_input=False)


def _completing_multipart_upload(complete: Callable[..., Any]) -> Callable[..., Any]:
    def complete_multipart_upload(self: S3Backend, *args: Any, **kwargs: Any) -> Any:
        _completing.active = True
        try:
            return complete(self, *args, **kwargs)
        finally:
            _completing.active = False

    complete_multipart_upload.mended = True  # type: ignore[attr-defined]
    return complete_multipart_upload


def fill_moto_gaps() -> None:
    """Teach this process's moto what the platform calls and it lacks or gets wrong (once; a later
    moto's own Cognito call wins)."""
    if not hasattr(CognitoIdpResponse, "resend_confirmation_code"):
        CognitoIdpResponse.resend_confirmation_code = _resend_confirmation_code  # type: ignore[attr-defined]
    notifications._send_event_bridge_message = _send_event_bridge_message  # noqa: SLF001 - moto's own hook
    if not getattr(S3Backend.complete_multipart_upload, "mended", False):
        S3Backend.complete_multipart_upload = _completing_multipart_upload(S3Backend.complete_multipart_upload)  # type: ignore[method-assign]
