"""What the files domain's tests share: callers, uploads through the presigned URLs with httpx, and S3's
own `Object Created` events, read from a queue behind the files domain's rule on the default bus."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from files.declaration import DECLARATION as FILES
from fip_core.access import Grant, Principal, Role
from local_platform.aws import ensure_queue, queue_arn
from tests.support.api import ApiAnswer, invoke_api
from tests.support.moto_server import MotoServer

ALICE = Principal(user_id="alice-0001", method="cognito", grants=[Grant(role=Role.RESEARCHER)])
BOB = Principal(user_id="bob-0002", method="cognito", grants=[Grant(role=Role.RESEARCHER)])
ADMIN = Principal(user_id="admin-0003", method="cognito", grants=[Grant(role=Role.ADMIN)])
BUCKET = "fip-files-store"


def api(method: str, path: str, caller: Principal, body: Any = None, query: dict[str, str] | None = None) -> ApiAnswer:
    """Call the files API in-process as `caller`."""
    return invoke_api(method, path, body=body, query=query, principal=caller)


def put_parts(plan: dict[str, Any], data: bytes, numbers: list[int] | None = None) -> list[dict[str, Any]]:
    """PUT the parts of `data` (all, or those `numbers`) to their presigned URLs, as a browser would;
    the parts as the completion lists them."""
    size = plan["part_size"]
    done = []
    with httpx.Client(timeout=30) as client:
        for part in plan["parts"]:
            number = part["part_number"]
            if numbers is not None and number not in numbers:
                continue
            answer = client.put(part["url"], content=data[(number - 1) * size : number * size])
            assert answer.status_code == 200, answer.text
            done.append({"part_number": number, "etag": answer.headers["etag"]})
    return done


def upload(caller: Principal, name: str, data: bytes, **declared: Any) -> str:
    """A file uploaded and completed through the API; its id."""
    created = api("POST", "/files", caller, {"filename": name, "size_bytes": len(data), **declared})
    assert created.status == 201, created.body
    parts = put_parts(created.body["upload"], data)
    completed = api("POST", f"/files/{created.body['id']}/complete", caller, {"parts": parts})
    assert completed.status == 200, completed.body
    return str(created.body["id"])


@dataclass
class S3Events:
    """S3's events about the files bucket, as the files domain's rule on the default bus picks them."""

    moto: MotoServer
    queue_url: str = ""

    def start(self) -> S3Events:
        """Route the bucket's events (the declared pattern) to a fresh queue."""
        events, sqs = self.moto.client("events"), self.moto.client("sqs")
        self.queue_url = ensure_queue(sqs, "files-test-s3-events", {})
        pattern = FILES.aws_subscriptions[0].pattern(BUCKET)
        events.put_rule(Name="files-test-s3-events", EventBusName="default", EventPattern=json.dumps(pattern))
        events.put_targets(
            Rule="files-test-s3-events",
            EventBusName="default",
            Targets=[{"Id": "queue", "Arn": queue_arn(sqs, self.queue_url)}],
        )
        return self

    def take(self) -> list[dict[str, Any]]:
        """The events that arrived since last asked, oldest first."""
        sqs, taken = self.moto.client("sqs"), []
        while messages := sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages"):
            for message in messages:
                taken.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return taken


def deliver(events: list[dict[str, Any]]) -> list[str]:
    """Hand S3's events to the validate function, as Lambda would; the outcomes."""
    from files.handlers.validate import handler
    from local_platform.events import lambda_context

    return [handler(event, lambda_context("files-validate"))["outcome"] for event in events]
