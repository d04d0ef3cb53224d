"""A domain made up for the tests (not shipped), declaring what the next domains will, with the real
users and registry domains beside it (`PLATFORM`): a bucket that browsers upload to through presigned
URLs, single or multipart; a subscription to that bucket's `Object Created` events (AWS's, on the
default bus); a subscription to another domain's event (the registry's `ServiceHealthChanged`, read
with its model); a call to the users domain's internal `credentials` function; and an email identity
it sends a receipt through. Its functions record what they received, for the test to read
(`RECORDER`); it has no database.

docs/adding-a-domain.md shows the same declarations for a real domain.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from fip_core import calls
from fip_core.access import Access
from fip_core.aws import aws_client
from fip_core.declaration import DomainDeclaration, EventSubscription, FunctionDeclaration, HttpRoute, InternalCall
from fip_core.http import api_handler, create_resolver, current_principal
from fip_core.observability import observability
from fip_core.platform_events import EventMetadata, ServiceHealthChanged
from fip_core.problems import ForbiddenError
from fip_core.resources import AwsEventSubscription, BucketSpec, EmailIdentitySpec
from registry.declaration import DECLARATION as REGISTRY
from users.declaration import DECLARATION as USERS

DOMAIN = "intake"
URL_SECONDS = 900  # how long a presigned URL lasts
RECEIPTS_TO = "intake-receipts@example.org"

INBOX = BucketSpec(name="inbox", retention_days=7, presign=("api",), read=("on-upload",))
MAIL = EmailIdentitySpec(name="mail", send=("on-upload",))
CREDENTIALS = InternalCall(function="api", domain="users", target="credentials")


def _function(name: str, handler: str, description: str) -> FunctionDeclaration:
    return FunctionDeclaration(name=name, handler=f"{__name__}.{handler}", description=description, timeout_seconds=10)


DECLARATION = DomainDeclaration(
    name=DOMAIN,
    functions=(
        _function("api", "handler", "Presigns uploads to the inbox; asks the users domain for a stored token"),
        _function("migrate", "migrate", "Nothing to migrate"),
        _function("on-upload", "on_upload", "Reads each object created in the inbox and mails a receipt"),
        _function("on-health", "on_health", "Records the registry's health changes"),
    ),
    api_function="api",
    migrations_function="migrate",
    routes=(
        HttpRoute("POST", "/intake/objects", Access.SIGNED_IN),
        HttpRoute("POST", "/intake/uploads", Access.SIGNED_IN),
        HttpRoute("POST", "/intake/uploads/complete", Access.SIGNED_IN),
        HttpRoute("POST", "/intake/credentials", Access.SIGNED_IN),
    ),
    resources=(INBOX, MAIL),
    subscriptions=(EventSubscription("on-health", (ServiceHealthChanged,), ("fip.registry",)),),
    aws_subscriptions=(AwsEventSubscription("on-upload", INBOX, ("Object Created",)),),
    calls=(CREDENTIALS,),
)


def users_called_only_by(*callers: str) -> DomainDeclaration:
    """The users domain as shipped, its internal functions callable only by `callers` among the
    domains that allow themselves: a platform made of fewer domains than the shipped one."""
    functions = tuple(
        replace(function, callers=tuple(c for c in function.callers if c in callers)) for function in USERS.functions
    )
    return replace(USERS, functions=functions)


def _users_letting_intake_call_credentials() -> DomainDeclaration:
    """The users domain as shipped, with its `credentials` function allowing this domain to call it:
    the other side of `CREDENTIALS`, which a shipped declaration would say itself. The shipped
    domains that call users' functions are not in this platform, so their permissions are not either."""
    users = users_called_only_by()
    functions = tuple(
        replace(function, callers=(*function.callers, DOMAIN)) if function.name == CREDENTIALS.target else function
        for function in users.functions
    )
    return replace(users, functions=functions)


PLATFORM: tuple[DomainDeclaration, ...] = (_users_letting_intake_call_credentials(), REGISTRY, DECLARATION)


class IntakeSettings(BaseSettings):
    """What the functions are told about the domain's resources."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore", frozen=True)

    inbox_bucket: str = Field(description="The bucket browsers upload to.")
    mail_sender: str = Field(description="The address receipts are sent from.")


@dataclass
class Recorder:
    """What the functions received, shared with the test."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    uploads: list[dict[str, Any]] = field(default_factory=list)
    health: list[tuple[EventMetadata, ServiceHealthChanged]] = field(default_factory=list)

    def reset(self) -> None:
        """Forget everything recorded."""
        with self.lock:
            self.uploads.clear()
            self.health.clear()


