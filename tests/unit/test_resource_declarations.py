"""What a domain may declare about its resources, the AWS events it subscribes to and the calls it
makes to other domains, and what the declarations refuse: checked before anything is built."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fip_core.declaration import DomainDeclaration, FunctionDeclaration, InternalCall, cross_domain_problems
from fip_core.resources import (
    AdminCalls,
    AwsEventSubscription,
    BucketSpec,
    EmailIdentitySpec,
    EncryptionKeySpec,
    ResourceSpec,
    UserPoolSpec,
)
from infra.domains import DOMAINS
from infra.resources import KINDS, kind_of
from tests.support import intake_domain
from tests.support.intake_domain import CREDENTIALS, INBOX

REGISTRY = DOMAINS[1]
USERS = intake_domain.users_called_only_by()  # alone with the registry: no other domain calls it here


def _domain(**fields: object) -> DomainDeclaration:
    functions = tuple(
        FunctionDeclaration(name=name, handler=f"x.handlers.{name}.handler", description=name)
        for name in ("api", "migrate", "worker")
    )
    declared = {"name": "x", "functions": functions, "api_function": "api", "migrations_function": "migrate"}
    return DomainDeclaration(**{"routes": (), **declared, **fields})  # type: ignore[arg-type]


def test_the_shipped_domains_calls_agree():
    assert cross_domain_problems(DOMAINS) == []
    assert cross_domain_problems(intake_domain.PLATFORM) == []


def test_a_call_its_target_does_not_allow_is_a_problem():
    assert cross_domain_problems((USERS, REGISTRY, intake_domain.DECLARATION)) == [
        "intake/api calls users/credentials, whose callers [] do not include intake"
    ]


def test_a_caller_allowed_by_the_target_alone_is_a_problem():
    allowing, _, _ = intake_domain.PLATFORM
    without_the_call = replace(intake_domain.DECLARATION, calls=())
    assert cross_domain_problems((allowing, REGISTRY, without_the_call)) == [
        "users/credentials lets intake call it, but intake declares no such call"
    ]


def test_a_call_to_a_function_or_domain_that_does_not_exist_is_a_problem():
    calling = _domain(calls=(InternalCall("worker", "users", "nothing"), InternalCall("worker", "jobs", "run")))
    assert cross_domain_problems((USERS, calling)) == [
        "x/worker calls users/nothing, which is not declared",
        "x/worker calls jobs/run, which is not declared",
    ]


def test_a_call_is_made_by_a_declared_function_of_the_caller():
    with pytest.raises(ValueError, match=r"undeclared functions \['nobody'\]"):
        _domain(calls=(InternalCall("nobody", "users", "credentials"),))


def test_a_function_with_callers_is_internal():
    api = FunctionDeclaration(name="api", handler="x.handlers.api.handler", description="x", callers=("jobs",))
    with pytest.raises(ValueError, match="must be internal"):
        DomainDeclaration(name="x", functions=(api,), api_function="api", routes=(), migrations_function="api")


def test_the_call_variable_names_caller_target_domain_and_function():
    assert CREDENTIALS.variable("intake") == "INTAKE_USERS_CREDENTIALS_FUNCTION_NAME"
    assert (
        InternalCall("api", "files", "register-result").variable("jobs") == "JOBS_FILES_REGISTER_RESULT_FUNCTION_NAME"
    )


def test_resources_name_only_declared_functions():
    with pytest.raises(ValueError, match=r"undeclared functions \['validate'\]"):
        _domain(resources=(BucketSpec(name="inbox", read=("validate",)),))
    with pytest.raises(ValueError, match=r"undeclared functions \['mailer'\]"):
        _domain(resources=(EmailIdentitySpec(name="mail", send=("mailer",)),))


def test_a_resource_name_is_unique_in_its_domain_and_spelled_for_aws():
    with pytest.raises(ValueError, match="resource name twice"):
        _domain(resources=(BucketSpec(name="inbox"), EmailIdentitySpec(name="inbox")))
    for bad in ("Inbox", "in_box", "x", "-inbox"):
        with pytest.raises(ValueError, match="lower-case letters"):
            BucketSpec(name=bad)


def test_a_bucket_keeps_objects_whole_days():
    with pytest.raises(ValueError, match="whole days"):
        BucketSpec(name="inbox", retention_days=0)


def test_a_key_names_its_purpose_among_its_context_keys():
    with pytest.raises(ValueError, match="a purpose"):
        EncryptionKeySpec(name="secrets", purpose="", context_keys=("purpose",))
    with pytest.raises(ValueError, match="a purpose"):
        EncryptionKeySpec(name="secrets", purpose="tokens", context_keys=("user_id",))


def test_a_pools_grants_are_admin_calls():
    with pytest.raises(ValueError, match="not Cognito admin calls"):
        AdminCalls("api", ("SignUp",))


def test_uses_are_listed_by_function():
    bucket = BucketSpec(name="inbox", read=("a", "b"), presign=("a",))
    assert bucket.access() == {"a": ("read", "presign"), "b": ("read",)}
    assert UserPoolSpec(name="pool", admin_calls=(AdminCalls("api", ("AdminGetUser",)),)).access() == {
        "api": ("AdminGetUser",)
    }


def test_aws_events_are_subscribed_to_from_a_declared_resource_that_sends_them():
    bucket = BucketSpec(name="inbox", read=("worker",))
    subscription = AwsEventSubscription("worker", bucket, ("Object Created",))
    assert subscription.pattern("fip-x-inbox") == {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": ["fip-x-inbox"]}},
    }
    with pytest.raises(ValueError, match="resources it does not declare"):
        _domain(aws_subscriptions=(subscription,))
    declared = _domain(resources=(bucket,), aws_subscriptions=(subscription,))
    assert "worker" in declared.asynchronously_invoked_functions


def test_an_aws_event_subscription_names_events_the_resource_sends():
    with pytest.raises(ValueError, match="not \\['Object created'\\]"):
        AwsEventSubscription("worker", INBOX, ("Object created",))
    with pytest.raises(ValueError, match="not nothing"):
        AwsEventSubscription("worker", INBOX, ())
    with pytest.raises(ValueError, match="sends no events"):
        AwsEventSubscription("worker", EmailIdentitySpec(name="mail"), ("Object Created",))


def test_every_spec_type_has_exactly_one_kind():
    spec_types = {kind.spec_type for kind in KINDS}
    assert spec_types == set(ResourceSpec.__subclasses__())
    assert len(spec_types) == len(KINDS)
    for domain in (*DOMAINS, intake_domain.DECLARATION):
        for spec in domain.resources:
            assert kind_of(spec).spec_type is type(spec)


def test_a_spec_no_kind_builds_is_refused():
    class Queue(ResourceSpec):
        pass

    with pytest.raises(LookupError, match="no kind builds a Queue"):
        kind_of(Queue(name="jobs"))
