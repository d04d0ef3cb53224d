"""Email through SES (API v1 `SendRawEmail`, which moto and LocalStack answer as SES does), from the
platform's sender, with the configuration set when one is configured."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from fip_core.aws import aws_client
from fip_core.container import per_container
from notifications.logic.ports import MailRefusedError, MailUnavailableError
from notifications.settings import notifications_settings

# SES's answers that a retry would not change: the message, the sender or the configuration is wrong.
REFUSALS = frozenset(
    {
        "MessageRejected",
        "MailFromDomainNotVerifiedException",
        "ConfigurationSetDoesNotExist",
        "ConfigurationSetSendingPausedException",
        "AccountSendingPausedException",
        "InvalidParameterValue",
    }
)


class SesMailer:
    """Sends one email through SES; SES's errors become the domain's."""

    def __init__(self, client: Any, sender: str, configuration_set: str) -> None:
        self.client = client
        self.sender = sender
        self.configuration_set = configuration_set

    def send(self, to: str, subject: str, text: str, html: str) -> str:
        """Send one email, its text and HTML as alternatives of one MIME message; SES's message id."""
        message = EmailMessage()
        try:
            message["From"] = self.sender
            message["To"] = to
            message["Subject"] = subject
        except ValueError as error:  # a header that would break out of its line: never sent
            raise MailRefusedError(f"not a valid header: {error}") from error
        message["Date"] = format_datetime(datetime.now(UTC))
        message.set_content(text)
        message.add_alternative(html, subtype="html")
        extra = {"ConfigurationSetName": self.configuration_set} if self.configuration_set else {}
        try:
            # SendRawEmail rather than SendEmail: the same identity and configuration set, and moto keeps
            # both parts of what it was given (its SendEmail keeps only one body)
            answer = self.client.send_raw_email(Source=self.sender, RawMessage={"Data": message.as_bytes()}, **extra)
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            reason = f"SES {code}: {error.response.get('Error', {}).get('Message', '')}"
            if code in REFUSALS:
                raise MailRefusedError(reason) from error
            raise MailUnavailableError(reason) from error
        except BotoCoreError as error:
            raise MailUnavailableError(f"SES unreachable: {type(error).__name__}") from error
        return str(answer["MessageId"])


@per_container
def ses_mailer() -> SesMailer:
    """The mailer of the platform's sender, made once per container."""
    settings = notifications_settings()
    return SesMailer(aws_client("ses"), settings.mail_sender, settings.mail_configuration_set)
