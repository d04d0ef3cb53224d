"""What the local platform is told by its environment, and the environment it gives the handlers."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from fip_core.declaration import DomainDeclaration
from fip_core.settings import database_settings, env_prefix

REPO_ROOT = Path(__file__).resolve().parent.parent
REGION = "eu-west-1"
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


class PlatformConfig(BaseSettings):
    """How to run the platform: ports, where its state lives, how often schedules fire."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    port: int = Field(default=8000, ge=0, le=65535, validation_alias=AliasChoices("port", "PORT"))
    state_dir: Path = Field(
        default=REPO_ROOT / ".state",
        validation_alias=AliasChoices("state_dir", "FIP_STATE_DIR"),
        description="SQLite databases of the domains live here.",
    )
    web_dist: Path = Field(
        default=REPO_ROOT / "web" / "dist",
        validation_alias=AliasChoices("web_dist", "FIP_WEB_DIST"),
        description="The built web console (`make web`), served at `/`.",
    )
    schedule_seconds: float = Field(
        default=60.0,
        gt=0,
        validation_alias=AliasChoices("schedule_seconds", "FIP_SCHEDULE_SECONDS"),
        description="Local interval of every schedule, whatever its rate in the cloud.",
    )
    schedules_enabled: bool = Field(
        default=True,
        validation_alias=AliasChoices("schedules_enabled", "FIP_SCHEDULES_ENABLED"),
        description="Whether the schedules fire at all (off for a fuzzing run, which must call nothing outside).",
    )
    moto_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        validation_alias=AliasChoices("moto_port", "FIP_MOTO_PORT"),
        description="Port of the moto server; a free one when unset.",
    )
    aws_endpoint_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("aws_endpoint_url", "AWS_ENDPOINT_URL"),
        description="An AWS emulator already running that serves every service; moto is not started then.",
    )
    local_aws: Literal["moto", "localstack"] = Field(
        default="moto",
        validation_alias=AliasChoices("local_aws", "FIP_LOCAL_AWS"),
        description="What emulates AWS: moto in this process, or LocalStack (started and stopped with the "
        "platform) with Cognito on moto.",
    )
    localstack_python: Path = Field(
        default=REPO_ROOT / ".venv-localstack" / "bin" / "python",
        validation_alias=AliasChoices("localstack_python", "FIP_LOCALSTACK_PYTHON"),
        description="The Python of LocalStack's virtual environment (made by `make localstack`).",
    )
    localstack_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        validation_alias=AliasChoices("localstack_port", "FIP_LOCALSTACK_PORT"),
        description="Port of LocalStack; a free one when unset.",
    )
    log_level: str = Field(default="WARNING", validation_alias=AliasChoices("log_level", "POWERTOOLS_LOG_LEVEL"))
    event_retry_seconds: int = Field(
        default=10,
        ge=0,
        le=43_200,
        validation_alias=AliasChoices("event_retry_seconds", "FIP_EVENT_RETRY_SECONDS"),
        description="A subscriber that failed sees the event again after this long.",
    )

    allow_private_networks: bool = Field(
        default=True,
        validation_alias=AliasChoices("allow_private_networks", "FIP_ALLOW_PRIVATE_NETWORKS"),
        description="Let health checks reach services on this machine or this network; false refuses them as "
        "the cloud does.",
    )
    require_https: bool = Field(
        default=False,
        validation_alias=AliasChoices("require_https", "FIP_REQUIRE_HTTPS"),
        description="Refuse plain http:// service URLs, as the cloud does.",
    )

    mail_from: str = Field(
        default="no-reply@example.org",
        validation_alias=AliasChoices("mail_from", "FIP_MAIL_FROM"),
        description="The address the platform's email is sent from (verified in the emulator's SES, which keeps it).",
    )

    admin_email: str = Field(
        default="admin@example.org",
        validation_alias=AliasChoices("admin_email", "FIP_ADMIN_EMAIL"),
        description="The first admin, created at start.",
    )
    admin_password: str = Field(
        default="Local-admin-2026",
        min_length=12,
        validation_alias=AliasChoices("admin_password", "FIP_ADMIN_PASSWORD"),
        description="Their password: for this machine only.",
    )

    @model_validator(mode="after")
    def _one_emulator(self) -> Self:
        if self.aws_endpoint_url and self.local_aws == "localstack":
            raise ValueError(
                "AWS_ENDPOINT_URL names an emulator already running and FIP_LOCAL_AWS=localstack starts one: "
                "unset one of them"
            )
        return self

    @property
    def resolved_state_dir(self) -> Path:
        """The state folder as an absolute path."""
        return self.state_dir.expanduser().resolve()


def database_url(domain: DomainDeclaration, config: PlatformConfig) -> str:
    """The domain's database: the URL the user set, else a SQLite file in the state folder."""
    return database_settings(domain.name).database_url or f"sqlite:///{config.resolved_state_dir / domain.name}.db"


def database_location(url: str) -> str:
    """Where a database is, for people: the file of a SQLite URL, the URL without password otherwise."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    return parsed.render_as_string(hide_password=True)


def handler_environment(
    config: PlatformConfig, domains: tuple[DomainDeclaration, ...], gateway_port: int, aws_endpoint: str
) -> dict[str, str | None]:
    """The variables the handlers read, as a Lambda function's configuration would set them; None
    removes a variable."""
    environment: dict[str, str | None] = {
        # a profile would take the place of the fake credentials, or fail when it does not exist here
        "AWS_PROFILE": None,
        "AWS_DEFAULT_PROFILE": None,
        **FAKE_CREDENTIALS,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL": aws_endpoint,
        "AWS_EC2_METADATA_DISABLED": "true",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": config.log_level.upper(),
        # locally the services people try are often on this machine, over plain HTTP (see fip_core.outbound)
        "FIP_ALLOW_PRIVATE_NETWORKS": str(config.allow_private_networks).lower(),
        "FIP_REQUIRE_HTTPS": str(config.require_https).lower(),
    }
    for domain in domains:
        prefix = env_prefix(domain.name)
        environment[f"{prefix}DATABASE_URL"] = database_url(domain, config)
        environment[f"{prefix}PUBLIC_API_URL"] = f"http://127.0.0.1:{gateway_port}"
        environment[f"{prefix}WEB_ORIGIN"] = f"http://127.0.0.1:{gateway_port}"  # the console is served at /
    return environment


def forget_database(url: str) -> None:
    """Delete a SQLite database file (and its WAL files); other databases are left alone."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return
    for suffix in ("", "-wal", "-shm"):
        Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
