"""In the cloud each domain reads its database credentials from Secrets Manager; when the secret
rotates, new connections pick up the new password instead of failing until a cold start."""

import json

import pytest
from sqlalchemy import text

from fip_core.database import create_domain_engine, resolve_database_url
from fip_core.settings import DatabaseSettings

pytestmark = pytest.mark.postgres


def test_a_rotated_password_is_read_again_when_the_database_refuses(postgres, moto):
    secrets = moto.client("secretsmanager")
    name = f"rotating-{id(postgres)}"
    postgres.execute("CREATE ROLE rotating LOGIN PASSWORD 'first-password-1'")
    try:
        document = {
            "username": "rotating",
            "password": "first-password-1",
            "host": "127.0.0.1",
            "port": postgres.port,
            "dbname": "postgres",
        }
        arn = secrets.create_secret(Name=name, SecretString=json.dumps(document))["ARN"]
        settings = DatabaseSettings(database_secret_arn=arn)
        engine = create_domain_engine(resolve_database_url(settings), settings)
        with engine.connect() as connection:
            assert connection.execute(text("select current_user")).scalar() == "rotating"
        engine.dispose()  # the pooled connection goes; the next one must authenticate again
        postgres.execute("ALTER ROLE rotating PASSWORD 'second-password-2'")
        secrets.put_secret_value(SecretId=arn, SecretString=json.dumps({**document, "password": "second-password-2"}))
        with engine.connect() as connection:
            assert connection.execute(text("select 1")).scalar() == 1
        engine.dispose()
    finally:
        postgres.execute("DROP ROLE IF EXISTS rotating")