RECORDER = Recorder()
obs = observability(DOMAIN)
app = create_resolver(obs)


class NewObject(BaseModel):
    """An object to upload in one PUT, or in `parts` parts."""

    name: str = Field(pattern=r"^[A-Za-z0-9._-]{1,100}$")
    parts: int = Field(default=1, ge=1, le=10)


class UploadedPart(BaseModel):
    """A part as S3 answered its PUT."""

    part_number: int = Field(ge=1, le=10)
    etag: str


class Completion(BaseModel):
    """A multipart upload whose parts are all uploaded."""

    key: str
    upload_id: str
    parts: list[UploadedPart]


class StoredTokenQuery(BaseModel):
    """Which of the caller's stored tokens to ask the users domain about."""

    service_id: str


def _key(name: str) -> str:
    return f"{current_principal(app).user_id}/{name}"  # each caller uploads under their own prefix


@app.post("/intake/objects")
def presign_object(new: NewObject) -> dict[str, Any]:
    """A presigned PUT for a new object under the caller's prefix."""
    key = _key(new.name)
    url = aws_client("s3").generate_presigned_url(
        "put_object", Params={"Bucket": IntakeSettings().inbox_bucket, "Key": key}, ExpiresIn=URL_SECONDS
    )
    return {"key": key, "url": url}


@app.post("/intake/uploads")
def presign_upload(new: NewObject) -> dict[str, Any]:
    """A multipart upload of a new object under the caller's prefix, with a presigned PUT per part."""
    s3, bucket, key = aws_client("s3"), IntakeSettings().inbox_bucket, _key(new.name)
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    urls = [
        s3.generate_presigned_url(
            "upload_part",
            Params={"Bucket": bucket, "Key": key, "UploadId": upload_id, "PartNumber": number},
            ExpiresIn=URL_SECONDS,
        )
        for number in range(1, new.parts + 1)
    ]
    return {"key": key, "upload_id": upload_id, "urls": urls}


@app.post("/intake/uploads/complete")
def complete_upload(completion: Completion) -> dict[str, Any]:
    """Complete one of the caller's multipart uploads."""
    if not completion.key.startswith(_key("")):
        raise ForbiddenError("you may complete your own uploads only")
    parts = [{"PartNumber": part.part_number, "ETag": part.etag} for part in completion.parts]
    aws_client("s3").complete_multipart_upload(
        Bucket=IntakeSettings().inbox_bucket,
        Key=completion.key,
        UploadId=completion.upload_id,
        MultipartUpload={"Parts": parts},
    )
    return {"completed": True}


@app.post("/intake/credentials")
def stored_token(query: StoredTokenQuery) -> dict[str, Any]:
    """Whether the caller stored a token for a service, asked of the users domain through the declared call;
    the token's SHA-256 rather than the token."""
    answer = calls.invoke(
        DOMAIN, CREDENTIALS, {"user_id": current_principal(app).user_id, "service_id": query.service_id}
    )
    token = answer.get("token")
    return {"found": token is not None, "token_sha256": hashlib.sha256(token.encode()).hexdigest() if token else None}


handler = api_handler(app, obs, DECLARATION)


def migrate(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Nothing to migrate."""
    return {"domain": DOMAIN, "revision": "none"}


def on_upload(event: dict[str, Any], context: Any) -> None:
    """Read the object an `Object Created` event names, mail a receipt from the domain's sender, record both."""
    settings = IntakeSettings()
    detail = event["detail"]
    body = aws_client("s3").get_object(Bucket=settings.inbox_bucket, Key=detail["object"]["key"])["Body"].read()
    mail = aws_client("ses").send_email(
        Source=settings.mail_sender,
        Destination={"ToAddresses": [RECEIPTS_TO]},
        Message={
            "Subject": {"Data": f"Received {detail['object']['key']}"},
            "Body": {"Text": {"Data": f"{len(body)} bytes"}},
        },
    )
    with RECORDER.lock:
        RECORDER.uploads.append({"event": event, "content": body, "mail_id": mail["MessageId"]})


def on_health(event: dict[str, Any], context: Any) -> None:
    """Record a `ServiceHealthChanged`, read with the publisher's model."""
    metadata = EventMetadata.model_validate(event["detail"]["metadata"])
    changed = ServiceHealthChanged.model_validate(event["detail"]["data"])
    with RECORDER.lock:
        RECORDER.health.append((metadata, changed))
