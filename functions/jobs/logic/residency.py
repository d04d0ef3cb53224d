"""Where a job's files may go: the platform's residency policy (the registry's, read with each service's
submission details and with each ranking) and each file's narrowing by its owner (the files domain's,
read with the files). A job may go to a service only if every one of those rules lets it: the effective
policy is their intersection, axis by axis, and an empty list leaves its axis unrestricted.

A country rule needs to know where the service is: a service that records no country never passes one
(the rule could not be shown to hold). The rules are checked one by one, so that a refusal names the
rule it breaks ("file X may go only to ZA"), which the intersection alone could not say. No I/O here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

PLATFORM = "the platform's residency policy"


@dataclass(frozen=True)
class Rule:
    """One party's rule: who set it (`owner`, as a refusal names it) and the countries and service ids it
    allows, an empty set leaving that axis unrestricted."""

    owner: str
    countries: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()

    @property
    def restricts(self) -> bool:
        """Whether the rule limits anything."""
        return bool(self.countries or self.services)


@dataclass(frozen=True)
class Destination:
    """A service a job's files would be sent to, as the rules see it."""

    service_id: str
    name: str
    country: str | None


@dataclass(frozen=True)
class Effective:
    """The intersection of the rules: None on an axis no rule restricts; an empty set when the rules
    leave nowhere on that axis."""

    countries: frozenset[str] | None
    services: frozenset[str] | None

    @property
    def nowhere(self) -> bool:
        """Whether no service at all can pass every rule."""
        return self.countries == frozenset() or self.services == frozenset()


def platform_rule(residency: dict[str, Any]) -> Rule:
    """The platform's policy from the registry's answer (`{"allowed_countries", "allowed_services"}`)."""
    return Rule(PLATFORM, frozenset(residency["allowed_countries"]), frozenset(residency["allowed_services"]))


def file_rules(files: Iterable[dict[str, Any]]) -> tuple[Rule, ...]:
    """The narrowing of each found file of the files domain's `inputs` answer that narrows anything."""
    rules = (
        Rule(
            f"file {file['id']}" + (f" ({file['filename']})" if file.get("filename") else ""),
            frozenset(file.get("allowed_countries") or ()),
            frozenset(file.get("allowed_services") or ()),
        )
        for file in files
        if file.get("found")
    )
    return tuple(rule for rule in rules if rule.restricts)


def effective(rules: Sequence[Rule]) -> Effective:
    """The intersection of the rules, axis by axis (an empty rule on an axis takes nothing away)."""

    def meet(axes: list[frozenset[str]]) -> frozenset[str] | None:
        return frozenset.intersection(*axes) if axes else None

    return Effective(
        countries=meet([rule.countries for rule in rules if rule.countries]),
        services=meet([rule.services for rule in rules if rule.services]),
    )


def breach(rules: Sequence[Rule], destination: Destination) -> str | None:
    """The first rule the destination breaks, in words that name it; None when every rule lets it."""
    for rule in rules:
        if rule.services and destination.service_id not in rule.services:
            return (
                f"{_allows(rule)} only to services {_listed(rule.services)}: {destination.name} "
                f"({destination.service_id}) is not one of them"
            )
        if rule.countries and destination.country is None:
            return (
                f"{_allows(rule)} only to {_listed(rule.countries)}, and {destination.name} records no country: "
                "an administrator sets the service's location.country"
            )
        if rule.countries and destination.country not in rule.countries:
            return f"{_allows(rule)} only to {_listed(rule.countries)}: {destination.name} is in {destination.country}"
    return None


def nowhere_reason(rules: Sequence[Rule]) -> str:
    """Why no service can pass the rules together (`Effective.nowhere`): each restricting rule."""
    said = [
        f"{_allows(rule)} only {what}"
        for rule in rules
        for what in ([f"to {_listed(rule.countries)}"] if rule.countries else [])
        + ([f"to services {_listed(rule.services)}"] if rule.services else [])
    ]
    return "; ".join(said) + ": together they leave no service, so change a file's narrowing"


def _allows(rule: Rule) -> str:
    return f"{rule.owner} allows data" if rule.owner == PLATFORM else f"{rule.owner} may go"


def _listed(values: frozenset[str]) -> str:
    return ", ".join(sorted(values))
