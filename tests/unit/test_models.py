"""What the registry accepts, and the messages it gives for what it does not."""

import re

import pytest
from pydantic import ValidationError

from registry.models.common import PROBE_ERRORS
from registry.models.health import ConnectionTest, ProbeOutcome
from registry.models.panels import PanelCreate, PanelUpdate
from registry.models.services import ServiceCreate, ServiceUpdate

VALID = {"name": "H3Africa", "slug": "h3africa", "api_type": "michigan", "base_url": "https://impute.afrigen-d.org/"}


def problems(error: ValidationError) -> dict[str, str]:
    return {".".join(str(p) for p in e["loc"]): e["msg"] for e in error.errors()}


def test_a_minimal_service_gets_sensible_defaults():
    service = ServiceCreate.model_validate(VALID)
    assert service.base_url == "https://impute.afrigen-d.org"
    assert [b.value for b in service.supported_builds] == ["hg19", "hg38"]
    assert service.is_active
    assert not service.requires_user_token


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("base_url", "https://user:secret@impute.example.org", "must not contain credentials"),
        ("base_url", "https://impute.example.org/?token=x", "without query string"),
        ("base_url", "ftp://impute.example.org", "URL scheme should be 'http' or 'https'"),
        ("base_url", "impute.example.org", "give a full http:// or https:// URL"),
        ("slug", "H3Africa", "should match pattern"),
        ("slug", "a--b", "should match pattern"),
        ("api_type", "dnastack", "Input should be 'michigan' or 'ga4gh_wes'"),
        ("supported_builds", ["hg19", "hg19"], "list each build once"),
        ("supported_builds", [], "at least 1 item"),
        ("max_upload_size_mb", 0, "greater than or equal to 1"),
        ("contact_url", "javascript:alert(1)", "should match pattern"),
    ],
)
def test_bad_service_fields_are_named_with_a_reason(field, value, message):
    with pytest.raises(ValidationError) as raised:
        ServiceCreate.model_validate({**VALID, field: value})
    found = problems(raised.value)
    assert any(key.startswith(field) or key == "" for key in found), found
    assert any(message in text for text in found.values()), found


def test_unknown_fields_are_refused_not_ignored():
    with pytest.raises(ValidationError) as raised:
        ServiceCreate.model_validate({**VALID, "token": "secret"})
    assert "token" in problems(raised.value)


def test_coordinates_come_in_pairs():
    with pytest.raises(ValidationError, match="latitude and longitude together"):
        ServiceCreate.model_validate({**VALID, "location": {"latitude": -33.9}})
    located = ServiceCreate.model_validate(
        {**VALID, "location": {"country": "ZA", "latitude": -33.9, "longitude": 18.4}}
    )
    assert located.location.country == "ZA"


def test_an_update_must_change_something_and_cannot_null_required_fields():
    with pytest.raises(ValidationError, match="at least one field"):
        ServiceUpdate.model_validate({})
    with pytest.raises(ValidationError, match="name cannot be null"):
        ServiceUpdate.model_validate({"name": None})
    assert ServiceUpdate.model_validate({"institution": None}).model_fields_set == {"institution"}


def test_panels_keep_the_service_own_identifier():
    panel = PanelCreate.model_validate(
        {"slug": "apps@h3africa-v6hc-s@1.0.0", "display_name": "H3Africa v6", "build": "hg38"}
    )
    assert panel.slug == "apps@h3africa-v6hc-s@1.0.0"
    with pytest.raises(ValidationError, match="list each population once"):
        PanelCreate.model_validate(
            {"slug": "topmed-r3", "display_name": "TOPMed", "build": "hg38", "populations": ["AFR", "AFR"]}
        )
    with pytest.raises(ValidationError):
        PanelCreate.model_validate({"slug": "has space", "display_name": "x", "build": "hg38"})
    with pytest.raises(ValidationError, match="at least one field"):
        PanelUpdate.model_validate({})


def test_connection_tests_take_the_same_url_rules():
    with pytest.raises(ValidationError, match="credentials"):
        ConnectionTest.model_validate({"base_url": "https://a:b@x.org", "api_type": "ga4gh_wes"})


def test_probe_errors_are_plain_words_that_the_pattern_takes_and_nothing_else():
    assert all(re.fullmatch(r"[A-Za-z ]+", kind) for kind in PROBE_ERRORS)
    for error in (*PROBE_ERRORS, "HTTP 503", "HTTP 401"):
        assert ProbeOutcome(status="unhealthy", checked_url="https://x", error=error).error == error
    for error in ("[Errno 111] Connection refused", "HTTP 5033", "timed out\n", "<html>"):
        with pytest.raises(ValidationError):
            ProbeOutcome(status="unhealthy", checked_url="https://x", error=error)
