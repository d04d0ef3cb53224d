"""One parameterised factory for the events Lambda functions receive: API Gateway HTTP API v2
requests, EventBridge events, scheduled events and SNS notifications. Tests and the local platform
both use it."""

from __future__ import annotations

import base64
import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from aws_lambda_powertools.utilities.typing import LambdaContext

from local_platform.config import REGION

ACCOUNT = "123456789012"


def http_api_event(
    method: str,
    path: str,
    *,
    route_key: str | None = None,
    path_parameters: dict[str, str] | None = None,
    query: dict[str, str] | str | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
    authorizer: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) request event, as the service sends it."""
    raw_query = query if isinstance(query, str) else urlencode(query or {})
    request_headers = {key.lower(): value for key, value in (headers or {}).items()}
    encoded_body: str | None
    is_base64 = False
    if body is None:
        encoded_body = None
    elif isinstance(body, bytes):
        encoded_body, is_base64 = base64.b64encode(body).decode(), True
    elif isinstance(body, str):
        encoded_body = body
    else:
        encoded_body = json.dumps(body)
        request_headers.setdefault("content-type", "application/json")
    parameters: dict[str, str] = {}
    for key, value in parse_qsl(raw_query, keep_blank_values=True):
        # HTTP APIs join repeated parameters with commas
        parameters[key] = f"{parameters[key]},{value}" if key in parameters else value
    now = datetime.now(UTC)
    context: dict[str, Any] = {
        "accountId": ACCOUNT,
        "apiId": "local",
        "domainName": request_headers.get("host", "localhost"),
        "domainPrefix": "localhost",
        "http": {
            "method": method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": "127.0.0.1",
            "userAgent": request_headers.get("user-agent", ""),
        },
        "requestId": str(uuid.uuid4()),
        "routeKey": route_key or f"{method} {path}",
        "stage": "$default",
        "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "timeEpoch": int(time.time() * 1000),
    }
    if authorizer is not None:
        context["authorizer"] = authorizer
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key or f"{method} {path}",
        "rawPath": path,
        "rawQueryString": raw_query,
        "headers": request_headers,
        "requestContext": context,
        "isBase64Encoded": is_base64,
    }
    if parameters:
        event["queryStringParameters"] = parameters
    if path_parameters:
        event["pathParameters"] = path_parameters
    if encoded_body is not None:
        event["body"] = encoded_body
    return event


def eventbridge_event(detail_type: str, detail: dict[str, Any], source: str) -> dict[str, Any]:
    """An event as an EventBridge rule delivers it to a Lambda target."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": source,
        "account": ACCOUNT,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [],
        "detail": detail,
    }


def scheduled_event(rule_name: str) -> dict[str, Any]:
    """The event a schedule rule delivers."""
    event = eventbridge_event("Scheduled Event", {}, "aws.events")
    event["resources"] = [f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{rule_name}"]
    return event


# SNS names two fields of its envelope differently in an SQS message and in a Lambda event
_SNS_LAMBDA_NAMES = {"SigningCertURL": "SigningCertUrl", "UnsubscribeURL": "UnsubscribeUrl"}


def sns_event(envelope: dict[str, Any], subscription_arn: str) -> dict[str, Any]:
    """The event SNS invokes a subscribed function with, from the envelope it delivers to an SQS queue
    (`Type`, `MessageId`, `TopicArn`, `Message`, `Timestamp`, ...): one record per notification."""
    notification = {_SNS_LAMBDA_NAMES.get(key, key): value for key, value in envelope.items()}
    notification.setdefault("MessageAttributes", {})
    record = {
        "EventVersion": "1.0",
        "EventSubscriptionArn": subscription_arn,
        "EventSource": "aws:sns",
        "Sns": notification,
    }
    return {"Records": [record]}


class LocalLambdaContext(LambdaContext):
    """The context object the Lambda runtime passes a handler, filled in for a local invocation."""

    def __init__(self, function_name: str, request_id: str) -> None:
        self._function_name = function_name
        self._function_version = "$LATEST"
        self._invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function_name}"
        self._memory_limit_in_mb = 512
        self._aws_request_id = request_id
        self._log_group_name = f"/aws/lambda/{function_name}"
        self._log_stream_name = "local"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        """The time a local invocation has left: plenty."""
        return 30_000


def lambda_context(function_name: str = "local-function") -> LambdaContext:
    """A fresh context with its own request id."""
    return LocalLambdaContext(function_name, str(uuid.uuid4()))


def authorizer_event(request: dict[str, Any], identity: str) -> dict[str, Any]:
    """The payload 2.0 event an HTTP API's Lambda authorizer receives for a request."""
    context = request["requestContext"]
    return {
        "version": "2.0",
        "type": "REQUEST",
        "routeArn": (
            f"arn:aws:execute-api:{REGION}:{ACCOUNT}:local/$default/{context['http']['method']}{request['rawPath']}"
        ),
        "identitySource": [identity],
        "routeKey": request["routeKey"],
        "rawPath": request["rawPath"],
        "rawQueryString": request.get("rawQueryString", ""),
        "headers": request.get("headers", {}),
        "queryStringParameters": request.get("queryStringParameters"),
        "pathParameters": request.get("pathParameters"),
        "requestContext": context,
    }
