"""Event delivery to the subscribed functions: a thread per subscription queue long-polls it and
invokes the function with each EventBridge event, as the SQS event source of a Lambda function would
(one event per invocation here, which is how EventBridge itself invokes a function), or with each
SNS notification as SNS's Lambda event, for a queue subscribed to a resource's topic."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from local_platform.aws import SubscriptionQueue
from local_platform.events import sns_event
from local_platform.worker import BackgroundWorker

log = logging.getLogger(__name__)
POLL_WAIT_SECONDS = 2  # short enough for a quick shutdown, long enough to leave the CPU alone
BATCH_SIZE = 10


class SubscriptionPoller(BackgroundWorker):
    """Reads one subscription's queue and hands each event to its function.

    A message is deleted only when the function returned; when it raised, the message comes back
    after `retry_seconds` and, after the queue's receive limit, moves to the dead-letter queue.
    """

    def __init__(self, queue: SubscriptionQueue, sqs: Any, invoke: Callable[[Any], Any], retry_seconds: int) -> None:
        self.queue = queue
        self._sqs = sqs
        self._invoke = invoke
        self._retry_seconds = retry_seconds
        super().__init__(f"events-{queue.queue_name}")

    @property
    def label(self) -> str:
        """`<domain>-<function>`, for status lines."""
        return f"{self.queue.domain}-{self.queue.function}"

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                answer = self._sqs.receive_message(
                    QueueUrl=self.queue.queue_url,
                    MaxNumberOfMessages=BATCH_SIZE,
                    WaitTimeSeconds=POLL_WAIT_SECONDS,
                    AttributeNames=["ApproximateReceiveCount"],
                )
            except Exception as error:
                if self._stopping.is_set():
                    return
                log.warning("! events for %s: cannot read %s: %s", self.label, self.queue.queue_name, error)
                self._stopping.wait(POLL_WAIT_SECONDS)
                continue
            for message in answer.get("Messages", []):
                if self._stopping.is_set():
                    return  # undelivered messages come back once their visibility timeout ends
                self.deliver(message)

    def deliver(self, message: dict[str, Any]) -> bool:
        """Invoke the function with one message's event; answer whether it succeeded (and was deleted)."""
        started = time.perf_counter()
        detail_type = "?"
        try:
            event = json.loads(message["Body"])
            if self.queue.topic_arn:
                detail_type = f"sns {event.get('Type', '?')}"
                event = sns_event(event, self.queue.rule_name)
            else:
                detail_type = str(event.get("detail-type", "?"))
            self._invoke(event)
        except Exception:
            attempt = message.get("Attributes", {}).get("ApproximateReceiveCount", "?")
            log.exception(
                "! events for %s: %s failed (try %s); retry in %s s",
                self.label,
                detail_type,
                attempt,
                self._retry_seconds,
            )
            self._retry_later(message)
            return False
        self._sqs.delete_message(QueueUrl=self.queue.queue_url, ReceiptHandle=message["ReceiptHandle"])
        log.info("[event] %s <- %s: ok in %.2f s", self.label, detail_type, time.perf_counter() - started)
        return True

    def _retry_later(self, message: dict[str, Any]) -> None:
        try:
            self._sqs.change_message_visibility(
                QueueUrl=self.queue.queue_url,
                ReceiptHandle=message["ReceiptHandle"],
                VisibilityTimeout=self._retry_seconds,
            )
        except Exception as error:
            # the queue's own visibility timeout brings the message back later instead
            log.warning("! events for %s: could not schedule the retry: %s", self.label, error)
