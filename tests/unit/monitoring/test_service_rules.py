"""A service's facts from the registry's events: a late event never undoes a newer one."""

from datetime import UTC, datetime, timedelta

from monitoring.logic.services import at_risk, deactivated, observed, unseen

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
SPELL = NOW - timedelta(days=25)


def test_the_newest_check_decides_the_status():
    service = observed(unseen("s"), "healthy", NOW)
    assert observed(service, "unhealthy", NOW - timedelta(hours=1)).status == "healthy"
    assert observed(service, "unhealthy", NOW + timedelta(hours=1)).status == "unhealthy"


def test_a_warning_holds_until_a_healthy_check_after_the_spell_began():
    warned = at_risk(unseen("s"), SPELL, SPELL + timedelta(days=30))
    assert warned.at_risk_since == SPELL
    assert observed(warned, "healthy", SPELL - timedelta(hours=1)).at_risk_since == SPELL
    assert observed(warned, "healthy", NOW).at_risk_since is None


def test_a_warning_after_a_recovery_or_a_deactivation_is_ignored():
    recovered = observed(unseen("s"), "healthy", NOW)
    assert at_risk(recovered, SPELL, SPELL + timedelta(days=30)).at_risk_since is None
    gone = deactivated(unseen("s"), NOW)
    assert at_risk(gone, SPELL, SPELL + timedelta(days=30)).at_risk_since is None
    assert not gone.active
    assert observed(gone, "healthy", NOW + timedelta(days=1)).active  # checked again: reactivated
