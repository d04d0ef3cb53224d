"""The residency arithmetic: the platform's policy and each file's narrowing, intersected axis by axis, an
empty list leaving its axis unrestricted, and a refusal naming the rule it breaks. A service that records
no country never passes a country rule: the rule could not be shown to hold."""

from __future__ import annotations

from jobs.logic.residency import (
    PLATFORM,
    Destination,
    Rule,
    breach,
    effective,
    file_rules,
    nowhere_reason,
    platform_rule,
)

ZA_SERVICE = Destination("s-za", "H3Africa", "ZA")
NG_SERVICE = Destination("s-ng", "Ibadan", "NG")
NOWHERE = Destination("s-x", "Nameless", None)


def platform(countries=(), services=()) -> Rule:
    return platform_rule({"allowed_countries": list(countries), "allowed_services": list(services)})


def test_empty_rules_leave_every_service_and_country_allowed():
    rules = (platform(), Rule("file f1"))
    assert effective(rules).countries is None
    assert effective(rules).services is None
    assert not effective(rules).nowhere
    assert [breach(rules, where) for where in (ZA_SERVICE, NG_SERVICE, NOWHERE)] == [None, None, None]


def test_the_axes_intersect_and_an_empty_axis_takes_nothing_away():
    rules: tuple[Rule, ...] = (
        platform(countries=["ZA", "NG", "KE"]),
        Rule("file f1", frozenset({"ZA", "NG"})),
        Rule("f2"),
    )
    assert effective(rules).countries == frozenset({"ZA", "NG"})
    assert effective(rules).services is None
    rules = (
        *rules,
        Rule("file f3", services=frozenset({"s-za", "s-ng"})),
        Rule("file f4", services=frozenset({"s-za"})),
    )
    assert effective(rules).services == frozenset({"s-za"})
    assert breach(rules, ZA_SERVICE) is None
    assert breach(rules, NG_SERVICE) == "file f4 may go only to services s-za: Ibadan (s-ng) is not one of them"


def test_a_narrowing_never_widens_the_platform():
    rules = (platform(countries=["ZA"]), Rule("file f1", frozenset({"ZA", "NG"})))
    assert effective(rules).countries == frozenset({"ZA"})
    assert breach(rules, NG_SERVICE) == f"{PLATFORM} allows data only to ZA: Ibadan is in NG"


def test_a_refusal_names_the_first_rule_broken():
    rules = (platform(countries=["ZA", "NG"]), Rule("file f1 (chr20.vcf.gz)", frozenset({"ZA"})))
    assert breach(rules, NG_SERVICE) == "file f1 (chr20.vcf.gz) may go only to ZA: Ibadan is in NG"
    services = (platform(services=["s-a", "s-b"]),)
    said = breach(services, ZA_SERVICE)
    assert said == f"{PLATFORM} allows data only to services s-a, s-b: H3Africa (s-za) is not one of them"


def test_a_service_without_a_country_is_refused_under_a_country_rule_and_says_so():
    assert breach((platform(countries=["ZA"]),), NOWHERE) == (
        f"{PLATFORM} allows data only to ZA, and Nameless records no country: an administrator sets the "
        "service's location.country"
    )
    assert breach((platform(services=["s-x"]),), NOWHERE) is None  # named by id: its country does not matter


def test_rules_that_leave_nowhere_say_which_rules_they_are():
    rules = (platform(countries=["ZA"]), Rule("file f1", frozenset({"NG"})))
    assert effective(rules).countries == frozenset()
    assert effective(rules).nowhere
    assert nowhere_reason(rules).startswith(f"{PLATFORM} allows data only to ZA; file f1 may go only to NG")
    assert breach(rules, ZA_SERVICE) is not None
    assert breach(rules, NG_SERVICE) is not None


def test_only_found_files_that_narrow_anything_make_rules():
    files = [
        {"id": "f1", "found": True, "filename": "chr20.vcf.gz", "allowed_countries": ["ZA"], "allowed_services": []},
        {"id": "f2", "found": True, "filename": "chr21.vcf.gz", "allowed_countries": [], "allowed_services": []},
        {"id": "f3", "found": False},
    ]
    assert file_rules(files) == (Rule("file f1 (chr20.vcf.gz)", frozenset({"ZA"})),)
