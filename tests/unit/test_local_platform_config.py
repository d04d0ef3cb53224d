"""The local platform's configuration, and the environment it gives the handlers."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from infra.domains import DOMAINS
from local_platform.aws import AwsEndpoints
from local_platform.config import REPO_ROOT, PlatformConfig, database_location, handler_environment

VARIABLES = (
    "PORT",
    "FIP_STATE_DIR",
    "FIP_SCHEDULE_SECONDS",
    "FIP_SCHEDULES_ENABLED",
    "FIP_MOTO_PORT",
    "AWS_ENDPOINT_URL",
    "POWERTOOLS_LOG_LEVEL",
    "FIP_EVENT_RETRY_SECONDS",
    "FIP_ALLOW_PRIVATE_NETWORKS",
    "FIP_REQUIRE_HTTPS",
    "FIP_LOCAL_AWS",
    "FIP_LOCALSTACK_PORT",
)


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for domain in DOMAINS:
        monkeypatch.delenv(f"{domain.name.upper()}_DATABASE_URL", raising=False)
    return monkeypatch


def test_defaults(clean_environment: pytest.MonkeyPatch) -> None:
    config = PlatformConfig()
    assert config.port == 8000
    assert config.resolved_state_dir == REPO_ROOT / ".state"
    assert config.schedule_seconds == 60
    assert config.schedules_enabled is True
    assert config.moto_port is None
    assert config.aws_endpoint_url is None
    assert config.log_level == "WARNING"
    assert config.local_aws == "moto"


def test_read_from_the_environment(clean_environment: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_environment.setenv("PORT", "9123")
    clean_environment.setenv("FIP_STATE_DIR", str(tmp_path))
    clean_environment.setenv("FIP_SCHEDULE_SECONDS", "0.5")
    clean_environment.setenv("FIP_MOTO_PORT", "5055")
    clean_environment.setenv("AWS_ENDPOINT_URL", "http://localhost:4566")
    clean_environment.setenv("POWERTOOLS_LOG_LEVEL", "debug")
    config = PlatformConfig()
    assert (config.port, config.state_dir, config.schedule_seconds) == (9123, tmp_path, 0.5)
    assert (config.moto_port, config.aws_endpoint_url) == (5055, "http://localhost:4566")
    assert handler_environment(config, DOMAINS, 9123, "http://localhost:4566")["POWERTOOLS_LOG_LEVEL"] == "DEBUG"


@pytest.mark.parametrize(("name", "value"), [("PORT", "http"), ("FIP_SCHEDULE_SECONDS", "0"), ("FIP_MOTO_PORT", "0")])
def test_invalid_values_are_refused(clean_environment: pytest.MonkeyPatch, name: str, value: str) -> None:
    clean_environment.setenv(name, value)
    with pytest.raises(ValueError, match=name.lower().removeprefix("fip_")):
        PlatformConfig()


def test_handler_environment(clean_environment: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = PlatformConfig(state_dir=tmp_path)
    environment = handler_environment(config, DOMAINS, 8123, "http://127.0.0.1:5000")
    assert environment["AWS_ENDPOINT_URL"] == "http://127.0.0.1:5000"
    assert environment["AWS_ACCESS_KEY_ID"] == "testing"
    assert environment["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert environment["AWS_PROFILE"] is None, "a profile would shadow the fake credentials"
    assert environment["POWERTOOLS_TRACE_DISABLED"] == "true"
    assert environment["POWERTOOLS_METRICS_DISABLED"] == "true"
    assert environment["REGISTRY_DATABASE_URL"] == f"sqlite:///{tmp_path}/registry.db"
    assert environment["REGISTRY_PUBLIC_API_URL"] == "http://127.0.0.1:8123"
    assert environment["NOTIFICATIONS_WEB_ORIGIN"] == "http://127.0.0.1:8123"  # links in messages: the console
    # services tried locally often run on this machine, over plain HTTP
    assert environment["FIP_ALLOW_PRIVATE_NETWORKS"] == "true"
    assert environment["FIP_REQUIRE_HTTPS"] == "false"


def test_outbound_calls_are_confined_as_in_the_cloud_when_asked(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("FIP_ALLOW_PRIVATE_NETWORKS", "false")
    clean_environment.setenv("FIP_REQUIRE_HTTPS", "true")
    environment = handler_environment(PlatformConfig(), DOMAINS, 8000, "http://x")
    assert environment["FIP_ALLOW_PRIVATE_NETWORKS"] == "false"
    assert environment["FIP_REQUIRE_HTTPS"] == "true"


def test_a_database_the_user_chose_is_kept(clean_environment: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_environment.setenv("REGISTRY_DATABASE_URL", "postgresql+pg8000://fip:secret@localhost/registry")
    environment = handler_environment(PlatformConfig(state_dir=tmp_path), DOMAINS, 8000, "http://x")
    assert environment["REGISTRY_DATABASE_URL"] == "postgresql+pg8000://fip:secret@localhost/registry"


def test_database_location_for_people() -> None:
    assert database_location("sqlite:////srv/fip/registry.db") == "/srv/fip/registry.db"
    assert database_location("postgresql+pg8000://fip:secret@db/registry") == "postgresql+pg8000://fip:***@db/registry"


def test_localstack_is_started_or_named_not_both(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("FIP_LOCAL_AWS", "localstack")
    clean_environment.setenv("FIP_LOCALSTACK_PORT", "4599")
    config = PlatformConfig()
    assert (config.local_aws, config.localstack_port) == ("localstack", 4599)
    clean_environment.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    with pytest.raises(ValueError, match="unset one of them"):
        PlatformConfig()
    clean_environment.setenv("FIP_LOCAL_AWS", "docker")
    with pytest.raises(ValueError, match="local_aws"):
        PlatformConfig()


def test_cognito_beside_localstack_is_reached_through_the_variable_boto3_reads(
    clean_environment: pytest.MonkeyPatch,
) -> None:
    localstack, moto = "http://127.0.0.1:4566", "http://127.0.0.1:5000"
    environment = AwsEndpoints(localstack, {"cognito-idp": moto}).environment()
    assert environment == {"AWS_ENDPOINT_URL": localstack, "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": moto}
    for name, value in environment.items():
        clean_environment.setenv(name, value)
    # the handlers make their clients without an endpoint, as in Lambda: boto3 picks it per service
    assert boto3.client("cognito-idp").meta.endpoint_url == moto
    assert boto3.client("kms").meta.endpoint_url == localstack
    # the name one might guess from the client's name is not one boto3 reads
    clean_environment.delenv("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER")
    clean_environment.setenv("AWS_ENDPOINT_URL_COGNITO_IDP", moto)
    assert boto3.client("cognito-idp").meta.endpoint_url == localstack
