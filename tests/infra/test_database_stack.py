"""The platform's databases in the synthesised template, for both profiles and for a cluster per
domain: one private, encrypted cluster; each domain's owner and app credentials readable only by the
functions that log in as them, the master credentials by the provisioning step alone; provisioning
before every domain's migrations; reserved concurrency that keeps the functions within the cluster's
connections; the small profile's pausing cluster, NAT instance and spaced-out schedules."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Match

from fip_core.provisioning import PLAN_VARIABLE
from infra.app import build_app
from infra.constants import VPC_CIDR
from infra.cost import estimate, load_prices, schedules_of, unpriced_types
from infra.domains import DOMAINS
from infra.profiles import CONNECTION_HEADROOM, PROFILES, max_connections
from tests.infra.template import CDK_VARIABLES, Synthesised, arn, as_list, group_id, ref, synthesise

pytestmark = pytest.mark.infra
domains = pytest.mark.parametrize("domain", DOMAINS, ids=lambda domain: domain.name)


def _build(tmp_path_factory: pytest.TempPathFactory, context: dict[str, object]) -> Synthesised:
    with pytest.MonkeyPatch.context() as patch:
        for variable in CDK_VARIABLES:
            patch.delenv(variable, raising=False)
        app, stack = build_app(str(tmp_path_factory.mktemp("cdk.out")), context)
        return synthesise(app, stack)


@pytest.fixture(scope="module")
def standard(tmp_path_factory: pytest.TempPathFactory) -> Synthesised:
    return _build(tmp_path_factory, {"profile": "standard"})


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Synthesised:
    return _build(tmp_path_factory, {"profile": "small"})


@pytest.fixture(scope="module")
def per_domain(tmp_path_factory: pytest.TempPathFactory) -> Synthesised:
    return _build(tmp_path_factory, {"profile": "standard", "cluster_per_domain": "true"})


def _readers(platform: Synthesised, secret_id: str) -> list[Any]:
    """The roles whose identity policies may read a secret."""
    return [
        role
        for policy in platform.of_type("AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if "secretsmanager:GetSecretValue" in as_list(statement["Action"])
        and ref(secret_id) in as_list(statement["Resource"])
        for role in policy["Properties"]["Roles"]
    ]


def _role_of(platform: Synthesised, built: Any) -> dict[str, str]:
    return ref(platform.id_of(built.role))


def test_one_private_encrypted_cluster_holds_every_domains_database(standard):
    clusters = standard.of_type("AWS::RDS::DBCluster")
    assert len(clusters) == 1
    ((cluster_id, cluster),) = clusters.items()
    properties = cluster["Properties"]
    shared = next(iter(standard.stack.databases.clusters.values()))
    assert properties["StorageEncrypted"] is True
    assert properties["KmsKeyId"] == arn(standard.id_of(shared.key))
    assert properties["DeletionProtection"] is True
    assert properties["BackupRetentionPeriod"] >= 7
    isolated = [ref(standard.id_of(subnet)) for subnet in standard.stack.network.vpc.isolated_subnets]
    assert standard.resources[properties["DBSubnetGroupName"]["Ref"]]["Properties"]["SubnetIds"] == isolated
    (instance,) = [i["Properties"] for i in standard.of_type("AWS::RDS::DBInstance").values()]
    assert instance["DBClusterIdentifier"] == ref(cluster_id)
    assert instance["PubliclyAccessible"] is False
    assert instance["CACertificateIdentifier"] == "rds-ca-rsa2048-g1"  # the authority the core layer's bundle holds
    for domain in DOMAINS:
        assert standard.service(domain).database.cluster is shared


@domains
def test_each_domain_has_owner_and_app_credentials_for_its_database_encrypted_and_rotated(standard, domain):
    database = standard.service(domain).database
    for secret, username in (
        (database.owner_secret, f"{domain.name}_owner"),
        (database.app_secret, f"{domain.name}_app"),
    ):
        attachment = standard.resources[standard.id_of(secret)]["Properties"]
        generated = standard.resources[attachment["SecretId"]["Ref"]]["Properties"]
        template = json.loads(generated["GenerateSecretString"]["SecretStringTemplate"])
        assert template == {"username": username, "dbname": domain.name}
        assert generated["KmsKeyId"] == arn(standard.id_of(database.cluster.key))
        standard.template.has_resource_properties(
            "AWS::SecretsManager::RotationSchedule",
            Match.object_like(
                {
                    "SecretId": ref(standard.id_of(secret)),
                    "HostedRotationLambda": Match.object_like({"RotationType": "PostgreSQLSingleUser"}),
                }
            ),
        )


@domains
def test_only_the_migrations_function_reads_the_owner_secret_and_the_others_the_app_secret(standard, domain):
    service = standard.service(domain)
    migrations = service.functions[domain.migrations_function]
    provisioning = ref(standard.id_of(standard.stack.databases.provisioning_function.role))
    owner_readers = _readers(standard, standard.id_of(service.database.owner_secret))
    app_readers = _readers(standard, standard.id_of(service.database.app_secret))
    assert sorted(map(json.dumps, owner_readers)) == sorted(
        map(json.dumps, [_role_of(standard, migrations), provisioning])
    )
    others = [
        _role_of(standard, built) for name, built in service.functions.items() if name != domain.migrations_function
    ]
    assert sorted(map(json.dumps, app_readers)) == sorted(map(json.dumps, [*others, provisioning]))


def test_only_the_provisioning_step_reads_the_master_credentials(standard):
    provisioning = ref(standard.id_of(standard.stack.databases.provisioning_function.role))
    for cluster in standard.stack.databases.clusters.values():
        assert _readers(standard, standard.id_of(cluster.master_secret)) == [provisioning]


@domains
def test_the_migrations_function_is_told_the_owner_secret_and_a_longer_statement_timeout(standard, domain):
    service = standard.service(domain)
    prefix = domain.name.upper()
    for declared in domain.functions:
        variables = standard.resources[standard.id_of(service.function(declared.name))]["Properties"]["Environment"]
        secret = variables["Variables"][f"{prefix}_DATABASE_SECRET_ARN"]
        if declared.name == domain.migrations_function:
            assert secret == ref(standard.id_of(service.database.owner_secret))
            assert (
                int(variables["Variables"][f"{prefix}_DATABASE_STATEMENT_TIMEOUT_SECONDS"]) < declared.timeout_seconds
            )
        else:
            assert secret == ref(standard.id_of(service.database.app_secret))


@domains
def test_provisioning_runs_before_each_domains_migrations_and_after_the_cluster_and_secrets(standard, domain):
    triggers = standard.of_type("Custom::Trigger")
    provisioning_id = standard.id_of(standard.stack.databases.provisioned.node.find_child("Default"))
    service = standard.service(domain)
    migrations = triggers[standard.id_of(service.migrations_trigger.node.find_child("Default"))]
    assert provisioning_id in migrations["DependsOn"]
    depends = set(triggers[provisioning_id]["DependsOn"])
    cluster = service.database.cluster
    assert {standard.id_of(cluster.cluster), standard.id_of(service.database.app_secret)} <= depends


def test_the_provisioning_step_is_told_every_domains_secrets_and_connection_limit(standard):
    function = standard.stack.databases.provisioning_function
    variables = standard.resources[standard.id_of(function)]["Properties"]["Environment"]["Variables"]
    rendered = json.dumps(variables[PLAN_VARIABLE])  # a JSON document joined with the secrets' references
    for domain in DOMAINS:
        database = standard.service(domain).database
        assert standard.id_of(database.owner_secret) in rendered
        assert standard.id_of(database.app_secret) in rendered
        assert f'\\"app_connection_limit\\":{standard.stack.concurrency.app_connections(domain)}' in rendered


@pytest.mark.parametrize("profile", ["standard", "small"])
def test_reserved_concurrency_keeps_the_functions_within_the_clusters_connections(profile, standard, small):
    platform = {"standard": standard, "small": small}[profile]
    chosen = PROFILES[profile]
    limit = max_connections(chosen.database_min_capacity, chosen.database_max_capacity) - CONNECTION_HEADROOM
    total = 0
    for domain in DOMAINS:
        for declared in domain.functions:
            function = platform.resources[platform.id_of(platform.service(domain).function(declared.name))]
            reserved = function["Properties"]["ReservedConcurrentExecutions"]
            assert reserved >= 1
            total += reserved
    assert total <= limit
    assert total <= 900  # the default account quota of 1,000 less the 100 Lambda keeps unreserved


def test_the_standard_profile_keeps_a_warm_cluster_and_a_managed_nat_gateway(standard):
    (cluster,) = standard.of_type("AWS::RDS::DBCluster").values()
    assert cluster["Properties"]["ServerlessV2ScalingConfiguration"] == {"MinCapacity": 0.5, "MaxCapacity": 4}
    assert len(standard.of_type("AWS::EC2::NatGateway")) == 1
    assert not standard.of_type("AWS::EC2::Instance")


def test_the_small_profile_pauses_the_cluster_when_idle(small):
    (cluster,) = small.of_type("AWS::RDS::DBCluster").values()
    assert cluster["Properties"]["ServerlessV2ScalingConfiguration"] == {
        "MinCapacity": 0,
        "MaxCapacity": 2,
        "SecondsUntilAutoPause": 300,
    }


def test_the_small_profile_goes_out_through_an_outbound_only_nat_instance(small):
    assert not small.of_type("AWS::EC2::NatGateway")
    ((instance_id, instance),) = small.of_type("AWS::EC2::Instance").items()
    properties = instance["Properties"]
    assert properties["InstanceType"] == "t4g.nano"
    assert properties["SourceDestCheck"] is False
    assert properties["BlockDeviceMappings"][0]["Ebs"]["Encrypted"] is True
    assert properties["MetadataOptions"]["HttpTokens"] == "required"
    (group_id,) = [group["Fn::GetAtt"][0] for group in properties["SecurityGroupIds"]]
    group = small.resources[group_id]["Properties"]
    assert [rule["CidrIp"] for rule in group["SecurityGroupIngress"]] == [VPC_CIDR]  # nothing from the internet
    # the private subnets route out through it; the database subnets have no route out at all
    routes = [route["Properties"] for route in small.of_type("AWS::EC2::Route").values()]
    assert any(route.get("InstanceId") == ref(instance_id) for route in routes)
    isolated = [
        small.stack.resolve(subnet.route_table.route_table_id) for subnet in small.stack.network.vpc.isolated_subnets
    ]
    assert isolated
    assert all(route["RouteTableId"] not in isolated for route in routes)


def test_the_small_profile_spaces_schedules_out_and_aligns_them_so_a_paused_cluster_wakes_once_an_hour(small):
    registry = next(domain for domain in DOMAINS if domain.name == "registry")
    sweep = arn(small.id_of(small.service(registry).function("health-sweep")))
    small.template.has_resource_properties(
        "AWS::Events::Rule",
        {"ScheduleExpression": "cron(0 * * * ? *)", "Targets": [Match.object_like({"Arn": sweep})]},
    )
    scheduled = [rule["Properties"] for rule in small.of_type("AWS::Events::Rule").values()]
    expressions = {rule["ScheduleExpression"] for rule in scheduled if "ScheduleExpression" in rule}
    assert expressions == {"cron(0 * * * ? *)"}
    assert schedules_of({"Resources": small.resources}).wakes_per_month == pytest.approx(730)


def test_a_cluster_per_domain_admits_only_that_domains_functions_and_the_provisioning_step(per_domain):
    clusters = per_domain.stack.databases.clusters
    assert len(per_domain.of_type("AWS::RDS::DBCluster")) == len(DOMAINS) == len(clusters)
    admin = group_id(per_domain.id_of(per_domain.stack.databases.admin_security_group))
    for domain in DOMAINS:
        service = per_domain.service(domain)
        cluster = service.database.cluster
        group = group_id(per_domain.id_of(cluster.security_group))
        sources = [
            rule["Properties"]["SourceSecurityGroupId"]
            for rule in per_domain.of_type("AWS::EC2::SecurityGroupIngress").values()
            if rule["Properties"]["GroupId"] == group
        ]
        assert sorted(map(json.dumps, sources)) == sorted(
            map(json.dumps, [group_id(per_domain.id_of(service.security_group)), admin])
        )
        attachment = per_domain.resources[per_domain.id_of(service.database.app_secret)]["Properties"]
        assert attachment["TargetId"] == ref(per_domain.id_of(cluster.cluster))


@pytest.mark.parametrize("profile", ["standard", "small"])
def test_every_resource_type_of_the_template_has_a_price_or_a_reason(profile, standard, small):
    platform = {"standard": standard, "small": small}[profile]
    assert unpriced_types({"Resources": platform.resources}, load_prices()) == set()


def test_the_small_profile_idles_under_forty_dollars_a_month(small):
    items = estimate({"Resources": small.resources}, load_prices())
    assert sum(item.usd_per_month for item in items) < 40
