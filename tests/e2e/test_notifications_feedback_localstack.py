"""SES's feedback on LocalStack: the local platform makes the configuration set, its bounce and complaint
destination and the feedback topic in LocalStack as in moto, and a complaint published to the topic in
SES's event-record shape reaches `ses-feedback` through the topic's queue, which suppresses the address.
(LocalStack keeps what SES sent at `/_aws/ses`, not at `/_local/emails`: the email side of a bounce is
tests/e2e/test_notifications_domain.py's, on moto.)"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from infra.domains import DOMAINS
from infra.resources.email_identity import CONFIGURATION_SET
from local_platform.aws import aws_client
from local_platform.platform import LocalPlatform
from notifications.dal.unit_of_work import notifications_reading
from notifications.declaration import MAIL
from tests.support.platform_process import eventually, platform_in_process

pytestmark = pytest.mark.e2e

DEADLINE_SECONDS = 60


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPlatform]:
    """The shipped domains on LocalStack (Cognito on moto)."""
    state = tmp_path_factory.mktemp("state")
    with platform_in_process(DOMAINS, "localstack", state, schedules_enabled=False, event_retry_seconds=0) as running:
        yield running


def test_a_complaint_published_to_the_feedback_topic_suppresses_the_address(platform):
    ses = aws_client("ses", platform.aws_endpoint)
    assert ses.describe_configuration_set(ConfigurationSetName=CONFIGURATION_SET)["ConfigurationSet"]["Name"]
    address = f"complainer-{uuid.uuid4().hex[:8]}@example.org"
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    complaint = {  # https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-examples.html
        "eventType": "Complaint",
        "complaint": {
            "complainedRecipients": [{"emailAddress": address}],
            "timestamp": now,
            "feedbackId": f"0100{uuid.uuid4().hex}-000000",
            "userAgent": "Mozilla/5.0",
            "complaintFeedbackType": "abuse",
            "arrivalDate": now,
        },
        "mail": {"timestamp": now, "messageId": f"{uuid.uuid4().hex}-000000", "destination": [address]},
    }
    topic = platform.resources.topic_arn("notifications", MAIL)
    aws_client("sns", platform.aws_endpoint).publish(TopicArn=topic, Message=json.dumps(complaint))

    def suppressed() -> bool | None:
        with notifications_reading() as repo:
            return repo.suppressions.suppressed(address) or None

    assert eventually(suppressed, DEADLINE_SECONDS, "the address suppressed")
