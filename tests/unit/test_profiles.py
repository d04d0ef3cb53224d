"""The arithmetic behind the deployment profiles: Aurora PostgreSQL's connection limit per ACU and
how the functions' reserved concurrency splits it."""

import pytest

from infra.domains import DOMAINS
from infra.profiles import CONNECTION_HEADROOM, PROFILES, concurrency_plan, max_connections, profile_named


def test_max_connections_follows_the_formula_and_the_documented_points():
    assert max_connections(0.5, 1) == 189  # AWS documents 189 at a 0.5-1 ACU range
    assert max_connections(0.5, 16) == 2000  # capped with a minimum of 0 or 0.5 ACU
    assert max_connections(1, 16) <= 3360  # AWS documents 3,360: the estimate stays below it
    assert max_connections(1, 256) == 5000


def test_the_plan_splits_the_budget_favouring_the_request_path_and_never_exceeds_it():
    plan = concurrency_plan(PROFILES["small"], DOMAINS)
    assert plan.budget == max_connections(0, 2) - CONNECTION_HEADROOM
    assert sum(plan.reserved.values()) <= plan.budget
    for domain in DOMAINS:
        assert plan.reserved[(domain.name, domain.migrations_function)] == 1
        assert (
            plan.reserved[(domain.name, domain.api_function)]
            > max(plan.reserved[(domain.name, f.name)] for f in domain.functions if f.name != domain.api_function)
            or domain.authorizer_function is not None
        )


def test_the_account_limit_caps_a_large_cluster():
    plan = concurrency_plan(PROFILES["standard"], DOMAINS, reserved_limit=200)
    assert sum(plan.reserved.values()) <= 200


def test_a_cluster_too_small_for_its_functions_is_refused_with_what_to_do():
    with pytest.raises(ValueError, match="maximum capacity"):
        concurrency_plan(PROFILES["small"], DOMAINS, reserved_limit=10)


def test_an_unknown_profile_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="small"):
        profile_named("huge")
    assert profile_named(None).name == "standard"
